"""The dbt project, as dagster-dbt sees it. Nothing else lives here (the manifest is built by `make install`)."""
from dagster_dbt import DbtProject

from ..settings import DBT_DIR

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
