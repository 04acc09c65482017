"""Shared pieces of the table generators: the output record and a few vectorised helpers."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..ingestion.specs import SPECS, SPECS_BY_NAME

TABLE_INDEX = {s.name: i for i, s in enumerate(SPECS)}


@dataclass
class Output:
    """One landing file to write: ``table`` (spec name), ``path`` relative to the landing folder."""
    table: str
    path: str
    columns: list[pa.Array]
    sections: list[tuple[str, list[pa.Array]]] | None = None  # FINESS etalab: (table, columns) per section
    first_line: str | None = None  # FINESS etalab marker line
    header: list[str] | None = None

    @property
    def spec(self):
        return SPECS_BY_NAME[self.table]

    @property
    def delimiter(self) -> str:
        return self.spec.delimiter

    @property
    def column_names(self) -> list[str]:
        return self.header or self.spec.column_names

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def month_rng(seed: int, table: str, key: int) -> np.random.Generator:
    """The random generator of one table × month (or snapshot): independent of every other one."""
    return np.random.default_rng([seed, TABLE_INDEX[table], key])


def hash_uniform(a: np.ndarray, b: int, salt: int) -> np.ndarray:
    """A deterministic uniform [0, 1) per (a, b) pair (splitmix64), shared between tables: e.g. whether a
    DUI dossier is "in use" in a month is the same draw for its events, its agenda and its DMP feed."""
    x = (np.asarray(a, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
         + np.uint64((b * 0x632BE59BD9B4E019 + salt * 0x85EBCA77C2B2AE63) % 2**64))
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


def pick_in_groups(rng: np.random.Generator, ptr: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each row, a random position inside its group of a CSR layout (``ptr`` offsets); -1 if empty."""
    lo = ptr[group]
    cnt = ptr[group + 1] - lo
    pos = lo + np.floor(rng.random(len(group)) * np.maximum(cnt, 1)).astype(np.int64)
    return np.where(cnt > 0, pos, -1)


def choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row from a per-row probability matrix (n × k)."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def poisson_repeat(rng: np.random.Generator, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw a Poisson count per row; return (row index repeated by count, position within its row)."""
    k = rng.poisson(np.maximum(lam, 0))
    idx = np.repeat(np.arange(len(lam)), k)
    pos = np.arange(len(idx)) - np.repeat(np.cumsum(k) - k, k)
    return idx, pos


def str_pool(values) -> pa.Array:
    return pa.array(list(values), pa.string())


__all__ = ["Output", "month_rng", "hash_uniform", "pick_in_groups", "choice_rows", "poisson_repeat", "str_pool",
           "TABLE_INDEX"]
