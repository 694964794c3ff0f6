"""Open data-quality warnings about delivered files, and acknowledging one (Data quality page).

A file whose rows were mostly quarantined is judged once when it arrives (failmap.quality.
judgements). It never stops the marts; the warning stays here until a person acknowledges it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from failmap.quality.judgements import WarningNotFound, acknowledge_warning, file_warnings
from lib.connection import engine
from lib.text import md_escape

FLASH_KEY = "quality_warning_acknowledged"


def warnings_panel() -> None:
    """The open warnings with a form to acknowledge one; nothing when there are none."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(f"Acknowledged: {md_escape(flash)}", icon=":material/done:")
    warnings = file_warnings(engine())
    if not warnings:
        return
    st.subheader("Open warnings")
    count = len(warnings)
    st.warning(
        f"{count} delivered file{'s' if count > 1 else ''} had more rows quarantined than "
        "expected: the sender's format may have changed. The marts were "
        "built from everything else (quarantined rows never reach them). Tell the sender, then "
        "acknowledge the warning here or with `failmap quality ack`.",
        icon=":material/warning:",
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "file_name": warning.file_name,
                    "file_kind": warning.file_kind,
                    "rows_in_file": warning.rows_in_file,
                    "rows_quarantined": warning.rows_quarantined,
                    "judged_at": warning.judged_at,
                }
                for warning in warnings
            ]
        ),
        hide_index=True,
        column_config={
            "file_name": st.column_config.TextColumn("File"),
            "file_kind": st.column_config.TextColumn("Kind"),
            "rows_in_file": st.column_config.NumberColumn("Rows", format="localized"),
            "rows_quarantined": st.column_config.NumberColumn("Quarantined", format="localized"),
            "judged_at": st.column_config.DatetimeColumn("Arrived", format="YYYY-MM-DD HH:mm"),
        },
        key="quality_warnings",
    )
    texts = {warning.file_id: warning.text for warning in warnings}
    with st.form("acknowledge_warning", border=True):
        file_id = st.selectbox("Warning", options=list(texts), format_func=texts.__getitem__)
        who = st.text_input("Acknowledged by", max_chars=200)
        note = st.text_input("Note (optional)", max_chars=2000)
        submitted = st.form_submit_button("Acknowledge", icon=":material/done:")
    if submitted and file_id is not None:
        try:
            acknowledged = acknowledge_warning(engine(), int(file_id), who, note)
        except (ValueError, WarningNotFound) as error:
            st.error(md_escape(error), icon=":material/error:")
            return
        st.session_state[FLASH_KEY] = acknowledged.text
        st.rerun()
