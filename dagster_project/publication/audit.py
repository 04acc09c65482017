"""The auditor's sample ("analyse de dossier par échantillonnage"): for an indicator, a structure and a
quarter, the pseudonymous ids counted in the numerator and in the denominator, and a reproducible random
sample of N of them.

Reproducible: the sample is the N ids with the smallest SHA-256 of ``<seed>:<id>`` — the same seed gives
the same sample on any machine, whatever the row order. Patient INS (ESMS-DMP) are never in the warehouse in
clear: the id is ``ins-hmac:<first 16 hex>`` of the keyed hash computed at the ingestion (privacy.py), which the
ESMS and the auditor match with the ARS, who hold the key; nobody can recompute it from a NIR without the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


from ..settings import connect_read_only


class AuditError(ValueError):
    pass


@dataclass
class AuditSample:
    numerator: Path
    denominator: Path
    sample: Path
    n_numerator: int
    n_denominator: int
    sample_ids: list[str]


PSEUDONYM = "CASE WHEN id_type = 'patient' THEN 'ins-hmac:' || left(unit_id, 16) ELSE unit_id END"
# The auditors' trail of the ESMS Numérique indicators (dbt models/audit/audit_esms_*), one table per indicator.
AUDIT_TABLES = ("audit_esms_dui_actifs", "audit_esms_dui_pp", "audit_esms_dui_agenda", "audit_esms_mss",
                "audit_esms_dmp")
MEMBERSHIP = " UNION ALL ".join(
    f"SELECT indicator_id, measure_date, scope_id AS finess_geo, unit AS id_type, unit_id, in_numerator, "
    f"in_denominator FROM audit.{t}" for t in AUDIT_TABLES)


def audit_sample(warehouse: Path, out_dir: Path, indicator_id: str, finess: str, measure_date: date,
                 n: int = 20, seed: int = 1, population: str = "denominator") -> AuditSample:
    if population not in ("numerator", "denominator"):
        raise AuditError("--population is numerator or denominator")
    con = connect_read_only(warehouse)
    try:
        known = {r[0] for r in con.execute(f"SELECT DISTINCT indicator_id FROM ({MEMBERSHIP})").fetchall()}
        if indicator_id not in known:
            raise AuditError(f"no dossier list for indicator {indicator_id} (available: {', '.join(sorted(known))})")
        base = f"""SELECT {PSEUDONYM} AS id, id_type, in_numerator, in_denominator
                   FROM ({MEMBERSHIP})
                   WHERE indicator_id = $ind AND finess_geo = $finess AND measure_date = $d"""
        params = {"ind": indicator_id, "finess": finess, "d": measure_date}
        total = con.execute(f"SELECT count(*) FROM ({base})", params).fetchone()[0]
        if total == 0:
            raise AuditError(f"nothing counted for {indicator_id} at {finess} on {measure_date} "
                             "(not an establishment in force, or a quarter not computed)")
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{indicator_id}_{finess}_{measure_date.isoformat()}"
        paths = {k: out_dir / f"{stem}_{k}.csv" for k in ("numerator", "denominator")}
        for k, path in paths.items():
            con.execute(f"COPY (SELECT id, id_type FROM ({base}) WHERE in_{k} ORDER BY id) TO '{path}' "
                        "(HEADER, DELIMITER ';')", params)
        counts = {k: con.execute(f"SELECT count(*) FROM ({base}) WHERE in_{k}", params).fetchone()[0]
                  for k in paths}
        sample_path = out_dir / f"{stem}_sample_{population}_n{n}_seed{seed}.csv"
        sample_sql = f"""SELECT id, id_type, in_numerator, in_denominator FROM ({base}) WHERE in_{population}
                         ORDER BY sha256('{int(seed)}:' || id), id LIMIT {int(n)}"""
        con.execute(f"COPY ({sample_sql}) TO '{sample_path}' (HEADER, DELIMITER ';')", params)
        ids = [r[0] for r in con.execute(sample_sql, params).fetchall()]
    finally:
        con.close()
    return AuditSample(paths["numerator"], paths["denominator"], sample_path, counts["numerator"],
                       counts["denominator"], ids)
