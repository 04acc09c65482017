"""The dbt project as Dagster assets (dagster-dbt); imported lazily because dagster_dbt is slow to import."""
