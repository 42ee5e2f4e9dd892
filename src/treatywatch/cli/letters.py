"""`treatywatch letters ...`: set up a sign-on letter, import its existing list, export it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from treatywatch.cli.runtime import CliError, parse_date, print_json, setup_django


def _setup() -> None:
    """Django and the campaigns tables; the treaty dataset itself is not needed here."""
    setup_django(ensure_data=False)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    if "campaigns_letter" not in connection.introspection.table_names():
        call_command("migrate", interactive=False, verbosity=0)


def _letter(slug: str) -> Any:
    from treatywatch.campaigns.models import Letter

    try:
        return Letter.objects.get(slug=slug)
    except Letter.DoesNotExist:
        known = ", ".join(Letter.objects.values_list("slug", flat=True)[:10]) or "none yet"
        raise CliError(f"unknown letter {slug!r} (known: {known})") from None


def _treaty_asks(values: list[str]) -> list[dict[str, str]]:
    from treatywatch.knowledge.treaties import UnknownTreatyError
    from treatywatch.store.service import resolve_treaty

    asks = []
    for value in values:
        treaty, _, ask = value.partition(":")
        try:
            slug = resolve_treaty(treaty).slug
        except UnknownTreatyError:
            raise CliError(f"--treaty {value!r}: unknown treaty {treaty!r}") from None
        asks.append({"treaty": slug, "ask": ask or "ratify or accede"})
    return asks


def _targets(values: list[str]) -> list[str]:
    from treatywatch.knowledge.participants import UnknownParticipantError
    from treatywatch.store.service import resolve_state

    try:
        return [resolve_state(v) for v in values]
    except UnknownParticipantError as error:
        raise CliError(f"--target: {str(error).strip(chr(34) + chr(39))}") from None


def cmd_create(args: argparse.Namespace) -> int:
    deadline = parse_date(args.deadline, name="--deadline")
    _setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from treatywatch.campaigns.importing import ImportFileError, read_letter
    from treatywatch.campaigns.models import Letter, LetterText, validate_letter_slug
    from treatywatch.campaigns.services import run_write

    try:
        validate_letter_slug(args.slug)
    except ValidationError as error:
        raise CliError(error.messages[0]) from None
    if Letter.objects.filter(slug=args.slug).exists():
        raise CliError(f"letter {args.slug!r} exists already")
    if args.from_text:
        try:
            document = read_letter(Path(args.from_text))
        except ImportFileError as error:
            raise CliError(str(error)) from None
        title, body, asks, stated = document.title, document.body, document.asks, document.stated_count
    elif args.title and args.body_file:
        title, body, asks, stated = args.title, Path(args.body_file).read_text(encoding="utf-8"), [], None
    else:
        raise CliError("give --from-text FILE, or --title and --body-file")
    users = []
    for username in args.coordinator:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CliError(f"--coordinator: no user {username!r}")
        users.append(user)

    def work() -> Any:
        letter = Letter.objects.create(
            slug=args.slug,
            title=args.title or title,
            language=args.language,
            target_body=args.target_body or "",
            target_states=_targets(args.target),
            treaty_asks=_treaty_asks(args.treaty),
            deadline=timezone.make_aware(timezone.datetime.combine(deadline, timezone.datetime.max.time()))
            if deadline
            else None,
            stated_count=args.stated_count if args.stated_count is not None else stated,
            allow_individuals=args.allow_individuals,
        )
        LetterText.objects.create(
            letter=letter, language=args.language, title=args.title or title, body=body, asks="\n".join(asks)
        )
        letter.coordinators.set(users)
        return letter

    letter = run_write(work)
    result = {
        "slug": letter.slug,
        "title": letter.title,
        "state": letter.state,
        "asks": len(asks),
        "stated_count": letter.stated_count,
        "treaty_asks": letter.treaty_asks,
        "target_states": letter.target_states,
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"created draft letter {letter.slug!r}: {letter.title} ({len(asks)} asks"
            + (f", text states {letter.stated_count} signatories" if letter.stated_count else "")
            + ")"
        )
    return 0


def _transition(args: argparse.Namespace, action: str) -> int:
    _setup()
    from treatywatch.campaigns.services import TransitionError, change_state

    letter = _letter(args.slug)
    try:
        change_state(letter, action)
    except TransitionError as error:
        raise CliError(str(error)) from None
    print(f"letter {letter.slug!r} is now {letter.state}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    return _transition(args, "open")


def cmd_close(args: argparse.Namespace) -> int:
    return _transition(args, "close")


def cmd_deliver(args: argparse.Namespace) -> int:
    delivered_on = parse_date(args.date, name="--date")
    _setup()
    from treatywatch.campaigns.services import TransitionError, record_delivery

    letter = _letter(args.slug)
    try:
        delivery = record_delivery(
            letter, delivered_on=delivered_on, recipient=args.to, method=args.method, note=args.note or ""
        )
    except TransitionError as error:
        raise CliError(str(error)) from None
    print(
        f"recorded delivery of {letter.slug!r} to {delivery.recipient} on {delivery.delivered_on} "
        f"({delivery.signatory_count} signatories)"
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _setup()
    from treatywatch.campaigns import importing

    letter = _letter(args.letter)
    try:
        result = importing.apply(letter, importing.read(Path(args.file)), dry_run=args.dry_run)
    except importing.ImportFileError as error:
        raise CliError(str(error)) from None
    if args.json:
        print_json(result)
        return 0
    verb = "would store" if args.dry_run else "stored"
    print(
        f"{result['file']}: {result['entries']} entries: {result['organisations']} organisations, "
        f"{result['individuals']} individuals, {result['placeholders']} placeholders"
    )
    if result["count_check"]:
        print(f"  {result['count_check']}")
    for flag in result["flagged"]:
        print(f"  ! #{flag['number'] or flag['line']} {flag['name']}: {flag['reason']}")
    for pair in result["duplicates"]:
        print(f"  = {pair['first']['name']} / {pair['second']['name']}: {pair['reason']}")
    for pair in result["related"]:
        print(f"  ~ {pair['first']['name']} / {pair['second']['name']}: {pair['reason']} (kept apart)")
    stored = result["would_create"] if args.dry_run else result["created"]
    print(f"{verb} {stored} signatures on {letter.slug!r}; {len(result['already_present'])} already present")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _setup()
    import json

    from treatywatch.campaigns import exports

    letter = _letter(args.slug)
    if args.format == "pdf":
        if not args.output:
            raise CliError("--format pdf needs --output FILE")
        data: bytes = exports.to_pdf(letter, language=args.language)
    elif args.format == "csv":
        data = exports.to_csv(letter, private=args.private).encode()
    else:
        data = json.dumps(
            exports.to_osdi(letter, private=args.private, language=args.language),
            ensure_ascii=False,
            indent=1,
        ).encode()
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(data)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    _setup()
    from treatywatch.campaigns.models import Letter
    from treatywatch.campaigns.services import listed

    rows = [
        {
            "slug": x.slug,
            "title": x.title,
            "state": x.state,
            "listed": listed(x).count(),
            "signatures": x.signatures.count(),
        }
        for x in Letter.objects.all()
    ]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(f"{row['slug']:40} {row['state']:9} {row['listed']:5} listed  {row['title']}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    letters = subparsers.add_parser("letters", help="sign-on letters: create, publish, import, export")
    sub = letters.add_subparsers(dest="letters_command", metavar="ACTION", required=True)

    p = sub.add_parser("create", help="draft a letter (from a published text with --from-text)")
    p.add_argument("slug")
    p.add_argument("--from-text", metavar="FILE", help="plain-text letter: title, text, asks, stated count")
    p.add_argument("--title")
    p.add_argument("--body-file", metavar="FILE")
    p.add_argument("--language", default="en", choices=["en", "fr", "es"])
    p.add_argument("--target-body", help='e.g. "UN Member States"')
    p.add_argument(
        "--target", action="append", default=[], metavar="STATE", help="targeted state (repeatable)"
    )
    p.add_argument(
        "--treaty",
        action="append",
        default=[],
        metavar="SLUG[:ASK]",
        help='linked treaty and the ask, e.g. "refugee-1951:accede" (repeatable)',
    )
    p.add_argument("--deadline", metavar="DATE")
    p.add_argument("--stated-count", type=int)
    p.add_argument("--allow-individuals", action="store_true")
    p.add_argument("--coordinator", action="append", default=[], metavar="USERNAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_create)

    for name, handler, text in (
        ("publish", cmd_publish, "open a letter for signature"),
        ("close", cmd_close, "stop accepting signatures"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("slug")
        p.set_defaults(handler=handler)

    p = sub.add_parser("deliver", help="record the letter's delivery")
    p.add_argument("slug")
    p.add_argument("--date", required=True)
    p.add_argument("--to", required=True, help="to whom")
    p.add_argument(
        "--method", required=True, choices=["email", "in_person", "post", "event", "online", "other"]
    )
    p.add_argument("--note")
    p.set_defaults(handler=cmd_deliver)

    p = sub.add_parser("import", help="import an existing signatory list (text, CSV or OSDI JSON)")
    p.add_argument("file")
    p.add_argument("--letter", required=True, metavar="SLUG")
    p.add_argument("--dry-run", action="store_true", help="check and report; store nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export the signatories: csv, osdi (JSON) or pdf")
    p.add_argument("slug")
    p.add_argument("--format", required=True, choices=["csv", "osdi", "pdf"])
    p.add_argument(
        "--private", action="store_true", help="every signature with contacts (not for publication)"
    )
    p.add_argument("--language", default="en", choices=["en", "fr", "es"])
    p.add_argument("--output", metavar="FILE")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("list", help="letters and their listed signatories")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
