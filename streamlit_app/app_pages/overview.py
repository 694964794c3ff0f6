"""Overview: is the data current, and how much of it is there."""

import streamlit as st
from lib.queries import MartMissing, data_freshness, mart_row_counts

st.title("failmap")

try:
    freshness = data_freshness()
except MartMissing:
    st.info(
        "No marts yet. Drop `quality_scores*` / `runs*` files into the inbox and run "
        "`uv run failmap refresh` (or start everything with `uv run failmap up`)."
    )
    st.stop()

if not freshness["segment_count"]:
    st.info("The marts are built but hold no segments yet: load some files into the inbox.")

failure_rate = (
    freshness["failed_segment_count"] / freshness["segment_count"]
    if freshness["segment_count"]
    else 0.0
)
columns = st.columns(4)
columns[0].metric("Segments", f"{int(freshness['segment_count']):,}", border=True)
columns[1].metric("Failure rate", f"{failure_rate:.1%}", border=True)
columns[2].metric("Files loaded", int(freshness["files_loaded_count"]), border=True)
columns[3].metric("Rows quarantined", f"{int(freshness['rows_quarantined_count']):,}", border=True)

st.subheader("Data freshness")
st.write(
    f"Marts rebuilt **{freshness['refreshed_at']:%Y-%m-%d %H:%M} UTC**; "
    f"last file loaded **{freshness['last_file_loaded_at']}**; "
    f"segments evaluated from {freshness['first_evaluated_at']} to "
    f"{freshness['last_evaluated_at']}."
)

st.subheader("Mart row counts")
st.dataframe(mart_row_counts(), hide_index=True)

st.caption(
    "Documentation: [every model and column (dbt docs)](http://127.0.0.1:8080/dbt/) · "
    "[data-quality results (Great Expectations)](http://127.0.0.1:8080/gx/), served by "
    "`failmap docs`."
)
