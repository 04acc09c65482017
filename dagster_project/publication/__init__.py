"""Publication: the deliverables consumers receive (CNSA workbooks, proofs of use, audit samples, ...)."""
from __future__ import annotations

import os
from pathlib import Path


def reuse_published(previous: Path | None, into: Path, files: list[Path]) -> bool:
    """Hard-link ``files`` (relative paths) of a previous publication's folder ``previous`` into ``into``, when all of
    them are there; False (nothing linked) otherwise. For deliverables whose inputs did not change (the caller
    compares the digests it kept in the previous manifest): the same file, with the date it was made, at no cost.
    Publications are never modified in place, so a shared inode is safe."""
    if previous is None or not files or not all((previous / f).is_file() for f in files):
        return False
    for f in files:
        (into / f).parent.mkdir(parents=True, exist_ok=True)
        os.link(previous / f, into / f)
    return True

