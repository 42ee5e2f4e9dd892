"""Whole public pages are kept per data version, per language, and only for anonymous readers."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from treatywatch.engine.events import EventKind
from treatywatch.store.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bundled_data")]

PAGES = ["/", "/matrix?at=2019-01-01", "/treaties/rome-statute?at=2019-01-01", "/states/PHL", "/treaties/"]


@pytest.mark.parametrize("url", PAGES)
def test_the_next_anonymous_reader_gets_the_kept_page_without_a_query(client, url, django_assert_num_queries):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_public_pages_carry_no_personal_token_or_cookie(client):
    response = client.get("/matrix?at=2019-01-01")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


def test_the_language_switcher_works_without_a_token():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "fr", "next": "/matrix"})
    assert response.status_code == 302 and response["Location"] == "/matrix"
    assert response.cookies["django_language"].value == "fr"
    assert '<html lang="fr">' in strict.get("/matrix").content.decode()


def test_each_language_is_kept_apart(client):
    english = client.get("/matrix?at=2019-01-01", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get("/matrix?at=2019-01-01", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in english and '<html lang="fr">' in french
    assert (
        '<html lang="en">' in client.get("/matrix?at=2019-01-01", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_a_new_record_shows_on_the_next_read_after_the_version_check(client):
    url = "/states/USA?at=2026-01-01"

    def rome_status(response) -> str:
        return next(r["status"] for r in response.context["rows"] if r["treaty"] == "rome-statute")

    assert rome_status(client.get(url)) != "party"
    Event.objects.create(
        event_id="test-usa-rome-accession",
        treaty_id="rome-statute",
        participant_id="USA",
        kind=EventKind.ACCESSION,
        role=Event.Role.STATUS,
        date=date(2025, 6, 1),
        source="editor",
        url="https://treaties.un.org/",
        original="accession 1 Jun 2025 (test record)",
    )
    time.sleep(1.05)  # the hot path re-reads the data version at most once a second
    after = client.get(url)
    assert after.context is not None, "a new data version must not be answered from a kept page"
    assert rome_status(after) == "party"


def test_readers_with_a_session_always_get_a_fresh_page_and_it_is_not_kept(client, django_assert_num_queries):
    editor = User.objects.create_superuser("editor", "editor@example.org", "pw-not-used-123")
    signed_in = Client()
    signed_in.force_login(editor)
    url = "/treaties/rome-statute?at=2019-01-01"
    assert signed_in.get(url).status_code == 200
    second = signed_in.get(url)
    assert second.status_code == 200
    assert second.context is not None  # rendered again, not taken from the kept pages
    fresh = client.get(url)
    assert fresh.context is not None  # the signed-in reader's page was not kept for others


@pytest.mark.parametrize("url", PAGES)
def test_compressed_and_plain_pages_are_kept_apart(client, url):
    import gzip

    for _ in range(2):  # the second round comes from the kept pages
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        plain = client.get(url)
        assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
        assert not plain.has_header("Content-Encoding")
        assert gzip.decompress(packed.content) == plain.content
