"""dui/: exports of the ESMS' DUI software (dossiers, events, projets personnalisés, agenda) and the two
reference files of the ESMS Numérique programme kept by the ARS (file active, funded projects).

An ESMS exports nothing before its DUI is deployed; after deployment the share of dossiers really used
in a month ramps up to the ESMS' own level. Whether a dossier is "in use" in a month is one shared draw
(:func:`~dagster_project.synthetic.common.hash_uniform`), so its events, agenda entries and DMP
documents agree.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from ...ingestion.specs import DUI_EVENT_TYPES_BUSINESS, DUI_EVENT_TYPES_NON_BUSINESS
from .. import fmt
from ..calendar import Month, compact, mostly_weekdays, times_of_day
from ..common import TABLE_INDEX, Output, enum, hash_uniform, month_rng, poisson_repeat, str_pool
from ..csvio import CHUNK_ROWS
from ..fmt import NO_DAY, day_number
from ..universe import Universe

EVENT_TYPES = DUI_EVENT_TYPES_BUSINESS + DUI_EVENT_TYPES_NON_BUSINESS
ET = {t: i for i, t in enumerate(EVENT_TYPES)}
NATURES = enum("dui_agenda", "nature")  # 0 ACTIVITE, 1 COLLECTIVE, 2 ADMINISTRATION, 3 TRANSMISSION
SYSTEMS = ("LGC-INTERFACE", "PASSERELLE-MSSANTE", "CONNECTEUR-DMP", "PUI-PHARMACIE", "HL7-ADT")
STATUTS = enum("dui_projets", "statut")  # 0 PREPARATION, 1 MISE_EN_OEUVRE, 2 CLOS
ARCHIVE_DAYS = 365  # a dossier leaves the export one year after a definitive exit
SALT_USED, SALT_AGENDA, SALT_DMP = 11, 12, 13

# business event mix (AGENDA, PRESCRIPTION, TRANSMISSION, PROJET_PERSONNALISE, EVALUATION, DOCUMENT, SOIN, ACCOMPAGNEMENT)
MIX_MEDICALISED = np.array([0.10, 0.10, 0.25, 0.06, 0.05, 0.08, 0.26, 0.10])
MIX_SOCIAL = np.array([0.15, 0.01, 0.25, 0.10, 0.08, 0.10, 0.02, 0.29])


def _static(u: Universe) -> dict:
    cache = getattr(u, "_dui_static", None)
    if cache is not None:
        return cache
    du, es, st = u.dui, u.esms, u.structures
    n_staff = int(es.staff_count.sum())
    cache = {
        "finess": str_pool([st.finess[i] for i in es.structure]),
        "dossier_id": fmt.ints(np.arange(du.n) + 1, width=8, prefix="DU"),
        "usager_id": fmt.ints(du.person - 200_000_000, width=8, prefix="USG"),
        "ins": fmt.ins_from_ids(du.person, u.birth_deps),
        "staff": fmt.ints(np.arange(n_staff) + 1, width=6, prefix="AGT"),
        "systems": str_pool(SYSTEMS), "types": str_pool(EVENT_TYPES), "natures": str_pool(NATURES),
        "statuts": str_pool(STATUTS), "motifs": str_pool(enum("dui_dossiers", "motif_sortie")),
        "doctors": str_pool([u.actor_ids[i] for i in u.doctors]) if len(u.doctors) else str_pool(["10000000007"]),
        "actor_types": str_pool(enum("dui_evenements", "actor_type")),  # 0 UTILISATEUR
    }
    cache["actors"] = pa.concat_arrays([cache["staff"], cache["doctors"], cache["systems"]])
    u._dui_static = cache
    return cache


def used_share(u: Universe, esms: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Share of an ESMS' dossiers in use around ``day``: 0 before deployment, ramping up to its level."""
    es = u.esms
    dep = es.deploy[esms]
    since = np.asarray(day, dtype=np.float64) - dep
    ramp = np.clip(since / es.ramp[esms], 0.1, 1.0)
    return np.where((dep == NO_DAY) | (since < 0), 0.0, es.used[esms] * ramp)


def present_in_month(u: Universe, m: Month):
    """DUI dossiers present during the month in a deployed ESMS: (index, first day, last day, fraction)."""
    du, es = u.dui, u.esms
    dep = es.deploy[du.esms]
    idx = np.flatnonzero((du.admitted <= m.last) & ((du.exited == NO_DAY) | (du.exited >= m.first))
                         & (dep != NO_DAY) & (dep <= m.last))
    a = np.maximum(np.maximum(du.admitted[idx], m.first), dep[idx])
    b = np.minimum(np.where(du.exited[idx] == NO_DAY, m.last, du.exited[idx]), m.last)
    frac = (b - a + 1) / (m.month_end - day_number(date(m.year, m.month, 1)) + 1)
    return idx, a, b, frac


def _in_export(u: Universe, me: int) -> np.ndarray:
    du, es = u.dui, u.esms
    dep = es.deploy[du.esms]
    return ((du.admitted <= me) & ((du.exited == NO_DAY) | (du.exited > me - ARCHIVE_DAYS))
            & (dep != NO_DAY) & (dep <= me))


def dossiers(u: Universe, m: Month) -> list[Output]:
    du = u.dui
    c = _static(u)
    me = m.last
    idx = np.flatnonzero(_in_export(u, me))
    ex = du.exited[idx]
    definitive = ex <= me
    temporary = ~definitive & (du.tmp_out[idx] <= me) & (du.tmp_back[idx] > me)
    sortie = np.where(definitive, ex, np.where(temporary, du.tmp_out[idx], NO_DAY))
    motif = np.where(definitive, 0, 1)
    has_motif = definitive | temporary
    has_ins = du.ins_from[idx] <= me

    def rows(i: int, j: int) -> list[pa.Array]:
        t = pa.array(idx[i:j])
        return [fmt.take(c["finess"], du.esms[idx[i:j]]), c["dossier_id"].take(t), c["usager_id"].take(t),
                fmt.take(c["ins"], idx[i:j], valid=has_ins[i:j]), fmt.dates(du.admitted[idx[i:j]]),
                fmt.dates(sortie[i:j]), fmt.take(c["motifs"], motif[i:j], valid=has_motif[i:j])]

    return [Output("dui_dossiers", f"dui/dui_dossiers_{m.label}.csv", n=len(idx), formatter=rows)]


WINDOW_ROWS = 2_000_000  # DUI events are drawn by windows of days of about this many rows (bounded memory)


def events(u: Universe, m: Month) -> list[Output]:
    """DUI events of the month, drawn window by window (a few days each at national scale) while the
    file is written, so that memory stays bounded whatever the volume."""
    c = _static(u)
    idx, a, b, frac = present_in_month(u, m)
    expected = float(np.sum(frac)) * (9.0 + 6.5 * u.scale.nonbusiness_factor)
    k = max(1, int(np.ceil(expected / WINDOW_ROWS)))
    bounds = np.linspace(m.first, m.last + 1, k + 1).astype(np.int64)
    prefix = f"{m.year}{m.month:02d}-"

    def stream():
        seq = 0
        for w in range(k):
            cols = _events_window(u, m, w, bounds[w], bounds[w + 1] - 1, idx, a, b)
            n = len(cols["day"])
            for i in range(0, n, CHUNK_ROWS):
                j = min(n, i + CHUNK_ROWS)
                yield [fmt.take(c["finess"], cols["ed"][i:j]), c["dossier_id"].take(pa.array(cols["d"][i:j])),
                       fmt.ints(np.arange(seq + i, seq + j) + 1, width=9, prefix=prefix),
                       fmt.timestamps(cols["day"][i:j], cols["secs"][i:j]), fmt.take(c["types"], cols["etype"][i:j]),
                       fmt.take(c["actor_types"], cols["system"][i:j]), fmt.take(c["actors"], cols["actor"][i:j])]
            seq += n

    return [Output("dui_evenements", f"dui/dui_evenements_{m.label}.csv", stream=stream)]


def _events_window(u: Universe, m: Month, w: int, lo: int, hi: int, idx, a, b) -> dict[str, np.ndarray]:
    du, es = u.dui, u.esms
    c = _static(u)
    rng = np.random.default_rng([u.seed, TABLE_INDEX["dui_evenements"], m.index, w])
    days_in_month = m.month_end - day_number(date(m.year, m.month, 1)) + 1
    a2, b2 = np.maximum(a, lo), np.minimum(b, hi)
    inside = np.flatnonzero(b2 >= a2)
    idx, a, b = idx[inside], a2[inside], b2[inside]
    frac = (b - a + 1) / days_in_month
    e = du.esms[idx]
    # "in use this month" is one draw per dossier and month, whatever the window
    used = hash_uniform(idx, m.index, SALT_USED) < used_share(u, e, (m.first + m.last) / 2)
    nb = u.scale.nonbusiness_factor
    med = es.medicalised[e]
    kinds = (  # (rate per dossier, kind)
        np.where(used, es.business_rate[e] * frac, 0.0),  # 0 business, UTILISATEUR
        4.0 * frac * nb,  # 1 CONSULTATION, UTILISATEUR
        0.55 * frac * nb,  # 2 ADMINISTRATIF / TECHNIQUE / CORRECTION_IDENTITE, UTILISATEUR
        1.3 * frac * nb,  # 3 RECEPTION_MSS / INTEGRATION_EXTERNE, SYSTEME_EXTERNE
        np.where(med, 0.45, 0.12) * frac * nb,  # 4 business types imported by an interface, SYSTEME_EXTERNE
    )
    counts = [rng.poisson(lam) for lam in kinds]
    r = np.concatenate([np.repeat(np.arange(len(idx), dtype=np.int32), k) for k in counts])
    kind = np.concatenate([np.full(int(k.sum()), i, np.int8) for i, k in enumerate(counts)])
    del counts, kinds
    n = len(r)
    ed = e[r].astype(np.int32)
    etype = np.empty(n, np.int8)
    bus = (kind == 0) | (kind == 4)
    med_r = med[r]
    for sel, mix in ((bus & med_r, MIX_MEDICALISED), (bus & ~med_r, MIX_SOCIAL)):
        etype[sel] = rng.choice(len(mix), sel.sum(), p=mix / mix.sum())
    etype[kind == 1] = ET["CONSULTATION"]
    k2 = kind == 2
    etype[k2] = np.array([ET["ADMINISTRATIF"], ET["TECHNIQUE"], ET["CORRECTION_IDENTITE"]])[
        rng.choice(3, k2.sum(), p=[0.6, 0.25, 0.15])]
    k3 = kind == 3
    etype[k3] = np.where(rng.random(k3.sum()) < 0.4, ET["RECEPTION_MSS"], ET["INTEGRATION_EXTERNE"])
    k4 = kind == 4
    etype[k4] = np.where(rng.random(k4.sum()) < 0.6, ET["PRESCRIPTION"], ET["DOCUMENT"])
    system = (kind >= 3).astype(np.int8)
    del kind, bus, k2, k3, k4
    ar, br = a[r], b[r]
    day = u.uniform_days(rng, ar, br, n)
    h24 = es.h24[ed]
    secs = np.where(h24, times_of_day(rng, n, "care24"), times_of_day(rng, n, "office")).astype(np.int32)
    day = np.where(h24, day, mostly_weekdays(rng, day, ar, br, keep_weekend=0.1)).astype(np.int32)
    del ar, br, h24
    secs = fmt.fix_nonexistent(day, secs).astype(np.int32)
    # actors: the ESMS' staff, a liberal doctor for some care acts, an interface for system events
    staff = es.staff_offset[ed] + np.floor(rng.random(n) * es.staff_count[ed]).astype(np.int64)
    doctor = (system == 0) & np.isin(etype, [ET["SOIN"], ET["PRESCRIPTION"]]) & med_r & (rng.random(n) < 0.15)
    n_staff, n_doc = len(c["staff"]), len(c["doctors"])
    actor = np.where(doctor, n_staff + rng.integers(0, n_doc, n), staff)
    actor = np.where(system == 1, n_staff + n_doc + rng.integers(0, len(SYSTEMS), n), actor).astype(np.int32)
    del staff, doctor, med_r
    d = idx[r].astype(np.int32)
    del r
    order = np.lexsort((d, secs, day))
    return {"d": d[order], "ed": ed[order], "day": day[order], "secs": secs[order], "etype": etype[order],
            "system": system[order], "actor": actor[order]}


def projets(u: Universe, m: Month) -> list[Output]:
    du = u.dui
    c = _static(u)
    me = m.last
    keep = _in_export(u, me)[du.pp_dossier] & (du.pp_created <= me)
    rows = np.flatnonzero(keep)
    d = du.pp_dossier[rows]
    created = du.pp_created[rows]
    val = du.pp_validated[rows]
    rev = du.pp_review[rows]
    clo = du.pp_closed[rows]
    v_ok, r_ok, c_ok = val <= me, rev <= me, clo <= me
    last = np.maximum.reduce([created, np.where(v_ok, val, 0), np.where(r_ok, rev, 0), np.where(c_ok, clo, 0)])
    updated = last > created
    last_secs = np.where(updated, du.pp_update_secs[rows], du.pp_created_secs[rows])
    statut = np.where(c_ok, 2, np.where(v_ok, 1, 0))
    fin = np.where(v_ok & ~du.pp_fin_empty[rows], val + 365, NO_DAY)
    created_secs = du.pp_created_secs[rows]
    fin_esms = du.esms[d]

    def out_rows(i: int, j: int) -> list[pa.Array]:
        return [fmt.take(c["finess"], fin_esms[i:j]), c["dossier_id"].take(pa.array(d[i:j])),
                fmt.ints(rows[i:j] + 1, width=8, prefix="PP"), fmt.timestamps(created[i:j], created_secs[i:j]),
                fmt.timestamps(last[i:j], last_secs[i:j]), fmt.dates(val[i:j], valid=v_ok[i:j]), fmt.dates(fin[i:j]),
                fmt.take(c["statuts"], statut[i:j])]

    return [Output("dui_projets", f"dui/dui_projets_{m.label}.csv", n=len(rows), formatter=out_rows)]


def agenda(u: Universe, m: Month) -> list[Output]:
    du, es = u.dui, u.esms
    c = _static(u)
    rng = month_rng(u.seed, "dui_agenda", m.index)
    idx, a, b, frac = present_in_month(u, m)
    e = du.esms[idx]
    used = hash_uniform(idx, m.index, SALT_USED) < used_share(u, e, (a + b) / 2)
    plan = used & (hash_uniform(idx, m.index, SALT_AGENDA) < es.agenda_share[e])
    r, _ = poisson_repeat(rng, np.where(plan, 4.5 * frac, 0.0))
    n = len(r)
    d, ed = idx[r], e[r]
    day = mostly_weekdays(rng, u.uniform_days(rng, a[r], b[r], n), a[r], b[r], keep_weekend=0.05)
    secs = (8 * 4 + rng.integers(0, 40, n)) * 900
    nature = rng.choice(4, n, p=[0.45, 0.25, 0.10, 0.20])
    duree = rng.choice([15, 30, 45, 60, 90, 120, 180], n, p=[0.1, 0.25, 0.15, 0.25, 0.1, 0.1, 0.05])
    has_duree = rng.random(n) >= 0.08
    order = np.lexsort((d, secs, day))
    d, ed, day, secs, nature, duree, has_duree = (x[order] for x in (d, ed, day, secs, nature, duree, has_duree))
    prefix = f"AG{m.year}{m.month:02d}"

    def rows(i: int, j: int) -> list[pa.Array]:
        return [fmt.take(c["finess"], ed[i:j]), c["dossier_id"].take(pa.array(d[i:j])),
                fmt.ints(np.arange(i, j) + 1, width=7, prefix=prefix), fmt.timestamps(day[i:j], secs[i:j]),
                fmt.ints(duree[i:j], valid=has_duree[i:j]), fmt.take(c["natures"], nature[i:j])]

    return [Output("dui_agenda", f"dui/dui_agenda_{m.label}.csv", n=n, formatter=rows)]


def file_active(u: Universe, k: int, d: date) -> list[Output]:
    """Effectif au 31/12 and sorties définitives per ESMS and complete year before the file date."""
    du, es = u.dui, u.esms
    c = _static(u)
    n_e = len(es.structure)
    years = list(range(u.start.year - 3, d.year))
    rows_e, rows_y, eff, sor = [], [], [], []
    for y in years:
        dec31 = day_number(date(y, 12, 31))
        jan1 = day_number(date(y, 1, 1))
        present = (du.admitted <= dec31) & ((du.exited == NO_DAY) | (du.exited > dec31))
        out = (du.exited >= jan1) & (du.exited <= dec31)
        ef = np.bincount(du.esms[present], minlength=n_e)
        so = np.bincount(du.esms[out], minlength=n_e)
        keep = hash_uniform(np.arange(n_e), y, 21) >= 0.04  # a few years are missing
        sel = np.flatnonzero(keep)
        rows_e.append(sel)
        rows_y.append(np.full(len(sel), y))
        eff.append(ef[sel])
        sor.append(so[sel])
    e = np.concatenate(rows_e) if rows_e else np.zeros(0, np.int64)
    order = np.lexsort((np.concatenate(rows_y) if rows_y else e, e))
    e = e[order]
    yy = np.concatenate(rows_y)[order] if rows_y else e
    cols = [fmt.take(c["finess"], e), fmt.ints(yy), fmt.ints(np.concatenate(eff)[order] if eff else e),
            fmt.ints(np.concatenate(sor)[order] if sor else e),
            pa.array(np.where(es.atypique[e], "O", "N").tolist(), pa.string())]
    return [Output("esms_file_active", f"dui/esms_file_active_{compact(d)}.csv", cols)]


def projets_galis(u: Universe, k: int, d: date) -> list[Output]:
    es, g, st = u.esms, u.grappes, u.structures
    sday = day_number(d)
    rows = np.flatnonzero(g.funded[es.grappe] <= sday)
    rows = rows[np.lexsort((rows, es.grappe[rows]))]
    gr = es.grappe[rows]
    cols = [str_pool([g.galis[i] for i in gr]), str_pool([g.siret[i] for i in gr]),
            str_pool([st.finess[es.structure[i]] for i in rows]), str_pool([st.rslongue[es.structure[i]] for i in rows]),
            str_pool([g.signataire[i] for i in gr]), str_pool([g.qualite[i] for i in gr])]
    return [Output("esms_projets", f"dui/esms_projets_{compact(d)}.csv", cols)]
