"""Importing existing lists: the 2025 open letter is the first real case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from treatywatch.campaigns import importing
from treatywatch.campaigns.models import Letter, Signature
from treatywatch.campaigns.services import listed
from treatywatch.cli import main

SEED = (
    Path(__file__).parents[2]
    / "data"
    / "raw"
    / "seed-letter"
    / "open-letter-2025-upholding-international-law.txt"
)
SLUG = "upholding-international-law-2025"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seed_letter(db, capsys) -> Letter:
    code, _, err = run(
        capsys,
        "letters",
        "create",
        SLUG,
        "--from-text",
        str(SEED),
        "--target-body",
        "UN Member States",
        "--treaty",
        "refugee-1951:accede",
        "--treaty",
        "refugee-protocol-1967:accede",
    )
    assert code == 0, err
    return Letter.objects.get(slug=SLUG)


def test_create_from_the_published_text(seed_letter: Letter) -> None:
    text = seed_letter.texts.get(language="en")
    assert text.title == "Upholding Not Undermining International Law"
    assert seed_letter.stated_count == 267
    assert len(text.ask_list()) == 4 and text.ask_list()[0].startswith("Sign and/or deposit instruments")
    assert "Signed:" not in text.body and "11.11.11" not in text.body and "[undo](#)" not in text.body
    assert seed_letter.treaty_asks == [
        {"treaty": "refugee-1951", "ask": "accede"},
        {"treaty": "refugee-protocol-1967", "ask": "accede"},
    ]
    assert seed_letter.state == Letter.State.DRAFT


def test_seed_list_dry_run_reports_count_mismatch_and_flags(seed_letter: Letter, capsys) -> None:
    code, out, _ = run(capsys, "letters", "import", str(SEED), "--letter", SLUG, "--dry-run", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["entries"] == 271 and result["stated_count"] == 267
    assert result["organisations"] == 268
    assert result["numbering"] == {"numbered": True, "first": 1, "last": 271, "missing": [], "repeated": []}
    flagged = {(f["number"], f["name"], f["code"]) for f in result["flagged"]}
    assert flagged == {
        (5, "Advocate Sunil Kumar Manchanda", "individual"),
        (186, "Personal", "placeholder"),
        (256, "US Citizen", "placeholder"),
    }
    assert all(f["reason"] for f in result["flagged"])
    assert result["duplicates"] == []
    assert {(p["first"]["name"], p["second"]["name"]) for p in result["related"]} >= {
        ("Amnesty International", "Amnesty International Australia")
    }
    assert "267" in result["count_check"] and "271" in result["count_check"]
    assert result["would_create"] == 271 and result["created"] == 0
    assert not seed_letter.signatures.exists()


def test_seed_import_stores_once_and_lists_only_organisations(seed_letter: Letter, capsys) -> None:
    code, out, _ = run(capsys, "letters", "import", str(SEED), "--letter", SLUG)
    assert code == 0 and "stored 271 signatures" in out and "mismatch" in out
    assert listed(seed_letter).count() == 268
    held = set(
        seed_letter.signatures.filter(status=Signature.Status.HELD).values_list("import_number", flat=True)
    )
    assert held == {5, 186, 256}
    person = seed_letter.signatures.get(import_number=5)
    assert person.kind == Signature.Kind.INDIVIDUAL and person.family_name == "Manchanda"
    # the same file again: nothing new
    code, out, _ = run(capsys, "letters", "import", str(SEED), "--letter", SLUG, "--json")
    again = json.loads(out)
    assert again["created"] == 0 and len(again["already_present"]) == 271
    assert seed_letter.signatures.count() == 271


def test_duplicates_in_an_imported_csv_await_a_decision(seed_letter: Letter, tmp_path: Path, capsys) -> None:
    run(capsys, "letters", "import", str(SEED), "--letter", SLUG)
    extra = tmp_path / "late.csv"
    extra.write_text(
        "organisation,email,country\nACLU,legal@aclu.example,USA\nNew Org,x@new.example,KEN\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "letters", "import", str(extra), "--letter", SLUG, "--json")
    result = json.loads(out)
    assert code == 0 and result["created"] == 2
    aclu = seed_letter.signatures.get(organization="ACLU")
    candidate = seed_letter.duplicate_candidates.get(second=aclu)
    assert candidate.relation == "same" and candidate.first.organization == "American Civil Liberties Union"
    names = set(listed(seed_letter).values_list("organization", flat=True))
    assert "New Org" in names and "ACLU" not in names  # held back until a coordinator decides
    assert not seed_letter.duplicate_candidates.filter(
        relation="same", first__organization="Amnesty International"
    )


def test_bad_files_fail_with_a_clear_error_and_store_nothing(
    seed_letter: Letter, tmp_path: Path, capsys
) -> None:
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("foo,bar\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "letters", "import", str(bad_header), "--letter", SLUG)
    assert code == 2 and "no organisation or name column" in err and "bad.csv" in err
    latin1 = tmp_path / "list.txt"
    latin1.write_bytes("1. Asociación\n".encode("latin-1"))
    code, _, err = run(capsys, "letters", "import", str(latin1), "--letter", SLUG)
    assert code == 2 and "not UTF-8" in err
    bad_number = tmp_path / "numbers.csv"
    bad_number.write_text("number,organisation\n1,A\nx2,B\n", encoding="utf-8")
    code, _, err = run(capsys, "letters", "import", str(bad_number), "--letter", SLUG)
    assert code == 2 and "line 3" in err and "'x2'" in err
    code, _, err = run(capsys, "letters", "import", str(SEED), "--letter", "no-such-letter")
    assert code == 2 and "unknown letter 'no-such-letter'" in err
    assert not seed_letter.signatures.exists()


def test_osdi_round_trip_keeps_people_and_organisations(seed_letter: Letter, tmp_path: Path, capsys) -> None:
    extra = tmp_path / "list.csv"
    extra.write_text(
        "organisation,given_name,family_name,email,country,type\n"
        "Fundación Crea Tu Espacio,Lucía,Núñez,lucia@example.org,ESP,ngo\n"
        ",Jane,Doe,jane@example.org,GBR,\n",
        encoding="utf-8",
    )
    run(capsys, "letters", "import", str(extra), "--letter", SLUG)
    out_file = tmp_path / "osdi.json"
    assert (
        run(capsys, "letters", "export", SLUG, "--format", "osdi", "--private", "--output", str(out_file))[0]
        == 0
    )
    data = json.loads(out_file.read_text(encoding="utf-8"))
    signatures = data["osdi:petition"]["_embedded"]["osdi:signatures"]
    lucia = next(s for s in signatures if s["person"]["given_name"] == "Lucía")
    assert lucia["person"]["email_addresses"] == [{"primary": True, "address": "lucia@example.org"}]
    assert lucia["person"]["postal_addresses"][0]["country"] == "ES"
    assert lucia["person"]["custom_fields"]["organization"] == "Fundación Crea Tu Espacio"
    parsed = importing.parse(out_file.read_text(encoding="utf-8"), name="osdi.json")
    by_name = {e.name: e for e in parsed.entries}
    assert by_name["Fundación Crea Tu Espacio"].fields["country"] == "ESP"
    assert by_name["Jane Doe"].kind == "individual"
    assert by_name["Jane Doe"].fields["email"] == "jane@example.org"
