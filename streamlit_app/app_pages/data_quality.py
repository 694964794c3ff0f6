"""Data quality: open warnings, Great Expectations results, the quarantine by rule, files, rows
quarantined."""

import pandas as pd
import streamlit as st
from lib.long_text import preview, selectable_table
from lib.notices import show_missing
from lib.page import page_context, period_caption
from lib.quality import latest_results
from lib.queries import MartMissing, ingested_files, quarantine_summary, quarantined_rows
from lib.text import md_escape
from lib.warnings_panel import warnings_panel

# Widths of the long text columns: with the other columns they fit at 1440 px; the selected
# row's whole text shows under its table.
EXPECTATION_RULE_WIDTH = 230
EXPECTATION_DESCRIPTION_WIDTH = 220
EXAMPLES_WIDTH = 200
FILE_REASON_WIDTH = 120
RULE_WIDTH = 290
ROW_WIDTH = 260


def expectation_words(expectation: object) -> str:
    """'expect_column_values_to_be_between' -> 'column values to be between'."""
    if not isinstance(expectation, str):
        return ""
    return expectation.removeprefix("expect_").replace("_", " ")


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
    listed = failures.assign(
        rule=failures["expectation"].map(
            lambda name: preview(expectation_words(name), EXPECTATION_RULE_WIDTH)
        ),
        column=failures["column"].fillna("–"),  # an expectation over two columns names none
        description_preview=failures["description"].map(
            lambda text: preview(text, EXPECTATION_DESCRIPTION_WIDTH)
        ),
        examples_preview=failures["examples"].map(lambda text: preview(text, EXAMPLES_WIDTH)),
    )
    failure = selectable_table(
        listed,
        {
            "suite": st.column_config.TextColumn("Suite (table)", width=130),
            "rule": st.column_config.TextColumn("Rule", width=EXPECTATION_RULE_WIDTH),
            "column": st.column_config.TextColumn("Column", width=90),
            "description_preview": st.column_config.TextColumn(
                "What it checks", width=EXPECTATION_DESCRIPTION_WIDTH
            ),
            "unexpected_count": st.column_config.NumberColumn(
                "Rows", width=70, help="Rows breaking the rule"
            ),
            "examples_preview": st.column_config.TextColumn(
                "Examples", width=EXAMPLES_WIDTH, help="Select the row to see all of them."
            ),
        },
        key="gx_failures",
    )
    if failure is None:
        st.caption("Select a failed expectation to read what it checks and its examples.")
    else:
        with st.container(border=True, key="gx_failure_detail"):
            st.caption(
                f"{md_escape(failure['suite'])}: "
                f"{md_escape(expectation_words(failure['expectation']))}"
                + (f" (column {md_escape(failure['column'])})" if failure["column"] != "–" else "")
            )
            if isinstance(failure["description"], str):
                st.text(failure["description"])
            st.code(failure["examples"], language="json", wrap_lines=True)

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
    listed = files.assign(
        reason_preview=files["reason"].map(lambda text: preview(text, FILE_REASON_WIDTH))
    )
    chosen = selectable_table(
        listed,
        {
            "loaded_at": st.column_config.DatetimeColumn(
                "Loaded", format="YYYY-MM-DD HH:mm", width=130
            ),
            "file_name": st.column_config.TextColumn("File", width=210),
            "file_kind": st.column_config.TextColumn("Kind", width=105),
            "status": st.column_config.TextColumn("Status", width=70),
            "reason_preview": st.column_config.TextColumn(
                "Why rejected", width=FILE_REASON_WIDTH, help="Select the row to read all of it."
            ),
            "rows_in_file": st.column_config.NumberColumn("Rows", format="localized", width=60),
            "rows_loaded": st.column_config.NumberColumn(
                "Rows loaded", format="localized", width=85
            ),
            "rows_superseded": st.column_config.NumberColumn(
                "Superseded", format="localized", width=80
            ),
            "rows_quarantined": st.column_config.NumberColumn(
                "Quarantined", format="localized", width=85
            ),
        },
        key="files",
    )
    if chosen is not None and isinstance(chosen["reason"], str):
        with st.container(border=True, key="file_detail"):
            st.caption(f"Why {md_escape(chosen['file_name'])} was rejected:")
            st.text(chosen["reason"])

st.subheader("Quarantined rows")
quarantine = quarantined_rows(period)
if quarantine.empty:
    st.caption("No row broke the data contract in this period.")
else:
    st.caption(f"The newest {len(quarantine):,}, with the rule each broke.")
    listed = quarantine.assign(
        reason_preview=quarantine["reason"].map(lambda text: preview(text, RULE_WIDTH)),
        row_preview=quarantine["raw_row"].map(lambda text: preview(text, ROW_WIDTH)),
    )
    chosen = selectable_table(
        listed,
        {
            "quarantined_at": st.column_config.DatetimeColumn(
                "When", format="YYYY-MM-DD HH:mm", width=130
            ),
            "file_name": st.column_config.TextColumn("File", width=210),
            "line_number": st.column_config.NumberColumn("Line", width=50),
            "reason_preview": st.column_config.TextColumn("Rule broken", width=RULE_WIDTH),
            "row_preview": st.column_config.TextColumn(
                "Row as delivered", width=ROW_WIDTH, help="Select the row to see all of it."
            ),
        },
        key="quarantine",
    )
    if chosen is None:
        st.caption("Select a row to read the whole rule it broke and the row as delivered.")
    else:
        with st.container(border=True, key="quarantine_detail"):
            line = chosen["line_number"]
            st.caption(
                (f"Line {int(line)} of " if pd.notna(line) else "From ")
                + f"{md_escape(chosen['file_name'])}, quarantined "
                f"{chosen['quarantined_at']:%Y-%m-%d %H:%M} UTC."
            )
            st.text(chosen["reason"])
            if isinstance(chosen["raw_row"], str):
                st.code(chosen["raw_row"], language="json", wrap_lines=True)
