"""Atom feeds: public per treaty and per state, private per subscription (behind a secret token).

Feeds show released user alerts only: scheduled alerts appear on their date, cancelled ones never,
operator alerts only in a private feed whose subscription asks for them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed

from treatywatch.monitor.delivery import matches, released
from treatywatch.monitor.models import Alert, Subscription
from treatywatch.monitor.render import Names, link, summary, title
from treatywatch.store.models import Participant, Treaty

FEED_SIZE = 100


class _AlertFeed(Feed):
    feed_type = Atom1Feed

    def _lang(self) -> str:
        return translation.get_language() or "en"

    def item_title(self, item: Alert) -> str:
        return title(item, self._lang(), self._names)

    def item_description(self, item: Alert) -> str:
        return summary(item, self._lang()).replace("\n", "<br>")

    def item_link(self, item: Alert) -> str:
        return link(item)

    def item_guid(self, item: Alert) -> str:
        return f"tag:treatywatch,2026:alert:{item.pk}"

    def item_guid_is_permalink(self, item: Alert) -> bool:
        return False

    def item_pubdate(self, item: Alert):
        return item.created_at

    def item_updateddate(self, item: Alert):
        return item.created_at

    def item_categories(self, item: Alert) -> list[str]:
        return [item.kind] + (["urgent"] if item.urgent else [])

    def _items(self, alerts: QuerySet[Alert]) -> list[Alert]:
        items = list(alerts.order_by("-created_at", "-id")[:FEED_SIZE])
        self._names = Names(items)
        return items

    def _public(self) -> QuerySet[Alert]:
        return released(timezone.now().date()).filter(audience=Alert.Audience.USERS)


class TreatyFeed(_AlertFeed):
    def get_object(self, request, slug: str) -> Treaty:
        treaty = Treaty.objects.filter(slug=slug).first()
        if treaty is None:
            raise Http404(f"unknown treaty {slug!r}")
        return treaty

    def title(self, obj: Treaty) -> str:
        return f"TreatyWatch alerts: {obj.short_title}"

    def link(self, obj: Treaty) -> str:
        return f"/alerts/?treaty={obj.slug}"

    def subtitle(self, obj: Treaty) -> str:
        return obj.title

    def items(self, obj: Treaty) -> list[Alert]:
        return self._items(self._public().filter(treaty=obj.slug))


class StateFeed(_AlertFeed):
    def get_object(self, request, code: str) -> Participant:
        participant = Participant.objects.filter(code=code.upper()).first()
        if participant is None:
            raise Http404(f"unknown state {code!r}")
        return participant

    def title(self, obj: Participant) -> str:
        return f"TreatyWatch alerts: {obj.localized_name(self._lang())}"

    def link(self, obj: Participant) -> str:
        return f"/alerts/?state={obj.code}"

    def items(self, obj: Participant) -> list[Alert]:
        return self._items(self._public().filter(state=obj.code))


class SubscriptionFeed(_AlertFeed):
    """A private feed: whoever holds the token sees what the subscription matches."""

    def get_object(self, request, token: str) -> Subscription:
        subscription = Subscription.objects.filter(feed_token=token, active=True).first()
        if subscription is None:
            raise Http404("unknown feed")
        return subscription

    def title(self, obj: Subscription) -> str:
        return f"TreatyWatch: {obj.name}"

    def link(self, obj: Subscription) -> str:
        return f"{settings.SITE_URL.rstrip('/')}/alerts/subscriptions/{obj.pk}/"

    def items(self, obj: Subscription) -> list[Alert]:
        categories = dict(Treaty.objects.values_list("slug", "category"))
        candidates = released(timezone.now().date())
        if not obj.operator_alerts:
            candidates = candidates.filter(audience=Alert.Audience.USERS)
        if obj.states and not obj.operator_alerts:
            candidates = candidates.filter(state__in=obj.states)
        if obj.treaties and not obj.operator_alerts:
            candidates = candidates.filter(treaty__in=obj.treaties)
        chosen = [
            a
            for a in candidates.order_by("-created_at", "-id")[: FEED_SIZE * 5]
            if matches(obj, a, categories)
        ]
        self._names = Names(chosen[:FEED_SIZE])
        return chosen[:FEED_SIZE]
