"""What happens to letters and signatures, in one place for the views, the admin and the CLI.

Writes go through `run_write`: one transaction, retried when SQLite reports a lock, serialised per
process on SQLite (a single writer is all SQLite allows; queuing in-process avoids lock storms).
Uniqueness is enforced by the database (`submission_key`, one signature per contact and name), so
a replayed or concurrent submission finds the stored row instead of creating a second one.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from treatywatch.campaigns import dedupe
from treatywatch.campaigns.models import Delivery, DuplicateCandidate, Letter, Signature

log = logging.getLogger(__name__)
T = TypeVar("T")

_SQLITE_WRITER = threading.RLock()
CONFIRM_SALT = "treatywatch.campaigns.confirm"
WRITE_ATTEMPTS = 10


class TransitionError(ValueError):
    """A letter state change that makes no sense (closing a draft, reopening a delivered letter)."""


def run_write(work: Callable[[], T]) -> T:
    """Run `work` in a transaction; retry on SQLite's "database is locked"; never half-apply."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with _SQLITE_WRITER if connection.vendor == "sqlite" else nullcontext(), transaction.atomic():
                return work()
        except OperationalError as error:
            if "locked" not in str(error) or attempt == WRITE_ATTEMPTS - 1 or connection.in_atomic_block:
                raise
            time.sleep(min(0.02 * 2**attempt, 1.0) * (0.5 + random.random()))
    raise AssertionError("unreachable")


# --- who may coordinate -------------------------------------------------------------------------


def coordinates(user: Any, letter: Letter) -> bool:
    """Superusers, holders of `coordinate_all_letters`, the letter's coordinators and its group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.has_perm("campaigns.coordinate_all_letters"):
        return True
    if letter.coordinators.filter(pk=user.pk).exists():
        return True
    return (
        letter.coordinator_group_id is not None
        and user.groups.filter(pk=letter.coordinator_group_id).exists()
    )


def coordinated_letters(user: Any) -> QuerySet[Letter]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Letter.objects.none()
    if user.is_superuser or user.has_perm("campaigns.coordinate_all_letters"):
        return Letter.objects.all()
    return Letter.objects.filter(Q(coordinators=user) | Q(coordinator_group__in=user.groups.all())).distinct()


# --- letter life cycle --------------------------------------------------------------------------

_TRANSITIONS = {
    "open": ({Letter.State.DRAFT, Letter.State.CLOSED}, Letter.State.OPEN),
    "close": ({Letter.State.OPEN}, Letter.State.CLOSED),
    "reopen": ({Letter.State.CLOSED}, Letter.State.OPEN),
}


def change_state(letter: Letter, action: str) -> Letter:
    allowed, target = _TRANSITIONS[action]
    if letter.state not in allowed:
        raise TransitionError(
            f"cannot {action} letter {letter.slug!r}: it is {letter.get_state_display().lower()}"
        )
    if not letter.texts.exists():
        raise TransitionError(f"letter {letter.slug!r} has no text yet")
    letter.state = target
    if target == Letter.State.OPEN:
        letter.opened_at = letter.opened_at or timezone.now()
        letter.closed_at = None
    else:
        letter.closed_at = timezone.now()
    run_write(lambda: letter.save(update_fields=["state", "opened_at", "closed_at"]))
    return letter


def record_delivery(
    letter: Letter, *, delivered_on, recipient: str, method: str, note: str = "", user: Any = None
) -> Delivery:
    """A delivery closes the letter and keeps the count delivered, for the public record."""
    if letter.state == Letter.State.DRAFT:
        raise TransitionError(f"letter {letter.slug!r} is a draft: open it for signature first")
    if method not in Delivery.Method.values:
        raise TransitionError(
            f"unknown delivery method {method!r}: use one of {', '.join(Delivery.Method.values)}"
        )

    def work() -> Delivery:
        delivery = Delivery.objects.create(
            letter=letter,
            delivered_on=delivered_on,
            recipient=recipient,
            method=method,
            note=note,
            signatory_count=listed(letter).count(),
            recorded_by=user if getattr(user, "pk", None) else None,
        )
        letter.state = Letter.State.DELIVERED
        letter.closed_at = letter.closed_at or timezone.now()
        letter.save(update_fields=["state", "closed_at"])
        return delivery

    return run_write(work)


# --- the public list ----------------------------------------------------------------------------


def listed(letter: Letter, kind: str | None = None) -> QuerySet[Signature]:
    """Confirmed signatures whose signers agreed to be listed, minus undecided probable duplicates."""
    held_back = DuplicateCandidate.objects.filter(
        letter=letter, relation=DuplicateCandidate.Relation.SAME, decision=DuplicateCandidate.Decision.OPEN
    ).values("second")
    rows = letter.signatures.filter(status=Signature.Status.CONFIRMED, consent_public=True).exclude(
        pk__in=held_back
    )
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("import_number", "name_key", "pk")


# --- signing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    signature: Signature
    created: bool  # False: this form or this contact+organisation was already stored


def submission_key(challenge: str) -> str:
    return hashlib.sha256(challenge.encode()).hexdigest()


def submit_signature(letter: Letter, data: dict[str, Any], *, key: str, anti_spam: str) -> Outcome:
    """Store a signature exactly once, whatever the concurrency or the retries."""
    display = (
        data["organization"]
        if data["kind"] == Signature.Kind.ORGANISATION
        else (f"{data['given_name']} {data['family_name']}")
    )
    fields = dict(data, name_key=dedupe.name_key(display), email=data["email"].strip().lower())

    def existing() -> Signature | None:
        return (
            Signature.objects.filter(submission_key=key).first()
            or Signature.objects.filter(
                letter=letter, email=fields["email"], name_key=fields["name_key"]
            ).first()
        )

    def work() -> Outcome:
        found = existing()
        if found is not None:
            return Outcome(found, False)
        signature = Signature.objects.create(
            letter=letter, submission_key=key, anti_spam=anti_spam, source=Signature.Source.FORM, **fields
        )
        return Outcome(signature, True)

    try:
        outcome = run_write(work)
    except IntegrityError:  # a concurrent request stored the same form or contact first
        found = existing()
        if found is None:
            raise
        outcome = Outcome(found, False)
    if outcome.created:
        try:
            run_write(lambda: record_candidates(outcome.signature))
        except OperationalError:  # the signature is stored; the coordinator can re-scan
            log.exception("duplicate scan failed for signature %s", outcome.signature.pk)
    return outcome


def record_candidates(signature: Signature) -> list[DuplicateCandidate]:
    """Compare one signature with the letter's others and store what a coordinator should see."""
    others = (
        Signature.objects.filter(letter_id=signature.letter_id)
        .exclude(pk=signature.pk)
        .exclude(status__in=[Signature.Status.REJECTED, Signature.Status.MERGED])
    )
    pool = [
        (pk, Signature(kind=kind, organization=org, given_name=given, family_name=family).display_name)
        for pk, kind, org, given, family in others.values_list(
            "pk", "kind", "organization", "given_name", "family_name"
        )
    ]
    stored = []
    for other_pk, match in dedupe.matches_for(signature.display_name, pool):
        first, second = sorted((int(other_pk), signature.pk))  # type: ignore[call-overload]
        candidate, _ = DuplicateCandidate.objects.get_or_create(
            first_id=first,
            second_id=second,
            defaults={
                "letter": signature.letter,
                "relation": match.relation,
                "score": match.score,
                "reason": match.reason[:300],
            },
        )
        stored.append(candidate)
    return stored


def rescan(letter: Letter) -> int:
    """Re-run the duplicate scan over a whole letter (after an import or a failed scan)."""
    rows = list(letter.signatures.exclude(status__in=[Signature.Status.REJECTED, Signature.Status.MERGED]))
    pairs = dedupe.find_pairs([s.display_name for s in rows])

    def work() -> int:
        made = 0
        for pair in pairs:
            first, second = sorted((rows[pair.first].pk, rows[pair.second].pk))
            _, created = DuplicateCandidate.objects.get_or_create(
                first_id=first,
                second_id=second,
                defaults={
                    "letter": letter,
                    "relation": pair.match.relation,
                    "score": pair.match.score,
                    "reason": pair.match.reason[:300],
                },
            )
            made += created
        return made

    return run_write(work)


# --- e-mail confirmation ------------------------------------------------------------------------


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def confirmation_token(signature: Signature) -> str:
    """Signed, time-stamped; bound to the address so an edited address needs a new link."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    return signer.sign(f"{signature.pk}.{_email_digest(signature.email)}")


class BadToken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature_for_token(letter: Letter, token: str) -> Signature:
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        value = signer.unsign(token, max_age=settings_value("CAMPAIGNS_CONFIRM_MAX_AGE"))
    except signing.SignatureExpired:
        raise BadToken("expired") from None
    except signing.BadSignature:
        raise BadToken("invalid") from None
    pk, _, digest = value.partition(".")
    signature = letter.signatures.filter(pk=int(pk)).first() if pk.isdigit() else None
    if signature is None or _email_digest(signature.email) != digest:
        raise BadToken("invalid")
    return signature


def send_confirmation(signature: Signature, base_url: str) -> bool:
    """Send the confirmation link; False (and logged) when the mail server refuses: nothing is lost."""
    letter = signature.letter
    link = base_url.rstrip("/") + reverse(
        "campaigns:confirm", kwargs={"slug": letter.slug, "token": confirmation_token(signature)}
    )
    text = letter.text_for(translation.get_language() or letter.language)
    context = {
        "signature": signature,
        "letter": letter,
        "title": text.title if text else letter.title,
        "link": link,
        "days": settings_value("CAMPAIGNS_CONFIRM_MAX_AGE") // 86400,
    }
    subject = render_to_string("campaigns/email/confirm_subject.txt", context).strip()
    body = render_to_string("campaigns/email/confirm_body.txt", context)
    try:
        send_mail(subject, body, None, [signature.email], fail_silently=False)
    except Exception as error:  # smtplib raises OSError or SMTPException subclasses
        log.warning("confirmation mail to signature %s not sent: %s", signature.pk, error)
        return False
    run_write(lambda: Signature.objects.filter(pk=signature.pk).update(confirmation_sent_at=timezone.now()))
    return True


def confirm(signature: Signature) -> Signature:
    def work() -> Signature:
        row = Signature.objects.select_for_update().get(pk=signature.pk)
        if row.status == Signature.Status.PENDING:
            row.status = Signature.Status.CONFIRMED
            row.confirmed_at = timezone.now()
            row.save(update_fields=["status", "confirmed_at"])
        return row

    return run_write(work)


# --- coordinator decisions ----------------------------------------------------------------------


def set_status(signature: Signature, status: str) -> Signature:
    if status not in {Signature.Status.CONFIRMED, Signature.Status.HELD, Signature.Status.REJECTED}:
        raise TransitionError(f"a coordinator cannot set status {status!r}")
    signature.status = status
    if status == Signature.Status.CONFIRMED and signature.confirmed_at is None:
        signature.confirmed_at = timezone.now()
    signature.merged_into = None
    run_write(lambda: signature.save(update_fields=["status", "confirmed_at", "merged_into"]))
    return signature


_FILLABLE = ("organization_type", "given_name", "family_name", "email", "country", "website")


def merge(keep: Signature, drop: Signature, user: Any = None) -> Signature:
    """Fold `drop` into `keep`: blanks of `keep` are filled, `drop` stays on record as merged."""
    if keep.letter_id != drop.letter_id or keep.pk == drop.pk:
        raise TransitionError("only two different signatures of the same letter can be merged")

    def work() -> Signature:
        for field in _FILLABLE:
            if not getattr(keep, field) and getattr(drop, field) and field != "email":
                setattr(keep, field, getattr(drop, field))
        if drop.status == Signature.Status.CONFIRMED and keep.status in {
            Signature.Status.PENDING,
            Signature.Status.HELD,
        }:
            keep.status, keep.confirmed_at = Signature.Status.CONFIRMED, drop.confirmed_at
        keep.consent_public = keep.consent_public or drop.consent_public
        keep.save()
        drop.status, drop.merged_into = Signature.Status.MERGED, keep
        drop.save(update_fields=["status", "merged_into"])
        DuplicateCandidate.objects.filter(
            Q(first=keep, second=drop) | Q(first=drop, second=keep), decision=DuplicateCandidate.Decision.OPEN
        ).update(
            decision=DuplicateCandidate.Decision.MERGED,
            decided_by=user if getattr(user, "pk", None) else None,
            decided_at=timezone.now(),
        )
        return keep

    return run_write(work)


def keep_apart(candidate: DuplicateCandidate, user: Any = None) -> DuplicateCandidate:
    candidate.decision = DuplicateCandidate.Decision.DISTINCT
    candidate.decided_by = user if getattr(user, "pk", None) else None
    candidate.decided_at = timezone.now()
    run_write(lambda: candidate.save(update_fields=["decision", "decided_by", "decided_at"]))
    return candidate


# --- settings with documented defaults (docs/campaigns.md) -------------------------------------

DEFAULTS: dict[str, Any] = {
    "CAMPAIGNS_CONFIRM_MAX_AGE": 7 * 86400,  # seconds a confirmation link stays valid
    "CAMPAIGNS_SIGN_RATE": (20, 3600),  # signature submissions per client address per window (s)
    "CAMPAIGNS_POW_BITS": 16,  # leading zero bits the browser's SHA-256 proof of work must reach
    "CAMPAIGNS_MIN_FORM_SECONDS": 4,  # without JavaScript: the form must have been open this long
    "CAMPAIGNS_MAX_FORM_AGE": 6 * 3600,  # a form (its challenge) expires after this many seconds
    "CAMPAIGNS_CLIENT_ADDRESS_HEADER": "REMOTE_ADDR",  # e.g. HTTP_X_REAL_IP behind a trusted proxy
}


def settings_value(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
