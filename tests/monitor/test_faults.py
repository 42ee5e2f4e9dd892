"""Fault injection on real UNTC pages: a corrupted page never alerts users and never changes the data.

Each case first syncs the real page (a baseline), then a corrupted copy of it. Expected: the document
row is quarantined or failed with its reason, exactly one operator alert names the document and the
reason, no user alert, the stored events are exactly as before; the same corrupt bytes again raise
no second alert.
"""

from __future__ import annotations

import json
import re

import pytest

from treatywatch.monitor.models import Alert
from treatywatch.sources.registry import RAW_DIR
from treatywatch.sources.sync import run_sync
from treatywatch.store.models import Event, SourceDocument

CAT_OP = "untc-mgaldino-2026/un_hr_treaties/html/cat_op.html"
GRID = re.compile(rb"(<table[^>]*tblgrid[^>]*>)(.*?)(</table>)", re.S)
MAINTENANCE = (
    b"<!DOCTYPE html><html><head><title>United Nations Treaty Collection</title></head><body>"
    b"<h1>Site under maintenance</h1><p>The United Nations Treaty Collection website is currently "
    b"undergoing scheduled maintenance. We apologize for any inconvenience.</p></body></html>"
)


def truncated(page: bytes) -> bytes:
    return page[: len(page) * 2 // 3]


def maintenance(page: bytes) -> bytes:
    return MAINTENANCE


def half_rows_removed(page: bytes, recount: bool = False) -> bytes:
    """Every second participant row dropped from the grid (a page that quietly lost rows)."""

    def drop(match: re.Match[bytes]) -> bytes:
        rows = re.split(rb"(?=<tr)", match.group(2))
        head, body = rows[:2], rows[2:]
        return match.group(1) + b"".join(head + body[::2]) + match.group(3)

    damaged = GRID.sub(drop, page, count=1)
    if recount:  # the printed count agrees with the damaged grid: only the delta check can catch it
        kept = (
            damaged.count(b"<tr") - page.count(b"<tr") + int(re.search(rb"Parties :\s*(\d+)", page).group(1))
        )
        damaged = re.sub(rb"(Parties :\s*)\d+", rb"\g<1>" + str(max(kept // 2, 1)).encode(), damaged, count=1)
    return damaged


def half_rows_recounted(page: bytes) -> bytes:
    return half_rows_removed(page, recount=True)


def unparseable(page: bytes) -> bytes:
    """An action marker the parser does not know."""
    return page.replace(b"Accession(a)", b"Accession(z)", 1)


CASES = [
    ("ottawa", "untc-mgaldino-2026/arms_control/html/ottawa.html", truncated, "quarantined", "truncated"),
    ("cat_op", CAT_OP, maintenance, "failed", "STATUS AS AT"),
    ("ccm", "untc-mgaldino-2026/arms_control/html/ccm.html", half_rows_removed, "quarantined", "parties"),
    ("cat_op", CAT_OP, half_rows_recounted, "quarantined", "would remove"),
    ("ottawa", "untc-mgaldino-2026/arms_control/html/ottawa.html", unparseable, "failed", "Accession(z)"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stem", "name", "corrupt", "state", "reason"), CASES, ids=[c[2].__name__ for c in CASES]
)
def test_a_corrupted_page_is_quarantined_with_one_operator_alert(pages, stem, name, corrupt, state, reason):
    only = {"source_ids": ["untc_html"], "documents": [f"*/{stem}.html"]}
    real = (RAW_DIR / name).read_bytes()
    run_sync(from_dir=pages.folder("real", real, name), **only)
    before = sorted(Event.objects.values_list("event_id", "first_seen", "last_seen", "note"))
    assert before, "the baseline stored the real page's events"

    report = run_sync(from_dir=pages.folder("bad", corrupt(real), name), **only)

    (outcome,) = report.outcomes
    assert outcome.result == state and reason in outcome.reason
    document = SourceDocument.objects.exclude(state=SourceDocument.State.PARSED).get()
    assert document.state == state and reason in document.error and document.archive_path
    assert not Alert.objects.filter(audience=Alert.Audience.USERS).exists()
    (alert,) = Alert.objects.filter(audience=Alert.Audience.OPERATORS)
    assert alert.kind == "quarantine" and name in alert.detail and reason in alert.detail
    assert alert.document_sha256 == document.sha256
    assert sorted(Event.objects.values_list("event_id", "first_seen", "last_seen", "note")) == before

    again = run_sync(from_dir=pages.folder("bad-again", corrupt(real), name), **only)
    assert again.outcomes[0].result == state and not again.alerts
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_an_operator_accepts_a_quarantined_page_with_a_reason_and_it_is_applied(pages, capsys):
    """A quarantine can be a real mass withdrawal: an operator confirms it, the page is applied once."""
    from treatywatch.cli import main
    from treatywatch.monitor.snapshots import current_rows

    only = {"source_ids": ["untc_html"], "documents": ["*/cat_op.html"]}
    real = (RAW_DIR / CAT_OP).read_bytes()
    run_sync(from_dir=pages.folder("real", real, CAT_OP), **only)
    url = SourceDocument.objects.get().url
    stored_before = current_rows("untc_html", url).count()
    failed = run_sync(from_dir=pages.folder("maintenance", MAINTENANCE, CAT_OP), **only)
    assert failed.outcomes[0].result == "failed"
    run_sync(from_dir=pages.folder("bad", half_rows_recounted(real), CAT_OP), **only)
    quarantined = SourceDocument.objects.get(state=SourceDocument.State.QUARANTINED)
    capsys.readouterr()

    assert main(["documents", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (
        listed["id"] == quarantined.pk and "would remove" in listed["reason"] and listed["accepted"] is None
    )

    assert main(["documents", "accept", str(quarantined.pk), "--reason", " "]) == 2
    failed_row = SourceDocument.objects.get(state=SourceDocument.State.FAILED)
    assert main(["documents", "accept", str(failed_row.pk), "--reason", "checked"]) == 2
    assert "only a quarantined document" in capsys.readouterr().err

    reason = "Confirmed on the depositary's notifications: these withdrawals are real"
    assert main(["documents", "accept", str(quarantined.pk), "--reason", reason, "--by", "duty-editor"]) == 0
    assert f"document {quarantined.pk} applied as" in capsys.readouterr().out
    assert current_rows("untc_html", url).count() < stored_before
    applied = SourceDocument.objects.filter(state=SourceDocument.State.PARSED).latest("pk")
    assert applied.sha256 == quarantined.sha256
    assert applied.meta["accepted"]["by"] == "duty-editor" and applied.meta["accepted"]["reason"] == reason
    assert any("would remove" in r for r in applied.meta["accepted"]["overrode"])
    quarantined.refresh_from_db()
    assert quarantined.meta["accepted"]["applied_as"] == applied.pk

    assert main(["documents", "accept", str(quarantined.pk), "--reason", reason]) == 2
    assert "already accepted by duty-editor" in capsys.readouterr().err
    again = run_sync(from_dir=pages.folder("bad-again", half_rows_recounted(real), CAT_OP), **only)
    assert again.outcomes[0].result == "unchanged", "the accepted bytes are now the current page"
