from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "fixtures" / "reference"


@pytest.fixture
def shared_reference() -> Path:
    """Real public reference files, copied into the repository with their provenance (fixtures/reference)."""
    return REFERENCE
