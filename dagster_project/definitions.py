"""The Dagster code location: assembles the assets, checks and resources defined in the modules below."""
import dagster as dg

from .ingestion import ingestion_assets
from .resources import WarehouseResource


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    from .publication.publish import publication
    from .quality.checks import build_quality_checks
    from .transform.assets import dbt_indicators, dbt_reference, dbt_resource

    return dg.Definitions(
        assets=[*ingestion_assets, dbt_reference, dbt_indicators, publication],
        asset_checks=build_quality_checks(),
        resources={"warehouse": warehouse or WarehouseResource(), "dbt": dbt_resource()},
    )


defs = build_definitions()
