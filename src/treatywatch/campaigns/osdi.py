"""OSDI petition/signature JSON, so a list moves to and from Action Network (docs/campaigns.md).

OSDI has no organisation on a signature: the organisation fields travel as person custom fields
(`organization`, `organization_type`, `website`, `on_behalf`, `consent_public`, `signatory_kind`),
which is where Action Network keeps custom form fields. Countries are ISO 3166-1 alpha-2 in OSDI.
"""

from __future__ import annotations

from typing import Any

from treatywatch.campaigns.dedupe import alpha2_codes
from treatywatch.campaigns.models import Letter, Signature

ORIGIN = "TreatyWatch"
_TRUE = {"true", "yes", "1", "y", "on"}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def signature_json(signature: Signature, *, private: bool) -> dict[str, Any]:
    person: dict[str, Any] = {
        "given_name": signature.given_name,
        "family_name": signature.family_name,
        "custom_fields": {
            "signatory_kind": signature.kind,
            "organization": signature.organization,
            "organization_type": signature.organization_type,
            "website": signature.website,
            "on_behalf": "true" if signature.on_behalf else "false",
            "consent_public": "true" if signature.consent_public else "false",
        },
    }
    if signature.country:
        person["postal_addresses"] = [{"primary": True, "country": alpha2_codes().get(signature.country, "")}]
    if private and signature.email:
        person["email_addresses"] = [{"primary": True, "address": signature.email}]
    record: dict[str, Any] = {
        "identifiers": [f"treatywatch:signature-{signature.pk}"],
        "origin_system": ORIGIN,
        "created_date": _iso(signature.created_at),
        "modified_date": _iso(signature.confirmed_at or signature.created_at),
        "person": person,
    }
    if signature.import_number is not None:
        record["treatywatch:number"] = signature.import_number
    if private:
        record["treatywatch:status"] = signature.status
    return record


def petition_json(
    letter: Letter, signatures: list[Signature], *, private: bool, language: str
) -> dict[str, Any]:
    from treatywatch.knowledge.participants import UnknownParticipantError, load_registry

    text = letter.text_for(language)
    registry = load_registry()
    targets = [{"name": letter.target_body}] if letter.target_body else []
    for code in letter.target_states:
        try:
            targets.append({"name": registry.get(code).name, "treatywatch:code": code})
        except UnknownParticipantError:
            targets.append({"name": code, "treatywatch:code": code})
    return {
        "osdi:petition": {
            "identifiers": [f"treatywatch:letter-{letter.slug}"],
            "origin_system": ORIGIN,
            "title": text.title if text else letter.title,
            "description": text.body if text else "",
            "petition_text": "\n".join(text.ask_list()) if text else "",
            "target": targets,
            "created_date": _iso(letter.created_at),
            "end_date": _iso(letter.deadline),
            "total_signatures": len(signatures),
            "treatywatch:treaty_asks": letter.treaty_asks,
            "_embedded": {"osdi:signatures": [signature_json(s, private=private) for s in signatures]},
        }
    }


def signature_fields(record: dict[str, Any]) -> dict[str, Any]:
    """One OSDI signature -> our field names (the inverse of `signature_json`)."""
    person = record["person"]
    custom = {**(record.get("custom_fields") or {}), **(person.get("custom_fields") or {})}
    emails = person.get("email_addresses") or []
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else {})
    addresses = person.get("postal_addresses") or []
    alpha2 = next((a.get("country", "") for a in addresses if a.get("country")), "")
    alpha3 = {v: k for k, v in alpha2_codes().items()}.get(str(alpha2).upper(), "")
    values = {
        "organization": str(custom.get("organization") or custom.get("organisation") or "").strip(),
        "organization_type": str(custom.get("organization_type") or ""),
        "website": str(custom.get("website") or ""),
        "given_name": str(person.get("given_name") or ""),
        "family_name": str(person.get("family_name") or ""),
        "email": str(primary.get("address") or ""),
        "country": alpha3,
        "consent_public": "yes" if str(custom.get("consent_public", "true")).casefold() in _TRUE else "no",
    }
    if isinstance(record.get("treatywatch:number"), int):
        values["number"] = record["treatywatch:number"]
    return values
