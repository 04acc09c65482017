"""The Dagster code location: assembles the assets, checks, resources, jobs, schedules and sensors defined in
the modules below (``make dev`` serves it on http://127.0.0.1:3000).

Executor: in-process for every job and every materialisation launched from the UI. Each run is one
process that imports the code once (~15 s on 2 cores, dagster-dbt included); the default multiprocess
executor would re-import it for every step (~7 s each, stack.md) to gain no parallelism, since every step
that opens DuckDB is in the pool ``duckdb_writer`` whose limit is 1 (``dagster.yaml``: DuckDB allows a
single writer per file). The pool is enforced by the instance across runs whatever the executor: a step
of a second run waits for the slot; within one run, the in-process executor runs steps one at a time.
"""
import dagster as dg

from .ingestion import ingestion_assets
from .ingestion.assets import ingestion_log_specs
from .resources import WarehouseResource


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    from .orchestration.jobs import build_jobs
    from .orchestration.schedules import schedules
    from .orchestration.sensors import sensors
    from .progress import progress_logger
    from .publication.publish import publication
    from .quality.checks import build_quality_checks
    from .transform.assets import dbt_indicators, dbt_reference, dbt_resource

    checks = build_quality_checks()
    return dg.Definitions(
        assets=[*ingestion_assets, *ingestion_log_specs, dbt_reference, dbt_indicators, publication],
        asset_checks=checks,
        jobs=build_jobs(checks),
        schedules=schedules,
        sensors=sensors,
        resources={"warehouse": warehouse or WarehouseResource(), "dbt": dbt_resource()},
        executor=dg.in_process_executor,
        # the command line's runs feed its progress display (progress.py); any run may use Dagster's console
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


defs = build_definitions()
