"""Check a configuration before generating: risk, predicted rate, known fixes, alternatives."""

import pandas as pd
import streamlit as st
from lib import checks
from lib.dimensions import label
from lib.notices import show_missing
from lib.page import page_context
from lib.queries import MartMissing, dimension_values
from lib.text import md_escape

BANNERS = {
    "high": st.error,
    "medium": st.warning,
    "low": st.info,
    "none": st.success,
}
FORM_KEY = "check_form"

st.title("Check a configuration")
st.caption(
    "Before you generate: how likely this configuration is to fail, which known patterns it "
    "matches and what fixed them. A warning never blocks you."
)
page_context()
try:
    values = dimension_values()
except MartMissing as error:
    show_missing(error, "The configuration check")
    st.stop()

with st.form(FORM_KEY):
    columns = st.columns(3)
    choices: dict[str, str | None] = {}
    for index, dimension in enumerate(("workflow", "model", "lora", "character", "scene_type")):
        options = values.get(dimension, [])
        choices[dimension] = columns[index % 3].selectbox(
            label(dimension), options, key=f"check_{dimension}"
        )
    position = columns[2].selectbox(
        "Segment position",
        [None, *values.get("segment_position", [])],
        format_func=lambda v: "Whole scene" if v is None else v,
        key="check_segment_position",
    )
    segments = columns[0].number_input(
        "Segments in the scene",
        min_value=1,
        max_value=200,
        value=None,
        placeholder="optional",
        key="check_segments",
        help="With a number, the check reports each position and the whole scene.",
    )
    submitted = st.form_submit_button("Check", type="primary", key="check_submit")

if not submitted:
    st.stop()

# The check takes a position; a bucket label ("6+", "4-5") stands for its first position.
first_position = int(str(position).split("-")[0].rstrip("+")) if position else None
configuration = {**choices, "segment_position": first_position}
try:
    result = checks.check_configuration(configuration, int(segments) if segments else None)
except MartMissing as error:
    show_missing(error, "The configuration check")
    st.stop()

severity = str(result.get("severity", "none"))
predicted = result.get("predicted_failure_rate")
lower = result.get("lower")
upper = result.get("upper")
matches = result.get("patterns") or []
headline = {
    "high": "High risk: this configuration matches a pattern that fails often.",
    "medium": "Medium risk: this configuration fails more than most.",
    "low": "Low risk: slightly more failures than usual.",
    "none": "No known risk: this configuration matches no failure pattern.",
}.get(severity, f"Severity: {severity}")
BANNERS.get(severity, st.info)(headline + " (A warning, not a block.)")

columns = st.columns(3)
if predicted is not None:
    columns[0].metric(
        "Predicted failure rate",
        f"{predicted:.0%}",
        help="Per segment, for this configuration.",
        border=True,
    )
if lower is not None and upper is not None:
    columns[1].metric("Likely range", f"{lower:.0%} – {upper:.0%}", border=True)
columns[2].metric("Matching patterns", len(matches), border=True)

if matches:
    st.subheader("Matching patterns and their fixes")
    for match in matches:
        with st.container(border=True):
            st.markdown(f"**{md_escape(match.get('description') or match.get('pattern_key'))}**")
            fixes = match.get("fixes") or []
            if fixes:
                st.dataframe(pd.DataFrame(fixes), hide_index=True)
            else:
                st.caption("No fix recorded yet: record one on the Patterns page once you find it.")

alternatives = result.get("alternatives") or []
if alternatives:
    st.subheader("Alternatives")
    st.dataframe(pd.DataFrame(alternatives), hide_index=True)
for message in result.get("messages") or []:
    st.caption(message)
by_position = result.get("positions") or []
if by_position:
    st.subheader("By segment position")
    st.dataframe(pd.DataFrame(by_position), hide_index=True)
