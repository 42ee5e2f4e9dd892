"""Core commands: status, parties, history, what-if, serve."""

from __future__ import annotations

import argparse
from datetime import date

from treatywatch.cli.runtime import CliError, parse_date, print_json, setup_django


def _today() -> date:
    return date.today()


def _lookup(state: str | None, treaty: str | None) -> tuple[str | None, str | None]:
    from treatywatch.knowledge.participants import UnknownParticipantError
    from treatywatch.knowledge.treaties import UnknownTreatyError
    from treatywatch.store.service import resolve_state, resolve_treaty

    code = slug = None
    try:
        if state is not None:
            code = resolve_state(state)
        if treaty is not None:
            slug = resolve_treaty(treaty).slug
    except (UnknownParticipantError, UnknownTreatyError) as error:
        raise CliError(str(error).strip("'\"")) from None
    return code, slug


def cmd_status(args: argparse.Namespace) -> int:
    at = parse_date(args.at, name="--at") or _today()
    known_at = parse_date(args.known_at, name="--known-at")
    setup_django()
    state, treaty = _lookup(args.state, args.treaty)
    from treatywatch.store.service import StatusService, answer_json

    if known_at is None:
        answer = StatusService().status(state, treaty, at)
    else:
        # record time: fold only what the sources showed on that day
        from treatywatch.engine.status import ParticipationHistory
        from treatywatch.knowledge.treaties import load_catalogue
        from treatywatch.monitor.snapshots import events_known_at

        events = events_known_at(treaty, state, known_at)
        answer = ParticipationHistory(load_catalogue().get(treaty).clauses, state, events).status_at(at)
    data = answer_json(answer)
    if known_at is not None:
        data["known_at"] = known_at.isoformat()
    if args.json:
        print_json(data)
        return 0
    line = f"{state} in {treaty} on {at}: {data['status']}"
    if data["withdrawal_effective_date"] and answer.status == "withdrawing":
        line += f" (withdrawal takes effect {data['withdrawal_effective_date']})"
    print(line)
    for reason in answer.reasons:
        print(f"  - {reason}")
    for flag in answer.flags:
        print(f"  ! {flag}")
    sources = ", ".join(f"{s['source']} <{s['url']}>" for s in data["sources"]) or "no source records"
    print(f"  data as of {data['data_as_of'] or 'unknown'}; sources: {sources}")
    return 0


def cmd_parties(args: argparse.Namespace) -> int:
    at = parse_date(args.at, name="--at") or _today()
    setup_django()
    _, treaty = _lookup(None, args.treaty)
    from treatywatch.store.models import Participant
    from treatywatch.store.service import StatusService

    answers = StatusService().parties(treaty, at)
    names = dict(Participant.objects.values_list("code", "name"))
    rows = [
        {
            "state": a.state,
            "name": names.get(a.state, a.state),
            "status": str(a.status),
            "consent_date": a.consent_date.isoformat() if a.consent_date else None,
            "in_force_date": a.in_force_date.isoformat() if a.in_force_date else None,
            "withdrawal_effective_date": a.withdrawal_effective_date.isoformat()
            if a.withdrawal_effective_date
            else None,
        }
        for a in sorted(answers, key=lambda a: names.get(a.state, a.state))
    ]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        extra = f" until {row['withdrawal_effective_date']}" if row["status"] == "withdrawing" else ""
        print(f"{row['state']:5} {row['name'][:40]:40} {row['status']}{extra}")
    print(f"{len(rows)} parties to {treaty} on {at}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    setup_django()
    state, treaty = _lookup(args.state, args.treaty)
    from treatywatch.store.models import Event

    rows = Event.objects.filter(participant_id=state).order_by("treaty_id", "date")
    if treaty:
        rows = rows.filter(treaty_id=treaty)
    superseded = dict(rows.exclude(supersedes="").values_list("supersedes", "entered_by"))
    data = [
        {
            "treaty": e.treaty_id,
            "kind": e.kind,
            "date": e.date.isoformat() if e.date else None,
            "effective_date": e.effective_date.isoformat() if e.effective_date else None,
            "role": e.role,
            "source": e.source,
            "url": e.url,
            "entered_by": e.entered_by or None,
            "superseded_by_correction_of": superseded.get(e.event_id),
        }
        for e in rows
    ]
    if args.json:
        print_json(data)
        return 0
    if not data:
        print(f"no recorded actions for {state}" + (f" in {treaty}" if treaty else ""))
    for row in data:
        effective = f" (effective {row['effective_date']})" if row["effective_date"] else ""
        crosscheck = " [cross-check]" if row["role"] != "status" else ""
        if row["superseded_by_correction_of"]:
            crosscheck += f" [superseded: corrected by {row['superseded_by_correction_of']}]"
        elif row["entered_by"]:
            crosscheck += f" [entered by {row['entered_by']}]"
        print(
            f"{row['date'] or 'undated':10}  {row['treaty']:24} {row['kind']}{effective}  [{row['source']}]{crosscheck}"
        )
    return 0


def cmd_what_if(args: argparse.Namespace) -> int:
    from treatywatch.engine.planner import (
        DenunciationNotAllowedError,
        in_force_date_for_deposit,
        latest_deposit_for_party_by,
        notice_effective_date,
    )
    from treatywatch.knowledge.treaties import UnknownTreatyError
    from treatywatch.store.service import resolve_treaty

    try:
        treaty = resolve_treaty(args.treaty)
    except UnknownTreatyError as error:
        raise CliError(str(error).strip("'\"")) from None
    clauses = treaty.clauses
    result: dict[str, object] = {"treaty": treaty.slug}
    if args.deposit:
        deposit = parse_date(args.deposit, name="--deposit")
        assert deposit is not None
        if args.kind == "succession":
            raise CliError(
                "--kind succession: a succession runs from the date of succession of States, give that date as --deposit"
            )
        in_force = in_force_date_for_deposit(clauses, deposit)
        result.update(
            deposit_date=deposit.isoformat(),
            kind=args.kind,
            in_force_date=in_force.isoformat() if in_force else None,
            article=f"art {clauses.eif_article(deposit)}",
        )
        text = (
            f"a {args.kind} deposited {deposit} takes effect {in_force}"
            if in_force
            else f"{treaty.short_title} is not in force: no date can be given"
        )
    elif args.notice:
        notice = parse_date(args.notice, name="--notice")
        assert notice is not None
        try:
            effective = notice_effective_date(clauses, notice)
        except DenunciationNotAllowedError as error:
            raise CliError(str(error)) from None
        result.update(
            notice_date=notice.isoformat(),
            effective_date=effective.isoformat(),
            article=f"art {clauses.denunciation_article}",
        )
        text = f"a notice received {notice} takes effect {effective} (art {clauses.denunciation_article})"
    else:
        target = parse_date(args.party_by, name="--party-by")
        assert target is not None
        latest = latest_deposit_for_party_by(clauses, target)
        result.update(
            party_by=target.isoformat(),
            latest_deposit_date=latest.isoformat() if latest else None,
            in_force_date=(clauses.in_force_date(latest).isoformat() if latest else None),
        )
        text = (
            f"deposit on or before {latest} to be a party by {target}"
            if latest
            else f"no deposit makes a state a party to {treaty.short_title} by {target}"
        )
    if args.json:
        print_json(result)
    else:
        print(text)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    if args.dev:
        from django.core.management import call_command

        call_command("runserver", f"{args.host}:{args.port}", use_reloader=True, use_threading=True)
        return 0
    from treatywatch.server import default_workers, serve

    workers = default_workers() if args.workers is None else args.workers
    if workers < 1 or args.threads < 1:
        raise CliError("--workers and --threads must be at least 1")
    serve(args.host, args.port, workers=workers, threads=args.threads, access_log=args.access_log)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    setup_django(ensure_data=False)
    from django.conf import settings
    from django.core.management import call_command

    from treatywatch.store.loading import BundleError, load_bundle

    call_command("migrate", interactive=False, verbosity=0)
    try:
        counts = load_bundle(
            settings.BUNDLE_DIR if args.bundle is None else __import__("pathlib").Path(args.bundle)
        )
    except BundleError as error:
        raise CliError(str(error)) from None
    print(", ".join(f"{v} {k}" for k, v in counts.items()) + " loaded")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("status", help="a state's status in a treaty on a date")
    p.add_argument("state", help="ISO 3166-1 alpha-3 code or a known name")
    p.add_argument("treaty", help="treaty slug (e.g. refugee-1951) or UNTC reference (e.g. V-2)")
    p.add_argument("--at", help="date YYYY-MM-DD (default: today)")
    p.add_argument("--known-at", help="answer from what the sources showed on this date (record time)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)

    p = subparsers.add_parser("parties", help="participants bound by (or consented to) a treaty on a date")
    p.add_argument("treaty")
    p.add_argument("--at")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_parties)

    p = subparsers.add_parser("history", help="every recorded action of a state")
    p.add_argument("state")
    p.add_argument("--treaty")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_history)

    p = subparsers.add_parser("what-if", help="plan a campaign from a treaty's final clauses")
    p.add_argument("treaty")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--deposit", metavar="DATE", help="when would it enter into force for a deposit on DATE?"
    )
    group.add_argument(
        "--notice", metavar="DATE", help="when would a denunciation notice received on DATE take effect?"
    )
    group.add_argument("--party-by", metavar="DATE", help="latest deposit date to be a party by DATE")
    p.add_argument(
        "--kind",
        default="ratification",
        choices=["ratification", "acceptance", "approval", "accession", "formal_confirmation", "succession"],
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_what_if)

    p = subparsers.add_parser("serve", help="serve the site and API (gunicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, help="processes (default: one per core, at least 2)")
    p.add_argument("--threads", type=int, default=4, help="threads per process (default: 4)")
    p.add_argument("--access-log", action="store_true", help="log every request to standard output")
    p.add_argument("--dev", action="store_true", help="Django's development server, reloading on edits")
    p.set_defaults(handler=cmd_serve)

    p = subparsers.add_parser("load-dataset", help="(re)load the bundled dataset into the database")
    p.add_argument("--bundle", help="bundle folder (default: data/bundle)")
    p.set_defaults(handler=cmd_load)
