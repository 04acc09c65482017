"""mss/: the MSSanté operator log (one file per month) and the public annuaire extraction (irregular)."""
from __future__ import annotations

import re
from datetime import date

import numpy as np
import pyarrow as pa

from ...ingestion.specs import ANNUAIRE_MSSANTE_COLUMNS
from .. import fmt
from .. import reference as ref
from ..calendar import Month, compact, mostly_weekdays, times_of_day
from ..common import Output, enum, month_rng, str_pool
from ..fmt import NO_DAY, day_number
from ..universe import Universe

BAL_TYPES = enum("mss_messages", "sender_bal_type")  # indexed: 0 PER, 1 ORG, 2 APP, 3 CAB
CLASSES = ("PRO", "ORG", "PRO|ORG", "PATIENT", "PRO|PATIENT", "ORG|PATIENT", "PRO|ORG|PATIENT")
N_CLASSES = np.array([1, 1, 2, 1, 2, 2, 3])
HAS_PATIENT = np.array([False, False, False, True, True, True, True])
CDA = ("11490-0", "11502-2", "18748-4", "11490-0|11502-2", "34112-3", "60591-5", "83981-1", "11488-4")
STATUS = enum("mss_messages", "delivery_status")  # 0 DELIVERED, 1 BOUNCED, 2 FAILED
OPERATORS = ("ght", "sante-ra", "medisante", "hopital", "esms-numerique", "mssante-pro")
SERVICES = ("secretariat", "accueil", "direction", "infirmerie", "admissions", "coordination")


def _slug(s: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", ref.strip_accents(s).lower()).strip("-")
    return s[:28].strip("-")


def _static(u: Universe) -> dict:
    cache = getattr(u, "_mss_static", None)
    if cache is not None:
        return cache
    st, pr = u.structures, u.pros
    slugs = [_slug(r) for r in st.rs]
    op = [OPERATORS[e % len(OPERATORS)] for e in st.ej]
    org = [f"{SERVICES[i % len(SERVICES)]}.{s}@{o}.mssante.fr" for i, (s, o) in enumerate(zip(slugs, op))]
    app = [f"dpi.{s}@{o}.mssante.fr" for s, o in zip(slugs, op)]
    per = [f"{ref.strip_accents(ref.FIRST_NAMES[i % len(ref.FIRST_NAMES)]).lower()}."
           f"{ref.strip_accents(ref.LAST_NAMES[(i * 7) % len(ref.LAST_NAMES)]).lower()}@{o}.mssante.fr"
           for i, o in enumerate(op)]
    cab = [f"cabinet.{ref.strip_accents(ref.LAST_NAMES[ln]).lower()}{i % 100}@pro.mssante.fr" for i, ln in enumerate(pr.last)]
    hosp = np.flatnonzero(st.in_region & (np.isin(st.family, ["MCO", "HAD", "USLD"]) | (st.cat == "611")))
    cache = {
        "finess": str_pool(st.finess), "org": str_pool(org), "app": str_pool(app), "per": str_pool(per),
        "pro_email": str_pool(pr.email), "cab": str_pool(cab), "bal_types": str_pool(BAL_TYPES),
        "classes": str_pool(CLASSES), "cda": str_pool(CDA), "status": str_pool(STATUS), "yn": str_pool(enum("mss_messages", "x_mss_ins")),
        "hosp": hosp, "hosp_w": st.size[hosp] / st.size[hosp].sum() if len(hosp) else np.zeros(0),
        "liberal": np.flatnonzero(pr.mss_from != NO_DAY),
    }
    # every sender address in one pool: ORG, APP, PER of structures, then PER and CAB of professionals
    cache["senders"] = pa.concat_arrays([cache[k] for k in ("org", "app", "per", "pro_email", "cab")])
    cache["offsets"] = np.cumsum([0] + [len(cache[k]) for k in ("org", "app", "per", "pro_email")])
    u._mss_static = cache
    return cache


def growth(u: Universe, m: Month) -> float:
    return 0.55 + 0.9 * (m.index + 0.5) / len(u.months)


def messages(u: Universe, m: Month) -> list[Output]:
    rng = month_rng(u.seed, "mss_messages", m.index)
    es, co, cd, pr = u.esms, u.coord, u.cdos, u.pros
    c = _static(u)
    t_frac = (m.index + 0.5) / len(u.months)
    groups = []  # (structure idx or -1, pro idx or -1, bal type idx, profile, n)

    # ESMS boxes (ESMS-MSS numerator): per ESMS, proportional to its capacity
    lam = es.mss_rate * es.capacity * (0.5 + 0.8 * t_frac)
    k = rng.poisson(lam)
    s_esms = np.repeat(es.structure, k)
    groups.append((s_esms, np.where(rng.random(len(s_esms)) < 0.85, 1, 0), 0))
    # DAC and CPTS boxes
    open_dossiers = np.bincount(cd.structure[(cd.opened <= m.last) & ((cd.closed == NO_DAY) | (cd.closed >= m.first))],
                                minlength=len(co.type))
    lam = np.where(np.array([t == "DAC" for t in co.type]), 0.35 * open_dossiers, 4.0 * co.size)
    lam = np.where(co.join <= m.last, lam, 0)
    s_coord = np.repeat(co.structure, rng.poisson(lam))
    groups.append((s_coord, np.ones(len(s_coord), np.int64), 0))
    # hospitals and other structures
    g = growth(u, m)
    n_h = rng.poisson(u.scale.mss_per_month * 0.6 * g) if len(c["hosp"]) else 0
    s_h = c["hosp"][rng.choice(len(c["hosp"]), n_h, p=c["hosp_w"])] if n_h else np.zeros(0, np.int64)
    groups.append((s_h, rng.choice([0, 1, 2], n_h, p=[0.1, 0.45, 0.45]), 1))
    # liberal professionals (personal or cabinet boxes, no FINESS)
    lib = c["liberal"][pr.mss_from[c["liberal"]] <= m.last]
    n_l = rng.poisson(u.scale.mss_per_month * 0.4 * g) if len(lib) else 0
    p_l = lib[rng.integers(0, len(lib), n_l)] if n_l else np.zeros(0, np.int64)

    n_s = sum(len(x[0]) for x in groups)
    struct = np.concatenate([x[0] for x in groups] + [np.full(n_l, -1)])
    bal = np.concatenate([x[1] for x in groups] + [np.where(rng.random(n_l) < 0.85, 0, 3)])
    profile = np.concatenate([np.full(len(x[0]), x[2]) for x in groups] + [np.full(n_l, 2)])
    pro = np.concatenate([np.full(n_s, -1), p_l])
    n = len(struct)
    day = u.uniform_days(rng, m.first, m.last, n)
    day = np.where(profile == 1, day, mostly_weekdays(rng, day, m.first, m.last, keep_weekend=0.08))
    secs = np.where(profile == 1, times_of_day(rng, n, "hospital"), times_of_day(rng, n, "office"))
    secs = fmt.fix_nonexistent(day, secs)
    order = np.lexsort((struct, secs, day))
    struct, bal, profile, pro, day, secs = (x[order] for x in (struct, bal, profile, pro, day, secs))

    # sender box address by type
    s0 = np.maximum(struct, 0)
    p0 = np.maximum(pro, 0)
    o_org, o_app, o_per, o_pro, o_cab = c["offsets"]
    sender = np.select([(bal == 1), (bal == 2), (bal == 0) & (struct >= 0), (bal == 0) & (struct < 0), (bal == 3)],
                       [o_org + s0, o_app + s0, o_per + s0, o_pro + p0, o_cab + p0])
    # recipients
    p_pat = np.where(profile == 1, 0.02 + 0.12 * t_frac, 0.01 + 0.05 * t_frac)
    base = np.array([0.55, 0.17, 0.18])
    probs = np.column_stack([np.outer(1 - p_pat, base / base.sum()), np.outer(p_pat, [0.5, 0.2, 0.2, 0.1])])
    cum = np.cumsum(probs, axis=1)
    cls = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), len(CLASSES) - 1)
    del probs, cum
    rcount = N_CLASSES[cls] + np.minimum(rng.geometric(0.6, n) - 1, 12)
    ins_o = np.where(HAS_PATIENT[cls] | (rng.random(n) < 0.15 + 0.45 * t_frac), 0, 1)
    cda_p = np.where(profile == 1, 0.4, np.where(profile == 0, 0.12, 0.15))
    has_cda = rng.random(n) < cda_p
    cda = rng.choice(len(CDA), n, p=[0.25, 0.25, 0.15, 0.1, 0.08, 0.1, 0.04, 0.03])
    size = np.maximum(800, np.round(rng.lognormal(11.2, 1.2, n))).astype(np.int64)
    att = np.minimum(rng.poisson(size / 250_000) + (size > 30_000), 9)
    status = rng.choice(3, n, p=[0.962, 0.024, 0.014])
    prefix, suffix = f"<{m.year}{m.month:02d}.", f"@mss-operateur-{u.region}.fr>"

    def rows(i: int, j: int) -> list[pa.Array]:
        return [fmt.join(fmt.ints(np.arange(i, j) + 1, width=8, prefix=prefix), suffix),
                fmt.timestamps(day[i:j], secs[i:j]), fmt.take(c["senders"], sender[i:j]),
                fmt.take(c["bal_types"], bal[i:j]), fmt.take(c["finess"], s0[i:j], valid=struct[i:j] >= 0),
                fmt.ints(rcount[i:j]), fmt.take(c["classes"], cls[i:j]), fmt.take(c["yn"], ins_o[i:j]),
                fmt.take(c["cda"], cda[i:j], valid=has_cda[i:j]), fmt.ints(size[i:j]), fmt.ints(att[i:j]),
                fmt.take(c["status"], status[i:j])]

    return [Output("mss_messages", f"mss/mss_messages_{m.label}.csv", n=n, formatter=rows)]


def annuaire(u: Universe, k: int, d: date) -> list[Output]:
    """The public "Extraction_Correspondance_MSSante" layout: personal boxes (PER) and structure boxes (ORG)."""
    st, pr, com = u.structures, u.pros, u.communes
    sday = day_number(d)
    c = _static(u)
    cache = getattr(u, "_annuaire_static", None)
    if cache is None:
        prof = [ref.PROFESSIONS[p] for p in pr.profession]
        pcom = np.array([np.flatnonzero(com.dep == dp)[i % max(1, (com.dep == dp).sum())] if (com.dep == dp).any() else 0
                         for i, dp in enumerate(pr.dep)])
        doctor = np.array([p[1] == "10" for p in prof])
        cache = {
            "rpps": str_pool([u.actor_ids[i] for i in range(len(pr.rpps))]),
            "idnat": str_pool([("8" + a) if r else "" for a, r in zip(pr.actor_id, pr.rpps)]),
            "struct_pp": str_pool([f"4{a}001" if r else "" for a, r in zip(pr.actor_id, pr.rpps)]),
            "civ": str_pool(["DR" if p[1] in ("10", "40") else ("MME" if i % 2 else "M") for i, p in enumerate(prof)]),
            "nom": str_pool([ref.LAST_NAMES[i].upper() for i in pr.last]),
            "prenom": str_pool([ref.FIRST_NAMES[i] for i in pr.first]),
            "code_prof": str_pool([p[1] or "" for p in prof]), "lib_prof": str_pool([p[0] for p in prof]),
            "sf": str_pool(["SM54" if dc and i % 5 else "" for i, dc in enumerate(doctor)]),
            "lib_sf": str_pool(["Médecine générale (SM)" if dc and i % 5 else "" for i, dc in enumerate(doctor)]),
            "rs_pp": str_pool([f"CABINET DU DR {ref.upper_plain(ref.LAST_NAMES[ln])}" if dc else ""
                               for ln, dc in zip(pr.last, doctor)]),
            "pp_com": pcom,
            "s_rs": str_pool(st.rs), "s_id": str_pool(["1" + f for f in st.finess]),
            "numvoie": str_pool(st.numvoie), "typvoie": str_pool([ref.STREET_TYPES[t][0] for t in st.typvoie]),
            "voie": str_pool([ref.upper_plain(ref.STREET_NAMES[s]) for s in st.street]),
            "lieudit": str_pool(st.lieudit),
            "c_ligne": str_pool([f"{p} {n}" for p, n in zip(com.postal, com.name_up)]), "c_cp": str_pool(com.postal),
            "c_dep": str_pool([u.deps[x].insee for x in com.dep]),
            "service": str_pool(["Secrétariat", "Accueil", "Direction", "Infirmerie", "Admissions", "Coordination"]),
        }
        u._annuaire_static = cache
    a = cache
    per = np.flatnonzero(pr.mss_from <= sday)
    org = np.flatnonzero(st.in_region & ~np.isin(st.family, ["OTHER"]) & ((st.dateouv == NO_DAY) | (st.dateouv <= sday))
                         & (st.closed > sday))
    n_p, n_o = len(per), len(org)
    tp, to = pa.array(per), pa.array(org)
    e_p = lambda: pa.nulls(n_p, pa.string())
    e_o = lambda: pa.nulls(n_o, pa.string())
    ccom_p = pa.array(a["pp_com"][per])
    ccom_o = pa.array(st.commune[org])
    per_cols = {
        "Type de BAL": fmt.const("PER", n_p), "Adresse BAL": c["pro_email"].take(tp),
        "Type Identifiant PP": fmt.const("8", n_p), "Identifiant PP": a["rpps"].take(tp),
        "Identification nationale PP": a["idnat"].take(tp), "Type identifiant structure": fmt.const("4", n_p),
        "Identification Structure": a["struct_pp"].take(tp), "Service de rattachement": e_p(),
        "Civilité d'exercice": a["civ"].take(tp), "Nom d'exercice": a["nom"].take(tp),
        "Prénom d'exercice": a["prenom"].take(tp), "Catégorie professionnelle": fmt.const("C", n_p),
        "Libellé catégorie professionnelle": fmt.const("Civil", n_p), "Code profession": a["code_prof"].take(tp),
        "Libellé profession": a["lib_prof"].take(tp), "Code savoir-faire": a["sf"].take(tp),
        "Libellé savoir-faire": a["lib_sf"].take(tp), "Dématérialisation": fmt.const("O", n_p),
        "Raison sociale structure BAL": a["rs_pp"].take(tp),
        "Numéro de voie structure BAL": fmt.ints((per * 7) % 120 + 1), "Type de voie structure BAL": fmt.const("R", n_p),
        "Libellé de voie structure BAL": fmt.take(a["voie"], per % len(a["voie"])),
        "Ligne d'acheminement structure BAL": a["c_ligne"].take(ccom_p), "Code postal": a["c_cp"].take(ccom_p),
        "Département": a["c_dep"].take(ccom_p), "Pays": fmt.const("FRANCE", n_p),
    }
    org_cols = {
        "Type de BAL": fmt.const("ORG", n_o), "Adresse BAL": c["org"].take(to), "Type identifiant structure": fmt.const("1", n_o),
        "Identification Structure": a["s_id"].take(to), "Service de rattachement": fmt.take(a["service"], org % 6),
        "Dématérialisation": fmt.const("O", n_o), "Raison sociale structure BAL": a["s_rs"].take(to),
        "Numéro de voie structure BAL": a["numvoie"].take(to), "Type de voie structure BAL": a["typvoie"].take(to),
        "Libellé de voie structure BAL": a["voie"].take(to), "Lieu-dit structure BAL": a["lieudit"].take(to),
        "Ligne d'acheminement structure BAL": a["c_ligne"].take(ccom_o), "Code postal": a["c_cp"].take(ccom_o),
        "Département": a["c_dep"].take(ccom_o), "Pays": fmt.const("FRANCE", n_o),
    }
    cols = [pa.concat_arrays([per_cols.get(name, e_p()), org_cols.get(name, e_o())]) for name in ANNUAIRE_MSSANTE_COLUMNS]
    return [Output("annuaire_mssante", f"mss/annuaire_mssante_{compact(d)}.csv", cols)]
