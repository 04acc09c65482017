"""French formats of everything a renderer writes itself (counts, dates, the publication time), with Babel.

The published figures are not formatted here: publish.indicator_results carries them as French text (dbt macros
in dbt/macros/french.sql: « 6,3 % », « 1 / 16 », « au moins 60 % »), so that the CSV, the dashboard and the
reports print the same string. Both use a no-break space (U+00A0) between thousands and before a unit: Babel's
French narrow no-break space (U+202F) is not in the fonts of the PDF reports.
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"
NBSP = "\u00a0"
DASH = "—"


def number(n) -> str:
    """A count: ``1234`` → « 1 234 »; None → « — »."""
    if n is None:
        return DASH
    return format_decimal(n, locale=LOCALE).replace("\u202f", NBSP)


def day(d: date | None) -> str:
    """« 31/12/2024 »."""
    return d.strftime("%d/%m/%Y") if d else DASH


def long_day(d: date) -> str:
    """« 3 décembre 2026 »."""
    return format_date(d, format="long", locale=LOCALE)


def published_at(value) -> str:
    """An ISO timestamp of the publication → « 3 décembre 2026 à 08:21 UTC »; a bare date → « 3 décembre 2026 »;
    text that is not ISO is shown as it is."""
    if not value:
        return DASH
    text = str(value).strip()
    try:
        ts = value if isinstance(value, datetime) else datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) <= 10 and not isinstance(value, datetime):
        return long_day(ts.date())
    offset = ts.utcoffset()
    zone = "" if offset is None else (" UTC" if not offset else ts.strftime(" UTC%z"))
    return f"{long_day(ts.date())} à {ts:%H:%M}{zone}"


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 structure », « 3 structures »."""
    return f"{number(n)} {singular if n == 1 else (plural_form or singular + 's')}"
