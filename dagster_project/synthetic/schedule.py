"""When each landing file is delivered: a pure function of the period (and the seed for the irregular
MSSanté annuaire), so the task list is known before any data is drawn."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .calendar import Month, months_between, quarter_ends, quarter_starts


def esms_waves(start: date) -> list[date]:
    """Funding waves of ESMS Numérique projects (the first one before the period)."""
    return [start - timedelta(days=200), date(start.year, 6, 1), date(start.year + 1, 3, 1),
            date(start.year + 1, 10, 1), date(start.year + 2, 6, 1), date(start.year + 3, 3, 1)]


@dataclass(frozen=True)
class Schedule:
    months: list[Month]
    finess: list[date]  # etalab stock + autorisations (quarterly)
    ror: list[date]  # quarterly, mid last month of the quarter
    coord: list[date]  # coord_structures + cpts_membres (quarterly)
    annuaire: list[date]  # irregular: some gaps longer than 183 days
    esms_file_active: list[date]  # yearly
    esms_projets: list[date]  # at the funding waves
    declaratif: list[date]  # quarter ends


def build_schedule(start: date, end: date, seed: int) -> Schedule:
    qs = quarter_starts(start, end)
    finess = [start] + [q + timedelta(days=4) for q in qs[1:] if q + timedelta(days=4) <= end]
    ror = [date(q.year, q.month, 15) for q in quarter_ends(start, end)]
    ror = [d for d in ror if start <= d <= end] or [end]
    # annuaire: delivered every 3 to 8 months, with one long gap so that EP-5.2 (≤ 183 days) is missed
    rng = np.random.default_rng([seed, 7001])
    ann = [start + timedelta(days=int(rng.integers(3, 25)))]
    long_gap_from = start + timedelta(days=int((end - start).days * 0.4))
    long_done = False
    while True:
        gap = int(rng.choice([95, 120, 150, 175, 200, 230]))
        if not long_done and ann[-1] >= long_gap_from:
            gap, long_done = 290, True  # > 183 + a whole quarter: at least one quarter end misses EP-5.2
        nxt = ann[-1] + timedelta(days=gap)
        if nxt > end:
            break
        ann.append(nxt)
    years = range(start.year + 1, end.year + 1)
    fa = [start] + [date(y, 3, 31) for y in years if start < date(y, 3, 31) <= end]
    waves = [w for w in esms_waves(start) if start < w <= end]
    return Schedule(
        months=months_between(start, end), finess=finess, ror=ror, coord=qs, annuaire=ann,
        esms_file_active=fa, esms_projets=[start] + waves, declaratif=quarter_ends(start, end) or [end],
    )
