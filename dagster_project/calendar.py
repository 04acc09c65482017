"""The measurement calendar, written once: quarters (a measure date is a quarter end), semesters (30/06, 31/12)
and their French labels. Used by the partitions, the pipeline and every renderer; the published tables carry the
same labels (dbt macros quarter_label / semester_label), the renderers use these for their own headings.

``today()`` is the day the warehouse judges what is due on (the schedules, the freshness of the deliveries in
dbt ``gate.delivery_freshness``): ``EPARCOURS_TODAY`` (an ISO date, to replay a day) or today in Paris."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Paris"


def today() -> date:
    """``EPARCOURS_TODAY`` (YYYY-MM-DD) if set, else the current date in Paris."""
    raw = os.environ.get("EPARCOURS_TODAY", "").strip()
    if not raw:
        return datetime.now(ZoneInfo(TIMEZONE)).date()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"EPARCOURS_TODAY={raw!r} is not a date (YYYY-MM-DD)") from None


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def quarter_end(d: date) -> date:
    """The last day of the quarter containing ``d``."""
    month = ((d.month - 1) // 3 + 1) * 3
    following = date(d.year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def previous_quarter_end(d: date) -> date:
    return quarter_start(d) - timedelta(days=1)


def quarter_label(d: date) -> str:
    """The quarter ending at (or containing) ``d``: ``2024-12-31`` → « T4 2024 »."""
    return f"T{(d.month - 1) // 3 + 1} {d.year}"


def is_semester_end(d: date) -> bool:
    return (d.month, d.day) in ((6, 30), (12, 31))


def semester_quarters(semester_end: date) -> tuple[date, date]:
    """The two measure dates of a semester: 31/03 and 30/06, or 30/09 and 31/12."""
    if not is_semester_end(semester_end):
        raise ValueError(f"{semester_end} is not a semester end (30/06 or 31/12)")
    return previous_quarter_end(semester_end), semester_end


def semester_code(semester_end: date) -> str:
    """« 2024-S2 »."""
    return f"{semester_end.year}-S{1 if semester_end.month == 6 else 2}"


def semester_label(semester_end: date) -> str:
    """« 2e semestre 2024 » (the dbt macro semester_label writes the same)."""
    return f"{'1er' if semester_end.month == 6 else '2e'} semestre {semester_end.year}"
