"""Human dates for the email ("25–27 April 2022"), independent of the machine's locale."""

from __future__ import annotations

import datetime as dt

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


def format_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_month(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def format_range(start: dt.date, end: dt.date | None) -> str:
    """One date, or a range that names the month and year only once where they repeat."""
    if end is None or end == start:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} – {format_date(end)}"
    return f"{format_date(start)} – {format_date(end)}"
