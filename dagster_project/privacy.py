"""Patient identifiers: pseudonymised at the door, masked wherever a person reads them, files private by default.

**Pseudonymisation.** The INS/NIR of every landing table (``coord_dossiers.ins``, ``dui_dossiers.ins``,
``dmp_documents.patient_ins``: the columns with rule ``ins`` in ``ingestion/specs.py``) is checked at ingestion
(valid key or flagged, as before) and then stored only as its keyed hash, HMAC-SHA-256 under a secret key, in
hexadecimal; its validity travels in ``<column>_valid``. Joins on the INS (EP-4.2 dossier ↔ DMP document, EP-INS,
the patients of ESMS-DMP) compare keyed hashes: equal INS, equal hash, so every figure is the same. An unkeyed
hash of a NIR can be recomputed by anyone over its small, structured space; a keyed one cannot without the key.

**The key** lives outside the repository and the warehouse:

- ``EPARCOURS_PSEUDONYM_KEY``: the key itself, 64 hexadecimal characters (a secret store, CI), or else
- ``EPARCOURS_PSEUDONYM_KEY_FILE``: a file holding it, or else
- ``$XDG_CONFIG_HOME/eparcours/pseudonym.key`` (``~/.config/eparcours/pseudonym.key``), created at the first run
  with mode 600 in a folder of mode 700.

Keep it (and back it up with the same care as the warehouse): the working warehouse records the key's
fingerprint, and an ingestion with another key is refused, because new rows would no longer join the old ones
(a dossier and its DMP documents delivered before and after the change) and the auditors' pseudonyms would
change. With a lost or changed key, delete ``<home>/warehouse`` and run again: it is rebuilt from the landing
folder under the new key (the figures are the same; the pseudonyms in earlier audit samples are not).

**Masking.** Where an identifier must be shown to a person (the working quarantine, a finding), only its first two
characters and its length are: ``23…(15)``. A broken line kept in the working quarantine has every NIR-shaped
run of characters masked; published files carry no broken line at all.

**Permissions.** Files the pipeline creates are readable by their owner only (umask 077): the working warehouse,
the key, the logs, the working quarantine, dbt's artefacts. The publication is readable by the group named in
``EPARCOURS_PUBLISHED_GROUP`` (default: the owner's primary group), never by others.
"""
from __future__ import annotations

import grp
import hashlib
import hmac
import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

KEY_ENV = "EPARCOURS_PSEUDONYM_KEY"
KEY_FILE_ENV = "EPARCOURS_PSEUDONYM_KEY_FILE"
GROUP_ENV = "EPARCOURS_PUBLISHED_GROUP"
KEY_BYTES = 32
PRIVATE_UMASK = 0o077

# A NIR / INS as it may appear inside a broken line: 13 characters (sex, year, month, department - 2A/2B in Corsica
# -, commune, order) and its 2-digit key, not inside a longer run of digits.
NIR_PATTERN = r"(^|[^0-9])[1-8][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{6}(?:[0-9]{2})?([^0-9]|$)"
MASKED_IN_LINE = "<INS masqué>"


class PseudonymKeyError(RuntimeError):
    """The pseudonymisation key is missing, malformed, or not the one the warehouse was built with."""


def default_key_file() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "eparcours" / "pseudonym.key"


def key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or default_key_file()).expanduser()


def _parse(text: str, where: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise PseudonymKeyError(f"{where}: the pseudonymisation key must be {2 * KEY_BYTES} hexadecimal characters") from None
    if len(key) < KEY_BYTES:
        raise PseudonymKeyError(f"{where}: the pseudonymisation key must have at least {KEY_BYTES} bytes "
                        f"({2 * KEY_BYTES} hexadecimal characters)")
    return key


def load_key(create: bool = True) -> bytes:
    """The secret key: from ``EPARCOURS_PSEUDONYM_KEY``, else the key file (created with mode 600 when absent)."""
    if os.environ.get(KEY_ENV):
        return _parse(os.environ[KEY_ENV], KEY_ENV)
    path = key_file()
    if not path.exists():
        if not create:
            raise PseudonymKeyError(f"no pseudonymisation key at {path} (set {KEY_ENV} or {KEY_FILE_ENV})")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(KEY_BYTES) + "\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, mode & 0o700)
    return _parse(path.read_text(encoding="ascii"), str(path))


def fingerprint(key: bytes) -> str:
    """Tells keys apart without revealing them (recorded in the warehouse)."""
    return hmac.new(key, b"eparcours pseudonymisation key fingerprint", hashlib.sha256).hexdigest()[:16]


def pseudonym(value: str | None, key: bytes) -> str | None:
    """HMAC-SHA-256 of the identifier, hexadecimal (what ``hmac_sql`` computes in DuckDB)."""
    if value is None:
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_sql(col_sql: str, key: bytes) -> str:
    """DuckDB SQL computing ``pseudonym(col, key)`` (RFC 2104 with SHA-256: no HMAC function is built in)."""
    k = key if len(key) <= 64 else hashlib.sha256(key).digest()
    k = k.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in k).hex()
    opad = bytes(b ^ 0x5C for b in k).hex()
    return (f"CASE WHEN {col_sql} IS NULL THEN NULL ELSE lower(sha256(unhex('{opad}') || "
            f"unhex(sha256(unhex('{ipad}') || encode({col_sql}))))) END")


def mask(value: str | None) -> str | None:
    """An identifier as a person may see it: its first two characters and its length (``23…(15)``)."""
    if value is None:
        return None
    return f"{value[:2]}…({len(value)})"


def mask_sql(col_sql: str) -> str:
    """``mask`` in DuckDB SQL."""
    return (f"CASE WHEN {col_sql} IS NULL THEN NULL "
            f"ELSE left({col_sql}, 2) || '…(' || length({col_sql}) || ')' END")


def mask_line_sql(col_sql: str) -> str:
    """A broken line with every NIR-shaped run of characters masked."""
    def once(sql: str) -> str:
        return f"regexp_replace({sql}, '{NIR_PATTERN}', '\\1{MASKED_IN_LINE}\\2', 'g')"
    return once(once(col_sql))  # twice: two identifiers side by side share a separator


# --------------------------------------------------------------------------- permissions


def private_umask() -> None:
    """Every file and folder this process creates from now on is its owner's only."""
    os.umask(PRIVATE_UMASK)


@lru_cache(maxsize=1)
def published_gid() -> int:
    name = os.environ.get(GROUP_ENV)
    if not name:
        return os.getgid()
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise PseudonymKeyError(f"{GROUP_ENV}={name}: no such group on this machine") from None


def share_with_group(root: Path, recursive: bool = True) -> None:
    """``root`` and everything under it readable by the publication group (folders traversable), nothing by
    others: directories 750, files 640, group ``published_gid()``."""
    gid = published_gid()
    for p in [root, *(root.rglob("*") if recursive else [])]:
        if p.is_symlink():
            continue
        try:
            if gid != os.stat(p).st_gid:
                os.chown(p, -1, gid)
        except PermissionError:
            pass  # not a member of that group: the mode still keeps others out
        os.chmod(p, 0o750 if p.is_dir() else 0o640)
