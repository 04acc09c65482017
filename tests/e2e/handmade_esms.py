"""A landing folder written by hand for the five ESMS Numérique indicators, where every numerator and
denominator is known.

Measure date D = 2024-03-31, period 2024-01-01 .. 2024-03-31, MSS/DMP window = the period (default 3 months).
The first dated row is on 2024-01-01 and the latest on 2024-05-06 (as-of), so 2024-Q1 is the only quarter
computed and its results are final. Besides dui/, mss/ and dmp/, only a minimal E-parcours scaffolding.

ESMS (FINESS géographique):
  E1  EHPAD, in force at D (grappe 20240001); 3 years of file active: (45 + 46 + 51) / 3 = 47.33 → 47
  E2  SSIAD, in force at D (grappe 20240001); atypique → only 2023: 30 + 3 = 33
  E3  IME, in force at D (grappe 20240002); 2022 and 2023 only: (21 + 24) / 2 = 22.5 → 23 (half up), flagged
  E4  FAM, only in the esms_projets snapshot after D: no row, although it has DUI activity, messages, documents
Each dossier, message and document below carries the case it tests. EXPECTED: (indicator, FINESS) ->
(numerator, denominator, status); EXPECTED_FIGURES: FINESS -> the esms_cnsa_figures row.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from .handmade import cols, ins, luhn_finess, write

D = "2024-03-31"
AS_OF = "2024-05-06"

E1, E2, E3, E4 = (luhn_finess(f"0100060{n}") for n in range(1, 5))
GALIS_1, SIRET_1 = "20240001", "11122233300014"
GALIS_2, SIRET_2 = "20240002", "44455566600017"
P = {k: ins(f"2{k:02d}0401003003") for k in range(1, 10)}  # patients' INS (DMP)
P_BAD_KEY = ins("2990401003003", valid=False)


def write_by_month(folder: Path, table: str, rows, at: int, later: dict | None = None):
    """One monthly file per month of the date written in column ``at``; ``later`` moves a row (by its id, column
    0 or 2) to a later month's file: a file may carry earlier events, never events after its month."""
    later = later or {}
    files: dict[str, list] = {}
    for r in rows:
        month = later.get(r[0], later.get(r[2] if len(r) > 2 else None, r[at][:7]))
        assert month >= r[at][:7], "a monthly file never carries an event after its month"
        files.setdefault(month, []).append(r)
    for month, rs in sorted(files.items()):
        write(folder / f"{table}_{month}.csv", cols(table), rs)


def build_landing(root: Path) -> Path:
    dui, mss, dmp = root / "dui", root / "mss", root / "dmp"

    # ------------------------------------------------------------ funded projects (E4 only after D)
    def projet(galis, siret, finess, rs):
        return [galis, siret, finess, rs, "Mme Durand", "Directrice générale"]

    p1 = projet(GALIS_1, SIRET_1, E1, "EHPAD Les Tilleuls")
    p2 = projet(GALIS_1, SIRET_1, E2, "SSIAD du Revermont")
    p3 = projet(GALIS_2, SIRET_2, E3, "IME Les Sources")
    p4 = projet(GALIS_2, SIRET_2, E4, "FAM Le Colombier")
    write(dui / "esms_projets_20231001.csv", cols("esms_projets"), [p1, p2])       # older: replaced
    write(dui / "esms_projets_20240201.csv", cols("esms_projets"), [p1, p2, p3])   # in force at D
    write(dui / "esms_projets_20240415.csv", cols("esms_projets"), [p1, p2, p3, p4])  # after D

    # ------------------------------------------------------------ file active (ARS reference file)
    write(dui / "esms_file_active_20230115.csv", cols("esms_file_active"), [   # older: replaced
        [E1, 2021, 400, 0, "N"], [E1, 2022, 400, 0, "N"],
    ])
    write(dui / "esms_file_active_20240115.csv", cols("esms_file_active"), [   # in force at D
        [E1, 2020, 999, 0, "N"],                                       # Y-4: not used
        [E1, 2021, 40, 5, "N"], [E1, 2022, 42, 4, "N"], [E1, 2023, 45, 6, "N"],
        [E2, 2021, 10, 0, "O"], [E2, 2022, 15, 1, "O"], [E2, 2023, 30, 3, "O"],   # atypique: 2023 only
        [E3, 2022, 20, 1, "N"], [E3, 2023, 23, 1, "N"],                         # 2021 missing
        [E4, 2023, 12, 0, "N"],
    ])
    write(dui / "esms_file_active_20240420.csv", cols("esms_file_active"), [   # after D
        [E1, 2023, 100, 0, "N"],
    ])

    # ------------------------------------------------------------ dossiers (monthly snapshots)
    def dossier(finess, did, n, admitted="2020-01-01", sortie=None, motif=None):
        return [finess, did, f"USG{n:05d}", ins(f"1{n:02d}0501004004"), admitted, sortie, motif]

    march = [dossier(E1, f"A0{i}", i) for i in range(1, 10) if i != 5] + [
        dossier(E1, "A05", 5, sortie="2024-03-20", motif="DEFINITIVE"),   # left after its update: still actif
        dossier(E2, "B01", 21), dossier(E2, "B02", 22), dossier(E2, "B03", 23),
        dossier(E3, "C01", 31),
        dossier(E4, "D01", 41),
    ]
    write(dui / "dui_dossiers_2024-02.csv", cols("dui_dossiers"), march[:3])
    write(dui / "dui_dossiers_2024-03.csv", cols("dui_dossiers"), march)
    write(dui / "dui_dossiers_2024-04.csv", cols("dui_dossiers"), [d for d in march if d[1] != "A05"])

    # ------------------------------------------------------------ DUI events (updates decide "actif")
    def ev(finess, did, eid, at, etype, actor_type="UTILISATEUR", actor="AGT000001"):
        return [finess, did, eid, at, etype, actor_type, actor]

    jan = [
        ev(E1, "A01", "EV01", "2024-01-15T10:00:00+01:00", "SOIN"),
        ev(E1, "A02", "EV02", "2024-01-16T10:00:00+01:00", "PRESCRIPTION", "SYSTEME_EXTERNE", "PUI-PHARMACIE"),
        ev(E1, "A02", "EV03", "2024-01-17T10:00:00+01:00", "INTEGRATION_EXTERNE", "SYSTEME_EXTERNE", "HL7-ADT"),
        ev(E1, "A03", "EV04", "2024-01-18T10:00:00+01:00", "CORRECTION_IDENTITE"),        # identity only
        ev(E1, "A04", "EV05", "2024-01-19T10:00:00+01:00", "CONSULTATION"),               # read only
        ev(E1, "A07", "EV06", "2024-01-01T00:30:00+01:00", "ACCOMPAGNEMENT"),             # UTC: 2023-12-31
    ]
    feb = [
        ev(E1, "A05", "EV07", "2024-03-10T10:00:00+01:00", "TRANSMISSION"),   # a March event in the April file
        ev(E1, "A06", "EV08", "2024-02-20T10:00:00+01:00", "EVALUATION"),
        ev(E1, "A08", "EV09", "2024-02-02T10:00:00+01:00", "AGENDA"),
        ev(E2, "B01", "EV10", "2024-02-01T10:00:00+01:00", "SOIN"),
        ev(E2, "B03", "EV11", "2024-02-03T10:00:00+01:00", "RECEPTION_MSS", "SYSTEME_EXTERNE", "PASSERELLE-MSSANTE"),
        ev(E2, "B03", "EV12", "2024-02-04T10:00:00+01:00", "TECHNIQUE"),
        ev(E2, "B03", "EV13", "2024-02-05T10:00:00+01:00", "ADMINISTRATIF"),
        ev(E3, "C01", "EV14", "2024-02-10T10:00:00+01:00", "SOIN"),
    ]
    mar = [
        ev(E1, "A09", "EV15", "2024-03-05T10:00:00+01:00", "PRESCRIPTION", actor="10000000007"),  # liberal doctor
        ev(E2, "B02", "EV16", "2024-03-01T10:00:00+01:00", "ACCOMPAGNEMENT"),
        ev(E4, "D01", "EV17", "2024-03-01T10:00:00+01:00", "SOIN"),             # E4 not in force at D
    ]
    apr = [
        ev(E1, "A07", "EV18", "2024-04-01T00:30:00+02:00", "DOCUMENT"),         # UTC 2024-03-31: next quarter
        ev(E1, "A03", "EV19", "2024-04-10T10:00:00+02:00", "SOIN"),             # after the period
    ]
    may = [ev(E1, "A01", "EV20", f"{AS_OF}T09:00:00+02:00", "SOIN")]          # the as-of date
    write_by_month(dui, "dui_evenements", jan + feb + mar + apr + may, at=3, later={"EV07": "2024-04"})

    # ------------------------------------------------------------ projets personnalisés (monthly snapshots)
    def pp(finess, did, pid, created, updated, fin, statut, debut=None):
        return [finess, did, pid, created, updated, debut, fin, statut]

    pp_march = [
        pp(E1, "A01", "PP01", "2023-06-01T10:00:00+02:00", "2024-01-15T10:00:00+01:00", "2024-12-31", "MISE_EN_OEUVRE"),
        pp(E1, "A02", "PP02", "2023-06-01T10:00:00+02:00", "2024-01-15T10:00:00+01:00", "", "MISE_EN_OEUVRE"),  # not actif
        pp(E1, "A05", "PP05", "2024-02-01T10:00:00+01:00", "2024-02-15T10:00:00+01:00", "", "PREPARATION"),
        # updated only at creation (created automatically at admission)
        pp(E1, "A06", "PP06", "2024-01-05T09:00:00+01:00", "2024-01-05T09:00:00+01:00", "2025-01-05", "MISE_EN_OEUVRE"),
        pp(E1, "A07", "PP07", "2022-09-01T10:00:00+02:00", "2023-10-01T10:00:00+02:00", "", "MISE_EN_OEUVRE"),  # no end date
        pp(E1, "A08", "PP08", "2023-01-01T10:00:00+01:00", "2023-06-01T10:00:00+02:00", D, "MISE_EN_OEUVRE"),   # ends on D
        pp(E1, "A08", "PP18", "2022-01-01T10:00:00+01:00", "2023-01-02T10:00:00+01:00", "", "CLOS"),
        pp(E1, "A09", "PP09", "2024-03-31T08:00:00+02:00", "2024-03-31T09:00:00+02:00", "", "PREPARATION"),    # created on D
        pp(E2, "B01", "PP21", "2023-03-01T10:00:00+01:00", "2024-02-01T10:00:00+01:00", "2024-09-30", "MISE_EN_OEUVRE"),
        pp(E3, "C01", "PP31", "2023-03-01T10:00:00+01:00", "", "", "MISE_EN_OEUVRE"),                         # never updated
        pp(E4, "D01", "PP41", "2023-03-01T10:00:00+01:00", "2024-02-01T10:00:00+01:00", "", "MISE_EN_OEUVRE"),
    ]
    write(dui / "dui_projets_2024-02.csv", cols("dui_projets"), [     # older snapshot: A06 looked valid then
        pp(E1, "A06", "PP06", "2024-01-05T09:00:00+01:00", "2024-02-10T09:00:00+01:00", "2025-01-05", "MISE_EN_OEUVRE"),
    ])
    write(dui / "dui_projets_2024-03.csv", cols("dui_projets"), pp_march)

    # ------------------------------------------------------------ agenda
    def ag(finess, did, aid, start, minutes, nature):
        return [finess, did, aid, start, minutes, nature]

    write_by_month(dui, "dui_agenda", [
        ag(E1, "A01", "AG01", "2024-02-05T09:00:00+01:00", 60, "ACTIVITE"),
        ag(E1, "A02", "AG02", "2024-02-05T10:00:00+01:00", 60, "ACTIVITE"),            # A02 not actif
        ag(E1, "A05", "AG05", "2024-03-11T09:00:00+01:00", 30, "TRANSMISSION"),        # transmission only
        ag(E1, "A06", "AG06", "2024-02-21T09:00:00+01:00", "", "ACTIVITE"),            # no duration
        ag(E2, "B01", "AG21", "2024-02-06T09:00:00+01:00", 30, "ACTIVITE"),
        ag(E2, "B02", "AG22", "2024-03-02T09:00:00+01:00", 20, "TRANSMISSION"),
        ag(E1, "A07", "AG07", "2024-03-31T22:00:00+02:00", 15, "ADMINISTRATION"),      # last local day
        ag(E1, "A08", "AG08", "2024-04-05T09:00:00+02:00", 45, "ACTIVITE_COLLECTIVE"),  # after the period
    ], at=3, later={"AG01": "2024-03"})                                               # a February entry, March file

    # ------------------------------------------------------------ MSSanté operator log
    def msg(mid, at, finess, status="DELIVERED", bal_type="ORG", classes="PRO"):
        return [mid, at, f"secretariat.{finess or 'liberal'}@mssante.fr", bal_type, finess, 1, classes, "O", "",
                2048, 0, status]

    write_by_month(mss, "mss_messages", [
        msg("MS01", "2024-01-10T10:00:00+01:00", E1),
        msg("MS02", "2024-01-11T10:00:00+01:00", "", bal_type="PER"),               # liberal box, no FINESS
        msg("MS03", "2024-02-10T10:00:00+01:00", E1, "BOUNCED"),                   # sent, not delivered: counts
        msg("MS04", "2024-02-11T10:00:00+01:00", E1, "FAILED"),                    # refused before sending
        msg("MS05", "2024-03-01T10:00:00+01:00", E1, classes="PATIENT"),           # Mon espace santé
        msg("MS06", "2024-02-12T10:00:00+01:00", E2),
        msg("MS07", "2024-02-13T10:00:00+01:00", E2, "FAILED"),
        msg("MS08", "2024-02-14T10:00:00+01:00", E3),
        msg("MS09", "2024-02-15T10:00:00+01:00", E3, bal_type="APP"),
        msg("MS10", "2024-02-16T10:00:00+01:00", E4),                              # E4 not in force
        msg("MS11", "2024-03-31T23:00:00+02:00", E1),                              # UTC 21:00, last day
        msg("MS12", "2024-04-02T10:00:00+02:00", E1),                              # after the window
    ], at=1)

    # ------------------------------------------------------------ DMP feed
    def doc(did, at, patient, finess, status="APPROVED", type_code="80788-3"):
        return [did, at, patient, "1.2.250.1.213.1.4.8", type_code, "urn:asip:ci-sis:export-dui:2023", "",
                finess, "", "DUI", status]

    write_by_month(dmp, "dmp_documents", [
        doc("DOC01", "2024-01-20T10:00:00+01:00", P[1], E1),
        doc("DOC02", "2024-02-20T10:00:00+01:00", P[1], E1, type_code="34842-5"),   # same DMP again
        doc("DOC03", "2024-02-21T10:00:00+01:00", P[2], E1, "DELETED"),
        doc("DOC04", "2024-03-03T10:00:00+01:00", P[3], E1, "DEPRECATED"),          # replaced by a newer version
        doc("DOC05", "2024-03-04T10:00:00+01:00", P[4], E1),                        # not a DUI actif: counts
        doc("DOC06", "2024-04-03T10:00:00+02:00", P[5], E1),                        # after the window
        doc("DOC07", "2024-03-05T10:00:00+01:00", P[6], E4),                        # E4 not in force
        doc("DOC08", "2024-03-15T10:00:00+01:00", P_BAD_KEY, E1),                   # wrong INS key: kept, counts
        doc("DOC09", "2024-02-22T10:00:00+01:00", P[7], E3),
    ], at=1)

    # ------------------------------------------------------------ E-parcours scaffolding
    # The pipeline checks that every E-parcours indicator of the catalogue is published each quarter: one DAC
    # and one CPTS using both services (without dossiers or members) and the FINESS stock with E1 give each of
    # them a row. Those rows are not checked here.
    write(root / "coordination/coord_structures_20240101.csv", cols("coord_structures"),
          [["S_DAC", luhn_finess("01000699"), "DAC", "DAC sans dossier", "N", "N"],
           ["S_CPTS", luhn_finess("01000697"), "CPTS", "CPTS sans membre", "O", "O"]])
    f = [""] * 32
    f[0], f[1], f[2], f[3], f[13], f[18], f[28] = ("structureet", E1, luhn_finess("01000698"), "EHPAD Les Tilleuls",
                                                   "01", "500", "2000-01-01")
    (root / "finess").mkdir(parents=True, exist_ok=True)
    geoloc = f"geolocalisation;{E1};870000.0;6570000.0;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2023-12-01"
    (root / "finess/etalab-cs1100507-stock-20240101-0330.csv").write_text(
        "finess;etalab;1;2024-01-01\n" + geoloc + "\n" + ";".join(f) + "\n", encoding="utf-8")
    return root


def _expected():
    e = {}

    def put(indicator, finess, num, den):
        e[(indicator, finess)] = (num, den, "final" if den else "no_data")

    # E1: actifs A01 A05 A06 A07 A08 A09; PP A01 A05 A07; agenda A01 A07; MSS MS01 MS03 MS05 MS11;
    #     DMP P1 P3 P4 P_BAD_KEY
    put("ESMS-DUI-ACTIFS", E1, 6, 47)
    put("ESMS-DUI-PP", E1, 3, 6)
    put("ESMS-DUI-AGENDA", E1, 2, 6)
    put("ESMS-MSS", E1, 4, 3)
    put("ESMS-DMP", E1, 4, 3)
    # E2: actifs B01 B02; PP B01; agenda B01; MSS MS06; no DMP
    put("ESMS-DUI-ACTIFS", E2, 2, 33)
    put("ESMS-DUI-PP", E2, 1, 2)
    put("ESMS-DUI-AGENDA", E2, 1, 2)
    put("ESMS-MSS", E2, 1, 1)
    put("ESMS-DMP", E2, 0, 1)
    # E3: actif C01 without valid PP nor agenda; MSS MS08 MS09 and DMP P7 published over 0 (no_data)
    put("ESMS-DUI-ACTIFS", E3, 1, 23)
    put("ESMS-DUI-PP", E3, 0, 1)
    put("ESMS-DUI-AGENDA", E3, 0, 1)
    put("ESMS-MSS", E3, 2, 0)
    put("ESMS-DMP", E3, 1, 0)
    return e


EXPECTED = _expected()

Q1 = (date(2024, 1, 1), date(2024, 3, 31))
_COMMON = {"periode_debut": Q1[0], "periode_fin": Q1[1], "window_months": 3,
           "signataire_nom": "Mme Durand", "signataire_qualite": "Directrice générale"}
EXPECTED_FIGURES = {
    E1: {**_COMMON, "galis_ref": GALIS_1, "siret_porteur": SIRET_1, "raison_sociale": "EHPAD Les Tilleuls",
         "nb_dmp_alimentes": 4, "nb_messages_mss": 4, "nb_dui_actifs": 6, "nb_personnes_accompagnees": 47,
         "nb_dui_avec_pp": 3, "nb_dui_avec_agenda": 2, "file_active_incomplete": False},
    E2: {**_COMMON, "galis_ref": GALIS_1, "siret_porteur": SIRET_1, "raison_sociale": "SSIAD du Revermont",
         "nb_dmp_alimentes": 0, "nb_messages_mss": 1, "nb_dui_actifs": 2, "nb_personnes_accompagnees": 33,
         "nb_dui_avec_pp": 1, "nb_dui_avec_agenda": 1, "file_active_incomplete": False},
    E3: {**_COMMON, "galis_ref": GALIS_2, "siret_porteur": SIRET_2, "raison_sociale": "IME Les Sources",
         "nb_dmp_alimentes": 1, "nb_messages_mss": 2, "nb_dui_actifs": 1, "nb_personnes_accompagnees": 23,
         "nb_dui_avec_pp": 0, "nb_dui_avec_agenda": 0, "file_active_incomplete": True},
}
