"""How an alert reads: one title and summary per language, and one JSON shape for every channel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from treatywatch.monitor.models import Alert
from treatywatch.store.models import Participant, Treaty


class Names:
    """State and treaty names for a batch of alerts, read once."""

    def __init__(self, alerts: Iterable[Alert] = ()) -> None:
        alerts = list(alerts)
        states = {a.state for a in alerts if a.state}
        treaties = {a.treaty for a in alerts if a.treaty}
        self.states = {p.code: p for p in Participant.objects.filter(code__in=states)} if states else {}
        self.treaties = {t.slug: t for t in Treaty.objects.filter(slug__in=treaties)} if treaties else {}

    def state(self, code: str, lang: str) -> str:
        participant = self.states.get(code) or Participant.objects.filter(code=code).first()
        return participant.localized_name(lang) if participant else code

    def treaty(self, slug: str, lang: str) -> str:
        treaty = self.treaties.get(slug) or Treaty.objects.filter(slug=slug).first()
        if treaty is None:
            return slug
        return (treaty.names or {}).get(lang) or treaty.short_title


def title(alert: Alert, lang: str = "en", names: Names | None = None) -> str:
    names = names or Names([alert])
    with translation.override(lang):
        kind = str(Alert.Kind(alert.kind).label)
        if alert.audience == Alert.Audience.OPERATORS:
            return _("[operators] %(kind)s: %(document)s") % {
                "kind": kind,
                "document": alert.document_url or alert.treaty,
            }
        parts = {
            "kind": kind,
            "state": names.state(alert.state, lang),
            "treaty": names.treaty(alert.treaty, lang),
        }
        text = _("%(state)s – %(kind)s: %(treaty)s") % parts
        return (_("URGENT: ") + text) if alert.urgent else text


def summary(alert: Alert, lang: str = "en") -> str:
    with translation.override(lang):
        lines = []
        if alert.legal_date:
            lines.append(_("Date of the action: %(date)s") % {"date": alert.legal_date.isoformat()})
        if alert.effective_date:
            lines.append(_("Takes effect: %(date)s") % {"date": alert.effective_date.isoformat()})
        if alert.due_on:
            lines.append(_("Scheduled for: %(date)s") % {"date": alert.due_on.isoformat()})
        lines.append(
            _("First shown by the source: %(time)s")
            % {"time": alert.first_seen.strftime("%Y-%m-%d %H:%M UTC")}
        )
        if alert.detail:
            lines.append(_("Source text: %(text)s") % {"text": alert.detail[:1500]})
        if alert.document_url:
            lines.append(
                _("Source document: %(url)s") % {"url": alert.document_url}
                + (f" (sha256 {alert.document_sha256})" if alert.document_sha256 else "")
            )
        return "\n".join(lines)


def link(alert: Alert) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/alerts/{alert.pk}"


def alert_json(alert: Alert) -> dict[str, Any]:
    """The stable JSON shape of an alert (API, webhooks, `treatywatch alerts list --json`)."""

    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": alert.pk,
        "key": alert.key,
        "kind": alert.kind,
        "urgent": alert.urgent,
        "audience": alert.audience,
        "state": alert.state or None,
        "treaty": alert.treaty or None,
        "event_id": alert.event_id or None,
        "event_kind": alert.event_kind or None,
        "legal_date": iso(alert.legal_date),
        "effective_date": iso(alert.effective_date),
        "due_on": iso(alert.due_on),
        "first_seen": iso(alert.first_seen),
        "created_at": iso(alert.created_at),
        "cancelled_at": iso(alert.cancelled_at),
        "detail": alert.detail,
        "document": {
            "source": alert.source or None,
            "url": alert.document_url or None,
            "sha256": alert.document_sha256 or None,
        },
        "link": link(alert),
    }
