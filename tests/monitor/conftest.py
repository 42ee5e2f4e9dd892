"""Real components for the monitoring tests: an SMTP server, HTTP servers and a webhook receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from treatywatch.sources.registry import RAW_DIR

OTTAWA = "untc-mgaldino-2026/arms_control/html/ottawa.html"
OTTAWA_URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26&clang=_en"
FIXTURES = Path(__file__).parent / "fixtures"
BEFORE_2025 = FIXTURES / "ottawa-before-2025"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Participants and treaties once per session: every sync needs them, loading them takes a second."""
    from treatywatch.store.loading import sync_reference_data

    with django_db_blocker.unblock():
        sync_reference_data()


@pytest.fixture(autouse=True)
def _empty_store(empty_store) -> None:
    """Every test here starts from an empty store (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def _isolated_dirs(settings, tmp_path: Path) -> None:
    settings.ARCHIVE_DIR = tmp_path / "archive"
    settings.VAR_DIR = tmp_path / "var"
    settings.SITE_URL = "http://testserver"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test users only


@dataclass(frozen=True)
class Pages:
    """The real Ottawa page, the derived pre-2025 one, and folders laid out like data/raw holding either."""

    root: Path
    name: str = OTTAWA
    url: str = OTTAWA_URL

    @property
    def real(self) -> bytes:
        return (RAW_DIR / OTTAWA).read_bytes()

    @property
    def before_2025(self) -> bytes:
        return (BEFORE_2025 / OTTAWA).read_bytes()

    def folder(self, label: str, content: bytes, name: str = OTTAWA) -> Path:
        """A fresh folder `label` holding `content` under `name` (for `sync --from`)."""
        folder = self.root / label
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return folder


@pytest.fixture
def pages(tmp_path: Path) -> Pages:
    return Pages(tmp_path / "pages")


# -- SMTP --------------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def subjects(self, address: str) -> list[str]:
        """Decoded subjects (a folded encoded-word header parses with leading white space)."""
        return [" ".join(str(m["Subject"]).split()) for m in self.to(address)]


@pytest.fixture
def smtp(settings) -> Iterator[Mailbox]:
    """A real SMTP server on a free local port; Django's SMTP backend sends to it."""
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield mailbox
    finally:
        controller.stop()


# -- HTTP --------------------------------------------------------------------------------------------


class LocalServer:
    """`http.server` in a thread; `handler(path, body, headers) -> (status, bytes)` answers each request."""

    def __init__(self, handler: Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]) -> None:
        self.requests: list[tuple[str, str, bytes, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()}
                outer.requests.append((self.command, self.path, body, headers))
                status, content = handler(self.path, body, headers)
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server() -> Iterator[Callable[..., LocalServer]]:
    servers: list[LocalServer] = []

    def start(handler: Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]) -> LocalServer:
        servers.append(LocalServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@dataclass
class WebhookReceiver:
    """Accepts a POST only when its HMAC-SHA256 signature matches the subscription's secret."""

    secret: str = ""
    fail_next: int = 0  # answer 500 to this many requests first
    accepted: list[dict] = field(default_factory=list)
    rejected: int = 0

    def __call__(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.fail_next:
            self.fail_next -= 1
            return 500, b"down for a moment"
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-TreatyWatch-Signature", "")):
            self.rejected += 1
            return 401, b"bad signature"
        self.accepted.append(json.loads(body))
        return 204, b""


@pytest.fixture
def receiver() -> WebhookReceiver:
    return WebhookReceiver()
