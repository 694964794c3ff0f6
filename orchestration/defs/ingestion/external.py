"""Ingestion's nodes that no run materializes: the inbox, the ledger and quarantine, and app.*.

The inbox is the first node of the lineage (files land there, the sensor watches it). The ledger
(`raw.ingested_files`) and the quarantine (`raw.quarantine`) are written by the ingest assets as
they load each file. The `app` tables are what people enter (fixes, notes, the log of
configuration checks). Declaring them here puts them in the ingestion group, where data enters
the warehouse, instead of dbt's default group for sources.
"""

import dagster as dg

INBOX_KEY = dg.AssetKey(["inbox"])
INGEST_KEYS = [dg.AssetKey(["raw", "quality_scores"]), dg.AssetKey(["raw", "runs"])]

inbox_files = dg.AssetSpec(
    key=INBOX_KEY,
    group_name="ingestion",
    kinds={"file"},
    description=(
        "Landing files in the inbox folder (FAILMAP_INBOX): `quality_scores*` and `runs*` as CSV, "
        "JSON Lines or Parquet, written by the studio's pipeline. The inbox sensor requests a "
        "refresh when a file appears or changes."
    ),
)

ingested_files_ledger = dg.AssetSpec(
    key=dg.AssetKey(["raw", "ingested_files"]),
    group_name="ingestion",
    kinds={"postgres"},
    deps=INGEST_KEYS,
    description=(
        "raw.ingested_files: one row per distinct file content seen in the inbox (sha256, rows "
        "loaded and quarantined, loaded or rejected and why), written by the ingest assets."
    ),
)

quarantine = dg.AssetSpec(
    key=dg.AssetKey(["raw", "quarantine"]),
    group_name="ingestion",
    kinds={"postgres"},
    deps=INGEST_KEYS,
    description=(
        "raw.quarantine: rows that broke the input contract, verbatim, with file, line and the "
        "rule they broke, written by the ingest assets."
    ),
)

APP_TABLES = {
    "pattern_fixes": "fixes people recorded against a failure pattern",
    "compatibility_notes": "notes on a LoRA, model, workflow, character or scene type",
    "alert_log": "every configuration check and what it warned about",
}

app_tables = [
    dg.AssetSpec(
        key=dg.AssetKey(["app", table]),
        group_name="ingestion",
        kinds={"postgres"},
        description=(
            f"app.{table}: {meaning}. Written by people through the dashboard, the CLI "
            "(`failmap fix`, `failmap check`) and the API."
        ),
    )
    for table, meaning in APP_TABLES.items()
]

external_ingestion_specs = [inbox_files, ingested_files_ledger, quarantine, *app_tables]
