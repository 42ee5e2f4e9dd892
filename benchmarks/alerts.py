"""Alert figures, measured end to end on this machine with real local components.

1. Latency: the Ottawa page changes on a (local) publisher's server -> `watch` cycle fetches it over HTTP,
   archives, parses, applies, derives the alerts -> e-mails received by a real SMTP server and signed
   webhooks received by a real HTTP receiver. Printed: seconds from the change to the last delivery.
2. Fan-out: one urgent alert to 1,000 subscribers (each with e-mail and webhook): deliveries per second.

Runs in a throw-away SQLite database and archive under a temporary folder (never the project's data):

    .venv/bin/python benchmarks/alerts.py [--subscribers 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OTTAWA = "untc-mgaldino-2026/arms_control/html/ottawa.html"
BEFORE = REPO / "tests" / "monitor" / "fixtures" / "ottawa-before-2025" / OTTAWA
REAL = REPO / "data" / "raw" / OTTAWA
OTTAWA_PATH = "/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26&clang=_en"


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.lock = threading.Lock()

    def hit(self) -> None:
        with self.lock:
            self.count += 1
            self.last = time.perf_counter()


def start_http(handler_factory) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_factory)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def publisher(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = pages["current"]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return start_http(Handler)


def receiver(counter: Counter) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            counter.hit()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return start_http(Handler)


def smtp_server(counter: Counter):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            counter.hit()
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="treatywatch-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(TREATYWATCH_VAR=str(workdir), DJANGO_SETTINGS_MODULE="treatywatch.settings")
    mails, hooks = Counter(), Counter()
    controller, smtp_port = smtp_server(mails)
    os.environ.update(TREATYWATCH_EMAIL_HOST="127.0.0.1", TREATYWATCH_EMAIL_PORT=str(smtp_port))
    try:
        run(args.subscribers, workdir, mails, hooks)
    finally:
        controller.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run(subscribers: int, workdir: Path, mails: Counter, hooks: Counter) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from treatywatch.monitor.cycle import run_once
    from treatywatch.monitor.delivery import plan, send_emails, send_webhooks
    from treatywatch.monitor.models import Alert, Subscription
    from treatywatch.sources.fetch import Fetcher
    from treatywatch.store.loading import sync_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    sync_reference_data()
    pages = {"current": BEFORE.read_bytes()}
    site, hook = publisher(pages), receiver(hooks)
    base_url = f"http://127.0.0.1:{site.server_address[1]}"
    hook_url = f"http://127.0.0.1:{hook.server_address[1]}/hook"
    user = get_user_model().objects.create_user("bench", "bench@example.org", "x")
    Subscription.objects.create(user=user, name="Ottawa", treaties=["ottawa"], webhook_url=hook_url)
    options = {
        "source_ids": ["untc_html"],
        "documents": ["*/ottawa.html"],
        "base_url": base_url,
        "fetcher_factory": lambda: Fetcher(base_url=base_url),
    }

    run_once(**options)  # the baseline: the page before the notices
    pages["current"] = REAL.read_bytes()
    changed = time.perf_counter()
    result = run_once(**options)
    delivered = max(mails.last, hooks.last)
    print(
        f"latency: page changed -> {mails.count} e-mails and {hooks.count} webhooks delivered in "
        f"{delivered - changed:.2f} s (one watch cycle over HTTP: fetch, archive, parse, apply, alert, send; "
        f"{result['sync']['alerts']} alerts)"
    )

    mails.count = hooks.count = 0
    owners = [get_user_model()(username=f"u{i}", email=f"u{i}@example.org") for i in range(subscribers)]
    get_user_model().objects.bulk_create(owners)
    owners = list(get_user_model().objects.filter(username__startswith="u"))
    Subscription.objects.bulk_create(
        Subscription(
            user=o,
            name=f"sub {o.pk}",
            states=["POL"],
            webhook_url=hook_url,
            feed_token=f"t{o.pk}",
            webhook_secret=f"s{o.pk}",
        )
        for o in owners
    )
    now = timezone.now()
    Alert.objects.create(
        key="bench:urgent",
        kind="denunciation",
        urgent=True,
        state="POL",
        treaty="ottawa",
        first_seen=now,
        created_at=now,
    )
    started = time.perf_counter()
    planned = plan(now=now, today=now.date())
    planned_at = time.perf_counter()
    emails = send_emails(now=now).emails
    emailed_at = time.perf_counter()
    webhooks = send_webhooks(now=now).webhooks
    done = time.perf_counter()
    print(
        f"fan-out to {subscribers} subscribers: planned {planned} deliveries in {planned_at - started:.2f} s; "
        f"{emails} e-mails in {emailed_at - planned_at:.2f} s ({emails / (emailed_at - planned_at):.0f}/s); "
        f"{webhooks} webhooks in {done - emailed_at:.2f} s ({webhooks / (done - emailed_at):.0f}/s); "
        f"overall {(emails + webhooks) / (done - started):.0f} deliveries/s"
    )
    if mails.count < emails or hooks.count < webhooks:
        sys.exit(f"only {mails.count} e-mails and {hooks.count} webhooks arrived")


if __name__ == "__main__":
    main()
