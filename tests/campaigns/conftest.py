"""Shared fixtures for the sign-on letter tests: a real SMTP server, letters, coordinators, forms."""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from treatywatch.campaigns import antispam
from treatywatch.campaigns.models import Letter, LetterText

LINK = re.compile(r"https?://\S+/confirm/\S+/")


@dataclass
class Inbox:
    """Messages received by the aiosmtpd server, in arrival order."""

    port: int
    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd hook name)
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(message: Message) -> str:
        payload = message.get_payload(decode=True)
        return payload.decode(message.get_content_charset() or "utf-8")

    def confirmation_link(self, address: str) -> str:
        found = LINK.search(self.body(self.to(address)[-1]))
        assert found, "no confirmation link in the message"
        return found.group(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 and Django configured to send through it."""
    inbox = Inbox(port=_free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """The rate-limit counters live in the shared cache: each test starts with none."""
    from django.core.cache import caches

    caches["shared"].clear()
    yield
    caches["shared"].clear()


def make_letter(slug: str = "protect-refugees", *, state: str = Letter.State.OPEN, **extra) -> Letter:
    letter = Letter.objects.create(
        slug=slug,
        title="Protect refugees",
        state=state,
        target_body="UN Member States",
        treaty_asks=[{"treaty": "refugee-1951", "ask": "accede"}],
        **extra,
    )
    LetterText.objects.create(
        letter=letter,
        language="en",
        title="Protect refugees",
        body="We call on states to accede.\n\n- Accede to the 1951 Convention.",
        asks="Accede to the 1951 Convention.",
    )
    LetterText.objects.create(
        letter=letter,
        language="fr",
        title="Protéger les réfugiés",
        body="Nous appelons les États à adhérer.",
        asks="Adhérer à la Convention de 1951.",
    )
    return letter


@pytest.fixture
def letter(db) -> Letter:
    return make_letter()


@pytest.fixture
def fast_pow(settings) -> int:
    """Few proof-of-work bits so Python clients solve it instantly (the check itself is unchanged)."""
    settings.CAMPAIGNS_POW_BITS = 6
    return 6


def form_challenge(html: str) -> str:
    node = HTMLParser(html).css_first("input[name=challenge]")
    assert node is not None, "no signing form on the page"
    return node.attributes["value"]


def signing_post(
    challenge: str,
    *,
    organization: str = "Refugee Rights Network",
    email_address: str = "a@example.org",
    bits: int | None = 6,
    **overrides,
) -> dict[str, str]:
    """A complete form submission; `bits` None leaves the proof of work empty (the no-JavaScript path)."""
    data = {
        "kind": "organisation",
        "organization": organization,
        "organization_type": "ngo",
        "country": "AUS",
        "website": "https://example.org",
        "given_name": "Ana",
        "family_name": "García",
        "email": email_address,
        "on_behalf": "on",
        "consent_public": "on",
        "challenge": challenge,
        "pow_nonce": antispam.solve(challenge, bits) if bits is not None else "",
        antispam.HONEYPOT_FIELD: "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def kit(db):
    """The helpers above, as a fixture (test modules cannot import conftest under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(make_letter=make_letter, form_challenge=form_challenge, signing_post=signing_post)
