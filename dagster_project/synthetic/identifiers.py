"""Identifier rules of the landing contract, as pure functions (scalar and numpy-vectorised).

Used by the synthetic generator to *make* valid identifiers and by the tests (and the ingestion's tests)
to *check* them. The rules, as written in ``docs/landing.md``:

- FINESS: 9 characters, a département prefix (``01``…``95``, ``2A``/``2B`` for Corsica, ``97``/``98``
  for overseas numbers, whose ``departement`` field holds ``9A``…``9J``), the last digit a Luhn check
  digit over the 9 characters (``A`` and ``B`` count as ``0``). Every number of the real etalab excerpt
  passes this rule.
- INS / NIR: 15 characters, key = 97 − (first 13 digits mod 97), with ``2A``→19 and ``2B``→18 in the
  département position (characters 6–7) for the computation.
- RPPS: 11 digits; the numbers we generate start with ``1`` and end with a Luhn key.
- SIREN (9 digits) / SIRET (14 digits): Luhn over all digits.
- GALIS project reference: 8 digits (no key).
"""
from __future__ import annotations

import re

import numpy as np

__all__ = [
    "finess_check_digit",
    "ins_key",
    "ins_keys_np",
    "is_valid_finess",
    "is_valid_galis",
    "is_valid_ins",
    "is_valid_rpps",
    "is_valid_siren",
    "is_valid_siret",
    "luhn_check_digit",
    "luhn_check_digits_np",
    "luhn_is_valid",
    "make_finess",
    "make_galis",
    "make_ins",
    "make_rpps",
    "make_siren",
    "make_siret",
    "rpps_np",
]

_FINESS_RE = re.compile(r"(?:\d{2}|2[AB])\d{7}")
_FINESS_BAD_PREFIXES = {"00", "20", "96", "99"}
_INS_RE = re.compile(r"[1-8]\d{4}(?:\d{2}|2[AB])\d{8}")


# --------------------------------------------------------------------------------------------- Luhn
def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def luhn_check_digit(payload: str) -> str:
    """The digit to append to ``payload`` (digits only) so that the whole number passes Luhn."""
    if not payload.isdigit():
        raise ValueError(f"Luhn payload must be digits: {payload!r}")
    return str((10 - _luhn_sum(payload + "0") % 10) % 10)


def luhn_is_valid(number: str) -> bool:
    return number.isdigit() and _luhn_sum(number) % 10 == 0


def luhn_check_digits_np(payload: np.ndarray, ndigits: int) -> np.ndarray:
    """Vectorised :func:`luhn_check_digit` for integer payloads of ``ndigits`` digits (left-padded with 0)."""
    x = np.asarray(payload, dtype=np.int64).copy()
    total = np.zeros(x.shape, dtype=np.int64)
    for i in range(ndigits):
        d = x % 10
        x //= 10
        if i % 2 == 0:  # rightmost payload digit is doubled once the check digit is appended
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    return (10 - total % 10) % 10


# ------------------------------------------------------------------------------------------- FINESS
def _finess_digits(s: str) -> str:
    return s.replace("A", "0").replace("B", "0")


def finess_check_digit(first8: str) -> str:
    """Luhn check digit of a FINESS number from its first 8 characters (``2A``/``2B``: A and B count as 0)."""
    if len(first8) != 8:
        raise ValueError(f"FINESS payload must have 8 characters: {first8!r}")
    return luhn_check_digit(_finess_digits(first8))


def is_valid_finess(s: object) -> bool:
    """True when ``s`` is 9 characters, a known département prefix and a valid Luhn check digit."""
    if not isinstance(s, str) or not _FINESS_RE.fullmatch(s) or s[:2] in _FINESS_BAD_PREFIXES:
        return False
    return luhn_is_valid(_finess_digits(s))


def make_finess(prefix: str, body: int) -> str:
    """A valid FINESS number: ``prefix`` (2 to 4 characters) + zero-padded ``body`` + check digit."""
    first8 = f"{prefix}{body:0{8 - len(prefix)}d}"
    if len(first8) != 8:
        raise ValueError(f"body {body} too large for prefix {prefix!r}")
    return first8 + finess_check_digit(first8)


# ---------------------------------------------------------------------------------------- INS / NIR
def _nir13_number(first13: str) -> int:
    dep = first13[5:7]
    dep = {"2A": "19", "2B": "18"}.get(dep, dep)
    return int(first13[:5] + dep + first13[7:13])


def ins_key(first13: str) -> str:
    """The 2-digit key of a NIR/INS: 97 − (first 13 digits mod 97), 2A→19 and 2B→18."""
    return f"{97 - _nir13_number(first13) % 97:02d}"


def is_valid_ins(s: object) -> bool:
    """True when ``s`` is a 15-character NIR/INS with a matching key."""
    if not isinstance(s, str) or not _INS_RE.fullmatch(s):
        return False
    return ins_key(s[:13]) == s[13:]


def make_ins(sex: int, birth_year: int, birth_month: int, dep: str, commune: int, order: int) -> str:
    """A valid INS (NIR): sex (1/2), year and month of birth, birth département (``01``…, ``2A``, ``99``…),
    commune (3 digits), order number (3 digits), key."""
    first13 = f"{sex}{birth_year % 100:02d}{birth_month:02d}{dep}{commune:03d}{order:03d}"
    if len(first13) != 13:
        raise ValueError(f"bad NIR fields: {first13!r}")
    return first13 + ins_key(first13)


def ins_keys_np(first13: np.ndarray) -> np.ndarray:
    """Vectorised key for 13-digit integer NIR numbers (Corsica already mapped to 19/18)."""
    return 97 - np.asarray(first13, dtype=np.int64) % 97


# ---------------------------------------------------------------------------------------------- RPPS
def make_rpps(n: int) -> str:
    """RPPS number ``n`` (0 ≤ n < 10⁹): ``1`` + 9 digits + Luhn key (11 digits)."""
    payload = f"1{n:09d}"
    return payload + luhn_check_digit(payload)


def rpps_np(n: np.ndarray) -> np.ndarray:
    """Vectorised :func:`make_rpps`, as 11-digit integers."""
    payload = 1_000_000_000 + np.asarray(n, dtype=np.int64)
    return payload * 10 + luhn_check_digits_np(payload, 10)


def is_valid_rpps(s: object) -> bool:
    return isinstance(s, str) and len(s) == 11 and luhn_is_valid(s)


# ------------------------------------------------------------------------------------ SIREN / SIRET
def make_siren(n: int) -> str:
    payload = f"{n:08d}"
    return payload + luhn_check_digit(payload)


def make_siret(siren: str, nic: int) -> str:
    payload = f"{siren}{nic:04d}"
    return payload + luhn_check_digit(payload)


def is_valid_siren(s: object) -> bool:
    return isinstance(s, str) and len(s) == 9 and luhn_is_valid(s)


def is_valid_siret(s: object) -> bool:
    if not isinstance(s, str) or len(s) != 14 or not s.isdigit():
        return False
    if s.startswith("356000000"):  # La Poste: sum of the digits is a multiple of 5
        return sum(int(c) for c in s) % 5 == 0
    return luhn_is_valid(s)


# ---------------------------------------------------------------------------------------------- GALIS
def make_galis(n: int) -> str:
    return f"{n:08d}"


def is_valid_galis(s: object) -> bool:
    return isinstance(s, str) and len(s) == 8 and s.isdigit()
