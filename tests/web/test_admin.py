"""The editors' area: login required, source and reason required, every change in the history."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from treatywatch.store.models import Discrepancy, Event, Participant, Treaty
from treatywatch.store.service import StatusService

pytestmark = pytest.mark.django_db

ADD = "/admin/store/event/add/"


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser("curator", "curator@example.org", "a-long-passphrase-42")
    client.force_login(user)
    return user


@pytest.fixture
def reference(bundled_data):
    return Participant.objects.get(code="PHL"), Treaty.objects.get(slug="rome-statute")


def event_form(**overrides) -> dict:
    data = {
        "treaty": "rome-statute",
        "participant": "PHL",
        "kind": "accession",
        "date": "2027-01-15",
        "effective_date": "",
        "territory": "",
        "text": "",
        "cn_symbol": "C.N.1.2027.TREATIES-XVIII.10",
        "verified": "on",
        "note": "",
        "role": "status",
        "source": "untc_cn",
        "url": "https://treaties.un.org/doc/Publication/CN/2027/CN.1.2027-Eng.pdf",
        "original": "",
        "trust": "primary",
        "change_reason": "C.N.1.2027 notified the accession",
    }
    return {**data, **overrides}


def test_the_editors_area_needs_a_login(client):
    response = client.get(ADD)
    assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]


def test_an_editor_adds_a_depositary_action_with_its_source_and_reason(client, editor, reference):
    response = client.post(ADD, event_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(cn_symbol="C.N.1.2027.TREATIES-XVIII.10")
    assert event.entered_by == "curator" and event.source == "untc_cn"
    record = event.history.get()
    assert (
        record.history_user == editor and record.history_change_reason == "C.N.1.2027 notified the accession"
    )
    answer = StatusService().status("PHL", "rome-statute", date(2027, 6, 1))
    assert answer.status == "party" and answer.consent_date == date(2027, 1, 15)


@pytest.mark.parametrize("missing", ["source", "url", "change_reason"])
def test_no_source_or_no_reason_is_refused_and_nothing_is_stored(client, editor, reference, missing):
    before = Event.objects.count()
    response = client.post(ADD, event_form(**{missing: ""}))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert Event.objects.count() == before


def test_a_correction_keeps_who_when_what_and_why(client, editor, reference):
    event = Event.objects.filter(participant_id="PHL", treaty_id="rome-statute", kind="denunciation").first()
    form = event_form(
        kind="denunciation",
        date="2018-03-16",
        cn_symbol=event.cn_symbol,
        source="untc_cn",
        change_reason="the depositary notification is dated 16 March",
    )
    response = client.post(f"/admin/store/event/{event.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    event.refresh_from_db()
    assert event.date == date(2018, 3, 16) and event.entered_by == "curator"
    latest = event.history.first()
    assert latest.history_change_reason == "the depositary notification is dated 16 March"
    assert latest.history_user == editor and latest.date == date(2018, 3, 16)


def test_discrepancies_are_reviewed_with_a_reason(client, editor, reference):
    discrepancy = Discrepancy.objects.filter(review="open").first()
    assert discrepancy is not None, "the bundle holds no discrepancy to review"
    assert (
        discrepancy.description in client.get("/admin/store/discrepancy/?review__exact=open").content.decode()
    )
    response = client.post(
        f"/admin/store/discrepancy/{discrepancy.pk}/change/",
        {"review": "confirmed", "review_note": "UNTC is right", "change_reason": "checked the C.N."},
    )
    assert response.status_code == 302
    discrepancy.refresh_from_db()
    assert discrepancy.review == "confirmed" and discrepancy.reviewed_by == "curator"
    assert discrepancy.history.first().history_change_reason == "checked the C.N."
