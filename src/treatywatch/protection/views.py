"""The Protection section: hosting shares, treaty status of hosts, chart, table and CSV downloads."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from treatywatch.protection import service
from treatywatch.protection.chart import Line, share_chart

CHART_FROM = 1990  # before 1990 most refugees in the data have no recorded country of origin
CITATION = "UNHCR Refugee Data Finder (CC BY 4.0); World Bank income groups (CC BY 4.0); GeoDataSource borders (CC BY-SA 4.0)"


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year")
    if raw in (None, ""):
        return service.latest_year()
    if not raw.isdigit():
        raise Http404(f"malformed year {raw!r}")
    return int(raw)


def index(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    status = service.treaty_status()
    try:
        report = service.hosting_report(year, status=status)
    except KeyError as error:
        raise Http404(str(error.args[0])) from None
    rows = service.series(status=status)
    recent = [r for r in rows if r["data_year"] >= CHART_FROM]
    chart = share_chart(
        [
            Line(
                _("in a neighbouring country"),
                [(r["data_year"], r["neighbouring_share"]) for r in recent],
                "#1f5fa8",
            ),
            Line(
                _("in low/middle-income countries"),
                [(r["data_year"], r["low_middle_income_share"]) for r in recent],
                "#b5532a",
            ),
            Line(
                _("in developing regions (legacy)"),
                [(r["data_year"], r["developing_regions_share"]) for r in recent],
                "#777",
                dashed=True,
            ),
            Line(
                _("in states party to 1951/1967"),
                [
                    (
                        r["data_year"],
                        r["in_party_states"] / r["refugees_total"]
                        if r["in_party_states"] is not None
                        else None,
                    )
                    for r in recent
                ],
                "#2a8a4a",
            ),
        ],
        title=_("Share of refugees hosted, by year (UNHCR end-year data)"),
    )
    context: dict[str, Any] = {
        "report": report,
        "year": year,
        "years": list(reversed(service.dataset().years)),
        "rows": list(reversed(recent)),
        "chart": chart,
        "hosts": service.hosts_table(year, status=status)[:20],
        "chart_from": CHART_FROM,
    }
    return render(request, "protection/index.html", context)


def _csv(filename: str, columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    columns = [*columns, "source"]
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns[:-1]] + [CITATION])
    return response


def series_csv(request: HttpRequest) -> HttpResponse:
    return _csv("treatywatch-refugee-hosting-by-year.csv", service.SERIES_COLUMNS, service.series())


def hosts_csv(request: HttpRequest, year: int) -> HttpResponse:
    if year not in service.dataset().flows:
        raise Http404(f"no UNHCR data for {year}")
    rows = service.hosts_table(year)
    columns = [
        "data_year",
        "code",
        "name",
        "refugees",
        "from_neighbouring_country",
        "income_group",
        "party_1951_or_1967",
    ]
    return _csv(f"treatywatch-refugee-hosts-{year}.csv", columns, rows)
