"""Errors: why generation jobs fail, from the error-analytics marts."""

import streamlit as st
from lib.notices import show_missing
from lib.page import page_context, period_caption
from lib.queries import MartMissing, mart_table

# Each section: the mart, its heading, and what a creator reads from it.
SECTIONS = (
    ("debug_recommendations", "What to fix first", "Issues with their root cause and solution."),
    ("error_summary", "Summary", "Runs, failed runs and the top error categories per period."),
    ("phase_error_breakdown", "By pipeline phase", "Where in the pipeline runs fail."),
    ("error_trends", "Errors per day", "Daily errors by category."),
    ("error_signatures", "Unknown errors, grouped", "Messages no catalog entry matched."),
    ("run_errors", "Recent failed runs", "One row per failed run and phase error."),
)

st.title("Errors")
context = page_context()
period_caption(context.period)

missing = []
for name, heading, what in SECTIONS:
    try:
        rows = mart_table(name, context.period)
    except MartMissing as error:
        missing.append((name, heading, error))
        continue
    st.subheader(heading)
    st.caption(what)
    if rows.empty:
        st.caption("Nothing in this period.")
    else:
        st.dataframe(rows, hide_index=True, key=f"errors_{name}")

if missing:
    if len(missing) == len(SECTIONS):
        st.info(
            "Error analytics (catalog categories, grouped unknown errors, phase breakdown, "
            "recommendations) is not in this database yet: it reads the `runs*` files and is "
            "built by `uv run failmap refresh` once failmap includes it. Needed: "
            + ", ".join(f"`marts.{name}`" for name, _, _ in missing)
            + ".",
            icon=":material/pending:",
        )
    else:
        for _, heading, error in missing:
            show_missing(error, heading)
