"""Inbox files -> `raw` tables: one asset per kind of landing file."""

import dagster as dg

from failmap.ingest import FILE_KINDS, FileKind, kind_for_file_name, load_files, pending_files
from failmap.ingest.loader import FileOutcome
from failmap.migrations import apply_migrations
from orchestration.defs.ingestion.external import INBOX_KEY
from orchestration.defs.resources import FailmapResource


def outcome_metadata(outcomes: list[FileOutcome]) -> dict[str, dg.MetadataValue]:
    """The numbers an operator needs after a load: what landed, what was refused and why."""
    loaded = [o for o in outcomes if o.status == "loaded"]
    rejected = [o for o in outcomes if o.status == "rejected"]
    return {
        "files_loaded": dg.MetadataValue.int(len(loaded)),
        "files_rejected": dg.MetadataValue.int(len(rejected)),
        "files_skipped": dg.MetadataValue.int(sum(o.status == "skipped" for o in outcomes)),
        "rows_loaded": dg.MetadataValue.int(sum(o.rows_loaded for o in loaded)),
        "rows_quarantined": dg.MetadataValue.int(sum(o.rows_quarantined for o in loaded)),
        "rows_superseded": dg.MetadataValue.int(sum(o.rows_superseded for o in loaded)),
        "rows_replaced": dg.MetadataValue.int(sum(o.rows_replaced for o in loaded)),
        "rejections": dg.MetadataValue.md(
            "\n".join(f"- `{o.file_name}`: {o.reason}" for o in rejected) or "none"
        ),
    }


def build_ingest_asset(kind: FileKind) -> dg.AssetsDefinition:
    """The asset that loads every new `<kind>*` file of the inbox into `raw.<kind>`."""

    @dg.asset(
        key=dg.AssetKey(["raw", kind.table]),
        deps=[INBOX_KEY],
        group_name="ingestion",
        kinds={"python", "postgres"},
        description=(
            f"Loads new `{kind.name}*` files (CSV, JSON Lines, Parquet) from the inbox into "
            f"raw.{kind.table}: valid rows upserted by {kind.key}, invalid rows quarantined with "
            "their reason, unreadable files rejected; one transaction per file, ledgered by "
            "content hash so a file is loaded once."
        ),
    )
    def ingest(context: dg.AssetExecutionContext, failmap: FailmapResource) -> dg.MaterializeResult:
        url = failmap.url()
        apply_migrations(url)
        # Ignored symbolic links are reported once, by the first kind's asset.
        told = context.log.warning if kind is FILE_KINDS[0] else None
        files = [
            path
            for path in pending_files(failmap.inbox_path(), log=told)
            if (found := kind_for_file_name(path.name)) is None or found.name == kind.name
        ]
        # Files with an unrecognised name are ledgered as rejected by the first kind's asset.
        if kind is not FILE_KINDS[0]:
            files = [path for path in files if kind_for_file_name(path.name) is not None]

        def report(index: int, total: int, outcome: FileOutcome) -> None:
            context.log.info(f"[{index}/{total}] {outcome.summary()}")

        # A second connection: one file is read and validated while the one before it stores.
        with failmap.connect() as conn:
            outcomes = load_files(conn, files, progress=report, connect=failmap.connect)
        return dg.MaterializeResult(metadata=outcome_metadata(outcomes))

    return ingest


ingest_assets = [build_ingest_asset(kind) for kind in FILE_KINDS]
