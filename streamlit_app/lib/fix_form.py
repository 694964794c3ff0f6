"""The "record a fix" form and the list of fixes of one pattern."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.fixes import (
    EFFECTIVENESS_LABELS,
    MAX_DESCRIPTION_CHARS,
    MAX_PARAMETERS_CHARS,
    MAX_REPORTER_CHARS,
    FixInput,
    FixInvalid,
    effect_label,
    record_fix,
    signed_in_reporter,
)
from lib.long_text import preview, selectable_table
from lib.notices import show_missing
from lib.queries import MartMissing, clear_caches, pattern_fixes
from lib.tables import pattern_label
from lib.text import md_escape

# Column widths of the fixes table: with the date and the verdict they fill the page's width
# at 1440 px; a longer description shows whole under the table once its row is selected.
DESCRIPTION_WIDTH = 520
REPORTER_WIDTH = 170
REPORTER_KEY = "fix_reporter"  # kept across fixes: the same person records the next one
_SAVED_KEY = "fix_saved_message"
# Recording a fix starts a new generation of the form's widgets, so the browser shows them empty
# (deleting a widget's state does not clear what the browser shows).
_GENERATION_KEY = "fix_form_generation"


def fixes_table(pattern_key: str) -> None:
    """The fixes recorded for a pattern, newest first; the selected one is shown in full below.

    A description can be 2,000 characters: the table shows its first words and the selected
    fix's whole text, as typed (never as markup), under it.
    """
    try:
        fixes = pattern_fixes(pattern_key)
    except MartMissing as error:
        show_missing(error, "The list of fixes")
        return
    if fixes.empty:
        st.caption("No fix recorded for this pattern yet.")
        return
    fixes, fix = fixes_selection(fixes, "fix_description", key=f"fixes_{pattern_key}")
    if fix is None:
        if (fixes["description_preview"] != fixes["fix_description"]).any():
            st.caption("Select a fix to read all of what was done.")
        return
    with st.container(border=True, key=f"fix_detail_{pattern_key}"):
        st.caption(
            f"Fix #{int(fix['fix_id'])}, recorded {fix['created_at']:%Y-%m-%d %H:%M} UTC by "
            f"{md_escape(fix['reported_by'])}. Did it work? {md_escape(fix['effectiveness'])}. "
            f"Measured: {md_escape(fix['measured'])}."
        )
        changes = list(fix["explained_by_changes"])
        if changes:
            one = len(changes) == 1
            st.warning(
                "What the pattern's rate fell since the fix is accounted for by "
                + ("a version change" if one else "version changes")
                + " judged an improvement near it (without "
                + ("its" if one else "their")
                + " segments the pattern hardly fell): "
                + ", ".join(md_escape(change) for change in changes)
                + ". Unless the fix was that change, the fall is not the fix's.",
                icon=":material/compare_arrows:",
            )
        masking = list(fix["masked_by_changes"])
        if masking:
            one = len(masking) == 1
            st.warning(
                "A version change judged a regression near the fix may hide what it did: "
                "without "
                + ("its" if one else "their")
                + " segments the pattern fails significantly less since the fix than before: "
                + ", ".join(md_escape(change) for change in masking)
                + ". Judge the fix on what did not run on "
                + ("it" if one else "them")
                + ".",
                icon=":material/visibility_off:",
            )
        st.text(fix["fix_description"])
        if isinstance(fix["fix_parameters"], str) and fix["fix_parameters"]:
            st.code(fix["fix_parameters"], language="json", wrap_lines=True)


MEASURED_HELP = (
    "What the data says: the pattern's failure rate in the 28 days before the fix against every "
    "day since. Verified when it fell significantly (or the pattern is resolved and credited to "
    "this fix), no drop when enough segments since show none, too early until then. Measured "
    "at each refresh."
)


def fixes_selection(
    fixes: pd.DataFrame, description: str, key: str
) -> tuple[pd.DataFrame, pd.Series | None]:
    """Fixes as a table (date, the description's first words, verdict, who) and the row a person
    selected (None before): the Patterns page and Check a configuration show the same table."""
    fixes = fixes.assign(
        effectiveness=fixes["effectiveness"].map(effect_label),
        description_preview=fixes[description].map(lambda text: preview(text, DESCRIPTION_WIDTH)),
    )
    chosen = selectable_table(
        fixes,
        {
            "created_at": st.column_config.DatetimeColumn(
                "Recorded", format="YYYY-MM-DD", width=95
            ),
            "description_preview": st.column_config.TextColumn(
                "What was done",
                width=DESCRIPTION_WIDTH,
                help="The first words; select the row to read all of it.",
            ),
            "effectiveness": st.column_config.TextColumn("Did it work?", width=110),
        }
        # What the data measured, where the fixes come with it (the Patterns page).
        | (
            {"measured": st.column_config.TextColumn("Measured", width=170, help=MEASURED_HELP)}
            if "measured" in fixes.columns
            else {}
        )
        | {"reported_by": st.column_config.TextColumn("By", width=REPORTER_WIDTH)},
        key=key,
    )
    return fixes, chosen


def fix_form(pattern_key: str) -> None:
    """A form that records a fix for `pattern_key` in app.pattern_fixes."""
    saved = st.session_state.pop(_SAVED_KEY, None)
    if saved:
        st.success(saved, icon=":material/check_circle:")
    reporter = signed_in_reporter()
    generation = st.session_state.get(_GENERATION_KEY, 0)
    with st.form(f"fix_form_{generation}", border=True):
        st.markdown("**Record a fix**")
        description = st.text_area(
            "What did you change?",
            max_chars=MAX_DESCRIPTION_CHARS,
            placeholder="e.g. Lowered CFG to 6.5 and added a face-restore pass for c12 close-ups",
            key=f"fix_description_{generation}",
        )
        left, right = st.columns(2)
        effectiveness = left.selectbox(
            "Did it work?",
            options=list(EFFECTIVENESS_LABELS),
            format_func=EFFECTIVENESS_LABELS.__getitem__,
            key=f"fix_effectiveness_{generation}",
        )
        if reporter:
            right.text_input("Reported by", value=reporter, disabled=True)
            typed_reporter = reporter
        else:
            typed_reporter = right.text_input(
                "Your name",
                max_chars=MAX_REPORTER_CHARS,
                key=REPORTER_KEY,
                help="Required: who to ask about this fix.",
            )
        parameters = st.text_area(
            "Parameters (JSON, optional)",
            max_chars=MAX_PARAMETERS_CHARS,
            placeholder='{"cfg_scale": 6.5, "face_restore": true}',
            key=f"fix_parameters_{generation}",
            height=68,
        )
        submitted = st.form_submit_button(
            "Record fix", type="primary", key=f"fix_submit_{generation}"
        )
    if not submitted:
        return
    try:
        fix_id = record_fix(
            FixInput(
                pattern_key=pattern_key,
                description=description or "",
                reported_by=typed_reporter or "",
                effectiveness=effectiveness,
                parameters=parameters or "",
            )
        )
    except FixInvalid as error:
        st.error("\n".join(f"- {problem}" for problem in error.problems), icon=":material/error:")
        return
    clear_caches()
    st.session_state[_SAVED_KEY] = (
        f"Fix #{fix_id} recorded for {md_escape(pattern_label(pattern_key))}."
    )
    st.session_state[_GENERATION_KEY] = generation + 1
    st.rerun()
