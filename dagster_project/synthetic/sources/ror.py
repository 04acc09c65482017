"""ror/: quarterly snapshots of the Répertoire Opérationnel des Ressources (EG, UE, activities, contacts).

Each UE has six quality dimensions (activité, mode de prise en charge, ages, champ, address, contact);
each is OK from the start, fixed at some snapshot, or never fixed — so the snapshots improve over time.
When a dimension is not OK the UE shows it the way real ROR data does: an empty field, a retired code
(TRE_R213 outside the J19 value set), a contact without a channel, no activity row…
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from .. import fmt
from .. import reference as ref
from ..calendar import compact
from ..common import Output, str_pool
from ..fmt import NO_DAY, day_number
from ..universe import Universe

ACT, MODE, AGE, CHAMP, ADDR, CONTACT = range(6)


def _static(u: Universe) -> dict:
    cache = getattr(u, "_ror_static", None)
    if cache is not None:
        return cache
    r, st, com = u.ror, u.structures, u.communes
    s_of_ue = r.eg_structure[r.ue_eg]
    voie = [(f"{st.numvoie[i]} " if st.numvoie[i] else "") + f"{ref.STREET_TYPES[st.typvoie[i]][1]} {ref.STREET_NAMES[st.street[i]]}"
            for i in s_of_ue]
    act_ue = np.repeat(np.arange(len(r.ue_id)), [len(a) for a in r.ue_acts])
    act_code = [c for a in r.ue_acts for c in a]
    ct_ue = np.repeat(np.arange(len(r.ue_id)), [len(c) for c in r.ue_contacts])
    ct_rank = np.concatenate([np.arange(len(c)) for c in r.ue_contacts]) if len(r.ue_contacts) else np.zeros(0, int)
    flat = [t for c in r.ue_contacts for t in c]
    cache = {
        "eg_id": str_pool(r.eg_id), "eg_finess": str_pool([st.finess[i] for i in r.eg_structure]),
        "eg_ej": str_pool([u.ej_finess[st.ej[i]] for i in r.eg_structure]),
        "eg_name": str_pool([st.name_proper[i] for i in r.eg_structure]),
        "eg_cat": str_pool(st.cat[r.eg_structure].tolist()),
        "ue_id": str_pool(r.ue_id), "ue_name": str_pool(r.ue_name), "ue_champ": str_pool(r.ue_champ.tolist()),
        "ue_mode": str_pool(r.ue_mode.tolist()), "ue_mode_bad": str_pool(r.ue_mode_bad.tolist()),
        "voie": str_pool(voie), "lieu_dit": str_pool([ref.strip_accents(st.lieudit[i]).title() for i in s_of_ue]),
        "cp": str_pool([com.postal[st.commune[i]] for i in s_of_ue]),
        "localite": str_pool([com.name_up[st.commune[i]] for i in s_of_ue]),
        "insee": str_pool([com.insee[st.commune[i]] for i in s_of_ue]),
        "act_ue": act_ue, "act_code": str_pool(act_code),
        "ct_ue": ct_ue, "ct_rank": ct_rank,
        "ct": [str_pool([t[k] for t in flat]) for k in range(5)],
    }
    u._ror_static = cache
    return cache


def _eg_present(u: Universe, sday: int) -> np.ndarray:
    return (u.ror.eg_entry != NO_DAY) & (u.ror.eg_entry <= sday)


def _ue_present(u: Universe, sday: int) -> np.ndarray:
    r = u.ror
    return _eg_present(u, sday)[r.ue_eg] & (r.ue_created <= sday)


def eg(u: Universe, k: int, d: date) -> list[Output]:
    r, st = u.ror, u.structures
    sday = day_number(d)
    idx = np.flatnonzero(_eg_present(u, sday))
    c = _static(u)
    t = pa.array(idx)
    closed = st.closed[r.eg_structure[idx]]
    cols = [c["eg_id"].take(t), c["eg_finess"].take(t), c["eg_ej"].take(t), c["eg_name"].take(t),
            c["eg_cat"].take(t), fmt.const(u.region, len(idx)), fmt.dates(closed, valid=closed <= sday)]
    return [Output("ror_eg", f"ror/ror_eg_{compact(d)}.csv", cols)]


def ue(u: Universe, k: int, d: date) -> list[Output]:
    r = u.ror
    sday = day_number(d)
    idx = np.flatnonzero(_ue_present(u, sday))
    c = _static(u)
    t = pa.array(idx)
    ok = r.ue_fix[idx] <= k
    flaw = r.ue_flaw[idx]
    n = len(idx)
    mode = pa.array(np.where(ok[:, MODE], r.ue_mode[idx], np.where(flaw[:, MODE] == 0, None, r.ue_mode_bad[idx])).tolist(), pa.string())
    age = r.ue_age[idx]
    age_min_ok = ok[:, AGE] | (flaw[:, AGE] == 1)
    age_max_ok = ok[:, AGE] | (flaw[:, AGE] == 0)
    addr_cp = ok[:, ADDR] | (flaw[:, ADDR] != 0)
    addr_loc = ok[:, ADDR] | (flaw[:, ADDR] != 1)
    addr_voie = ok[:, ADDR] | (flaw[:, ADDR] != 2)
    has_lieu = np.array([bool(x) for x in c["lieu_dit"].take(t).to_pylist()]) if n else np.zeros(0, bool)
    closed = r.ue_closed[idx]
    # date_maj: the latest fix of a dimension that happened by this snapshot, else the base date
    fix_days = np.where((r.ue_fix[idx] >= 0) & (r.ue_fix[idx] <= k),
                        u.ror_snap_days[np.clip(r.ue_fix[idx], 0, len(u.ror_snap_days) - 1)] - 20, 0).max(axis=1) if n else np.zeros(0, np.int64)
    maj = np.maximum(np.maximum(r.ue_maj0[idx], fix_days), np.where(r.ue_created[idx] > 0, r.ue_created[idx], 0))
    maj = np.where(closed <= sday, np.maximum(maj, closed), maj)
    maj = np.minimum(maj, sday)
    cols = [
        c["ue_id"].take(t), c["eg_id"].take(pa.array(r.ue_eg[idx])), c["ue_name"].take(t), fmt.const("4", n),
        fmt.take(c["ue_champ"], idx, valid=ok[:, CHAMP]), mode,
        fmt.ints(age[:, 0], valid=age_min_ok), fmt.ints(age[:, 1], valid=age_max_ok),
        fmt.take(c["voie"], idx, valid=addr_voie), fmt.take(c["lieu_dit"], idx, valid=addr_voie & has_lieu),
        fmt.take(c["cp"], idx, valid=addr_cp), fmt.take(c["localite"], idx, valid=addr_loc), c["insee"].take(t),
        fmt.dates(closed, valid=closed <= sday), fmt.dates(maj),
    ]
    return [Output("ror_ue", f"ror/ror_ue_{compact(d)}.csv", cols)]


def ue_activite(u: Universe, k: int, d: date) -> list[Output]:
    r = u.ror
    sday = day_number(d)
    c = _static(u)
    present = _ue_present(u, sday)
    ok = r.ue_fix[:, ACT] <= k
    rows = np.flatnonzero(present[c["act_ue"]] & ok[c["act_ue"]])
    cols = [c["ue_id"].take(pa.array(c["act_ue"][rows])), c["act_code"].take(pa.array(rows))]
    return [Output("ror_ue_activite", f"ror/ror_ue_activite_{compact(d)}.csv", cols)]


def ue_contact(u: Universe, k: int, d: date) -> list[Output]:
    r = u.ror
    sday = day_number(d)
    c = _static(u)
    cu = c["ct_ue"]
    present = _ue_present(u, sday)[cu]
    ok = (r.ue_fix[:, CONTACT] <= k)[cu]
    flaw = r.ue_flaw[cu, CONTACT]
    keep = present & (ok | (flaw != 0))
    rows = np.flatnonzero(keep)
    ok_r, flaw_r, first = ok[rows], flaw[rows], c["ct_rank"][rows] == 0
    no_canal = ~ok_r & (flaw_r == 1)
    no_who = ~ok_r & (flaw_r == 2)
    f, nat, canal, addr, conf = c["ct"]
    # a flaw empties the same fields of every contact of a UE: keep one line per distinct contact (the natural
    # key of the table is the whole line)
    shown = [np.where(no_who, -1, rows), np.where(no_canal, -1, rows), np.where(no_who | (no_canal & first), -1, rows)]
    ident = [np.asarray(col.take(pa.array(rows)).to_pylist(), dtype=object) for col in (f, nat, canal, addr, conf)]
    key = [cu[rows], np.where(shown[0] < 0, "", ident[0]), np.where(shown[0] < 0, "", ident[1]),
           np.where(shown[1] < 0, "", ident[2]), np.where(shown[2] < 0, "", ident[3]), ident[4]]
    seen, unique = set(), []
    for i, k in enumerate(zip(*key)):
        if k not in seen:
            seen.add(k)
            unique.append(i)
    unique = np.asarray(unique, dtype=int)
    rows, first, no_canal, no_who = rows[unique], first[unique], no_canal[unique], no_who[unique]
    cols = [c["ue_id"].take(pa.array(cu[rows])), fmt.take(f, rows, valid=~no_who),
            fmt.take(nat, rows, valid=~no_who), fmt.take(canal, rows, valid=~no_canal),
            fmt.take(addr, rows, valid=~(no_who | (no_canal & first))), fmt.take(conf, rows)]
    return [Output("ror_ue_contact", f"ror/ror_ue_contact_{compact(d)}.csv", cols)]
