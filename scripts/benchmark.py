"""Benchmark (`make bench`): the command line's paths against the floor, on one landing folder, in one run.

    .venv/bin/python scripts/benchmark.py [--scale tiny|region|national] [--landing DIR] [--workdir DIR]

Every stage is the command an engineer types, in its own process; its wall time and the peak resident memory of
its whole process tree (the command and every process it starts, dbt included, summed, sampled every 0.1 s from
/proc) are reported, and the wall time as a ratio to the floor measured in the same run on the same machine:

  floor      DuckDB reading every landing file once: one parallel read_csv per table over all its files, all
             columns as text, counting rows (nothing typed, checked or written)
  store      the same reads written untyped into a DuckDB file, a table per landing table: for reference, what
             loading costs at the least (nothing typed, checked, pseudonymised or traced)
  run        eparcours run on a fresh home: ingestion, every quarter, the gate, the publication
  nothing    eparcours run again, nothing new in the landing folder
  redelivery eparcours run after one month re-delivered (the last month of coord_evenements, as _v2, one line less)
  recompute  eparcours recompute --measure-date <the last quarter>

The landing folder is generated (`--scale`, seed 42) unless `--landing` names one; it is never modified: the
stages read <workdir>/landing, its files as hard links, where the re-delivery is added. Results: a table on stdout and <workdir>/benchmark.json,
with the machine (cores, memory), the load average before and after, and the date.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")

# The floor: each table's files in one parallel read_csv, all text, rows counted. ``store`` writes the same reads
# untyped into a DuckDB file (a table per landing table; no check, no lineage, no pseudonym): for reference, what a
# load costs at the least on this machine. The ratios are to the floor.
_READ = """
import sys, duckdb
from pathlib import Path
from dagster_project.ingestion.discovery import inventory
from dagster_project.ingestion.specs import SPECS
inv = inventory(Path(sys.argv[1]))
con = duckdb.connect(sys.argv[2] if len(sys.argv) > 2 else ":memory:", config={"threads": 2})
con.execute("SET enable_progress_bar = false")
rows, seen = 0, set()
for s in SPECS:
    files = [str(f.path) for f in inv.winners(s.name) if f.path not in seen]
    seen.update(f.path for f in inv.winners(s.name))
    if files:
        scan = ("read_csv(?, all_varchar=true, header=false, delim=?, quote='\\"', strict_mode=false, "
                "null_padding=true, ignore_errors=true)")
        %s
print(rows, "lines")
"""
FLOOR = _READ % "rows += con.execute(f'SELECT count(*) FROM {scan}', [files, s.delimiter]).fetchone()[0]"
STORE = _READ % ("con.execute(f'CREATE OR REPLACE TABLE {s.name} AS SELECT * FROM {scan}', [files, s.delimiter])"
                 "; rows += con.execute(f'SELECT count(*) FROM {s.name}').fetchone()[0]")


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, now."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    stat = f.read()
                parent[int(d)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier += kids
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError):
            continue
    return total


def stage(name: str, cmd: list[str], env: dict | None = None, log: Path | None = None) -> dict:
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    out = open(log, "w") if log else subprocess.DEVNULL
    t0, started = time.monotonic(), datetime.now()
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    rc = proc.wait()
    wall = time.monotonic() - t0
    done.set()
    sampler.join()
    if log:
        out.close()
    res = {"stage": name, "wall_s": round(wall, 1), "peak_rss_mib": round(peak[0] / 2**20), "exit": rc}
    if log:
        res["steps"] = steps(log)
        first = next((ln[:8] for ln in log.read_text(encoding="utf-8", errors="replace").splitlines()
                      if re.match(r"\d\d:\d\d:\d\d ", ln)), None)
        if first and res["steps"]:  # from the command's start to its first stage: imports, Dagster, the instance
            h, m, sec = map(int, first.split(":"))
            res["startup_s"] = round((h * 3600 + m * 60 + sec - (started.hour * 3600 + started.minute * 60
                                                                  + started.second + started.microsecond / 1e6))
                                     % 86400, 1)
    print(f"   -> {res}", flush=True)
    if rc != 0:
        raise SystemExit(f"stage {name} failed with exit code {rc} (log: {log})")
    return res


STEP_DONE = re.compile(r"^\d\d:\d\d:\d\d [✓✗] (.*) \((\d+):(\d\d)\)$")


def steps(log: Path) -> dict[str, int]:
    """Seconds of each stage of an eparcours command, from the summary line the progress display prints as the stage
    ends (``12:01:33 ✓ Ingestion: dui: 202 files, … (01:13)``): where the time of a run goes."""
    out: dict[str, int] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        m = STEP_DONE.match(line.strip())
        if m:
            text = m.group(1)
            name = text.rsplit(": ", 1)[0] if ": " in text else text
            out[name] = out.get(name, 0) + int(m.group(2)) * 60 + int(m.group(3))
    return out


def link_farm(landing: Path, into: Path) -> Path:
    """``into``: the files of ``landing`` as hard links (a copy across file systems), so that the benchmark can add a
    re-delivered month without touching ``landing`` (symbolic links would be refused by the ingestion)."""
    shutil.rmtree(into, ignore_errors=True)
    for p in landing.rglob("*"):
        if p.is_file() and ".synthetic" not in p.parts:
            target = into / p.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(p, target)
            except OSError:
                shutil.copy2(p, target)
    return into


def redeliver(landing: Path) -> Path:
    """The last month of coord_evenements re-delivered as ``_v2`` with its last line removed (a correction)."""
    last = sorted(landing.glob("coordination/coord_evenements_????-??.csv"))[-1]
    lines = last.read_bytes().splitlines(keepends=True)
    v2 = last.with_name(last.name.replace(".csv", "_v2.csv"))
    v2.write_bytes(b"".join(lines[:-1]))
    return v2


def machine() -> dict:
    mem = next((int(ln.split()[1]) * 1024 for ln in open("/proc/meminfo") if ln.startswith("MemTotal:")), 0)
    return {"cores": os.cpu_count(), "memory_gib": round(mem / 2**30, 1), "python": platform.python_version(),
            "kernel": platform.release()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="region", choices=("tiny", "region", "national"))
    ap.add_argument("--landing", type=Path, help="an existing landing folder (default: generate one in --workdir)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/eparcours-bench"))
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.setdefault("EPARCOURS_PSEUDONYM_KEY_FILE", str(args.workdir / "pseudonym.key"))
    load_before = os.getloadavg()
    landing = args.landing
    if landing is None:
        landing = args.workdir / f"landing-{args.scale}-{args.seed}"
        if not (landing / ".synthetic" / "report.json").exists():
            stage("generate", [str(BIN / "eparcours"), "generate", "--out", str(landing), "--scale", args.scale,
                               "--seed", str(args.seed)], env)
    landing = link_farm(landing.resolve(), args.workdir / "landing")
    files = [p for p in landing.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    home = args.workdir / "home"
    shutil.rmtree(home, ignore_errors=True)
    logs = args.workdir / "logs"
    logs.mkdir(exist_ok=True)
    eparcours = [str(BIN / "eparcours")]
    results = [stage("floor", [sys.executable, "-c", FLOOR, str(landing)], env, logs / "floor.log")]
    store = args.workdir / "store.duckdb"
    store.unlink(missing_ok=True)
    results.append(stage("store", [sys.executable, "-c", STORE, str(landing), str(store)], env, logs / "store.log"))
    store.unlink(missing_ok=True)
    results.append(stage("run", eparcours + ["run", "--landing", str(landing), "--home", str(home)], env,
                         logs / "run.log"))
    results.append(stage("nothing", eparcours + ["run", "--landing", str(landing), "--home", str(home)], env,
                         logs / "nothing.log"))
    import duckdb

    con = duckdb.connect(str(home / "warehouse" / "warehouse.duckdb"), read_only=True)
    last, n_results = con.execute("SELECT max(measure_date), count(*) FROM marts.indicator_results").fetchone()
    n_rows = con.execute("SELECT sum(rows_loaded) FROM raw.ingested_files WHERE status = 'loaded'").fetchone()[0]
    con.close()
    v2 = redeliver(landing)
    results.append(stage("redelivery", eparcours + ["run", "--landing", str(landing), "--home", str(home)], env,
                         logs / "redelivery.log"))
    results[-1]["file"] = v2.name
    results.append(stage("recompute", eparcours + ["recompute", "--measure-date", str(last), "--landing",
                                                   str(landing), "--home", str(home)], env, logs / "recompute.log"))
    floor = max(results[0]["wall_s"], 0.1)
    for r in results:
        r["x_floor"] = round(r["wall_s"] / floor, 1)
    summary = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
               "load_before": [round(x, 2) for x in load_before],
               "load_after": [round(x, 2) for x in os.getloadavg()], "scale": args.scale, "landing": str(landing),
               "landing_files": len(files), "landing_bytes": size, "rows_loaded": n_rows,
               "indicator_rows": n_results, "stages": results}
    (args.workdir / "benchmark.json").write_text(json.dumps(summary, indent=2))
    print(f"\n{summary['date']}, {summary['machine']['cores']} cores, {summary['machine']['memory_gib']} GiB; "
          f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"landing: {len(files)} files, {size / 2**30:.2f} GiB, {n_rows:,} rows loaded; {n_results:,} indicator rows")
    print("| stage | wall (s) | × floor | peak RSS (MiB) |\n|---|---:|---:|---:|")
    for r in results:
        print(f"| {r['stage']} | {r['wall_s']} | {r['x_floor']} | {r['peak_rss_mib']} |")
    for r in results:
        if r.get("steps"):
            other = r["wall_s"] - sum(r["steps"].values()) - r.get("startup_s", 0)
            print(f"{r['stage']}: start {r.get('startup_s', '?')} s, " + ", ".join(
                f"{k} {v} s" for k, v in r["steps"].items()) + f"; between the jobs and the summary {other:.0f} s")
    print(f"(logs in {logs}; {args.workdir / 'benchmark.json'})")


if __name__ == "__main__":
    main()
