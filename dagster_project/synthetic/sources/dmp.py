"""dmp/: documents registered in patients' DMP (XDS metadata), one file per month.

Four feeds: the DAC's coordination syntheses (same INS as the coordination dossier: EP-4.2), the ESMS'
DUI exports (ESMS-DMP), and a background of hospital and liberal documents growing over the period.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import fmt
from ..calendar import Month, mostly_weekdays, times_of_day
from ..common import Output, enum, hash_uniform, month_rng, str_pool
from ..universe import Universe
from .dui import SALT_DMP, SALT_USED, present_in_month, used_share

PDF = "urn:ihe:iti:xds-sd:pdf:2008"
VSM = "urn:asip:ci-sis:vsm:2012"
DUI_FMT = "urn:asip:ci-sis:export-dui:2023"
# (type_code, weight, format_code, class_code)
COORD_TYPES = (("18776-5", 1, "urn:asip:ci-sis:pps-paerpa:2017", "13"), ("SYNTH", 1, PDF, "11"),
               ("34842-5", 1, PDF, "11"), ("60591-5", 1, VSM, "11"))  # order = universe doc_type
DUI_TYPES = (("80788-3", 0.40, DUI_FMT, "13"), ("34842-5", 0.20, DUI_FMT, "11"), ("60591-5", 0.08, VSM, "11"),
             ("83981-1", 0.12, PDF, "10"), ("88348-8", 0.05, PDF, "10"), ("11506-3", 0.15, PDF, "10"))
HOSPITAL_TYPES = (("11490-0", 0.20, "urn:asip:ci-sis:ldl-ses:2017", "10"), ("11502-2", 0.28, "urn:ihe:lab:xd-lab:2008", "10"),
                  ("18748-4", 0.14, "urn:ihe:rad:CDA:ImagingReportStructuredHeadings:2013", "10"),
                  ("34112-3", 0.08, PDF, "10"), ("15507-7", 0.06, PDF, "10"), ("11488-4", 0.09, PDF, "10"),
                  ("34874-8", 0.05, PDF, "10"), ("57833-6", 0.05, "urn:ihe:pharm:pre:2010", "13"),
                  ("34133-9", 0.02, PDF, "11"), ("60591-5", 0.01, VSM, "11"), ("SYNTH", 0.01, PDF, "11"),
                  ("34749-2", 0.01, "urn:asip:ci-sis:cr-cpa:2020", "10"))
LIBERAL_TYPES = (("60591-5", 0.35, VSM, "11"), ("11488-4", 0.25, PDF, "10"), ("57833-6", 0.20, "urn:ihe:pharm:pre:2010", "13"),
                 ("11506-3", 0.12, PDF, "10"), ("PRESC-INF", 0.05, PDF, "13"), ("18776-5", 0.03, PDF, "13"))
ALL_TYPES = COORD_TYPES + DUI_TYPES + HOSPITAL_TYPES + LIBERAL_TYPES
OIDS = enum("dmp_documents", "ins_oid")  # indexed: 0 INS-NIR, 1 NIA, 2 test, 3 demo
SYSTEMS = enum("dmp_documents", "author_system")  # 0 COORDINATION, 1 DUI, 2 HOPITAL, 3 LIBERAL
STATUS = enum("dmp_documents", "status")  # 0 APPROVED, 1 DEPRECATED, 2 DELETED


def growth(u: Universe, m: Month) -> float:
    """Background DMP volume: about ×4 between the first and the last month (Ségur numérique)."""
    return 0.35 + 1.3 * (m.index + 0.5) / len(u.months)


def _draw(rng, types, n):
    w = np.array([t[1] for t in types], dtype=float)
    return rng.choice(len(types), n, p=w / w.sum())


def documents(u: Universe, m: Month) -> list[Output]:
    from .coordination import _static as coord_static
    from .dui import _static as dui_static

    rng = month_rng(u.seed, "dmp_documents", m.index)
    cd, co, du, es, st = u.cdos, u.coord, u.dui, u.esms, u.structures
    parts = []  # (n, ins array, oid idx, type idx (global), author finess idx, rpps idx, system, status, day, secs)

    # 1. coordination syntheses (DAC FINESS, INS of the coordination dossier)
    rows = np.flatnonzero((cd.doc_day >= m.first) & (cd.doc_day <= m.last))
    dd = cd.doc_dossier[rows]
    has_ins = (cd.status0[dd] != 3) | (cd.qualified[dd] <= cd.doc_day[rows])
    rows, dd = rows[has_ins], dd[has_ins]
    cstat = coord_static(u)
    parts.append({
        "ins": fmt.take(cstat["ins"], dd), "oid": np.zeros(len(rows), np.int64), "type": cd.doc_type[rows],
        "finess": co.structure[cd.structure[dd]], "rpps": np.full(len(rows), -1), "system": np.zeros(len(rows), np.int64),
        "status": cd.doc_status[rows], "day": cd.doc_day[rows], "secs": cd.doc_secs[rows]})

    # 2. DUI exports of the ESMS (author = the ESMS' FINESS)
    idx, a, b, _ = present_in_month(u, m)
    e = du.esms[idx]
    mid = (a + b) // 2
    share = used_share(u, e, mid)
    used = hash_uniform(idx, m.index, SALT_USED) < share
    feed = used & (du.ins_from[idx] <= m.last) & (hash_uniform(idx, m.index, SALT_DMP) < es.dmp_rate[e] * np.minimum(1, share / np.maximum(es.used[e], 1e-9)))
    k = np.where(feed, 1 + rng.poisson(0.3, len(idx)), 0)
    r = np.repeat(np.arange(len(idx)), k)
    n2 = len(r)
    dstat = dui_static(u)
    day2 = np.maximum(u.uniform_days(rng, a[r], b[r], n2), du.ins_from[idx[r]])
    parts.append({
        "ins": fmt.take(dstat["ins"], idx[r]), "oid": np.zeros(n2, np.int64),
        "type": len(COORD_TYPES) + _draw(rng, DUI_TYPES, n2), "finess": es.structure[e[r]], "rpps": np.full(n2, -1),
        "system": np.ones(n2, np.int64), "status": rng.choice(3, n2, p=[0.95, 0.04, 0.01]),
        "day": mostly_weekdays(rng, day2, a[r], b[r]), "secs": times_of_day(rng, n2, "office")})

    # 3. hospitals and 4. liberals: background volume
    g = growth(u, m)
    hosp = getattr(u, "_hospitals", None)
    if hosp is None:
        hosp = np.flatnonzero(st.in_region & np.isin(st.family, ["MCO", "HAD", "USLD"]))
        u._hospitals = hosp
    n3 = rng.poisson(u.scale.dmp_per_month * 0.8 * g)
    n4 = rng.poisson(u.scale.dmp_per_month * 0.2 * g)
    w = st.size[hosp] / st.size[hosp].sum()
    for n, system, types, offset in ((n3, 2, HOSPITAL_TYPES, len(COORD_TYPES) + len(DUI_TYPES)),
                                     (n4, 3, LIBERAL_TYPES, len(COORD_TYPES) + len(DUI_TYPES) + len(HOSPITAL_TYPES))):
        patients = 300_000_000 + np.floor(u.scale.hospital_patients * rng.random(n) ** 1.6).astype(np.int64)
        oid = rng.choice(4, n, p=[0.968, 0.03, 0.0015, 0.0005])
        if system == 2:
            finess = hosp[rng.choice(len(hosp), n, p=w)] if len(hosp) else np.full(n, -1)
            rpps = np.where(rng.random(n) < 0.6, rng.integers(0, max(len(u.doctors), 1), n), -1)
            day = u.uniform_days(rng, m.first, m.last, n)
            secs = times_of_day(rng, n, "hospital")
        else:
            finess = np.full(n, -1)
            rpps = rng.integers(0, max(len(u.doctors), 1), n)
            day = mostly_weekdays(rng, u.uniform_days(rng, m.first, m.last, n), m.first, m.last)
            secs = times_of_day(rng, n, "office")
        parts.append({
            "ins": fmt.ins_from_ids(patients, u.birth_deps), "oid": oid, "type": offset + _draw(rng, types, n),
            "finess": finess, "rpps": rpps, "system": np.full(n, system),
            "status": rng.choice(3, n, p=[0.94, 0.05, 0.01]), "day": day, "secs": secs})

    ins = pa.concat_arrays([p["ins"] for p in parts])
    cat = {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in ("oid", "type", "finess", "rpps", "system", "status", "day", "secs")}
    del parts
    secs = fmt.fix_nonexistent(cat["day"], cat["secs"])
    order = np.lexsort((cat["system"], secs, cat["day"]))
    n = len(order)
    c = _static(u)
    ins = ins.take(pa.array(order))
    day, secs = cat["day"][order], secs[order]
    oid, typ, system, status = (cat[k][order] for k in ("oid", "type", "system", "status"))
    fin, rp = cat["finess"][order], cat["rpps"][order]
    prefix = f"2.25.{m.year}{m.month:02d}"

    def rows(i: int, j: int) -> list[pa.Array]:
        return [fmt.ints(np.arange(i, j) + 1, width=9, prefix=prefix), fmt.timestamps(day[i:j], secs[i:j]),
                ins.slice(i, j - i), fmt.take(c["oids"], oid[i:j]), fmt.take(c["types"], typ[i:j]),
                fmt.take(c["formats"], typ[i:j]), fmt.take(c["classes"], typ[i:j]),
                fmt.take(c["finess"], np.maximum(fin[i:j], 0), valid=fin[i:j] >= 0),
                fmt.take(c["doctors"], np.maximum(rp[i:j], 0), valid=rp[i:j] >= 0),
                fmt.take(c["systems"], system[i:j]), fmt.take(c["status"], status[i:j])]

    return [Output("dmp_documents", f"dmp/dmp_documents_{m.label}.csv", n=n, formatter=rows)]


def _static(u: Universe) -> dict:
    cache = getattr(u, "_dmp_static", None)
    if cache is None:
        cache = {
            "oids": str_pool(OIDS), "types": str_pool(t[0] for t in ALL_TYPES), "formats": str_pool(t[2] for t in ALL_TYPES),
            "classes": str_pool(t[3] for t in ALL_TYPES), "finess": str_pool(u.structures.finess),
            "doctors": str_pool([u.actor_ids[i] for i in u.doctors]) if len(u.doctors) else str_pool([""]),
            "systems": str_pool(SYSTEMS), "status": str_pool(STATUS),
        }
        u._dmp_static = cache
    return cache

