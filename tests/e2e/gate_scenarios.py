"""One change each to a generated landing folder: deliveries the quality gate must publish and deliveries it
must refuse (tests/e2e/test_gate_battery.py, scripts/gate_battery.py). A change is a function of the landing
folder; it writes the changed delivery as a re-delivery (``_v2``) or rewrites the history, as a sender would.
Each refusal names the finding ids (or id prefixes) it must produce, so a refusal for another reason does not
count.
"""
from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
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


def half_snapshot(folder: str, table: str):
    """The latest dated snapshot of ``table`` re-delivered with only the first half of its entities."""
    def change(landing: Path):
        latest = sorted((landing / folder).glob(f"{table}_????????.csv"))[-1]
        lines = read(latest)
        v2(landing, str(latest.relative_to(landing)), lines[:1] + lines[1:1 + (len(lines) - 1) // 2])
    return change


def swap_columns(rel: str, a: str, b: str, in_place: bool = False):
    """The values of two columns exchanged under an unchanged header. ``in_place``: the file itself is rewritten
    and given back its modification time, as ``cp -p`` or ``rsync -t`` leave a correction (same size too)."""
    def change(landing: Path):
        path = landing / rel
        lines = read(path)
        i, j = field_index(lines[0], a), field_index(lines[0], b)
        out = lines[:1]
        for ln in lines[1:]:
            f = ln.split(";")
            f[i], f[j] = f[j], f[i]
            out.append(";".join(f))
        if in_place:
            st = path.stat()
            write(path, out)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
            assert path.stat().st_size == st.st_size
        else:
            v2(landing, rel, out)
    return change


def copy_column(rel: str, source: str, target: str):
    """``target`` gets the values of ``source`` (an id column replaced by another that repeats)."""
    def change(landing: Path):
        lines = read(landing / rel)
        i, j = field_index(lines[0], source), field_index(lines[0], target)
        out = lines[:1]
        for ln in lines[1:]:
            f = ln.split(";")
            f[j] = f[i]
            out.append(";".join(f))
        v2(landing, rel, out)
    return change


def blank_column(rel: str, column: str):
    def change(landing: Path):
        lines = read(landing / rel)
        i = field_index(lines[0], column)
        v2(landing, rel, lines[:1] + [";".join("" if k == i else f for k, f in enumerate(ln.split(";")))
                                      for ln in lines[1:]])
    return change


def dossier_structures(landing: Path) -> dict[str, str]:
    """dossier_id -> structure_id from every coord_dossiers snapshot (the latest wins)."""
    out: dict[str, str] = {}
    for path in monthly(landing, "coordination", "coord_dossiers"):
        lines = read(path)
        i, j = field_index(lines[0], "dossier_id"), field_index(lines[0], "structure_id")
        for ln in lines[1:]:
            f = ln.split(";")
            out[f[i]] = f[j]
    return out


def drop_largest_structure_via_dossier(rel: str):
    """Every row of the largest structure (by dossiers) missing from a file that names only the dossier
    (coord_evenements, coord_equipe): the structure is reached through coord_dossiers."""
    def change(landing: Path):
        owner = dossier_structures(landing)
        lines = read(landing / rel)
        i = field_index(lines[0], "dossier_id")
        dossiers: dict[str, set] = {}
        for ln in lines[1:]:
            d = ln.split(";")[i]
            dossiers.setdefault(owner.get(d), set()).add(d)
        largest = max((k for k in dossiers if k), key=lambda k: len(dossiers[k]))
        v2(landing, rel, lines[:1] + [ln for ln in lines[1:] if owner.get(ln.split(";")[i]) != largest])
    return change


def drop_last_days(rel: str, column: str, days: int):
    """The last ``days`` days of a monthly event file missing (an export stopped early)."""
    def change(landing: Path):
        lines = read(landing / rel)
        i = field_index(lines[0], column)
        month = rel[-11:-4]
        last = (date.fromisoformat(month + "-01") + timedelta(days=32)).replace(day=1) - timedelta(days=days)
        v2(landing, rel, lines[:1] + [ln for ln in lines[1:] if ln.split(";")[i][:10] < last.isoformat()])
    return change


def other_table_one_row_per_dossier(rel: str, other: str):
    """Another table's file whose header overlaps, one row per dossier, under this table's name (dui_projets
    under dui_dossiers: finess_geo and dossier_id match, the other columns are empty or unknown)."""
    def change(landing: Path):
        lines = read(landing / other)
        i = field_index(lines[0], "dossier_id")
        seen, out = set(), lines[:1]
        for ln in lines[1:]:
            d = ln.split(";")[i]
            if d not in seen:
                seen.add(d)
                out.append(ln)
        v2(landing, rel, out)
    return change


def denser_coordination(copies: int = 3):
    """A larger coordination tool over the whole history: every dossier, with its events, team and messages,
    ``copies`` more times under new identifiers of the same shape (CD0000225 -> CD1000225, E2024060000001 ->
    E2024061000001), in the same structure: DAC with tens of dossiers with events each month, as a real region has."""
    def renumber(value: str, k: int, width: int) -> str:
        head, digits = value[:-width], value[-width:]
        return f"{head}{k}{digits[1:]}" if digits.isdigit() and digits[0] == "0" else value

    def change(landing: Path):
        plan = {"coord_dossiers": {"dossier_id": 7}, "coord_equipe": {"dossier_id": 7},
                "coord_evenements": {"event_id": 7, "dossier_id": 7},
                "coord_messages": {"message_id": 7, "dossier_id": 7}}
        for table, columns in plan.items():
            for path in monthly(landing, "coordination", table):
                lines = read(path)
                idx = {field_index(lines[0], c): w for c, w in columns.items()}
                out = list(lines)
                for k in range(1, copies + 1):
                    for ln in lines[1:]:
                        f = ln.split(";")
                        if table == "coord_messages" and not f[field_index(lines[0], "dossier_id")]:
                            continue  # network messages stay as they are
                        out.append(";".join(renumber(v, k, idx[n]) if n in idx and v else v
                                            for n, v in enumerate(f)))
                write(path, out)
    return change


def chain(*changes):
    def change(landing: Path):
        for c in changes:
            c(landing)
    return change


# --------------------------------------------------------------------------- must publish


def fewer_rows(rel: str, share: float, seed: int = 1):
    def change(landing: Path):
        rng = random.Random(seed)
        lines = read(landing / rel)
        v2(landing, rel, lines[:1] + [ln for ln in lines[1:] if rng.random() >= share])
    return change


def growth(rel: str, factor: int, id_column: str):
    """Real growth: ``factor`` times the rows, each copy a new event with a new id of the same form as the
    sender's (a digit of its counter changed: 2.25.202412000000001 -> 2.25.202412100000001), same month."""
    def change(landing: Path):
        lines = read(landing / rel)
        i = field_index(lines[0], id_column)
        out = lines[:1]
        for k in range(factor):
            for ln in lines[1:]:
                f = ln.split(";")
                if k:
                    assert f[i][-7:].isdigit(), f[i]
                    f[i] = f"{f[i][:-7]}{k}{f[i][-6:]}"
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


def request_stage_dossiers(landing: Path) -> None:
    """Requests listed before they open: each monthly coord_dossiers snapshot also lists the dossiers that open
    the next month, at the request stage (date_demande filled, date_ouverture empty), as coordination tools do."""
    files = monthly(landing, "coordination", "coord_dossiers")
    for path, nxt in zip(files, files[1:]):
        lines, later = read(path), read(nxt)
        h = lines[0]
        i, dem, ouv = field_index(h, "dossier_id"), field_index(h, "date_demande"), field_index(h, "date_ouverture")
        known = {ln.split(";")[i] for ln in lines[1:]}
        month_end = (date.fromisoformat(path.stem[-7:] + "-01") + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        extra = []
        for ln in later[1:]:
            f = ln.split(";")
            if f[i] in known or not f[ouv] or f[ouv] <= month_end.isoformat():
                continue
            f[dem] = min(f[dem] or month_end.isoformat(), month_end.isoformat())
            f[ouv] = ""
            for c in ("date_cloture",):
                f[field_index(h, c)] = ""
            extra.append(";".join(f))
        write(path, lines + extra)


def coordination_structure_closing(month: str):
    """A DAC or CPTS closes: its dossiers, events, teams and messages stop from ``month`` and it leaves the
    coord_structures snapshot dated from then on."""
    def change(landing: Path):
        owner = dossier_structures(landing)
        counts: dict[str, int] = {}
        for s_id in owner.values():
            counts[s_id] = counts.get(s_id, 0) + 1
        closing = sorted(counts, key=counts.get)[len(counts) // 2]   # a middle-sized one
        mine = {d for d, s_id in owner.items() if s_id == closing}
        for table in ("coord_dossiers", "coord_evenements", "coord_equipe", "coord_messages"):
            for path in monthly(landing, "coordination", table):
                if path.stem[-7:] < month:
                    continue
                lines = read(path)
                h = lines[0].split(";")
                rows = [(ln, dict(zip(h, ln.split(";")))) for ln in lines[1:]]
                keep = [ln for ln, r in rows if r.get("structure_id") != closing and r.get("dossier_id") not in mine]
                write(path, lines[:1] + keep)
        day = month.replace("-", "") + "01"
        snaps = sorted((landing / "coordination").glob("coord_structures_????????.csv"))
        base = read([p for p in snaps if p.stem[-8:] <= day][-1])
        write(landing / "coordination" / f"coord_structures_{day}.csv",
              [ln for ln in base if ln.split(";")[0] != closing])
        for p in snaps:
            if p.stem[-8:] > day:
                write(p, [ln for ln in read(p) if ln.split(";")[0] != closing])
    return change


def odd_encodings(landing: Path) -> None:
    """One month in Windows-1252, one with a byte-order mark and CRLF line ends (as senders' tools write them)."""
    p = landing / "coordination" / "coord_dossiers_2024-05.csv"
    p.write_bytes(p.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    p = landing / "dui" / "dui_agenda_2024-02.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))


def reordered_columns_and_an_extra_one(rel: str):
    """The columns of a month in another order, with a column the contract does not know (kept in _extra)."""
    def change(landing: Path):
        lines = read(landing / rel)
        rows = [ln.split(";") for ln in lines]
        order = list(reversed(range(len(rows[0]))))
        write(landing / rel, [";".join([r[k] for k in order] + ["commentaire" if n == 0 else "vu"])
                              for n, r in enumerate(rows)])
    return change


def longer_identifiers_from(month: str, folder: str, table: str, column: str):
    """The sender's counter passes a power of ten: identifiers one digit longer from ``month`` on (same shape)."""
    def change(landing: Path):
        for path in monthly(landing, folder, table):
            if path.stem[-7:] < month:
                continue
            lines = read(path)
            i = field_index(lines[0], column)
            out = lines[:1]
            for ln in lines[1:]:
                f = ln.split(";")
                f[i] = f[i][:2] + "1" + f[i][2:]
                out.append(";".join(f))
            write(path, out)
    return change


def same_snapshot_next_date(folder: str, table: str, day: str):
    """A snapshot delivered again unchanged under a later date (nothing changed at the sender)."""
    def change(landing: Path):
        latest = sorted((landing / folder).glob(f"{table}_????????.csv"))[-1]
        shutil.copy(latest, latest.with_name(f"{table}_{day}.csv"))
    return change


def broken_key(value: str) -> str:
    """The same INS with a wrong key (still a person's NIR: what the privacy test must never find published)."""
    key = int(value[-2:])
    return f"{value[:-2]}{key % 97 + 1:02d}"


INS_COLUMNS = {"coord_dossiers": ("coordination", "ins"), "dui_dossiers": ("dui", "ins"),
               "dmp_documents": ("dmp", "patient_ins")}


def identifiers_everywhere(month: str = "2024-06"):
    """Valid and invalid INS in every table that has one, and in broken lines: in each of coord_dossiers,
    dui_dossiers and dmp_documents of ``month``, three INS get a wrong key (flagged, kept) and one line holding an
    INS loses its last field (quarantined as a broken line)."""
    def change(landing: Path):
        for table, (folder, column) in INS_COLUMNS.items():
            path = landing / folder / f"{table}_{month}.csv"
            lines = read(path)
            i = field_index(lines[0], column)
            with_ins = [n for n, ln in enumerate(lines[1:], 1) if ln.split(";")[i]]
            for n in with_ins[:3]:
                f = lines[n].split(";")
                f[i] = broken_key(f[i])
                lines[n] = ";".join(f)
            broken = lines[with_ins[3]].split(";")
            lines.append(";".join(broken[:-1]))        # a field missing: the line cannot be read
            write(path, lines)
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
    Scenario("a structures snapshot listing half the structures, all still delivering",
             half_snapshot("coordination", "coord_structures"), ["coord_structures.snapshot_lost_active@"]),
    Scenario("an ESMS projects snapshot listing half the ESMS, all still delivering",
             half_snapshot("dui", "esms_projets"), ["esms_projets.snapshot_lost_active@"]),
    Scenario("event id and dossier id exchanged under an unchanged header",
             swap_columns("coordination/coord_evenements_2024-10.csv", "event_id", "dossier_id"),
             ["coord_evenements.column_identity@2024-10"]),
    Scenario("message id and author exchanged, copied in place with the same size and mtime (cp -p)",
             swap_columns("coordination/coord_messages_2024-09.csv", "message_id", "author_id", in_place=True),
             ["coord_messages.column_identity@2024-09"]),
    Scenario("another table's file (dui_projets, one row per dossier) under the name of dui_dossiers",
             other_table_one_row_per_dossier("dui/dui_dossiers_2024-03.csv", "dui/dui_projets_2024-03.csv"),
             ["dui_dossiers.column_identity@2024-03"]),
    Scenario("a column always filled sent empty (patient INS of the DMP documents)",
             blank_column("dmp/dmp_documents_2024-09.csv", "patient_ins"),
             ["dmp_documents.column_identity@2024-09"]),
    Scenario("agenda ids replaced by the dossier ids (a unique column repeats)",
             copy_column("dui/dui_agenda_2024-10.csv", "dossier_id", "agenda_id"), ["dui_agenda.", "@2024-10"]),
    Scenario("the largest structure's care teams missing from a month (structure through the dossier)",
             drop_largest_structure_via_dossier("coordination/coord_equipe_2024-11.csv"),
             ["coord_equipe.structure", "@2024-11"]),
    Scenario("the last 5 days of a daily event month missing",
             drop_last_days("dui/dui_evenements_2024-06.csv", "event_at", 5), ["dui_evenements.trailing_gap@2024-06"]),
]

# Refused on a fresh run of a landing folder whose whole history has the shape (seed 5): judged as first
# deliveries, against a history the folder itself holds.
REFUSED_FRESH = [
    Scenario("a month missing on a fresh run (its file misnamed)",
             rename("dui/dui_evenements_2024-03.csv", "dui_evenement_2024-03.csv"),
             ["dui_evenements.missing_delivery@2024-03"]),
    Scenario("every event of the largest DAC missing from a month (a coordination tool of real size)",
             chain(denser_coordination(), drop_largest_structure_via_dossier(
                 "coordination/coord_evenements_2024-09.csv")),
             ["coord_evenements.structure", "@2024-09"]),
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
    Scenario("requests listed before they open (date_ouverture empty until the next month)", request_stage_dossiers),
    Scenario("an MSSanté feed used in campaigns: full months and near-empty months alternate",
             bursty("mss", "mss_messages", pattern=(1.0, 0.01), seed=5)),
    Scenario("a DAC closing (its rows stop, it leaves coord_structures)", coordination_structure_closing("2024-06")),
    Scenario("a month in Windows-1252, another with a byte-order mark and CRLF", odd_encodings),
    Scenario("columns in another order and an extra column", reordered_columns_and_an_extra_one(
        "dui/dui_evenements_2024-07.csv")),
    Scenario("identifiers one digit longer from a month on (the sender's counter)",
             longer_identifiers_from("2024-05", "dui", "dui_agenda", "agenda_id")),
    Scenario("a structures snapshot delivered again unchanged under a later date",
             same_snapshot_next_date("coordination", "coord_structures", "20241115")),
    Scenario("invalid INS and broken lines holding an INS in every table that has one", identifiers_everywhere()),
]

PUBLISHED_ESMS_ONLY = Scenario("a region with ESMS data only", esms_only)
