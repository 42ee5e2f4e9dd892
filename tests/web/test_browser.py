"""The site in headless Chromium: the map, the as-of date, the matrix filters, CSV downloads,
languages, accessibility (axe-core, WCAG 2.1 A/AA), phone screens and pages without JavaScript."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

MAIN_PAGES = [
    "/",
    "/treaties/",
    "/treaties/rome-statute",
    "/states/",
    "/states/DEU",
    "/matrix?region=Oceania",
    "/search?q=Germany",
]


def test_rome_statute_back_to_2019_shows_the_philippines_still_bound(page, live_data):
    page.goto(f"{live_data}/treaties/rome-statute")
    assert page.locator("#world-map path").count() > 150
    page.fill("#at", "2019-01-01")
    page.click("form.at-form button[type=submit]")
    page.wait_for_url(re.compile(r"at=2019-01-01"))
    row = page.locator("#participants tr[data-state=PHL]")
    assert "withdrawing" in row.inner_text()
    assert "2019-03-17" in row.inner_text()
    assert "2019-03-17" in page.locator("#pending-heading + ul").inner_text()
    philippines = page.locator("#world-map path", has=page.locator("title", has_text="Philippines"))
    assert philippines.get_attribute("class") == "st-withdrawing"
    page.fill("#at", "2019-03-17")
    page.click("form.at-form button[type=submit]")
    page.wait_for_url(re.compile(r"at=2019-03-17"))
    assert "withdrawn" in page.locator("#participants tr[data-state=PHL]").inner_text()


def test_matrix_filters_dates_downloads_csv_and_works_without_javascript(page, browser, live_data):
    page.goto(f"{live_data}/matrix")
    assert page.locator("table.matrix tbody tr").count() > 150
    page.select_option("#region", "Europe")  # htmx swaps the table in place and updates the address
    page.wait_for_url(re.compile(r"region=Europe"))
    page.wait_for_function("document.querySelectorAll('table.matrix tbody tr').length < 80")
    names = page.locator("table.matrix tbody th").all_inner_texts()
    assert "Germany" in names and "Philippines" not in names
    page.select_option("#category", "international_criminal")
    page.wait_for_url(re.compile(r"category=international_criminal"))
    page.fill("#at", "2019-01-01")
    page.locator("#at").dispatch_event("change")
    page.wait_for_url(re.compile(r"at=2019-01-01"))
    with page.expect_download() as download:
        page.click("#matrix-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert {r["state"] for r in rows} >= {"DEU", "FRA"} and "PHL" not in {r["state"] for r in rows}
    assert set(rows[0]) == {"state", "name", "rome-statute"}
    assert next(r for r in rows if r["state"] == "DEU")["rome-statute"] == "party"
    # the same filters as plain forms, and the server-drawn map, with JavaScript off
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_data}/matrix")
        page.select_option("#region", "Africa")
        page.click("#matrix-filters button[type=submit]")
        page.wait_for_url(re.compile(r"region=Africa"))
        assert "Nigeria" in page.locator("table.matrix tbody").inner_text()
        page.goto(f"{live_data}/treaties/iccpr")
        page.fill("#reservation-q", "death penalty")
        page.click("#reservations button[type=submit]")
        page.wait_for_url(re.compile(r"q=death\+penalty"))
        assert page.locator("#world-map path").count() > 150  # the map is drawn by the server
    finally:
        context.close()


def test_every_main_page_reads_in_french(page, live_data):
    page.goto(f"{live_data}/")
    page.select_option("#language", "fr")
    page.click("form.lang button")
    page.wait_for_load_state()
    for path in MAIN_PAGES:
        page.goto(f"{live_data}{path}")
        assert page.locator("html").get_attribute("lang") == "fr", path
        assert page.locator("nav").inner_text().count("Traités") == 1, path
        assert "Sources et date des données" in page.locator("footer").inner_text(), path
    page.goto(f"{live_data}/treaties/rome-statute?at=2019-01-01")
    assert "Carte" in page.locator("#map-heading").inner_text()
    assert "en cours de retrait" in page.locator("#participants tr[data-state=PHL]").inner_text()
    page.goto(f"{live_data}/treaties/refugee-1951")
    assert "Convention relative au statut des réfugiés" in page.locator(".subtitle").inner_text()
    page.goto(f"{live_data}/states/DEU")
    assert page.locator("h1").inner_text().startswith("Allemagne")


def test_main_pages_have_no_wcag_violations_and_fit_a_phone(browser, live_data, axe):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        for path in MAIN_PAGES:
            page.goto(f"{live_data}{path}")
            assert axe(page) == [], path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a phone screen"
    finally:
        context.close()


def test_protection_page_changes_year_downloads_csv_and_passes_axe_on_a_phone(browser, live_data, axe):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, accept_downloads=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_data}/protection/")
        assert page.locator("#trend ~ figure svg, section[aria-labelledby=trend] svg").count() >= 1
        page.select_option("#year", "2023")
        page.click("form.year-form button[type=submit]")
        page.wait_for_url(re.compile(r"year=2023"))
        assert page.locator("dd[data-measure=neighbouring_share]").inner_text().startswith("69.3")
        with page.expect_download() as download:
            page.click("a[download][href$='hosting.csv']")
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert {"2020", "2023", "2024"} <= {r["data_year"] for r in rows}
        assert axe(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the protection page is {overflow}px wider than a phone screen"
    finally:
        context.close()
