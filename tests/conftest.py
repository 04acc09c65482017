import os
from pathlib import Path

import pytest

# The partitions start at the first quarter with data of the working warehouse (partitions.first_quarter): the
# tests do not depend on the developer's data/ (tests/orchestration/test_partitions.py tests that rule itself).
os.environ.setdefault("EPARCOURS_FIRST_QUARTER", "2020-01-01")

REPO = Path(__file__).resolve().parents[1]
# Real public reference files, copied verbatim into the repository with their provenance (README.md there).
REFERENCE = REPO / "tests" / "synthetic" / "fixtures"


@pytest.fixture
def shared_reference() -> Path:
    return REFERENCE


@pytest.fixture(scope="session", autouse=True)
def pseudonym_key_file(tmp_path_factory):
    """Tests never read nor create the user's own pseudonymisation key (~/.config/eparcours/pseudonym.key): one key
    file for the session, created by the product's own code at the first ingestion (mode 600)."""
    import os

    from dagster_project.privacy import KEY_ENV, KEY_FILE_ENV

    path = tmp_path_factory.mktemp("key") / "pseudonym.key"
    saved = {k: os.environ.get(k) for k in (KEY_ENV, KEY_FILE_ENV)}
    os.environ.pop(KEY_ENV, None)
    os.environ[KEY_FILE_ENV] = str(path)
    yield path
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
