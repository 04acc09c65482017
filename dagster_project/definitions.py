"""The Dagster code location: assembles the assets and resources defined in the modules below."""
import dagster as dg

from .ingestion import ingestion_assets
from .resources import WarehouseResource


def build_definitions() -> dg.Definitions:
    from .transform.assets import dbt_indicators, dbt_reference, dbt_resource

    return dg.Definitions(
        assets=[*ingestion_assets, dbt_reference, dbt_indicators],
        resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    )


defs = build_definitions()
