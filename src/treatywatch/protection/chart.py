"""Server-rendered SVG line chart of shares over years: readable without JavaScript, no CDN."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    points: Sequence[tuple[int, float | None]]  # (year, share 0..1); None leaves a gap
    colour: str
    dashed: bool = False


def share_chart(lines: Sequence[Line], *, title: str, width: int = 720, height: int = 300) -> str:
    """An accessible SVG (role=img, <title>, one <desc> line per series) with a 0-100% axis."""
    left, right, top, bottom = 44, 150, 16, 30
    years = [year for line in lines for year, value in line.points if value is not None]
    if not years:
        return ""
    first, last = min(years), max(years)
    span = max(last - first, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(year: int) -> float:
        return left + (year - first) / span * plot_w

    def y(value: float) -> float:
        return top + (1 - value) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" class="protection-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">'
        + escape(
            "; ".join(
                f"{line.label}: "
                + ", ".join(f"{year} {value:.0%}" for year, value in line.points if value is not None)
                for line in lines
            )
        )
        + "</desc>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">{tick:.0%}</text>'
        )
    step = 5 if span <= 40 else 10
    for year in range(first - first % step + (step if first % step else 0), last + 1, step):
        parts.append(
            f'<text x="{x(year):.1f}" y="{height - 10}" text-anchor="middle" font-size="11">{year}</text>'
        )
    for index, line in enumerate(lines):
        segments: list[list[str]] = [[]]
        for year, value in line.points:
            if value is None:
                segments.append([])
            else:
                segments[-1].append(f"{x(year):.1f},{y(value):.1f}")
        dash = ' stroke-dasharray="5 4"' if line.dashed else ""
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{line.colour}" stroke-width="2"{dash} points="{" ".join(segment)}"/>'
                )
        legend_y = top + 14 + index * 18
        parts.append(
            f'<line x1="{left + plot_w + 10}" x2="{left + plot_w + 30}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{line.colour}" stroke-width="2"{dash}/>'
            f'<text x="{left + plot_w + 34}" y="{legend_y}" font-size="11">{escape(line.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
