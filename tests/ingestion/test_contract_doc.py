from pathlib import Path

from dagster_project.ingestion.contract_doc import render_markdown


def test_docs_landing_page_is_generated_from_the_specs():
    # guards against a contract change in specs.py that the data engineers' page does not show
    page = Path(__file__).resolve().parents[2] / "docs" / "landing.md"
    assert page.read_text(encoding="utf-8") == render_markdown(), (
        "docs/landing.md is out of date: python -m dagster_project.ingestion.contract_doc > docs/landing.md")
