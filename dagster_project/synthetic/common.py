"""Shared pieces of the table generators: the output record and a few vectorised helpers."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..ingestion.specs import SPECS, SPECS_BY_NAME

TABLE_INDEX = {s.name: i for i, s in enumerate(SPECS)}


@dataclass
class Output:
    """One landing file to write: ``table`` (spec name), ``path`` relative to the landing folder.

    Either ``columns`` (Arrow string arrays) or, for the big monthly tables, ``n`` rows and a
    ``formatter(start, stop)`` that formats a slice of rows: the file is then written slice by slice and
    never holds a whole month of strings in memory.
    """
    table: str
    path: str
    columns: list[pa.Array] | None = None
    sections: list[tuple[str, list[pa.Array]]] | None = None  # FINESS etalab: (table, columns) per section
    first_line: str | None = None  # FINESS etalab marker line
    header: list[str] | None = None
    n: int = 0
    formatter: Callable[[int, int], list[pa.Array]] | None = None
    stream: Callable[[], Iterator[list[pa.Array]]] | None = None  # batches drawn while writing (n unknown)

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
        if self.columns is None:
            return self.n
        return len(self.columns[0]) if self.columns else 0

    def materialize(self) -> None:
        """Format every row now (needed to inject defects into the file)."""
        if self.columns is None and self.stream is not None:
            parts = list(self.stream())
            self.columns = [pa.concat_arrays([p[k] for p in parts]) for k in range(len(self.column_names))] if parts \
                else [pa.array([], pa.string()) for _ in self.column_names]
            self.stream = None
        elif self.columns is None:
            self.columns = self.formatter(0, self.n)
            self.formatter = None

    def batches(self, size: int) -> Iterator[list[pa.Array]]:
        if self.columns is not None:
            yield self.columns
            return
        if self.stream is not None:
            yield from self.stream()
            return
        for start in range(0, self.n, size):
            yield self.formatter(start, min(self.n, start + size))


def enum(table: str, column: str) -> tuple[str, ...]:
    """The allowed values of an enum column, from the landing contract (the generators index them)."""
    values = next(c.values for c in SPECS_BY_NAME[table].columns if c.name == column)
    if not values:
        raise ValueError(f"{table}.{column} is not an enum")
    return values


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


__all__ = [
    "TABLE_INDEX",
    "Output",
    "choice_rows",
    "hash_uniform",
    "month_rng",
    "pick_in_groups",
    "poisson_repeat",
    "str_pool",
]
