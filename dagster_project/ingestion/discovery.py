"""What is in the landing folder: which table each file feeds, its delivery key and version, and which file of
each delivery is the one in force.

Rules (the landing contract, ``specs.py``, gives the file-name patterns):

- ``<landing>/<source>/<file>``; hidden files and folders (``.synthetic/``...) are ignored.
- A file re-delivered for the same month or snapshot date replaces the earlier delivery. Which file wins is
  decided by its **name**, never by its modification time: ``x_2024-03_v2.csv`` > ``x_2024-03_v1.csv`` >
  ``x_2024-03_<other suffix>.csv`` (in name order, e.g. a date ``_20240415``) > ``x_2024-03.csv`` (for the FINESS
  etalab stock, a later extraction time ``-HHMM`` of the same day wins first). ``touch``, a restore from backup or a copy without ``-p`` change nothing. A file
  overwritten in place is seen by its SHA-256 (``engine``).
- An entry that is not a regular file inside the landing folder is refused by name and never read: a symbolic
  link resolving outside the landing folder, a FIFO, a device, a socket.
- A file in a known source folder whose name matches no table is *unrecognised*: the quality gate blocks
  publication until it is renamed or accepted (a month silently missing because of a typo moves results).
  Files outside the source folders are unrecognised too (reported, not blocking).
"""
from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .specs import SOURCES, SPECS, TableSpec

HINTS = {s.name: s.pattern for s in SPECS}


@dataclass(frozen=True)
class LandingFile:
    """One entry of the landing folder, as discovered (nothing read yet)."""

    rel: str  # path relative to the landing folder, with '/'
    path: Path
    source: str  # first folder ('' at the root)
    tables: tuple[str, ...] = ()  # tables it feeds (two for the FINESS etalab stock file)
    delivery_key: str | None = None  # YYYY-MM (monthly) or YYYY-MM-DD (dated snapshot)
    version: tuple = ()  # re-delivery order within the same key (higher wins): (etalab time, rank, N, suffix)
    size: int = 0
    mtime_ns: int = 0
    # inode change time: set by the kernel on every write, never by `cp -p`, `rsync -t` or `touch` (which set
    # mtime back): with size and mtime, the cheap proof that a file is the one already hashed
    ctime_ns: int = 0
    status: str = "candidate"  # candidate | unrecognised | refused
    reason: str = ""

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class Inventory:
    """Every entry of the landing folder, and per table the file in force for each delivery key."""

    files: list[LandingFile] = field(default_factory=list)
    # table -> delivery key -> the files of that key, winner first
    deliveries: dict[str, dict[str, list[LandingFile]]] = field(default_factory=dict)

    def winners(self, table: str) -> list[LandingFile]:
        """The file in force for each delivery key of ``table``, in delivery-key order."""
        return [files[0] for _, files in sorted(self.deliveries.get(table, {}).items())]

    def superseded(self, table: str) -> list[tuple[LandingFile, LandingFile]]:
        """(file, the winner that supersedes it) for every other file of a delivery key of ``table``."""
        return [(f, files[0]) for _, files in sorted(self.deliveries.get(table, {}).items()) for f in files[1:]]

    @property
    def unrecognised(self) -> list[LandingFile]:
        return [f for f in self.files if f.status == "unrecognised"]

    @property
    def refused(self) -> list[LandingFile]:
        return [f for f in self.files if f.status == "refused"]


def match(spec: TableSpec, name: str) -> tuple[str, tuple[int, ...]] | None:
    """(delivery key, version) when ``name`` is a file of ``spec``, else None."""
    m = re.fullmatch(spec.pattern, name, flags=re.IGNORECASE)
    if not m:
        return None
    key = m.group("key")
    if len(key) == 8 and key.isdigit():  # YYYYMMDD -> ISO date
        key = f"{key[:4]}-{key[4:6]}-{key[6:]}"
    groups = m.groupdict()
    if groups.get("version"):
        rank = (2, int(groups["version"]), "")
    elif groups.get("suffix"):
        rank = (1, 0, groups["suffix"].lower())
    else:
        rank = (0, 0, "")
    return key, (int(groups.get("time") or 0), *rank)


def _hint(name: str) -> str:
    """The closest table file-name pattern, to help fix a typo."""
    stem = re.sub(r"[_-]?\d{4}-?\d{2}(-?\d{2})?(_v\d+)?(-\d{4})?\.csv$", "", name, flags=re.IGNORECASE).lower()
    close = difflib.get_close_matches(stem, list(HINTS), n=1, cutoff=0.6)
    if not close:
        return ""
    s = next(s for s in SPECS if s.name == close[0])
    example = {"event_monthly": "YYYY-MM", "snapshot_monthly": "YYYY-MM", "snapshot_dated": "YYYYMMDD"}[s.kind]
    if s.layout == "finess_etalab":
        return " (did you mean etalab-cs1100507-stock-YYYYMMDD-HHMM.csv?)"
    return f" (did you mean {s.name}_{example}.csv?)"


def _classify(landing: Path, rel: str, path: Path) -> LandingFile:
    parts = rel.split("/")
    source = parts[0] if len(parts) > 1 else ""
    try:
        lst = os.lstat(path)
    except OSError as e:
        return LandingFile(rel, path, source, status="refused", reason=f"cannot be read ({e.strerror})")
    if stat.S_ISLNK(lst.st_mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return LandingFile(rel, path, source, status="refused",
                               reason="is a symbolic link whose target does not exist: not read")
        if landing not in target.parents:
            return LandingFile(rel, path, source, status="refused",
                               reason="is a symbolic link to a path outside the landing folder: not read")
        st = os.stat(path)
    else:
        st = lst
    if not stat.S_ISREG(st.st_mode):
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISBLK(st.st_mode) or stat.S_ISCHR(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        return LandingFile(rel, path, source, status="refused", reason=f"is {kind}, not a regular file: not read")
    base = LandingFile(rel, path, source, size=st.st_size, mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns)
    tables, key, version = [], None, ()
    for s in SPECS:
        if s.source != source:
            continue
        m = match(s, path.name)
        if m is not None:
            tables.append(s.name)
            key, version = m
    if not tables:
        where = (f"in {source}/" if source in SOURCES else
                 "outside the source folders " + ", ".join(f"{s}/" for s in SOURCES))
        return LandingFile(rel, path, source, size=st.st_size, mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns,
                           status="unrecognised",
                           reason=f"its name matches no landing table {where}{_hint(path.name)}")
    return LandingFile(base.rel, path, source, tuple(tables), key, version, st.st_size, st.st_mtime_ns,
                       st.st_ctime_ns)


def _walk(landing: Path):
    """Every non-hidden entry under ``landing`` (files, symlinks, special files), symlinked folders not followed."""
    for dirpath, dirnames, filenames in os.walk(landing, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        # a symlink to a folder is listed in dirnames by os.walk: treat it as an entry of its own
        for d in list(dirnames):
            if (here / d).is_symlink():
                dirnames.remove(d)
                filenames.append(d)
            elif d.lower().endswith(".csv"):  # a folder named like a landing file: named, never silently skipped
                filenames.append(d)
        for f in sorted(filenames):
            if f.startswith("."):
                continue
            p = here / f
            yield p.relative_to(landing).as_posix(), p


def inventory(landing: Path) -> Inventory:
    """Classify every entry of ``landing`` and order the files of each delivery key (winner first)."""
    landing = landing.resolve()
    inv = Inventory(deliveries={s.name: {} for s in SPECS})
    for rel, path in _walk(landing):
        f = _classify(landing, rel, path)
        inv.files.append(f)
        for t in f.tables:
            inv.deliveries[t].setdefault(f.delivery_key, []).append(f)
    for by_key in inv.deliveries.values():
        for files in by_key.values():
            files.sort(key=lambda f: (f.version, f.name), reverse=True)
    return inv


def discover(landing: Path) -> tuple[dict[str, list[tuple[Path, str]]], list[str]]:
    """Compatibility view: the file in force for each delivery of each table, and the unrecognised entries."""
    inv = inventory(landing)
    by_table = {s.name: [(f.path, f.delivery_key) for f in inv.winners(s.name)] for s in SPECS}
    return by_table, [f.rel for f in inv.files if f.status != "candidate"]
