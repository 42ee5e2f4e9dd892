"""JSON API for the protection figures: a django-ninja Router, mounted at /api/v1/protection/ by api/v1.py."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.errors import HttpError

from treatywatch.api.schemas import ERRORS
from treatywatch.protection import service

router = Router(tags=["protection"])


@router.get(
    "/hosting",
    response={200: dict, **ERRORS},
    summary="Hosting shares, treaty status of hosts and sources for one data year",
)
def hosting(request, year: int | None = None) -> dict[str, Any]:
    """UNHCR end-year `year` (default: latest). Shares are fractions 0..1; `data_year` is the UNHCR year."""
    try:
        return service.hosting_report(year)
    except KeyError as error:
        raise HttpError(404, str(error.args[0])) from None


@router.get(
    "/hosting/series",
    response={200: dict, **ERRORS},
    summary="One row per data year: totals, shares, treaty split",
)
def hosting_series(request) -> dict[str, Any]:
    return {"rows": service.series(), "sources": service.sources_json(), "method": service.METHOD_DOC}


@router.get(
    "/states/{code}",
    response={200: dict, **ERRORS},
    summary="Hosting and resettlement figures for one state, by year",
)
def state(request, code: str) -> dict[str, Any]:
    data = service.dataset()
    if code.upper() not in data.names:
        raise HttpError(404, f"no UNHCR figures for {code!r}")
    return service.state_protection_context(code)
