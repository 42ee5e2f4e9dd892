"""The public signing flow through Django's test client, with mail through a real SMTP server."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.core import signing
from django.test import Client

from treatywatch.campaigns import antispam, services
from treatywatch.campaigns.models import Letter, Signature

pytestmark = pytest.mark.django_db


def _sign(kit, client: Client, letter: Letter, **fields) -> object:
    challenge = kit.form_challenge(client.get(f"/letters/{letter.slug}/").content.decode())
    return client.post(f"/letters/{letter.slug}/sign/", kit.signing_post(challenge, **fields))


def test_sign_confirm_by_email_then_listed(
    kit, client: Client, letter: Letter, smtp, settings, fast_pow
) -> None:
    settings.SITE_URL = "http://testserver"
    response = _sign(kit, client, letter, email_address="Ana@Example.org")
    assert response.status_code == 302 and response.url.endswith("/thanks/")
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING and signature.anti_spam == "pow"
    assert signature.email == "ana@example.org"
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "Refugee Rights Network" not in page  # not listed before confirmation

    smtp.wait_for(1)
    link = smtp.confirmation_link("ana@example.org")
    path = link.removeprefix("http://testserver")
    assert "Refugee Rights Network" in client.get(path).content.decode()  # confirm page names it
    assert (
        Signature.objects.get().status == Signature.Status.PENDING
    )  # GET alone (link scanners) changes nothing
    response = client.post(path, follow=True)
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    page = response.content.decode()
    assert "Refugee Rights Network" in page and "(Australia)" in page
    assert "ana@example.org" not in page.lower()  # e-mail addresses are never shown
    assert "ana@example.org" not in client.get(f"/letters/{letter.slug}/signatories.csv").content.decode()
    assert "ana@example.org" not in client.get(f"/letters/{letter.slug}/signatories.json").content.decode()


def test_resubmitting_the_same_form_or_contact_stores_one_signature(
    kit, client, letter, smtp, fast_pow
) -> None:
    challenge = kit.form_challenge(client.get(f"/letters/{letter.slug}/").content.decode())
    data = kit.signing_post(challenge)
    assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 302
    assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 302  # a browser retry
    assert _sign(kit, client, letter).status_code == 302  # a new form, same contact and organisation
    assert Signature.objects.count() == 1
    assert len(smtp.wait_for(1)) == 1


def test_without_javascript_the_time_trap_applies(kit, client, letter, smtp, settings) -> None:
    settings.CAMPAIGNS_MIN_FORM_SECONDS = 1
    challenge = kit.form_challenge(client.get(f"/letters/{letter.slug}/").content.decode())
    too_fast = client.post(f"/letters/{letter.slug}/sign/", kit.signing_post(challenge, bits=None))
    assert too_fast.status_code == 400 and "too quickly" in too_fast.content.decode()
    assert not Signature.objects.exists()
    time.sleep(1.1)
    ok = client.post(f"/letters/{letter.slug}/sign/", kit.signing_post(challenge, bits=None))
    assert ok.status_code == 302 and Signature.objects.get().anti_spam == "timetrap"


def test_spam_checks_refuse_and_store_nothing(kit, client, letter, fast_pow, settings) -> None:
    challenge = kit.form_challenge(client.get(f"/letters/{letter.slug}/").content.decode())
    honeypot = client.post(
        f"/letters/{letter.slug}/sign/", kit.signing_post(challenge, homepage="http://spam.example")
    )
    assert honeypot.status_code == 400
    wrong = kit.signing_post(challenge)
    wrong["pow_nonce"] = next(
        str(n)
        for n in range(10**6)
        if antispam.leading_zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) < fast_pow
    )
    assert client.post(f"/letters/{letter.slug}/sign/", wrong).status_code == 400
    forged = signing.TimestampSigner(salt="treatywatch.campaigns.form", key="not-the-site-key").sign("x:y")
    assert client.post(f"/letters/{letter.slug}/sign/", kit.signing_post(forged)).status_code == 400
    other = kit.make_letter("other-letter")
    cross = kit.signing_post(kit.form_challenge(client.get(f"/letters/{other.slug}/").content.decode()))
    assert client.post(f"/letters/{letter.slug}/sign/", cross).status_code == 400  # a challenge is per letter
    assert not Signature.objects.exists()


def test_csrf_is_enforced(kit, letter, fast_pow) -> None:
    strict = Client(enforce_csrf_checks=True)
    challenge = kit.form_challenge(strict.get(f"/letters/{letter.slug}/").content.decode())
    assert strict.post(f"/letters/{letter.slug}/sign/", kit.signing_post(challenge)).status_code == 403
    assert not Signature.objects.exists()


def test_rate_limit_per_client_address(kit, client, letter, smtp, fast_pow, settings) -> None:
    settings.CAMPAIGNS_SIGN_RATE = (2, 60)
    codes = [
        _sign(kit, client, letter, email_address=f"n{i}@example.org", organization=f"Org {i}").status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert (
        _sign(kit, other_address, letter, email_address="z@example.org", organization="Zeta").status_code
        == 302
    )
    assert Signature.objects.count() == 3


def test_the_rate_limit_count_is_on_disk_for_every_server_process(
    kit, client, letter, smtp, fast_pow, settings
):
    """Another process on the host opens the same folder, so it sees (and adds to) the same count."""
    from django.core.cache.backends.filebased import FileBasedCache

    settings.CAMPAIGNS_SIGN_RATE = (5, 60)
    for i in range(2):
        _sign(kit, client, letter, email_address=f"p{i}@example.org", organization=f"Org {i}")
    another_process = FileBasedCache(str(settings.CACHES["shared"]["LOCATION"]), {})
    address = hashlib.sha256(b"127.0.0.1").hexdigest()[:24]
    assert another_process.get(f"campaigns:rate:sign:{address}") == 2


def test_markup_in_a_name_is_shown_as_text(kit, client, letter, smtp, fast_pow) -> None:
    _sign(kit, client, letter, organization='<script>alert("x")</script> <b>Bold</b> Org\x07')
    signature = Signature.objects.get()
    assert (
        signature.organization == '<script>alert("x")</script> <b>Bold</b> Org'
    )  # control character dropped
    services.confirm(signature)
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<b>Bold</b>" not in page


def test_confirmation_links_expire_and_cannot_be_forged(
    kit, client, letter, smtp, fast_pow, settings
) -> None:
    _sign(kit, client, letter)
    signature = Signature.objects.get()
    token = services.confirmation_token(signature)
    assert client.get(f"/letters/{letter.slug}/confirm/{token}x/").status_code == 400
    settings.CAMPAIGNS_CONFIRM_MAX_AGE = -1
    expired = client.post(f"/letters/{letter.slug}/confirm/{token}/")
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING


def test_unlisted_and_individual_signatures(kit, client, smtp, fast_pow, db) -> None:
    letter = kit.make_letter("with-people", allow_individuals=True)
    _sign(kit, client, letter, consent_public=None, organization="Quiet Org", email_address="q@example.org")
    _sign(
        kit, client, letter, kind="individual", organization="", on_behalf=None, email_address="p@example.org"
    )
    for signature in Signature.objects.all():
        services.confirm(signature)
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "Quiet Org" not in page  # confirmed, but did not consent to be listed
    assert "1 individual" in page and "Ana García" in page
    closed = kit.make_letter("orgs-only")
    response = _sign(
        kit, client, closed, kind="individual", organization="", on_behalf=None, email_address="r@x.org"
    )
    assert response.status_code == 400 and not closed.signatures.exists()


def test_organisations_must_confirm_authority(kit, client, letter, fast_pow) -> None:
    response = _sign(kit, client, letter, on_behalf=None)
    assert response.status_code == 400 and not Signature.objects.exists()
    assert "Please confirm you may sign for this organisation." in response.content.decode()


def test_drafts_are_not_public_and_closed_letters_take_no_signatures(kit, client, smtp, fast_pow, db) -> None:
    draft = kit.make_letter("draft-letter", state=Letter.State.DRAFT)
    assert client.get(f"/letters/{draft.slug}/").status_code == 404
    assert "draft-letter" not in client.get("/letters/").content.decode()
    letter = kit.make_letter("soon-closed")
    challenge = kit.form_challenge(client.get(f"/letters/{letter.slug}/").content.decode())
    services.change_state(letter, "close")
    client.post(f"/letters/{letter.slug}/sign/", kit.signing_post(challenge))
    assert not Signature.objects.exists()
    assert 'name="challenge"' not in client.get(f"/letters/{letter.slug}/").content.decode()


def test_page_follows_the_chosen_language(client, letter) -> None:
    page = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Protéger les réfugiés" in page and "Nous appelons" in page
