"""docs/adding_an_indicator.md, followed with a throwaway indicator on a copy of the dbt project and of a working
warehouse: a model, its yml, one catalogue row, the union entry and its audit model are all it takes for the
indicator to be published with its label and its French texts, its trail tying out (the build runs every test of
the models it selects: the catalogue, tie-out and audit-model tests included); a catalogue row without its model
fails the catalogue test."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"

MODEL = """{{ indicator_config() }}
-- EP-ZZ (throwaway, tests/e2e/test_adding_an_indicator.py): dossiers open at D over dossiers of the DAC.
with structures as (
    select measure_date, structure_id, finess
    from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
),

rows as (
    select s.measure_date, 'dac' as scope_type, s.finess as scope_id, cast(null as varchar) as subgroup,
           count(d.dossier_id) filter (where d.is_open_at_measure_date) as numerator,
           count(d.dossier_id) as denominator
    from structures as s
    left join {{ ref('int_coord_dossiers_at_measure_date') }} as d
        on d.measure_date = s.measure_date and d.structure_id = s.structure_id
    group by all
)

{{ indicator_rows('EP-ZZ', 'rows') }}
"""

YML = """version: 2
models:
  - name: ind_ep_zz_throwaway
    description: Throwaway indicator of the recipe test.
    data_tests:
      - unique_combination:
          arguments:
            combination_of_columns: [indicator_id, measure_date, scope_type, scope_id, subgroup]
"""

AUDIT = """{{ indicator_config() }}
-- EP-ZZ's auditors' trail: every dossier of each DAC, in the numerator when open at D.
with structures as (
    select measure_date, structure_id, finess
    from {{ ref('int_coord_structures_at_measure_date') }}
    where structure_type = 'DAC'
)

select 'EP-ZZ' as indicator_id, s.measure_date, 'dac' as scope_type, s.finess as scope_id,
       cast(null as varchar) as subgroup, 'dossier' as unit, d.dossier_id as unit_id, true as in_denominator,
       d.is_open_at_measure_date as in_numerator,
       case when d.is_open_at_measure_date then 'OUVERT' else 'NON_OUVERT' end as reason_code,
       cast(null as varchar) as evidence_kind, cast(null as varchar) as evidence_id, cast(null as date) as evidence_date,
       cast(null as varchar) as evidence_file, cast(null as varchar) as evidence_sha256,
       cast(null as bigint) as evidence_line
from structures as s
join {{ ref('int_coord_dossiers_at_measure_date') }} as d
    on d.measure_date = s.measure_date and d.structure_id = s.structure_id
where s.measure_date in (select measure_date from {{ ref('int_measure_dates') }})
"""

REASONS = ("EP-ZZ;OUVERT;true;dossier ouvert à la date de mesure;test de la recette\n"
           "EP-ZZ;NON_OUVERT;false;dossier non ouvert à la date de mesure;test de la recette\n")

ROW = ("EP-ZZ;Indicateur jetable du test de la recette;E-parcours;computed;%;note_2021_216;dac, region;false;"
       "ind_ep_zz_throwaway;dossiers ouverts;dossier ouvert;false;\n")


def _dbt(project: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DBT), *args, "--project-dir", str(project), "--profiles-dir", str(project),
                           "--target-path", str(project / "target"), "--log-path", str(project / "logs")],
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def recipe(tiny_run, tmp_path_factory):
    paths, _, _ = tiny_run
    root = tmp_path_factory.mktemp("recipe")
    shutil.copytree(REPO / "dbt", root / "dbt", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(paths.warehouse, root / "warehouse.duckdb")
    project = root / "dbt"
    # 1-2: the model and its yml
    (project / "models" / "marts" / "eparcours" / "ind_ep_zz_throwaway.sql").write_text(MODEL)
    (project / "models" / "marts" / "eparcours" / "ind_ep_zz_throwaway.yml").write_text(YML)
    # 3: one catalogue row
    with open(root / "seeds" / "ref_indicator_catalogue.csv", "a", encoding="utf-8") as f:
        f.write(ROW)
    # 4: the model in the union
    union = project / "models" / "marts" / "indicator_results.sql"
    text = union.read_text()
    assert "'ind_esms_dmp'] %}" in text
    union.write_text(text.replace("'ind_esms_dmp'] %}", "'ind_esms_dmp', 'ind_ep_zz_throwaway'] %}"))
    # 5: its audit model, its reasons, and the model in the union of the trail
    (project / "models" / "audit" / "audit_ep_zz_throwaway.sql").write_text(AUDIT)
    with open(root / "seeds" / "ref_audit_reasons.csv", "a", encoding="utf-8") as f:
        f.write(REASONS)
    trail = project / "models" / "audit" / "audit_membership.sql"
    text = trail.read_text()
    assert "'audit_esms_dmp'] %}" in text
    trail.write_text(text.replace("'audit_esms_dmp'] %}", "'audit_esms_dmp', 'audit_ep_zz_throwaway'] %}"))
    env = {**os.environ, "EPARCOURS_WAREHOUSE": str(root / "warehouse.duckdb"),
           "EPARCOURS_DUCKDB_TEMP": str(root / "tmp"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return root, project, env


def test_the_recipe_publishes_the_indicator_with_its_texts(recipe):
    root, project, env = recipe
    res = _dbt(project, env, "build", "--select", "ref_indicator_catalogue", "ref_audit_reasons", "ind_ep_zz_throwaway",
               "indicator_results", "publish_indicator_results", "audit_ep_zz_throwaway", "audit_membership",
               "--exclude-resource-type", "unit_test")
    assert res.returncode == 0, res.stdout[-3000:]
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    rows = con.execute("""SELECT scope_type, label, numerator, denominator, value_text, ratio_text, status_label
                          FROM publish.indicator_results WHERE indicator_id = 'EP-ZZ'""").fetchall()
    con.close()
    assert {r[0] for r in rows} == {"dac", "region"}
    assert {r[1] for r in rows} == {"Indicateur jetable du test de la recette"}
    with_data = [r for r in rows if r[3]]
    assert with_data and all(r[4].endswith("\u00a0%") and " / " in r[5] for r in with_data)


def test_a_catalogue_row_without_its_model_fails_the_catalogue_test(recipe):
    root, project, env = recipe
    union = project / "models" / "marts" / "indicator_results.sql"
    union.write_text(union.read_text().replace(", 'ind_ep_zz_throwaway'] %}", "] %}"))
    (project / "models" / "marts" / "eparcours" / "ind_ep_zz_throwaway.sql").unlink()
    (project / "models" / "marts" / "eparcours" / "ind_ep_zz_throwaway.yml").unlink()
    res = _dbt(project, env, "build", "--select", "ref_indicator_catalogue", "assert_catalogue_matches_indicator_models",
               "--exclude-resource-type", "unit_test")
    assert res.returncode != 0
    assert "assert_catalogue_matches_indicator_models" in res.stdout and "FAIL 1" in res.stdout
