from pathlib import Path

from dagster_project.quality.doc import render_markdown
from dagster_project.quality.suites import load_suites


def test_docs_quality_page_is_generated_from_the_suites():
    # a threshold changed in expectations/ without the page saying so would mislead the data engineer
    page = Path(__file__).resolve().parents[2] / "docs" / "quality.md"
    assert page.read_text(encoding="utf-8") == render_markdown(), (
        "docs/quality.md is out of date: python -m dagster_project.quality.doc > docs/quality.md")


def test_every_landing_table_and_published_table_has_a_suite():
    from dagster_project.ingestion.specs import SPECS
    from dagster_project.transform.exposures import published_tables

    suites = load_suites()
    assert {s.table for s in suites if s.kind == "landing"} == {s.name for s in SPECS} | {None}  # None: the folder
    assert {s.table for s in suites if s.kind == "published"} == set(published_tables())
    for s in suites:
        assert s.expectations, s.name
        assert {e.severity for e in s.expectations} <= {"error", "warning"}
