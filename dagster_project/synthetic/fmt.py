"""Vectorised formatting of dates, local timestamps and identifiers into Arrow string arrays.

Dates are handled as integer day numbers (days since 1970-01-01) and times of day as seconds since local
midnight (Europe/Paris wall-clock time). A timestamp is written ``YYYY-MM-DDTHH:MM:SS+01:00`` (winter) or
``+02:00`` (summer), with the EU rule in force since 1996: summer time from the last Sunday of March
02:00 (→ 03:00) to the last Sunday of October 03:00 (→ 02:00). Strings come from precomputed pools
(one per day, one per second of the day) gathered with ``take``: no Python loop per row.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import identifiers

EPOCH = date(1970, 1, 1)
POOL_FIRST_YEAR = 1900
POOL_LAST_YEAR = 2100
NO_DAY = np.int64(2**40)  # "no date / never": compares after every real day


def day_number(d: date) -> int:
    return (d - EPOCH).days


def day_to_date(n: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(n))


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month, 31)
    return date.fromordinal(d.toordinal() - (d.weekday() + 1) % 7)


@lru_cache(maxsize=1)
def _pools():
    d0 = day_number(date(POOL_FIRST_YEAR, 1, 1))
    d1 = day_number(date(POOL_LAST_YEAR, 12, 31))
    days = np.arange(d0, d1 + 1, dtype="int64")
    date_strings = np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
    date_pool = pa.array(date_strings.tolist(), pa.string())
    date_t_pool = pa.array([s + "T" for s in date_strings.tolist()], pa.string())
    # DST code per day: 0 winter, 1 summer, 2 spring-forward day, 3 fall-back day
    code = np.zeros(len(days), dtype=np.int8)
    for y in range(max(POOL_FIRST_YEAR, 1996), POOL_LAST_YEAR + 1):
        a = day_number(_last_sunday(y, 3)) - d0
        b = day_number(_last_sunday(y, 10)) - d0
        code[a + 1:b] = 1
        code[a] = 2
        code[b] = 3
    secs = np.arange(86400)
    hms = [f"{h:02d}:{m:02d}:{s:02d}" for h, m, s in zip(secs // 3600, secs // 60 % 60, secs % 60)]
    time_pool = pa.array([t + "+01:00" for t in hms] + [t + "+02:00" for t in hms], pa.string())
    return d0, date_pool, date_t_pool, code, time_pool


def dst_codes(days: np.ndarray) -> np.ndarray:
    d0, _, _, code, _ = _pools()
    return code[np.asarray(days, dtype=np.int64) - d0]


def fix_nonexistent(days: np.ndarray, secs: np.ndarray) -> np.ndarray:
    """Move wall-clock times that do not exist (02:00–02:59 on the spring-forward day) one hour later."""
    secs = np.asarray(secs, dtype=np.int64)
    gap = (dst_codes(days) == 2) & (secs >= 7200) & (secs < 10800)
    if gap.any():
        secs = secs.copy()
        secs[gap] += 3600
    return secs


def is_summer(days: np.ndarray, secs: np.ndarray) -> np.ndarray:
    """Whether the Paris wall-clock time (day, second) is in summer time (+02:00)."""
    c = dst_codes(days)
    secs = np.asarray(secs)
    return (c == 1) | ((c == 2) & (secs >= 10800)) | ((c == 3) & (secs < 10800))


def paris_offset(d: date, secs: int = 12 * 3600) -> str:
    """The ``+01:00``/``+02:00`` offset of a Paris wall-clock time (scalar helper)."""
    n = np.array([day_number(d)])
    return "+02:00" if is_summer(n, np.array([secs]))[0] else "+01:00"


def _mask(valid):
    return None if valid is None else ~np.asarray(valid, dtype=bool)


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``YYYY-MM-DD`` strings; ``valid`` False (or a day equal to :data:`NO_DAY`) gives null."""
    d0, date_pool, _, _, _ = _pools()
    days = np.asarray(days, dtype=np.int64)
    ok = days != NO_DAY if valid is None else (np.asarray(valid, dtype=bool) & (days != NO_DAY))
    idx = np.where(ok, days - d0, 0)
    return date_pool.take(pa.array(idx, mask=~ok))


def timestamps(days: np.ndarray, secs: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """ISO 8601 local timestamps with the Paris offset, e.g. ``2024-03-05T14:02:11+01:00``."""
    d0, _, date_t_pool, _, time_pool = _pools()
    days = np.asarray(days, dtype=np.int64)
    ok = days != NO_DAY if valid is None else (np.asarray(valid, dtype=bool) & (days != NO_DAY))
    safe_days = np.where(ok, days, d0 + 40000)
    secs = fix_nonexistent(safe_days, secs)
    tidx = secs + 86400 * is_summer(safe_days, secs)
    mask = ~ok
    d = date_t_pool.take(pa.array(safe_days - d0, mask=mask))
    t = time_pool.take(pa.array(tidx, mask=mask))
    return pc.binary_join_element_wise(d, t, "")


def ints(values: np.ndarray, width: int = 0, prefix: str = "", valid: np.ndarray | None = None) -> pa.Array:
    """Integers as strings, optionally zero-padded to ``width`` and prefixed."""
    arr = pc.cast(pa.array(np.asarray(values, dtype=np.int64), mask=_mask(valid)), pa.string())
    if width:
        arr = pc.utf8_lpad(arr, width=width, padding="0")
    if prefix:
        arr = pc.binary_join_element_wise(pa.scalar(prefix), arr, "")
    return arr


def take(pool, idx: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``pool[idx]`` as an Arrow string array (``pool`` a sequence of str or an Arrow array)."""
    if not isinstance(pool, pa.Array):
        pool = pa.array(list(pool), pa.string())
    idx = np.asarray(idx, dtype=np.int64)
    if valid is not None:
        idx = np.where(valid, idx, 0)
    return pool.take(pa.array(idx, mask=_mask(valid)))


def join(*parts, sep: str = "") -> pa.Array:
    """Element-wise concatenation of arrays and plain strings."""
    args = [pa.scalar(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, sep)


def const(value: str | None, n: int) -> pa.Array:
    return pa.array([value] * n, pa.string()) if value is None else pa.repeat(pa.scalar(value), n)


# ----------------------------------------------------------------------------------------- INS
# A person is an integer id; their INS is derived from it (no storage, same INS for the same person
# everywhere): the id is spread over the NIR fields with a bijective mixed-radix scramble.
_INS_YEARS = 86  # birth years 1925..2010
_INS_COMMUNES = 989
_INS_ORDERS = 999


def ins_from_ids(ids: np.ndarray, birth_deps: list[str], valid: np.ndarray | None = None) -> pa.Array:
    """Valid INS strings for person ids. ``birth_deps``: 2-character département codes to draw from
    (``2A``/``2B`` allowed; ``97`` means overseas, the commune then starts with 1–6)."""
    ids = np.asarray(ids, dtype=np.int64)
    nd = len(birth_deps)
    cap = 2 * _INS_YEARS * 12 * nd * _INS_COMMUNES * _INS_ORDERS
    x = (ids * 2_654_435_761 + 97_531) % cap
    sex = 1 + x % 2
    x //= 2
    year = 1925 + x % _INS_YEARS
    x //= _INS_YEARS
    month = 1 + x % 12
    x //= 12
    dep_i = x % nd
    x //= nd
    commune = 1 + x % _INS_COMMUNES
    x //= _INS_COMMUNES
    order = 1 + x % _INS_ORDERS
    dep_num = np.array([{"2A": 19, "2B": 18}.get(d, 0) if not d.isdigit() else int(d) for d in birth_deps])
    dep_v = dep_num[dep_i]
    overseas = np.array([d == "97" for d in birth_deps])[dep_i]
    commune = np.where(overseas, 100 * (1 + commune % 6) + commune % 100, commune)
    n13 = ((((sex * 100 + year % 100) * 100 + month) * 100 + dep_v) * 1000 + commune) * 1000 + order
    key = identifiers.ins_keys_np(n13)
    s = ints(n13 * 100 + key, width=15, valid=valid)
    corsica = np.array([d in ("2A", "2B") for d in birth_deps])[dep_i]
    if corsica.any():
        lab = np.array([d if d in ("2A", "2B") else "" for d in birth_deps])[dep_i]
        for code in ("2A", "2B"):
            m = corsica & (lab == code)
            if m.any():
                fixed = pc.utf8_replace_slice(s, start=5, stop=7, replacement=code)
                s = pc.if_else(pa.array(m), fixed, s)
    return s


def corrupt_ins(ins: str) -> str:
    """The same INS with a wrong key (for defect injection)."""
    return ins[:13] + f"{int(ins[13:]) % 97 + 1:02d}"


def corrupt_finess(f: str) -> str:
    """The same FINESS with a wrong check digit."""
    return f[:8] + str((int(f[8]) + 3) % 10)
