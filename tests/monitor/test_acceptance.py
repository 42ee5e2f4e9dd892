"""The acceptance replay: the Ottawa page before the 2025 notices, then the real 2026 page.

Exactly one urgent alert per withdrawal notice (Estonia, Finland, Latvia, Lithuania, Poland) must
reach subscribers through e-mail (real SMTP), a signed webhook (real HTTP receiver) and the Atom
feeds, once each; running everything again changes nothing.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import feedparser
import pytest
from django.contrib.auth import get_user_model

from treatywatch.monitor.cycle import run_once
from treatywatch.monitor.delivery import deliver
from treatywatch.monitor.models import Alert, Delivery, Delta, Organisation, Snapshot, Subscription

NOTICES = {
    "EST": "2025-06-27",
    "FIN": "2025-07-10",
    "LVA": "2025-06-27",
    "LTU": "2025-06-27",
    "POL": "2025-08-20",
}
EFFECTIVE = {
    "EST": "2025-12-27",
    "FIN": "2026-01-10",
    "LVA": "2025-12-27",
    "LTU": "2025-12-27",
    "POL": "2026-02-20",
}
ONLY_OTTAWA = {"source_ids": ["untc_html"], "documents": ["*/ottawa.html"]}


def test_the_derived_page_is_what_its_script_writes(pages):
    script = Path(__file__).parent / "fixtures" / "make_ottawa_before_2025.py"
    spec = importlib.util.spec_from_file_location("make_ottawa_before_2025", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.derive(pages.real.decode("utf-8")).encode("utf-8") == pages.before_2025


@pytest.mark.django_db
def test_replay_of_the_2025_ottawa_withdrawals(pages, smtp, http_server, receiver, client):
    hook = http_server(receiver)
    ana = get_user_model().objects.create_user("ana", "ana@example.org", "pw")
    watch = Subscription.objects.create(
        user=ana, name="Ottawa watch", treaties=["ottawa"], webhook_url=hook.url + "/in"
    )
    receiver.secret = watch.webhook_secret
    coalition = Organisation.objects.create(name="Coalition", slug="coalition", email="coalition@example.org")
    Subscription.objects.create(organisation=coalition, name="Pologne", states=["POL"], language="fr")
    Subscription.objects.create(user=ana, name="France only", states=["FRA"], email="fra@example.org")

    first = run_once(from_dir=pages.folder("before", pages.before_2025), **ONLY_OTTAWA)
    assert first["sync"]["baseline"] == 1 and first["sync"]["alerts"] == 0
    assert not Alert.objects.filter(audience="users").exists() and not smtp.messages and not receiver.accepted

    second = run_once(from_dir=pages.folder("now", pages.real), **ONLY_OTTAWA)
    assert second["sync"]["applied"] == 1

    alerts = list(Alert.objects.filter(audience="users"))
    assert {a.state: a.legal_date.isoformat() for a in alerts} == NOTICES
    assert {a.state: a.effective_date.isoformat() for a in alerts} == EFFECTIVE
    sha = hashlib.sha256(pages.real).hexdigest()
    for alert in alerts:
        assert (alert.kind, alert.urgent, alert.audience, alert.treaty) == (
            "denunciation",
            True,
            "users",
            "ottawa",
        )
        assert (alert.document_url, alert.document_sha256) == (pages.url, sha)

    # e-mail: one immediate message per notice to the treaty subscriber, the Polish one to the organisation in French
    subjects = smtp.subjects("ana@example.org")
    assert len(subjects) == 5 and all(s.startswith("URGENT: ") for s in subjects)
    assert sorted(s.split(" – ")[0].removeprefix("URGENT: ") for s in subjects) == [
        "Estonia",
        "Finland",
        "Latvia",
        "Lithuania",
        "Poland",
    ]
    assert (
        "C.N.421.2025"
        in next(m for m in smtp.to("ana@example.org") if "Poland" in m["Subject"]).get_content()
    )
    (french,) = smtp.subjects("coalition@example.org")
    assert french.startswith("URGENT : Pologne – notification de dénonciation ou de retrait")
    assert not smtp.to("fra@example.org")

    # webhooks: one signed POST per notice
    assert receiver.rejected == 0
    assert sorted(p["alert"]["state"] for p in receiver.accepted) == sorted(NOTICES)
    assert all(p["alert"]["urgent"] and p["alert"]["document"]["sha256"] == sha for p in receiver.accepted)

    # feeds: each notice once, in the public treaty feed and the subscriber's private feed
    for address in (
        "/alerts/feeds/treaties/ottawa.atom",
        f"/alerts/feeds/subscriptions/{watch.feed_token}.atom",
    ):
        feed = feedparser.parse(client.get(address).content)
        assert not feed.bozo, feed.bozo_exception
        assert len(feed.entries) == 5 and len({e.id for e in feed.entries}) == 5
        assert all("urgent" in {t.term for t in e.tags} for e in feed.entries)
    polish = feedparser.parse(client.get("/alerts/feeds/states/POL.atom").content)
    assert len(polish.entries) == 1 and polish.entries[0].title.startswith(
        "URGENT: Poland – notice of denunciation"
    )

    deliveries = Delivery.objects.filter(subscription=watch)
    assert deliveries.filter(channel="email", state="sent").count() == 5
    assert deliveries.filter(channel="webhook", state="sent").count() == 5

    # running everything again changes nothing and sends nothing
    counts = (
        Alert.objects.count(),
        Delivery.objects.count(),
        Snapshot.objects.count(),
        Delta.objects.count(),
    )
    third = run_once(from_dir=pages.folder("again", pages.real), **ONLY_OTTAWA)
    assert third["sync"]["unchanged"] == 1 and third["sync"]["alerts"] == 0
    assert deliver(force_digest=True).emails == 0
    assert (
        Alert.objects.count(),
        Delivery.objects.count(),
        Snapshot.objects.count(),
        Delta.objects.count(),
    ) == counts
    assert len(smtp.messages) == 6 and len(receiver.accepted) == 5
