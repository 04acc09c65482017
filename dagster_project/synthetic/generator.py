"""``generate()``: write a complete synthetic landing folder.

The work is a list of independent tasks, one per landing file (a table × month or a table × snapshot
date). Each task draws its rows from the :class:`~.universe.Universe` with its own random generator
(``default_rng([seed, table, month])``), so tasks can run in any order or in parallel processes and the
files are byte-identical for the same seed, scale and dates. Big files are formatted and written in
slices (the DUI events of a month are even drawn by windows of days), so memory stays bounded.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from ..ingestion.specs import SPECS
from . import csvio
from . import defects as dfx
from .common import Output
from .schedule import Schedule, build_schedule
from .sources import coordination, declaratif, dmp, dui, finess, mss, ror
from .universe import SCALES, Universe

REPORT_DIR = ".synthetic"
REPORT_FILE = "report.json"


@dataclass
class GenerationReport:
    out: str
    scale: str
    seed: int
    start: str
    end: str
    region: str
    defects_enabled: bool
    files: list[str] = field(default_factory=list)  # relative to ``out``
    rows: dict[str, int] = field(default_factory=dict)  # data lines written per table
    defects: list[dict] = field(default_factory=list)
    seconds: float = 0.0  # wall time (not written to report.json, which stays deterministic)

    def to_json(self) -> str:
        d = asdict(self)
        d.pop("seconds")
        d.pop("out")
        return json.dumps(d, indent=2, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Task:
    table: str
    key: str  # YYYY-MM or YYYYMMDD
    kind: str  # month | snapshot
    index: int
    when: object  # Month or date
    fn: Callable


def build_tasks(s: Schedule) -> list[Task]:
    tasks: list[Task] = []

    def dated(table, dates, fn):
        for k, d in enumerate(dates):
            tasks.append(Task(table, d.strftime("%Y%m%d"), "snapshot", k, d, fn))

    # the biggest tables first, so that parallel workers finish together
    for table, fn in (("dui_evenements", dui.events), ("mss_messages", mss.messages),
                      ("dmp_documents", dmp.documents), ("dui_agenda", dui.agenda), ("dui_dossiers", dui.dossiers),
                      ("dui_projets", dui.projets), ("coord_evenements", coordination.events),
                      ("coord_equipe", coordination.equipe), ("coord_dossiers", coordination.dossiers),
                      ("coord_messages", coordination.messages)):
        for m in s.months:
            tasks.append(Task(table, m.label, "month", m.index, m, fn))
    dated("finess_structures", s.finess, finess.etalab)
    dated("finess_autorisations", s.finess, finess.autorisations)
    dated("ror_eg", s.ror, ror.eg)
    dated("ror_ue", s.ror, ror.ue)
    dated("ror_ue_activite", s.ror, ror.ue_activite)
    dated("ror_ue_contact", s.ror, ror.ue_contact)
    dated("annuaire_mssante", s.annuaire, mss.annuaire)
    dated("coord_structures", s.coord, coordination.structures)
    dated("cpts_membres", s.coord, coordination.membres)
    dated("esms_file_active", s.esms_file_active, dui.file_active)
    dated("esms_projets", s.esms_projets, dui.projets_galis)
    dated("declaratif", s.declaratif, declaratif.declarations)
    return tasks


def _write_output(out_dir: Path, o: Output, path: str) -> int:
    """Write one file; return its data rows (streamed outputs only know it once written)."""
    target = out_dir / path
    if o.sections is not None:
        csvio.write_sections(target, o.first_line, [cols for _, cols in o.sections], o.delimiter)
        return o.rows
    return csvio.write_csv(target, o.column_names, o.batches(csvio.CHUNK_ROWS), o.delimiter)


def run_task(u: Universe, task: Task, out_dir: Path, plan: dict[str, list[dfx.Planned]]) -> dict:
    """Draw and write one landing file (with its defects); return what was written."""
    t0 = time.perf_counter()
    if task.kind == "month":
        outputs = task.fn(u, task.when)
    else:
        outputs = task.fn(u, task.index, task.when)
    files, rows, records = [], {}, []
    for o in outputs:
        planned = plan.get(o.path, [])
        if planned:
            o.materialize()
        records += dfx.inject_rows(o, planned, u.seed)
        kinds = {p.spec.kind: p for p in planned}
        if "redelivery" in kinds:
            p = kinds["redelivery"]
            v1_cols, detail = dfx.first_delivery(o, u.seed)
            v1 = Output(o.table, o.path, v1_cols)
            v2_path = o.path[: -len(".csv")] + "_v2.csv"
            _write_output(out_dir, v1, o.path)
            _write_output(out_dir, o, v2_path)
            t1, t2 = dfx.delivery_times(task.when.last)
            dfx.set_mtime(out_dir / o.path, t1)
            dfx.set_mtime(out_dir / v2_path, t2)
            files += [o.path, v2_path]
            rec = dfx.make_record(p, None, None, None)
            rec.update(file=v2_path, replaces=o.path, expected_rows=o.rows, first_delivery_rows=len(v1_cols[0]), **detail)
            records.append(rec)
            written = o.rows
        else:
            written = _write_output(out_dir, o, o.path)
            files.append(o.path)
        if o.sections is not None:
            for table, cols in o.sections:
                rows[table] = rows.get(table, 0) + (len(cols[0]) if cols else 0)
        else:
            rows[o.table] = rows.get(o.table, 0) + written
        target = out_dir / o.path
        for p in planned:
            k = p.spec.kind
            if k == "truncated_line" and written:
                line, text = dfx.truncate_last_line(target, o.delimiter)
                records.append(dfx.make_record(p, None, None, text) | {"line": line})
            elif k == "encoding_windows_1252":
                dfx.to_windows_1252(target)
                records.append(dfx.make_record(p, None, None, None))
            elif k == "utf8_bom":
                dfx.add_bom(target)
                records.append(dfx.make_record(p, None, None, None))
    for r in records:
        if "line" not in r:
            r["line"] = None if r["row"] is None else r["row"] + 2
        r.pop("row", None)
    return {"files": files, "rows": rows, "defects": records, "seconds": time.perf_counter() - t0,
            "label": f"{task.table} {task.key}"}


# ------------------------------------------------------------------------------------ worker processes
# Workers are forked from the parent once it has built the universe (numpy arrays only, no Arrow
# thread started yet): they share it copy-on-write. Where fork is unavailable, each worker rebuilds the
# same universe from the same arguments (it is deterministic).
_WORKER: dict = {}


def _init_worker(args: tuple, out_dir: str, plan) -> None:
    if "u" not in _WORKER:
        _WORKER["u"] = Universe(SCALES[args[0]], *args[1:])
    _WORKER["out"] = Path(out_dir)
    _WORKER["plan"] = plan
    u = _WORKER["u"]
    _WORKER["tasks"] = build_tasks(build_schedule(u.start, u.end, u.seed))


def _run_in_worker(task_index: int) -> dict:
    return run_task(_WORKER["u"], _WORKER["tasks"][task_index], _WORKER["out"], _WORKER["plan"])


def _clean_previous(out: Path) -> None:
    """Remove the files of an earlier generation into the same folder (listed in its report)."""
    report = out / REPORT_DIR / REPORT_FILE
    if not report.exists():
        return
    try:
        previous = json.loads(report.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError):
        previous = []
    for rel in previous:
        p = out / rel
        if p.is_file() and p.resolve().is_relative_to(out.resolve()):
            p.unlink()


def generate(
    out: Path,
    scale: str = "tiny",
    seed: int = 42,
    start: date = date(2021, 1, 1),
    end: date = date(2024, 12, 31),
    region: str = "84",
    progress: Callable[[str], None] | None = None,
    on_task: Callable[[int, int, str, int], None] | None = None,
    defects: bool = True,
    jobs: int | None = None,
) -> GenerationReport:
    """Write a synthetic landing folder ``out/<source>/<file>`` and ``out/.synthetic/report.json``.

    ``scale``: ``tiny`` (seconds, tests), ``region`` (a large region) or ``national`` (10× region).
    ``progress(message)``: what the generator does; ``on_task(done, total, label, rows)``: each task done (a progress
    display), in place of a message per task.
    ``defects``: inject the documented defects (``False`` gives a clean folder). ``jobs``: worker
    processes (default 1 for tiny, else up to 2); the files do not depend on it.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean_previous(out)
    schedule = build_schedule(start, end, seed)
    tasks = build_tasks(schedule)
    plan = dfx.plan(schedule, SCALES[scale].defects_per_kind) if defects else {}
    if jobs is None:
        jobs = 1 if scale == "tiny" else max(1, min(2, os.cpu_count() or 1))
    say(f"synthetic {scale}: region {region}, {start}..{end}, seed {seed}, {len(tasks)} files, {jobs} process(es)")
    results: list[dict] = []
    if jobs == 1:
        u = Universe(SCALES[scale], seed, start, end, region)
        say(f"universe built in {time.perf_counter() - t0:.1f}s")
        for i, task in enumerate(tasks):
            r = run_task(u, task, out, plan)
            results.append(r)
            _progress(say, i + 1, len(tasks), r, on_task)
    else:
        args = (scale, seed, start, end, region)
        if "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            _WORKER["u"] = Universe(SCALES[scale], seed, start, end, region)
            say(f"universe built in {time.perf_counter() - t0:.1f}s")
        else:
            ctx = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                                     initargs=(args, str(out), plan)) as pool:
                futures = [pool.submit(_run_in_worker, i) for i in range(len(tasks))]
                for done, fut in enumerate(as_completed(futures), 1):
                    r = fut.result()
                    results.append(r)
                    _progress(say, done, len(tasks), r, on_task)
        finally:
            _WORKER.clear()
    report = GenerationReport(str(out), scale, seed, start.isoformat(), end.isoformat(), region, bool(defects))
    files, rows, recs = [], {s.name: 0 for s in SPECS}, []
    for r in results:
        files += r["files"]
        for t, n in r["rows"].items():
            rows[t] += n
        recs += r["defects"]
    report.files = sorted(files)
    report.rows = rows
    kinds = [k.kind for k in dfx.CATALOGUE]
    recs.sort(key=lambda d: (d["file"], d["line"] or 0, kinds.index(d["kind"])))
    for i, d in enumerate(recs, 1):
        d["id"] = f"D{i:03d}"
    report.defects = [{k: d[k] for k in ("id", "table", "file", "line", "column", "kind", "expected_rule")}
                      | {k: v for k, v in d.items() if k not in ("id", "table", "file", "line", "column", "kind", "expected_rule")}
                      for d in recs]
    rep_dir = out / REPORT_DIR
    rep_dir.mkdir(exist_ok=True)
    (rep_dir / REPORT_FILE).write_text(report.to_json() + "\n", encoding="utf-8")
    report.seconds = time.perf_counter() - t0
    say(f"done: {len(report.files)} files, {sum(rows.values()):,} rows, {len(report.defects)} defects, "
        f"{report.seconds:.1f}s")
    return report


def _progress(say, done: int, total: int, r: dict, on_task=None) -> None:
    n = sum(r["rows"].values())
    if on_task is not None:  # a progress display: files done, the last one, rows
        on_task(done, total, r["label"], n)
    else:
        say(f"[{done:4d}/{total}] {r['label']}: {n:,} rows ({r['seconds']:.1f}s)")

