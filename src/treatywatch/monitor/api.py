"""Alerts in the JSON API (mounted at /api/v1/alerts/): alert list, record-time facts, subscriptions.

`known_at` answers "what did the sources show at that moment" (record time), beside `at` (valid time).
Subscriptions need a logged-in session; each user sees and edits only what they or their
organisations own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from treatywatch.api.schemas import AUTH_ERRORS, ERRORS, IsoDate, IsoMoment
from treatywatch.knowledge.participants import UnknownParticipantError
from treatywatch.knowledge.treaties import UnknownTreatyError
from treatywatch.monitor.delivery import released
from treatywatch.monitor.forms import check_filters, resolve_states
from treatywatch.monitor.models import Alert, Organisation, Subscription
from treatywatch.monitor.render import alert_json
from treatywatch.monitor.snapshots import as_moment, events_known_at
from treatywatch.store.convert import event_to_json
from treatywatch.store.service import TreatyData, answer_json, resolve_state, resolve_treaty

router = Router(tags=["alerts"])
MAX_LIMIT = 500


def _moment(value: datetime | date | None) -> datetime | None:
    """Typed parameters are validated by the API (422 with the one error shape) before we get here."""
    return as_moment(value) if value else None


@router.get("/", response={200: dict, **ERRORS}, summary="Alert events, newest first")
def list_alerts(
    request,
    since: IsoDate | None = None,
    known_at: IsoMoment | None = None,
    kind: str | None = None,
    state: str | None = None,
    treaty: str | None = None,
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Field(ge=0)] = 0,
):
    """Released user alerts; `known_at` limits them to what had been seen by that moment."""
    alerts = released(date.today()).filter(audience=Alert.Audience.USERS)
    if moment := _moment(since):
        alerts = alerts.filter(created_at__gte=moment.replace(hour=0, minute=0, second=0, microsecond=0))
    if moment := _moment(known_at):
        alerts = alerts.filter(first_seen__lte=moment)
    if kind:
        alerts = alerts.filter(kind=kind)
    if state:
        alerts = alerts.filter(state=state.upper())
    if treaty:
        alerts = alerts.filter(treaty=treaty)
    total = alerts.count()
    page = alerts.order_by("-created_at", "-id")[offset : offset + limit]
    return {"total": total, "limit": limit, "offset": offset, "items": [alert_json(a) for a in page]}


@router.get(
    "/known",
    response={200: dict, **ERRORS},
    summary="Status and events as the sources showed them at a moment (record time)",
)
def known(request, state: str, treaty: str, known_at: IsoMoment, at: IsoDate | None = None):
    """The engine's answer for `at` (valid time) folding only the facts shown at `known_at` (record time)."""
    from treatywatch.engine.status import ParticipationHistory

    try:
        code, info = resolve_state(state), resolve_treaty(treaty)
    except (UnknownParticipantError, UnknownTreatyError) as error:
        raise HttpError(404, str(error).strip("'\"")) from None
    moment = as_moment(known_at)
    on = at or moment.date()
    events = events_known_at(info.slug, code, moment)
    answer = ParticipationHistory(info.clauses, code, events).status_at(on)
    data = answer_json(answer, TreatyData.of(info.slug))
    data["known_at"] = moment.isoformat()
    data["facts"] = [event_to_json(e) for e in sorted(events, key=lambda e: (e.date or date.min, e.event_id))]
    return data


class SubscriptionIn(Schema):
    name: str
    organisation: str | None = None  # slug of an organisation you belong to; default: yourself
    states: list[str] = []
    treaties: list[str] = []
    categories: list[str] = []
    kinds: list[str] = []
    language: str = "en"
    email: str = ""
    webhook_url: str = ""
    active: bool = True


def _subscription_json(s: Subscription) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "organisation": s.organisation.slug if s.organisation_id else None,
        "states": s.states,
        "treaties": s.treaties,
        "categories": s.categories,
        "kinds": s.kinds,
        "language": s.language,
        "email": s.email,
        "webhook_url": s.webhook_url or None,
        "webhook_enabled": s.webhook_enabled,
        "webhook_secret": s.webhook_secret,
        "feed": f"/alerts/feeds/subscriptions/{s.feed_token}.atom",
        "active": s.active,
    }


def _mine(request):
    return Subscription.objects.filter(
        Q(user=request.user) | Q(organisation__members=request.user)
    ).distinct()


def _fill(subscription: Subscription, data: SubscriptionIn, user) -> Subscription:
    try:
        states = resolve_states(data.states)
        check_filters(treaties=data.treaties, categories=data.categories, kinds=data.kinds)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    if data.language not in ("en", "fr", "es"):
        raise HttpError(422, f"unknown language {data.language!r}: en, fr or es")
    organisation = None
    if data.organisation:
        organisation = Organisation.objects.filter(slug=data.organisation, members=user).first()
        if organisation is None:
            raise HttpError(403, f"you are not a member of organisation {data.organisation!r}")
    subscription.user, subscription.organisation = (None, organisation) if organisation else (user, None)
    subscription.name, subscription.states = data.name, states
    subscription.treaties, subscription.categories = sorted(data.treaties), sorted(data.categories)
    subscription.kinds, subscription.language = sorted(data.kinds), data.language
    subscription.email, subscription.webhook_url, subscription.active = (
        data.email,
        data.webhook_url,
        data.active,
    )
    try:
        subscription.full_clean(exclude=["webhook_secret", "feed_token"])
    except ValidationError as error:
        raise HttpError(
            422, "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        ) from None
    subscription.save()
    return subscription


@router.get(
    "/subscriptions",
    auth=django_auth,
    response={200: list[dict], **AUTH_ERRORS},
    summary="Your subscriptions",
)
def list_subscriptions(request):
    return [_subscription_json(s) for s in _mine(request).select_related("organisation")]


@router.post(
    "/subscriptions",
    auth=django_auth,
    response={200: dict, **ERRORS, **AUTH_ERRORS},
    summary="Create a subscription",
)
def create_subscription(request, data: SubscriptionIn):
    return _subscription_json(_fill(Subscription(), data, request.user))


@router.put(
    "/subscriptions/{pk}",
    auth=django_auth,
    response={200: dict, **ERRORS, **AUTH_ERRORS},
    summary="Replace a subscription",
)
def update_subscription(request, pk: int, data: SubscriptionIn):
    return _subscription_json(_fill(get_object_or_404(_mine(request), pk=pk), data, request.user))


@router.delete(
    "/subscriptions/{pk}",
    auth=django_auth,
    response={200: dict, **ERRORS, **AUTH_ERRORS},
    summary="Delete a subscription",
)
def delete_subscription(request, pk: int):
    get_object_or_404(_mine(request), pk=pk).delete()
    return {"deleted": pk}
