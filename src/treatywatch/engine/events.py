"""Depositary actions as immutable events, with the provenance that makes each one traceable.

Pure data: no framework, no I/O. Every other layer (sources, store, web) speaks in these types.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class EventKind(StrEnum):
    """What a state did, in the depositary's own vocabulary."""

    SIGNATURE = "signature"
    RATIFICATION = "ratification"
    ACCEPTANCE = "acceptance"
    APPROVAL = "approval"
    FORMAL_CONFIRMATION = "formal_confirmation"
    ACCESSION = "accession"
    SUCCESSION = "succession"
    DEFINITIVE_SIGNATURE = "definitive_signature"
    CONSENT_TO_BE_BOUND = "consent_to_be_bound"  # CCW protocols: notification of consent (marker P)
    DENUNCIATION = "denunciation"  # a notice of denunciation or withdrawal
    NOTICE_REVOKED = "notice_revoked"  # revocation of such a notice
    CONSENT_WITHDRAWN = "consent_withdrawn"  # instrument withdrawn before it took effect
    RESERVATION = "reservation"
    DECLARATION = "declaration"
    OBJECTION = "objection"
    RESERVATION_WITHDRAWN = "reservation_withdrawn"
    TERRITORIAL_APPLICATION = "territorial_application"
    PROVISIONAL_APPLICATION = "provisional_application"  # applying before being bound (ATT art 23)
    DEROGATION = "derogation"  # notice of derogation in an emergency (ICCPR art 4(3))
    NOT_TO_BECOME_PARTY = "not_to_become_party"  # a signatory's notice (VCLT art 18)
    CEASED_MEMBERSHIP = "ceased_membership"  # loss of membership of an organisation that ends participation


CONSENT_KINDS = frozenset(
    {
        EventKind.RATIFICATION,
        EventKind.ACCEPTANCE,
        EventKind.APPROVAL,
        EventKind.FORMAL_CONFIRMATION,
        EventKind.ACCESSION,
        EventKind.SUCCESSION,
        EventKind.DEFINITIVE_SIGNATURE,
        EventKind.CONSENT_TO_BE_BOUND,
    }
)
TEXT_KINDS = frozenset(
    {
        EventKind.RESERVATION,
        EventKind.DECLARATION,
        EventKind.OBJECTION,
        EventKind.RESERVATION_WITHDRAWN,
        EventKind.TERRITORIAL_APPLICATION,
        EventKind.PROVISIONAL_APPLICATION,
        EventKind.DEROGATION,
    }
)


@dataclass(slots=True)
class Provenance:
    """Where a fact came from: enough to find the bytes it was read from again."""

    source: str  # source id, e.g. "untc_html"
    url: str  # address of the document
    retrieved_at: datetime | None = None
    original: str = ""  # the string the fact was read from, verbatim
    document_sha256: str = ""
    trust: str = "primary"  # "primary", "secondary" or "derived" (lower trust)


@dataclass(slots=True)
class Event:
    """One depositary action. Treated as immutable; not frozen only because folding the whole
    dataset must stay fast (frozen dataclasses pay for every field on construction).

    `date` is the deposit date (or the date a notice was received); `effective_date` is only the date a
    source itself states for the action taking effect: the engine derives the rest from the clauses.
    """

    treaty: str
    state: str
    kind: EventKind
    date: date | None
    provenance: Provenance
    effective_date: date | None = None
    territory: str = ""
    text: str = ""
    cn_symbol: str = ""
    verified: bool = True
    note: str = ""
    date_precision: str = (
        "day"  # "month" or "year" when a source knows no more: `date` is then the period's last day
    )
    event_id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.event_id:
            self.event_id = self.content_id()

    def content_id(self) -> str:
        """Stable id from the legal content, so an unchanged fact keeps its id across runs and sources."""
        parts = [
            self.treaty,
            self.state,
            str(self.kind),
            self.date.isoformat() if self.date else "",
            self.effective_date.isoformat() if self.effective_date else "",
            self.territory,
            " ".join(self.text.split())[:2000],
            self.provenance.source,
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]

    @property
    def is_consent(self) -> bool:
        return self.kind in CONSENT_KINDS
