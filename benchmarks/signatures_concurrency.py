"""Many organisations signing at once: is every signature stored exactly once, and how fast?

Run:  .venv/bin/python benchmarks/signatures_concurrency.py [--signatures 500] [--workers 40]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/treatywatch_bench .venv/bin/python benchmarks/...
Without DATABASE_URL it uses a throw-away SQLite file (WAL, one writer at a time, retried on
"database is locked"). It starts the site on 127.0.0.1 and a real SMTP server, sends the
submissions from threads over HTTP (each fetches the form, solves the proof of work, posts; every
tenth posts twice, as a browser retry would), then counts what was stored and mailed.
`hammer()` is also what tests/campaigns/test_concurrency.py runs against pytest-django's live_server.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

_CHALLENGE = re.compile(r'name="challenge" value="([^"]+)"')


@dataclass
class LoadResult:
    submissions: int
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.submissions / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.submissions} submissions in {self.seconds:.2f} s = {self.per_second:.1f}/s; "
            f"HTTP statuses {dict(self.statuses)}; errors {len(self.errors)}"
        )


def _submit(client: httpx.Client, slug: str, number: int, bits: int, retry: bool) -> list[int]:
    from treatywatch.campaigns.antispam import solve

    page = client.get(f"/letters/{slug}/")
    page.raise_for_status()
    challenge = _CHALLENGE.search(page.text).group(1)
    data = {
        "csrfmiddlewaretoken": client.cookies["csrftoken"],
        "kind": "organisation",
        "organization": f"Load Test Organisation {number:05d}",
        "organization_type": "ngo",
        "country": "KEN",
        "given_name": "Amina",
        "family_name": f"Tester {number}",
        "email": f"signer{number:05d}@example.org",
        "on_behalf": "on",
        "consent_public": "on",
        "challenge": challenge,
        "pow_nonce": solve(challenge, bits),
        "homepage": "",
    }
    codes = [client.post(f"/letters/{slug}/sign/", data=data).status_code]
    if retry:
        codes.append(client.post(f"/letters/{slug}/sign/", data=data).status_code)
    return codes


def hammer(
    base_url: str, slug: str, *, count: int, workers: int, bits: int, retry_every: int = 10
) -> LoadResult:
    """`count` signatures from `workers` threads; a 302 (to the thanks page) is success."""
    result = LoadResult(count, 0.0)
    lock = threading.Lock()
    local = threading.local()
    clients: list[httpx.Client] = []

    def client() -> httpx.Client:
        """One keep-alive client per thread: building one per request would cost more than the request."""
        if getattr(local, "client", None) is None:
            local.client = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)
            with lock:
                clients.append(local.client)
        return local.client

    def one(number: int) -> None:
        try:
            codes = _submit(client(), slug, number, bits, retry=retry_every > 0 and number % retry_every == 0)
        except Exception as error:  # counted and reported, never hidden
            with lock:
                result.errors.append(f"#{number}: {type(error).__name__}: {error}")
            return
        with lock:
            result.statuses.update(codes)
            result.errors.extend(f"#{number}: HTTP {c}" for c in codes if c != 302)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, range(count)))
    result.seconds = time.perf_counter() - started
    for each in clients:  # close the connections before the server goes away
        each.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=500)
    parser.add_argument("--workers", type=int, default=40)
    parser.add_argument("--bits", type=int, default=8, help="proof-of-work bits the clients solve")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="tw-bench-"))
    os.environ.setdefault("TREATYWATCH_VAR", str(scratch))
    os.environ["DJANGO_SETTINGS_MODULE"] = "treatywatch.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django
    from aiosmtpd.controller import Controller
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    from treatywatch.campaigns.models import Letter, LetterText, Signature

    class Count:
        received = 0

        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
            Count.received += 1
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd needs a concrete port
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Count(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.CAMPAIGNS_POW_BITS, settings.CAMPAIGNS_SIGN_RATE = args.bits, (10**9, 60)
    scratch.mkdir(exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    slug = f"bench-{int(time.time())}"
    letter = Letter.objects.create(slug=slug, title="Benchmark letter", state=Letter.State.OPEN)
    LetterText.objects.create(letter=letter, language="en", title="Benchmark letter", body="Text.")
    connection.close()
    server = LiveServerThread("127.0.0.1", static_handler=_StaticFilesHandler, connections_override={})
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    settings.SITE_URL = base
    result = hammer(base, slug, count=args.signatures, workers=args.workers, bits=args.bits)
    time.sleep(0.5)
    rows = Signature.objects.filter(letter=letter)
    per_email = Counter(rows.values_list("email", flat=True))
    print(f"database: {connection.vendor}; workers: {args.workers}; proof-of-work bits: {args.bits}")
    print(result.line())
    print(
        f"stored {rows.count()} signatures for {len(per_email)} addresses; "
        f"stored more than once: {sum(1 for n in per_email.values() if n > 1)}; "
        f"missing: {args.signatures - len(per_email)}; confirmation mails received: {Count.received}"
    )
    for error in result.errors[:10]:
        print("  error", error)
    server.terminate()
    smtp.stop()
    return 0 if rows.count() == args.signatures and not result.errors else 1


if __name__ == "__main__":
    sys.exit(main())
