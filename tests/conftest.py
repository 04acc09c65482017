import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EPARCOURS_SHARED", REPO.parent / "shared"))


@pytest.fixture
def shared_reference() -> Path:
    ref = SHARED / "reference"
    if not ref.is_dir():
        pytest.skip(f"shared reference data not found at {ref} (set EPARCOURS_SHARED)")
    return ref
