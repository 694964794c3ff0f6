"""Trends: daily failure rate overall or for one dimension value, flagged days, version changes."""

import pandas as pd
import streamlit as st
from lib import charts
from lib.dimensions import DIMENSIONS, label
from lib.findings import describe_change, series_name, trend_title
from lib.notices import show_missing
from lib.page import page_context, period_caption
from lib.queries import MartMissing, change_events, flagged_days, trend_series, trend_values

# Flags of days with fewer segments are not marked on the chart (shown in the table on request).
SMALL_DAY_SEGMENTS = 30
VERDICTS = {
    "regression": "Regression",
    "improvement": "Improvement",
    "no_change": "No change",
    "insufficient_data": "Too little data",
}

st.title("Trends")
context = page_context()
period = context.period
period_caption(period)

try:
    values = trend_values()
except MartMissing as error:
    show_missing(error, "The daily failure-rate trends")
    st.stop()

dimensions = ["overall", *[d for d in DIMENSIONS if d in values]]
with st.container(horizontal=True):
    dimension = st.selectbox(
        "Series",
        dimensions,
        format_func=lambda d: "All segments" if d == "overall" else label(d),
        key="trend_dimension",
        width=220,
    )
    options = values.get(dimension, ["overall"])
    value = st.selectbox(
        "Value",
        options,
        disabled=dimension == "overall",
        key=f"trend_value_{dimension}",
        width=220,
    )

series = trend_series(dimension, value, period)
try:
    changes = change_events(period)
    changes_error = None
except MartMissing as error:
    changes = pd.DataFrame()
    changes_error = error

# Choosing a series narrows the chart and both tables below to it.
relevant_changes = (
    changes
    if dimension == "overall" or changes.empty
    else changes[(changes["dimension"] == dimension) & (changes["dimension_value"] == value)]
)
shown_series = series.assign(
    regression_flag=series["regression_flag"] & (series["total_count"] >= SMALL_DAY_SEGMENTS),
    improvement_flag=series["improvement_flag"] & (series["total_count"] >= SMALL_DAY_SEGMENTS),
)

if series.empty:
    st.info("No segments in this period for that series. Pick a longer period or another value.")
else:
    shown_changes = pd.DataFrame(
        columns=["changed_at", "label", "verdict", "rate_before", "rate_after"]
    )
    if not relevant_changes.empty:
        shown_changes = relevant_changes.assign(
            label=lambda rows: (
                rows["dimension"].map(label)
                + " "
                + rows["dimension_value"].astype(str)
                + " "
                + rows["from_version"].astype(str)
                + "→"
                + rows["to_version"].astype(str)
            )
        )[["changed_at", "label", "verdict", "rate_before", "rate_after"]]
    st.altair_chart(
        charts.trend(
            shown_series,
            shown_changes,
            title=trend_title(shown_series, series_name(dimension, value), shown_changes),
            subtitle=[
                "Blue: share of segments that failed each day. Dashed grey: trailing baseline. "
                "Red / green points: days flagged as regression / improvement. "
                "Purple rules: version changes.",
                f"Days with fewer than {SMALL_DAY_SEGMENTS} segments are not marked: a handful "
                "of segments swings the rate (their flags are listed below on request).",
            ],
        ),
        width="stretch",
    )

st.subheader("Version changes")
if changes_error is not None:
    show_missing(changes_error, "The version-change verdicts")
elif relevant_changes.empty:
    st.caption(f"No version change of {series_name(dimension, value)} in this period.")
else:
    st.dataframe(
        relevant_changes.assign(
            dimension=relevant_changes["dimension"].map(label),
            verdict=relevant_changes["verdict"].map(VERDICTS).fillna(relevant_changes["verdict"]),
            concurrent_changes=relevant_changes["concurrent_changes"].fillna("–"),
            # No ratio without failures before, or with nothing compared: '–', never None.
            rate_ratio=relevant_changes["rate_ratio"].map(
                lambda ratio: "–" if pd.isna(ratio) else f"{ratio:.2f}×"
            ),
        ),
        hide_index=True,
        column_order=[
            "changed_at",
            "dimension",
            "dimension_value",
            "from_version",
            "to_version",
            "verdict",
            "rate_ratio",
            "compared_share",
            "concurrent_flagged_count",
            "rate_before",
            "rate_after",
            "concurrent_changes",
        ],
        column_config={
            "changed_at": st.column_config.DatetimeColumn("Changed", format="YYYY-MM-DD"),
            "dimension": st.column_config.TextColumn("What"),
            "dimension_value": st.column_config.TextColumn("Which"),
            "from_version": st.column_config.TextColumn("From"),
            "to_version": st.column_config.TextColumn("To"),
            "verdict": st.column_config.TextColumn(
                "Verdict",
                help="Regression / Improvement: the two versions fail significantly "
                "differently (p ≤ 0.01) where they ran alike. No change: any difference is "
                "known to be small: the failure rates' ratio and the pass rates' ratio both "
                "within 1/1.5–1.5, or the rates within one point of each other (near 0 % and "
                "100 % a ratio says little). Too little data: neither can be told yet, or the "
                "change always ran with another one.",
            ),
            "rate_before": st.column_config.NumberColumn("Rate before", format="percent"),
            "rate_after": st.column_config.NumberColumn("Rate after", format="percent"),
            "rate_ratio": st.column_config.TextColumn(
                "Ratio",
                help="The new version's failure rate over the old one's where they ran with "
                "the same kind of version of the other kind (Compared): what the verdict "
                "judges. It can differ from Rate after / Rate before, which are of all their "
                "segments.",
            ),
            "compared_share": st.column_config.NumberColumn(
                "Compared",
                format="percent",
                help="Share of the two versions' segments that ran with the same kind of "
                "version of the other kind (a model's for a workflow change, a workflow's for "
                "a model change) on both sides. The verdict compares only these, so a change "
                "of the other kind in the same days is not credited to this one. 0 %: the two "
                "always changed together and cannot be told apart.",
            ),
            "concurrent_flagged_count": st.column_config.NumberColumn(
                "Flagged alongside",
                help="Changes of the other kind (a model's for a workflow, a workflow's for a "
                "model) in the days this change compares, of one that ran with it, that are "
                "themselves a regression or an improvement.",
            ),
            "concurrent_changes": st.column_config.TextColumn(
                "Changed alongside",
                help="Every such change of the other kind, nearest first.",
            ),
        },
    )
    if (relevant_changes["compared_share"] < 1).any():
        st.caption(
            "Verdicts compare the versions where they ran with the same kind of version of the "
            "other kind (Compared), so a change flagged alongside is not counted twice; the "
            "rates before and after are of all their segments."
        )

st.subheader("Flagged days")
flags = flagged_days(period)
if dimension != "overall":
    flags = flags[(flags["dimension"] == dimension) & (flags["dimension_value"] == value)]
small = flags["total_count"] < SMALL_DAY_SEGMENTS
show_small = st.toggle(
    f"Include days with fewer than {SMALL_DAY_SEGMENTS} segments ({int(small.sum())})",
    value=False,
    key="trend_small_days",
    help="The test behind a flag accounts for the count, so these flags are not errors; but "
    "on a handful of segments one bad batch is enough to flag a day.",
)
if not show_small:
    flags = flags[~small]
if flags.empty:
    st.caption(f"No day of {series_name(dimension, value)} was flagged in this period.")
else:
    st.dataframe(
        flags.assign(
            series=[
                series_name(dimension_name, name)
                for dimension_name, name in zip(
                    flags["dimension"], flags["dimension_value"], strict=True
                )
            ],
            flag=flags["flag"].str.capitalize(),
            explained_by_change=flags["explained_by_change"].map(describe_change),
        ),
        hide_index=True,
        column_order=[
            "day",
            "series",
            "flag",
            "failure_rate",
            "baseline_rate",
            "total_count",
            "explained_by_change",
        ],
        column_config={
            "day": st.column_config.DateColumn("Day"),
            "series": st.column_config.TextColumn("Series", width=200),
            "flag": st.column_config.TextColumn("Flag"),
            "failure_rate": st.column_config.NumberColumn("Failure rate", format="percent"),
            "baseline_rate": st.column_config.NumberColumn("Baseline", format="percent"),
            "total_count": st.column_config.NumberColumn("Segments", format="localized"),
            "explained_by_change": st.column_config.TextColumn(
                "Explained by",
                width=240,
                help="The version change that accounts for the flag, if any.",
            ),
        },
    )
