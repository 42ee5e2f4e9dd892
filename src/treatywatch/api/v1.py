"""The JSON API, version 1 (django-ninja; OpenAPI document at /api/v1/openapi.json).

Read-only. Every list pages with limit/offset (MAX_LIMIT at most); every error has one shape,
`{"error": {"code": ..., "message": ...}}`; dates are ISO 8601; `at=` asks for the status on any
date (valid time). The stability promise is in docs/api.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, Literal

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import Field

from treatywatch.api.schemas import ERRORS, ErrorOut, IsoDate
from treatywatch.engine.events import EventKind
from treatywatch.engine.status import Status
from treatywatch.knowledge.participants import UnknownParticipantError
from treatywatch.knowledge.treaties import CATEGORIES, UnknownTreatyError, load_catalogue
from treatywatch.knowledge.treaties import Treaty as TreatyInfo
from treatywatch.monitor.api import router as alerts_router
from treatywatch.protection.api import router as protection_router
from treatywatch.store.convert import ENGINE_COLUMNS, event_from_values, event_to_json
from treatywatch.store.models import Event as EventRow
from treatywatch.store.models import Participant, Treaty
from treatywatch.store.service import (
    StatusService,
    TreatyData,
    answer_json,
    recent_data_version,
    resolve_state,
    resolve_treaty,
)
from treatywatch.web import readmodel as rm

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

api = NinjaAPI(
    title="TreatyWatch API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Treaty participation from the depositaries' records: status of any state in any tracked treaty "
        "on any date, with the events, articles and sources behind it. Lists page with `limit` (at most "
        f'{MAX_LIMIT}) and `offset`. Errors: `{{"error": {{"code", "message"}}}}`. Stability promise: docs/api.md.'
    ),
)


# -- errors ----------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answered as {"error": {"code", "message"}} with its HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, error_body(exc.code, exc.message), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"location": list(e.get("loc", [])), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    names = ", ".join(str(d["location"][-1]) for d in details if d["location"]) or "request"
    return api.create_response(
        request, error_body("invalid_parameters", f"invalid value for: {names}", details=details), status=422
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", str(exc) or "not found"), status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
    return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)


def not_found_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any address under /api/v1/ that names no endpoint gets the same error shape."""
    body = error_body("not_found", f"no API endpoint at /api/v1/{path}")
    return HttpResponse(json.dumps(body), status=404, content_type="application/json")


# -- schemas ---------------------------------------------------------------------------------------


class SourceOut(Schema):
    id: str
    title: str
    publisher: str
    licence: str
    citation: str
    trust: str


class StatusSource(Schema):
    source: str
    url: str
    retrieved_at: str | None = None
    original: str = ""
    trust: str = "primary"


class StatusEvent(Schema):
    event_id: str
    kind: str
    date: str | None = None
    effective_date: str | None = None


class StatusOut(Schema):
    """The shape of `treatywatch status --json` (store.service.answer_json)."""

    state: str
    treaty: str
    at: str
    status: Status
    in_force_date: str | None = None
    signature_date: str | None = None
    consent_date: str | None = None
    consent_kind: str | None = None
    withdrawal_notice_date: str | None = None
    withdrawal_effective_date: str | None = None
    data_as_of: str | None = None
    data_sources: list[str]
    coverage_note: str
    reasons: list[str]
    articles: list[str]
    flags: list[str]
    events: list[StatusEvent]
    sources: list[StatusSource]


class TreatyOut(Schema):
    slug: str
    title: str
    short_title: str
    titles: dict[str, str]
    category: str
    untc_ref: str | None = None
    depositary: str
    adoption_date: date | None = None
    data_as_of: date | None = None
    data_sources: list[str]
    coverage_note: str


class ClauseSource(Schema):
    key: str
    url: str
    supports: str = ""


class ClauseOut(Schema):
    label: str
    text: str
    article: str | None = None
    verified: bool | None = None
    sources: list[ClauseSource]


class TreatyDetailOut(TreatyOut):
    clauses: list[ClauseOut]
    party_count: int
    at: date


class PartyOut(Schema):
    state: str
    name: str
    status: Status
    signature_date: date | None = None
    consent_date: date | None = None
    consent_kind: str | None = None
    in_force_date: date | None = None
    withdrawal_notice_date: date | None = None
    withdrawal_effective_date: date | None = None
    source_urls: list[str]


class StateOut(Schema):
    code: str
    name: str
    names: dict[str, str]
    kind: str
    iso_numeric: str
    region: str
    subregion: str


class StateDetailOut(StateOut):
    at: date
    treaties: list[StatusOut]


class EventOut(Schema):
    event_id: str
    treaty: str
    state: str
    kind: str
    date: str | None = None
    effective_date: str | None = None
    territory: str
    text: str
    cn_symbol: str
    verified: bool
    note: str
    role: str
    source: str
    url: str
    retrieved_at: str | None = None
    original: str
    trust: str
    entered_by: str
    supersedes: str = Field(
        "", description="an editor's correction: the event_id of the source's fact it replaces"
    )
    superseded: bool = Field(
        False, description="an editor's correction replaces this fact: it no longer decides status"
    )


class MatrixRow(Schema):
    state: str
    name: str
    statuses: dict[str, Status]


class ReservationOut(Schema):
    event_id: str
    treaty: str
    state: str
    kind: str
    date: dt.date | None = None
    territory: str
    text: str
    role: str
    verified: bool
    source: str
    url: str


class Page(Schema):
    count: int
    limit: int
    offset: int


class TreatyPage(Page):
    items: list[TreatyOut]


class PartyPage(Page):
    treaty: str
    at: date
    data_as_of: date | None = None
    items: list[PartyOut]


class StatePage(Page):
    items: list[StateOut]


class EventPage(Page):
    items: list[EventOut]


class MatrixPage(Page):
    at: date
    treaties: list[str]
    items: list[MatrixRow]


class ReservationPage(Page):
    items: list[ReservationOut]


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=10_000_000)


def page(items: list[Any], paging: Paging, count: int | None = None, **extra: Any) -> dict[str, Any]:
    """Slice an already-filtered list (or take a sliced queryset with its count) into a page."""
    if count is None:
        count = len(items)
        items = items[paging.offset : paging.offset + paging.limit]
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items, **extra}


# -- lookups ---------------------------------------------------------------------------------------


def _treaty(value: str) -> TreatyInfo:
    try:
        return resolve_treaty(value)
    except UnknownTreatyError:
        raise ApiError(404, "unknown_treaty", f"unknown treaty {value!r}: see /api/v1/treaties") from None


def _state(value: str) -> str:
    try:
        return resolve_state(value)
    except UnknownParticipantError:
        raise ApiError(404, "unknown_state", f"unknown state {value!r}: see /api/v1/states") from None


def _today(at: date | None) -> date:
    return at or rm.parse_at(None)


def treaty_out(treaty: TreatyInfo, row: Treaty | None) -> dict[str, Any]:
    titles = {lang: rm.treaty_title(treaty, lang) for lang in ("en", "fr", "es")}
    return {
        "slug": treaty.slug,
        "title": treaty.title,
        "short_title": treaty.short_title,
        "titles": titles,
        "category": treaty.category,
        "untc_ref": treaty.untc_ref,
        "depositary": treaty.depositary,
        "adoption_date": treaty.adoption_date,
        "data_as_of": row.data_as_of if row else None,
        "data_sources": row.data_sources if row else [],
        "coverage_note": row.coverage_note if row else "not loaded",
    }


def state_out(p: Participant) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "names": {"en": p.name, **(p.names or {})},
        "kind": p.kind,
        "iso_numeric": p.iso_numeric,
        "region": p.region,
        "subregion": p.subregion,
    }


def event_out(
    values: tuple[Any, ...], role: str, entered_by: str, supersedes: str, superseded: bool
) -> dict[str, Any]:
    data = event_to_json(event_from_values(values), role)
    data.pop("document_sha256", None)
    return {**data, "entered_by": entered_by, "supersedes": supersedes, "superseded": superseded}


EVENT_COLUMNS = (*ENGINE_COLUMNS, "role", "entered_by", "supersedes")


def _events(
    treaty: str | None,
    state: str | None,
    kind: str | None,
    role: str | None,
    since: date | None,
    until: date | None,
) -> Any:
    rows = EventRow.objects.order_by("id")
    if treaty:
        rows = rows.filter(treaty_id=_treaty(treaty).slug)
    if state:
        rows = rows.filter(participant_id=_state(state))
    if kind:
        rows = rows.filter(kind=kind)
    if role:
        rows = rows.filter(role=role)
    if since:
        rows = rows.filter(date__gte=since)
    if until:
        rows = rows.filter(date__lte=until)
    return rows


def _event_dicts(rows: Iterable[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    corrected = set(EventRow.objects.exclude(supersedes="").values_list("supersedes", flat=True))
    for values in rows:
        event = values[: len(ENGINE_COLUMNS)]
        yield event_out(event, *values[len(ENGINE_COLUMNS) :], event[0] in corrected)


# -- endpoints -------------------------------------------------------------------------------------


@api.get(
    "/status",
    response={200: StatusOut, **ERRORS},
    tags=["status"],
    summary="A state's status in a treaty on a date",
)
def status(request: HttpRequest, state: str, treaty: str, at: IsoDate | None = None) -> HttpResponse:
    """Same fields as `treatywatch status --json`. Reads only that state's events in that treaty."""
    info = _treaty(treaty)
    code = _state(state)
    on = _today(at)
    version = recent_data_version()

    def answer() -> dict[str, Any]:
        shared = StatusService.ready(version)  # already folded for the site: no query at all
        if shared:
            return answer_json(shared.status(code, info.slug, on), shared.treaty_data(info.slug))
        return answer_json(StatusService().pair_status(code, info.slug, on), TreatyData.of(info.slug))

    return _kept(request, f"api-status:{version}:{code}:{info.slug}:{on}", StatusOut, answer)


def _kept(request: HttpRequest, key: str, schema: type[Schema], build: Callable[[], Any]) -> HttpResponse:
    """An answer validated against its schema and rendered once per key, then served as those bytes.

    For the hottest lookups, whose keys carry the data version: a repeat costs no fold, no query,
    no validation and no JSON encoding.
    """
    kept = cache.get(key)
    if kept is None:
        response = api.create_response(request, schema.model_validate(build()).model_dump(), status=200)
        kept = (response.content, response["Content-Type"])
        cache.set(key, kept, 300)
    content, content_type = kept
    return HttpResponse(content, content_type=content_type)


@api.get("/treaties", response={200: TreatyPage, **ERRORS}, tags=["treaties"])
def treaties(
    request: HttpRequest, paging: Query[Paging], category: Literal[CATEGORIES] | None = None
) -> dict[str, Any]:  # type: ignore[valid-type]
    rows = Treaty.objects.in_bulk()
    items = [
        treaty_out(t, rows.get(t.slug)) for t in load_catalogue() if not category or t.category == category
    ]
    return page(items, paging)


@api.get("/treaties/{slug}", response={200: TreatyDetailOut, **ERRORS}, tags=["treaties"])
def treaty(request: HttpRequest, slug: str, at: IsoDate | None = None) -> dict[str, Any]:
    info = _treaty(slug)
    on = _today(at)
    clauses = [
        {
            **{k: c[k] for k in ("label", "text", "article", "verified")},
            "article": str(c["article"]) if c["article"] is not None else None,
            "sources": [{"key": s.key, "url": s.url, "supports": s.supports} for s in c["sources"]],
        }
        for c in info.key_clauses()
    ]
    parties = StatusService.current().parties(info.slug, on)
    return {
        **treaty_out(info, Treaty.objects.filter(slug=info.slug).first()),
        "clauses": clauses,
        "party_count": len(parties),
        "at": on,
    }


@api.get(
    "/treaties/{slug}/parties",
    response={200: PartyPage, **ERRORS},
    tags=["treaties"],
    summary="Participants counted as parties on a date (consented, party or withdrawing)",
)
def treaty_parties(
    request: HttpRequest, slug: str, paging: Query[Paging], at: IsoDate | None = None
) -> dict[str, Any]:
    info = _treaty(slug)
    on = _today(at)
    names = rm.names_in("en")
    answers = sorted(
        StatusService.current().parties(info.slug, on), key=lambda a: names.get(a.state, a.state)
    )
    items = [rm.status_row(a, names) for a in answers]
    return page(items, paging, treaty=info.slug, at=on, data_as_of=TreatyData.of(info.slug).data_as_of)


@api.get("/states", response={200: StatePage, **ERRORS}, tags=["states"])
def states(
    request: HttpRequest,
    paging: Query[Paging],
    region: Literal[rm.REGIONS] | None = None,  # type: ignore[valid-type]
    kind: str | None = None,
) -> dict[str, Any]:
    rows = Participant.objects.exclude(kind="territory").order_by("code")
    if region:
        rows = rows.filter(region=region)
    if kind:
        rows = rows.filter(kind=kind)
    count = rows.count()
    items = [state_out(p) for p in rows[paging.offset : paging.offset + paging.limit]]
    return page(items, paging, count=count)


@api.get(
    "/states/{code}",
    response={200: StateDetailOut, **ERRORS},
    tags=["states"],
    summary="A state's status in every tracked treaty on a date",
)
def state(request: HttpRequest, code: str, at: IsoDate | None = None) -> dict[str, Any]:
    canonical = _state(code)
    participant = Participant.objects.filter(code=canonical).first()
    if participant is None:
        raise ApiError(404, "unknown_state", f"participant {canonical!r} is not loaded")
    on = _today(at)
    data = {t.slug: TreatyData(t.data_as_of, t.data_sources, t.coverage_note) for t in Treaty.objects.all()}
    answers = StatusService.current().state_treaties(canonical, on)
    return {
        **state_out(participant),
        "at": on,
        "treaties": [answer_json(a, data.get(a.treaty, TreatyData(None, [], "not loaded"))) for a in answers],
    }


@api.get(
    "/events",
    response={200: EventPage, **ERRORS},
    tags=["events"],
    summary="Depositary actions with their provenance, in stored order",
)
def events(
    request: HttpRequest,
    paging: Query[Paging],
    treaty: str | None = None,
    state: str | None = None,
    kind: EventKind | None = None,
    role: Literal["status", "crosscheck"] | None = None,
    since: IsoDate | None = None,
    until: IsoDate | None = None,
) -> dict[str, Any]:
    rows = _events(treaty, state, kind, role, since, until)
    count = rows.count()
    sliced = rows.values_list(*EVENT_COLUMNS)[paging.offset : paging.offset + paging.limit]
    return page(list(_event_dicts(sliced)), paging, count=count)


@api.get(
    "/matrix",
    response={200: MatrixPage, **ERRORS},
    tags=["status"],
    summary="Every state's status in every treaty (or one category) on a date, a page of states at a time",
)
def matrix(
    request: HttpRequest,
    paging: Query[Paging],
    at: IsoDate | None = None,
    category: Literal[CATEGORIES] | None = None,
    region: Literal[rm.REGIONS] | None = None,
) -> HttpResponse:  # type: ignore[valid-type]
    on = _today(at)
    version = recent_data_version()

    def answer() -> dict[str, Any]:
        service = StatusService.current(version)
        slugs = [t.slug for t in service.catalogue if not category or t.category == category]
        cells = service.matrix_statuses(on, slugs)
        participants = Participant.objects.exclude(kind="territory").order_by("code")
        if region:
            participants = participants.filter(region=region)
        with_actions = {s for (s, _t) in cells}
        rows = [
            p
            for p in participants.values_list("code", "name", "kind")
            if p[2] in rm.STATE_KINDS or p[0] in with_actions
        ]
        items = [
            {
                "state": code,
                "name": name,
                "statuses": {slug: cells.get((code, slug), Status.NONE) for slug in slugs},
            }
            for code, name, _kind in rows[paging.offset : paging.offset + paging.limit]
        ]
        return page(items, paging, count=len(rows), at=on, treaties=slugs)

    key = f"api-matrix:{version}:{on}:{category}:{region}:{paging.offset}:{paging.limit}"
    return _kept(request, key, MatrixPage, answer)


@api.get(
    "/reservations",
    response={200: ReservationPage, **ERRORS},
    tags=["events"],
    summary="Reservations, declarations, objections and territorial applications; `q` searches their text",
)
def reservations(
    request: HttpRequest,
    paging: Query[Paging],
    treaty: str | None = None,
    state: str | None = None,
    q: str = "",
) -> dict[str, Any]:
    rows = rm.reservations(
        treaty=_treaty(treaty).slug if treaty else None, state=_state(state) if state else None, query=q
    )
    items = [
        {
            "event_id": r.event_id,
            "treaty": r.treaty_id,
            "state": r.participant_id,
            "kind": r.kind,
            "date": r.date,
            "territory": r.territory,
            "text": r.text,
            "role": r.role,
            "verified": r.verified,
            "source": r.source,
            "url": r.url,
        }
        for r in rows
    ]
    return page(items, paging)


@api.get(
    "/sources",
    response={200: list[SourceOut]},
    tags=["sources"],
    summary="Each source's publisher, licence and citation",
)
def sources(request: HttpRequest) -> list[dict[str, str]]:
    return rm.all_source_info()


# -- bulk downloads --------------------------------------------------------------------------------

BULK_DOC = "Every stored event (bulk download, streamed). Cite the sources listed at /api/v1/sources."


def _stream(lines: Iterable[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = '</api/v1/sources>; rel="license"'
    return response


BULK_RESPONSE = {
    "responses": {
        200: {
            "description": "a streamed file",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }
}


@api.get(
    "/bulk/events.{fmt}",
    tags=["bulk"],
    summary="All events as CSV or NDJSON",
    description=BULK_DOC,
    response={422: ErrorOut},
    openapi_extra=BULK_RESPONSE,
)
def bulk_events(request: HttpRequest, fmt: Literal["csv", "ndjson"]) -> StreamingHttpResponse:
    rows = EventRow.objects.order_by("id").values_list(*EVENT_COLUMNS).iterator(chunk_size=2000)
    dicts = _event_dicts(rows)
    if fmt == "ndjson":
        return _stream(
            (json.dumps(d, ensure_ascii=False) + "\n" for d in dicts), "application/x-ndjson", "events.ndjson"
        )
    columns = [(name, name) for name in EventOut.model_fields]
    return _stream(rm.Table(columns, dicts).csv_lines(), "text/csv; charset=utf-8", "events.csv")


@api.get(
    "/bulk/matrix.{fmt}",
    tags=["bulk"],
    summary="The whole matrix on a date as CSV or NDJSON",
    response={422: ErrorOut},
    openapi_extra=BULK_RESPONSE,
)
def bulk_matrix(
    request: HttpRequest, fmt: Literal["csv", "ndjson"], at: IsoDate | None = None
) -> StreamingHttpResponse:
    on = _today(at)
    service = StatusService.current()
    cells = service.matrix(on)
    data = {t.slug: t for t in Treaty.objects.all()}
    rows = [
        {
            "state": s,
            "treaty": t,
            "at": on.isoformat(),
            "status": str(a.status),
            "in_force_date": rm.iso(a.in_force_date),
            "withdrawal_effective_date": rm.iso(a.withdrawal_effective_date),
            "data_as_of": rm.iso(data[t].data_as_of) if t in data else None,
        }
        for (s, t), a in sorted(cells.items())
    ]
    if fmt == "ndjson":
        return _stream((json.dumps(r) + "\n" for r in rows), "application/x-ndjson", f"matrix-{on}.ndjson")
    columns = [
        (k, k)
        for k in (
            "state",
            "treaty",
            "at",
            "status",
            "in_force_date",
            "withdrawal_effective_date",
            "data_as_of",
        )
    ]
    return _stream(rm.Table(columns, rows).csv_lines(), "text/csv; charset=utf-8", f"matrix-{on}.csv")


# -- the routers other capabilities own --------------------------------------------------------------

api.add_router("/protection/", protection_router)
api.add_router("/alerts/", alerts_router)
