"""coordination/: the regional coordination tool of the DAC and CPTS.

Monthly snapshots (dossiers, teams) show the state at month end; monthly event files (events,
messages) hold what happened in the month; dated snapshots (structures, CPTS members) are quarterly.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from ...ingestion.specs import COORD_EVENT_TYPES, EVALUATION_TYPES
from .. import fmt
from ..calendar import Month, compact, mostly_weekdays, times_of_day
from ..common import Output, choice_rows, enum, month_rng, pick_in_groups, poisson_repeat, str_pool
from ..fmt import NO_DAY, day_number
from ..universe import Universe

STATUTS = enum("coord_dossiers", "ins_statut")  # indexed: 0 VALI, 1 PROV, 2 RECUP, 3 VIDE
EV = {t: i for i, t in enumerate(COORD_EVENT_TYPES)}


def _static(u: Universe) -> dict:
    cache = getattr(u, "_coord_static", None)
    if cache is not None:
        return cache
    cd, co = u.cdos, u.coord
    cache = {
        "dossier_id": fmt.ints(np.arange(cd.n) + 1, width=7, prefix="CD"),
        "usager_id": fmt.ints(cd.person - 100_000_000, width=8, prefix="U"),
        "ins": fmt.ins_from_ids(cd.person, u.birth_deps),
        "structure_id": str_pool(co.structure_id),
        "actor": str_pool(u.actor_ids), "profession": str_pool(u.actor_prof),
        "statut": str_pool(STATUTS), "event_type": str_pool(COORD_EVENT_TYPES),
        "eval_type": str_pool(EVALUATION_TYPES),
        "is_dac": np.array([t == "DAC" for t in co.type]),
    }
    u._coord_static = cache
    return cache


def structures(u: Universe, k: int, d: date) -> list[Output]:
    co, st = u.coord, u.structures
    sday = day_number(d)
    idx = np.flatnonzero(co.join <= sday)
    yn = lambda a: pa.array(np.where(a[idx] <= sday, "O", "N").tolist(), pa.string())
    cols = [str_pool([co.structure_id[i] for i in idx]), str_pool([st.finess[co.structure[i]] for i in idx]),
            str_pool([co.type[i] for i in idx]), str_pool([co.nom[i] for i in idx]), yn(co.rs_from), yn(co.dc_from)]
    return [Output("coord_structures", f"coordination/coord_structures_{compact(d)}.csv", cols)]


def dossiers(u: Universe, m: Month) -> list[Output]:
    cd = u.cdos
    c = _static(u)
    me = m.last
    idx = np.flatnonzero(cd.opened <= me)
    qualified = cd.qualified[idx] <= me
    status = np.where(qualified, 0, cd.status0[idx])
    has_ins = status != 3
    closed = cd.closed[idx]

    def rows(i: int, j: int) -> list[pa.Array]:
        t = pa.array(idx[i:j])
        return [c["dossier_id"].take(t), fmt.take(c["structure_id"], cd.structure[idx[i:j]]), c["usager_id"].take(t),
                fmt.take(c["ins"], idx[i:j], valid=has_ins[i:j]), fmt.take(c["statut"], status[i:j]),
                fmt.dates(cd.requested[idx[i:j]]), fmt.dates(cd.opened[idx[i:j]]),
                fmt.dates(closed[i:j], valid=closed[i:j] <= me)]

    return [Output("coord_dossiers", f"coordination/coord_dossiers_{m.label}.csv", n=len(idx), formatter=rows)]


def _open_in_month(u: Universe, m: Month):
    cd = u.cdos
    idx = np.flatnonzero((cd.opened <= m.last) & ((cd.closed == NO_DAY) | (cd.closed >= m.first)))
    a = np.maximum(cd.opened[idx], m.first)
    b = np.minimum(np.where(cd.closed[idx] == NO_DAY, m.last, cd.closed[idx]), m.last)
    frac = (b - a + 1) / (m.month_end - day_number(date(m.year, m.month, 1)) + 1)
    age = (a + b) / 2 - cd.opened[idx]
    age_factor = np.where(age < 60, 1.7, np.where(age < 365, 1.0, 0.6))
    return idx, a, b, frac, age_factor


def events(u: Universe, m: Month) -> list[Output]:
    cd, co = u.cdos, u.coord
    c = _static(u)
    rng = month_rng(u.seed, "coord_evenements", m.index)
    idx, a, b, frac, age_factor = _open_in_month(u, m)
    s = cd.structure[idx]
    act = co.activity[s] * np.maximum(0.2, 1 + co.activity_trend[s] * u.years(a))
    lam = 2.0 * act * cd.engagement[idx] * age_factor * frac
    r, _ = poisson_repeat(rng, lam)
    d = idx[r]
    sd = cd.structure[d]
    n = len(d)
    q = co.liaison[sd]
    probs = np.stack([
        (1 - q) * 0.42,  # MISE_A_JOUR
        (1 - q) * 0.03,  # EVALUATION (re-evaluations)
        q * 0.45,  # NOTIFICATION
        q * 0.15,  # ALERTE
        q * 0.40,  # CARNET_LIAISON
        (1 - q) * 0.13,  # DOCUMENT
        (1 - q) * 0.05,  # PPS
        (1 - q) * 0.37,  # CONSULTATION
    ], axis=1)
    etype = choice_rows(rng, probs)
    day = mostly_weekdays(rng, u.uniform_days(rng, a[r], b[r], n), a[r], b[r])
    secs = times_of_day(rng, n, "office")
    evtype = np.where(etype == EV["EVALUATION"], rng.choice(5, n, p=[0.3, 0.1, 0.2, 0.2, 0.2]), -1)
    # primo-evaluations of the month
    pe = np.flatnonzero((cd.eval_day >= m.first) & (cd.eval_day <= m.last))
    d = np.concatenate([d, pe])
    day = np.concatenate([day, cd.eval_day[pe]])
    secs = np.concatenate([secs, cd.eval_secs[pe]])
    etype = np.concatenate([etype, np.full(len(pe), EV["EVALUATION"])])
    evtype = np.concatenate([evtype, cd.eval_type[pe]])
    n = len(d)
    # actor: the referent coordinator (DAC) or a member of the dossier's team
    member = pick_in_groups(rng, cd.team_ptr, d)
    actor = np.where(member >= 0, cd.team_actor[np.maximum(member, 0)], -1)
    use_ref = (cd.referent[d] >= 0) & ((rng.random(n) < 0.6) | (actor < 0))
    actor = np.where(use_ref, cd.referent[d], actor)
    secs = fmt.fix_nonexistent(day, secs)
    order = np.lexsort((d, secs, day))
    d, day, secs, etype, evtype, actor = d[order], day[order], secs[order], etype[order], evtype[order], actor[order]
    prefix = f"E{m.year}{m.month:02d}"

    def rows(i: int, j: int) -> list[pa.Array]:
        return [fmt.ints(np.arange(i, j) + 1, width=7, prefix=prefix), c["dossier_id"].take(pa.array(d[i:j])),
                fmt.timestamps(day[i:j], secs[i:j]), fmt.take(c["event_type"], etype[i:j]),
                fmt.take(c["eval_type"], evtype[i:j], valid=evtype[i:j] >= 0),
                fmt.take(c["actor"], actor[i:j], valid=actor[i:j] >= 0)]

    return [Output("coord_evenements", f"coordination/coord_evenements_{m.label}.csv", n=n, formatter=rows)]


def equipe(u: Universe, m: Month) -> list[Output]:
    cd = u.cdos
    c = _static(u)
    me = m.last
    sel = np.flatnonzero((cd.opened[cd.team_dossier] <= me) & (cd.team_added <= me))
    # one line per (dossier, professional, date added): the natural key of the table
    _, first = np.unique(np.stack([cd.team_dossier[sel], cd.team_actor[sel], cd.team_added[sel]]), axis=1,
                         return_index=True)
    sel = sel[np.sort(first)]
    added = cd.team_added[sel]
    removed = cd.team_removed[sel]
    actor = cd.team_actor[sel]
    dossier = cd.team_dossier[sel]

    def rows(i: int, j: int) -> list[pa.Array]:
        return [c["dossier_id"].take(pa.array(dossier[i:j])), fmt.take(c["actor"], actor[i:j]),
                fmt.take(c["profession"], actor[i:j]), fmt.dates(added[i:j], valid=added[i:j] >= 0),
                fmt.dates(removed[i:j], valid=removed[i:j] <= me)]

    return [Output("coord_equipe", f"coordination/coord_equipe_{m.label}.csv", n=len(sel), formatter=rows)]


def messages(u: Universe, m: Month) -> list[Output]:
    cd, co, mb = u.cdos, u.coord, u.members
    c = _static(u)
    rng = month_rng(u.seed, "coord_messages", m.index)
    # messages in dossiers: authors are the team (with the referent coordinator)
    idx, a, b, frac, age_factor = _open_in_month(u, m)
    s = cd.structure[idx]
    lam = co.msg_rate[s] * np.sqrt(cd.engagement[idx]) * frac * np.sqrt(age_factor)
    r, _ = poisson_repeat(rng, lam)
    d = idx[r]
    n1 = len(d)
    member = pick_in_groups(rng, cd.team_ptr, d)
    author = np.where(member >= 0, cd.team_actor[np.maximum(member, 0)], cd.referent[d])
    day1 = mostly_weekdays(rng, u.uniform_days(rng, a[r], b[r], n1), a[r], b[r])
    struct1 = cd.structure[d]
    # network conversations of the CPTS (members, and a few non-members)
    active = ((mb.joined_empty | (mb.joined <= m.last)) & ((mb.left == NO_DAY) | (mb.left >= m.first))
              & (co.rs_from[mb.cpts] <= m.last))
    lam2 = np.where(active, mb.propensity * co.post_rate[mb.cpts], 0.0)
    r2, _ = poisson_repeat(rng, lam2)
    struct2 = mb.cpts[r2]
    author2 = mb.actor[r2]
    outsiders = rng.random(len(r2)) < 0.05
    author2 = np.where(outsiders, rng.integers(0, u.pros_count, len(r2)), author2)
    # network conversations of the DAC (their coordinators)
    dac_net = np.flatnonzero(c["is_dac"] & (co.rs_from <= m.last))
    k3 = rng.poisson(1.5 * co.staff_count[dac_net])
    struct3 = np.repeat(dac_net, k3)
    author3 = co.staff_offset[struct3] + np.floor(rng.random(len(struct3)) * co.staff_count[struct3]).astype(np.int64)
    n23 = len(struct2) + len(struct3)
    day23 = mostly_weekdays(rng, u.uniform_days(rng, m.first, m.last, n23), m.first, m.last)
    struct = np.concatenate([struct1, struct2, struct3])
    author = np.concatenate([author, author2, author3])
    dossier = np.concatenate([d, np.full(n23, -1)])
    day = np.concatenate([day1, day23])
    n = len(struct)
    secs = fmt.fix_nonexistent(day, times_of_day(rng, n, "office"))
    order = np.lexsort((struct, secs, day))
    struct, author, dossier, day, secs = struct[order], author[order], dossier[order], day[order], secs[order]
    cols = [fmt.ints(np.arange(n) + 1, width=7, prefix=f"M{m.year}{m.month:02d}"),
            fmt.take(c["structure_id"], struct), fmt.take(c["dossier_id"], dossier, valid=dossier >= 0),
            fmt.take(c["actor"], author), fmt.timestamps(day, secs)]
    return [Output("coord_messages", f"coordination/coord_messages_{m.label}.csv", cols)]


def membres(u: Universe, k: int, d: date) -> list[Output]:
    co, mb = u.coord, u.members
    c = _static(u)
    sday = day_number(d)
    rows = np.flatnonzero((co.join[mb.cpts] <= sday) & (mb.joined_empty | (mb.joined <= sday)))
    left = mb.left[rows]
    actor = mb.actor[rows]
    cols = [fmt.take(c["structure_id"], mb.cpts[rows]), fmt.take(c["actor"], actor), fmt.take(c["profession"], actor),
            fmt.dates(mb.joined[rows], valid=~mb.joined_empty[rows]), fmt.dates(left, valid=left <= sday)]
    return [Output("cpts_membres", f"coordination/cpts_membres_{compact(d)}.csv", cols)]
