"""Whole public pages kept per data version.

A public page is the same for every anonymous reader of an address, in one language, until the
data changes: only the first reader pays for folding and rendering it (a matrix page on a new date
costs 30-60 ms; a kept one under 1 ms). The key holds the data version, so a correction or a sync
shows at once, and today's date, so a page that defaults to "today" turns over at midnight.

Readers with a session (editors, people just told something by the messages framework) always get
a fresh page: nothing addressed to one person is ever kept or shown to another.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from treatywatch.store.service import recent_data_version

ACCEPTS_GZIP = re.compile(r"\bgzip\b")
KEPT_HEADERS = ("Content-Type", "Content-Encoding", "Content-Language", "Vary", "ETag")


def _personal(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


def page_key(request: HttpRequest) -> str:
    gzip = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    parts = (
        recent_data_version(),
        date.today().isoformat(),
        get_language(),
        str(gzip),
        request.get_full_path(),
    )
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep the view's successful, complete, cookie-free answers to anonymous GET and HEAD requests."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or _personal(request):
            return view(request, *args, **kwargs)
        store = caches["pages"]
        key = page_key(request)
        kept = store.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            store.set(key, (response.content, headers))
        return response

    return wrapper
