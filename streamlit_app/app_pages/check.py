"""Check a configuration before generating: risk, predicted rate, known fixes, alternatives."""

import pandas as pd
import streamlit as st
from lib import checks
from lib.charts import reading_order
from lib.dimensions import label
from lib.fix_form import fixes_selection
from lib.fixes import measured_text
from lib.long_text import preview, selectable_table
from lib.notices import show_missing, show_no_data
from lib.page import page_context
from lib.pattern_status import shares_text, status_text
from lib.queries import MartMissing, dimension_values
from lib.rates import rate_text
from lib.tables import pattern_label
from lib.text import md_escape

from failmap.alerts import ConfigurationError, PredictionUnavailable
from failmap.alerts.configuration import CHOSEN_DIMENSIONS

BANNERS = {
    "high": st.error,
    "medium": st.warning,
    "low": st.info,
    "none": st.success,
}
FORM_KEY = "check_form"
CHECKED_KEY = "check_checked"
NOTE_WIDTH = 480  # with the other note columns it fills the page at 1440 px

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
    choice_columns = st.columns(3)
    choices: dict[str, str | None] = {}
    for index, dimension in enumerate(CHOSEN_DIMENSIONS):
        options = sorted(values.get(dimension, []), key=reading_order)
        choices[dimension] = choice_columns[index % 3].selectbox(
            label(dimension), options, key=f"check_{dimension}"
        )
    # A number, as `failmap check --segment-position` takes it; empty: the whole scene.
    position = choice_columns[2].number_input(
        "Segment position",
        min_value=1,
        max_value=200,
        value=None,
        step=1,
        placeholder="whole scene",
        key="check_segment_position",
        help="The segment's place in its scene (1 = first). Leave empty for the whole scene.",
    )
    segments = choice_columns[0].number_input(
        "Segments in the scene",
        min_value=1,
        max_value=200,
        value=None,
        placeholder="optional",
        key="check_segments",
        help="With a number, the check reports each position and the whole scene.",
    )
    submitted = st.form_submit_button("Check", type="primary", key="check_submit")

# The result stays after its first run, so choosing a fix or a note below (a rerun) keeps it;
# a form's widgets only take new values when it is submitted again.
if submitted:
    st.session_state[CHECKED_KEY] = True
if not st.session_state.get(CHECKED_KEY):
    st.stop()

configuration = {**choices, "segment_position": int(position) if position else None}
try:
    result = checks.check_configuration(configuration, int(segments) if segments else None)
except ConfigurationError as error:
    st.error(
        "\n".join(
            f"- {label(field)}: {md_escape(message)}" for field, message in error.errors.items()
        )
    )
    st.stop()
except PredictionUnavailable:
    show_no_data()
    st.stop()

severity = str(result["severity"])
HEADLINES = {
    "high": "High risk: this configuration matches a pattern that fails often.",
    "medium": "Medium risk: this configuration fails more than most.",
    "low": "Low risk: slightly more failures than usual.",
    "none": "No known risk: this configuration fails about as often as everything else.",
}
BANNERS.get(severity, st.info)(
    f"**{HEADLINES.get(severity, severity)}** A warning, not a block: you can generate it."
)
for message in result.get("messages") or []:
    st.caption(md_escape(message))

scene = result.get("scene")
columns = st.columns(4)
columns[0].metric(
    "Predicted failure rate",
    rate_text(result["predicted_failure_rate"]),
    help="Share of this configuration's segments expected to fail a check.",
    border=True,
)
columns[1].metric(
    f"Likely range ({result['confidence_level']:.0%})",
    f"{rate_text(result['lower'])} – {rate_text(result['upper'])}",
    border=True,
)
columns[2].metric(
    "Overall rate",
    f"{result['overall_failure_rate']:.1%}",
    help="Share of all segments, over all data, that failed a check.",
    border=True,
)
if scene:
    columns[3].metric(
        f"Failing segments in {scene['segments']}",
        f"{scene['expected_failed_segments']:.1f}",
        help=f"At least one fails with probability {scene['probability_any_failure']:.0%}.",
        border=True,
    )
else:
    columns[3].metric("Matching patterns", len(result.get("patterns") or []), border=True)

positions = pd.DataFrame(result.get("positions") or [])
if len(positions) > 1 or scene:
    st.subheader("By segment position")
    st.dataframe(
        positions.assign(
            predicted=positions["predicted_failure_rate"] * 100,
            patterns=positions["pattern_keys"].map(
                lambda keys: [pattern_label(key) for key in keys] if keys is not None else []
            ),
            range=[
                f"{rate_text(low)} – {rate_text(high)}"
                for low, high in zip(positions["lower"], positions["upper"], strict=True)
            ],
        ),
        hide_index=True,
        column_order=[
            "position_bucket",
            "predicted",
            "range",
            "severity",
            "observed_total_count",
            "patterns",
        ],
        column_config={
            "position_bucket": st.column_config.TextColumn("Positions"),
            "predicted": st.column_config.ProgressColumn(
                "Predicted", format="%.0f%%", min_value=0, max_value=100
            ),
            "range": st.column_config.TextColumn("Likely range"),
            "severity": st.column_config.TextColumn("Severity"),
            "observed_total_count": st.column_config.NumberColumn(
                "Segments seen", format="localized"
            ),
            "patterns": st.column_config.ListColumn("Patterns", width="large"),
        },
        key="check_positions",
    )

patterns = result.get("patterns") or []
st.subheader("Matching patterns and their fixes")
if not patterns:
    st.caption("No surfaced failure pattern contains this configuration.")
for pattern in patterns:
    with st.container(border=True):
        st.markdown(f"**{md_escape(pattern['description'])}** · severity {pattern['severity']}")
        # Status and top reasons (issues 12, 13); resolved patterns are never matched, inactive
        # ones are (a combination that failed still warns when picked again).
        st.caption(
            status_text(
                pattern.get("status", "active"),
                pattern.get("status_since"),
                explained=True,
                returned_after=pattern.get("returned_after"),
            )
            + (
                " · top failure reasons: " + md_escape(shares_text(pattern["top_failure_reasons"]))
                if pattern.get("top_failure_reasons")
                else ""
            )
        )
        if pattern["matched_by"] != pattern["pattern_key"]:
            st.caption(f"Matched as {md_escape(pattern_label(pattern['matched_by']))}.")
        if pattern.get("fares_better") and pattern.get("configuration_rate") is not None:
            st.caption(
                f"This configuration fares better within it: about "
                f"{pattern['configuration_rate']:.0%}, so its severity is not taken."
            )
        if pattern["fixes"]:
            fixes = pd.DataFrame(pattern["fixes"])
            fixes["measured"] = [measured_text(fix) for fix in pattern["fixes"]]
            _, fix = fixes_selection(
                fixes, "description", key=f"check_fixes_{pattern['pattern_key']}"
            )
            if fix is not None:
                st.text(fix["description"])
        else:
            st.caption("No fix recorded yet: once you find one, record it on the Patterns page.")

alternatives = result.get("alternatives") or []
st.subheader("Alternatives")
if not alternatives:
    st.caption("No single change of workflow, model, LoRA or character credibly lowers the rate.")
else:
    st.markdown(
        "\n".join(
            f"- {md_escape(a['message'][:1].upper() + a['message'][1:])}" for a in alternatives
        )
    )

notes = result.get("notes") or []
if notes:
    st.subheader("Notes on these values")
    notes_frame = pd.DataFrame(notes)
    notes_frame = notes_frame.assign(
        dimension=notes_frame["dimension"].map(label),  # 'lora' -> 'LoRA'
        note_preview=notes_frame["note"].map(lambda text: preview(text, NOTE_WIDTH)),
    )
    note = selectable_table(
        notes_frame,
        {
            "dimension": st.column_config.TextColumn("About", width=100),
            "dimension_value": st.column_config.TextColumn("Value", width=90),
            "note_preview": st.column_config.TextColumn(
                "Note", width=NOTE_WIDTH, help="Select the row to read all of it."
            ),
            "reported_by": st.column_config.TextColumn("By", width=140),
            "created_at": st.column_config.DatetimeColumn("Written", format="YYYY-MM-DD", width=95),
        },
        key="check_notes",
    )
    if note is not None:
        st.text(note["note"])
