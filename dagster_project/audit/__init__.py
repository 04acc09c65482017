"""The auditors' sample (« visite sur site et analyse de dossier par échantillonnage », guide E-parcours; the CNSA's
proof of use): for an indicator, a structure (or the region) and a quarter, every unit the indicator counts — a
dossier, a DUI, a document, a message, an EG, a professional — with whether it is in the denominator, in the
numerator, why (the French text of the reason code) and the evidence (the qualifying row: its date, its landing
file, the file's SHA-256 and the physical line), read from ``audit.audit_membership`` (dbt models of schema
audit, tied to the published figures by the test assert_audit_ties_out_with_results).

Written to ``<home>/exports/audit/`` (the working area, never ``published/``): the full list of the scope's
units (CSV), a reproducible sample (CSV) and the sample as a printable page (HTML, ``templates/sample.html.j2``)
that the auditor takes on site. The CSVs are for French Excel (UTF-8 with BOM, ``;``).

The sample is stratified: half of it drawn from the units in the numerator, half from the others (in the
denominator only, or outside it), the missing part of a short stratum taken from the other one. Within a
stratum the units with the smallest SHA-256 of ``<seed>:<unit id>`` come first: the same seed gives the same
sample on any machine, whatever the row order. A patient appears only as the keyed pseudonym of the ingestion
(privacy.py); nobody can recompute it from a NIR without the ARS's key.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..calendar import quarter_label
from ..publication import fr
from ..settings import connect_read_only

TEMPLATES = Path(__file__).with_name("templates")
UNITS = {"dossier": ("dossier de coordination", "dossiers de coordination"), "dui": ("DUI", "DUI"),
         "document": ("document", "documents"), "message": ("message", "messages"),
         "patient": ("patient (pseudonyme)", "patients (pseudonymes)"), "eg": ("établissement", "établissements"),
         "professionnel": ("professionnel", "professionnels"), "annuaire": ("annuaire", "annuaires"),
         "file_active": ("file active déclarée", "files actives déclarées")}
COLUMNS = ("indicateur", "perimetre", "trimestre", "unite", "identifiant", "au_denominateur", "au_numerateur",
           "motif_code", "motif", "preuve", "id_preuve", "date_preuve", "fichier", "ligne", "sha256_fichier")


class AuditError(ValueError):
    pass


@dataclass
class AuditSample:
    members: Path          # every unit of the scope and quarter
    sample: Path           # the sample, CSV
    page: Path             # the sample, printable HTML
    n_numerator: int       # units listed in the numerator
    n_denominator: int     # units listed in the denominator (ESMS-DUI-ACTIFS: declared file-active years)
    rows: list[dict]       # the sample's rows
    published: list[str]   # the published figure(s) of the scope, « 6,3 % (1 / 16) »


def _records(con, sql: str, params) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r["indicator_id"], r["scope_id"], quarter_label(r["measure_date"]), r["unit"], r["unit_id"],
                        "oui" if r["in_denominator"] else "non", "oui" if r["in_numerator"] else "non",
                        r["reason_code"], r["reason_text"], r["evidence_kind"] or "", r["evidence_id"] or "",
                        fr.day(r["evidence_date"]) if r["evidence_date"] else "", r["evidence_file"] or "",
                        r["evidence_line"] if r["evidence_line"] is not None else "", r["evidence_sha256"] or ""])


def stratified(rows: list[dict], n: int) -> list[dict]:
    """Half from the numerator, half from the rest (each stratum already in its seeded order); a short stratum's
    shortfall is taken from the other one."""
    num = [r for r in rows if r["in_numerator"]]
    rest = [r for r in rows if not r["in_numerator"]]
    take_num = min(len(num), max(n - len(rest), (n + 1) // 2))
    take_rest = min(len(rest), n - take_num)
    return num[:take_num] + rest[:take_rest]


def audit_sample(warehouse: Path, out_dir: Path, indicator_id: str, scope_id: str | None, measure_date: date,
                 n: int = 20, seed: int = 1) -> AuditSample:
    if n < 1:
        raise AuditError("--n is the size of the sample: at least 1")
    con = connect_read_only(warehouse)
    try:
        known = {r[0] for r in con.execute("SELECT DISTINCT indicator_id FROM audit.audit_membership").fetchall()}
        if indicator_id not in known:
            raise AuditError(f"no audit trail for indicator {indicator_id} (available: {', '.join(sorted(known))})")
        where = "indicator_id = $ind AND measure_date = $d"
        params = {"ind": indicator_id, "d": measure_date}
        if scope_id:
            where += " AND scope_id = $scope"
            params["scope"] = scope_id
        else:
            where += " AND scope_type = 'region'"
        rows = _records(con, f"""SELECT * FROM audit.audit_membership WHERE {where}
                                 ORDER BY sha256('{int(seed)}:' || coalesce(unit_id, '')), unit_id""", params)
        if not rows:
            scopes = [r[0] for r in con.execute(
                "SELECT DISTINCT scope_type FROM audit.audit_membership WHERE indicator_id = ?", [indicator_id]).fetchall()]
            what = f"structure {scope_id}" if scope_id else "the region"
            raise AuditError(f"nothing counted for {indicator_id} at {what} on {measure_date} (the indicator is "
                             f"measured per {', '.join(sorted(scopes))}; a structure not in force or a quarter not "
                             "computed has no row)" + ("; for a region indicator, omit --finess" if scope_id and
                                                       scopes == ["region"] else ""))
        scope_type = rows[0]["scope_type"]
        figures = _records(con, """SELECT label, value_text, ratio_text, target_text, status_label, subgroup,
                                          subgroup_label, quarter_label
                                   FROM publish.indicator_results
                                   WHERE indicator_id = $ind AND measure_date = $d AND scope_type = $t
                                     AND scope_id = $s ORDER BY subgroup NULLS FIRST""",
                           {"ind": indicator_id, "d": measure_date, "t": scope_type, "s": rows[0]["scope_id"]})
        name = con.execute("SELECT name FROM publish.structures WHERE finess = ? ORDER BY last_seen DESC LIMIT 1",
                           [scope_id]).fetchone() if scope_id else None
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{indicator_id}_{scope_id or 'region'}_{measure_date.isoformat()}"
    members = out_dir / f"{stem}_membres.csv"
    _csv(members, rows)
    chosen = stratified(rows, n)
    sample = out_dir / f"{stem}_echantillon_n{n}_graine{seed}.csv"
    _csv(sample, chosen)
    page = sample.with_suffix(".html")
    units = sorted({r["unit"] for r in rows})
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(day=fr.day, number=fr.number, published_at=fr.published_at)
    page.write_text(env.get_template("sample.html.j2").render(
        indicator_id=indicator_id, scope_id=scope_id, scope_type=scope_type, name=name[0] if name else None,
        measure_date=measure_date, quarter=quarter_label(measure_date), figures=figures,
        units=[UNITS.get(u, (u, u)) for u in units], rows=chosen, n=n, seed=seed,
        file_active=any(r["unit"] == "file_active" for r in rows),
        n_total=len(rows), n_numerator=sum(r["in_numerator"] for r in rows),
        n_denominator=sum(r["in_denominator"] for r in rows),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        command=(f"eparcours audit-sample --indicator {indicator_id}"
                 + (f" --finess {scope_id}" if scope_id else "")
                 + f" --measure-date {measure_date.isoformat()} --n {n} --seed {seed}")), encoding="utf-8")
    published = [" ".join(x for x in (f["subgroup_label"], f["value_text"] or "—",
                                       f"({f['ratio_text']})" if f["ratio_text"] else "") if x) for f in figures]
    return AuditSample(members, sample, page, sum(r["in_numerator"] for r in rows),
                       sum(r["in_denominator"] for r in rows), chosen, published)
