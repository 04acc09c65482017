"""Coordinates of the trend chart (pure): where each published value and target goes in the SVG drawn by
``templates/_chart.html``. Nothing here is shown as a figure: the labels printed on the chart are the published
``value_text`` and ``quarter_label``, and the axis ticks (round numbers of the scale) via ``fr.number``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, RIGHT, TOP = 680, 250, 52, 70, 26


@dataclass(frozen=True)
class Point:
    """One published quarter of a series: its value and target in force (None when absent)."""
    quarter: str          # « T4 2024 » (publish.indicator_results.quarter_label)
    year: int
    value: float | None
    target: float | None
    provisional: bool
    value_text: str | None


def nice_ceiling(x: float) -> tuple[float, float]:
    """An axis maximum >= x and its tick step, on a 1-2-2.5-5 x 10^k grid, about 4 to 6 ticks."""
    if x <= 0:
        return 1.0, 0.25
    raw = x / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.ceil(x / step - 1e-9) * step, step


def geometry(points: list[Point], percent: bool) -> dict:
    """The chart of ``points`` (one per published quarter, in order):

    - ``ticks``: (y, y of its label, tick value) of the y axis, from 0 up to 100 for a percentage unless a value or target goes
      beyond (ESMS-MSS may), else up to the peak plus 8 %;
    - ``quarters``: (x, quarter label, year shown below or None); beyond 8 quarters the label is « T4 » and the
      year is written once under its first quarter (at ``year_y``);
    - ``target_runs``: the target in force as steps, one run per stretch of quarters with a target, each run a
      list of levels (x0, x1, y) over the quarter bands, merged while the target does not change;
    - ``value_runs``: the values as lines, one run per stretch of consecutive quarters with a value, each a list
      of (x, y, provisional);
    - ``last``: (x, y) of the label of the last quarter with a value, its value_text and quarter label; None
      when no quarter has a value.
    """
    two_rows = len(points) > 8
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - (50 if two_rows else 36)
    values = [p.value for p in points if p.value is not None]
    targets = [p.target for p in points if p.target is not None]
    peak = max(values + targets + [100.0 if percent else 0.0])
    y_max, step = nice_ceiling(peak if percent and peak <= 100 else peak * 1.08)
    band = plot_w / max(len(points), 1)
    base = TOP + plot_h

    def y(v: float) -> float:
        return round(base - v / y_max * plot_h, 1)

    def x(i: int) -> float:
        return round(LEFT + (i + 0.5) * band, 1)

    ticks, n = [], 0
    while n * step <= y_max + 1e-9:
        ticks.append((y(n * step), round(y(n * step) + 4, 1), n * step))
        n += 1
    quarters = []
    for i, p in enumerate(points):
        label = p.quarter.split(" ")[0] if two_rows else p.quarter
        year = p.year if two_rows and (i == 0 or p.year != points[i - 1].year) else None
        quarters.append((x(i), label, year))

    target_runs, run = [], None
    for i, p in enumerate(points):
        x0, x1 = round(LEFT + i * band, 1), round(LEFT + (i + 1) * band, 1)
        if p.target is None:
            run = None
        elif run is None or run[-1][2] != y(p.target):
            if run is None:
                run = []
                target_runs.append(run)
            run.append([x0, x1, y(p.target)])
        else:
            run[-1][1] = x1
    value_runs, line = [], None
    for i, p in enumerate(points):
        if p.value is None:
            line = None
            continue
        if line is None:
            line = []
            value_runs.append(line)
        line.append((x(i), y(p.value), p.provisional))
    last = next(((round(x(i) + 7, 1), round(y(p.value) - 6, 1), p.value_text, p.quarter)
                 for i, p in reversed(list(enumerate(points))) if p.value is not None), None)
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "tick_x": LEFT - 6, "right": LEFT + plot_w, "top": TOP,
            "base": base, "label_y": base + (15 if two_rows else 16), "year_y": base + 30, "ticks": ticks,
            "quarters": quarters,
            "target_runs": [[tuple(level) for level in r] for r in target_runs], "value_runs": value_runs,
            "last": last}
