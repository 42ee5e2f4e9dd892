"""The command line's contracts: JSON fields, one-line errors, what-if answers, on the bundled data."""

import json

import pytest

from treatywatch.cli import main

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_status_json_has_the_promised_fields(bundled_data, capsys):
    code, out, _ = run(capsys, "status", "PHL", "rome-statute", "--at", "2019-01-01", "--json")
    assert code == 0
    data = json.loads(out)
    for field in (
        "state",
        "treaty",
        "at",
        "status",
        "in_force_date",
        "withdrawal_notice_date",
        "withdrawal_effective_date",
        "data_as_of",
        "reasons",
        "sources",
    ):
        assert field in data
    assert data["state"] == "PHL" and data["treaty"] == "rome-statute" and data["at"] == "2019-01-01"
    assert data["status"] == "withdrawing"
    assert data["withdrawal_effective_date"] == "2019-03-17"
    assert data["sources"] and all(s["url"].startswith("http") for s in data["sources"])
    assert data["data_as_of"]


def test_status_accepts_a_name_and_a_untc_reference(bundled_data, capsys):
    code, out, _ = run(capsys, "status", "Philippines", "XVIII-10", "--at", "2020-01-01", "--json")
    assert code == 0 and json.loads(out)["status"] == "withdrawn"


def test_parties_lists_consented_party_and_withdrawing(bundled_data, capsys):
    code, out, _ = run(capsys, "parties", "ottawa", "--at", "2026-02-03", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 162  # the UNTC page's own "Parties" count on 3 Feb 2026
    statuses = {r["state"]: r["status"] for r in rows}
    assert statuses.get("POL") == "withdrawing"
    assert "EST" not in statuses  # withdrawal took effect 27 Dec 2025
    assert set(statuses.values()) <= {"consented", "party", "withdrawing"}


def test_history_lists_actions_with_sources(bundled_data, capsys):
    code, out, _ = run(capsys, "history", "TTO", "--treaty", "iccpr-op1", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {r["kind"] for r in rows} >= {"accession", "denunciation"}
    assert all(r["source"] and r["url"] for r in rows)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("status", "Atlantis", "rome-statute"), "Atlantis"),
        (("status", "PHL", "no-such-treaty"), "no-such-treaty"),
        (("status", "PHL", "rome-statute", "--at", "2019-13-45"), "2019-13-45"),
        (("parties", "ottawa", "--at", "yesterday"), "yesterday"),
        (("what-if", "iccpr", "--notice", "2026-01-01"), "denunciation"),
    ],
)
def test_bad_input_gets_one_line_error(bundled_data, capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_what_if_json(capsys):
    code, out, _ = run(capsys, "what-if", "refugee-1951", "--party-by", "2026-07-28", "--json")
    assert code == 0
    assert json.loads(out)["latest_deposit_date"] == "2026-04-29"
    code, out, _ = run(capsys, "what-if", "ottawa", "--notice", "2025-06-27", "--json")
    assert json.loads(out)["effective_date"] == "2025-12-27"
    code, out, _ = run(
        capsys, "what-if", "rome-statute", "--deposit", "2026-03-15", "--kind", "accession", "--json"
    )
    assert json.loads(out)["in_force_date"] == "2026-06-01"


def test_status_known_at_answers_from_what_the_sources_showed(bundled_data, capsys):
    """Record time: the 2026 UNTC page was retrieved on 3 Feb 2026; before that nothing of it was known."""
    code, out, _ = run(
        capsys, "status", "POL", "ottawa", "--at", "2026-02-03", "--known-at", "2026-02-04", "--json"
    )
    assert code == 0
    known = json.loads(out)
    assert known["status"] == "withdrawing" and known["known_at"] == "2026-02-04"
    code, out, _ = run(
        capsys, "status", "POL", "ottawa", "--at", "2026-02-03", "--known-at", "2025-12-31", "--json"
    )
    assert code == 0 and json.loads(out)["status"] == "none"
