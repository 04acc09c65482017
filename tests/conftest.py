from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Real public reference files, copied verbatim into the repository with their provenance (README.md there).
REFERENCE = REPO / "tests" / "synthetic" / "fixtures"


@pytest.fixture
def shared_reference() -> Path:
    return REFERENCE
