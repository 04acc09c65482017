"""The synthetic world every landing table is drawn from, built once per run from the seed.

It holds the structures (FINESS ET and EJ), the professionals, the DAC and CPTS of the coordination tool
with their dossiers, teams and members, the ESMS of the ESMS Numérique programme with their DUI
dossiers and projets personnalisés, and the ROR units. Everything is a column of numpy arrays (or a
Python list for the few thousand structure names); event tables are drawn month by month from it.

Each structure carries its own behaviour parameters (how active a DAC is, how fast it evaluates, how
well an ESMS uses its DUI, how good its ROR description is…), drawn so that the indicators of
``docs/indicators.md`` spread around their targets, some far below, and most improve over time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import identifiers as ids
from . import reference as ref
from .calendar import SEASON, months_between, mostly_weekdays, quarter_ends, times_of_day
from .fmt import NO_DAY, day_number
from .schedule import esms_waves


# ------------------------------------------------------------------------------------------ scales
@dataclass(frozen=True)
class Scale:
    name: str
    structures: int  # FINESS ET of the universe (national file: +2 % outside the region)
    dac: int
    cpts: int  # CPTS using the regional coordination tool
    coord_dossiers: int  # coordination dossiers opened over 4 years
    esms: int  # ESMS of the ESMS Numérique programme
    professionals: int  # health professionals of the territory (RPPS)
    capacity_factor: float  # ESMS capacity multiplier (tiny keeps small ESMS)
    nonbusiness_factor: float  # multiplier of non-business DUI events (pure volume)
    mss_per_month: int  # background MSS messages per month (hospitals, liberals), mid-period
    dmp_per_month: int  # background DMP documents per month (hospitals, liberals), mid-period
    hospital_patients: int  # size of the patient pool of hospital / liberal documents
    defects_per_kind: int  # rows per row-level defect kind


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 150, 2, 2, 200, 10, 600, 0.18, 0.3, 90, 45, 5_000, 1),
    "region": Scale("region", 5_000, 40, 80, 60_000, 1_500, 40_000, 0.6, 1.0, 195_000, 85_000, 2_000_000, 4),
    "national": Scale("national", 50_000, 400, 800, 600_000, 15_000, 400_000, 0.6, 1.0, 1_950_000, 850_000,
                      20_000_000, 8),
}


def _beta_between(rng, n, lo, hi, a=2.0, b=2.0):
    return lo + (hi - lo) * rng.beta(a, b, n)


def _exp_days(rng, mean, n):
    return np.floor(rng.exponential(mean, n)).astype(np.int64)


# --------------------------------------------------------------------------------------- structures
@dataclass
class Structures:
    """FINESS établissements (ET), with their EJ, address, dates and group family."""
    finess: list[str]
    cat: np.ndarray  # categetab (str)
    family: np.ndarray  # MCO / HAD / USLD / MS / VILLE / COORD / OTHER
    dep: np.ndarray  # index into Universe.deps
    in_region: np.ndarray
    commune: np.ndarray  # index into Universe communes
    ej: np.ndarray  # index into EJ lists
    rs: list[str]
    rslongue: list[str]
    complrs: list[str]
    name_proper: list[str]  # ROR / coordination display name (accents)
    numvoie: list[str]
    typvoie: np.ndarray  # index into STREET_TYPES
    street: np.ndarray  # index into STREET_NAMES
    compvoie: list[str]
    lieudit: list[str]
    cedex: np.ndarray
    telephone: list[str]
    telecopie: list[str]
    siret: list[str]
    public: np.ndarray
    dateouv: np.ndarray  # day number, NO_DAY = empty
    dateautor: np.ndarray
    datemaj0: np.ndarray
    datemaj1: np.ndarray  # an update during the period (NO_DAY: none)
    closed: np.ndarray  # closure day (NO_DAY: open)
    x: np.ndarray
    y: np.ndarray
    has_geo: np.ndarray
    size: np.ndarray  # relative activity size (hospital documents, messages)

    @property
    def n(self) -> int:
        return len(self.finess)


@dataclass
class Communes:
    dep: np.ndarray
    code: list[str]  # 3 characters (FINESS `commune`)
    insee: list[str]  # 5 characters
    name: list[str]  # proper case
    name_up: list[str]  # FINESS style
    postal: list[str]


@dataclass
class Professionals:
    """Health professionals (RPPS) and staff without RPPS of the territory."""
    actor_id: list[str]  # RPPS (11 digits) or internal id of the coordination tool
    rpps: np.ndarray  # int64 RPPS, 0 when none
    profession: np.ndarray  # index into reference.PROFESSIONS
    dep: np.ndarray
    first: np.ndarray  # index into FIRST_NAMES
    last: np.ndarray
    mss_from: np.ndarray  # day the personal MSSanté box appears (NO_DAY: none)
    email: list[str]


@dataclass
class CoordStructures:
    structure: np.ndarray  # index into Structures
    type: list[str]  # DAC / CPTS
    structure_id: list[str]
    nom: list[str]
    join: np.ndarray  # day it appears in coord_structures
    rs_from: np.ndarray  # reseau_social = O from that day (NO_DAY: never)
    dc_from: np.ndarray  # dossier_coordination = O from that day
    size: np.ndarray
    activity: np.ndarray  # events per dossier-month multiplier
    activity_trend: np.ndarray
    eval30: np.ndarray  # P(primo-evaluation within 30 days) at the start
    eval30_trend: np.ndarray
    liaison: np.ndarray  # share of NOTIFICATION / ALERTE / CARNET_LIAISON events
    team2: np.ndarray  # P(team of ≥ 2)
    msg_rate: np.ndarray  # dossier messages per dossier-month
    dmp0: np.ndarray  # P(synthesis document in the DMP) at the start
    dmp_trend: np.ndarray
    vali0: np.ndarray  # P(INS qualified at opening)
    vali_trend: np.ndarray
    member_share: np.ndarray  # CPTS: share of team members being CPTS members
    post_rate: np.ndarray  # CPTS network: activity multiplier of members' posts
    staff_offset: np.ndarray  # first index of its coordinators in the actor table
    staff_count: np.ndarray


@dataclass
class CoordDossiers:
    structure: np.ndarray  # index into CoordStructures
    opened: np.ndarray
    requested: np.ndarray
    closed: np.ndarray  # NO_DAY: open at the end
    person: np.ndarray  # person id (INS derived from it)
    status0: np.ndarray  # 0 VALI 1 PROV 2 RECUP 3 VIDE at opening
    qualified: np.ndarray  # day the INS becomes VALI (NO_DAY: never; opening day when VALI at once)
    engagement: np.ndarray
    referent: np.ndarray  # actor index of the referent coordinator (-1: none)
    eval_day: np.ndarray  # primo-evaluation day (NO_DAY: none)
    eval_secs: np.ndarray
    eval_type: np.ndarray
    # team (one row per member, sorted by dossier)
    team_dossier: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    team_actor: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    team_added: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    team_removed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    team_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    # DMP synthesis documents of the coordination (one row per document)
    doc_dossier: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    doc_day: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    doc_secs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    doc_type: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    doc_status: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n(self) -> int:
        return len(self.opened)


@dataclass
class CptsMembers:
    cpts: np.ndarray  # index into CoordStructures
    actor: np.ndarray  # index into Professionals
    joined: np.ndarray  # NO_DAY + empty flag below
    joined_empty: np.ndarray
    left: np.ndarray  # NO_DAY: still a member
    propensity: np.ndarray  # posts per month when active


@dataclass
class Esms:
    structure: np.ndarray  # index into Structures
    grappe: np.ndarray
    deploy: np.ndarray  # DUI deployment day (NO_DAY: never)
    capacity: np.ndarray
    stay: np.ndarray  # mean stay (days)
    used: np.ndarray  # steady share of dossiers updated in a month
    ramp: np.ndarray  # days to reach it after deployment
    business_rate: np.ndarray  # business events per used dossier-month
    pp_share: np.ndarray
    pp_renew: np.ndarray
    pp_validate: np.ndarray
    pp_review: np.ndarray
    agenda_share: np.ndarray
    mss_rate: np.ndarray  # messages per person present per month
    dmp_rate: np.ndarray  # P(document for a person in a month)
    staff_offset: np.ndarray
    staff_count: np.ndarray
    atypique: np.ndarray
    h24: np.ndarray
    medicalised: np.ndarray


@dataclass
class Grappes:
    galis: list[str]
    siret: list[str]
    funded: np.ndarray  # day the project appears in esms_projets
    signataire: list[str]
    qualite: list[str]


@dataclass
class DuiDossiers:
    esms: np.ndarray
    admitted: np.ndarray
    exited: np.ndarray  # NO_DAY: still there at the end
    tmp_out: np.ndarray  # temporary exit (NO_DAY: none)
    tmp_back: np.ndarray
    person: np.ndarray
    ins_from: np.ndarray  # day the INS is recorded (NO_DAY: never)
    has_pp: np.ndarray
    # projets personnalisés (one row per PP)
    pp_dossier: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pp_created: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pp_created_secs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pp_validated: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pp_review: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pp_closed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pp_update_secs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pp_fin_empty: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def n(self) -> int:
        return len(self.admitted)


@dataclass
class Ror:
    eg_structure: np.ndarray  # index into Structures
    eg_id: list[str]
    eg_entry: np.ndarray  # day the EG appears in the ROR (NO_DAY: never)
    ue_eg: np.ndarray  # index into eg arrays
    ue_id: list[str]
    ue_name: list[str]
    ue_champ: np.ndarray  # str codes
    ue_mode: np.ndarray
    ue_mode_bad: np.ndarray  # a retired (non-J19) code used when the mode is "not OK"
    ue_age: np.ndarray  # (n, 2) ages
    ue_created: np.ndarray
    ue_closed: np.ndarray
    ue_maj0: np.ndarray
    ue_fix: np.ndarray  # (n, 6) snapshot index from which each quality dimension is OK
    ue_flaw: np.ndarray  # (n, 6) how the dimension is wrong when not OK (0/1/2)
    ue_acts: list[list[str]]
    ue_contacts: list[list[tuple[str, str, str, str, str]]]
    snapshots: list[date]


# --------------------------------------------------------------------- autorisations (labels)
ACTIVITES = {
    "01": "Médecine", "02": "Chirurgie", "03": "Gynécologie-obstétrique, néonatologie, réanimation néonatale",
    "04": "Psychiatrie", "10": "Chirurgie cardiaque", "11": "Neurochirurgie", "13": "Médecine d'urgence",
    "14": "Réanimation", "15": "Traitement de l'insuffisance rénale chronique par épuration extrarénale",
    "18": "Traitement du cancer", "50": "Soins de suite et de réadaptation non spécialisés",
    "51": "SSR - affections de l'appareil locomoteur", "52": "SSR - affections du système nerveux",
    "53": "SSR - affections cardio-vasculaires", "54": "SSR - affections respiratoires",
    "55": "SSR - affections des systèmes digestif, métabolique et endocrinien",
    "56": "SSR - affections onco-hématologiques", "58": "SSR - affections liées aux conduites addictives",
    "59": "SSR - affections de la personne âgée polypathologique",
}
FORMES = {"00": "Pas de forme", "01": "Hospitalisation complète (24 heures consécutives ou plus)",
          "02": "Hospitalisation à temps partiel de jour ou de nuit", "05": "Hospitalisation à domicile",
          "07": "Anesthésie ou chirurgie ambulatoire", "15": "Forme non précisée"}
MODALITES = {"00": "Pas de modalité", "40": "Psychiatrie générale", "41": "Psychiatrie infanto-juvénile",
             "01": "Adultes", "02": "Enfants-adolescents"}


# ------------------------------------------------------------------------------------------ universe
class Universe:
    def __init__(self, scale: Scale, seed: int, start: date, end: date, region: str):
        self.scale = scale
        self.seed = seed
        self.start = start
        self.end = end
        self.region = region
        self.start_day = day_number(start)
        self.end_day = day_number(end)
        self.months = months_between(start, end)
        self.seeds = ref.seeds()
        all_deps = ref.departements()
        region_deps = [d for d in all_deps if d.region == region]
        if not region_deps:
            raise ValueError(f"unknown region {region!r} (no département in seeds/ref_departements.csv)")
        others = [d for d in all_deps if d.region != region and len(d.insee) == 2]
        self.deps = region_deps + others
        self.n_region_deps = len(region_deps)
        self.birth_deps = sorted({("97" if len(d.insee) == 3 else d.insee) for d in region_deps}) + ["69", "75", "13", "99"]

        def rng(k: int) -> np.random.Generator:
            return np.random.default_rng([seed, 1000 + k])

        self._build_structures(rng(1))
        self._build_professionals(rng(2))
        self._build_autorisations(rng(3))
        self._build_ror(rng(4))
        self._build_coordination(rng(5))
        self._build_coord_dossiers(rng(6))
        self._build_cpts_members(rng(7))
        self._build_esms(rng(8))
        self._build_dui_dossiers(rng(9))
        self._build_projets(rng(10))

    # ---------------------------------------------------------------- helpers
    def years(self, day) -> np.ndarray:
        return (np.asarray(day, dtype=np.float64) - self.start_day) / 365.25

    def uniform_days(self, rng, lo, hi, n=None):
        """Uniform integer days in [lo, hi] (arrays or scalars)."""
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.asarray(hi, dtype=np.int64)
        size = n if n is not None else np.broadcast(lo, hi).shape
        return lo + np.floor(rng.random(size) * (hi - lo + 1)).astype(np.int64)

    # ---------------------------------------------------------------- structures
    def _build_communes(self, rng, per_dep: np.ndarray) -> Communes:
        dep_l, code_l, insee_l, name_l, up_l, postal_l = [], [], [], [], [], []
        seeds_dep = {r["dep"]: r for r in self.seeds.departements}
        for di, d in enumerate(self.deps):
            k = int(per_dep[di])
            if k == 0:
                continue
            overseas = len(d.insee) == 3
            n_c = int(np.clip(k // 2, 8, 50 if overseas else 400))
            names: list[str] = []
            seen = set()
            while len(names) < n_c:
                if rng.random() < 0.22:
                    nm = "Saint-" + ref.COMMUNE_SAINTS[rng.integers(len(ref.COMMUNE_SAINTS))]
                else:
                    nm = ref.COMMUNE_ROOTS[rng.integers(len(ref.COMMUNE_ROOTS))]
                nm += ref.COMMUNE_SUFFIXES[rng.integers(len(ref.COMMUNE_SUFFIXES))]
                if nm not in seen:
                    seen.add(nm)
                    names.append(nm)
            if overseas:
                codes = [f"{c:02d}" for c in sorted(rng.choice(np.arange(1, 60), n_c, replace=False))]
            else:
                chef = seeds_dep[d.insee]["cheflieu"][-3:]
                pool = np.setdiff1d(np.arange(1, 900), [int(chef)])
                codes = [chef] + [f"{c:03d}" for c in sorted(rng.choice(pool, n_c - 1, replace=False))]
            posts = rng.choice(np.arange(1, 100), n_c, replace=True)
            for j in range(n_c):
                dep_l.append(di)
                if overseas:
                    code_l.append("1" + codes[j])
                    insee_l.append(d.insee + codes[j])
                    postal_l.append(f"{d.insee}{posts[j] % 90 + 10:02d}" if j else f"{d.insee}00")
                else:
                    code_l.append(codes[j])
                    insee_l.append(d.insee + codes[j])
                    postal_l.append(f"{d.postal}{posts[j] * 10:03d}" if j else f"{d.postal}000")
                name_l.append(names[j])
                up_l.append(ref.upper_plain(names[j]).replace("-", " ") if rng.random() < 0.3
                            else ref.upper_plain(names[j]))
        return Communes(np.array(dep_l), code_l, insee_l, name_l, up_l, postal_l)

    def _build_structures(self, rng):
        sc = self.scale
        n_cpts_finess = round(sc.cpts * 1.1) + (1 if sc.cpts < 10 else 0)
        n_rest = sc.structures - sc.dac - n_cpts_finess
        cats = [c for c, _, _ in ref.CATEGORY_MIX]
        w = np.array([x for _, x, _ in ref.CATEGORY_MIX])
        fam_of = {c: f for c, _, f in ref.CATEGORY_MIX}
        fam_of.update({"604": "COORD", "606": "COORD"})
        raw = w / w.sum() * n_rest
        counts = np.floor(raw).astype(int)
        must = {"355", "127", "362", "500", "603", "109", "156", "183", "354", "246", "460", "202"}
        for i, c in enumerate(cats):
            if c in must and counts[i] == 0:
                counts[i] = 1
        rem = n_rest - counts.sum()
        if rem > 0:
            order = np.argsort(-(raw - np.floor(raw)), kind="stable")
            counts[order[:rem]] += 1
        elif rem < 0:
            order = np.argsort(-counts, kind="stable")
            counts[order[0]] += rem
        cat = np.array([c for c, k in zip(cats, counts) for _ in range(k)] + ["606"] * sc.dac + ["604"] * n_cpts_finess)
        n = len(cat)
        perm = rng.permutation(n)
        cat = cat[perm]
        family = np.array([fam_of[c] for c in cat])

        # départements: region ones weighted by a random "size", 2 % elsewhere (not coordination structures)
        nr = self.n_region_deps
        dep_w = rng.lognormal(0, 0.6, nr)
        dep_w /= dep_w.sum()
        dep = rng.choice(nr, size=n, p=dep_w)
        outside = (rng.random(n) < 0.02) & (family != "COORD")
        if outside.sum() == 0 and n >= 100:
            outside[np.flatnonzero(family == "OTHER")[:2]] = True
        n_out_deps = len(self.deps) - nr
        dep = np.where(outside, nr + rng.integers(0, max(n_out_deps, 1), n), dep)
        per_dep = np.bincount(dep, minlength=len(self.deps))
        com = self._build_communes(rng, per_dep)
        self.communes = com
        # commune within département: big towns host the hospitals
        commune = np.zeros(n, dtype=np.int64)
        big = np.isin(cat, ["101", "355", "292", "131", "127", "141", "606"])
        for di in np.flatnonzero(per_dep):
            idx = np.flatnonzero(com.dep == di)
            zipf = 1.0 / (np.arange(len(idx)) + 1) ** 0.9
            zipf /= zipf.sum()
            members = np.flatnonzero(dep == di)
            pick = rng.choice(len(idx), size=len(members), p=zipf)
            pick_big = rng.integers(0, min(3, len(idx)), len(members))
            commune[members] = idx[np.where(big[members], pick_big, pick)]

        # EJ grouping
        ej = np.full(n, -1, dtype=np.int64)
        ej_public: list[bool] = []
        ej_kind: list[str] = []
        ej_dep: list[int] = []
        heads_by_dep: dict[int, list[int]] = {}
        ms_by_dep: dict[int, list[int]] = {}
        ms_size: list[int] = []
        priority = {"101": 0, "355": 0, "292": 0}
        order = sorted(range(n), key=lambda i: (priority.get(cat[i], 1), perm[i]))

        def new_ej(kind: str, public: bool, d: int) -> int:
            ej_public.append(public)
            ej_kind.append(kind)
            ej_dep.append(d)
            ms_size.append(0)
            return len(ej_public) - 1

        for i in order:
            c, f, d = cat[i], family[i], int(dep[i])
            u = rng.random()
            if c in ("101", "355", "292"):
                e = new_ej("HOSP", True, d)
                heads_by_dep.setdefault(d, []).append(e)
            elif c in ("362", "156", "425") or (c in ("127", "106", "354") and u < 0.35) or (c == "500" and u < 0.22):
                hs = heads_by_dep.get(d)
                e = hs[rng.integers(len(hs))] if hs and rng.random() < 0.8 else new_ej(
                    "HOSP" if f != "MS" else "MS", c in ("362", "156", "425", "106"), d)
            elif f == "MS":
                group = ms_by_dep.get(d)
                if group and u < 0.55:
                    sizes = np.array([ms_size[g] + 1.0 for g in group])
                    e = group[rng.choice(len(group), p=sizes / sizes.sum())]
                else:
                    e = new_ej("MS", rng.random() < 0.2, d)
                    ms_by_dep.setdefault(d, []).append(e)
                ms_size[e] += 1
            else:
                e = new_ej(f, f == "OTHER" and c == "223", d)
            ej[i] = e
        n_ej = len(ej_public)
        ej_public_a = np.array(ej_public)

        # FINESS numbers: ET bodies and EJ bodies drawn without replacement per prefix
        finess = [""] * n
        ej_finess = [""] * n_ej
        for di, dd in enumerate(self.deps):
            et_idx = np.flatnonzero(dep == di)
            ej_idx = [e for e in range(n_ej) if ej_dep[e] == di]
            if not len(et_idx) and not ej_idx:
                continue
            width = 8 - len(dd.prefix)
            half = 10 ** width // 2
            if max(len(et_idx), len(ej_idx)) > half:
                raise ValueError(f"scale {sc.name!r} is too large for département {dd.insee} "
                                 f"({len(et_idx)} structures, FINESS numbers allow {half})")
            bodies = rng.choice(half, size=len(et_idx), replace=False)
            for i, b in zip(et_idx, bodies):
                finess[i] = ids.make_finess(dd.prefix, int(b))
            bodies = rng.choice(half, size=len(ej_idx), replace=False) + half
            for e, b in zip(ej_idx, bodies):
                ej_finess[e] = ids.make_finess(dd.prefix, int(b))
        self.ej_finess = ej_finess
        # SIREN per EJ, SIRET per ET
        siren = []
        for e in range(n_ej):
            base = (26000000 + rng.integers(0, 999999)) if (ej_public[e] and ej_kind[e] == "HOSP") else (
                (20000000 + rng.integers(0, 999999)) if ej_public[e] else rng.integers(30000000, 89999999))
            siren.append(ids.make_siren(int(base)))
        self.ej_siren = siren
        self.ej_siret_siege = [ids.make_siret(s, 12) for s in siren]
        self.ej_public = ej_public_a
        siret = []
        no_siret = rng.random(n) < np.where(np.isin(family, ["MS", "OTHER", "COORD"]), 0.3, 0.08)
        for i in range(n):
            siret.append("" if no_siret[i] else ids.make_siret(siren[ej[i]], int(rng.integers(13, 9999))))

        # names and addresses
        places = ref.PLACE_NAMES
        rs, rsl, compl, proper = [], [], [], []
        coord_names: set[str] = set()
        for i in range(n):
            c = cat[i]
            short, long_, ror_t = ref.NAME_TEMPLATES[c]
            cm_p = com.name[commune[i]]
            cm_u = ref.upper_plain(cm_p)
            pl = places[rng.integers(len(places))]
            if c in ("604", "606"):
                dd = self.deps[dep[i]]
                for _ in range(50):
                    t = (f"{dd.libelle} {ref.CARDINAL[rng.integers(len(ref.CARDINAL))]}" if rng.random() < 0.5
                         else f"Pays de {com.name[commune[i] if rng.random() < 0.5 else rng.integers(len(com.name))]}")
                    if t not in coord_names:
                        break
                coord_names.add(t)
                vals = {"T": ref.upper_plain(t), "t": t}
            else:
                vals = {"C": cm_u, "c": cm_p, "N": ref.upper_plain(pl), "n": pl}
            rs.append(short.format(**{k: v for k, v in vals.items() if k.isupper()}))
            rsl.append(long_.format(**{k: v for k, v in vals.items() if k.isupper()}))
            proper.append(ror_t.format(**{k: v for k, v in vals.items() if k.islower()}))
            compl.append(("SITE DE " + cm_u) if (c in ("355", "101") and rng.random() < 0.3)
                         else ("ASSOCIATION " + ref.upper_plain(places[rng.integers(len(places))]))
                         if (family[i] == "MS" and rng.random() < 0.15) else "")
        numvoie = [str(v) if v > 0 else "" for v in np.where(rng.random(n) < 0.8, rng.integers(1, 260, n), 0)]
        typvoie = rng.integers(0, len(ref.STREET_TYPES), n)
        street = rng.integers(0, len(ref.STREET_NAMES), n)
        compvoie = ["B" if u < 0.03 else ("T" if u < 0.04 else "") for u in rng.random(n)]
        lieudit = [ref.LIEUX_DITS[rng.integers(len(ref.LIEUX_DITS))] if u < 0.12 else "" for u in rng.random(n)]
        cedex = (rng.random(n) < 0.25) & np.isin(family, ["MCO", "HAD", "USLD"])
        phone_prefix = {"11": "01", "24": "02", "27": "03", "28": "02", "32": "03", "44": "03", "52": "02",
                        "53": "02", "75": "05", "76": "05", "84": "04", "93": "04", "94": "04",
                        "01": "0590", "02": "0596", "03": "0594", "04": "0262", "06": "0269"}
        tel, fax = [], []
        for i in range(n):
            pp = phone_prefix.get(self.deps[dep[i]].region, "04")
            num = pp + f"{rng.integers(0, 10 ** (10 - len(pp))):0{10 - len(pp)}d}"
            tel.append(num if rng.random() < 0.95 else "")
            fax.append(num[:-2] + f"{rng.integers(0, 100):02d}" if rng.random() < 0.45 else "")

        # dates
        s, e_ = self.start_day, self.end_day
        old_lo = np.where(np.isin(family, ["MCO", "HAD", "USLD"]), day_number(date(1950, 1, 1)),
                          day_number(date(1972, 1, 1)))
        dateouv = self.uniform_days(rng, old_lo, s - 400, n)
        ville_new = (cat == "603") & (rng.random(n) < 0.35)
        dateouv = np.where(cat == "603", self.uniform_days(rng, day_number(date(2009, 1, 1)), s - 30, n), dateouv)
        opening = (rng.random(n) < 0.03) & ~np.isin(family, ["COORD"]) | ville_new
        dateouv = np.where(opening, self.uniform_days(rng, s + 30, e_ - 60, n), dateouv)
        dateouv = np.where(cat == "606", self.uniform_days(rng, s - 700, s - 60, n), dateouv)
        dateouv = np.where(cat == "604", self.uniform_days(rng, s - 900, s - 30, n), dateouv)
        empty = (rng.random(n) < 0.01) & ~np.isin(family, ["COORD"]) & ~opening
        dateouv = np.where(empty, NO_DAY, dateouv)
        dateautor = np.where(empty, NO_DAY, dateouv - np.where(rng.random(n) < 0.5, 0, rng.integers(0, 700, n)))
        lo_maj = np.maximum(np.where(empty, day_number(date(2012, 1, 1)), dateouv), day_number(date(2012, 1, 1)))
        datemaj0 = self.uniform_days(rng, np.minimum(lo_maj, s - 1), s - 1, n)
        datemaj0 = np.where(opening, dateouv - rng.integers(10, 120, n), datemaj0)
        datemaj1 = np.where(rng.random(n) < 0.45, self.uniform_days(rng, s, e_, n), NO_DAY)
        datemaj1 = np.where(opening & (datemaj1 < dateouv), NO_DAY, datemaj1)

        # coordinates: a pseudo centre per département (Lambert 93), communes around it
        cx = 220_000 + rng.random(len(self.deps)) * 800_000
        cy = 6_200_000 + rng.random(len(self.deps)) * 850_000
        com_dx = rng.normal(0, 18_000, len(com.name))
        com_dy = rng.normal(0, 18_000, len(com.name))
        x = cx[dep] + com_dx[commune] + rng.normal(0, 400, n)
        y = cy[dep] + com_dy[commune] + rng.normal(0, 400, n)
        has_geo = rng.random(n) < 0.97

        size = np.where(cat == "101", 40.0, np.where(cat == "355", 10.0, np.where(np.isin(family, ["MCO"]), 2.5, 1.0)))
        size *= rng.lognormal(0, 0.5, n)

        self.structures = Structures(
            finess=finess, cat=cat, family=family, dep=dep, in_region=dep < nr, commune=commune, ej=ej,
            rs=rs, rslongue=rsl, complrs=compl, name_proper=proper, numvoie=numvoie, typvoie=typvoie,
            street=street, compvoie=compvoie, lieudit=lieudit, cedex=cedex, telephone=tel, telecopie=fax,
            siret=siret, public=ej_public_a[ej], dateouv=dateouv, dateautor=dateautor, datemaj0=datemaj0,
            datemaj1=datemaj1, closed=np.full(n, NO_DAY, dtype=np.int64), x=x, y=y, has_geo=has_geo, size=size,
        )
        self._opening = opening

    def _close_some(self, rng, protected: np.ndarray):
        st = self.structures
        cand = ~protected & ~self._opening & (st.family != "COORD") & (st.dateouv != NO_DAY)
        close = cand & (rng.random(st.n) < 0.015)
        st.closed = np.where(close, self.uniform_days(rng, self.start_day + 60, self.end_day - 30, st.n), NO_DAY)

    # ---------------------------------------------------------------- professionals
    def _build_professionals(self, rng):
        n = self.scale.professionals
        shares = np.array([p[2] for p in ref.PROFESSIONS])
        prof = rng.choice(len(ref.PROFESSIONS), size=n, p=shares / shares.sum())
        has_rpps = np.array([ref.PROFESSIONS[p][1] is not None for p in prof])
        rpps_n = rng.choice(10 ** 8, size=n, replace=False) + 10 ** 8  # "10xxxxxxxx" + key
        rpps = np.where(has_rpps, ids.rpps_np(rpps_n), 0)
        internal = rng.choice(900_000, size=n, replace=False) + 100_000
        actor = [str(r) if r else f"UID{k:06d}" for r, k in zip(rpps.tolist(), internal.tolist())]
        dep_w = rng.lognormal(0, 0.5, self.n_region_deps)
        dep = rng.choice(self.n_region_deps, size=n, p=dep_w / dep_w.sum())
        first = rng.integers(0, len(ref.FIRST_NAMES), n)
        last = rng.integers(0, len(ref.LAST_NAMES), n)
        # personal MSSanté boxes: most health professionals have one, opened over time
        mss = has_rpps & (rng.random(n) < 0.78)
        mss_from = np.where(rng.random(n) < 0.55, self.start_day - rng.integers(30, 2000, n),
                            self.uniform_days(rng, self.start_day, self.end_day, n))
        mss_from = np.where(mss, mss_from, NO_DAY)
        domains = ("medecin.mssante.fr", "infirmier.mssante.fr", "pharmacien.mssante.fr", "pro.mssante.fr")
        email = []
        for i in range(n):
            p = ref.PROFESSIONS[prof[i]][1]
            dom = domains[0] if p == "10" else domains[1] if p == "60" else domains[2] if p == "21" else domains[3]
            email.append(f"{ref.strip_accents(ref.FIRST_NAMES[first[i]]).lower()}."
                         f"{ref.strip_accents(ref.LAST_NAMES[last[i]]).lower().replace(' ', '')}"
                         f"{'' if i % 3 else str(i % 97)}@{dom}")
        self.pros = Professionals(actor, rpps, prof, dep, first, last, mss_from, email)
        self.doctors = np.flatnonzero(prof == 0)

    # ---------------------------------------------------------------- autorisations
    def _build_autorisations(self, rng):
        st = self.structures
        rows = []  # (et, activite, modalite, forme)
        for i in np.flatnonzero(np.isin(st.family, ["MCO", "HAD", "USLD"])):
            c = st.cat[i]
            acts: list[tuple[str, str, str]] = []
            u = rng.random(12)
            if c in ("101", "355"):
                acts += [("01", "00", "01"), ("01", "00", "02"), ("02", "00", "01")]
                acts += [("02", "00", "07")] if u[0] < 0.8 else []
                acts += [("03", "00", "01")] if u[1] < (0.9 if c == "101" else 0.5) else []
                acts += [("13", "00", "00")] if u[2] < (1.0 if c == "101" else 0.7) else []
                acts += [("14", "00", "01")] if u[3] < (1.0 if c == "101" else 0.25) else []
                acts += [("18", "00", "00")] if u[4] < (1.0 if c == "101" else 0.4) else []
                acts += [("50", "01", "01")] if u[5] < 0.6 else []
                acts += [("04", "40", "01")] if u[6] < 0.3 else []
                acts += [("10", "00", "01"), ("11", "00", "01")] if c == "101" else []
                acts += [("01", "00", "05")] if u[7] < 0.12 else []  # HAD run by the hospital
            elif c == "106":
                acts += [("01", "00", "01")] + ([("50", "01", "01")] if u[0] < 0.7 else [])
            elif c == "109":
                acts += [("50", "01", "01")]
                for a in rng.choice(["51", "52", "53", "54", "55", "56", "58", "59"], size=1 + int(u[1] < 0.5), replace=False):
                    acts.append((str(a), "01", "01" if u[2] < 0.8 else "02"))
            elif c in ("128",):
                acts += [("02", "00", "01"), ("02", "00", "07")] + ([("18", "00", "00")] if u[0] < 0.3 else [])
            elif c in ("129",):
                acts += [("01", "00", "01")]
            elif c in ("365",):
                acts += [("01", "00", "01"), ("02", "00", "01")] + ([("18", "00", "00")] if u[0] < 0.3 else [])
            elif c == "122":
                acts += [("03", "00", "01")]
            elif c == "131":
                acts += [("18", "00", "00"), ("01", "00", "01"), ("02", "00", "01")]
            elif c in ("292", "161"):
                acts += [("04", "40", "01"), ("04", "40", "02")] + ([("04", "41", "02")] if u[0] < 0.5 else [])
            elif c == "127":
                acts += [("01", "00", "05")]
            elif c in ("141", "146"):
                acts += [("15", "00", "00")]
            for a in acts:
                rows.append((i, *a))
        m = len(rows)
        s = self.start_day
        dateautor = self.uniform_days(rng, s - 7 * 365, s + 3 * 365, m)
        dateautor = np.where(rng.random(m) < 0.8, self.uniform_days(rng, s - 7 * 365, s - 1, m), dateautor)
        et = np.array([r[0] for r in rows], dtype=np.int64)
        ouv = st.dateouv[et]
        dateautor = np.where((ouv != NO_DAY) & (dateautor < ouv - 365), ouv - rng.integers(0, 365, m), dateautor)
        datemeo = dateautor + rng.integers(0, 200, m)
        datefin = dateautor + 7 * 365
        stop = rng.random(m) < 0.04  # a few activities end during the period and are not renewed
        datefin = np.where(stop, self.uniform_days(rng, s + 90, self.end_day - 30, m), datefin)
        self.autor = {
            "et": et, "activite": [r[1] for r in rows], "modalite": [r[2] for r in rows],
            "forme": [r[3] for r in rows], "dateautor": dateautor, "datemeo": datemeo, "datefin": datefin,
            "noautor": [f"{self.region}-{int(d) // 365 + 1970}-{k:05d}" for k, d in enumerate(dateautor)],
        }

    # ---------------------------------------------------------------- ROR
    def _build_ror(self, rng):
        st = self.structures
        s, e_ = self.start_day, self.end_day
        snaps = [date(q.year, q.month, 15) for q in quarter_ends(self.start, self.end)]
        snaps = [d for d in snaps if self.start <= d <= self.end] or [self.end]
        self.ror_snapshots = snaps
        n_snap = len(snaps)
        snap_days = np.array([day_number(d) for d in snaps])
        elig = np.flatnonzero(st.in_region & np.isin(st.family, ["MCO", "HAD", "USLD", "MS", "VILLE"]))
        fam = st.family[elig]
        k = len(elig)
        u = rng.random(k)
        before = np.select([np.isin(fam, ["MCO", "HAD", "USLD"]), fam == "MS"], [0.93, 0.55], 0.06)
        during = np.select([np.isin(fam, ["MCO", "HAD", "USLD"]), fam == "MS"], [0.04, 0.35], 0.40)
        entry = np.where(u < before, s - 1000, np.where(u < before + during,
                                                        self.uniform_days(rng, s, e_ - 30, k), NO_DAY))
        ville_late = (fam == "VILLE") & (entry != NO_DAY) & (entry >= s)
        entry = np.where(ville_late, self.uniform_days(rng, s + 300, e_ - 30, k), entry)
        ouv = st.dateouv[elig]
        entry = np.where((entry != NO_DAY) & (ouv != NO_DAY) & (entry < ouv), ouv + rng.integers(0, 90, k), entry)
        eg_id = [f"{self.region}{j + 1:07d}" for j in range(k)]

        # units
        cat = st.cat[elig]
        lo = np.select([cat == "101", cat == "355", np.isin(cat, ["106", "292", "365"]),
                        np.isin(cat, ["128", "129", "109", "131"])], [25, 6, 3, 2], 1)
        hi = np.select([cat == "101", cat == "355", np.isin(cat, ["106", "292", "365"]),
                        np.isin(cat, ["128", "129", "109", "131"])], [60, 28, 9, 8], 3)
        n_ue = rng.integers(lo, hi + 1)
        ue_eg = np.repeat(np.arange(k), n_ue)
        m = len(ue_eg)
        ue_fam = fam[ue_eg]
        ue_cat = cat[ue_eg]
        champ = np.select(
            [np.isin(ue_cat, ["109"]), np.isin(ue_cat, ["292", "156", "425", "161"]),
             np.isin(ue_fam, ["MCO", "HAD", "USLD"]), ue_fam == "MS"], ["02", "03", "01", "04"], "05")
        modes = {"01": ["28", "29", "32", "09", "33", "13"], "02": ["28", "29"], "03": ["28", "29", "32", "20", "11"],
                 "04": ["46", "47", "49", "54", "42"], "05": ["32", "56", "20"]}
        mode = np.array([modes[c][j] for c, j in zip(champ, rng.integers(0, 6, m) % np.array([len(modes[c]) for c in champ]))])
        mode = np.where(ue_cat == "127", "31", mode)
        retired = self.seeds.r213_retired
        mode_bad = np.array(retired)[rng.integers(0, len(retired), m)]
        names = []
        for j in range(m):
            fam_j = "MCO" if ue_fam[j] in ("MCO",) else ue_fam[j]
            pool = ref.UE_NAMES.get(fam_j, ref.UE_NAMES["MS"])
            names.append(pool[rng.integers(len(pool))])
        age = np.zeros((m, 2), dtype=np.int64)
        age[:, 0] = np.select([np.isin(ue_cat, ["500", "202", "207"]), np.isin(ue_cat, ["183", "182", "186", "188", "189", "190"])], [60, 0], 18)
        age[:, 1] = np.select([np.isin(ue_cat, ["183", "182", "186", "188", "189", "190"])], [20], 120)
        ped = np.array(["Pédiatrie" in x for x in names])
        age[ped] = (0, 17)
        created = np.where(rng.random(m) < 0.05, self.uniform_days(rng, s, e_, m), s - 2000)
        closed = np.where(rng.random(m) < 0.05, self.uniform_days(rng, s + 60, e_, m), NO_DAY)
        eg_closed = st.closed[elig][ue_eg]
        closed = np.minimum(closed, eg_closed)
        maj0 = self.uniform_days(rng, s - 900, s - 5, m)

        # quality: EG class good / medium / poor, six dimensions per UE
        famc = fam
        p_good = np.select([np.isin(famc, ["MCO", "HAD", "USLD"]), famc == "MS"], [0.74, 0.14], 0.18)
        p_med = np.select([np.isin(famc, ["MCO", "HAD", "USLD"]), famc == "MS"], [0.18, 0.42], 0.40)
        uu = rng.random(k)
        klass = np.where(uu < p_good, 0, np.where(uu < p_good + p_med, 1, 2))[ue_eg]
        p_ok = np.array([0.997, 0.93, 0.72])[klass]
        p_fix = np.array([0.95, 0.7, 0.35])[klass]
        ok0 = rng.random((m, 6)) < p_ok[:, None]
        fixed = rng.random((m, 6)) < p_fix[:, None]
        fix_at = rng.integers(0, n_snap, (m, 6))
        big = n_snap + 100
        fix = np.where(ok0, -1, np.where(fixed, fix_at, big))
        flaw = rng.integers(0, 3, (m, 6))

        j17 = np.array(self.seeds.j17)
        fam_codes = {f: j17[rng.choice(len(j17), size=min(40, len(j17)), replace=False)] for f in ("MCO", "HAD", "USLD", "MS", "VILLE")}
        acts = []
        for j in range(m):
            pool = fam_codes[ue_fam[j]]
            acts.append(sorted(set(pool[rng.integers(0, len(pool), 1 + rng.integers(0, 3))].tolist())))
        contacts = []
        for j in range(m):
            lst = []
            for _ in range(1 + int(rng.random() < 0.4)):
                canal = ref.CONTACT_CANAUX[rng.integers(len(ref.CONTACT_CANAUX))]
                tel = "0" + str(rng.integers(1, 6)) + " " + " ".join(f"{rng.integers(0, 100):02d}" for _ in range(4))
                addr = (tel if canal in ("TEL", "FAX") else
                        f"ue{j + 1}.{'secretariat' if rng.random() < 0.5 else 'accueil'}@"
                        f"{'ror-' + self.region}.{'mssante.fr' if canal == 'MSSANTE' else 'fr'}")
                lst.append((ref.CONTACT_FONCTIONS[rng.integers(len(ref.CONTACT_FONCTIONS))],
                            ref.CONTACT_NATURES[rng.integers(len(ref.CONTACT_NATURES))], canal, addr,
                            str(1 + int(rng.random() < 0.2))))
            contacts.append(lst)
        self.ror = Ror(
            eg_structure=elig, eg_id=eg_id, eg_entry=entry, ue_eg=ue_eg,
            ue_id=[f"{self.region}{j + 1:09d}" for j in range(m)], ue_name=names, ue_champ=champ, ue_mode=mode,
            ue_mode_bad=mode_bad, ue_age=age, ue_created=created, ue_closed=closed, ue_maj0=maj0, ue_fix=fix,
            ue_flaw=flaw, ue_acts=acts, ue_contacts=contacts, snapshots=snaps,
        )
        self.ror_snap_days = snap_days

    # ---------------------------------------------------------------- coordination structures
    def _build_coordination(self, rng):
        st = self.structures
        s, e_ = self.start_day, self.end_day
        dac = np.flatnonzero(st.cat == "606")
        cpts_all = np.flatnonzero(st.cat == "604")
        cpts = cpts_all[: self.scale.cpts]
        idx = np.concatenate([dac, cpts])
        k = len(idx)
        is_dac = np.arange(k) < len(dac)
        typ = ["DAC" if d else "CPTS" for d in is_dac]
        join = np.where(is_dac, np.where(rng.random(k) < 0.85, s, self.uniform_days(rng, s, s + 540, k)),
                        np.where(rng.random(k) < 0.4, s, self.uniform_days(rng, s, e_ - 270, k)))
        join = np.maximum(join, st.dateouv[idx])
        join[0] = s  # the first DAC is always there from the start
        if (~is_dac).any():
            join[np.flatnonzero(~is_dac)[0]] = s
        rs_from = np.where(is_dac, np.where(rng.random(k) < 0.5, join, NO_DAY),
                           np.where(rng.random(k) < 0.85, join + np.where(rng.random(k) < 0.7, 0, rng.integers(30, 400, k)), NO_DAY))
        dc_from = np.where(is_dac, np.where(rng.random(k) < 0.95, join, join + rng.integers(60, 500, k)),
                           np.where(rng.random(k) < 0.45, join + np.where(rng.random(k) < 0.5, 0, rng.integers(30, 500, k)), NO_DAY))
        if (~is_dac).any():  # at least one CPTS with each service, from the start
            first = np.flatnonzero(~is_dac)[0]
            rs_from[first] = dc_from[first] = s
        rs_from = np.where(rs_from > e_, NO_DAY, rs_from)
        dc_from = np.where(dc_from > e_, NO_DAY, dc_from)
        size = rng.lognormal(0, 0.45, k)
        size /= size.mean()
        staff = np.where(is_dac, np.maximum(3, np.round(4 + 14 * size * self.scale.coord_dossiers / 60_000 * 40 / max(self.scale.dac, 1))), 2).astype(np.int64)
        staff = np.maximum(staff, 3)
        self.coord = CoordStructures(
            structure=idx, type=typ, structure_id=[f"S{j + 1:04d}" for j in range(k)],
            nom=[st.name_proper[i] for i in idx], join=join, rs_from=rs_from, dc_from=dc_from, size=size,
            activity=np.where(rng.random(k) < 0.2, rng.uniform(0.03, 0.2, k), rng.uniform(0.4, 1.6, k)),
            activity_trend=rng.uniform(-0.05, 0.25, k),
            eval30=np.where(rng.random(k) < 0.2, rng.uniform(0.2, 0.5, k), rng.uniform(0.55, 0.92, k)),
            eval30_trend=rng.uniform(-0.02, 0.1, k),
            liaison=np.where(rng.random(k) < 0.2, rng.uniform(0.03, 0.08, k), rng.uniform(0.2, 0.45, k)),
            team2=np.where(rng.random(k) < 0.2, rng.uniform(0.3, 0.55, k), rng.uniform(0.6, 0.96, k)),
            msg_rate=np.where(rng.random(k) < 0.25, rng.uniform(0.1, 0.5, k), rng.uniform(1.3, 3.6, k)),
            dmp0=rng.uniform(0.0, 0.12, k), dmp_trend=np.where(rng.random(k) < 0.25, rng.uniform(0.0, 0.03, k), rng.uniform(0.04, 0.16, k)),
            vali0=rng.uniform(0.45, 0.85, k), vali_trend=rng.uniform(0.0, 0.08, k),
            member_share=np.where(rng.random(k) < 0.25, rng.uniform(0.2, 0.5, k), rng.uniform(0.65, 0.98, k)),
            post_rate=np.where(rng.random(k) < 0.25, rng.uniform(0.05, 0.25, k), rng.uniform(0.3, 1.2, k)),
            staff_offset=np.zeros(k, np.int64), staff_count=staff,
        )
        # actor table: professionals first, then coordinators of each structure
        off = self.pros_count = len(self.pros.actor_id)
        coord_ids = []
        coord_prof = []
        internal = rng.choice(900_000, size=int(staff.sum()), replace=False) + 100_000
        p = 0
        for j in range(k):
            self.coord.staff_offset[j] = off + p
            for _ in range(staff[j]):
                coord_ids.append(f"C{internal[p]:06d}")
                coord_prof.append("Coordinateur de parcours" if typ[j] == "DAC" else "Chargé de mission CPTS")
                p += 1
        self.actor_ids = self.pros.actor_id + coord_ids
        self.actor_prof = [ref.PROFESSIONS[i][0] for i in self.pros.profession] + coord_prof
        protected = np.zeros(st.n, bool)
        protected[idx] = True
        self._coord_protected = protected

    # ---------------------------------------------------------------- coordination dossiers
    def _build_coord_dossiers(self, rng):
        co = self.coord
        s, e_ = self.start_day, self.end_day
        is_dac = np.array([t == "DAC" for t in co.type])
        months = self.months
        pre = 12
        n_m = len(months) + pre
        first_days = np.array([day_number(date(m.year, m.month, 1)) for m in months])
        y0, m0 = self.start.year, self.start.month
        pre_days = []
        for j in range(pre, 0, -1):
            yy, mm = y0, m0 - j
            while mm < 1:
                mm += 12
                yy -= 1
            pre_days.append(day_number(date(yy, mm, 1)))
        starts = np.concatenate([np.array(pre_days), first_days])
        ends = np.concatenate([starts[1:] - 1, [months[-1].last]])
        ends = np.minimum(ends, e_)
        month_of = np.array([((m0 - 1 - pre + j) % 12) for j in range(n_m)])
        four_years = 48
        n_dac = max(is_dac.sum(), 1)
        n_cp = max((~is_dac).sum(), 1)
        rate_dac = 0.85 * self.scale.coord_dossiers / n_dac / four_years
        rate_cpts = 0.15 * self.scale.coord_dossiers / (n_cp * 0.45) / (four_years * 0.7)
        base = np.where(is_dac, rate_dac, rate_cpts) * co.size
        lam = base[:, None] * SEASON[month_of][None, :] * (1 + 0.08 * self.years(starts))[None, :]
        active_from = np.where(co.dc_from == NO_DAY, NO_DAY, np.where(co.dc_from <= s, -(10 ** 7), co.dc_from))
        lam = np.where(starts[None, :] >= active_from[:, None], lam, 0.0)
        lam = np.where((ends[None, :] >= active_from[:, None]) & (starts[None, :] < active_from[:, None]),
                       lam * 0.5, lam)
        counts = rng.poisson(lam)
        cs, cm = np.nonzero(counts)
        reps = counts[cs, cm]
        d_struct = np.repeat(cs, reps)
        d_month = np.repeat(cm, reps)
        n = len(d_struct)
        opened = self.uniform_days(rng, starts[d_month], ends[d_month], n)
        opened = np.maximum(opened, np.where(co.dc_from[d_struct] > s, co.dc_from[d_struct], opened))
        opened = np.minimum(opened, e_)
        opened = mostly_weekdays(rng, opened, starts[d_month], ends[d_month], keep_weekend=0.05)
        order = np.argsort(opened, kind="stable")
        d_struct, opened = d_struct[order], opened[order]
        requested = opened - np.minimum(rng.geometric(0.15, n) - 1, 60)
        u = rng.random(n)
        dur = np.where(u < 0.15, rng.integers(3, 30, n),
                       np.where(u < 0.75, _exp_days(rng, 170, n) + 20, _exp_days(rng, 520, n) + 60))
        closed = opened + dur
        closed = np.where(closed > e_, NO_DAY, closed)
        person = 100_000_000 + rng.permutation(n)
        p_vali = np.clip(co.vali0[d_struct] + co.vali_trend[d_struct] * self.years(opened), 0.2, 0.97)
        u = rng.random(n)
        status0 = np.where(u < p_vali, 0, np.where(u < p_vali + (1 - p_vali) * 0.45, 1,
                                                   np.where(u < p_vali + (1 - p_vali) * 0.65, 2, 3)))
        later = (status0 != 0) & (rng.random(n) < 0.55)
        qualified = np.where(status0 == 0, opened, np.where(later, opened + _exp_days(rng, 45, n) + 3, NO_DAY))
        engagement = rng.gamma(0.5, 1 / 0.5, n)
        is_dac_d = is_dac[d_struct]
        ref_k = np.floor(rng.random(n) * co.staff_count[d_struct]).astype(np.int64)
        referent = np.where(is_dac_d | (rng.random(n) < 0.3), co.staff_offset[d_struct] + ref_k, -1)
        # primo-evaluation: within 30 days with P(eval30), some later, some never
        p30 = np.clip(co.eval30[d_struct] + co.eval30_trend[d_struct] * self.years(opened), 0.05, 0.98)
        p30 = np.where(is_dac_d, p30, p30 * 0.4)
        u = rng.random(n)
        early = np.minimum(np.floor(rng.exponential(9, n)), 30).astype(np.int64)
        late = rng.integers(31, 61, n)
        eval_day = np.where(u < p30, opened + early, np.where(u < p30 + (1 - p30) * 0.6, opened + late, NO_DAY))
        eval_day = np.where((eval_day != NO_DAY) & (closed != NO_DAY) & (eval_day > closed), NO_DAY, eval_day)
        eval_day = np.where(eval_day > e_, NO_DAY, eval_day)
        eval_secs = times_of_day(rng, n, "office")
        eval_type = rng.choice(5, size=n, p=[0.35, 0.1, 0.15, 0.3, 0.1])
        cd = CoordDossiers(d_struct, opened, requested, closed, person, status0, qualified, engagement,
                           referent, eval_day, eval_secs, eval_type)
        self.cdos = cd
        self._build_teams(rng)
        self._build_coord_docs(rng)

    def _build_teams(self, rng):
        cd, co = self.cdos, self.coord
        n = cd.n
        t2 = co.team2[cd.structure]
        size = np.where(rng.random(n) < t2, 2 + rng.binomial(4, 0.3, n), 1)
        t_d = np.repeat(np.arange(n), size)
        m = len(t_d)
        pos = np.arange(m) - np.repeat(np.cumsum(size) - size, size)
        # members: the referent coordinator first (when any), then professionals of the territory;
        # for CPTS dossiers most professionals are CPTS members (chosen in _build_cpts_members)
        n_pros = self.pros_count
        actor = rng.integers(0, n_pros, m)
        has_ref = cd.referent[t_d] >= 0
        actor = np.where((pos == 0) & has_ref, cd.referent[t_d], actor)
        added = np.where(pos == 0, cd.opened[t_d], cd.opened[t_d] + np.minimum(_exp_days(rng, 18, m), 200))
        added = np.where((cd.closed[t_d] != NO_DAY) & (added > cd.closed[t_d]), cd.closed[t_d], added)
        added = np.where(rng.random(m) < 0.02, -1, added)  # empty date_ajout: "since always"
        removed = np.where((pos > 0) & (rng.random(m) < 0.15), added + 20 + _exp_days(rng, 90, m), NO_DAY)
        removed = np.where((removed != NO_DAY) & (cd.closed[t_d] != NO_DAY) & (removed > cd.closed[t_d]), NO_DAY, removed)
        removed = np.where(removed > self.end_day, NO_DAY, removed)
        cd.team_dossier, cd.team_actor, cd.team_added, cd.team_removed = t_d, actor, added, removed
        cd.team_ptr = np.concatenate([[0], np.cumsum(size)])

    def _build_coord_docs(self, rng):
        """DMP synthesis documents of DAC dossiers (for EP-4.2): a thinned Poisson process per dossier."""
        cd, co = self.cdos, self.coord
        is_dac = np.array([t == "DAC" for t in co.type])[cd.structure]
        end_d = np.where(cd.closed == NO_DAY, self.end_day, cd.closed)
        dur = np.maximum(end_d - cd.opened, 1)
        lam = 0.9 * (dur / 365.0 + 0.5) * is_dac
        k = rng.poisson(lam)
        dd = np.repeat(np.arange(cd.n), k)
        m = len(dd)
        day = cd.opened[dd] + 5 + _exp_days(rng, 0.6 * np.maximum(dur[dd], 30), m) % np.maximum(dur[dd], 1)
        day = np.minimum(day, end_d[dd])
        p = np.clip(co.dmp0[cd.structure[dd]] + co.dmp_trend[cd.structure[dd]] * self.years(day), 0, 0.85)
        keep = (rng.random(m) < p) & (day >= self.start_day) & (day <= self.end_day)
        dd, day = dd[keep], day[keep]
        m = len(dd)
        day = mostly_weekdays(rng, day, cd.opened[dd], end_d[dd], keep_weekend=0.05)
        order = np.lexsort((dd, day))
        cd.doc_dossier, cd.doc_day = dd[order], day[order]
        cd.doc_secs = times_of_day(rng, m, "office")
        cd.doc_type = rng.choice(4, size=m, p=[0.5, 0.22, 0.18, 0.10])  # 18776-5, SYNTH, 34842-5, 60591-5
        cd.doc_status = rng.choice(3, size=m, p=[0.92, 0.05, 0.03])  # APPROVED, DEPRECATED, DELETED

    # ---------------------------------------------------------------- CPTS members
    def _build_cpts_members(self, rng):
        co, st, cd = self.coord, self.structures, self.cdos
        cpts = np.flatnonzero(np.array([t == "CPTS" for t in co.type]))
        rows_c, rows_a = [], []
        for j in cpts:
            dep = st.dep[co.structure[j]]
            pool = np.flatnonzero((self.pros.dep == dep) & (self.pros.rpps > 0))
            if len(pool) < 5:
                pool = np.flatnonzero(self.pros.rpps > 0)
            size = int(np.clip(rng.lognormal(np.log(90), 0.6), 12, 300))
            size = min(size, len(pool))
            rows_c.append(np.full(size, j))
            rows_a.append(rng.choice(pool, size=size, replace=False))
        c = np.concatenate(rows_c) if rows_c else np.zeros(0, np.int64)
        a = np.concatenate(rows_a) if rows_a else np.zeros(0, np.int64)
        m = len(c)
        found = np.maximum(st.dateouv[co.structure[c]], self.start_day - 900)
        founder = rng.random(m) < 0.35
        joined = np.where(founder, found, self.uniform_days(rng, found, self.end_day - 10, m))
        joined_empty = rng.random(m) < 0.03
        left = np.where(rng.random(m) < 0.1, joined + 60 + _exp_days(rng, 400, m), NO_DAY)
        left = np.where(left > self.end_day, NO_DAY, left)
        never = rng.random(m) < 0.3
        propensity = np.where(never, 0.0, rng.gamma(1.2, 0.6, m))
        self.members = CptsMembers(c, a, joined, joined_empty, left, propensity)
        # CPTS dossier teams: professionals mostly drawn among the CPTS members
        is_cpts_d = np.array([t == "CPTS" for t in co.type])[cd.structure]
        t_struct = cd.structure[cd.team_dossier]
        sel = is_cpts_d[cd.team_dossier] & (cd.team_actor < self.pros_count)
        if sel.any() and m:
            order = np.argsort(c, kind="stable")
            c_sorted = c[order]
            lo = np.searchsorted(c_sorted, t_struct[sel], "left")
            hi = np.searchsorted(c_sorted, t_struct[sel], "right")
            cnt = hi - lo
            pick = lo + np.floor(rng.random(sel.sum()) * np.maximum(cnt, 1)).astype(np.int64)
            use = (cnt > 0) & (rng.random(sel.sum()) < co.member_share[t_struct[sel]])
            new = np.where(use, a[order][np.minimum(pick, len(c_sorted) - 1)], cd.team_actor[sel])
            cd.team_actor[sel] = new

    # ---------------------------------------------------------------- ESMS
    def _build_esms(self, rng):
        st = self.structures
        s, e_ = self.start_day, self.end_day
        elig = np.flatnonzero(st.in_region & np.isin(st.cat, list(ref.ESMS_PROFILE)) & ~self._opening
                              & (st.dateouv != NO_DAY))
        n = min(self.scale.esms, len(elig))
        # prefer whole EJs (organismes gestionnaires) so that grappes group ESMS of the same EJ
        chosen = np.sort(rng.choice(elig, size=n, replace=False))
        ej = st.ej[chosen]
        dep = st.dep[chosen]
        order = np.lexsort((ej, dep))
        chosen, ej, dep = chosen[order], ej[order], dep[order]
        # grappes: consecutive ESMS of one département, cut at EJ boundaries near a target size
        target = max(3, round(n / max(1, n // 10)))
        grappe = np.zeros(n, dtype=np.int64)
        g, cur = 0, 0
        for i in range(n):
            boundary = i > 0 and (dep[i] != dep[i - 1] or (ej[i] != ej[i - 1] and cur >= target * rng.uniform(0.5, 1.5)))
            if boundary:
                g += 1
                cur = 0
            grappe[i] = g
            cur += 1
        n_g = g + 1
        waves = [day_number(w) for w in esms_waves(self.start)]
        waves = [w for w in waves if w <= e_ - 60] or [s - 200]
        ww = np.array([0.3, 0.15, 0.2, 0.15, 0.12, 0.08])[: len(waves)]
        funded = np.array(waves)[rng.choice(len(waves), size=n_g, p=ww / ww.sum())]
        funded[0] = waves[0]
        porteur_ej = [int(ej[np.flatnonzero(grappe == gi)[0]]) for gi in range(n_g)]
        galis_n = rng.choice(90_000_000, size=n_g, replace=False) + 10_000_000
        signat = [f"{ref.FIRST_NAMES[rng.integers(len(ref.FIRST_NAMES))]} {ref.LAST_NAMES[rng.integers(len(ref.LAST_NAMES))].upper()}"
                  for _ in range(n_g)]
        qual = [("Directeur général", "Directrice générale", "Président", "Présidente", "Directeur", "Directrice")[rng.integers(6)]
                for _ in range(n_g)]
        self.grappes = Grappes([ids.make_galis(int(x)) for x in galis_n], [self.ej_siret_siege[e] for e in porteur_ej],
                               funded, signat, qual)
        f = funded[grappe]
        already = f < s
        deploy = np.where(already & (rng.random(n) < 0.75), s - rng.integers(30, 700, n),
                          np.maximum(f, s) + rng.integers(60, 330, n))
        never = rng.random(n) < 0.05
        deploy = np.where(never, NO_DAY, deploy)
        deploy = np.where(deploy > e_ - 30, NO_DAY, deploy)
        deploy[0] = s - 400  # at least one ESMS exports from the start
        cat = st.cat[chosen]
        prof = np.array([ref.ESMS_PROFILE[c] for c in cat])
        cap = np.maximum(3, np.round(rng.uniform(prof[:, 0], prof[:, 1]) * self.scale.capacity_factor)).astype(np.int64)
        stay = prof[:, 2] * rng.lognormal(0, 0.2, n)
        low = rng.random(n) < 0.12
        used = np.where(low, rng.uniform(0.05, 0.4, n), rng.beta(8, 1.2, n))
        staff = np.maximum(3, cap // 3 + 2)
        self.esms = Esms(
            structure=chosen, grappe=grappe, deploy=deploy, capacity=cap, stay=stay, used=used,
            ramp=rng.integers(60, 400, n), business_rate=rng.uniform(4.0, 12.8, n),
            pp_share=np.where(rng.random(n) < 0.15, rng.uniform(0.1, 0.5, n), rng.uniform(0.88, 1.0, n)),
            pp_renew=np.where(rng.random(n) < 0.15, rng.uniform(0.3, 0.7, n), rng.uniform(0.85, 0.995, n)),
            pp_validate=np.where(rng.random(n) < 0.15, rng.uniform(0.5, 0.8, n), rng.uniform(0.9, 0.995, n)),
            pp_review=rng.uniform(0.6, 0.98, n),
            agenda_share=np.where(rng.random(n) < 0.2, rng.uniform(0.0, 0.4, n), rng.uniform(0.6, 0.98, n)),
            mss_rate=np.where(rng.random(n) < 0.2, rng.uniform(0.0, 0.04, n), rng.lognormal(np.log(0.11), 0.7, n)),
            dmp_rate=np.where(rng.random(n) < 0.25, rng.uniform(0.0, 0.05, n), rng.uniform(0.12, 0.45, n)),
            staff_offset=np.concatenate([[0], np.cumsum(staff)[:-1]]), staff_count=staff,
            atypique=rng.random(n) < 0.04, h24=np.isin(cat, list(ref.ESMS_24H)),
            medicalised=np.isin(cat, list(ref.ESMS_MEDICALISED)),
        )
        protected = self._coord_protected.copy()
        protected[chosen] = True
        self._close_some(rng, protected)

    # ---------------------------------------------------------------- DUI dossiers
    def _build_dui_dossiers(self, rng):
        es = self.esms
        sim_start = day_number(date(self.start.year - 3, 1, 1))
        e_ = self.end_day
        n_e = len(es.structure)
        # stationary stock at the simulation start, then Poisson admissions (M/M/inf: occupancy ~ capacity)
        stock = rng.poisson(es.capacity)
        arrivals = rng.poisson(es.capacity / es.stay * (e_ - sim_start + 1))
        e_stock = np.repeat(np.arange(n_e), stock)
        e_arr = np.repeat(np.arange(n_e), arrivals)
        stay_s = es.stay[e_stock]
        stay_a = es.stay[e_arr]
        adm_s = sim_start - np.floor(rng.exponential(stay_s)).astype(np.int64)
        adm_s = np.maximum(adm_s, day_number(date(1985, 1, 1)))
        exit_s = sim_start + np.floor(rng.exponential(stay_s)).astype(np.int64)
        adm_a = self.uniform_days(rng, sim_start, e_, len(e_arr))
        exit_a = adm_a + 1 + np.floor(rng.exponential(stay_a)).astype(np.int64)
        esms = np.concatenate([e_stock, e_arr])
        adm = np.concatenate([adm_s, adm_a])
        ex = np.concatenate([exit_s, exit_a])
        ex = np.where(ex > e_, NO_DAY, ex)
        order = np.lexsort((adm, esms))
        esms, adm, ex = esms[order], adm[order], ex[order]
        n = len(esms)
        # temporary exits (hospital stays) of present people
        tmp = (rng.random(n) < 0.08)
        end_d = np.where(ex == NO_DAY, e_, ex)
        tmp_out = np.where(tmp, self.uniform_days(rng, adm, np.maximum(adm, end_d - 1), n), NO_DAY)
        tmp_back = np.where(tmp, tmp_out + 3 + _exp_days(rng, 15, n), NO_DAY)
        tmp_back = np.where((tmp_back != NO_DAY) & (tmp_back >= end_d), NO_DAY, tmp_back)
        tmp_out = np.where(tmp_back == NO_DAY, NO_DAY, tmp_out)
        person = 200_000_000 + rng.permutation(n)
        has_ins = rng.random(n) < 0.88
        ins_from = np.where(adm >= self.start_day, adm + np.minimum(_exp_days(rng, 20, n), 120),
                            self.start_day + np.floor(rng.random(n) * 900).astype(np.int64))
        ins_from = np.where(has_ins, ins_from, NO_DAY)
        has_pp = rng.random(n) < es.pp_share[esms]
        self.dui = DuiDossiers(esms, adm, ex, tmp_out, tmp_back, person, ins_from, has_pp)
        self.dui_sim_start = sim_start

    def _build_projets(self, rng):
        """Projets personnalisés: a chain of yearly projects per dossier, from the DUI deployment on."""
        du, es = self.dui, self.esms
        e_ = self.end_day
        dep = es.deploy[du.esms]
        end_d = np.where(du.exited == NO_DAY, e_, du.exited)
        first = np.maximum(du.admitted, dep) + 10 + _exp_days(rng, 25, du.n)
        ok = du.has_pp & (dep != NO_DAY) & (first < end_d) & (first <= e_)
        d = np.flatnonzero(ok)
        span = end_d[d] - first[d]
        kmax = 1 + span // 365
        renew = es.pp_renew[du.esms[d]]
        k = np.minimum(kmax, 1 + rng.geometric(np.clip(1 - renew, 0.02, 1)) - 1)
        k = np.maximum(k, 1)
        pd = np.repeat(d, k)
        m = len(pd)
        j = np.arange(m) - np.repeat(np.cumsum(k) - k, k)
        last = j == np.repeat(k - 1, k)
        created = first[pd] + j * 365 + np.where(j > 0, -rng.integers(10, 40, m), 0)
        validated = np.where(rng.random(m) < es.pp_validate[du.esms[pd]], created + 3 + _exp_days(rng, 25, m), NO_DAY)
        validated = np.where(validated > e_, NO_DAY, validated)
        review = np.where(rng.random(m) < es.pp_review[du.esms[pd]], created + rng.integers(20, 200, m), NO_DAY)
        review = np.where(review > e_, NO_DAY, review)
        nxt_created = np.concatenate([created[1:], [NO_DAY]])
        nxt_validated = np.concatenate([validated[1:], [NO_DAY]])
        closed = np.where(~last, np.where(nxt_validated != NO_DAY, nxt_validated, nxt_created + 30),
                          np.where(du.exited[pd] != NO_DAY, du.exited[pd], NO_DAY))
        closed = np.where(closed > e_, NO_DAY, closed)
        closed = np.where((closed != NO_DAY) & (closed < created), created, closed)
        du.pp_dossier, du.pp_created, du.pp_validated, du.pp_review, du.pp_closed = pd, created, validated, review, closed
        du.pp_created_secs = times_of_day(rng, m, "office")
        du.pp_update_secs = times_of_day(rng, m, "office")
        du.pp_fin_empty = rng.random(m) < 0.08
