"""What every router of the API shares: the one error shape (declared, so the OpenAPI document lists
it) and strict date parameters."""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut}


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD strings (or dates): pydantic would otherwise read `0` as 1970-01-01."""
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    if isinstance(value, date):
        return value
    raise ValueError("expected a date written YYYY-MM-DD")


def _iso_moment(value: Any) -> Any:
    """A YYYY-MM-DD date or an ISO 8601 date-time string; nothing pydantic would coerce from numbers."""
    if isinstance(value, str) and "T" in value:
        return datetime.fromisoformat(value)
    return _iso_date(value)


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
IsoMoment = Annotated[datetime | date, BeforeValidator(_iso_moment)]
