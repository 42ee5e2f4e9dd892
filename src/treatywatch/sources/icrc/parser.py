"""The ICRC IHL database's JSON:API response for one treaty node, with its state-party entries.

The node (`data`) names the treaty by its ICRC number; each state-party entry is an `included`
paragraph with an action, a notification date, optional text (HTML) and a link to a country term
whose English name is resolved through the participants table. The entry's own JSON:API address is
the event's address, so every event points at the record it was read from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from treatywatch.engine.events import Event, EventKind
from treatywatch.knowledge.participants import ParticipantRegistry, UnknownParticipantError
from treatywatch.knowledge.treaties import TreatyCatalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure, SourceMeta

META = SourceMeta.load(Path(__file__).parent)


def parse(
    document: Document, *, participants: ParticipantRegistry, catalogue: TreatyCatalogue
) -> ParseResult:
    label = document.label
    try:
        payload = json.loads(document.content)
        nodes = payload["data"]
        node = nodes[0] if isinstance(nodes, list) and len(nodes) == 1 else nodes
        attributes = node["attributes"]
        entries = node["relationships"]["field_treaty_state_parties"]["data"]
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise ParseError(label, f"not a JSON:API treaty node response ({error!r})") from None
    slug = _treaty(attributes, catalogue, label)
    included = {(item["type"], item["id"]): item for item in payload.get("included", [])}
    if not entries:
        raise SoftFailure(label, "the treaty node lists no state-party entries")
    events = [
        _event(n, ref, included, slug, document, participants) for n, ref in enumerate(entries, start=1)
    ]
    changed = datetime.fromisoformat(attributes["changed"]).date() if attributes.get("changed") else None
    return ParseResult(events=events, treaty=slug, as_of=changed)


def _treaty(attributes: Mapping[str, Any], catalogue: TreatyCatalogue, label: str) -> str:
    number = attributes.get("field_treaty_number")
    slug = META.extra["treaties"].get(number)
    if slug is None:
        raise ParseError(label, "ICRC treaty number not in source.yaml `treaties`", value=str(number))
    adopted = attributes.get("field_treaty_date_of_adoption")
    if str(catalogue.get(slug).adoption_date) != adopted:
        raise ParseError(
            label,
            f"ICRC treaty {number} was adopted on {adopted}, not on {slug}'s adoption date",
            value=str(number),
        )
    return slug


def _event(
    n: int,
    ref: Mapping[str, Any],
    included: Mapping[tuple[str, str], Mapping[str, Any]],
    slug: str,
    document: Document,
    participants: ParticipantRegistry,
) -> Event:
    label, row = document.label, f"state party {n}"
    entry = included.get((ref.get("type"), ref.get("id")))
    if entry is None:
        raise ParseError(
            label, "state-party entry missing from `included`", row=row, value=str(ref.get("id"))
        )
    attributes = entry["attributes"]
    country_ref = entry["relationships"]["field_participant_country"]["data"]
    country = included.get((country_ref.get("type"), country_ref.get("id")))
    if country is None:
        raise ParseError(
            label, "country term missing from `included`", row=row, value=str(country_ref.get("id"))
        )
    name = country["attributes"]["name"]
    try:
        state = participants.resolve(name, context=f"{label} {row}")
    except UnknownParticipantError:
        raise ParseError(label, "unknown participant", row=row, value=name) from None
    action = attributes.get("field_participant_action")
    if action not in META.extra["actions"]:
        raise ParseError(
            label, "unknown action (add it to source.yaml `actions`)", row=row, value=str(action)
        )
    try:
        on = date.fromisoformat(attributes["field_participant_date_notif"])
    except (KeyError, TypeError, ValueError):
        raise ParseError(
            label,
            "no ISO notification date",
            row=row,
            value=str(attributes.get("field_participant_date_notif")),
        ) from None
    original = json.dumps(
        {"country": name, "action": action, "date_notif": attributes["field_participant_date_notif"]},
        ensure_ascii=False,
    )
    return Event(
        treaty=slug,
        state=state,
        kind=EventKind(META.extra["actions"][action]),
        date=on,
        text=_text(attributes.get("field_participant_text")),
        provenance=META.provenance(
            document, original, url=entry.get("links", {}).get("self", {}).get("href")
        ),
    )


def _text(field: Mapping[str, Any] | None) -> str:
    """The entry's HTML text as plain paragraphs."""
    if not field or not field.get("value"):
        return ""
    tree = LexborHTMLParser(field["value"])
    return "\n".join(p.text(strip=True) for p in tree.css("p")) or tree.text(strip=True)
