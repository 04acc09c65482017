"""Benchmark: wall time and peak memory of each stage on a synthetic region (or national) landing folder.

    .venv/bin/python scripts/benchmark.py --scale region --workdir /tmp/bench [--skip-generate]

Each stage runs as its own process (the same commands an engineer types), and its peak resident memory is
read from the kernel's accounting of that process (os.wait4). Every stage is reported as a ratio to the
floor, measured in the same run on the same machine. Stages:
  floor      DuckDB reading every landing file once (read_csv, all text, count), nothing else
  generate   eparcours generate --scale S
  ingest     ingestion of the whole landing folder into a fresh warehouse (no dbt)
  run        eparcours run on a fresh home (ingestion + staging + every quarter)
  recompute  eparcours recompute --measure-date <last quarter> (one partition)
  rerun      eparcours run again on the same home (nothing new to ingest)
Results are printed as a table and written to <workdir>/benchmark.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def stage(name: str, cmd: list[str], env=None) -> dict:
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    rc = os.waitstatus_to_exitcode(status)
    res = {"stage": name, "wall_s": round(wall, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024), "exit": rc}
    print(f"   -> {res}", flush=True)
    if rc != 0:
        raise SystemExit(f"stage {name} failed with exit code {rc}")
    return res


FLOOR = """
import sys, duckdb
from pathlib import Path
con = duckdb.connect()
rows = 0
for p in sorted(Path(sys.argv[1]).rglob("*")):
    if p.is_file() and not p.name.startswith(".") and p.suffix == ".csv":
        rows += con.execute("SELECT count(*) FROM read_csv(?, all_varchar=true, header=false, delim=?, "
                            "quote=?, strict_mode=false, null_padding=true, ignore_errors=true)",
                            [str(p), "|" if p.name.startswith("annuaire") else ";", chr(34)]).fetchone()[0]
print(rows, "lines")
"""

INGEST_ONLY = """
import sys, duckdb
from pathlib import Path
from dagster_project.ingestion.engine import ingest_landing
from dagster_project.settings import duckdb_config
con = duckdb.connect(sys.argv[2], config=duckdb_config(Path(sys.argv[2]).parent))
r = ingest_landing(con, Path(sys.argv[1]))
print(r.totals())
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="region", choices=("tiny", "region", "national"))
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/eparcours-bench"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--skip-generate", action="store_true")
    args = ap.parse_args()
    landing, home = args.workdir / "landing", args.workdir / "home"
    results = []
    if not args.skip_generate:
        shutil.rmtree(landing, ignore_errors=True)
        results.append(stage("generate", [str(BIN / "eparcours"), "generate", "--out", str(landing),
                                          "--scale", args.scale, "--seed", str(args.seed)]))
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    results.append(stage("floor", [sys.executable, "-c", FLOOR, str(landing)]))
    ingest_dir = args.workdir / "ingest-only"
    shutil.rmtree(ingest_dir, ignore_errors=True)
    ingest_dir.mkdir(parents=True)
    results.append(stage("ingest", [sys.executable, "-c", INGEST_ONLY, str(landing),
                                    str(ingest_dir / "warehouse.duckdb")]))
    shutil.rmtree(ingest_dir, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    results.append(stage("run", [str(BIN / "eparcours"), "run", "--landing", str(landing), "--home", str(home)]))
    import duckdb

    con = duckdb.connect(str(home / "warehouse" / "warehouse.duckdb"), read_only=True)
    last = con.execute("SELECT max(measure_date) FROM marts.indicator_results").fetchone()[0]
    n_results = con.execute("SELECT count(*) FROM marts.indicator_results").fetchone()[0]
    con.close()
    results.append(stage("recompute", [str(BIN / "eparcours"), "recompute", "--measure-date", str(last),
                                       "--landing", str(landing), "--home", str(home)]))
    results.append(stage("rerun", [str(BIN / "eparcours"), "run", "--landing", str(landing), "--home", str(home)]))
    summary = {"scale": args.scale, "landing_bytes": size, "indicator_rows": n_results, "stages": results,
               "cores": os.cpu_count()}
    (args.workdir / "benchmark.json").write_text(json.dumps(summary, indent=2))
    print(f"\nlanding: {size / 2**30:.2f} GiB, {n_results} indicator rows")
    floor = next(r["wall_s"] for r in results if r["stage"] == "floor") or 0.1
    for r in results:
        r["x_floor"] = round(r["wall_s"] / floor, 1)
    (args.workdir / "benchmark.json").write_text(json.dumps(summary, indent=2))
    print(f"{'stage':<10} {'wall (s)':>9} {'x floor':>8} {'peak RSS (MiB)':>15}")
    for r in results:
        print(f"{r['stage']:<10} {r['wall_s']:>9} {r['x_floor']:>8} {r['peak_rss_mib']:>15}")
    print(f"(floor = DuckDB reading every landing file once; load average at the end: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
