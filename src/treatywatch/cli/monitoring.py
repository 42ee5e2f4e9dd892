"""Monitoring commands: sync, alerts, watch, subscriptions."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from datetime import datetime
from pathlib import Path

from treatywatch.cli.runtime import CliError, parse_date, print_json, setup_django


def _from_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise CliError(f"--from {value!r} is not a folder (expected the layout of data/raw)")
    return path


def _source_ids(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    from treatywatch.sources.registry import UnknownSourceError, get_source

    try:
        return [get_source(v).id for v in values]
    except UnknownSourceError as error:
        raise CliError(str(error).strip("'\"")) from None


def cmd_sync(args: argparse.Namespace) -> int:
    from_dir = _from_dir(args.from_dir)
    setup_django()
    from treatywatch.sources.sync import run_sync

    report = run_sync(
        source_ids=_source_ids(args.source),
        documents=args.document,
        from_dir=from_dir,
        base_url=args.base_url,
        quiet=args.json,
    )
    summary = report.summary()
    if args.json:
        print_json({**summary, "alerts": [_alert_line(a) for a in report.alerts]})
        return 0
    print(
        f"{summary['documents']} documents: {summary['applied']} changed, {summary['unchanged']} unchanged, "
        f"{summary['baseline']} first seen, {summary['quarantined']} quarantined, {summary['failed']} failed, "
        f"{summary['unreachable']} unreachable, {summary['missing']} not in --from; facts +{summary['added']} ~{summary['changed']} "
        f"-{summary['removed']}; {summary['alerts']} alerts"
    )
    for problem in summary["problems"]:
        print(f"  ! {problem}")
    if summary["protection"]:
        print(f"  protection: {summary['protection']}")
    return 0


def _alert_line(alert) -> dict:
    from treatywatch.monitor.render import alert_json

    return alert_json(alert)


def cmd_alerts_list(args: argparse.Namespace) -> int:
    since = parse_date(args.since, name="--since")
    known_at = parse_date(args.known_at, name="--known-at")
    setup_django()
    from treatywatch.monitor.models import Alert
    from treatywatch.monitor.render import alert_json
    from treatywatch.monitor.snapshots import as_moment

    alerts = (
        Alert.objects.all() if args.include_cancelled else Alert.objects.filter(cancelled_at__isnull=True)
    )
    if args.audience != "all":
        alerts = alerts.filter(audience=args.audience)
    if since:
        alerts = alerts.filter(
            created_at__gte=as_moment(since).replace(hour=0, minute=0, second=0, microsecond=0)
        )
    if known_at:
        alerts = alerts.filter(first_seen__lte=as_moment(known_at))
    if args.kind:
        alerts = alerts.filter(kind=args.kind)
    rows = [alert_json(a) for a in alerts.order_by("created_at", "id")]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no alerts")
    for row in rows:
        flags = ("URGENT " if row["urgent"] else "") + (
            "[operators] " if row["audience"] == "operators" else ""
        )
        when = row["legal_date"] or ""
        extra = f" due {row['due_on']}" if row["due_on"] else ""
        extra += " (cancelled)" if row["cancelled_at"] else ""
        print(
            f"{row['created_at'][:10]}  {flags}{row['kind']:22} {row['state'] or '-':5} {row['treaty'] or '-':22} "
            f"{when}{extra}  <{row['document']['url'] or '-'}> {(row['document']['sha256'] or '')[:12]}"
        )
    return 0


def cmd_alerts_deliver(args: argparse.Namespace) -> int:
    setup_django()
    from treatywatch.monitor.delivery import deliver

    report = deliver(force_digest=args.force_digest)
    print_json(report.as_dict())
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from_dir = _from_dir(args.from_dir)
    if args.every is not None and args.every < 1:
        raise CliError(f"--every {args.every}: give a period of at least 1 second")
    setup_django()
    from treatywatch.monitor.cycle import run_once
    from treatywatch.monitor.lock import AlreadyRunning

    sources = _source_ids(args.source)
    while True:
        started = time.monotonic()
        try:
            result = run_once(
                source_ids=sources,
                documents=args.document,
                from_dir=from_dir,
                base_url=args.base_url,
                quiet=not args.progress,
            )
        except AlreadyRunning as error:
            raise CliError(str(error)) from None
        print_json({"at": datetime.now().astimezone().isoformat(timespec="seconds"), **result})
        sys.stdout.flush()
        if args.every is None:
            return 0
        time.sleep(max(0.0, args.every - (time.monotonic() - started)))


def _owner(args: argparse.Namespace):
    from django.contrib.auth import get_user_model

    from treatywatch.monitor.models import Organisation

    if bool(args.user) == bool(args.organisation):
        raise CliError("give exactly one owner: --user USERNAME or --organisation SLUG")
    if args.user:
        user = get_user_model().objects.filter(username=args.user).first()
        if user is None:
            raise CliError(f"unknown user {args.user!r}")
        return user, None
    organisation = Organisation.objects.filter(slug=args.organisation).first()
    if organisation is None:
        raise CliError(f"unknown organisation {args.organisation!r}")
    return None, organisation


def cmd_subscriptions(args: argparse.Namespace) -> int:
    setup_django()
    from treatywatch.monitor.forms import check_filters, resolve_states
    from treatywatch.monitor.models import Subscription

    if args.action == "list":
        rows = [
            {
                "id": s.pk,
                "name": s.name,
                "owner": s.user.username if s.user_id else f"org:{s.organisation.slug}",
                "states": s.states,
                "treaties": s.treaties,
                "categories": s.categories,
                "kinds": s.kinds,
                "email": s.owner_email(),
                "webhook": s.webhook_url or None,
                "webhook_enabled": s.webhook_enabled,
                "language": s.language,
                "active": s.active,
                "feed": f"/alerts/feeds/subscriptions/{s.feed_token}.atom",
            }
            for s in Subscription.objects.select_related("user", "organisation")
        ]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                print(
                    f"{r['id']:4} {r['name'][:30]:30} {r['owner']:20} states={','.join(r['states']) or '*'} "
                    f"treaties={','.join(r['treaties']) or '*'} kinds={','.join(r['kinds']) or '*'} "
                    f"email={r['email'] or '-'} webhook={r['webhook'] or '-'}"
                )
        return 0
    if args.action == "remove":
        deleted, _ = Subscription.objects.filter(pk=args.id).delete()
        if not deleted:
            raise CliError(f"no subscription {args.id}")
        print(f"subscription {args.id} removed")
        return 0
    user, organisation = _owner(args)
    try:
        states = resolve_states(args.state or [])
        check_filters(treaties=args.treaty or [], categories=args.category or [], kinds=args.kind or [])
    except ValueError as error:
        raise CliError(str(error)) from None
    subscription = Subscription.objects.create(
        user=user,
        organisation=organisation,
        name=args.name,
        states=states,
        treaties=sorted(args.treaty or []),
        categories=sorted(args.category or []),
        kinds=sorted(args.kind or []),
        language=args.language,
        email=args.email or "",
        webhook_url=args.webhook or "",
        operator_alerts=args.operators,
    )
    print_json(
        {
            "id": subscription.pk,
            "feed": f"/alerts/feeds/subscriptions/{subscription.feed_token}.atom",
            "webhook_secret": subscription.webhook_secret if subscription.webhook_url else None,
        }
    )
    return 0


def cmd_documents_list(args: argparse.Namespace) -> int:
    setup_django()
    from treatywatch.store.models import SourceDocument

    rows = SourceDocument.objects.order_by("-created_at", "-pk")
    if args.state != "all":
        rows = rows.filter(state=args.state)
    documents = [
        {
            "id": d.pk,
            "source": d.source,
            "url": d.url,
            "sha256": d.sha256,
            "state": d.state,
            "reason": d.error,
            "retrieved_at": d.retrieved_at.isoformat() if d.retrieved_at else None,
            "accepted": d.meta.get("accepted"),
        }
        for d in rows[: args.limit]
    ]
    if args.json:
        print_json(documents)
        return 0
    for d in documents:
        accepted = f"  accepted by {d['accepted']['by']}" if d["accepted"] else ""
        print(f"{d['id']:>6}  {d['state']:<11}  {d['source']:<20}  {d['url']}{accepted}")
        if d["reason"]:
            print(f"        {d['reason']}")
    return 0


def cmd_documents_accept(args: argparse.Namespace) -> int:
    setup_django()
    from treatywatch.sources.sync import AcceptError, accept_quarantined

    try:
        outcome = accept_quarantined(args.id, by=args.by or getpass.getuser(), reason=args.reason)
    except AcceptError as error:
        raise CliError(str(error)) from None
    if outcome.document_id is None:
        raise CliError(f"document {args.id} was not applied: {outcome.result}: {outcome.reason}")
    line = (
        f"document {args.id} applied as {outcome.document_id}: {outcome.result}, facts +{outcome.added} "
        f"~{outcome.changed} -{outcome.removed}; {len(outcome.alerts)} alerts"
    )
    print(line)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sync", help="fetch the sources' current documents, archive, re-parse and apply them"
    )
    p.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    p.add_argument(
        "--document",
        action="append",
        metavar="PATTERN",
        help="only documents whose data/raw name matches (e.g. '*/ottawa.html'; repeatable)",
    )
    p.add_argument(
        "--from", dest="from_dir", metavar="DIR", help="read stored files laid out like data/raw instead"
    )
    p.add_argument("--base-url", metavar="URL", help="fetch every official address from this mirror instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_sync)

    p = subparsers.add_parser("alerts", help="alert events derived from the sources' deltas")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", help="list alert events")
    a.add_argument("--since", metavar="DATE", help="created on or after DATE")
    a.add_argument("--known-at", metavar="DATE", help="only what the sources had shown by the end of DATE")
    a.add_argument("--kind", help="one alert kind (e.g. denunciation)")
    a.add_argument("--audience", choices=["users", "operators", "all"], default="all")
    a.add_argument("--include-cancelled", action="store_true", help="also scheduled alerts since cancelled")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_alerts_list)
    a = actions.add_parser("deliver", help="send what is due by e-mail and webhook (watch does this too)")
    a.add_argument("--force-digest", action="store_true", help="send the daily digests now")
    a.set_defaults(handler=cmd_alerts_deliver)

    p = subparsers.add_parser("documents", help="the fetched source documents; accept a quarantined one")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", help="newest first, with the reason for any quarantine or failure")
    a.add_argument("--state", choices=["quarantined", "failed", "parsed", "all"], default="quarantined")
    a.add_argument("--limit", type=int, default=50)
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_documents_list)
    a = actions.add_parser(
        "accept",
        help="apply a quarantined document although it failed the plausibility checks (e.g. a real mass withdrawal)",
    )
    a.add_argument("id", type=int, help="the document's id (see `documents list`)")
    a.add_argument("--reason", required=True, help="why: kept with the document and the sync run")
    a.add_argument("--by", help="who decides (default: the login name)")
    a.set_defaults(handler=cmd_documents_accept)

    p = subparsers.add_parser("watch", help="sync, then deliver alerts: once (for cron) or every SECONDS")
    p.add_argument("--source", action="append", metavar="ID")
    p.add_argument("--document", action="append", metavar="PATTERN")
    p.add_argument("--from", dest="from_dir", metavar="DIR")
    p.add_argument("--base-url", metavar="URL")
    p.add_argument("--every", type=int, metavar="SECONDS", help="repeat forever with this period")
    p.add_argument("--progress", action="store_true", help="show a progress bar on a terminal")
    p.set_defaults(handler=cmd_watch)

    p = subparsers.add_parser("subscriptions", help="manage alert subscriptions")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_subscriptions)
    a = actions.add_parser("add")
    a.add_argument("--name", required=True)
    a.add_argument("--user", metavar="USERNAME")
    a.add_argument("--organisation", metavar="SLUG")
    a.add_argument("--state", action="append", help="code or name (repeatable; none = all)")
    a.add_argument("--treaty", action="append", help="treaty slug (repeatable)")
    a.add_argument("--category", action="append", help="treaty category (repeatable)")
    a.add_argument("--kind", action="append", help="alert kind (repeatable)")
    a.add_argument("--email")
    a.add_argument("--webhook", metavar="URL")
    a.add_argument("--language", choices=["en", "fr", "es"], default="en")
    a.add_argument("--operators", action="store_true", help="also receive operator alerts (quarantines)")
    a.set_defaults(handler=cmd_subscriptions)
    a = actions.add_parser("remove")
    a.add_argument("id", type=int)
    a.set_defaults(handler=cmd_subscriptions)
