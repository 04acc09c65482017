"""One change each to a generated landing folder: deliveries the quality gate must publish and deliveries it
must refuse (tests/e2e/test_gate_battery.py, scripts/gate_battery.py). A change is a function of the landing
folder; it writes the changed delivery as a re-delivery (``_v2``) or rewrites the history, as a sender would.
Each refusal names the finding ids (or id prefixes) it must produce, so a refusal for another reason does not
count.
"""
from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .handmade import luhn_finess


def read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def v2(landing: Path, rel: str, lines: list[str]) -> None:
    src = landing / rel
    write(src.with_name(src.stem + "_v2.csv"), lines)


def field_index(header: str, name: str) -> int:
    return header.split(";").index(name)


def monthly(landing: Path, folder: str, table: str) -> list[Path]:
    return sorted(p for p in (landing / folder).glob(f"{table}_????-??.csv"))


# --------------------------------------------------------------------------- must be refused


def cut(rel: str, share: float):
    def change(landing: Path):
        lines = read(landing / rel)
        v2(landing, rel, lines[:1] + lines[1:1 + int((len(lines) - 1) * share)])
    return change


def drop_largest_structure(rel: str, column: str):
    def change(landing: Path):
        lines = read(landing / rel)
        i = field_index(lines[0], column)
        counts: dict[str, int] = {}
        for ln in lines[1:]:
            counts[ln.split(";")[i]] = counts.get(ln.split(";")[i], 0) + 1
        largest = max(counts, key=counts.get)
        v2(landing, rel, lines[:1] + [ln for ln in lines[1:] if ln.split(";")[i] != largest])
    return change


def previous_month_again(rel: str, previous: str):
    def change(landing: Path):
        v2(landing, rel, read(landing / previous))
    return change


def every_line_twice(rel: str):
    def change(landing: Path):
        lines = read(landing / rel)
        v2(landing, rel, lines[:1] + lines[1:] + lines[1:])
    return change


def lower_codes(rel: str, column: str):
    def change(landing: Path):
        lines = read(landing / rel)
        i = field_index(lines[0], column)
        v2(landing, rel, lines[:1] + [";".join(f.lower() if k == i else f for k, f in enumerate(ln.split(";")))
                                      for ln in lines[1:]])
    return change


def other_table_content(rel: str, other: str):
    def change(landing: Path):
        v2(landing, rel, read(landing / other))
    return change


def keep_half(rel: str):
    def change(landing: Path):
        lines = read(landing / rel)
        v2(landing, rel, lines[:1] + lines[1::2])
    return change


def shift_years(rel: str, years: int):
    """Every timestamp of the file moved by ``years`` (the month of the file no longer holds its rows)."""
    def change(landing: Path):
        lines = read(landing / rel)
        out = [lines[0]]
        for ln in lines[1:]:
            fields = ln.split(";")
            for k, f in enumerate(fields):
                if len(f) >= 19 and f[4] == "-" and f[10] == "T":
                    fields[k] = f"{int(f[:4]) + years:04d}{f[4:]}"
            out.append(";".join(fields))
        v2(landing, rel, out)
    return change


def misnamed_copy(rel: str, new_name: str):
    def change(landing: Path):
        shutil.copy(landing / rel, (landing / rel).with_name(new_name))
    return change


def rename(rel: str, new_name: str):
    def change(landing: Path):
        (landing / rel).rename((landing / rel).with_name(new_name))
    return change


# --------------------------------------------------------------------------- must publish


def fewer_rows(rel: str, share: float, seed: int = 1):
    def change(landing: Path):
        rng = random.Random(seed)
        lines = read(landing / rel)
        v2(landing, rel, lines[:1] + [ln for ln in lines[1:] if rng.random() >= share])
    return change


def growth(rel: str, factor: int, id_column: str):
    """Real growth: ``factor`` times the rows, each copy a new event (new id), same month."""
    def change(landing: Path):
        lines = read(landing / rel)
        i = field_index(lines[0], id_column)
        out = lines[:1]
        for k in range(factor):
            for ln in lines[1:]:
                f = ln.split(";")
                if k:
                    f[i] = f"{f[i]}G{k}"
                out.append(";".join(f))
        v2(landing, rel, out)
    return change


def bursty(folder: str, table: str, pattern=(1.0, 0.0, 0.004, 1.0, 2.0, 0.0), seed: int = 3):
    """A tool used in campaigns: months in full, months with a header only or a handful of rows (whole history)."""
    def change(landing: Path):
        rng = random.Random(seed)
        for n, path in enumerate(monthly(landing, folder, table)):
            lines = read(path)
            share = pattern[n % len(pattern)]
            body = lines[1:]
            if share >= 1:
                keep = body * int(share)
                keep = [ln if k < len(body) else ln.replace(";", f"B{k};", 1) for k, ln in enumerate(keep)]
            else:
                keep = [ln for ln in body if rng.random() < share] or (body[:8] if share > 0 else [])
            write(path, lines[:1] + keep)
    return change


def header_only_late_month(folder: str, table: str, month: str):
    """A header-only month, in a table whose history already has tiny months."""
    def change(landing: Path):
        files = monthly(landing, folder, table)
        for path in files[2:-3:4]:  # tiny months scattered through the history
            lines = read(path)
            write(path, lines[:4])
        path = landing / folder / f"{table}_{month}.csv"
        write(path, read(path)[:1])
    return change


def only_last_delivery(folder: str, table: str):
    """The first delivery ever of a table: only its last month exists."""
    def change(landing: Path):
        for path in monthly(landing, folder, table)[:-1]:
            path.unlink()
    return change


def esms_only(landing: Path) -> None:
    """A region whose landing folder holds the ESMS Numérique extracts only."""
    for folder in ("coordination", "ror", "declaratif"):
        shutil.rmtree(landing / folder, ignore_errors=True)


def new_structure_from(month: str, finess_new: str):
    """A new ESMS appears mid-history in the DUI events: the events of an existing one, under a new FINESS."""
    def change(landing: Path):
        for path in monthly(landing, "dui", "dui_evenements"):
            if path.stem[-7:] < month:
                continue
            lines = read(path)
            i = field_index(lines[0], "finess_geo")
            donor = lines[1].split(";")[i]
            extra = [";".join([finess_new if k == i else (f + "N" if k == 2 else f)
                               for k, f in enumerate(ln.split(";"))])
                     for ln in lines[1:] if ln.split(";")[i] == donor]
            write(path, lines + extra)
    return change


def structure_closing(month: str):
    """An ESMS closes: its rows stop from ``month`` in every monthly table and it leaves the reference snapshots
    (FINESS stock and ESMS Numérique projects) dated from then on."""
    def change(landing: Path):
        agenda = read(monthly(landing, "dui", "dui_evenements")[-1])
        i = field_index(agenda[0], "finess_geo")
        counts: dict[str, int] = {}
        for ln in agenda[1:]:
            counts[ln.split(";")[i]] = counts.get(ln.split(";")[i], 0) + 1
        closing = max(counts, key=counts.get)
        day = month.replace("-", "") + "01"
        for folder in ("dui", "mss", "dmp"):
            for path in sorted((landing / folder).glob("*_????-??.csv")):
                if path.stem[-7:] >= month:
                    lines = read(path)
                    write(path, lines[:1] + [ln for ln in lines[1:] if closing not in ln.split(";")])
        projets = sorted((landing / "dui").glob("esms_projets_*.csv"))
        last = read(projets[-1])
        write(landing / "dui" / f"esms_projets_{day}.csv", [ln for ln in last if closing not in ln.split(";")])
        for p in sorted(landing.glob("finess/etalab-*.csv")):
            if p.name.split("-")[3] >= day:
                write(p, [ln for ln in read(p) if ln.split(";")[1:2] != [closing]])
    return change


@dataclass
class Scenario:
    name: str
    change: Callable[[Path], None]
    expect: list[str] = field(default_factory=list)  # finding ids (or prefixes) a refusal must produce


REFUSED = [
    Scenario("a month cut to its first 10 % of lines", cut("dui/dui_evenements_2024-12.csv", 0.10),
             ["dui_evenements.", "@2024-12"]),
    Scenario("a month cut to its first 40 % of lines", cut("mss/mss_messages_2024-12.csv", 0.40),
             ["mss_messages.", "@2024-12"]),
    Scenario("a month cut to its first 70 % of lines", cut("dui/dui_evenements_2024-10.csv", 0.70),
             ["dui_evenements.", "@2024-10"]),
    Scenario("one large structure's rows missing from a month",
             drop_largest_structure("dui/dui_agenda_2024-12.csv", "finess_geo"),
             ["dui_agenda.structures_missing", "@2024-12"]),
    Scenario("last month's file delivered again under this month's name",
             previous_month_again("coordination/coord_evenements_2024-12.csv",
                                  "coordination/coord_evenements_2024-11.csv"),
             ["coord_evenements.", "@2024-12"]),
    Scenario("every line duplicated", every_line_twice("coordination/coord_messages_2024-12.csv"),
             ["coord_messages.quarantine_share@2024-12"]),
    Scenario("a code list renamed at the sender", lower_codes("mss/mss_messages_2024-10.csv", "delivery_status"),
             ["mss_messages.quarantine_share@2024-10"]),
    Scenario("a file of another table under this name",
             other_table_content("coordination/coord_dossiers_2024-12.csv", "coordination/coord_equipe_2024-12.csv"),
             ["coord_dossiers.refused_delivery@2024-12"]),
    Scenario("a snapshot that lost half its rows", keep_half("dui/dui_dossiers_2024-12.csv"),
             ["dui_dossiers.", "@2024-12"]),
    Scenario("dates shifted by a year", shift_years("dmp/dmp_documents_2024-12.csv", -1),
             ["dmp_documents.dates_in_month@2024-12"]),
    Scenario("a month of events dated in the future", shift_years("mss/mss_messages_2024-08.csv", 7),
             ["mss_messages.quarantine_share@2024-08"]),
    Scenario("a month missing (its file misnamed)",
             misnamed_copy("dmp/dmp_documents_2024-11.csv", "dmp_document_2024-11.csv"),
             ["folder.unrecognised_file@dmp/dmp_document_2024-11.csv"]),
]

# Published on top of an already published region (judged as new deliveries).
PUBLISHED_INCREMENTAL = [
    Scenario("a month re-delivered with a few rows fewer", fewer_rows("mss/mss_messages_2024-12.csv", 0.02)),
    Scenario("real growth x3 in one month", growth("dmp/dmp_documents_2024-12.csv", 3, "document_id")),
]

# Published on a fresh run over a landing folder whose whole history has the shape.
PUBLISHED_FRESH = [
    Scenario("sparse and bursty monthly tables", bursty("coordination", "coord_messages")),
    Scenario("a header-only month in a table whose history has tiny months",
             header_only_late_month("dui", "dui_agenda", "2024-11")),
    Scenario("a new structure appearing mid-history", new_structure_from("2024-03", luhn_finess("01009999"))),
    Scenario("a structure closing (its rows stop, it leaves the structures snapshot)", structure_closing("2024-06")),
    Scenario("the first delivery ever of a table", only_last_delivery("coordination", "coord_equipe")),
]

PUBLISHED_ESMS_ONLY = Scenario("a region with ESMS data only", esms_only)
