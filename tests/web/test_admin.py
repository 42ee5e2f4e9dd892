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


def _deciding_notice() -> Event:
    """The Philippines' notice of withdrawal that the status answer rests on (other sources' copies aside)."""
    answer = StatusService().status("PHL", "rome-statute", date(2019, 1, 1))
    (event_id,) = [e.event_id for e in answer.events if e.kind == "denunciation"]
    return Event.objects.get(event_id=event_id)


def _correct_the_philippines_notice(client, notice: Event):
    form = event_form(
        kind="denunciation",
        date="2018-03-16",
        cn_symbol=notice.cn_symbol,
        source="untc_cn",
        url="https://treaties.un.org/doc/Publication/CN/2018/CN.138.2018-Eng.pdf",
        change_reason="the depositary notification is dated 16 March",
    )
    return client.post(f"/admin/store/event/{notice.pk}/change/", form)


def test_a_correction_supersedes_the_source_fact_and_keeps_who_when_what_and_why(client, editor, reference):
    notice = _deciding_notice()
    as_given = (notice.event_id, notice.date, notice.source, notice.url)
    response = _correct_the_philippines_notice(client, notice)
    assert response.status_code == 302, response.content.decode()[:2000]

    notice.refresh_from_db()
    assert (notice.event_id, notice.date, notice.source, notice.url) == as_given, "the source's fact is kept"
    correction = Event.objects.get(supersedes=notice.event_id)
    assert correction.date == date(2018, 3, 16) and correction.entered_by == "curator"
    assert correction.source == "untc_cn" and correction.document is None
    record = correction.history.get()
    assert record.history_change_reason == "the depositary notification is dated 16 March"
    assert record.history_user == editor

    answer = StatusService().status("PHL", "rome-statute", date(2019, 1, 1))
    assert answer.withdrawal_notice_date == date(2018, 3, 16)
    assert notice.event_id not in {e.event_id for e in answer.events}
    assert correction.event_id in {e.event_id for e in answer.events}


def test_a_reload_of_the_bundle_keeps_the_correction_in_force(client, editor, reference):
    from django.conf import settings

    from treatywatch.store.loading import load_bundle

    notice = _deciding_notice()
    assert _correct_the_philippines_notice(client, notice).status_code == 302
    load_bundle(settings.BUNDLE_DIR)
    assert Event.objects.filter(event_id=notice.event_id).exists(), (
        "the bundle brought the source's fact back"
    )
    answer = StatusService().status("PHL", "rome-statute", date(2019, 1, 1))
    assert answer.withdrawal_notice_date == date(2018, 3, 16)


def test_deleting_the_correction_restores_the_source_fact(client, editor, reference):
    notice = _deciding_notice()
    assert _correct_the_philippines_notice(client, notice).status_code == 302
    correction = Event.objects.get(supersedes=notice.event_id)
    response = client.post(f"/admin/store/event/{correction.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    answer = StatusService().status("PHL", "rome-statute", date(2019, 1, 1))
    assert answer.withdrawal_notice_date == notice.date


def test_a_correction_that_changes_nothing_is_refused(client, editor, reference):
    notice = _deciding_notice()
    unchanged = {
        **event_form(
            kind=notice.kind,
            date=notice.date.isoformat(),
            effective_date=notice.effective_date.isoformat() if notice.effective_date else "",
            territory=notice.territory,
            text=notice.text,
            cn_symbol=notice.cn_symbol,
            note=notice.note,
            source=notice.source,
            url=notice.url,
            original=notice.original,
            trust=notice.trust,
            change_reason="no change",
        ),
        "verified": "on" if notice.verified else "",
    }
    response = client.post(f"/admin/store/event/{notice.pk}/change/", unchanged)
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Event.objects.filter(supersedes=notice.event_id).exists()


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


def test_the_command_line_history_shows_the_correction_and_what_it_superseded(
    client, editor, reference, capsys
):
    from treatywatch.cli import main

    notice = _deciding_notice()
    assert _correct_the_philippines_notice(client, notice).status_code == 302
    capsys.readouterr()
    assert main(["history", "PHL", "--treaty", "rome-statute"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(
        notice.date.isoformat() in line and "superseded: corrected by curator" in line for line in lines
    )
    assert any("2018-03-16" in line and "entered by curator" in line for line in lines)


def test_the_api_marks_the_correction_and_the_fact_it_supersedes(client, editor, reference):
    notice = _deciding_notice()
    assert _correct_the_philippines_notice(client, notice).status_code == 302
    events = client.get("/api/v1/events", {"state": "PHL", "treaty": "rome-statute", "limit": 100}).json()
    by_id = {e["event_id"]: e for e in events["items"]}
    assert by_id[notice.event_id]["superseded"] is True
    (correction,) = [e for e in events["items"] if e["supersedes"] == notice.event_id]
    assert correction["entered_by"] == "curator" and correction["superseded"] is False


def test_a_source_fact_cannot_be_deleted_but_a_correction_can_take_it_out_of_the_status(
    client, editor, reference
):
    notice = _deciding_notice()
    assert client.get(f"/admin/store/event/{notice.pk}/delete/").status_code == 403
    assert client.post(f"/admin/store/event/{notice.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=notice.pk).exists()
    assert "delete_selected" not in client.get("/admin/store/event/").content.decode()

    form = event_form(
        kind="denunciation",
        date=notice.date.isoformat(),
        cn_symbol=notice.cn_symbol,
        role="crosscheck",
        note="no such notice: the C.N. was withdrawn",
        change_reason="the depositary withdrew this notification",
    )
    assert client.post(f"/admin/store/event/{notice.pk}/change/", form).status_code == 302
    answer = StatusService().status("PHL", "rome-statute", date(2019, 1, 1))
    assert answer.status == "party" and answer.withdrawal_notice_date is None
