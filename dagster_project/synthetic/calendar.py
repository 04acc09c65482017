"""The generation period: months, quarters, seasonality and random times of day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .fmt import day_number


@dataclass(frozen=True)
class Month:
    index: int  # 0 = the month of the start date
    year: int
    month: int
    first: int  # first day of the month inside the period (day number)
    last: int  # last day of the month inside the period (day number)
    month_end: int  # calendar last day of the month

    @property
    def label(self) -> str:  # YYYY-MM
        return f"{self.year:04d}-{self.month:02d}"


def months_between(start: date, end: date) -> list[Month]:
    out = []
    y, m, i = start.year, start.month, 0
    s, e = day_number(start), day_number(end)
    while (y, m) <= (end.year, end.month):
        first = day_number(date(y, m, 1))
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        month_end = day_number(date(ny, nm, 1)) - 1
        out.append(Month(i, y, m, max(first, s), min(month_end, e), month_end))
        y, m, i = ny, nm, i + 1
    return out


def quarter_ends(start: date, end: date) -> list[date]:
    out = []
    for y in range(start.year, end.year + 1):
        for m, d in ((3, 31), (6, 30), (9, 30), (12, 31)):
            q = date(y, m, d)
            if start <= q <= end:
                out.append(q)
    return out


def quarter_starts(start: date, end: date) -> list[date]:
    """The start date, then the first day of every later quarter in the period."""
    out = [start]
    for y in range(start.year, end.year + 1):
        for m in (1, 4, 7, 10):
            q = date(y, m, 1)
            if start < q <= end:
                out.append(q)
    return out


# Relative monthly volume (coordination requests, admissions): summer and year-end dips.
SEASON = np.array([1.05, 1.05, 1.08, 1.02, 0.98, 0.97, 0.88, 0.72, 1.02, 1.06, 1.05, 0.86])

# Hour-of-day profiles (24 weights)
_OFFICE = np.array([0, 0, 0, 0, 0, 0, 0.2, 1.2, 4, 6, 6.5, 5.5, 2.5, 3.5, 5.5, 5.5, 5, 3.5, 1.5, 0.6, 0.3, 0.1, 0, 0], float)
_CARE_24H = np.array([0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 2.5, 5, 5.5, 5, 4.5, 4, 3, 3.5, 4, 4, 3.8, 3.5, 3, 2.5, 3.5, 2.5, 1.2, 0.8], float)
_HOSPITAL = np.array([0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.8, 2.5, 5, 6, 6, 5.5, 3.5, 4.5, 5.5, 5.5, 5, 4.5, 3, 1.5, 0.9, 0.7, 0.5, 0.4], float)
PROFILES = {"office": _OFFICE / _OFFICE.sum(), "care24": _CARE_24H / _CARE_24H.sum(),
            "hospital": _HOSPITAL / _HOSPITAL.sum()}


def times_of_day(rng: np.random.Generator, n: int, profile: str = "office") -> np.ndarray:
    """Seconds since local midnight drawn from an hourly profile."""
    hours = rng.choice(24, size=n, p=PROFILES[profile])
    return hours * 3600 + rng.integers(0, 3600, size=n)


def mostly_weekdays(rng: np.random.Generator, days: np.ndarray, lo, hi, keep_weekend: float = 0.15) -> np.ndarray:
    """Move most weekend days to the nearest weekday inside [lo, hi] (office activity)."""
    days = np.asarray(days, dtype=np.int64)
    wd = (days + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    move = (wd >= 5) & (rng.random(len(days)) > keep_weekend)
    shifted = np.where(wd == 5, days - 1, days + 1)
    shifted = np.clip(shifted, lo, hi)
    return np.where(move, shifted, days)


def compact(d: date) -> str:
    return d.strftime("%Y%m%d")
