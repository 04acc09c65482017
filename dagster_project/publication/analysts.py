"""What the analysts' DuckDB file contains: schema ``publish`` only, no patient-level rows, no raw INS.

Each table is defined once here (name -> SELECT over the working warehouse); the quality gate validates
exactly these SELECTs before the publication writes them.
"""
PUBLISH_TABLES: dict[str, str] = {
    "indicator_results": """
        SELECT indicator_id, label, programme, scope_type, scope_id, subgroup, period_start, period_end,
               numerator, denominator, value, target, target_met, status, reference_document, measure_date,
               evidence_reference, evidence_date
        FROM marts.indicator_results""",
    # the same rows with small cells masked (dbt model open_indicator_results): the open-data files are written
    # from this copy (publication/open_data.py)
    "indicator_results_open": "SELECT * FROM publish.indicator_results_open",
    "indicator_catalogue": "SELECT * FROM ref.ref_indicator_catalogue",
    "indicator_targets": "SELECT * FROM ref.ref_indicator_targets",
    "structures": """
        WITH coord AS (
            SELECT finess, lower(structure_type) AS scope_type, nom AS name, max(snapshot_date) AS last_seen
            FROM staging.stg_coordination__structures GROUP BY ALL
        ),
        esms AS (
            SELECT finess_geo AS finess, 'esms' AS scope_type, raison_sociale AS name, max(snapshot_date) AS last_seen,
                   any_value(galis_ref) AS galis_ref
            FROM staging.stg_dui__esms_projets GROUP BY ALL
        ),
        finess AS (
            SELECT nofinesset, rs, categetab, libcategetab, departement, code_region
            FROM staging.stg_finess__structures
            QUALIFY row_number() OVER (PARTITION BY nofinesset ORDER BY snapshot_date DESC) = 1
        )
        SELECT s.finess, s.scope_type, coalesce(s.name, f.rs) AS name, s.galis_ref, f.categetab, f.libcategetab,
               f.departement, f.code_region, s.last_seen
        FROM (SELECT *, NULL AS galis_ref FROM coord UNION ALL BY NAME SELECT * FROM esms) AS s
        LEFT JOIN finess AS f ON f.nofinesset = s.finess
        QUALIFY row_number() OVER (PARTITION BY s.finess, s.scope_type ORDER BY s.last_seen DESC) = 1""",
    "quarantine_summary": """
        SELECT q.source, q.table_name, q.file_name, q.rule, q.severity, count(*) AS n_rows,
               min(q.line_number) AS first_line, any_value(q.reason) AS example_reason
        FROM raw.quarantine AS q
        WHERE q.file_sha256 IN (SELECT file_sha256 FROM raw.ingested_files WHERE status IN ('loaded', 'refused'))
        GROUP BY ALL""",
}
