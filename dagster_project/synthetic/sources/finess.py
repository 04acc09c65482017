"""finess/: the etalab stock file (structureet + geolocalisation lines) and the autorisations snapshot."""
from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from ...ingestion.specs import FINESS_GEOLOCALISATION_COLUMNS, FINESS_STRUCTUREET_COLUMNS
from .. import fmt
from .. import reference as ref
from ..calendar import compact
from ..common import Output, str_pool
from ..fmt import NO_DAY, day_number
from ..universe import ACTIVITES, FORMES, MODALITES, Universe


def _static(u: Universe) -> dict:
    """Columns of the structureet lines that do not depend on the snapshot (computed once per run)."""
    cache = getattr(u, "_finess_static", None)
    if cache is not None:
        return cache
    st, com = u.structures, u.communes
    n = st.n
    seeds = u.seeds
    dep_fin = [u.deps[d].finess for d in st.dep]
    dep_lib = [u.deps[d].libelle_finess for d in st.dep]
    ligne = [f"{com.postal[c]} {com.name_up[c]}" + (" CEDEX" if cx else "") for c, cx in zip(st.commune, st.cedex)]
    agr = [ref.AGREGATS.get(c, ("1205", "Autres Etablissements Relevant de la Loi Hospitalière")) for c in st.cat]
    ape = [ref.APE.get(c, ref.APE.get(f, "")) for c, f in zip(st.cat, st.family)]
    mft, sph = [], []
    for i in range(n):
        f, pub = st.family[i], bool(st.public[i])
        if f in ("MCO", "HAD", "USLD"):
            mft.append(ref.MFT_PUBLIC_HOSP if pub else ref.MFT_PRIVATE_HOSP)
            sph.append(("1", "Etablissement public de santé") if pub else
                       (("6", "Etablissement de santé privé d'intérêt collectif") if i % 3 == 0 else ("0", "Non concerné")))
        elif f == "MS":
            mft.append(ref.MFT_MS[i % len(ref.MFT_MS)])
            sph.append(("", ""))
        else:
            mft.append(ref.MFT_OTHER[i % 2])
            sph.append(("", "") if i % 4 else ("0", "Non concerné"))
    geo_src = []
    for d in st.dep:
        ins = u.deps[d].insee
        proj = {"971": "UTM_N20", "972": "UTM_N20", "973": "UTM_N22", "974": "RGR92UTM40S", "976": "RGM04UTM38S"}.get(ins, "LAMBERT_93")
        geo_src.append(f"1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,{proj}")
    cache = {
        "nofinesset": str_pool(st.finess),
        "nofinessej": str_pool([u.ej_finess[e] for e in st.ej]),
        "rs": str_pool(st.rs), "rslongue": str_pool(st.rslongue), "complrs": str_pool(st.complrs),
        "numvoie": str_pool(st.numvoie),
        "typvoie": str_pool([ref.STREET_TYPES[t][0] for t in st.typvoie]),
        "voie": str_pool([ref.upper_plain(ref.STREET_NAMES[s]) for s in st.street]),
        "compvoie": str_pool(st.compvoie), "lieuditbp": str_pool(st.lieudit),
        "commune": str_pool([com.code[c] for c in st.commune]),
        "departement": str_pool(dep_fin), "libdepartement": str_pool(dep_lib),
        "ligneacheminement": str_pool(ligne), "telephone": str_pool(st.telephone), "telecopie": str_pool(st.telecopie),
        "categetab": str_pool(st.cat.tolist()),
        "libcategetab": str_pool([seeds.categories.get(c, "") for c in st.cat]),
        "categagretab": str_pool([a[0] for a in agr]), "libcategagretab": str_pool([a[1] for a in agr]),
        "siret": str_pool(st.siret), "codeape": str_pool(ape),
        "codemft": str_pool([m[0] for m in mft]), "libmft": str_pool([m[1] for m in mft]),
        "codesph": str_pool([s[0] for s in sph]), "libsph": str_pool([s[1] for s in sph]),
        "coordxet": str_pool([f"{x:.1f}" for x in st.x]), "coordyet": str_pool([f"{y:.1f}" for y in st.y]),
        "sourcecoordet": str_pool(geo_src),
    }
    u._finess_static = cache
    return cache


def _blank(n: int) -> pa.Array:
    return pa.nulls(n, pa.string())


def etalab(u: Universe, index: int, d: date) -> list[Output]:
    st = u.structures
    sday = day_number(d)
    c = _static(u)
    present = ((st.dateouv == NO_DAY) | (st.dateouv <= sday + 120)) & (st.closed > sday)
    idx = np.flatnonzero(present)
    take = pa.array(idx)
    n = len(idx)
    datemaj = np.where(st.datemaj1[idx] <= sday, st.datemaj1[idx], st.datemaj0[idx])
    cols = {name: c[name].take(take) for name in c}
    values = {
        "section": fmt.const("structureet", n), "compldistrib": _blank(n), "numuai": _blank(n),
        "dateouv": fmt.dates(st.dateouv[idx]), "dateautor": fmt.dates(st.dateautor[idx]), "datemaj": fmt.dates(datemaj),
    }
    structureet = [values[name] if name in values else cols[name] for name in FINESS_STRUCTUREET_COLUMNS]
    gidx = idx[st.has_geo[idx]]
    gtake = pa.array(gidx)
    geo_maj = np.minimum(st.datemaj0[gidx], sday)
    geo = [fmt.const("geolocalisation", len(gidx)), c["nofinesset"].take(gtake), c["coordxet"].take(gtake),
           c["coordyet"].take(gtake), c["sourcecoordet"].take(gtake), fmt.dates(geo_maj)]
    assert len(geo) == len(FINESS_GEOLOCALISATION_COLUMNS)
    hhmm = f"{(3 + index * 7) % 24:02d}{(index * 17 + 39) % 60:02d}"
    name = f"etalab-cs1100507-stock-{compact(d)}-{hhmm}.csv"
    return [Output("finess_structures", f"finess/{name}", structureet,
                   sections=[("finess_structures", structureet), ("finess_geolocalisation", geo)],
                   first_line=f"finess;etalab;{100 + index};{d.isoformat()}")]


def autorisations(u: Universe, index: int, d: date) -> list[Output]:
    a = u.autor
    st = u.structures
    sday = day_number(d)
    keep = np.flatnonzero(a["dateautor"] <= sday)
    et = a["et"][keep]
    act = [a["activite"][k] for k in keep]
    mod = [a["modalite"][k] for k in keep]
    forme = [a["forme"][k] for k in keep]
    datemeo = a["datemeo"][keep]
    cols = [
        str_pool([u.ej_finess[st.ej[i]] for i in et]), str_pool([st.finess[i] for i in et]),
        str_pool(act), str_pool([ACTIVITES[x] for x in act]),
        str_pool(mod), str_pool([MODALITES[x] for x in mod]),
        str_pool(forme), str_pool([FORMES[x] for x in forme]),
        str_pool([a["noautor"][k] for k in keep]), fmt.dates(a["dateautor"][keep]),
        fmt.dates(datemeo, valid=datemeo <= sday), fmt.dates(a["datefin"][keep]),
    ]
    return [Output("finess_autorisations", f"finess/autorisations_{compact(d)}.csv", cols)]
