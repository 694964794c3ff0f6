"""Data quality: open warnings, Great Expectations results, the quarantine by rule, files, rows
quarantined."""

import pandas as pd
import streamlit as st
from lib.notices import show_missing
from lib.page import page_context, period_caption
from lib.quality import latest_results
from lib.queries import MartMissing, ingested_files, quarantine_summary, quarantined_rows
from lib.text import md_escape
from lib.warnings_panel import warnings_panel

st.title("Data quality")
warnings_panel()  # before the data check: a file whose rows were all quarantined adds no data
context = page_context()
period = context.period
period_caption(period, "Files and quarantined rows loaded in the period; the newest check results.")


def gx_checks(suites: pd.DataFrame) -> None:
    """The newest result of each Great Expectations suite."""
    st.subheader("Checks (Great Expectations)")
    if suites.empty:
        st.info(
            "No Great Expectations results yet. The checks run with every refresh once failmap "
            "includes them (`uv run failmap refresh`); their results then show here.",
            icon=":material/pending:",
        )
        return
    failed_suites = suites[~suites["passed"]]
    if failed_suites.empty:
        st.success(f"All {len(suites)} suites passed their latest run.", icon=":material/check:")
    else:
        st.warning(
            f"{len(failed_suites)} of {len(suites)} suites failed their latest run: "
            + md_escape(", ".join(failed_suites["suite"])),
            icon=":material/warning:",
        )
    st.dataframe(
        suites.assign(passed=suites["passed"].map({True: "Passed", False: "Failed"})),
        hide_index=True,
        column_config={
            "suite": st.column_config.TextColumn("Suite (table)", width=130),
            "passed": st.column_config.TextColumn("Result", width=60),
            "validated_at": st.column_config.DatetimeColumn("Run", format="YYYY-MM-DD", width=95),
            "failed": st.column_config.NumberColumn(
                "Failed", width=55, help="Expectations that failed (of those evaluated)"
            ),
        },
        column_order=["suite", "passed", "validated_at", "failed"],
        key="gx_suites",
    )


def quarantine_by_rule() -> None:
    """Rows quarantined in the period per file kind and broken rule (marts.quarantine_summary)."""
    st.subheader("Quarantine by rule")
    try:
        summary = quarantine_summary(period)
    except MartMissing as error:
        show_missing(error, "The quarantine summary")
        return
    if summary.empty:
        st.success("No row was quarantined in this period.", icon=":material/check:")
        return
    top = summary.iloc[0]
    st.caption(
        f"Most rows broke **{md_escape(top['rule'])}** ({int(top['row_count']):,} "
        f"{md_escape(top['file_kind'])} rows). A row that broke two rules counts under each."
    )
    st.dataframe(
        summary,
        hide_index=True,
        column_config={
            "file_kind": st.column_config.TextColumn("Kind", width=105),
            "rule": st.column_config.TextColumn("Rule broken", width=380),
            "row_count": st.column_config.NumberColumn("Rows", format="localized", width=55),
        },
        key="quarantine_summary",
    )


suites, failures = latest_results()
# The rules quarantined rows broke are long sentences: that side gets the room.
checks_column, quarantine_column = st.columns([2, 3], gap="large")
with checks_column:
    gx_checks(suites)
with quarantine_column:
    quarantine_by_rule()
if not failures.empty:
    st.markdown("**Failed expectations**")
    st.dataframe(
        failures,
        hide_index=True,
        column_config={
            "suite": st.column_config.TextColumn("Suite (table)", width=140),
            "expectation": st.column_config.TextColumn("Rule", width=220),
            "column": st.column_config.TextColumn("Column", width=100),
            "description": st.column_config.TextColumn("What it checks", width=240),
            "unexpected_count": st.column_config.NumberColumn("Rows breaking it", width=110),
            "examples": st.column_config.TextColumn("Examples"),
        },
        key="gx_failures",
    )

# --- ingest ledger ------------------------------------------------------------------------------
st.subheader("Files")
try:
    files = ingested_files(period)
except MartMissing as error:
    show_missing(error, "The file ledger")
    st.stop()
if files.empty:
    st.caption("No file was loaded in this period.")
else:
    rejected = files[files["status"] == "rejected"]
    columns = st.columns(4)
    columns[0].metric("Files loaded", int((files["status"] == "loaded").sum()), border=True)
    columns[1].metric("Files rejected", len(rejected), border=True)
    columns[2].metric("Rows loaded", f"{int(files['rows_loaded'].sum()):,}", border=True)
    columns[3].metric("Rows quarantined", f"{int(files['rows_quarantined'].sum()):,}", border=True)
    if not rejected.empty:
        st.error(
            f"{len(rejected)} file{'s' if len(rejected) > 1 else ''} could not be read at all; "
            "see the reason column and deliver them again.",
            icon=":material/block:",
        )
    st.dataframe(
        files.assign(reason=files["reason"].fillna("")),  # a loaded file has no reason
        hide_index=True,
        column_config={
            "loaded_at": st.column_config.DatetimeColumn("Loaded", format="YYYY-MM-DD HH:mm"),
            "file_name": st.column_config.TextColumn("File", width=230),
            "file_kind": st.column_config.TextColumn("Kind"),
            "file_format": st.column_config.TextColumn("Format"),
            "status": st.column_config.TextColumn("Status"),
            "rows_in_file": st.column_config.NumberColumn("Rows", format="localized"),
            "rows_loaded": st.column_config.NumberColumn("Loaded", format="localized"),
            "rows_superseded": st.column_config.NumberColumn("Superseded", format="localized"),
            "rows_quarantined": st.column_config.NumberColumn("Quarantined", format="localized"),
            "reason": st.column_config.TextColumn("Reason", width="large"),
        },
        key="files",
    )

st.subheader("Quarantined rows")
quarantine = quarantined_rows(period)
if quarantine.empty:
    st.caption("No row broke the data contract in this period.")
else:
    st.caption(f"The newest {len(quarantine):,}, with the rule each broke.")
    st.dataframe(
        quarantine,
        hide_index=True,
        column_config={
            "quarantined_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
            "file_name": st.column_config.TextColumn("File"),
            "line_number": st.column_config.NumberColumn("Line"),
            "reason": st.column_config.TextColumn("Rule broken", width="large"),
            "raw_row": st.column_config.TextColumn("Row as delivered", width="large"),
        },
        key="quarantine",
    )
