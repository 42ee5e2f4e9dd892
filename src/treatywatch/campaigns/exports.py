"""Exports of a letter's signatories: CSV, OSDI JSON and a print-ready PDF.

Public exports carry only what the public page shows (listed signatures, no e-mail addresses);
private exports (coordinators, the CLI with --private) carry every signature and its contact.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from treatywatch.campaigns import services
from treatywatch.campaigns.models import Letter, Signature
from treatywatch.campaigns.osdi import petition_json

PUBLIC_COLUMNS = ["number", "name", "kind", "organization_type", "country", "website"]
PRIVATE_COLUMNS = PUBLIC_COLUMNS + [
    "given_name",
    "family_name",
    "email",
    "on_behalf",
    "consent_public",
    "status",
    "source",
    "import_number",
    "confirmed_at",
    "flags",
]


def signatures_for(letter: Letter, *, private: bool) -> list[Signature]:
    if private:
        return list(letter.signatures.order_by("import_number", "name_key", "pk"))
    organisations = list(services.listed(letter, Signature.Kind.ORGANISATION))
    return organisations + list(services.listed(letter, Signature.Kind.INDIVIDUAL))


def _cell(value: Any) -> str:
    """Spreadsheet-safe: a leading = + - @ would run as a formula in Excel/LibreOffice."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def to_csv(letter: Letter, *, private: bool = False) -> str:
    columns = PRIVATE_COLUMNS if private else PUBLIC_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for number, s in enumerate(signatures_for(letter, private=private), start=1):
        row = {
            "number": number,
            "name": s.display_name,
            "kind": s.kind,
            "organization_type": s.organization_type,
            "country": s.country,
            "website": s.website,
            "given_name": s.given_name,
            "family_name": s.family_name,
            "email": s.email,
            "on_behalf": s.on_behalf,
            "consent_public": s.consent_public,
            "status": s.status,
            "source": s.source,
            "import_number": s.import_number,
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else "",
            "flags": "; ".join(f"{f['code']}: {f['reason']}" for f in s.flags),
        }
        if s.kind == Signature.Kind.INDIVIDUAL and not private:
            row["website"] = ""
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()


def to_osdi(letter: Letter, *, private: bool = False, language: str = "en") -> dict[str, Any]:
    return petition_json(letter, signatures_for(letter, private=private), private=private, language=language)


def to_pdf(letter: Letter, *, language: str = "en") -> bytes:
    """The letter and its numbered list, typeset by WeasyPrint with DejaVu fonts (accented names)."""
    from weasyprint import HTML

    html = render_to_string("campaigns/print.html", print_context(letter, language))
    return HTML(string=html).write_pdf()


def print_context(letter: Letter, language: str) -> dict[str, Any]:
    return {
        "letter": letter,
        "text": letter.text_for(language),
        "organisations": list(services.listed(letter, Signature.Kind.ORGANISATION)),
        "individuals": list(services.listed(letter, Signature.Kind.INDIVIDUAL)),
        "generated": timezone.now(),
    }
