"""Asset factory shared by the per-source modules: one asset per landing table, one step per source folder."""

from collections.abc import Sequence
from datetime import datetime, timezone

import dagster as dg

from ..resources import WRITER_POOL, WarehouseResource
from .discovery import inventory
from .engine import ingest_table, record_inventory
from .specs import SPECS_BY_NAME, TableSpec

OWNER = "team:ars-data"


def _metadata(results) -> dict:
    loaded = [r for r in results if r.status == "loaded"]
    refused = [r for r in results if r.status == "refused"]
    md = {
        "files_seen": len(results),
        "files_ingested": len(loaded),
        "files_refused": len(refused),
        "rows_loaded": sum(r.rows_loaded for r in loaded),
        "rows_quarantined": sum(r.rows_rejected for r in loaded),
        "values_flagged": sum(r.values_flagged for r in loaded),
    }
    if loaded or refused:
        md["files"] = dg.MetadataValue.md(
            "\n".join(f"- `{r.file}` ({r.status}): {r.rows_loaded} rows, {r.rows_rejected} quarantined"
                      + (f" — {r.message}" if r.message else "") for r in loaded + refused)
        )
    return md


def _spec(spec: TableSpec) -> dg.AssetSpec:
    return dg.AssetSpec(
        ["raw", spec.name],
        group_name="raw",
        description=f"{spec.description}\n\nLanding files `{spec.source}/` matching `{spec.pattern}` "
        f"({spec.kind.replace('_', ' ')}); rows as delivered, with lineage (file, SHA-256, line).",
        kinds={"duckdb", "csv"},
        owners=[OWNER],
        tags={"source": spec.source},
        skippable=True,
    )


def source_assets(names: Sequence[str], name: str, can_subset: bool = True) -> dg.AssetsDefinition:
    """The raw tables of one source folder, ingested by one step: one scan of the landing folder and one
    connection for all of them (a step per table cost ~0.3 s of Dagster overhead and a folder scan each).
    Subsettable: a sensor run of one table ingests that table only. ``can_subset=False`` for tables read from
    the same files (the FINESS etalab stock: structures and geolocation)."""
    specs = [SPECS_BY_NAME[n] for n in names]

    @dg.multi_asset(name=name, specs=[_spec(s) for s in specs], can_subset=can_subset, pool=WRITER_POOL)
    def _assets(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        selected = context.selected_asset_keys
        inv = inventory(warehouse.paths().landing)
        todo = [s for s in specs if dg.AssetKey(["raw", s.name]) in selected]
        progress = _Progress(context, [lf for s in todo for lf in inv.winners(s.name)])
        with warehouse.connect() as con:
            done = []
            for s in todo:
                results = ingest_table(con, s, inv, on_file=progress.file_done)
                total = con.execute(f"SELECT count(*) FROM raw.{s.name}").fetchone()[0]
                for r in results:
                    if r.status == "refused":
                        context.log.warning(r.line())
                    elif r.status == "loaded":
                        context.log.info(r.line())
                done.append((s, results, total))
            record_inventory(con, inv, datetime.now(timezone.utc))
        for s, results, total in done:
            yield dg.MaterializeResult(asset_key=["raw", s.name],
                                       metadata={**_metadata(results), "dagster/row_count": total})

    return _assets


class _Progress:
    """Files done so far in this step, as run events (observations of the table being loaded): the command line's
    progress display and the UI's run view follow the ingestion file by file, with the bytes done and to do that
    its estimate of the time left is made on. At most two events a second, and the last file."""

    def __init__(self, context: dg.AssetExecutionContext, files: list):
        from ..progress import BYTES_DONE, BYTES_TOTAL, FILES_DONE, FILES_TOTAL, ITEM, ROWS

        self.context, self.total, self.done, self.rows, self.last = context, len(files), 0, 0, 0.0
        self.size_of = {lf.rel: lf.size for lf in files}  # a FINESS stock file is one per table it feeds
        self.bytes_total, self.bytes_done = sum(lf.size for lf in files), 0
        self.keys = (FILES_DONE, FILES_TOTAL, ITEM, ROWS, BYTES_DONE, BYTES_TOTAL)

    def file_done(self, res) -> None:
        import time

        self.done += 1
        self.bytes_done += self.size_of.get(res.file, 0)
        self.rows += res.rows_loaded if res.status == "loaded" else 0
        now = time.monotonic()
        if now - self.last < 0.5 and self.done < self.total:
            return
        self.last = now
        done, total, item, rows, bytes_done, bytes_total = self.keys
        self.context.log_event(dg.AssetObservation(
            asset_key=["raw", res.table], description="ingestion progress",
            metadata={done: self.done, total: self.total, item: res.file.rsplit("/", 1)[-1], rows: self.rows,
                      bytes_done: min(self.bytes_done, self.bytes_total), bytes_total: self.bytes_total}))


# Tables that the ingestion writes beside each raw table: shown in the graph (group raw) as the
# sources of their staging views; they are not materialised on their own.
def _log_spec(name: str, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(["raw", name], group_name="raw", kinds={"duckdb"}, owners=[OWNER], description=description)


ingestion_log_specs = [
    _log_spec("ingested_files",
              "Every landing file seen by the ingestion: table, file name, SHA-256, delivery key, "
              "status (loaded, unchanged, refused, replaced), row counts. Written by every "
              "ingestion asset."),
    _log_spec("quarantine",
              "Every row or value that broke a rule of the landing contract: file, line, column, "
              "value, rule, reason, severity (rejected, flagged, file_refused). Written by every "
              "ingestion asset."),
    _log_spec("landing_inventory",
              "Every path found under the landing folder at the last scan, with what the ingestion "
              "made of it: ingested, ignored (hidden, unknown name) or refused (symlink leaving "
              "the folder, FIFO, device), and why. Written by the discovery of every run."),
    _log_spec("delivery_profiles",
              "One row per delivered file: rows loaded, date coverage of the delivered month (first "
              "and last event, share dated in the month, trailing gap). The history the quality "
              "gate judges each new delivery against."),
    _log_spec("delivery_structures",
              "Rows per structure (FINESS or structure_id) in every delivered file: the per-structure "
              "history of the quality gate (a structure silent this month after a regular history "
              "is the signature of a partial extract)."),
    _log_spec("delivery_columns",
              "Per delivered file and column: how often it is filled, its distinct values and the dominant "
              "shape of its values, on the first 5,000 lines: the column identity the quality gate "
              "compares with the column's history (exchanged columns, another table's file)."),
]
