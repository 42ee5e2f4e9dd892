"""Subscription pages (login required), the alert pages, feeds' privacy, and the alerts API router."""

from __future__ import annotations

import types
from datetime import UTC, datetime

import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.urls import clear_url_caches, include, path
from ninja import NinjaAPI

from treatywatch.monitor.api import router
from treatywatch.monitor.models import Alert, Organisation, Subscription

NOW = datetime(2026, 2, 3, 15, 0, tzinfo=UTC)


def alert(key: str, **fields) -> Alert:
    values = dict(
        kind="denunciation",
        urgent=True,
        audience="users",
        state="POL",
        treaty="ottawa",
        first_seen=NOW,
        created_at=NOW,
        document_url="https://treaties.un.org/x",
        document_sha256="cd" * 32,
    )
    return Alert.objects.create(key=key, **{**values, **fields})


@pytest.fixture
def users(db):
    model = get_user_model()
    return model.objects.create_user("ana", "ana@example.org", "pw"), model.objects.create_user(
        "bo", "bo@example.org", "pw"
    )


@pytest.fixture
def api_prefix(settings) -> str:
    """The router mounted under /api/v1/alerts/ of a test API (a router can be mounted on several APIs)."""
    api = NinjaAPI(urls_namespace="monitor-test-api")
    api.add_router("/alerts/", router)
    urlconf = types.ModuleType("monitor_test_urls")
    urlconf.urlpatterns = [path("api/v1/", api.urls), path("alerts/", include("treatywatch.monitor.urls"))]
    settings.ROOT_URLCONF = urlconf
    clear_url_caches()
    yield "/api/v1/alerts"
    clear_url_caches()


@pytest.mark.django_db
def test_subscription_pages_need_a_login_and_show_only_your_own(client, users):
    ana, bo = users
    assert client.get("/alerts/subscriptions").status_code == 302
    client.force_login(ana)
    assert client.get("/alerts/subscriptions").status_code == 200

    response = client.post(
        "/alerts/subscriptions",
        {
            "name": "Baltic watch",
            "owner": "user",
            "states": "Estonia, LVA, Lithuania",
            "treaties": ["ottawa"],
            "kinds": ["denunciation"],
            "language": "fr",
            "email": "",
            "webhook_url": "",
            "webhook_enabled": "on",
            "active": "on",
        },
    )
    created = Subscription.objects.get(name="Baltic watch")
    assert response.status_code == 302 and response["Location"] == f"/alerts/subscriptions/{created.pk}/"
    assert (created.user, created.states, created.treaties, created.language) == (
        ana,
        ["EST", "LTU", "LVA"],
        ["ottawa"],
        "fr",
    )

    bad = client.post(
        "/alerts/subscriptions", {"name": "x", "owner": "user", "states": "Atlantis", "language": "en"}
    )
    assert bad.status_code == 200 and "unknown state" in bad.content.decode()

    page = client.get(f"/alerts/subscriptions/{created.pk}/").content.decode()
    assert f"/alerts/feeds/subscriptions/{created.feed_token}.atom" in page

    client.force_login(bo)
    assert client.get(f"/alerts/subscriptions/{created.pk}/").status_code == 404
    assert client.post(f"/alerts/subscriptions/{created.pk}/delete").status_code == 404
    coalition = Organisation.objects.create(name="Coalition", slug="coalition")
    coalition.members.add(bo)
    client.post(
        "/alerts/subscriptions", {"name": "Org", "owner": "org:coalition", "states": "", "language": "es"}
    )
    assert Subscription.objects.get(name="Org").organisation == coalition

    client.force_login(ana)
    assert client.post(f"/alerts/subscriptions/{created.pk}/delete").status_code == 302
    assert not Subscription.objects.filter(pk=created.pk).exists()


@pytest.mark.django_db
def test_operator_alerts_and_unknown_feeds_stay_private(client, users):
    public = alert("public")
    secret = alert("ops", kind="quarantine", audience="operators", state="", detail="truncated page")
    assert client.get(f"/alerts/{public.pk}").status_code == 200
    assert client.get(f"/alerts/{secret.pk}").status_code == 404
    feed = feedparser.parse(client.get("/alerts/feeds/treaties/ottawa.atom").content)
    assert [e.id for e in feed.entries] == [f"tag:treatywatch,2026:alert:{public.pk}"]
    assert client.get("/alerts/feeds/treaties/no-such-treaty.atom").status_code == 404
    assert client.get("/alerts/feeds/subscriptions/not-a-token.atom").status_code == 404
    ops = Subscription.objects.create(user=users[0], name="ops", operator_alerts=True)
    private = feedparser.parse(client.get(f"/alerts/feeds/subscriptions/{ops.feed_token}.atom").content)
    assert {e.id for e in private.entries} == {f"tag:treatywatch,2026:alert:{a.pk}" for a in (public, secret)}
    assert "URGENT: Poland" in client.get("/alerts/").content.decode()


@pytest.mark.django_db
def test_the_api_lists_alerts_and_manages_subscriptions(client, users, api_prefix):
    alert("a", first_seen=NOW)
    alert("b", state="EST", first_seen=datetime(2026, 6, 1, tzinfo=UTC))
    listed = client.get(f"{api_prefix}/", {"known_at": "2026-03-01"}).json()
    assert listed["total"] == 1 and listed["items"][0]["state"] == "POL"
    assert (
        client.get(f"{api_prefix}/", {"known_at": "soon"}).status_code == 422
    )  # invalid parameter: the API's one error shape

    assert client.get(f"{api_prefix}/subscriptions").status_code == 401
    client.force_login(users[0])
    created = client.post(
        f"{api_prefix}/subscriptions",
        {"name": "API", "states": ["Poland"], "kinds": ["denunciation"]},
        content_type="application/json",
    )
    assert created.status_code == 200 and created.json()["states"] == ["POL"]
    rejected = client.post(
        f"{api_prefix}/subscriptions",
        {"name": "bad", "treaties": ["no-such-treaty"]},
        content_type="application/json",
    )
    assert rejected.status_code == 422 and "unknown treaty" in rejected.content.decode()
    assert [s["name"] for s in client.get(f"{api_prefix}/subscriptions").json()] == ["API"]
    client.force_login(users[1])
    assert client.delete(f"{api_prefix}/subscriptions/{created.json()['id']}").status_code == 404


@pytest.mark.django_db
def test_the_api_answers_known_at(client, pages, api_prefix):
    from treatywatch.sources.sync import run_sync

    only = {"source_ids": ["untc_html"], "documents": ["*/ottawa.html"]}
    run_sync(from_dir=pages.folder("before", pages.before_2025), now=datetime(2025, 6, 1, tzinfo=UTC), **only)
    run_sync(from_dir=pages.folder("real", pages.real), now=NOW, **only)
    early = client.get(
        f"{api_prefix}/known", {"state": "EST", "treaty": "ottawa", "known_at": "2026-01-01"}
    ).json()
    late = client.get(
        f"{api_prefix}/known",
        {"state": "EST", "treaty": "ottawa", "known_at": "2026-02-04", "at": "2026-01-01"},
    ).json()
    assert early["status"] == "party" and late["status"] == "withdrawn"
    assert [f["kind"] for f in late["facts"]] == ["accession", "denunciation"]
