"""Delivery: matching, digests in the subscriber's language, webhook retries and disabling, idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from treatywatch.monitor import delivery
from treatywatch.monitor.delivery import deliver, matches, plan, send_emails, send_webhooks
from treatywatch.monitor.models import Alert, Delivery, Subscription

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_alert(
    key: str,
    *,
    kind: str = "consent",
    state: str = "FRA",
    treaty: str = "cat",
    urgent: bool = False,
    audience: str = "users",
    due_on: date | None = None,
) -> Alert:
    return Alert.objects.create(
        key=key,
        kind=kind,
        urgent=urgent,
        audience=audience,
        state=state,
        treaty=treaty,
        legal_date=date(2026, 2, 1),
        first_seen=NOW,
        due_on=due_on,
        detail="source text",
        source="untc_html",
        document_url="https://treaties.un.org/doc",
        document_sha256="ab" * 32,
        created_at=NOW,
    )


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("lu", "lu@example.org", "pw")


@pytest.mark.django_db
def test_filters_by_state_treaty_category_and_kind(user):
    categories = {"cat": "human_rights", "ottawa": "disarmament"}
    alert = make_alert("a", kind="denunciation", state="POL", treaty="ottawa", urgent=True)
    assert matches(Subscription(user=user, name="all"), alert, categories)
    assert matches(
        Subscription(user=user, name="s", states=["POL"], categories=["disarmament"]), alert, categories
    )
    assert not matches(Subscription(user=user, name="s", states=["FRA"]), alert, categories)
    assert not matches(Subscription(user=user, name="t", treaties=["cat"]), alert, categories)
    assert not matches(Subscription(user=user, name="c", categories=["human_rights"]), alert, categories)
    assert not matches(Subscription(user=user, name="k", kinds=["consent"]), alert, categories)
    quarantine = make_alert("q", kind="quarantine", audience="operators")
    assert not matches(Subscription(user=user, name="all"), quarantine, categories)
    assert matches(Subscription(user=user, name="ops", operator_alerts=True), quarantine, categories)


@pytest.mark.django_db
def test_non_urgent_alerts_wait_for_one_daily_digest_in_the_subscribers_language(user, smtp):
    Subscription.objects.create(user=user, name="Tortura", language="es", treaties=["cat"])
    make_alert("one")
    make_alert("two", kind="reservation", state="MEX")
    first = deliver(now=NOW)
    assert first.emails == 1 and first.email_alerts == 2
    (subject,) = smtp.subjects("lu@example.org")
    assert subject == "TreatyWatch, resumen: 2 alertas para «Tortura»"
    body = smtp.messages[0].get_content()
    assert "Francia – nuevo consentimiento en obligarse" in body and "México – nueva reserva" in body
    assert "Fecha del acto: 2026-02-01" in body

    make_alert("three", state="PER")
    assert deliver(now=NOW + timedelta(hours=3)).emails == 0  # the next digest is a day later
    assert deliver(now=NOW + timedelta(days=1, minutes=1)).email_alerts == 1
    assert len(smtp.messages) == 2


@pytest.mark.django_db
def test_scheduled_alerts_are_released_on_their_date(user, smtp):
    Subscription.objects.create(user=user, name="all")
    make_alert("due", kind="withdrawal_effective", due_on=date(2026, 3, 10))
    assert plan(now=NOW, today=date(2026, 3, 9)) == 0
    assert plan(now=NOW, today=date(2026, 3, 10)) == 1


@pytest.mark.django_db
def test_a_retry_or_a_rerun_never_sends_twice(user, smtp):
    Subscription.objects.create(user=user, name="all")
    make_alert("urgent", kind="denunciation", urgent=True)
    assert plan(now=NOW, today=NOW.date()) == 1
    Alert.objects.update(planned_at=None)  # as if a crashed run had to plan again
    plan(now=NOW, today=NOW.date())
    assert Delivery.objects.count() == 1  # unique (alert, subscription, channel)
    Delivery.objects.update(state=Delivery.State.SENDING)  # claimed by a run that died mid-send
    assert send_emails(now=NOW).emails == 0 and not smtp.messages
    Delivery.objects.update(state=Delivery.State.PENDING)
    assert send_emails(now=NOW).emails == 1 and send_emails(now=NOW).emails == 0
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_webhooks_are_signed_retried_with_backoff_and_delivered_once(user, http_server, receiver):
    hook = http_server(receiver)
    sub = Subscription.objects.create(user=user, name="hook", webhook_url=hook.url + "/in")
    receiver.secret, receiver.fail_next = sub.webhook_secret, 1
    make_alert("urgent", kind="denunciation", urgent=True)
    plan(now=NOW, today=NOW.date())

    first = send_webhooks(now=NOW)
    assert (first.webhooks, first.webhook_failures) == (0, 1)
    row = Delivery.objects.get(channel="webhook")
    assert row.state == "pending" and row.attempts == 1 and row.next_attempt_at == NOW + timedelta(minutes=1)
    assert send_webhooks(now=NOW + timedelta(seconds=30)).webhooks == 0  # still backing off
    assert send_webhooks(now=NOW + timedelta(minutes=1)).webhooks == 1
    assert send_webhooks(now=NOW + timedelta(minutes=5)).webhooks == 0
    assert len(receiver.accepted) == 1 and receiver.accepted[0]["alert"]["kind"] == "denunciation"
    assert len(hook.requests) == 2 and hook.requests[1][3]["X-TreatyWatch-Delivery"] == str(row.pk)

    wrong = Subscription.objects.create(
        user=user, name="wrong secret", webhook_url=hook.url + "/in", email="x@example.org"
    )
    make_alert("other", kind="denunciation", urgent=True, state="PER")
    plan(now=NOW, today=NOW.date())
    send_webhooks(now=NOW)
    assert (
        receiver.rejected == 1
        and Delivery.objects.get(subscription=wrong, channel="webhook").state == "pending"
    )


@pytest.mark.django_db
def test_a_dead_webhook_is_disabled_and_its_owner_told(user, http_server, smtp):
    dead = http_server(lambda path, body, headers: (500, b"no"))
    sub = Subscription.objects.create(user=user, name="dead", webhook_url=dead.url + "/in")
    make_alert("a", kind="denunciation", urgent=True)
    plan(now=NOW, today=NOW.date())
    Delivery.objects.filter(channel="email").delete()
    moment = NOW
    for _ in range(delivery.MAX_ATTEMPTS):
        moment += timedelta(hours=1)
        send_webhooks(now=moment)
    sub.refresh_from_db()
    assert not sub.webhook_enabled and sub.webhook_failures == delivery.MAX_ATTEMPTS
    assert Delivery.objects.get(channel="webhook").state == "abandoned"
    assert len(dead.requests) == delivery.MAX_ATTEMPTS
    (subject,) = smtp.subjects("lu@example.org")
    assert subject == "TreatyWatch: webhook disabled for “dead”"
    send_webhooks(now=moment + timedelta(days=1))
    assert len(dead.requests) == delivery.MAX_ATTEMPTS
