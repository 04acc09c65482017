"""Identifier rules (FINESS, INS/NIR, RPPS, SIRET, GALIS) against real public test vectors.

These functions are shared with the ingestion: a regression here would let bad identifiers through
the quarantine, or quarantine real FINESS numbers.
"""
from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from dagster_project.synthetic import fmt
from dagster_project.synthetic.identifiers import (
    finess_check_digit,
    ins_key,
    is_valid_finess,
    is_valid_galis,
    is_valid_ins,
    is_valid_rpps,
    is_valid_siren,
    is_valid_siret,
    luhn_check_digit,
    luhn_check_digits_np,
    make_finess,
    make_galis,
    make_ins,
    make_rpps,
    make_siren,
    make_siret,
    rpps_np,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _excerpt_rows() -> list[list[str]]:
    with open(FIXTURES / "etalab-cs1100502-stock-20260512-0339.EXCERPT-15-lines.csv", encoding="utf-8", newline="") as f:
        return [r for r in csv.reader(f, delimiter=";") if r[0] == "structureet"]


def test_real_finess_numbers_pass_luhn():
    rows = _excerpt_rows()
    assert len(rows) == 14
    numbers = [r[1] for r in rows] + [r[2] for r in rows]
    for n in numbers:
        assert is_valid_finess(n), n
        assert finess_check_digit(n[:8]) == n[8]


def test_real_finess_with_wrong_check_digit_fails():
    for r in _excerpt_rows():
        n = r[1]
        wrong = n[:8] + str((int(n[8]) + 1) % 10)
        assert not is_valid_finess(wrong)


def test_real_siret_of_the_excerpt_pass_luhn():
    sirets = [r[22] for r in _excerpt_rows() if r[22]]
    assert len(sirets) >= 8
    assert all(is_valid_siret(s) for s in sirets)
    assert all(is_valid_siren(s[:9]) for s in sirets)


@pytest.mark.parametrize("bad", ["", "01000002", "0100000245", "X10000024", "000000000", "2C0000001", None, 10000024])
def test_malformed_finess(bad):
    assert not is_valid_finess(bad)


def test_corsican_finess_count_letters_as_zero():
    n = make_finess("2A", 12345)
    assert n.startswith("2A") and len(n) == 9 and is_valid_finess(n)
    assert finess_check_digit(n[:8]) == luhn_check_digit("20" + n[2:8])  # "2A" counts as "20"
    assert is_valid_finess(make_finess("2B", 5))


def test_overseas_finess_prefixes():
    for prefix in ("9701", "9702", "9703", "9704", "9805", "9806"):
        n = make_finess(prefix, 1234)
        assert n.startswith(prefix) and is_valid_finess(n)


def test_ins_test_vectors():
    with open(FIXTURES / "nir_ins_test_vectors.csv", encoding="utf-8", newline="") as f:
        vectors = list(csv.DictReader(f, delimiter=";"))
    assert len(vectors) >= 8
    for v in vectors:
        assert is_valid_ins(v["nir"]) is (v["expected_valid"] == "true"), v


def test_make_ins_round_trip_including_corsica():
    for dep in ("01", "69", "2A", "2B", "99"):
        ins = make_ins(2, 1948, 7, dep, 73, 4)
        assert len(ins) == 15 and is_valid_ins(ins), ins
        assert ins[5:7] == dep
    assert make_ins(2, 1953, 7, "2B", 73, 4) == "253072B07300470"  # python-stdnum doctest
    assert ins_key("2530719073004") == ins_key("253072A073004")


def test_ins_with_wrong_key_is_invalid():
    ins = make_ins(1, 1960, 1, "69", 123, 456)
    assert not is_valid_ins(fmt.corrupt_ins(ins))


def test_vectorised_ins_are_valid_distinct_and_stable():
    ids = np.arange(100_000, 102_000)
    deps = ["01", "2A", "2B", "97", "99", "69"]
    a = fmt.ins_from_ids(ids, deps).to_pylist()
    b = fmt.ins_from_ids(ids, deps).to_pylist()
    assert a == b
    assert len(set(a)) == len(a)
    assert all(is_valid_ins(x) for x in a)
    assert {x[5:7] for x in a} >= {"2A", "2B", "97", "99"}


def test_rpps_siret_galis():
    for n in (0, 1, 123456789, 999999999):
        r = make_rpps(n)
        assert len(r) == 11 and r.startswith("1") and is_valid_rpps(r)
    assert [str(x) for x in rpps_np(np.array([0, 1, 123456789]))] == [make_rpps(0), make_rpps(1), make_rpps(123456789)]
    assert not is_valid_rpps(make_rpps(42)[:10] + str((int(make_rpps(42)[10]) + 1) % 10))
    siren = make_siren(26010004)
    assert siren == "260100045"  # the real SIREN of CH de Bourg-en-Bresse (excerpt line 2)
    assert is_valid_siret(make_siret(siren, 12)) and make_siret(siren, 12).startswith(siren)
    assert is_valid_galis(make_galis(1234)) and make_galis(1234) == "00001234"
    assert not is_valid_galis("1234567")


def test_vectorised_luhn_matches_scalar():
    rng = np.random.default_rng(1)
    payload = rng.integers(0, 10**8, 500)
    got = luhn_check_digits_np(payload, 8)
    assert [str(d) for d in got] == [luhn_check_digit(f"{p:08d}") for p in payload]


def test_paris_offsets_match_zoneinfo():
    """Offsets of wall-clock times around the DST changes equal the tz database's (first occurrence
    for the ambiguous hour of the autumn change; the missing spring hour is moved one hour later)."""
    tz = ZoneInfo("Europe/Paris")
    days, secs = [], []
    for d0 in (date(2021, 3, 28), date(2021, 10, 31), date(2022, 3, 27), date(2024, 10, 27), date(2024, 3, 5)):
        for dd in (-1, 0, 1):
            d = d0 + timedelta(days=dd)
            for s in range(0, 86400, 1800):
                days.append(fmt.day_number(d))
                secs.append(s)
    days, secs = np.array(days), np.array(secs)
    got = fmt.timestamps(days, secs).to_pylist()
    fixed = fmt.fix_nonexistent(days, secs)
    for n, s, text in zip(days, fixed, got):
        local = datetime.combine(fmt.day_to_date(n), datetime.min.time()) + timedelta(seconds=int(s))
        offset = local.replace(tzinfo=tz).utcoffset()
        assert text == local.strftime("%Y-%m-%dT%H:%M:%S") + ("+02:00" if offset == timedelta(hours=2) else "+01:00")
    assert fmt.timestamps(np.array([fmt.day_number(date(2024, 3, 5))]), np.array([14 * 3600 + 131])).to_pylist() == [
        "2024-03-05T14:02:11+01:00"]


def test_scalar_paris_offset():
    assert fmt.paris_offset(date(2024, 1, 15)) == "+01:00"
    assert fmt.paris_offset(date(2024, 7, 15)) == "+02:00"
    assert fmt.paris_offset(date(2024, 3, 31), 1 * 3600) == "+01:00"  # before the spring change (02:00)
    assert fmt.paris_offset(date(2024, 3, 31), 4 * 3600) == "+02:00"
    assert fmt.paris_offset(date(2024, 10, 27), 4 * 3600) == "+01:00"  # after the autumn change (03:00)
