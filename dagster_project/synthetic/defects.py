"""Injected defects: a small, documented, deterministic set of broken rows and files.

Each defect is recorded in the generation report with its file, physical line (1 = header line) and the
rule id the ingestion is expected to apply (``expected_rule``). Defects sit in the first months of the
period, each kind in its own file, so they never distort the indicators of later quarters.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..ingestion.specs import SPECS_BY_NAME
from .calendar import compact
from .common import Output
from .fmt import corrupt_finess, corrupt_ins, day_to_date
from .reference import seeds
from .schedule import Schedule


@dataclass(frozen=True)
class DefectKind:
    kind: str
    table: str
    where: tuple[str, int]  # ("month", month index) or (schedule attribute, snapshot index)
    column: str | None
    expected_rule: str
    scaled: bool  # number of rows grows with the scale (defects_per_kind)
    behaviour: str  # what the ingestion should do


CATALOGUE: tuple[DefectKind, ...] = (
    DefectKind("bad_finess", "dui_evenements", ("month", 2), "finess_geo", "bad_finess", True,
               "FINESS with a wrong Luhn check digit in a required FINESS column: row rejected"),
    DefectKind("bad_ins", "coord_dossiers", ("month", 2), "ins", "bad_ins", True,
               "INS with a wrong key on a VALI dossier (optional identifier): row kept, value flagged"),
    DefectKind("unknown_code", "coord_evenements", ("month", 3), "event_type", "unknown_code", True,
               "event_type outside the list: row rejected"),
    DefectKind("unknown_code", "ror_ue_activite", ("ror", 1), "activite_operationnelle", "unknown_code", True,
               "activité opérationnelle outside JDV_J17: row kept, value flagged (counts as absent)"),
    DefectKind("bad_date", "coord_dossiers", ("month", 4), "date_ouverture", "bad_date", True,
               "malformed date in a required date column: row rejected"),
    DefectKind("bad_timestamp", "mss_messages", ("month", 2), "sent_at", "bad_timestamp", True,
               "malformed timestamp (no T / no offset) in a required column: row rejected"),
    DefectKind("missing_required", "dmp_documents", ("month", 5), "type_code", "missing_required", True,
               "empty required field: row rejected"),
    DefectKind("duplicate_row", "dmp_documents", ("month", 3), None, "duplicate_key", True,
               "a row repeated verbatim right after itself: the second occurrence is rejected"),
    DefectKind("truncated_line", "coord_messages", ("month", 7), None, "truncated_line", False,
               "last line cut in the middle, no final newline: rejected"),
    DefectKind("encoding_windows_1252", "ror_eg", ("ror", 1), None, "encoding_windows_1252", False,
               "whole file in Windows-1252 (accented names): detected and decoded, every row loads"),
    DefectKind("utf8_bom", "cpts_membres", ("coord", 0), None, "utf8_bom", False,
               "file starts with a UTF-8 BOM: stripped, every row loads"),
    DefectKind("redelivery", "coord_evenements", ("month", 6), None, "redelivery", False,
               "month delivered twice (<table>_<YYYY-MM>.csv then _v2.csv, later mtime): v2 replaces v1"),
)
KIND_ORDER = {k: i for i, k in enumerate(CATALOGUE)}


@dataclass(frozen=True)
class Planned:
    uid: int  # position in CATALOGUE
    spec: DefectKind
    path: str  # target file, relative to the landing folder
    count: int


def target_path(schedule: Schedule, d: DefectKind) -> str | None:
    spec = SPECS_BY_NAME[d.table]
    attr, k = d.where
    if attr == "month":
        if not schedule.months:
            return None
        m = schedule.months[min(k, len(schedule.months) - 1)]
        return f"{spec.source}/{d.table}_{m.label}.csv"
    dates = getattr(schedule, attr)
    if not dates:
        return None
    return f"{spec.source}/{d.table}_{compact(dates[min(k, len(dates) - 1)])}.csv"


def plan(schedule: Schedule, per_kind: int) -> dict[str, list[Planned]]:
    out: dict[str, list[Planned]] = {}
    for uid, d in enumerate(CATALOGUE):
        path = target_path(schedule, d)
        if path is None:
            continue
        out.setdefault(path, []).append(Planned(uid, d, path, per_kind if d.scaled else 1))
    for path, lst in out.items():  # a re-delivered file carries no other defect (short periods only)
        if any(p.spec.kind == "redelivery" for p in lst):
            out[path] = [p for p in lst if p.spec.kind == "redelivery"]
    return out


def make_record(p: Planned, row: int | None, column: str | None, value) -> dict:
    return {"table": p.spec.table, "file": p.path, "row": row, "column": column, "kind": p.spec.kind,
            "expected_rule": p.spec.expected_rule, "value": value, "behaviour": p.spec.behaviour}


def _set(arr: pa.Array, i: int, value) -> pa.Array:
    return pa.concat_arrays([arr.slice(0, i), pa.array([value], arr.type), arr.slice(i + 1)])


def _bad_date(v: str, k: int) -> str:
    y, m, d = v.split("-")
    return (f"{d}/{m}/{y}", f"{y}{m}{d}", f"{d}-{m}-{y}")[k % 3]


def _bad_timestamp(v: str, k: int) -> str:
    date_part, rest = v.split("T")
    hms = rest[:8]
    y, m, d = date_part.split("-")
    return (f"{date_part} {hms}", f"{d}/{m}/{y} {hms[:5]}", f"{date_part}T{hms}")[k % 3]


def _unknown_j17() -> str:
    known = set(seeds().j17)
    return next(c for c in ("999", "998", "997", "990", "X01") if c not in known)


def _corrupt(spec: DefectKind, old, k: int):
    """The defective value replacing ``old`` (``k``: rank of the defect in its file)."""
    if spec.kind == "bad_finess":
        return corrupt_finess(old)
    if spec.kind == "bad_ins":
        return corrupt_ins(old)
    if spec.kind == "unknown_code":
        return "RELANCE" if spec.column == "event_type" else _unknown_j17()
    if spec.kind == "bad_date":
        return _bad_date(old, k)
    if spec.kind == "bad_timestamp":
        return _bad_timestamp(old, k)
    if spec.kind == "missing_required":
        return None
    raise ValueError(spec.kind)


def inject_rows(out: Output, planned: list[Planned], seed: int) -> list[dict]:
    """Apply the row-level defects of one file to its columns (in place); return records with ``row``."""
    names = out.column_names
    n = out.rows
    records: list[dict] = []
    if n < 2:
        return records
    used: set[int] = set()
    row_kinds = [p for p in planned if p.spec.kind not in ("duplicate_row", "truncated_line", "redelivery",
                                                             "encoding_windows_1252", "utf8_bom")]
    for p in row_kinds:
        rng = np.random.default_rng([seed, 9000, p.uid])
        col = names.index(p.spec.column)
        arr = out.columns[col]
        mask = pc.is_valid(arr)
        if p.spec.kind == "bad_ins":
            mask = pc.and_(mask, pc.equal(out.columns[names.index("ins_statut")], "VALI"))
        if p.spec.kind == "unknown_code" and p.spec.column == "event_type":
            mask = pc.and_(mask, pc.is_null(out.columns[names.index("evaluation_type")]))
        cand = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        cand = cand[(cand < n - 1) & ~np.isin(cand, list(used))]
        if not len(cand):
            continue
        rows = np.sort(rng.choice(cand, size=min(p.count, len(cand)), replace=False))
        for k, i in enumerate(rows.tolist()):
            new = _corrupt(p.spec, arr[i].as_py(), k)
            arr = _set(arr, i, new)
            used.add(i)
            records.append(make_record(p, i, p.spec.column, new if new is not None else ""))
        out.columns[col] = arr
    for p in planned:
        if p.spec.kind != "duplicate_row":
            continue
        rng = np.random.default_rng([seed, 9000, p.uid])
        cand = np.setdiff1d(np.arange(n - 1), list(used))
        if not len(cand):
            continue
        rows = np.sort(rng.choice(cand, size=min(p.count, len(cand)), replace=False))[::-1]
        for i in rows.tolist():
            out.columns = [pa.concat_arrays([a.slice(0, i + 1), a.slice(i, 1), a.slice(i + 1)]) for a in out.columns]
            for r in records:
                if r["row"] is not None and r["row"] > i:
                    r["row"] += 1
            key = SPECS_BY_NAME[p.spec.table].key
            records.append(make_record(p, i + 1, None, {k: out.columns[names.index(k)][i].as_py() for k in key}))
    return records


def first_delivery(out: Output, seed: int) -> tuple[list[pa.Array], dict]:
    """The earlier, incomplete delivery of a re-delivered month: a few rows missing, a few event types
    different, a few rows that the correction removed."""
    rng = np.random.default_rng([seed, 9100])
    n = out.rows
    names = out.column_names
    keep = rng.random(n) >= 0.03
    idx = np.flatnonzero(keep)
    extra = rng.choice(n, size=max(1, n // 100), replace=False) if n else np.zeros(0, np.int64)
    cols = [a.take(pa.array(np.concatenate([idx, extra]))) for a in out.columns]
    k_id = names.index("event_id")
    ids = cols[k_id]
    suffix = pa.array(["" for _ in idx] + ["B"] * len(extra), pa.string())
    cols[k_id] = pc.binary_join_element_wise(ids, suffix, "")
    changed = 0
    if "event_type" in names:
        k_t = names.index("event_type")
        flip = np.concatenate([rng.random(len(idx)) < 0.02, np.zeros(len(extra), bool)])
        cols[k_t] = pc.if_else(pa.array(flip), pa.scalar("MISE_A_JOUR"), cols[k_t])
        changed = int(flip.sum())
    return cols, {"removed_in_v2": len(extra), "added_in_v2": int((~keep).sum()), "changed_in_v2": changed}


def delivery_times(month_last_day: int) -> tuple[float, float]:
    """mtimes of the first and the corrected delivery (the correction comes 12 days later)."""
    d = day_to_date(month_last_day) + timedelta(days=3)
    t1 = datetime(d.year, d.month, d.day, 6, 0, tzinfo=UTC).timestamp()
    return t1, t1 + 12 * 86400


def set_mtime(path: Path, t: float) -> None:
    os.utime(path, (t, t))


def truncate_last_line(path: Path, delimiter: str) -> tuple[int, str]:
    """Cut the last line in the middle of its third field and drop the final newline; return
    (physical line number, the truncated text)."""
    data = path.read_bytes()
    body = data[:-1] if data.endswith(b"\n") else data
    start = body.rfind(b"\n") + 1
    line = body[start:]
    delim = delimiter.encode()
    parts = line.split(delim)
    keep = delim.join(parts[:2]) + delim + parts[2][: max(1, len(parts[2]) // 2)] if len(parts) > 3 else line[: len(line) // 2]
    path.write_bytes(body[:start] + keep)
    return body[:start].count(b"\n") + 1, keep.decode("utf-8", errors="replace")


def to_windows_1252(path: Path) -> None:
    path.write_bytes(path.read_bytes().decode("utf-8").encode("cp1252"))


def add_bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
