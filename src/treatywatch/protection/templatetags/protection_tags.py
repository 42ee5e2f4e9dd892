"""Formatting for the protection pages: shares as percentages, with a dash where there is no figure."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.{int(digits)}f}%"
