"""The four jobs of the warehouse, the only way anything runs: ``eparcours run`` is ``ingest_job`` then
``quarter_job`` for the range of quarters with data, ``eparcours recompute`` is ``quarter_job`` for one quarter
(``pipeline.py``), on the instance the UI shows (``instance.py``). Every job runs in one process (the in-process executor of the code
location, see ``definitions.py``) and every step that opens DuckDB is in the pool ``duckdb_writer``.

Partitioning is inferred from the selected assets (the quarterly partitions of ``dbt_indicators``).

``landing_job``  everything but the publication, partitioned by quarter. The landing sensor launches it
                 with an asset selection: the changed raw tables, what is downstream of them, and the
                 quarters the delivered months or snapshot dates fall in. It updates the working warehouse
                 only; what consumers read changes at the next publication.
``quarter_job``  the indicator models of one quarter (or a range, as one run), their dbt tests, the
                 pre-publication gate and the publication. Dagster 1.13 runs an unpartitioned asset inside
                 a partitioned run (it is materialised once, without partition), so the gate and the
                 publication follow the quarter in the same run: a failed blocking check skips the
                 publication. The quarterly schedule and a rerun of one quarter use it. A backfill of it
                 from the UI is an asset backfill: one run for the range (single-run policy), then the
                 publication in a run of its own, which checks the last gate evaluations itself
                 (``quality.checks.failed_gate_checks``).
``publish_job``  the pre-publication gate and the publication, not partitioned: the semestrial
                 schedule, and "republish now" from the UI.
``ingest_job``   every landing table, the reference/staging models and the gate's models, with the landing
                 checks, not partitioned: the first half of ``eparcours run``, or a full re-ingestion by hand
                 (the sensor does it table by table).
"""
from __future__ import annotations

import dagster as dg

PUBLICATION = dg.AssetKey(["publish", "publication"])
INDICATOR_RESULTS = dg.AssetKey(["marts", "indicator_results"])
PRE_PUBLICATION_GATE = "pre_publication_gate"

LANDING_JOB = "landing_job"
QUARTER_JOB = "quarter_job"
PUBLISH_JOB = "publish_job"
INGEST_JOB = "ingest_job"


def build_jobs(asset_checks) -> list:
    gate = [c for c in asset_checks if getattr(c, "name", None) == PRE_PUBLICATION_GATE]
    return [
        dg.define_asset_job(
            LANDING_JOB,
            # the gate's models are rebuilt with the new deliveries (the landing checks read them) and the publish
            # models with the quarters; only the publication itself waits for a publishing run
            selection=dg.AssetSelection.all() - dg.AssetSelection.assets(PUBLICATION),
            description="Launched by landing_sensor with the changed tables, what depends on them and the "
                        "quarters they touch. Updates the working warehouse; does not publish.",
            tags={"eparcours/job": "landing"},
        ),
        dg.define_asset_job(
            QUARTER_JOB,
            # every model of dbt_indicators (the audit trail included) and the publication; the gate's models are
            # rebuilt with the deliveries they judge (ingest_job, landing_job), not with the quarters
            selection=dg.AssetSelection.groups("intermediate", "marts", "audit", "publish"),
            description="Indicators of one quarter (or a range of quarters, one run), dbt tests, "
                        "pre-publication gate, then the publication if the gate passed.",
            tags={"eparcours/job": "quarter"},
        ),
        dg.define_asset_job(
            PUBLISH_JOB,
            selection=dg.AssetSelection.checks(*gate) | dg.AssetSelection.assets(PUBLICATION),
            description="Re-run the pre-publication gate on what the warehouse holds, then publish.",
            tags={"eparcours/job": "publish"},
        ),
        dg.define_asset_job(
            INGEST_JOB,
            selection=dg.AssetSelection.groups("raw", "ref", "staging", "gate"),
            description="Ingest every landing table (files already ingested are skipped), run the landing "
                        "checks, rebuild seeds and staging.",
            tags={"eparcours/job": "ingest"},
        ),
    ]
