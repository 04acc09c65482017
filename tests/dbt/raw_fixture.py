"""A tiny hand-made warehouse for the dbt staging layer: every raw table gets a few rows, as the ingestion
would have loaded them (text as delivered, lineage columns), including the cases staging must handle:
an invalid patient INS (kept, flagged), unknown ROR codes, an optional FINESS with a wrong check digit,
FINESS overseas départements (9A -> Guadeloupe, 9J -> no ARS region) and Corsica (2A), timestamps whose
written date differs from their UTC date, and decimals written with a comma.

``build_raw_warehouse(path)`` writes the rows as landing files and loads them with the real ingestion (typed
raw tables, lineage, quarantine); the tests then run ``dbt build`` against it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.ingestion.specs import SPECS_BY_NAME

# table -> list of (delivery_key, file_name, rows); rows are dicts of raw column -> text (missing = NULL)
FIXTURE: dict[str, list[tuple[str, str, list[dict[str, str]]]]] = {
    "finess_structures": [
        (
            "2024-03-31",
            "etalab-cs1100507-stock-20240331-0339.csv",
            [
                {
                    "section": "structureet",
                    "nofinesset": "010000024",
                    "nofinessej": "010780054",
                    "rs": "CH DE FLEYRIAT",
                    "commune": "451",
                    "departement": "01",
                    "libdepartement": "AIN",
                    "categetab": "355",
                    "siret": "26010004500012",
                    "dateouv": "1979-02-13",
                    "dateautor": "1979-02-13",
                    "datemaj": "2020-02-04",
                },
                {
                    "section": "structureet",
                    "nofinesset": "970102018",
                    "nofinessej": "970113015",
                    "rs": "PMI SAINT BARTHELEMY",
                    "commune": "123",
                    "departement": "9A",
                    "libdepartement": "GUADELOUPE",
                    "categetab": "223",
                    "dateouv": "1964-01-01",
                },
                {
                    "section": "structureet",
                    "nofinesset": "980600027",
                    "nofinessej": "980600019",
                    "rs": "HOPITAL DE SIA",
                    "commune": "613",
                    "departement": "9J",
                    "libdepartement": "WALLIS ET FUTUNA",
                    "categetab": "355",
                },
                # Corsica; optional FINESS EJ with a wrong check digit (flagged); categetab outside the 2023 list
                {
                    "section": "structureet",
                    "nofinesset": "2A0000016",
                    "nofinessej": "2A0000017",
                    "rs": "  CLINIQUE TEST  ",
                    "departement": "2A",
                    "libdepartement": "CORSE DU SUD",
                    "categetab": "999",
                    "siret": "123",
                },
            ],
        )
    ],
    "finess_geolocalisation": [
        (
            "2024-03-31",
            "etalab-cs1100507-stock-20240331-0339.csv",
            [
                {
                    "section": "geolocalisation",
                    "nofinesset": "010000024",
                    "coordxet": "870000,5",
                    "coordyet": "6568000.25",
                    "sourcecoordet": "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93",
                    "datemaj": "2024-01-10",
                },
                {"section": "geolocalisation", "nofinesset": "970102018", "coordxet": "", "coordyet": ""},
            ],
        )
    ],
    "finess_autorisations": [
        (
            "2024-03-31",
            "autorisations_20240331.csv",
            [
                {
                    "nofinessej": "010780054",
                    "nofinesset": "010000024",
                    "activite": "01",
                    "libactivite": "Médecine",
                    "modalite": "00",
                    "forme": "01",
                    "noautor": "A1",
                    "dateautor": "2019-01-01",
                    "datemeo": "2019-06-01",
                },
                {
                    "nofinessej": "010780054",
                    "nofinesset": "010000024",
                    "activite": "01",
                    "forme": "05",
                    "libforme": "Hospitalisation à domicile",
                    "dateautor": "2020-01-01",
                    "datefin": "2027-01-01",
                },
            ],
        )
    ],
    "ror_eg": [
        (
            "2024-03-31",
            "ror_eg_20240331.csv",
            [
                {
                    "id_eg": "EG1",
                    "finess_eg": "010000024",
                    "finess_ej": "010780054",
                    "raison_sociale": "CH DE FLEYRIAT",
                    "categorie_eg": "355",
                    "code_region": "84",
                },
                {
                    "id_eg": "EG2",
                    "finess_eg": "970102018",
                    "finess_ej": "970113015",
                    "raison_sociale": "PMI ST BARTH",
                    "categorie_eg": "XXX",
                    "code_region": "01",
                    "date_fermeture_definitive": "2030-12-31",
                },
            ],
        )
    ],
    "ror_ue": [
        (
            "2024-03-31",
            "ror_ue_20240331.csv",
            [
                {
                    "id_ue": "UE1",
                    "id_eg": "EG1",
                    "nom_ue": "Médecine interne",
                    "type_oi": "4",
                    "champ_activite": "01",
                    "mode_prise_en_charge": "01",
                    "age_min": "18",
                    "age_max": "120",
                    "libelle_voie": "900 route de Paris",
                    "code_postal": "01440",
                    "localite": "VIRIAT",
                    "code_commune": "01451",
                    "date_maj": "2024-02-01",
                },
                # retired mode (03, not in J19) and an age that is not an integer (flagged by the ingestion)
                {
                    "id_ue": "UE2",
                    "id_eg": "EG2",
                    "nom_ue": "PMI",
                    "type_oi": "4",
                    "champ_activite": "04",
                    "mode_prise_en_charge": "03",
                    "age_min": "abc",
                    "age_max": "6",
                    "lieu_dit": "Gustavia",
                },
                # unknown codes everywhere
                {
                    "id_ue": "UE3",
                    "id_eg": "EG1",
                    "type_oi": "9",
                    "champ_activite": "99",
                    "mode_prise_en_charge": "ZZ",
                },
            ],
        )
    ],
    "ror_ue_activite": [
        (
            "2024-03-31",
            "ror_ue_activite_20240331.csv",
            [
                {"id_ue": "UE1", "activite_operationnelle": "001"},
                {"id_ue": "UE1", "activite_operationnelle": "003"},
                {"id_ue": "UE2", "activite_operationnelle": "999"},
            ],
        )
    ],
    "ror_ue_contact": [
        (
            "2024-03-31",
            "ror_ue_contact_20240331.csv",
            [
                {
                    "id_ue": "UE1",
                    "fonction_contact": "SEC",
                    "nature_contact": "01",
                    "canal": "2",
                    "adresse_telecom": "0474454647",
                },
                {"id_ue": "UE1", "canal": "3", "adresse_telecom": "secretariat@ch.example"},
            ],
        )
    ],
    "mss_messages": [
        (
            "2024-03",
            "mss_messages_2024-03.csv",
            [
                {
                    "message_id": "M1",
                    "sent_at": "2024-03-15T10:00:00+01:00",
                    "sender_bal": "dr@ch.mssante.fr",
                    "sender_bal_type": "ORG",
                    "sender_finess": "010000024",
                    "recipient_count": "2",
                    "recipient_classes": "PRO| PATIENT",
                    "x_mss_ins": "O",
                    "x_mss_codecda": "11490-0|18776-5",
                    "size_bytes": "123456",
                    "attachments": "1",
                    "delivery_status": "DELIVERED",
                },
            ],
        ),
        (
            "2024-04",
            "mss_messages_2024-04.csv",
            [
                # written date 1 April, UTC date 31 March; optional FINESS with a wrong check digit (flagged)
                {
                    "message_id": "M1",
                    "sent_at": "2024-04-01T00:30:00+02:00",
                    "sender_bal": "x@ch.mssante.fr",
                    "sender_bal_type": "PER",
                    "sender_finess": "010000025",
                    "recipient_count": "1",
                    "recipient_classes": "PRO",
                    "x_mss_ins": "N",
                    "delivery_status": "FAILED",
                },
            ],
        ),
    ],
    "annuaire_mssante": [
        (
            "2024-03-15",
            "annuaire_mssante_20240315.csv",
            [
                {
                    "Type de BAL": "PER",
                    "Adresse BAL": "jean.dupont@medecin.mssante.fr",
                    "Identifiant PP": "10000000001",
                    "Civilité d'exercice": "DR",
                    "Nom d'exercice": "DUPONT",
                    "Prénom d'exercice": "Jean",
                    "Code postal": "01440",
                    "Département": "01",
                    "Pays": "France",
                },
                {
                    "Type de BAL": "ORG",
                    "Adresse BAL": "secretariat@ch.mssante.fr",
                    "Raison sociale structure BAL": "CH DE FLEYRIAT",
                },
            ],
        )
    ],
    "dmp_documents": [
        (
            "2024-03",
            "dmp_documents_2024-03.csv",
            [
                {
                    "document_id": "DOC1",
                    "submitted_at": "2024-03-20T09:00:00+01:00",
                    "patient_ins": "279035121518989",
                    "ins_oid": "1.2.250.1.213.1.4.10",
                    "type_code": "18776-5",
                    "format_code": "urn:asip:ci-sis:pps-paerpa:2017",
                    "author_finess": "2B0000024",
                    "author_rpps": "10000000001",
                    "author_system": "COORDINATION",
                    "status": "APPROVED",
                },
                # invalid INS key (flagged, kept); unknown format code; malformed RPPS
                {
                    "document_id": "DOC2",
                    "submitted_at": "2024-03-31T23:30:00-04:00",
                    "patient_ins": "285031512345678",
                    "ins_oid": "1.2.250.1.213.1.4.8",
                    "type_code": "SYNTH",
                    "format_code": "urn:unknown",
                    "author_rpps": "123",
                    "author_system": "DUI",
                    "status": "DELETED",
                },
            ],
        )
    ],
    "dui_dossiers": [
        (
            "2024-03",
            "dui_dossiers_2024-03.csv",
            [
                {
                    "finess_geo": "970210126",
                    "dossier_id": "D1",
                    "usager_id": "U1",
                    "ins": "253072B07300470",
                    "date_admission": "2020-09-01",
                },
                {
                    "finess_geo": "970210126",
                    "dossier_id": "D2",
                    "usager_id": "U2",
                    "ins": "295109912611199",
                    "date_admission": "2021-01-04",
                    "date_sortie": "2024-03-10",
                    "motif_sortie": "DEFINITIVE",
                },
            ],
        )
    ],
    "dui_evenements": [
        (
            "2024-03",
            "dui_evenements_2024-03.csv",
            [
                {
                    "finess_geo": "970210126",
                    "dossier_id": "D1",
                    "event_id": "E1",
                    "event_at": "2024-03-05T14:02:11+01:00",
                    "event_type": "EVALUATION",
                    "actor_type": "UTILISATEUR",
                    "actor_id": "u42",
                },
                {
                    "finess_geo": "970210126",
                    "dossier_id": "D1",
                    "event_id": "E2",
                    "event_at": "2024-03-06T08:00:00Z",
                    "event_type": "CONSULTATION",
                    "actor_type": "UTILISATEUR",
                    "actor_id": "u42",
                },
            ],
        )
    ],
    "dui_projets": [
        (
            "2024-03",
            "dui_projets_2024-03.csv",
            [
                {
                    "finess_geo": "970210126",
                    "dossier_id": "D1",
                    "projet_id": "P1",
                    "created_at": "2023-10-01T10:00:00+02:00",
                    "last_updated_at": "2024-02-01T10:00:00+01:00",
                    "date_debut": "2023-10-01",
                    "statut": "MISE_EN_OEUVRE",
                },
            ],
        )
    ],
    "dui_agenda": [
        (
            "2024-03",
            "dui_agenda_2024-03.csv",
            [
                {
                    "finess_geo": "970210126",
                    "dossier_id": "D1",
                    "agenda_id": "A1",
                    "start_at": "2024-03-07T09:30:00+01:00",
                    "duree_minutes": "45",
                    "nature": "ACTIVITE",
                },
            ],
        )
    ],
    "esms_file_active": [
        (
            "2024-01-15",
            "esms_file_active_20240115.csv",
            [
                {
                    "finess_geo": "970210126",
                    "annee": "2022",
                    "effectif_31_12": "48",
                    "sorties_definitives": "9",
                    "atypique": "N",
                },
                {
                    "finess_geo": "970210126",
                    "annee": "2023",
                    "effectif_31_12": "50",
                    "sorties_definitives": "10",
                    "atypique": "N",
                },
            ],
        )
    ],
    "esms_projets": [
        (
            "2024-01-15",
            "esms_projets_20240115.csv",
            [
                {
                    "galis_ref": "12345678",
                    "siret_porteur": "50254756500015",
                    "finess_geo": "970210126",
                    "raison_sociale": "CMPP INTERSECTORIEL",
                    "signataire_nom": "M. X",
                    "signataire_qualite": "Directeur",
                },
            ],
        )
    ],
    "coord_structures": [
        (
            "2024-03-31",
            "coord_structures_20240331.csv",
            [
                {
                    "structure_id": "S1",
                    "finess": "2B0000024",
                    "type": "DAC",
                    "nom": "DAC Test",
                    "reseau_social": "N",
                    "dossier_coordination": "O",
                },
                {
                    "structure_id": "S2",
                    "finess": "010780054",
                    "type": "CPTS",
                    "nom": "CPTS Test",
                    "reseau_social": "O",
                    "dossier_coordination": "N",
                },
            ],
        )
    ],
    "coord_dossiers": [
        (
            "2024-03",
            "coord_dossiers_2024-03.csv",
            [
                {
                    "dossier_id": "CD1",
                    "structure_id": "S1",
                    "usager_id": "P1",
                    "ins": "146026322000196",
                    "ins_statut": "VALI",
                    "date_demande": "2024-01-02",
                    "date_ouverture": "2024-01-05",
                },
                # qualified status but a wrong key: kept, ins_valid false
                {
                    "dossier_id": "CD2",
                    "structure_id": "S1",
                    "usager_id": "P2",
                    "ins": "146026322000197",
                    "ins_statut": "VALI",
                    "date_ouverture": "2024-02-01",
                    "date_cloture": "2024-03-31",
                },
                {
                    "dossier_id": "CD3",
                    "structure_id": "S2",
                    "usager_id": "P3",
                    "ins_statut": "VIDE",
                    "date_ouverture": "2024-03-01",
                },
            ],
        )
    ],
    "coord_evenements": [
        (
            "2024-03",
            "coord_evenements_2024-03.csv",
            [
                {
                    "event_id": "EV1",
                    "dossier_id": "CD1",
                    "event_at": "2024-01-20T11:00:00+01:00",
                    "event_type": "EVALUATION",
                    "evaluation_type": "OEMD",
                    "actor_id": "10000000001",
                },
                {
                    "event_id": "EV2",
                    "dossier_id": "CD2",
                    "event_at": "2024-03-31T23:59:00+01:00",
                    "event_type": "NOTIFICATION",
                    "actor_id": "interne-7",
                },
            ],
        )
    ],
    "coord_equipe": [
        (
            "2024-03",
            "coord_equipe_2024-03.csv",
            [
                {
                    "dossier_id": "CD1",
                    "professionnel_id": "10000000001",
                    "profession": "Médecin",
                    "date_ajout": "2024-01-05",
                },
                {
                    "dossier_id": "CD1",
                    "professionnel_id": "10000000002",
                    "profession": "Infirmier",
                    "date_ajout": "2024-01-06",
                    "date_retrait": "2024-03-31",
                },
            ],
        )
    ],
    "coord_messages": [
        (
            "2024-03",
            "coord_messages_2024-03.csv",
            [
                {
                    "message_id": "CM1",
                    "structure_id": "S1",
                    "dossier_id": "CD1",
                    "author_id": "10000000001",
                    "posted_at": "2024-03-02T10:00:00+01:00",
                },
                {
                    "message_id": "CM2",
                    "structure_id": "S2",
                    "author_id": "10000000001",
                    "posted_at": "2024-03-03T10:00:00+01:00",
                },
            ],
        )
    ],
    "cpts_membres": [
        (
            "2024-03-31",
            "cpts_membres_20240331.csv",
            [
                {
                    "structure_id": "S2",
                    "professionnel_id": "10000000001",
                    "profession": "Médecin",
                    "date_adhesion": "2023-01-01",
                },
            ],
        )
    ],
    "declaratif": [
        (
            "2024-03-31",
            "declaratif_20240331.csv",
            [
                {
                    "indicateur": "1.1",
                    "date_mesure": "2024-03-31",
                    "valeur": "O",
                    "justificatif": "PV COPIL 2024-03",
                },
                {"indicateur": "6.6", "date_mesure": "2024-03-31", "valeur": "N"},
            ],
        )
    ],
}


def _write_landing(landing: Path) -> None:
    """The fixture as landing files (the etalab FINESS layout for its two tables, `;` CSV for the others)."""
    etalab: dict[str, list[str]] = {}
    for table, deliveries in FIXTURE.items():
        spec = SPECS_BY_NAME[table]
        cols = spec.column_names
        for _key, file_name, rows in deliveries:
            unknown = {c for row in rows for c in row} - set(cols)
            assert not unknown, f"{table}: unknown column(s) {unknown}"
            lines = [spec.delimiter.join(row.get(c) or "" for c in cols) for row in rows]
            if spec.layout == "finess_etalab":
                etalab.setdefault(file_name, []).extend(lines)
                continue
            path = landing / spec.source / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join([spec.delimiter.join(cols)] + lines) + "\n", encoding="utf-8")
    for file_name, lines in etalab.items():
        path = landing / "finess" / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([f"finess;etalab;{len(lines)};2024-03-31"] + lines) + "\n", encoding="utf-8")


def build_raw_warehouse(path: Path | str) -> None:
    """Create (or replace) a DuckDB file loaded by the real ingestion from the fixture written as landing files."""
    import tempfile

    from dagster_project.ingestion.engine import ingest_landing

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        with tempfile.TemporaryDirectory(prefix="raw_fixture_") as tmp:
            landing = Path(tmp) / "landing"
            _write_landing(landing)
            report = ingest_landing(con, landing)
        assert not report.unknown_files, report.unknown_files
        assert not report.refused, [r.line() for r in report.refused]
    finally:
        con.close()


if __name__ == "__main__":
    import sys

    build_raw_warehouse(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dbtcheck/warehouse.duckdb")
