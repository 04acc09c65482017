"""``eparcours``: the command line of the warehouse.

    eparcours generate --out DIR [--scale tiny|region|national] [--seed N] [--start D] [--end D] [--region R]
    eparcours run [--landing DIR] [--home DIR] [--through YYYY-MM-DD] [--force] [--verbose]
    eparcours recompute --measure-date YYYY-MM-DD [--landing DIR] [--home DIR]
    eparcours cnsa --galis REF [--through YYYY-MM-DD] [--home DIR]
    eparcours audit-sample --indicator ID [--finess F] --measure-date D [--n 20] [--seed 1] [--home DIR]
    eparcours rollback [--to ID | --list] [--home DIR]
    eparcours sql "SELECT ..." [--csv] [--home DIR]

Exit codes: 0 success, 2 bad usage or unreadable landing folder, 3 the quality gate refused
publication, 1 anything else. Errors are one sentence; ``--verbose`` adds the traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from datetime import date
from pathlib import Path

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_GATE = 0, 1, 2, 3
REPO_ROOT = Path(__file__).resolve().parents[1]


class UsageError(Exception):
    pass


def _date(s: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a date YYYY-MM-DD") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on bad usage: keep that, with one clear sentence
        self.print_usage(sys.stderr)
        print(f"eparcours: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("eparcours-warehouse")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="eparcours", description="Usage-indicator warehouse for ARS (E-parcours, ESMS Numérique).")
    p.add_argument("--verbose", action="store_true", help="show tracebacks and Dagster logs")
    p.add_argument("--version", action="version", version=f"eparcours {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    g = sub.add_parser("generate", help="write realistic synthetic regional extracts in the landing formats")
    g.add_argument("--out", required=True, type=Path, help="landing folder to write (created if missing)")
    g.add_argument("--scale", choices=("tiny", "region", "national"), default="tiny")
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--start", type=_date, default=date(2021, 1, 1))
    g.add_argument("--end", type=_date, default=date(2024, 12, 31))
    g.add_argument("--region", default="84", help="INSEE region code of the synthetic ARS (default 84)")
    g.add_argument("--no-defects", action="store_true", help="do not inject the documented real-world defects")
    g.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS)

    r = sub.add_parser("run", help="ingest the landing folder and compute everything downstream")
    r.add_argument("--landing", type=Path, default=Path(os.environ.get("EPARCOURS_LANDING", REPO_ROOT / "data/landing")))
    r.add_argument("--home", type=Path, default=Path(os.environ.get("EPARCOURS_HOME", REPO_ROOT / "data")))
    r.add_argument("--through", type=_date, help="last measure date to compute (default: last complete quarter)")
    r.add_argument("--accept", action="append", default=[], metavar="CHECK_ID",
                   help="publish despite this failed check, for this run only (the id printed by a refusal, "
                        "e.g. dui_evenements.volume_low@2024-06 or dbt.int_region.relationships); repeatable; "
                        "needs --reason")
    r.add_argument("--reason", action="append", default=[],
                   help="why the failure is accepted (one for all --accept, or one per --accept, in order)")
    r.add_argument("--by", default=None, help="who accepts (default: $EPARCOURS_OPERATOR, else the login name)")
    r.add_argument("--force", action="store_true",
                   help="compute every quarter, even when nothing (or only some deliveries) changed since the last run that published")
    r.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS)
    rc = sub.add_parser("recompute", help="recompute the indicators of one quarter from what is already ingested")
    rc.add_argument("--measure-date", required=True, type=_date, help="last day of the quarter, e.g. 2024-12-31")
    rc.add_argument("--landing", type=Path, default=Path(os.environ.get("EPARCOURS_LANDING", REPO_ROOT / "data/landing")))
    rc.add_argument("--home", type=Path, default=Path(os.environ.get("EPARCOURS_HOME", REPO_ROOT / "data")))
    rc.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS)
    c = sub.add_parser("cnsa", help="(re)generate one GALIS project's CNSA workbook and proofs of use")
    c.add_argument("--galis", required=True, help="GALIS reference of the project (8 digits)")
    c.add_argument("--through", type=_date, help="measure date (default: the last computed quarter)")
    c.add_argument("--home", type=Path, default=Path(os.environ.get("EPARCOURS_HOME", REPO_ROOT / "data")))
    c.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS)

    rb = sub.add_parser("rollback", help="point published/ back at the previous publication (or --to ID)")
    rb.add_argument("--to", help="publication id (see --list)")
    rb.add_argument("--list", action="store_true", help="list the publications kept")
    rb.add_argument("--home", type=Path, default=Path(os.environ.get("EPARCOURS_HOME", REPO_ROOT / "data")))
    rb.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS)

    q = sub.add_parser("sql", help="query the working warehouse read-only, for as long as the query lasts (a run "
                                   "waits for it at most a few seconds, never for a forgotten session)")
    q.add_argument("query", help="one SQL statement, e.g. \"SELECT * FROM raw.quarantine LIMIT 20\"")
    q.add_argument("--csv", action="store_true", help="print CSV (; separated) instead of a table")
    q.add_argument("--max-rows", type=int, default=100, help="rows printed as a table (default 100; --csv prints all)")
    q.add_argument("--home", type=Path, default=Path(os.environ.get("EPARCOURS_HOME", REPO_ROOT / "data")))
    q.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS)

    a = sub.add_parser("audit-sample", help="for an indicator, a structure and a quarter: every unit counted, why, "
                                            "and a reproducible sample with a printable page")
    a.add_argument("--indicator", required=True, help="any computed indicator of the catalogue, e.g. EP-6.1")
    a.add_argument("--finess", help="FINESS of the structure (DAC, CPTS, ESMS); omit for an indicator of the region")
    a.add_argument("--measure-date", required=True, type=_date)
    a.add_argument("--n", type=int, default=20, help="sample size (default 20)")
    a.add_argument("--seed", type=int, default=1, help="sample seed (same seed, same sample)")
    a.add_argument("--home", type=Path, default=Path(os.environ.get("EPARCOURS_HOME", REPO_ROOT / "data")))
    a.add_argument("--out", type=Path, help="folder for the files (default <home>/exports/audit)")
    a.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS)
    return p


def _warehouse_of(home: Path) -> Path:
    from .settings import Paths

    wh = Paths(home, home.resolve()).warehouse
    if not wh.exists():
        raise UsageError(f"no working warehouse at {wh}: run `eparcours run --home {home}` first")
    return wh


def _last_measure_date(warehouse: Path) -> date:
    from .settings import connect_read_only

    con = connect_read_only(warehouse)
    try:
        d = con.execute("SELECT max(measure_date) FROM marts.esms_cnsa_figures").fetchone()[0]
    finally:
        con.close()
    if d is None:
        raise UsageError("no ESMS figures computed yet: run `eparcours run` first")
    return d


def _gate_state(home: Path) -> list[str]:
    """Suites whose last evaluation failed with a blocking error (the working warehouse is not publishable)."""
    import json

    failed = []
    for f in sorted((home.resolve() / "warehouse" / "quality").glob("*.json")):
        res = json.loads(f.read_text(encoding="utf-8"))
        if any(not r["success"] and r["severity"] == "error" for r in res["results"]):
            failed.append(res["suite"])
    return failed


def cmd_cnsa(args) -> int:
    from .pipeline import last_complete_quarter
    from .progress import Display
    from .publication.cnsa import produce_cnsa

    wh = _warehouse_of(args.home)
    failed = _gate_state(args.home)
    if failed:
        print(f"eparcours: the last quality gate failed ({', '.join(failed)}): no CNSA deliverable is written "
              "until a run passes it", file=sys.stderr)
        return EXIT_GATE
    d = last_complete_quarter(args.through) if args.through else _last_measure_date(wh)
    with Display() as display:
        display.stage(f"CNSA deliverables of {args.galis} at {d}", unit="projects")
        rep = produce_cnsa(wh, args.home.resolve() / "exports" / "cnsa", d, args.galis,
                           progress=lambda done, total, ref: display.update(done=done, total=total, item=ref))
        display.end_stage(f"{len(rep.workbooks)} workbook(s), {len(rep.proofs)} proof(s) of use")
    for w in rep.workbooks:
        print(f"Workbook: {w}")
    print(f"Proofs of use: {len(rep.proofs)} PDF" + (f" in {rep.proofs[0].parent}" if rep.proofs else ""))
    for r in rep.refused:
        print(f"REFUSED: {r}", file=sys.stderr)
    return EXIT_OK if rep.workbooks and not rep.refused else EXIT_ERROR


def cmd_rollback(args) -> int:
    from .publication.publish import PublicationError, current_publication, list_publications, rollback

    home = args.home.resolve()
    current = current_publication(home / "published")
    if args.list:
        for p in list_publications(home):
            mark = "*" if current is not None and p["path"].resolve() == current.resolve() else " "
            print(f"{mark} {p['id']}  published {p['published_at']}  measure dates up to "
                  f"{(p['measure_dates'] or ['—'])[-1]}  code {p['code_version']}")
        return EXIT_OK
    try:
        target = rollback(home, args.to)
    except PublicationError as e:
        raise UsageError(str(e)) from None
    print(f"{home / 'published'} now points at publication {target['id']} (published {target['published_at']}).")
    return EXIT_OK


def cmd_sql(args) -> int:
    """One statement on a read-only connection opened for it and closed right after: unlike a `duckdb -readonly`
    session left open, it holds the file only while it runs. A run writing the warehouse makes it wait, bounded."""
    import duckdb

    from .resources import WarehouseBusy, open_warehouse
    from .settings import duckdb_config

    wh = _warehouse_of(args.home)
    try:
        con = open_warehouse(wh, duckdb_config(), read_only=True)
    except WarehouseBusy as e:
        raise UsageError(str(e)) from None
    try:
        try:
            if args.csv:
                import csv

                cur = con.execute(args.query)
                if cur.description is None:
                    raise UsageError("the statement returned nothing: `eparcours sql` is for queries")
                w = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
                w.writerow([d[0] for d in cur.description])
                while rows := cur.fetchmany(10_000):
                    w.writerows(rows)
            else:
                rel = con.sql(args.query)
                if rel is None:
                    raise UsageError("the statement returned nothing: `eparcours sql` is for queries")
                rel.show(max_rows=args.max_rows, max_width=200)
        except duckdb.Error as e:
            raise UsageError(f"the query failed: {str(e).splitlines()[0]}") from None
    finally:
        con.close()
    return EXIT_OK


def cmd_audit(args) -> int:
    from .audit import AuditError, audit_sample
    from .progress import Display

    wh = _warehouse_of(args.home)
    out = args.out or args.home.resolve() / "exports" / "audit"
    try:
        with Display() as display:
            display.stage(f"Audit trail of {args.indicator} at {args.finess or 'region'} on {args.measure_date}")
            s = audit_sample(wh, out, args.indicator, args.finess, args.measure_date, args.n, args.seed)
            display.end_stage(f"{s.n_numerator} in the numerator, {s.n_denominator} in the denominator, "
                              f"a sample of {len(s.rows)}")
    except AuditError as e:
        raise UsageError(str(e)) from None
    where = args.finess or "region"
    print(f"{args.indicator} at {where} on {args.measure_date}: published {'; '.join(s.published) or '—'}; "
          f"units listed: {s.n_numerator} in the numerator, {s.n_denominator} in the denominator"
          + (" (declared file-active years: the denominator is their mean)" if any(
              r["unit"] == "file_active" for r in s.rows) else "") + ".")
    print(f"Every unit:     {s.members}")
    print(f"Sample of {len(s.rows)} (seed {args.seed}): {s.sample}")
    print(f"Printable page: {s.page}")
    return EXIT_OK


def cmd_recompute(args) -> int:
    from .pipeline import GateRefused, recompute_quarter
    from .progress import Display
    from .settings import Paths

    paths = Paths(args.landing.resolve(), args.home.resolve())
    t0 = time.monotonic()
    try:
        with Display() as display:
            s = recompute_quarter(paths, args.measure_date, args.verbose, display=display)
    except GateRefused as e:
        print_refusal(e, paths)
        return EXIT_GATE
    print(f"Recomputed the quarter ending {args.measure_date}.")
    print_publication(s, paths)
    print(f"Done in {time.monotonic() - t0:.1f} s.")
    return EXIT_OK


def cmd_generate(args) -> int:
    from .synthetic import generate

    if args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    from .progress import Display

    t0 = time.monotonic()
    rows = [0]

    def task_done(done, total, label, n):
        rows[0] += n
        display.update(done=done, total=total, item=label, rows=rows[0])

    with Display() as display:
        display.stage("Generating the synthetic region", unit="tasks")
        report = generate(args.out, scale=args.scale, seed=args.seed, start=args.start, end=args.end,
                          region=args.region, defects=not args.no_defects, progress=display.note, on_task=task_done)
        display.end_stage()
    n_rows = sum(report.rows.values()) if hasattr(report, "rows") else 0
    print(f"Wrote {len(report.files)} files ({n_rows:,} rows, {len(report.defects)} injected defects) "
          f"to {args.out} in {time.monotonic() - t0:.1f} s.")
    print(f"Defect catalogue: {args.out / '.synthetic' / 'report.json'}")
    return EXIT_OK


def _check_landing(landing: Path) -> None:
    if not landing.exists():
        raise UsageError(f"landing folder {landing} does not exist (drop the extracts there, or pass --landing)")
    if not landing.is_dir():
        raise UsageError(f"landing folder {landing} is not a folder")
    if not os.access(landing, os.R_OK | os.X_OK):
        raise UsageError(f"landing folder {landing} is not readable")


def accepts_from_args(args) -> list[dict]:
    """The overrides given on the command line: who, when, why, what."""
    import getpass
    import socket
    from datetime import datetime, timezone

    if not args.accept:
        if args.reason:
            raise UsageError("--reason goes with --accept CHECK_ID")
        return []
    reasons = [r.strip() for r in args.reason if r.strip()]
    if not reasons:
        raise UsageError("--accept needs --reason \"why the failure is accepted\" (it is written in the manifest)")
    if len(reasons) not in (1, len(args.accept)):
        raise UsageError(f"{len(args.accept)} --accept but {len(reasons)} --reason: give one reason for all, "
                         "or one per --accept")
    by = args.by or os.environ.get("EPARCOURS_OPERATOR") or f"{getpass.getuser()}@{socket.gethostname()}"
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return [{"id": a.strip(), "reason": reasons[i] if len(reasons) > 1 else reasons[0], "by": by, "at": at}
            for i, a in enumerate(args.accept)]


def cmd_run(args) -> int:
    from .pipeline import GateRefused, run_pipeline
    from .progress import Display
    from .quality.findings import load_results, unused_accepts, warning_lines
    from .settings import Paths

    _check_landing(args.landing)
    accepts = accepts_from_args(args)
    paths = Paths(args.landing.resolve(), args.home.resolve())
    t0 = time.monotonic()
    print(f"Landing folder: {paths.landing}", flush=True)
    try:
        with Display() as display:
            s = run_pipeline(paths, through=args.through, verbose=args.verbose, accepts=accepts, display=display,
                             force=args.force)
    except GateRefused as e:
        if e.summary is not None:
            print_summary(e.summary, paths)
        print_refusal(e, paths, accepts)
        return EXIT_GATE
    if s.unchanged_since is not None:
        print(f"Nothing new since the run that finished at {s.unchanged_since}: the same landing files, code and "
              "settings, and its publication is the current one. Nothing was done (--force runs everything again).")
        print_publication(s, paths)
        print(f"Done in {time.monotonic() - t0:.1f} s.")
        return EXIT_OK
    print_summary(s, paths)
    results = load_results(paths.warehouse_dir / "quality")
    warnings = warning_lines(results)
    if warnings:
        print(f"Warnings that did not block ({len(warnings)}):")
        for w in warnings:
            print(f"  {w}")
    for o in (s.manifest or {}).get("overrides", []):
        print(f"  ACCEPTED {o['id']} by {o['by']}: {o['reason']}")
    for a in unused_accepts(results, accepts):
        print(f"  --accept {a}: that check did not fail in this run; nothing was overridden")
    print(f"Done in {time.monotonic() - t0:.1f} s.")
    return EXIT_OK


def print_refusal(e, paths, accepts=()) -> None:
    from .quality.findings import failures, load_results, refusal_blocks, unused_accepts

    err = sys.stderr
    results = load_results(paths.warehouse_dir / "quality")
    blocks = refusal_blocks(results)
    shown = {f.id for f in failures(results, "error")}
    # checks with no suite result to show (a dbt test is shown by its block of quality/dbt.<asset>.json)
    others = [f for f in e.failures
              if not f.get("suite") or (f["check"].startswith("dbt.") and f["check"] not in shown)]
    print(f"PUBLICATION REFUSED by the quality gate ({len(blocks) + len(others)} blocking failure(s)); "
          f"{paths.published} is left exactly as it was.", file=err)
    for b in blocks:
        print(b, file=err)
    for f in others:
        where = f"{f['asset']}" + (f" [partition {f['partition']}]" if f.get("partition") else "")
        print(f"✗ {f['check']} ({where}): {str(f['detail']).splitlines()[0] if f['detail'] else ''}", file=err)
    for a in unused_accepts(results, list(accepts)):
        print(f"--accept {a}: that check did not fail in this run; nothing was overridden", file=err)
    print(f"Validation results: {paths.warehouse_dir / 'quality'} (one JSON per suite); docs/quality.md says "
          "what each check means and how to fix or knowingly accept it.", file=err)


def print_summary(s, paths) -> None:
    loaded = [f for f in s.files if f["status"] == "loaded"]
    refused = [f for f in s.files if f["status"] == "refused"]
    # a file feeds one table, except the FINESS etalab stock (two): files are counted once
    n_files = len({f["file_name"] for f in loaded})
    print(f"Ingested {n_files} new file(s), {sum(f['rows_loaded'] for f in loaded):,} rows "
          f"({sum(f['rows_rejected'] for f in loaded):,} rows quarantined, "
          f"{sum(f['values_flagged'] for f in loaded):,} values flagged).")
    for f in loaded:
        if f["rows_rejected"] or f["values_flagged"] or f["message"] or f["encoding"] not in ("utf-8", None):
            notes = []
            if f["rows_rejected"]:
                notes.append(f"{f['rows_rejected']} rows quarantined")
            if f["values_flagged"]:
                notes.append(f"{f['values_flagged']} values flagged")
            if f["encoding"] not in ("utf-8", None):
                notes.append(f"read as {f['encoding']}")
            if f["message"]:
                notes.append(f["message"])
            print(f"  {f['file_name']}: {', '.join(notes)}")
    for f in refused:
        print(f"  REFUSED {f['file_name']}: {f['message']}")
    for f in s.files:
        if f["status"] == "superseded":
            print(f"  SUPERSEDED {f['file_name']}: {f['message'] or 'another file of the same delivery is in force'}")
    for rel, why in s.unknown_files:
        print(f"  NOT READ {rel}: {why}")
    if s.quarantine:
        print("Quarantine (current deliveries):")
        for q in s.quarantine:
            print(f"  {q['table_name']:<24} {q['rule']:<18} {q['severity']:<12} {q['n']:>8,} in {q['files']} file(s)")
    if s.as_of is None:
        print("No event data yet: no quarter computed.")
    elif s.first_quarter is None:
        print(f"Data up to {s.as_of}; no quarter computed (the deliveries were refused before the indicators).")
    elif s.first_data is not None and s.first_quarter > s.first_data:
        print(f"Data up to {s.as_of}; quarters computed from {s.first_quarter} through {s.through} (those before had "
              f"no delivery changed since the last run that published, nor a change of code or settings: they stay "
              f"as computed then).")
    else:
        print(f"Data up to {s.as_of}; quarters computed from {s.first_quarter} through {s.through}.")
    print(f"Working warehouse:  {paths.warehouse}")
    if s.quarantine_report:
        print(f"Quarantine report:  {s.quarantine_report}  (or query raw.quarantine in the warehouse)")
    print_publication(s, paths)


def print_publication(s, paths) -> None:
    """The runs in the Dagster instance, the log, the gate's verdict and every published artefact."""
    from .orchestration.instance import dagster_home

    if s.run_ids:
        print(f"Dagster runs:       {', '.join(r[:8] for r in s.run_ids)} in {dagster_home(paths)} "
              "(`make dev`, page Runs)")
    if s.log_file:
        print(f"Full log (dbt):     {s.log_file}")
    if s.manifest is None:
        return
    m = s.manifest
    accepted = len(m.get("overrides", []))
    print("Quality gate: passed" + (f", {accepted} failure(s) knowingly accepted" if accepted else "")
          + (f", {len(m.get('warnings', []))} warning(s)" if m.get("warnings") else "") + ".")
    print(f"Published at {m['published_at']} to {s.published} (publication {m['id']}):")
    for line in artefact_lines([*m["files"], "manifest.json"]):  # the manifest lists every file but itself
        print(f"  {line}")
    for r in m["cnsa_refused"]:
        print(f"  REFUSED {r}")


def artefact_lines(files) -> list[str]:
    """Every artefact of a publication, one line per top-level file and per folder (with its files by kind)."""
    from collections import Counter

    tops, folders = [], {}
    for f in sorted(files):
        head, _, rest = f.partition("/")
        if rest:
            folders.setdefault(head, Counter())[Path(f).suffix.lstrip(".") or "file"] += 1
        else:
            tops.append(f)
    lines = [", ".join(tops)] if tops else []
    for folder, kinds in folders.items():
        lines.append(f"{folder + '/':<12} " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    verbose = getattr(args, "verbose", False)
    try:
        if args.command == "generate":
            return cmd_generate(args)
        if args.command == "run":
            return cmd_run(args)
        if args.command == "recompute":
            return cmd_recompute(args)
        if args.command == "cnsa":
            return cmd_cnsa(args)
        if args.command == "audit-sample":
            return cmd_audit(args)
        if args.command == "rollback":
            return cmd_rollback(args)
        if args.command == "sql":
            return cmd_sql(args)
    except UsageError as e:
        print(f"eparcours: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("eparcours: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # one clear sentence, the traceback only on demand
        if verbose:
            traceback.print_exc()
        print(f"eparcours: {e}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
