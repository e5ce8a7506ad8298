"""The calendar: model steps carry real dates (monthly by default)."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

STEP_PATTERN = re.compile(r"^(\d+)M$")


def parse_step(step: str) -> int:
    """Return the number of months in a step string such as '1M' or '3M'."""
    match = STEP_PATTERN.match(step.strip())
    if not match or int(match.group(1)) < 1 or int(match.group(1)) > 12:
        raise ValueError(f"step must look like '1M' .. '12M' (months), got {step!r}")
    return int(match.group(1))


def month_index(d: date) -> int:
    """Return a month counter (year * 12 + month - 1) for a date."""
    return d.year * 12 + d.month - 1


def from_month_index(m: int) -> date:
    """Return the first day of the month with counter m."""
    return date(m // 12, m % 12 + 1, 1)


def step_dates(start: date, end: date, months_per_step: int) -> list[date]:
    """Return the first-of-month dates of every step from start to end inclusive."""
    first, last = month_index(start), month_index(end)
    return [from_month_index(m) for m in range(first, last + 1, months_per_step)]


def step_of(d: date, start: date, months_per_step: int) -> int:
    """Return the index of the step whose period contains date d."""
    return (month_index(d) - month_index(start)) // months_per_step


def as_datetime64(dates: list[date]) -> np.ndarray:
    """Return dates as a numpy datetime64[D] array."""
    return np.array(dates, dtype="datetime64[D]")
