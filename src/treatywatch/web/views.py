"""The public pages: home, treaties, states, matrix and search. Each table also downloads as CSV.

Views only choose what to ask `StatusService` (through `readmodel`) and how to show it; every status
shown carries the treaty's data-as-of date and the sources of the events behind it.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django.views.static import serve as static_serve

from treatywatch.engine.events import CONSENT_KINDS
from treatywatch.engine.status import Status, StatusAnswer
from treatywatch.knowledge.participants import UnknownParticipantError
from treatywatch.knowledge.treaties import CAMPAIGN_CATEGORIES, CATEGORIES, UnknownTreatyError, load_catalogue
from treatywatch.knowledge.treaties import Treaty as TreatyInfo
from treatywatch.store.models import Discrepancy, Participant, Treaty
from treatywatch.store.service import StatusService, recent_data_version, resolve_state
from treatywatch.web import readmodel as rm
from treatywatch.web.geo import HEIGHT, WIDTH, world_shapes
from treatywatch.web.pagecache import cached_page

CSV_FORMATS = {None, "", "html", "csv"}
RESERVATIONS_SHOWN = 100  # on a page; the CSV download has them all


class BadRequestError(ValueError):
    """A malformed parameter: answered with a 400 page that names it."""


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def _wants_csv(request: HttpRequest, fmt: str | None) -> bool:
    requested = fmt or request.GET.get("format")
    if requested not in CSV_FORMATS:
        raise BadRequestError(
            _("Unknown format %(format)r: use csv or leave it out.") % {"format": requested}
        )
    return requested == "csv"


def csv_response(table: rm.Table, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(table.csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _at(request: HttpRequest) -> date:
    try:
        return rm.parse_at(request.GET.get("at"))
    except rm.BadDateError as error:
        raise BadRequestError(
            _("Malformed date %(value)r: expected YYYY-MM-DD.") % {"value": request.GET.get("at")}
        ) from error


def _catalogue_treaty(slug: str) -> TreatyInfo:
    try:
        return load_catalogue().get(slug)
    except UnknownTreatyError:
        raise Http404(_("No treaty with the address %(slug)r.") % {"slug": slug}) from None


def handles_bad_requests(view: Any) -> Any:
    """Turn BadRequestError into the 400 page, so each view states only its happy path."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequestError as error:
            return bad_request(request, str(error))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _treaty_meta(slug: str) -> dict[str, Any]:
    data = rm.treaty_data(slug)
    return {
        "data_as_of": data.data_as_of,
        "data_sources": rm.source_info(data.data_sources),
        "coverage_note": data.coverage_note,
    }


# -- home ------------------------------------------------------------------------------------------


@require_safe
@cached_page
@gzip_page
def home(request: HttpRequest) -> HttpResponse:
    """What changed recently and where the campaign treaties stand today."""
    today = rm.parse_at(None)
    lang = rm.language()
    version = recent_data_version()
    key = f"home:{version}:{today}:{lang}"
    context = cache.get(key)
    if context is None:
        service = StatusService.current(version)
        names = rm.names_in(lang)
        pending, effective = rm.withdrawals(service, today)
        treaty_rows = Treaty.objects.in_bulk()
        coverage = rm.treaty_coverage()
        campaign = []
        for treaty in rm.campaign_treaties(service):
            row = treaty_rows.get(treaty.slug)
            has_data = coverage.get(treaty.slug) == "full"
            campaign.append(
                {
                    "slug": treaty.slug,
                    "short_title": treaty.short_title,
                    "title": rm.treaty_title(treaty, lang),
                    "category": rm.CATEGORY_LABELS[treaty.category],
                    "parties": rm.party_count(service, treaty.slug, today) if has_data else None,
                    "coverage": rm.COVERAGE_LABELS[coverage.get(treaty.slug, "none")],
                    "data_as_of": row.data_as_of if row else None,
                    "coverage_note": row.coverage_note if row else "",
                }
            )
        recent = [
            {
                "date": e.date,
                "state": e.participant_id,
                "name": names.get(e.participant_id, e.participant_id),
                "treaty": e.treaty_id,
                "treaty_title": e.treaty.short_title,
                "kind": rm.KIND_LABELS.get(e.kind, e.kind),
                "is_consent": e.kind in CONSENT_KINDS,
                "source": e.source,
                "url": e.url,
            }
            for e in rm.recent_actions()
        ]
        context = {
            "today": today,
            "campaign": campaign,
            "recent": recent,
            "pending": [_withdrawal_row(a, names, service) for a in pending],
            "effective": [_withdrawal_row(a, names, service) for a in effective],
            "sources": rm.all_source_info(),
            "latest_data": max((c["data_as_of"] for c in campaign if c["data_as_of"]), default=None),
        }
        cache.set(key, context, 600)
    return render(request, "web/home.html", context)


def _withdrawal_row(answer: StatusAnswer, names: dict[str, str], service: StatusService) -> dict[str, Any]:
    treaty = service.catalogue.get(answer.treaty)
    return {
        "state": answer.state,
        "name": names.get(answer.state, answer.state),
        "treaty": answer.treaty,
        "treaty_title": treaty.short_title,
        "notice": answer.withdrawal_notice_date,
        "effective": answer.withdrawal_effective_date,
        "sources": rm.answer_sources(answer),
    }


# -- treaties --------------------------------------------------------------------------------------


@require_safe
@cached_page
@gzip_page
@handles_bad_requests
def treaty_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    at = _at(request)
    lang = rm.language()
    version = recent_data_version()
    service = StatusService.current(version)
    rows = Treaty.objects.in_bulk()
    coverage = rm.treaty_coverage()
    table = rm.Table(
        (
            ("slug", _("Address")),
            ("short_title", _("Short title")),
            ("title", _("Title")),
            ("category", _("Category")),
            ("untc_ref", _("UNTC reference")),
            ("parties", _("Parties")),
            ("coverage", _("Coverage")),
            ("data_as_of", _("Data as of")),
            ("coverage_note", _("Coverage note")),
        )
    )
    for treaty in service.catalogue:
        row = rows.get(treaty.slug)
        has_data = coverage.get(treaty.slug) == "full"
        table.rows.append(
            {
                "slug": treaty.slug,
                "short_title": treaty.short_title,
                "title": rm.treaty_title(treaty, lang),
                "category": treaty.category,
                "category_label": rm.CATEGORY_LABELS.get(treaty.category, treaty.category),
                "untc_ref": treaty.untc_ref or "",
                "parties": rm.party_count(service, treaty.slug, at) if has_data else None,
                "coverage": coverage.get(treaty.slug, "none"),
                "coverage_label": rm.COVERAGE_LABELS[coverage.get(treaty.slug, "none")],
                "data_as_of": row.data_as_of if row else None,
                "coverage_note": row.coverage_note if row else "",
            }
        )
    if _wants_csv(request, fmt):
        return csv_response(table, f"treaties-{at}.csv")
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in table.rows:
        grouped[row["category"]].append(row)
    groups = [(rm.CATEGORY_LABELS[c], grouped[c]) for c in CATEGORIES if grouped.get(c)]
    return render(
        request, "web/treaty_list.html", {"groups": groups, "at": at, "sources": rm.all_source_info()}
    )


@require_safe
@cached_page
@gzip_page
@handles_bad_requests
def treaty_detail(request: HttpRequest, slug: str, fmt: str | None = None) -> HttpResponse:
    treaty = _catalogue_treaty(slug)
    at = _at(request)
    csv_wanted = _wants_csv(request, fmt)
    lang = rm.language()
    service = StatusService.current()
    names = rm.names_in(lang)
    answers = service.all_statuses(slug, at)
    rows = sorted((rm.status_row(a, names) for a in answers), key=lambda r: r["name"])
    table = rm.Table(rm.STATUS_COLUMNS, rows)
    if csv_wanted:
        return csv_response(table, f"{slug}-{at}.csv")
    meta = _treaty_meta(slug)
    coverage = rm.treaty_coverage().get(slug, "none")
    counts = Counter(a.status for a in answers)
    participants = {p.code: p for p in Participant.objects.filter(code__in=[a.state for a in answers])}
    by_iso = {
        participants[a.state].iso_numeric: a
        for a in answers
        if participants.get(a.state) and participants[a.state].iso_numeric
    }
    shapes = []
    for shape in world_shapes():
        answer = by_iso.get(shape.iso_numeric)
        status = str(answer.status) if answer else ("none" if coverage == "full" else rm.UNKNOWN)
        label = rm.DISPLAY_LABELS[status]
        state_name = names.get(answer.state, shape.name) if answer else shape.name
        shapes.append({"path": shape.path, "status": status, "label": f"{state_name}: {label}"})
    query = request.GET.get("q", "").strip()
    matching = rm.reservations(treaty=slug, query=query)
    reservations = [rm.reservation_row(r, names) for r in matching[:RESERVATIONS_SHOWN]]
    context = {
        "treaty": treaty,
        "title": rm.treaty_title(treaty, lang),
        "title_source": rm.treaty_title_source(treaty, lang),
        "at": at,
        "rows": rows,
        "columns": rm.STATUS_COLUMNS,
        "counts": [(rm.STATUS_LABELS[s], s, counts.get(s, 0)) for s in Status if s != Status.NONE],
        "parties": sum(counts.get(s, 0) for s in rm.COUNTED_AS_PARTY),
        "pending": [r for r in rows if r["status"] == Status.WITHDRAWING],
        "shapes": shapes,
        "map_width": WIDTH,
        "map_height": HEIGHT,
        "legend": [(s.value, rm.STATUS_LABELS[s]) for s in Status]
        + ([] if coverage == "full" else [(rm.UNKNOWN, rm.DISPLAY_LABELS[rm.UNKNOWN])]),
        "coverage": coverage,
        "coverage_label": rm.COVERAGE_LABELS[coverage],
        "chart": rm.chart(rm.party_counts_over_time(service, slug, at)),
        "clauses": [
            {**c, "label": rm.CLAUSE_LABELS.get(c["label"], c["label"])} for c in treaty.key_clauses()
        ],
        "reservations": reservations,
        "reservations_total": len(matching),
        "query": query,
        "documents": rm.documents_for(slug),
        "open_discrepancies": Discrepancy.objects.filter(
            treaty_id=slug, review=Discrepancy.Review.OPEN
        ).count(),
        "category_label": rm.CATEGORY_LABELS.get(treaty.category, treaty.category),
        **meta,
    }
    return render(request, "web/treaty_detail.html", context)


@require_safe
@handles_bad_requests
def treaty_reservations(request: HttpRequest, slug: str, fmt: str = "csv") -> HttpResponse:
    """Every reservation and declaration of a treaty matching `q`, as CSV (the page shows the first 100)."""
    _catalogue_treaty(slug)
    query = request.GET.get("q", "").strip()
    names = rm.names_in()
    rows = [rm.reservation_row(r, names) for r in rm.reservations(treaty=slug, query=query)]
    return csv_response(rm.Table(rm.RESERVATION_COLUMNS, rows), f"{slug}-reservations.csv")


# -- states ----------------------------------------------------------------------------------------


@require_safe
@cached_page
@gzip_page
@handles_bad_requests
def state_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    at = _at(request)
    lang = rm.language()
    service = StatusService.current()
    cells = service.matrix_statuses(at)
    joined = Counter(s for (s, _t), status in cells.items() if status in rm.COUNTED_AS_PARTY)
    table = rm.Table(
        (
            ("code", _("Code")),
            ("name", _("Name")),
            ("kind", _("Kind")),
            ("region", _("Region")),
            ("subregion", _("Subregion")),
            ("treaties_joined", _("Treaties joined")),
        )
    )
    for p in Participant.objects.exclude(kind="territory"):
        table.rows.append(
            {
                "code": p.code,
                "name": p.localized_name(lang),
                "kind": p.kind,
                "region": p.region,
                "region_label": rm.REGION_LABELS.get(p.region, p.region),
                "subregion": p.subregion,
                "treaties_joined": joined.get(p.code, 0),
            }
        )
    table.rows.sort(key=lambda r: r["name"])
    if _wants_csv(request, fmt):
        return csv_response(table, f"states-{at}.csv")
    return render(
        request, "web/state_list.html", {"rows": table.rows, "at": at, "sources": rm.all_source_info()}
    )


PROTECTION_MODULES = ("treatywatch.protection.views", "treatywatch.protection.service")


def protection_panel(code: str) -> dict[str, Any] | None:
    """The protection module's panel for a state, when that module and its template are installed."""
    try:
        get_template("protection/state_panel.html")
    except TemplateDoesNotExist:
        return None
    for name in PROTECTION_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        build = getattr(importlib.import_module(name), "state_protection_context", None)
        if build is not None:
            return build(code)
    return None


@require_safe
@cached_page
@gzip_page
@handles_bad_requests
def state_detail(request: HttpRequest, code: str, fmt: str | None = None) -> HttpResponse:
    try:
        canonical = resolve_state(code)
    except UnknownParticipantError:
        raise Http404(_("No state or participant with the code %(code)r.") % {"code": code}) from None
    if canonical != code:
        suffix = ".csv" if fmt else ""
        return redirect(
            reverse("web:state", args=[canonical])
            + suffix
            + (f"?{request.GET.urlencode()}" if request.GET else ""),
            permanent=True,
        )
    participant = Participant.objects.filter(code=code).first()
    if participant is None:
        raise Http404(_("No state or participant with the code %(code)r.") % {"code": code})
    at = _at(request)
    lang = rm.language()
    service = StatusService.current()
    treaty_meta = {t.slug: t for t in Treaty.objects.all()}
    coverage = rm.treaty_coverage()
    rows = []
    for answer in service.state_treaties(code, at):
        treaty = service.catalogue.get(answer.treaty)
        meta = treaty_meta.get(treaty.slug)
        row = rm.status_row(answer, {code: participant.localized_name(lang)})
        row.update(
            {
                "treaty": treaty.slug,
                "short_title": treaty.short_title,
                "title": rm.treaty_title(treaty, lang),
                "category": treaty.category,
                "category_label": rm.CATEGORY_LABELS.get(treaty.category, treaty.category),
                "data_as_of": meta.data_as_of if meta else None,
                "has_data": coverage.get(treaty.slug) == "full",
                "reasons": list(answer.reasons),
            }
        )
        rows.append(row)
    columns = (("treaty", _("Treaty")), *rm.STATUS_COLUMNS[2:], ("data_as_of", _("Data as of")))
    if _wants_csv(request, fmt):
        return csv_response(rm.Table(columns, rows), f"{code}-{at}.csv")
    gaps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["status"] in (Status.NONE, Status.SIGNATORY, Status.WITHDRAWN) and row["has_data"]:
            gaps[row["category"]].append(row)
    timeline = []
    for treaty in service.catalogue:
        history = service.history(code, treaty.slug)
        for period in history.timeline():
            timeline.append(
                {
                    "treaty": treaty.slug,
                    "short_title": treaty.short_title,
                    "start": period.start,
                    "end": period.end,
                    "status": str(period.status),
                    "label": rm.STATUS_LABELS[period.status],
                }
            )
    timeline.sort(key=lambda p: (p["start"], p["treaty"]))
    names = {code: participant.localized_name(lang)}
    context = {
        "participant": participant,
        "name": participant.localized_name(lang),
        "at": at,
        "rows": rows,
        "gaps": [(rm.CATEGORY_LABELS[c], gaps[c]) for c in CATEGORIES if gaps.get(c)],
        "campaign_gaps": sum(len(gaps[c]) for c in CAMPAIGN_CATEGORIES),
        "timeline": timeline,
        "reservations": [rm.reservation_row(r, names) for r in rm.reservations(state=code)],
        "region_label": rm.REGION_LABELS.get(participant.region, participant.region),
        "protection": protection_panel(code),
        "sources": rm.source_info(sorted({s for t in treaty_meta.values() for s in t.data_sources})),
        "latest_data": max((m.data_as_of for m in treaty_meta.values() if m.data_as_of), default=None),
    }
    return render(request, "web/state_detail.html", context)


# -- matrix ----------------------------------------------------------------------------------------

SORTS = ("name", "-name", "joined", "-joined")


@require_safe
@cached_page
@gzip_page
@handles_bad_requests
def matrix(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    """States x treaties on any date, filtered by region and treaty category."""
    at = _at(request)
    csv_wanted = _wants_csv(request, fmt)
    region = request.GET.get("region", "")
    category = request.GET.get("category", "")
    sort = request.GET.get("sort", "name")
    if region and region not in rm.REGIONS:
        raise BadRequestError(_("Unknown region %(value)r.") % {"value": region})
    if category and category not in CATEGORIES:
        raise BadRequestError(_("Unknown treaty category %(value)r.") % {"value": category})
    if sort not in SORTS:
        raise BadRequestError(_("Unknown sort order %(value)r.") % {"value": sort})
    lang = rm.language()
    version = recent_data_version()
    key = f"matrix:{version}:{at}:{region}:{category}:{sort}:{lang}:{csv_wanted}"
    cached = cache.get(key)
    if cached is None:
        cached = _matrix_data(version, at, region, category, sort, lang)
        cache.set(key, cached, 600)
    columns, rows, treaties, meta = cached
    if csv_wanted:
        table = rm.Table((("state", _("Code")), ("name", _("Participant")), *columns), rows)
        return csv_response(table, f"matrix-{at}.csv")
    context = {
        "at": at,
        "at_iso": at.isoformat(),  # once, not a date filter per row
        "rows": rows,
        "treaties": treaties,
        "region": region,
        "category": category,
        "sort": sort,
        "regions": [(r, rm.REGION_LABELS[r]) for r in rm.REGIONS],
        "categories": [(c, rm.CATEGORY_LABELS[c]) for c in CATEGORIES],
        "legend": [(rm.DISPLAY_ABBREVIATIONS[s], rm.DISPLAY_LABELS[s], s) for s in rm.DISPLAY_LABELS],
        **meta,
    }
    return render(request, "web/matrix.html", context)


def _matrix_data(version: str, at: date, region: str, category: str, sort: str, lang: str) -> tuple:
    service = StatusService.current(version)
    coverage = rm.treaty_coverage()
    treaties = [
        t
        for t in service.catalogue
        if (t.category == category if category else t.category in CAMPAIGN_CATEGORIES)
    ]
    slugs = [t.slug for t in treaties]
    cells = service.matrix_statuses(at, slugs)
    with_actions = {s for (s, _t) in cells}
    # 200 rows x 30 cells: pre-rendered cells keep the page fast (a template loop per cell is not)
    cell_html = {
        k: format_html('<td class="cell st-{}">{}</td>', k, v) for k, v in rm.DISPLAY_ABBREVIATIONS.items()
    }
    participants = Participant.objects.exclude(kind="territory")
    if region:
        participants = participants.filter(region=region)
    rows = []
    for p in participants:
        if p.kind not in rm.STATE_KINDS and p.code not in with_actions:
            continue
        row: dict[str, Any] = {"state": p.code, "name": p.localized_name(lang), "cells": []}
        joined = 0
        for slug in slugs:
            status = cells.get((p.code, slug), Status.NONE)
            joined += status in rm.COUNTED_AS_PARTY
            shown = str(status) if status != Status.NONE or coverage.get(slug) == "full" else rm.UNKNOWN
            row[slug] = shown
            row["cells"].append(shown)
        row["cells_html"] = mark_safe(
            "".join(cell_html[c] for c in row["cells"])
        )  # parts escaped by format_html
        row["joined"] = joined
        rows.append(row)
    reverse_sort = sort.startswith("-")
    sort_key = sort.lstrip("-")
    rows.sort(key=lambda r: r["name"])
    rows.sort(key=lambda r: r[sort_key], reverse=reverse_sort if sort_key == "name" else not reverse_sort)
    treaty_rows = Treaty.objects.in_bulk(slugs)
    headers = [
        {
            "slug": t.slug,
            "short_title": t.short_title,
            "title": rm.treaty_title(t, lang),
            "data_as_of": treaty_rows[t.slug].data_as_of if t.slug in treaty_rows else None,
            "has_data": coverage.get(t.slug) == "full",
        }
        for t in treaties
    ]
    sources = sorted({s for t in treaty_rows.values() for s in t.data_sources})
    meta = {
        "sources": rm.source_info(sources),
        "latest_data": max((h["data_as_of"] for h in headers if h["data_as_of"]), default=None),
        "no_data": [h for h in headers if not h["has_data"]],
    }
    return [(t.slug, t.short_title) for t in treaties], rows, headers, meta


# -- search ----------------------------------------------------------------------------------------


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """States, treaties and reservation text matching every word of `q`."""
    query = request.GET.get("q", "").strip()
    lang = rm.language()
    context: dict[str, Any] = {
        "query": query,
        "states": [],
        "treaties": [],
        "reservations": [],
        "sources": rm.all_source_info(),
        "latest_data": max(
            (d for d in Treaty.objects.values_list("data_as_of", flat=True) if d), default=None
        ),
    }
    if query:
        folded = query.casefold()
        context["states"] = [
            p
            for p in Participant.objects.exclude(kind="territory")
            if folded in p.name.casefold()
            or folded in p.localized_name(lang).casefold()
            or folded == p.code.casefold()
            or any(folded in n.casefold() for n in (p.names or {}).values())
        ]
        catalogue = load_catalogue()
        context["treaties"] = [
            {"slug": t.slug, "short_title": t.short_title, "title": rm.treaty_title(t, lang)}
            for t in catalogue
            if any(
                folded in text.casefold()
                for text in (t.slug, t.title, t.short_title, rm.treaty_title(t, lang), t.untc_ref or "")
            )
        ]
        names = rm.names_in(lang)
        context["reservations"] = [
            rm.reservation_row(r, names) for r in rm.reservations(query=query, limit=RESERVATIONS_SHOWN)
        ]
    return render(request, "web/search.html", context)


# -- static files ----------------------------------------------------------------------------------


@require_safe
def static_file(request: HttpRequest, path: str) -> HttpResponse:
    """Serve the packaged static files (CSS, vendored JS, map data) without a separate web server.

    `treatywatch serve` runs with DEBUG off, where Django serves no static files by itself.
    """
    found = finders.find(path)
    if not found or isinstance(found, list):
        raise Http404(_("No static file %(path)r.") % {"path": path})
    found_path = Path(found)
    response = static_serve(request, found_path.name, document_root=str(found_path.parent))
    response["Cache-Control"] = "public, max-age=86400"
    return response
