"""Delivering alerts: matching subscriptions, then e-mail and signed webhooks, each exactly once.

Idempotence comes from the database: a `Delivery` row is unique per (alert, subscription, channel),
and a run claims a row (pending -> sending) before sending it, so neither a retry, a re-run nor two
overlapping runs send the same alert twice. Urgent alerts are e-mailed at once; the others wait for
the subscription's daily digest. Atom feeds are read on demand (feeds.py) and need no delivery row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import httpx
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from treatywatch.monitor.models import Alert, Delivery, Subscription
from treatywatch.monitor.render import Names, alert_json, link, summary, title
from treatywatch.sources.fetch import user_agent
from treatywatch.store.models import Treaty

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-TreatyWatch-Signature"
DELIVERY_HEADER = "X-TreatyWatch-Delivery"
MAX_ATTEMPTS = 5  # a webhook failing this many times in a row is disabled and its owner told
DIGEST_EVERY = timedelta(days=1)


@dataclass
class DeliveryReport:
    planned: int = 0
    emails: int = 0  # messages sent (one digest counts once)
    email_alerts: int = 0  # alerts delivered by e-mail
    webhooks: int = 0
    webhook_failures: int = 0
    disabled: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def released(today: date):
    return Alert.objects.filter(cancelled_at__isnull=True).filter(
        Q(due_on__isnull=True) | Q(due_on__lte=today)
    )


def matches(subscription: Subscription, alert: Alert, categories: dict[str, str]) -> bool:
    """Empty filters match everything; operator alerts only reach subscriptions that ask for them."""
    if alert.audience == Alert.Audience.OPERATORS:
        return subscription.operator_alerts
    return (
        (not subscription.states or alert.state in subscription.states)
        and (not subscription.treaties or alert.treaty in subscription.treaties)
        and (not subscription.categories or categories.get(alert.treaty) in subscription.categories)
        and (not subscription.kinds or alert.kind in subscription.kinds)
    )


def plan(*, now: datetime, today: date) -> int:
    """Create the delivery rows for every released alert not planned yet; returns how many."""
    with transaction.atomic():
        alerts = list(released(today).filter(planned_at__isnull=True).select_for_update(skip_locked=True))
        if not alerts:
            return 0
        subscriptions = list(Subscription.objects.filter(active=True).select_related("user", "organisation"))
        categories = dict(Treaty.objects.values_list("slug", "category"))
        rows = []
        for alert in alerts:
            for sub in subscriptions:
                if not matches(sub, alert, categories):
                    continue
                if sub.owner_email():
                    rows.append(
                        Delivery(
                            alert=alert, subscription=sub, channel=Delivery.Channel.EMAIL, created_at=now
                        )
                    )
                if sub.webhook_url and sub.webhook_enabled:
                    rows.append(
                        Delivery(
                            alert=alert, subscription=sub, channel=Delivery.Channel.WEBHOOK, created_at=now
                        )
                    )
        Delivery.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(planned_at=now)
    return len(rows)


def _claim(ids: list[int]) -> list[Delivery]:
    """Pending -> sending, atomically: only the rows this run won are returned."""
    with transaction.atomic():
        won = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, state=Delivery.State.PENDING)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=won).update(state=Delivery.State.SENDING)
    return list(
        Delivery.objects.filter(pk__in=won).select_related(
            "alert", "subscription__user", "subscription__organisation"
        )
    )


def _message(subscription: Subscription, subject: str, body: str, connection) -> EmailMessage:
    return EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.owner_email()],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated"},
    )


def _mark(deliveries: list[Delivery], *, now: datetime, error: str | None) -> None:
    ids = [d.pk for d in deliveries]
    if error is None:
        Delivery.objects.filter(pk__in=ids).update(state=Delivery.State.SENT, sent_at=now, last_error="")
        return
    for d in deliveries:
        d.attempts += 1
        d.last_error = error[:2000]
        d.state = Delivery.State.ABANDONED if d.attempts >= MAX_ATTEMPTS else Delivery.State.PENDING
        d.next_attempt_at = now + timedelta(minutes=5 * 2 ** (d.attempts - 1))
        d.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])


def send_emails(
    *, now: datetime, force_digest: bool = False, report: DeliveryReport | None = None
) -> DeliveryReport:
    """Urgent alerts one by one, the rest as one digest per subscription per day."""
    report = report or DeliveryReport()
    due = Delivery.objects.filter(channel=Delivery.Channel.EMAIL, state=Delivery.State.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    urgent_ids = list(due.filter(alert__urgent=True).values_list("pk", flat=True))
    digest_cutoff = now - DIGEST_EVERY
    digest_ids = list(
        due.filter(alert__urgent=False)
        .filter(
            Q(subscription__last_digest_at__isnull=True) | Q(subscription__last_digest_at__lte=digest_cutoff)
            if not force_digest
            else Q()
        )
        .values_list("pk", flat=True)
    )
    if not urgent_ids and not digest_ids:
        return report
    connection = get_connection(fail_silently=False)
    with connection:
        urgent = _claim(urgent_ids)
        names = Names(d.alert for d in urgent)
        for delivery in urgent:
            sub, alert = delivery.subscription, delivery.alert
            body = _render(
                "monitor/email/alert.txt",
                sub.language,
                alert=alert,
                subscription=sub,
                title=title(alert, sub.language, names),
                summary=summary(alert, sub.language),
                link=link(alert),
            )
            try:
                _message(sub, title(alert, sub.language, names), body, connection).send()
            except Exception as error:  # SMTP refused or down: retried next run
                _mark([delivery], now=now, error=f"{type(error).__name__}: {error}")
                continue
            _mark([delivery], now=now, error=None)
            report.emails += 1
            report.email_alerts += 1
        by_subscription: dict[int, list[Delivery]] = defaultdict(list)
        for delivery in _claim(digest_ids):
            by_subscription[delivery.subscription_id].append(delivery)
        for batch in by_subscription.values():
            sub = batch[0].subscription
            batch.sort(key=lambda d: (d.alert.created_at, d.alert.pk))
            names = Names(d.alert for d in batch)
            items = [
                {
                    "title": title(d.alert, sub.language, names),
                    "summary": summary(d.alert, sub.language),
                    "link": link(d.alert),
                }
                for d in batch
            ]
            with translation.override(sub.language):
                subject = translation.gettext("TreatyWatch digest: %(count)d alerts for “%(name)s”") % {
                    "count": len(batch),
                    "name": sub.name,
                }
            body = _render("monitor/email/digest.txt", sub.language, items=items, subscription=sub)
            try:
                _message(sub, subject, body, connection).send()
            except Exception as error:
                _mark(batch, now=now, error=f"{type(error).__name__}: {error}")
                continue
            _mark(batch, now=now, error=None)
            Subscription.objects.filter(pk=sub.pk).update(last_digest_at=now)
            report.emails += 1
            report.email_alerts += len(batch)
    return report


def _render(template: str, lang: str, **context: object) -> str:
    with translation.override(lang):
        return render_to_string(template, {**context, "LANGUAGE_CODE": lang})


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 of the exact body bytes with the subscription's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(delivery: Delivery) -> bytes:
    payload = {
        "delivery": delivery.pk,
        "subscription": delivery.subscription.name,
        "alert": alert_json(delivery.alert),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()


def send_webhooks(
    *,
    now: datetime,
    timeout: float = 10.0,
    backoff: timedelta = timedelta(minutes=1),
    report: DeliveryReport | None = None,
) -> DeliveryReport:
    """POST each pending webhook delivery; failures are retried on later runs with exponential backoff."""
    report = report or DeliveryReport()
    ids = list(
        Delivery.objects.filter(
            channel=Delivery.Channel.WEBHOOK, state=Delivery.State.PENDING, subscription__webhook_enabled=True
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("alert__created_at", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return report
    with httpx.Client(timeout=timeout, headers={"User-Agent": user_agent()}) as client:
        for delivery in _claim(ids):
            sub = Subscription.objects.get(pk=delivery.subscription_id)
            if not sub.webhook_enabled:  # disabled earlier in this run
                Delivery.objects.filter(pk=delivery.pk).update(
                    state=Delivery.State.ABANDONED, last_error="webhook disabled"
                )
                continue
            body = webhook_body(delivery)
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(sub.webhook_secret, body),
                DELIVERY_HEADER: str(delivery.pk),
            }
            try:
                response = client.post(sub.webhook_url, content=body, headers=headers)
                error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"
            if error is None:
                Delivery.objects.filter(pk=delivery.pk).update(
                    state=Delivery.State.SENT, sent_at=now, last_error="", attempts=delivery.attempts + 1
                )
                Subscription.objects.filter(pk=sub.pk).update(webhook_failures=0)
                report.webhooks += 1
                continue
            report.webhook_failures += 1
            delivery.attempts += 1
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.PENDING,
                attempts=delivery.attempts,
                last_error=error,
                next_attempt_at=now + backoff * 2 ** (delivery.attempts - 1),
            )
            sub.webhook_failures += 1
            Subscription.objects.filter(pk=sub.pk).update(webhook_failures=sub.webhook_failures)
            if sub.webhook_failures >= MAX_ATTEMPTS:
                disable_webhook(sub, error, now=now)
                report.disabled.append(sub.name)
    return report


def disable_webhook(subscription: Subscription, error: str, *, now: datetime) -> None:
    """Stop calling a dead endpoint, abandon what was queued for it, and tell the owner."""
    Subscription.objects.filter(pk=subscription.pk).update(webhook_enabled=False)
    Delivery.objects.filter(
        subscription=subscription, channel=Delivery.Channel.WEBHOOK, state=Delivery.State.PENDING
    ).update(state=Delivery.State.ABANDONED, last_error="webhook disabled")
    address = subscription.owner_email()
    if not address:
        return
    lang = subscription.language
    body = _render(
        "monitor/email/webhook_disabled.txt",
        lang,
        subscription=subscription,
        error=error,
        failures=subscription.webhook_failures,
    )
    with translation.override(lang):
        subject = translation.gettext("TreatyWatch: webhook disabled for “%(name)s”") % {
            "name": subscription.name
        }
    try:
        EmailMessage(subject=subject, body=body, to=[address]).send()
    except Exception:  # the notice is best effort; the disabled flag is what protects the endpoint
        log.exception("could not send the webhook-disabled notice for subscription %s", subscription.pk)


def deliver(
    *, now: datetime | None = None, today: date | None = None, force_digest: bool = False
) -> DeliveryReport:
    """Plan, then send by e-mail and webhook: what `treatywatch watch` does after each sync."""
    now = now or timezone.now()
    report = DeliveryReport(planned=plan(now=now, today=today or now.date()))
    send_emails(now=now, force_digest=force_digest, report=report)
    send_webhooks(now=now, report=report)
    return report
