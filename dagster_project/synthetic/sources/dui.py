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
import pyarrow.compute as pc

from ...ingestion.specs import DUI_EVENT_TYPES_BUSINESS, DUI_EVENT_TYPES_NON_BUSINESS
from .. import fmt
from ..calendar import Month, compact, mostly_weekdays, times_of_day
from ..common import Output, hash_uniform, month_rng, poisson_repeat, str_pool
from ..fmt import NO_DAY, day_number
from ..universe import Universe

EVENT_TYPES = DUI_EVENT_TYPES_BUSINESS + DUI_EVENT_TYPES_NON_BUSINESS
ET = {t: i for i, t in enumerate(EVENT_TYPES)}
NATURES = ("ACTIVITE", "ACTIVITE_COLLECTIVE", "ADMINISTRATION", "TRANSMISSION")
SYSTEMS = ("LGC-INTERFACE", "PASSERELLE-MSSANTE", "CONNECTEUR-DMP", "PUI-PHARMACIE", "HL7-ADT")
STATUTS = ("PREPARATION", "MISE_EN_OEUVRE", "CLOS")
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
        "statuts": str_pool(STATUTS), "motifs": str_pool(("DEFINITIVE", "TEMPORAIRE")),
        "doctors": str_pool([u.actor_ids[i] for i in u.doctors]) if len(u.doctors) else str_pool(["10000000007"]),
    }
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
    t = pa.array(idx)
    ex = du.exited[idx]
    definitive = ex <= me
    temporary = ~definitive & (du.tmp_out[idx] <= me) & (du.tmp_back[idx] > me)
    sortie = np.where(definitive, ex, np.where(temporary, du.tmp_out[idx], NO_DAY))
    cols = [fmt.take(c["finess"], du.esms[idx]), c["dossier_id"].take(t), c["usager_id"].take(t),
            fmt.take(c["ins"], idx, valid=du.ins_from[idx] <= me), fmt.dates(du.admitted[idx]),
            fmt.dates(sortie), fmt.take(c["motifs"], np.where(definitive, 0, 1), valid=definitive | temporary)]
    return [Output("dui_dossiers", f"dui/dui_dossiers_{m.label}.csv", cols)]


def events(u: Universe, m: Month) -> list[Output]:
    du, es = u.dui, u.esms
    c = _static(u)
    rng = month_rng(u.seed, "dui_evenements", m.index)
    idx, a, b, frac = present_in_month(u, m)
    e = du.esms[idx]
    used = hash_uniform(idx, m.index, SALT_USED) < used_share(u, e, (a + b) / 2)
    nb = u.scale.nonbusiness_factor
    med = es.medicalised[e]
    lam_bus = np.where(used, es.business_rate[e] * frac, 0.0)
    kinds = [  # (rate per dossier, kind)
        (lam_bus, 0),  # business, UTILISATEUR
        (2.5 * frac * nb, 1),  # CONSULTATION, UTILISATEUR
        (0.35 * frac * nb, 2),  # ADMINISTRATIF / TECHNIQUE / CORRECTION_IDENTITE, UTILISATEUR
        (0.8 * frac * nb, 3),  # RECEPTION_MSS / INTEGRATION_EXTERNE, SYSTEME_EXTERNE
        (np.where(med, 0.3, 0.08) * frac * nb, 4),  # business types imported by an interface, SYSTEME_EXTERNE
    ]
    parts = []
    for lam, kind in kinds:
        r, _ = poisson_repeat(rng, np.broadcast_to(lam, idx.shape).astype(np.float64))
        parts.append((r, np.full(len(r), kind, np.int8)))
    r = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([p[1] for p in parts])
    n = len(r)
    d = idx[r]
    ed = e[r]
    etype = np.empty(n, np.int64)
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
    system = (kind >= 3)
    day = u.uniform_days(rng, a[r], b[r], n)
    h24 = es.h24[ed]
    secs = np.where(h24, times_of_day(rng, n, "care24"), times_of_day(rng, n, "office"))
    day = np.where(h24, day, mostly_weekdays(rng, day, a[r], b[r], keep_weekend=0.1))
    secs = fmt.fix_nonexistent(day, secs)
    # actors: the ESMS' staff, a liberal doctor for some care acts, an interface for system events
    staff = es.staff_offset[ed] + np.floor(rng.random(n) * es.staff_count[ed]).astype(np.int64)
    doctor = ~system & np.isin(etype, [ET["SOIN"], ET["PRESCRIPTION"]]) & med[r] & (rng.random(n) < 0.15)
    order = np.lexsort((d, secs, day))
    d, ed, day, secs, etype, system, staff, doctor = (x[order] for x in (d, ed, day, secs, etype, system, staff, doctor))
    actor = fmt.take(c["staff"], staff)
    if doctor.any():
        doc = fmt.take(c["doctors"], rng.integers(0, len(c["doctors"]), n))
        actor = pc.if_else(pa.array(doctor), doc, actor)
    if system.any():
        sysname = fmt.take(c["systems"], rng.integers(0, len(SYSTEMS), n))
        actor = pc.if_else(pa.array(system), sysname, actor)
    actor_type = pa.array(np.where(system, "SYSTEME_EXTERNE", "UTILISATEUR").tolist(), pa.string()) if n else str_pool([])
    cols = [fmt.take(c["finess"], ed), c["dossier_id"].take(pa.array(d)),
            fmt.ints(np.arange(n) + 1, width=9, prefix=f"{m.year}{m.month:02d}-"), fmt.timestamps(day, secs),
            fmt.take(c["types"], etype), actor_type, actor]
    return [Output("dui_evenements", f"dui/dui_evenements_{m.label}.csv", cols)]


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
    cols = [fmt.take(c["finess"], du.esms[d]), c["dossier_id"].take(pa.array(d)),
            fmt.ints(rows + 1, width=8, prefix="PP"), fmt.timestamps(created, du.pp_created_secs[rows]),
            fmt.timestamps(last, last_secs), fmt.dates(val, valid=v_ok), fmt.dates(fin), fmt.take(c["statuts"], statut)]
    return [Output("dui_projets", f"dui/dui_projets_{m.label}.csv", cols)]


def agenda(u: Universe, m: Month) -> list[Output]:
    du, es = u.dui, u.esms
    c = _static(u)
    rng = month_rng(u.seed, "dui_agenda", m.index)
    idx, a, b, frac = present_in_month(u, m)
    e = du.esms[idx]
    used = hash_uniform(idx, m.index, SALT_USED) < used_share(u, e, (a + b) / 2)
    plan = used & (hash_uniform(idx, m.index, SALT_AGENDA) < es.agenda_share[e])
    r, _ = poisson_repeat(rng, np.where(plan, 3.0 * frac, 0.0))
    n = len(r)
    d, ed = idx[r], e[r]
    day = mostly_weekdays(rng, u.uniform_days(rng, a[r], b[r], n), a[r], b[r], keep_weekend=0.05)
    secs = (8 * 4 + rng.integers(0, 40, n)) * 900
    nature = rng.choice(4, n, p=[0.45, 0.25, 0.10, 0.20])
    duree = rng.choice([15, 30, 45, 60, 90, 120, 180], n, p=[0.1, 0.25, 0.15, 0.25, 0.1, 0.1, 0.05])
    order = np.lexsort((d, secs, day))
    d, ed, day, secs, nature, duree = (x[order] for x in (d, ed, day, secs, nature, duree))
    cols = [fmt.take(c["finess"], ed), c["dossier_id"].take(pa.array(d)),
            fmt.ints(np.arange(n) + 1, width=7, prefix=f"AG{m.year}{m.month:02d}"), fmt.timestamps(day, secs),
            fmt.ints(duree, valid=rng.random(n) >= 0.08), fmt.take(c["natures"], nature)]
    return [Output("dui_agenda", f"dui/dui_agenda_{m.label}.csv", cols)]


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
