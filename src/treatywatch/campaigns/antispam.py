"""Keeping bots off the signing form without a third-party CAPTCHA.

Every form carries a *challenge*: a random value signed with the site key and a timestamp
(TimestampSigner), so the server keeps no state until a signature arrives. Two ways to pass:

* with JavaScript, the browser (static/campaigns/pow.js) finds a nonce such that
  SHA-256(challenge + ":" + nonce) starts with CAMPAIGNS_POW_BITS zero bits (~65,000 hashes at 16
  bits: a fraction of a second for a person, a real cost for a bot sending thousands);
* without JavaScript, the form must have been open at least CAMPAIGNS_MIN_FORM_SECONDS (bots post
  instantly) and the hidden honeypot field must stay empty.

Either way the challenge is single-use: its hash is the signature's unique `submission_key`. The
trade-off (docs/campaigns.md): the no-JavaScript path is cheaper for a determined bot, which is
why e-mail confirmation, not the form, is what puts a name on the public list.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest

from treatywatch.campaigns.services import settings_value

SALT = "treatywatch.campaigns.form"
HONEYPOT_FIELD = "homepage"  # named to tempt form-filling bots; real users never see it


class SpamCheckFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue_challenge(letter_slug: str) -> str:
    issued_ms = int(time.time() * 1000)  # the signer's own timestamp has whole seconds only
    return signing.TimestampSigner(salt=SALT).sign(f"{letter_slug}:{secrets.token_urlsafe(12)}:{issued_ms}")


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def solve(challenge: str, bits: int) -> str:
    """What pow.js does, in Python: used by the load benchmark and the tests' HTTP clients."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def check(letter_slug: str, challenge: str, nonce: str, honeypot: str) -> str:
    """Which check the submission passed ("pow" or "timetrap"); raises SpamCheckFailed otherwise."""
    if honeypot:
        raise SpamCheckFailed("honeypot")
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(challenge, max_age=settings_value("CAMPAIGNS_MAX_FORM_AGE"))
    except signing.SignatureExpired:
        raise SpamCheckFailed("expired") from None
    except signing.BadSignature:
        raise SpamCheckFailed("tampered") from None
    if not value.startswith(f"{letter_slug}:"):
        raise SpamCheckFailed("tampered")
    if nonce:
        if len(nonce) > 20 or not nonce.isdigit():
            raise SpamCheckFailed("bad proof of work")
        digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
        if leading_zero_bits(digest) < settings_value("CAMPAIGNS_POW_BITS"):
            raise SpamCheckFailed("bad proof of work")
        return "pow"
    issued_ms = value.rsplit(":", 1)[-1]
    if not issued_ms.isdigit() or time.time() - int(issued_ms) / 1000 < settings_value(
        "CAMPAIGNS_MIN_FORM_SECONDS"
    ):
        raise SpamCheckFailed("too fast")
    return "timetrap"


def client_address(request: HttpRequest) -> str:
    header = settings_value("CAMPAIGNS_CLIENT_ADDRESS_HEADER")
    value = request.META.get(header) or request.META.get("REMOTE_ADDR", "")
    return value.split(",")[0].strip()


def over_rate_limit(request: HttpRequest, action: str) -> bool:
    """Fixed-window counter in the shared cache: CAMPAIGNS_SIGN_RATE = (submissions, seconds)."""
    limit, window = settings_value("CAMPAIGNS_SIGN_RATE")
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:24]  # no raw IP kept in the cache
    key = f"campaigns:rate:{action}:{address}"
    cache = caches["shared"]  # one count across every server process
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit
