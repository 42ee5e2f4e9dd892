"""Coordinators: per-letter permissions, review, merge, import in the web interface, delivery, exports."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from treatywatch.campaigns import exports, services
from treatywatch.campaigns.dedupe import name_key
from treatywatch.campaigns.models import DuplicateCandidate, Letter, Signature

pytestmark = pytest.mark.django_db
SEED = (
    Path(__file__).parents[2]
    / "data"
    / "raw"
    / "seed-letter"
    / "open-letter-2025-upholding-international-law.txt"
)


def add(
    letter: Letter, name: str, *, email: str = "", status: str = Signature.Status.CONFIRMED, **extra
) -> Signature:
    signature = Signature.objects.create(
        letter=letter,
        organization=name,
        name_key=name_key(name),
        email=email,
        status=status,
        consent_public=True,
        on_behalf=True,
        **extra,
    )
    services.record_candidates(signature)
    return signature


@pytest.fixture
def coordinator(letter: Letter) -> Client:
    user = User.objects.create_user("coord", password="x", is_staff=True)
    letter.coordinators.add(user)
    client = Client()
    client.force_login(user)
    return client


def test_only_coordinators_of_the_letter_may_manage_it(kit, letter: Letter, coordinator: Client) -> None:
    other = kit.make_letter("other-letter")
    assert coordinator.get(f"/letters/{letter.slug}/manage/").status_code == 200
    assert coordinator.get(f"/letters/{other.slug}/manage/").status_code == 403
    assert Client().get(f"/letters/{letter.slug}/manage/").status_code == 302  # to the login page
    stranger = Client()
    stranger.force_login(User.objects.create_user("stranger"))
    assert stranger.get(f"/letters/{letter.slug}/manage/").status_code == 403
    assert stranger.get(f"/letters/{letter.slug}/manage/export.csv").status_code == 403
    team = Group.objects.create(name="Coalition secretariat")
    other.coordinator_group = team
    other.save()
    member = User.objects.create_user("member")
    member.groups.add(team)
    assert services.coordinates(member, other) and not services.coordinates(member, letter)
    everywhere = User.objects.create_user("lead")
    everywhere.user_permissions.add(Permission.objects.get(codename="coordinate_all_letters"))
    assert services.coordinates(User.objects.get(pk=everywhere.pk), other)


def test_admin_shows_a_coordinator_only_their_letters(kit, letter: Letter, coordinator: Client) -> None:
    user = User.objects.get(username="coord")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="campaigns").exclude(
            codename="coordinate_all_letters"
        )
    )
    other = kit.make_letter("other-letter")
    listing = coordinator.get("/admin/campaigns/letter/").content.decode()
    assert letter.slug in listing and other.slug not in listing
    assert coordinator.get(f"/admin/campaigns/letter/{other.pk}/change/").status_code in {302, 403, 404}
    assert coordinator.get(f"/admin/campaigns/letter/{letter.pk}/change/").status_code == 200


def test_acronym_duplicate_is_held_back_until_merged(letter: Letter, coordinator: Client) -> None:
    full = add(letter, "American Civil Liberties Union", email="a@aclu.example")
    short = add(letter, "ACLU", email="b@aclu.example", website="https://aclu.example")
    section = add(letter, "Amnesty International Australia")
    add(letter, "Amnesty International")
    candidate = DuplicateCandidate.objects.get(second=short)
    assert candidate.first == full and candidate.relation == "same"
    related = DuplicateCandidate.objects.get(first=section)
    assert related.relation == "related"
    names = list(services.listed(letter).values_list("organization", flat=True))
    assert (
        "ACLU" not in names
        and "Amnesty International Australia" in names
        and "Amnesty International" in names
    )
    page = coordinator.get(f"/letters/{letter.slug}/manage/").content.decode()
    assert "is the acronym of" in page and "a@aclu.example" in page  # coordinators see contacts

    coordinator.post(f"/letters/{letter.slug}/manage/duplicates/{candidate.pk}/", {"decision": "keep_first"})
    short.refresh_from_db()
    full.refresh_from_db()
    assert short.status == Signature.Status.MERGED and short.merged_into == full
    assert full.website == "https://aclu.example"  # blanks filled from the merged signature
    assert DuplicateCandidate.objects.get(pk=candidate.pk).decision == "merged"
    coordinator.post(f"/letters/{letter.slug}/manage/duplicates/{related.pk}/", {"decision": "distinct"})
    assert DuplicateCandidate.objects.get(pk=related.pk).decision == "distinct"
    assert services.listed(letter).count() == 3


def test_review_edit_reject_and_history(letter: Letter, coordinator: Client) -> None:
    signature = add(letter, "Refugee Legl", email="x@example.org")
    url = f"/letters/{letter.slug}/manage/signatures/{signature.pk}/"
    data = {
        "kind": "organisation",
        "organization": "Refugee Legal",
        "organization_type": "legal",
        "given_name": "",
        "family_name": "",
        "email": "x@example.org",
        "country": "AUS",
        "website": "",
        "on_behalf": "on",
        "consent_public": "on",
        "action": "save",
    }
    assert coordinator.post(url, data).status_code == 302
    signature.refresh_from_db()
    assert signature.organization == "Refugee Legal" and signature.name_key == name_key("Refugee Legal")
    coordinator.post(url, {"action": "rejected"})
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.REJECTED
    assert not services.listed(letter).exists()
    assert signature.history.count() >= 3
    assert "Refugee Legal" in coordinator.get(url).content.decode()


def test_web_import_checks_then_stores_the_seed_list(letter: Letter, coordinator: Client) -> None:
    with SEED.open("rb") as fh:
        response = coordinator.post(f"/letters/{letter.slug}/manage/import/", {"file": fh, "dry_run": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "Advocate Sunil Kumar Manchanda" in page and "US Citizen" in page
    assert "the text states 267" in page and not letter.signatures.exists()
    with SEED.open("rb") as fh:
        coordinator.post(f"/letters/{letter.slug}/manage/import/", {"file": fh})
    assert services.listed(letter).count() == 268
    bad = coordinator.post(f"/letters/{letter.slug}/manage/import/", {"text": "\n\n"})
    assert bad.status_code == 400 and letter.signatures.count() == 271


def test_state_changes_and_delivery(kit, coordinator: Client, letter: Letter) -> None:
    draft = kit.make_letter("draft-one", state=Letter.State.DRAFT)
    draft.coordinators.add(User.objects.get(username="coord"))
    coordinator.post(f"/letters/{draft.slug}/manage/state/", {"action": "open"})
    draft.refresh_from_db()
    assert draft.state == "open" and draft.opened_at is not None
    add(draft, "Oxfam")
    coordinator.post(
        f"/letters/{draft.slug}/manage/delivery/",
        {
            "delivered_on": "2026-09-20",
            "recipient": "UN Member States' missions in Geneva",
            "method": "email",
            "note": "sent by the secretariat",
        },
    )
    draft.refresh_from_db()
    delivery = draft.deliveries.get()
    assert draft.state == "delivered" and delivery.signatory_count == 1
    page = Client().get(f"/letters/{draft.slug}/").content.decode()
    assert "missions in Geneva" in page and 'name="challenge"' not in page
    with pytest.raises(services.TransitionError):
        services.change_state(draft, "close")


def test_exports_public_and_private(letter: Letter, coordinator: Client) -> None:
    add(letter, '=HYPERLINK("http://evil")', email="e@example.org")
    add(letter, "Fundación Crea Tu Espacio", email="f@example.org", country="ESP")
    add(letter, "Hidden Org", email="h@example.org", status=Signature.Status.PENDING)
    public = Client().get(f"/letters/{letter.slug}/signatories.csv").content.decode()
    assert (
        "Fundación Crea Tu Espacio" in public and "Hidden Org" not in public and "@example.org" not in public
    )
    assert "'=HYPERLINK" in public  # a spreadsheet will not run it
    private = coordinator.get(f"/letters/{letter.slug}/manage/export.csv").content.decode()
    assert "h@example.org" in private and "pending" in private
    osdi = Client().get(f"/letters/{letter.slug}/signatories.json").json()["osdi:petition"]
    assert osdi["total_signatures"] == 2 and osdi["target"][0]["name"] == "UN Member States"
    assert all("email_addresses" not in s["person"] for s in osdi["_embedded"]["osdi:signatures"])


def test_print_pdf_has_the_numbered_list_in_dejavu(capsys, tmp_path: Path) -> None:
    from treatywatch.cli import main

    slug = "seed"
    assert main(["letters", "create", slug, "--from-text", str(SEED)]) == 0
    assert main(["letters", "import", str(SEED), "--letter", slug]) == 0
    response = Client()
    services.change_state(Letter.objects.get(slug=slug), "open")
    pdf = response.get(f"/letters/{slug}/letter.pdf").content
    assert pdf.startswith(b"%PDF")
    fonts = {
        f.split(b"+")[-1]
        for m in re.finditer(rb"stream\r?\n", pdf)
        for f in re.findall(rb"/FontName\s*/([^\s/>]+)", _inflate(pdf[m.end() :]))
    }
    assert b"DejaVu-Serif" in fonts  # embedded: accented names print on any machine
    document = _render(Letter.objects.get(slug=slug))
    assert len(document.pages) >= 4  # letter text and 268 numbered organisations
    capsys.readouterr()


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data)
    except zlib.error:
        return b""


def _render(letter: Letter):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    return HTML(string=render_to_string("campaigns/print.html", exports.print_context(letter, "en"))).render()
