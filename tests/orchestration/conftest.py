import pytest


@pytest.fixture(scope="session")
def defs():
    """The code location as `make dev` loads it (needs dbt/target/manifest.json, built by `make install`)."""
    from dagster_project.pipeline import ensure_dbt_manifest

    ensure_dbt_manifest()
    from dagster_project.definitions import defs

    return defs
