"""A landing folder written by hand, where every E-parcours numerator and denominator is known.

Measure date D = 2024-03-31, period 2024-01-01 .. 2024-03-31. The latest event is on 2024-05-15, so the
last complete quarter is 2024-Q1 and EP-6.2 (which needs period end + 30 days) is final. Each dossier,
member and structure below carries the boundary case it tests; EXPECTED holds the hand-computed result
(indicator, scope_type, scope key, subgroup) -> (numerator, denominator, status).
"""
from __future__ import annotations

from pathlib import Path

from dagster_project.ingestion.specs import ANNUAIRE_MSSANTE_COLUMNS, spec

D = "2024-03-31"
REGION = "84"


def luhn_finess(first8: str) -> str:
    digits = [int(c) for c in first8.replace("A", "0").replace("B", "0")]
    total = 0
    for i, d in enumerate(digits):  # positions 1..8; the check digit is position 9 (not doubled)
        if i % 2 == 1:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return first8 + str((10 - total % 10) % 10)


def ins(first13: str, valid: bool = True) -> str:
    n = int(first13.replace("2A", "19").replace("2B", "18"))
    key = 97 - n % 97
    if not valid:
        key = key % 97 + 1
    return f"{first13}{key:02d}"


F_DAC1, F_DAC2, F_DAC3 = luhn_finess("01000101"), luhn_finess("01000102"), luhn_finess("01000103")
F_CPTS1, F_CPTS2 = luhn_finess("01000201"), luhn_finess("01000202")
EG = {n: luhn_finess(f"0100030{n}") if n < 10 else luhn_finess(f"010003{n}") for n in range(1, 14)}
EG[10] = luhn_finess("75000310")  # another region

INS = {k: ins(f"1{k:02d}0101001001") for k in range(1, 20)}
INS_BAD_KEY = ins("1990101001001", valid=False)


def write(path: Path, header, rows, delimiter=";"):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [delimiter.join(header)] + [delimiter.join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cols(table):
    return spec(table).column_names


def build_landing(root: Path) -> Path:
    co = root / "coordination"
    # ---------------------------------------------------------------- structures (DAC3 only after D)
    s_rows = [
        ["S_DAC1", F_DAC1, "DAC", "DAC Ain Nord", "N", "O"],
        ["S_DAC2", F_DAC2, "DAC", "DAC Ain Sud (no dossier yet)", "N", "O"],
        ["S_CPTS1", F_CPTS1, "CPTS", "CPTS Bresse", "O", "O"],
        ["S_CPTS2", F_CPTS2, "CPTS", "CPTS Bugey (services not in use)", "N", "N"],
    ]
    write(co / "coord_structures_20240101.csv", cols("coord_structures"), s_rows)
    write(co / "coord_structures_20240415.csv", cols("coord_structures"),
          s_rows + [["S_DAC3", F_DAC3, "DAC", "DAC created after D", "N", "O"]])

    # ---------------------------------------------------------------- dossiers
    def dossier(did, sid, ins_value, statut, opened, closed=None):
        return [did, sid, f"U_{did}", ins_value, statut, opened, opened, closed]

    march = [
        dossier("D1", "S_DAC1", INS[1], "VALI", "2023-06-01"),
        dossier("D2", "S_DAC1", INS[2], "VALI", "2023-09-01", "2024-03-31"),   # closed on D: not open
        dossier("D3", "S_DAC1", INS_BAD_KEY, "VALI", "2024-03-31"),           # opened on D: open; wrong INS key
        dossier("D4", "S_DAC1", INS[4], "PROV", "2024-02-01"),
        dossier("D5", "S_DAC1", INS[5], "VALI", "2024-01-15", "2024-02-20"),  # opened in period, closed by D
        dossier("D6", "S_DAC1", INS[6], "VALI", "2024-01-01"),
        dossier("D7", "S_DAC1", INS[7], "PROV", "2024-01-10"),
        dossier("C1", "S_CPTS1", INS[11], "VALI", "2023-05-01"),
        dossier("C2", "S_CPTS1", INS[12], "VALI", "2023-05-01"),
        dossier("C3", "S_CPTS1", INS[13], "RECUP", "2023-05-01"),
        dossier("C4", "S_CPTS1", INS[14], "VALI", "2023-05-01"),
        dossier("C5", "S_CPTS2", INS[15], "VALI", "2023-05-01"),
    ]
    write(co / "coord_dossiers_2024-02.csv", cols("coord_dossiers"),   # older snapshot: not in force at D
          [dossier("D_OLD", "S_DAC1", INS[9], "VALI", "2023-01-01")] + march[:1])
    # a request not opened yet at D (date_demande only, allowed by the contract): not open at D, not opened in
    # the period, in no numerator or denominator of 2024-Q1; it opens in April (the April snapshot)
    request = ["D8", "S_DAC1", "U_D8", INS[8], "VALI", "2024-03-20", "", ""]
    write(co / "coord_dossiers_2024-03.csv", cols("coord_dossiers"), march + [request])
    write(co / "coord_dossiers_2024-04.csv", cols("coord_dossiers"),   # after D: not in force
          march + [dossier("D_NEW", "S_DAC1", INS[10], "VALI", "2024-04-02"),
                   request[:6] + ["2024-04-05", ""]])

    # ---------------------------------------------------------------- events (local date of the text decides)
    ev = [
        ["E01", "D1", "2024-02-10T09:00:00+01:00", "MISE_A_JOUR", "", "P1"],
        ["E02", "D1", "2024-03-05T09:00:00+01:00", "NOTIFICATION", "", "P1"],
        ["E03", "D3", "2024-03-31T18:00:00+02:00", "CONSULTATION", "", "P1"],   # read only: not activity
        ["E04", "D3", "2024-04-30T10:00:00+02:00", "EVALUATION", "OEMD", "P1"],  # opening + 30 days: in time
        ["E05", "D4", "2024-03-03T10:00:00+01:00", "EVALUATION", "FAM", "P1"],   # opening + 31 days: too late
        ["E06", "D4", "2024-02-15T10:00:00+01:00", "CONSULTATION", "", "P1"],
        ["E07", "D5", "2024-01-20T10:00:00+01:00", "EVALUATION", "RECUPEREE", "P1"],
        ["E08", "D6", "2024-01-01T00:30:00+01:00", "MISE_A_JOUR", "", "P1"],     # UTC date 2023-12-31
        ["E09", "D6", "2024-04-01T00:30:00+02:00", "NOTIFICATION", "", "P1"],    # UTC date 2024-03-31
        ["E10", "D7", "2024-01-10T08:00:00+01:00", "EVALUATION", "INTERRAI_HC", "P2"],  # same day as opening
        ["E11", "D7", "2024-01-31T08:00:00+01:00", "ALERTE", "", "P2"],
        ["E12", "D2", "2024-03-10T08:00:00+01:00", "NOTIFICATION", "", "P2"],   # closed on D: excluded
        ["E19", "D8", "2024-03-25T08:00:00+01:00", "MISE_A_JOUR", "", "P1"],    # request stage: not open, no count
        ["E13", "C1", "2024-02-10T10:00:00+01:00", "MISE_A_JOUR", "", "R1"],   # member
        ["E14", "C2", "2024-03-01T10:00:00+01:00", "MISE_A_JOUR", "", "R2"],   # joined after the event
        ["E15", "C2", "2024-03-02T10:00:00+01:00", "CONSULTATION", "", "R1"],  # member, but read only
        ["E16", "C3", "2024-02-01T10:00:00+01:00", "DOCUMENT", "", "R3"],      # membership ended that day
        ["E17", "C4", "2024-03-20T10:00:00+01:00", "PPS", "", "R1"],
        ["E18", "C4", "2024-05-15T10:00:00+02:00", "MISE_A_JOUR", "", "R1"],   # the as-of date
    ]
    # an event belongs to the period of the date written in it, whatever month file carries it: the January
    # file carries March events; April and May events come in their own files (never before their date)
    later = [e for e in ev if e[2][:7] in ("2024-04", "2024-05")]
    earlier = [e for e in ev if e not in later]
    write(co / "coord_evenements_2024-01.csv", cols("coord_evenements"), [e for e in earlier if e[0] <= "E09"])
    write(co / "coord_evenements_2024-03.csv", cols("coord_evenements"), [e for e in earlier if e[0] > "E09"])
    write(co / "coord_evenements_2024-04.csv", cols("coord_evenements"), [e for e in later if e[2][:7] == "2024-04"])
    write(co / "coord_evenements_2024-05.csv", cols("coord_evenements"), [e for e in later if e[2][:7] == "2024-05"])

    # ---------------------------------------------------------------- teams (snapshot of D's month)
    eq = [
        ["D1", "P1", "Médecin", "2023-06-01", ""], ["D1", "P2", "Infirmier", "2023-06-02", ""],
        ["D3", "P1", "Médecin", "2024-03-31", ""],                       # added on D: there
        ["D4", "P1", "Médecin", "2024-01-01", ""], ["D4", "P2", "Infirmier", "2024-02-01", "2024-03-31"],  # removed on D
        ["D4", "P3", "Kiné", "2024-04-01", ""],                          # added after D
        ["D7", "P1", "Médecin", "", ""], ["D7", "P2", "Infirmier", "2024-01-10", ""],
        ["D7", "P2", "Infirmier", "2024-01-10", ""],                     # same professional twice
        ["D2", "P1", "Médecin", "", ""], ["D2", "P2", "Infirmier", "", ""],
    ]
    write(co / "coord_equipe_2024-03.csv", cols("coord_equipe"), eq)

    # ---------------------------------------------------------------- messages
    msg = [
        ["M01", "S_DAC1", "D1", "P1", "2024-01-05T10:00:00+01:00"], ["M02", "S_DAC1", "D1", "P2", "2024-01-06T10:00:00+01:00"],
        ["M03", "S_DAC1", "D1", "P2", "2024-04-02T10:00:00+02:00"],      # after the period
        ["M04", "S_DAC1", "D4", "A1", "2024-02-05T10:00:00+01:00"], ["M05", "S_DAC1", "D4", "A1", "2024-02-06T10:00:00+01:00"],
        ["M06", "S_DAC1", "D6", "P1", "2024-02-05T10:00:00+01:00"],
        ["M07", "S_DAC1", "D7", "P1", "2024-02-05T10:00:00+01:00"], ["M08", "S_DAC1", "D7", "P2", "2024-02-06T10:00:00+01:00"],
        ["M09", "S_DAC1", "D7", "P2", "2024-02-07T10:00:00+01:00"],
        ["M10", "S_DAC1", "D2", "P1", "2024-02-07T10:00:00+01:00"], ["M11", "S_DAC1", "D2", "P2", "2024-02-08T10:00:00+01:00"],
        ["M12", "S_DAC1", "", "P1", "2024-02-08T10:00:00+01:00"],       # thematic conversation, no dossier
        ["N01", "S_CPTS1", "", "R1", "2024-02-01T10:00:00+01:00"], ["N02", "S_CPTS1", "", "R1", "2024-02-02T10:00:00+01:00"],
        ["N03", "S_CPTS1", "", "R2", "2024-03-01T10:00:00+01:00"],       # posted before his adhesion: counts
        ["N04", "S_CPTS1", "", "R4", "2024-03-01T10:00:00+01:00"],       # not a member at D
        ["N05", "S_CPTS1", "C1", "R5", "2024-03-01T10:00:00+01:00"],     # a dossier message, not the network
    ]
    write(co / "coord_messages_2024-02.csv", cols("coord_messages"), [m for m in msg if m[4][:7] != "2024-04"])
    write(co / "coord_messages_2024-04.csv", cols("coord_messages"), [m for m in msg if m[4][:7] == "2024-04"])

    # ---------------------------------------------------------------- CPTS members
    members = [
        ["S_CPTS1", "R1", "Médecin", "2023-01-01", ""], ["S_CPTS1", "R2", "Infirmier", "2024-03-15", ""],
        ["S_CPTS1", "R3", "Kiné", "2022-01-01", "2024-02-01"], ["S_CPTS1", "R4", "Pharmacien", "2023-06-01", "2024-03-31"],
        ["S_CPTS1", "R5", "Médecin", "2024-03-31", ""], ["S_CPTS1", "R6", "Médecin", "2024-04-10", ""],
        ["S_CPTS2", "R9", "Médecin", "2020-01-01", ""],
    ]
    write(co / "cpts_membres_20240101.csv", cols("cpts_membres"), members)

    # ---------------------------------------------------------------- DMP
    dmp_cols = cols("dmp_documents")

    def doc(did, patient, type_code, author, when, status="APPROVED"):
        return [did, when, patient, "1.2.250.1.213.1.4.8", type_code, "urn:asip:ci-sis:pps-paerpa:2017", "",
                author, "", "COORDINATION", status]

    docs = [
        doc("G1", INS[1], "SYNTH", F_DAC1, "2024-02-01T10:00:00+01:00"),                 # D1: counts
        doc("G2", INS_BAD_KEY, "SYNTH", F_DAC1, "2024-03-31T10:00:00+02:00"),            # D3: invalid INS
        doc("G3", INS[4], "18776-5", F_DAC1, "2024-03-01T10:00:00+01:00", "DELETED"),    # D4: deleted
        doc("G4", INS[4], "60591-5", F_DAC1, "2024-03-01T10:00:00+01:00"),               # D4: not a synthesis code
        doc("G5", INS[6], "SYNTH", F_CPTS1, "2024-01-10T10:00:00+01:00"),                # D6: another author
        doc("G6", INS[7], "SYNTH", F_DAC1, "2024-01-09T10:00:00+01:00"),                 # D7: before opening
        doc("G7", INS[6], "34842-5", F_DAC1, "2024-04-01T10:00:00+02:00"),               # D6: after D
    ]
    write(root / "dmp/dmp_documents_2024-03.csv", dmp_cols, [d for d in docs if d[1][:7] != "2024-04"])
    write(root / "dmp/dmp_documents_2024-04.csv", dmp_cols, [d for d in docs if d[1][:7] == "2024-04"])

    # ---------------------------------------------------------------- MSSanté directory (EP-5.2)
    ann = [["ORG", "secretariat@ch.mssante.fr"] + [""] * 29]
    write(root / "mss/annuaire_mssante_20230901.csv", ANNUAIRE_MSSANTE_COLUMNS, ann, delimiter="|")
    write(root / "mss/annuaire_mssante_20240415.csv", ANNUAIRE_MSSANTE_COLUMNS, ann, delimiter="|")

    # ---------------------------------------------------------------- FINESS universe and ROR (EP-3.2)
    def et(n, categetab, dep="01", dateouv="2000-01-01"):
        f = [""] * 32
        f[0], f[1], f[2], f[3], f[13], f[18], f[28] = "structureet", EG[n], luhn_finess("01009999"), f"EG {n}", \
            dep, categetab, dateouv
        return ";".join(f)

    geoloc = [f"geolocalisation;{EG[n]};870000.0;6570000.0;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2023-12-01"
              for n in range(1, 14)]
    lines = ["finess;etalab;13;2024-01-01"] + geoloc + [
        et(1, "355"), et(2, "355"), et(3, "355"), et(4, "355"), et(5, "127"), et(6, "355"), et(7, "500"),
        et(8, "500", dateouv="2024-05-01"), et(9, "603"), et(10, "355", dep="75"), et(11, "604"), et(12, "355"),
        et(13, "500"),
    ]
    (root / "finess").mkdir(parents=True, exist_ok=True)
    (root / "finess/etalab-cs1100507-stock-20240101-0330.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write(root / "finess/autorisations_20240101.csv", cols("finess_autorisations"), [
        [luhn_finess("01009999"), EG[6], "01", "Médecine", "", "", "05", "HAD", "A1", "2020-01-01", "", ""],
        [luhn_finess("01009999"), EG[12], "01", "Médecine", "", "", "05", "HAD", "A2", "2020-01-01", "", "2024-03-31"],
    ])

    ror = root / "ror"
    write(ror / "ror_eg_20240301.csv", cols("ror_eg"), [
        [f"G{n}", EG[n], "", f"EG {n}", "355", REGION, ""] for n in (1, 2, 3, 5, 6, 7, 9, 13)
    ])

    def ue(uid, eg, mode="01", age_max="120", closed="", voie="1 rue de la Paix"):
        return [uid, eg, f"UE {uid}", "4", "01", mode, "0", age_max, voie, "", "01000", "Bourg", "01053", closed, ""]

    ues = [ue("U1", "G1"), ue("U2", "G1"), ue("U3", "G2"), ue("U4", "G2"), ue("U5", "G3", closed="2024-01-15"),
           ue("U6", "G5"), ue("U7", "G6", mode="03"), ue("U8", "G7", age_max=""), ue("U9", "G9"), ue("U13", "G13")]
    write(ror / "ror_ue_20240301.csv", cols("ror_ue"), ues)
    write(ror / "ror_ue_activite_20240301.csv", cols("ror_ue_activite"),
          [[u[0], "003"] for u in ues if u[0] != "U13"] + [["U13", "999"]])          # 999: not in J17
    write(ror / "ror_ue_contact_20240301.csv", cols("ror_ue_contact"),
          [[u[0], "ACCUEIL", "", "TEL", "0474000000", ""] for u in ues if u[0] != "U4"])  # U4: no contact

    # ---------------------------------------------------------------- declarative
    write(root / "declaratif/declaratif_20240410.csv", cols("declaratif"), [
        ["1.1", D, "O", "CR COPIL identitovigilance 2024-03-12", ""],
        ["3.1", D, "N", "", "ROR en recette"],
    ])
    return root


def _region_expectations():
    e = {}
    for ind, dac1, dac2 in [("EP-6.1", (4, 5), (0, 0)), ("EP-6.2", (3, 5), (0, 0)), ("EP-6.3", (2, 5), (0, 0)),
                            ("EP-6.4-EQUIPE", (2, 4), (0, 0)), ("EP-6.4-ECHANGE", (2, 4), (0, 0))]:
        e[(ind, "dac", F_DAC1, None)] = (*dac1, "final")
        e[(ind, "dac", F_DAC2, None)] = (*dac2, "no_data")
        e[(ind, "region", REGION, None)] = (dac1[0] + dac2[0], dac1[1] + dac2[1], "final")
    e[("EP-7.1", "cpts", F_CPTS1, None)] = (2, 3, "final")
    e[("EP-7.1", "region", REGION, None)] = (2, 3, "final")
    e[("EP-7.2", "cpts", F_CPTS1, None)] = (2, 4, "final")
    e[("EP-7.2", "region", REGION, None)] = (2, 4, "final")
    e[("EP-INS", "dac", F_DAC1, None)] = (2, 5, "final")
    e[("EP-INS", "dac", F_DAC2, None)] = (0, 0, "no_data")
    e[("EP-INS", "cpts", F_CPTS1, None)] = (3, 4, "final")
    e[("EP-INS", "cpts", F_CPTS2, None)] = (1, 1, "final")
    e[("EP-INS", "region", REGION, None)] = (6, 10, "final")
    e[("EP-4.2", "region", REGION, None)] = (1, 5, "final")
    e[("EP-5.2", "region", REGION, None)] = (212, None, "final")  # 2023-09-01 -> 2024-03-31
    e[("EP-3.2", "region", REGION, "SAN_MCO_SSR_PSY")] = (1, 5, "final")
    e[("EP-3.2", "region", REGION, "SAN_HAD_USLD")] = (1, 2, "final")
    e[("EP-3.2", "region", REGION, "MEDICO_SOCIAL")] = (0, 2, "final")
    e[("EP-3.2", "region", REGION, "VILLE")] = (1, 1, "final")
    for ind in ("1.1", "3.1"):
        e[(ind, "region", REGION, None)] = (None, None, "final")
    for ind in ("1.2", "2.1", "2.2", "4.1", "5.1", "6.6"):
        e[(ind, "region", REGION, None)] = (None, None, "no_data")
    return e


EXPECTED = _region_expectations()


# The auditors' trail of the DAC indicators (dbt/models/audit/audit_ep_6_*.sql) at D, DAC1, hand-computed from the
# rows above: (indicator, dossier) -> (in_denominator, in_numerator, reason_code, evidence_id). Only the dossiers
# open at D (EP-6.2: opened in the period) get a row; D2 (closed on D), D8 (request) and D_OLD (older snapshot) none.
DAC_AUDIT = {
    ("EP-6.1", "D1"): (True, True, "actualise", "E02"),              # latest event other than CONSULTATION
    ("EP-6.1", "D3"): (True, False, "consultation_seule", "E03"),    # read only on D
    ("EP-6.1", "D4"): (True, True, "actualise", "E05"),              # the EVALUATION, not the earlier CONSULTATION
    ("EP-6.1", "D6"): (True, True, "actualise", "E08"),              # local date 2024-01-01
    ("EP-6.1", "D7"): (True, True, "actualise", "E11"),
    ("EP-6.2", "D3"): (True, True, "evalue_dans_le_mois", "E04"),    # opening + 30 days
    ("EP-6.2", "D4"): (True, False, "evaluation_tardive", "E05"),    # opening + 31 days
    ("EP-6.2", "D5"): (True, True, "evalue_dans_le_mois", "E07"),    # closed by D: still counts
    ("EP-6.2", "D6"): (True, False, "aucune_evaluation", "D6"),      # its coord_dossiers row
    ("EP-6.2", "D7"): (True, True, "evalue_dans_le_mois", "E10"),    # same day as the opening
    ("EP-6.3", "D1"): (True, True, "notification", "E02"),
    ("EP-6.3", "D3"): (True, False, "aucune_notification", "D3"),
    ("EP-6.3", "D4"): (True, False, "aucune_notification", "D4"),
    ("EP-6.3", "D6"): (True, False, "aucune_notification", "D6"),    # its NOTIFICATION is dated 2024-04-01 (local)
    ("EP-6.3", "D7"): (True, True, "notification", "E11"),           # an ALERTE
    ("EP-6.4-EQUIPE", "D1"): (True, True, "equipe_2_professionnels", "P2"),   # the latest added member
    ("EP-6.4-EQUIPE", "D3"): (True, False, "equipe_1_professionnel", "P1"),   # added on D
    ("EP-6.4-EQUIPE", "D4"): (True, False, "equipe_1_professionnel", "P1"),   # P2 removed on D, P3 added after
    ("EP-6.4-EQUIPE", "D6"): (False, False, "equipe_non_decrite", "D6"),
    ("EP-6.4-EQUIPE", "D7"): (True, True, "equipe_2_professionnels", "P2"),   # P2 listed twice: 2 professionals
    ("EP-6.4-ECHANGE", "D1"): (True, True, "echange_2_auteurs", "M02"),       # M03 is after the period
    ("EP-6.4-ECHANGE", "D3"): (False, False, "aucun_message", "D3"),
    ("EP-6.4-ECHANGE", "D4"): (True, False, "auteur_unique", "M05"),
    ("EP-6.4-ECHANGE", "D6"): (True, False, "message_unique", "M06"),
    ("EP-6.4-ECHANGE", "D7"): (True, True, "echange_2_auteurs", "M09"),
}
