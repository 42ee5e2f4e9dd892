"""The signing flow in a real browser (Debian's Chromium through Playwright), mail through real SMTP."""

from __future__ import annotations

import pytest

from treatywatch.campaigns.models import Signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page, organisation: str, address: str) -> None:
    page.fill("#id_organization", organisation)
    page.select_option("#id_organization_type", "refugee_led")
    page.select_option("#id_country", "KEN")
    page.fill("#id_given_name", "Wanjiru")
    page.fill("#id_family_name", "Müller-Nguyễn")
    page.fill("#id_email", address)
    page.check("#id_on_behalf")
    page.check("#id_consent_public")


def test_sign_in_the_browser_confirm_by_mail_and_see_the_name_listed(
    kit, browser, live_server, smtp, settings
) -> None:
    settings.SITE_URL = live_server.url
    letter = kit.make_letter("browser-letter")  # default proof-of-work difficulty, solved by pow.js
    page = browser.new_page()
    page.goto(f"{live_server.url}/letters/{letter.slug}/")
    assert page.locator("h1").inner_text() == "Protect refugees"
    _fill(page, "Réseau des Réfugiés d'Afrique de l'Est", "wanjiru@example.org")
    page.click("button:has-text('Sign')")
    page.wait_for_url("**/thanks/", timeout=30_000)
    signature = Signature.objects.get()
    assert signature.anti_spam == "pow" and signature.status == Signature.Status.PENDING

    smtp.wait_for(1)
    page.goto(smtp.confirmation_link("wanjiru@example.org"))
    page.click("button:has-text('Confirm my signature')")
    page.wait_for_url("**/letters/browser-letter/**")
    listed = page.locator("#signatories .signatory-list").inner_text()
    assert "Réseau des Réfugiés d'Afrique de l'Est" in listed and "Kenya" in listed
    assert "wanjiru@example.org" not in page.content()
    page.close()


def test_the_form_works_without_javascript(kit, browser, live_server, smtp, settings) -> None:
    settings.SITE_URL = live_server.url
    settings.CAMPAIGNS_MIN_FORM_SECONDS = 1
    letter = kit.make_letter("no-js-letter")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/letters/{letter.slug}/")
    _fill(page, "Rohingya Youth Union", "ryu@example.org")
    page.wait_for_timeout(1100)  # a person takes longer than this to fill the form
    page.click("button:has-text('Sign')")
    page.wait_for_url("**/thanks/")
    assert Signature.objects.get().anti_spam == "timetrap"
    assert smtp.wait_for(1)[0]["Subject"].startswith("Confirm your signature")
    context.close()
