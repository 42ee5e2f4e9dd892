"""Snapshots, deltas, removed facts and `known_at`: what did the source show, and when."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from treatywatch.cli import main
from treatywatch.engine.status import ParticipationHistory
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.monitor.delivery import plan
from treatywatch.monitor.models import Alert, Delta, RemovedFact, Snapshot
from treatywatch.monitor.snapshots import events_known_at
from treatywatch.sources.sync import run_sync
from treatywatch.store.models import Treaty

ONLY_OTTAWA = {"source_ids": ["untc_html"], "documents": ["*/ottawa.html"]}
JUNE_2025 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
FEB_3 = datetime(2026, 2, 3, 15, 0, tzinfo=UTC)
FEB_10 = datetime(2026, 2, 10, 15, 0, tzinfo=UTC)


def status(state: str, known_at: datetime | date, on: date) -> str:
    clauses = load_catalogue().get("ottawa").clauses
    return str(
        ParticipationHistory(clauses, state, events_known_at("ottawa", state, known_at)).status_at(on).status
    )


@pytest.mark.django_db
def test_deltas_schedule_and_known_at(pages):
    before, real = pages.folder("before", pages.before_2025), pages.folder("real", pages.real)
    run_sync(from_dir=before, now=JUNE_2025, today=JUNE_2025.date(), **ONLY_OTTAWA)
    run_sync(from_dir=real, now=FEB_3, today=FEB_3.date(), **ONLY_OTTAWA)

    delta = Delta.objects.get(snapshot__version=2)
    assert sorted((d["state"], d["kind"]) for d in delta.added) == [
        ("EST", "denunciation"),
        ("FIN", "denunciation"),
        ("LTU", "denunciation"),
        ("LVA", "denunciation"),
        ("POL", "denunciation"),
    ]
    assert all(d["first_seen"] == FEB_3.isoformat() for d in delta.added)
    changed = {c["after"]["state"]: c for c in delta.changed}
    assert sorted(changed) == ["EST", "FIN", "LTU", "LVA"] and not delta.removed
    assert changed["EST"]["before"]["note"] == "" and "brackets" in changed["EST"]["after"]["note"]

    # Poland's withdrawal was still ahead on 3 February 2026: scheduled for 20 February, not sent before
    (scheduled,) = Alert.objects.filter(kind="withdrawal_effective")
    assert (scheduled.state, scheduled.due_on, scheduled.urgent) == ("POL", date(2026, 2, 20), False)
    assert plan(now=FEB_3, today=FEB_3.date()) == 0  # no subscribers yet; nothing released either way
    assert Alert.objects.filter(kind="denunciation").count() == 5

    # record time: on 1 January 2026 the source did not show Estonia's notice yet
    assert status("EST", date(2026, 1, 1), date(2026, 1, 1)) == "party"
    assert status("EST", FEB_3, date(2026, 1, 1)) == "withdrawn"
    assert status("POL", FEB_3, FEB_3.date()) == "withdrawing"

    # the source stops showing the notices: history keeps them, the scheduled alert is cancelled
    run_sync(
        from_dir=pages.folder("before-again", pages.before_2025),
        now=FEB_10,
        today=FEB_10.date(),
        **ONLY_OTTAWA,
    )
    assert RemovedFact.objects.filter(kind="denunciation", removed_at=FEB_10).count() == 5
    assert Snapshot.objects.filter(url=pages.url).count() == 3
    scheduled.refresh_from_db()
    assert scheduled.cancelled_at == FEB_10
    assert status("POL", FEB_3, FEB_3.date()) == "withdrawing"  # what the source showed on 3 February
    assert status("POL", FEB_10, FEB_3.date()) == "party"  # what it showed on 10 February


@pytest.mark.django_db
def test_command_line_sync_and_alert_list(pages, capsys):
    Treaty.objects.filter(slug="ottawa").update(
        data_as_of=date(2025, 6, 1)
    )  # an initialised database: no bundle load
    before, real = pages.folder("before", pages.before_2025), pages.folder("real", pages.real)
    base = ["--source", "untc_html", "--document", "*/ottawa.html"]
    assert main(["sync", *base, "--from", str(before)]) == 0
    assert "1 first seen" in capsys.readouterr().out
    assert main(["sync", *base, "--from", str(real), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["applied"] == 1 and len(summary["alerts"]) == 5

    assert main(["alerts", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["kind"], r["state"], r["treaty"], r["urgent"], r["audience"]) for r in rows} == {
        ("denunciation", s, "ottawa", True, "users") for s in ("EST", "FIN", "LVA", "LTU", "POL")
    }
    assert all(r["document"]["url"] == pages.url and len(r["document"]["sha256"]) == 64 for r in rows)
    assert main(["alerts", "list", "--known-at", "2020-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []

    assert main(["alerts", "list", "--since", "yesterday"]) == 2
    assert "malformed --since 'yesterday'" in capsys.readouterr().err
    assert main(["sync", "--from", str(pages.root / "nowhere")]) == 2
    assert main(["sync", "--source", "no_such_source"]) == 2
    assert "unknown source" in capsys.readouterr().err


@pytest.mark.django_db
def test_watch_refuses_to_overlap(tmp_path, capsys):
    from treatywatch.monitor.lock import exclusive

    Treaty.objects.filter(slug="ottawa").update(
        data_as_of=date(2025, 6, 1)
    )  # an initialised database: no bundle load
    with exclusive():
        code = main(
            ["watch", "--source", "untc_html", "--document", "*/ottawa.html", "--from", str(tmp_path)]
        )
    assert code == 2 and "another run is in progress" in capsys.readouterr().err


@pytest.mark.django_db
def test_runs_on_two_hosts_sharing_a_postgresql_database_never_overlap(tmp_path):
    from django.db import connection

    from treatywatch.monitor.lock import AlreadyRunning, exclusive

    if connection.vendor != "postgresql":
        pytest.skip("SQLite is one host's file: the file lock covers it (test_watch_refuses_to_overlap)")
    with (
        exclusive(tmp_path / "host-a" / "watch.lock"),  # each host has its own lock file
        pytest.raises(AlreadyRunning, match="host sharing this database"),
        exclusive(tmp_path / "host-b" / "watch.lock"),
    ):
        pass
    with exclusive(tmp_path / "host-b" / "watch.lock"):  # released when the first run ended
        pass
