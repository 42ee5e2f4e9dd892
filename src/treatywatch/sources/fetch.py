"""Fetching documents from the publishers' official addresses, politely and patiently.

Fetching is kept apart from parsing: this module only turns an address into a `Document` (bytes plus
retrieval time). It identifies itself, waits at least `min_interval` seconds between two requests to
the same host, and retries timeouts, connection failures and 5xx answers with exponential backoff.
`base_url` redirects every official address to a mirror (a local server in tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit, urlunsplit

import httpx

from treatywatch.sources.base import Document

CONTACT = "https://github.com/treatywatch/treatywatch"


def user_agent() -> str:
    try:
        release = version("treatywatch")
    except PackageNotFoundError:  # running from a source tree that was never installed
        release = "dev"
    return f"TreatyWatch/{release} (+{CONTACT})"


class FetchError(RuntimeError):
    """The document could not be fetched, after the retries; the message names the address and why."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


def redirect(url: str, base_url: str | None) -> str:
    """The official address moved onto `base_url` (scheme, host and path prefix), keeping path and query."""
    if not base_url:
        return url
    official = urlsplit(url)
    mirror = urlsplit(base_url.rstrip("/"))
    return urlunsplit((mirror.scheme, mirror.netloc, mirror.path + official.path, official.query, ""))


class Fetcher:
    """One HTTP client for a sync run: identifies itself, rate-limits per host, retries with backoff."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 2.0,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.retries = retries
        self.backoff = backoff
        self.min_interval = min_interval
        self._clock, self._sleep = clock, sleep
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self.attempts: list[tuple[str, str]] = []  # (address, outcome) for the run report
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": user_agent(), "Accept": "text/html,application/xml;q=0.9,*/*;q=0.5"},
            follow_redirects=True,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def _wait_turn(self, host: str) -> None:
        """At most one request per `min_interval` seconds to each host."""
        with self._lock:
            last = self._last_request.get(host)
            if last is not None:
                wait = self.min_interval - (self._clock() - last)
                if wait > 0:
                    self._sleep(wait)
            self._last_request[host] = self._clock()

    def fetch(self, url: str, *, source: str, name: str = "") -> Document:
        """GET the document at `url` (or its mirror); raises FetchError once the retries are spent."""
        address = redirect(url, self.base_url)
        host = urlsplit(address).netloc
        reason = "no attempt made"
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            self._wait_turn(host)
            try:
                response = self.client.get(address)
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as error:
                reason = f"connection failed ({type(error).__name__}: {error})"
            else:
                if response.status_code >= 500:
                    reason = f"server error {response.status_code}"
                elif response.status_code >= 400:
                    self.attempts.append((address, f"HTTP {response.status_code}"))
                    raise FetchError(address, f"HTTP {response.status_code} (not retried)")
                else:
                    self.attempts.append((address, "ok"))
                    return Document(
                        source=source,
                        url=url,
                        content=response.content,
                        retrieved_at=datetime.now(UTC),
                        name=name,
                    )
            self.attempts.append((address, reason))
        raise FetchError(address, f"{reason} after {self.retries + 1} attempts")
