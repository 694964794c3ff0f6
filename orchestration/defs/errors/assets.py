"""Error analytics assets: the signature of every run error message (Python, Drain3) before dbt,
and the export of frequent unknown signatures after it."""

from pathlib import Path

import dagster as dg

from failmap.errors.candidates import default_export_path, export_candidate_patterns
from failmap.errors.store import refresh_message_signatures
from failmap.migrations import apply_migrations
from failmap.settings import load_settings
from orchestration.defs.resources import FailmapResource

# Keyed like the dbt source raw.error_message_signatures, so dbt's models run after it.
ERROR_MESSAGE_SIGNATURES_KEY = dg.AssetKey(["raw", "error_message_signatures"])
CANDIDATE_PATTERNS_KEY = dg.AssetKey(["exports", "candidate_failure_patterns"])
# The dbt models the export reads (their keys as the dbt translator names them; a test checks
# they are dbt assets of the graph).
EXPORT_SOURCES = [dg.AssetKey(["marts", "error_signatures"]), dg.AssetKey(["marts", "run_errors"])]


@dg.asset(
    key=ERROR_MESSAGE_SIGNATURES_KEY,
    deps=[dg.AssetKey(["raw", "runs"])],
    group_name="ingestion",
    kinds={"python", "postgres"},
    description=(
        "Groups every distinct run error message of raw.runs (failure reasons and phase_errors "
        "values) into signatures with failmap.errors (masking + Drain3), over the whole set at "
        "once, and updates raw.error_message_signatures in one transaction. When the messages "
        "bring no new masked form and take none away, the grouping cannot change: only the new "
        "and vanished messages are written; otherwise every masked form is grouped again and only "
        "the rows that change are written. Ids depend only on templates: unchanged groups keep "
        "their ids across refreshes."
    ),
)
def error_message_signatures(
    context: dg.AssetExecutionContext, failmap: FailmapResource
) -> dg.MaterializeResult:
    """Store message -> signature for dbt, regrouping all messages when the grouping can change."""
    url = failmap.url()
    apply_migrations(url)
    with failmap.connect() as conn:
        refresh = refresh_message_signatures(conn)
    if not refresh.regrouped:
        how = (
            f"grouping kept: {refresh.added_messages} messages added, "
            f"{refresh.removed_messages} removed"
        )
    elif refresh.rewrote_all:
        how = "regrouped every message"
    else:
        how = (
            f"regrouped: {refresh.added_messages} messages added, {refresh.removed_messages} "
            f"removed, {refresh.moved_messages} given another signature"
        )
    context.log.info(
        f"{refresh.message_count} distinct messages in {refresh.signature_count} signatures "
        f"({len(refresh.new_signature_ids)} new, {len(refresh.vanished_signature_ids)} gone); "
        + how
    )
    successors = "\n".join(f"- `{old}` -> `{new}`" for old, new in refresh.successors.items())
    return dg.MaterializeResult(
        metadata={
            "messages": dg.MetadataValue.int(refresh.message_count),
            "signatures": dg.MetadataValue.int(refresh.signature_count),
            "regrouped": dg.MetadataValue.bool(refresh.regrouped),
            "new_signatures": dg.MetadataValue.int(len(refresh.new_signature_ids)),
            "vanished_signatures": dg.MetadataValue.int(len(refresh.vanished_signature_ids)),
            "successors": dg.MetadataValue.md(successors or "none"),
        }
    )


class CandidateExportConfig(dg.Config):
    """Which unknown signatures are worth a catalog entry, and where the file goes."""

    min_occurrences: int = 5
    days: int = 30
    path: str | None = None  # default: $FAILMAP_HOME/exports/candidate_failure_patterns.json


@dg.asset(
    key=CANDIDATE_PATTERNS_KEY,
    deps=EXPORT_SOURCES,
    group_name="exports",
    kinds={"python", "json"},
    description=(
        "Writes candidate_failure_patterns.json: signatures the error catalog does not classify "
        "with at least `min_occurrences` unclassified occurrences in the last `days` days, each "
        "with its template, examples, suggested category and a regular expression to paste into "
        "dbt_project/seeds/error_catalog_patterns.csv. Default location: "
        "$FAILMAP_HOME/exports/."
    ),
)
def candidate_failure_patterns(
    context: dg.AssetExecutionContext, config: CandidateExportConfig, failmap: FailmapResource
) -> dg.MaterializeResult:
    """Export the frequent unknown signatures for review."""
    path = Path(config.path) if config.path else default_export_path(load_settings())
    with failmap.connect() as conn:
        export = export_candidate_patterns(
            conn, path, min_occurrences=config.min_occurrences, days=config.days
        )
    context.log.info(f"{len(export.candidates)} candidate patterns written to {export.path}")
    preview = "\n".join(
        f"| `{c['signature_id']}` | {c['occurrences']} | {c['suggested_category']} | "
        f"`{c['template'][:80]}` |"
        for c in export.candidates[:20]
    )
    table = "| signature | occurrences | suggested category | template |\n|---|---|---|---|\n"
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(export.path)),
            "candidates": dg.MetadataValue.int(len(export.candidates)),
            "min_occurrences": dg.MetadataValue.int(export.min_occurrences),
            "days": dg.MetadataValue.int(export.days),
            "preview": dg.MetadataValue.md(table + preview if preview else "no candidates"),
        }
    )


error_assets = [error_message_signatures, candidate_failure_patterns]
