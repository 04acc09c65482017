"""Every gate scenario of tests/e2e/gate_scenarios.py alone, plus every generator seed 1-20 at tiny scale,
each as a full `eparcours run`: prints the confusion matrix (published / refused x should / should not) and the
time of each run.

    .venv/bin/python scripts/gate_battery.py --workdir /tmp/battery [--seeds 1-20] [--demo-seeds 1-10]

--demo-seeds generate the whole default history (2021-2024, what `make run` generates): its adoption waves
(structures starting small and growing) are a shape the 2023-2024 window hardly has.

Refusal scenarios start from a published tiny region (seed 7, 2023-2024) and are judged as new deliveries;
publication scenarios of the history's shape run fresh.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e import gate_scenarios as G  # noqa: E402

from dagster_project.synthetic import generate  # noqa: E402

BIN = Path(sys.executable).parent / "eparcours"


def run(landing: Path, home: Path) -> tuple[int, float, str]:
    t0 = time.monotonic()
    p = subprocess.run([str(BIN), "run", "--landing", str(landing), "--home", str(home)], capture_output=True,
                       text=True)
    return p.returncode, time.monotonic() - t0, p.stdout + p.stderr


def fresh(work: Path, name: str, seed: int = 7, start: date = date(2023, 1, 1)) -> tuple[Path, Path]:
    d = work / name
    shutil.rmtree(d, ignore_errors=True)
    generate(d / "landing", scale="tiny", seed=seed, start=start, end=date(2024, 12, 31))
    return d / "landing", d / "home"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/gate_battery"))
    ap.add_argument("--seeds", default="1-20")
    ap.add_argument("--demo-seeds", default="1-10")
    ap.add_argument("--seeds-only", action="store_true", help="skip the scenarios (to split the battery in two)")
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    if not args.seeds_only:
        rows += scenarios(work)
    a, b = (int(x) for x in args.seeds.split("-"))
    for seed in range(a, b + 1):
        landing, home = fresh(work, f"seed{seed}", seed=seed)
        rows.append((f"generator seed {seed}", "publish", *run(landing, home)[:2]))
    a, b = (int(x) for x in args.demo_seeds.split("-"))
    for seed in range(a, b + 1):
        landing, home = fresh(work, f"demo{seed}", seed=seed, start=date(2021, 1, 1))
        rows.append((f"generator seed {seed}, whole default history", "publish", *run(landing, home)[:2]))
    return report(work, rows)


def scenarios(work: Path) -> list[tuple]:
    rows = []
    base_landing, base_home = fresh(work, "base")
    rc, secs, out = run(base_landing, base_home)
    assert rc == 0, out
    rows.append(("base region (seed 7)", "publish", rc, secs))

    def from_base(name: str) -> tuple[Path, Path]:
        d = work / name
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(base_landing, d / "landing")
        shutil.copytree(base_home, d / "home", symlinks=True)
        return d / "landing", d / "home"

    for i, s in enumerate(G.REFUSED):
        landing, home = from_base(f"refuse{i}")
        s.change(landing)
        rc, secs, out = run(landing, home)
        rows.append((s.name, "refuse", rc, secs))
    for i, s in enumerate(G.PUBLISHED_INCREMENTAL):
        landing, home = from_base(f"publish_inc{i}")
        s.change(landing)
        rows.append((s.name, "publish", *run(landing, home)[:2]))
    for i, s in enumerate(G.PUBLISHED_FRESH + [G.PUBLISHED_ESMS_ONLY]):
        landing, home = fresh(work, f"publish_fresh{i}")
        s.change(landing)
        rows.append((s.name, "publish", *run(landing, home)[:2]))
    for i, s in enumerate(G.REFUSED_FRESH):
        landing, home = fresh(work, f"refuse_fresh{i}", seed=5)
        s.change(landing)
        rows.append((s.name, "refuse", *run(landing, home)[:2]))
    return rows


def report(work: Path, rows: list[tuple]) -> int:
    matrix = {("publish", 0): 0, ("publish", 3): 0, ("refuse", 0): 0, ("refuse", 3): 0}
    print(f"{'scenario':<75} {'should':<8} {'got':<9} {'s':>6}")
    for name, should, rc, secs in rows:
        got = {0: "published", 3: "refused"}.get(rc, f"exit {rc}")
        matrix[(should, rc)] = matrix.get((should, rc), 0) + 1
        print(f"{name:<75} {should:<8} {got:<9} {secs:6.1f}")
    print("\nconfusion matrix:          published  refused")
    print(f"  should publish           {matrix[('publish', 0)]:>9}  {matrix[('publish', 3)]:>7}")
    print(f"  should be refused        {matrix[('refuse', 0)]:>9}  {matrix[('refuse', 3)]:>7}")
    (work / "battery.json").write_text(json.dumps([dict(zip(("scenario", "should", "exit", "seconds"), r))
                                                   for r in rows], indent=1))
    ok = matrix[("publish", 3)] == 0 and matrix[("refuse", 0)] == 0 and all(r[2] in (0, 3) for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
