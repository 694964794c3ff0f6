"""Altair charts of the dashboard. Each takes a mart's rows and a title that states the finding."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from lib.dimensions import label

# Name of the heatmap's point selection: st.altair_chart's event holds it under this key.
CELL_SELECTION = "cell"

# The heatmaps' colour scale is the same in every period and every map: 0% green to this rate
# red (higher cells stay full red), so one colour always means one rate.
HEATMAP_SCALE_MAX = 0.30
# Name of the layer that frames the cells inside a surfaced pattern (browser tests find it).
PATTERN_OUTLINE = "pattern_outline"

SEVERITY_COLORS = {"high": "#d62728", "medium": "#ff7f0e", "low": "#bcbd22"}


def reading_order(value: object) -> tuple[bool, list[tuple[int, str]]]:
    """Sort key: `none` last, numbers by value ('1-3' < '4-5' < '6+' < '10'), then text."""
    text = str(value)
    parts = [
        (int(part), "") if part.isdigit() else (-1, part)
        for part in re.split(r"(\d+)", text)
        if part
    ]
    return (text == "none", parts)


def ordered_values(values: pd.Series) -> list[str]:
    """Values in reading order, `none` last (c01, c02, ..., none)."""
    return sorted(set(values), key=reading_order)


def _title(title: str, subtitle: str | list[str] | None) -> alt.Title:
    return alt.Title(
        text=title,
        subtitle=subtitle or "",
        anchor="start",
        fontSize=16,
        subtitleFontSize=12,
        subtitleColor="#555",
        offset=10,
    )


def heatmap(
    cells: pd.DataFrame,
    x_dimension: str,
    y_dimension: str,
    title: str,
    subtitle: str | list[str] | None = None,
) -> alt.LayerChart:
    """Green (low) to red (high) cells coloured by the shrunk failure rate, counts on hover.

    A click selects a cell: `event["selection"]["cell"]` is `[{x_dimension: ..., y_dimension:
    ...}]`. Cells with a non-empty `pattern` (the pattern they lie inside) have a dark outline.
    The colour scale is fixed (0 to HEATMAP_SCALE_MAX) and clamped, so a cell above it is full
    red, never black, and a colour means the same rate in every period.
    """
    if "pattern" not in cells.columns:
        cells = cells.assign(pattern=cells["pattern_key"].fillna(""))
    frame = cells.rename(columns={"x_value": x_dimension, "y_value": y_dimension}).assign(
        text_color=lambda rows: rows["shrunk_failure_rate"].gt(HEATMAP_SCALE_MAX * 0.65),
    )
    domain_max = HEATMAP_SCALE_MAX
    x_title, y_title = label(x_dimension), label(y_dimension)
    selection = alt.selection_point(name=CELL_SELECTION, fields=[x_dimension, y_dimension])
    rows = frame[y_dimension].nunique()

    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{x_dimension}:N",
            title=x_title,
            sort=ordered_values(frame[x_dimension]),
            axis=alt.Axis(labelAngle=0, orient="top", labelFontSize=12, titleFontSize=13),
        ),
        y=alt.Y(
            f"{y_dimension}:N",
            title=y_title,
            sort=ordered_values(frame[y_dimension]),
            axis=alt.Axis(labelFontSize=12, titleFontSize=13),
        ),
        tooltip=[
            alt.Tooltip(f"{x_dimension}:N", title=x_title),
            alt.Tooltip(f"{y_dimension}:N", title=y_title),
            alt.Tooltip("total_count:Q", title="Segments", format=","),
            alt.Tooltip("failure_count:Q", title="Failed", format=","),
            alt.Tooltip("failure_rate:Q", title="Failure rate", format=".1%"),
            alt.Tooltip("shrunk_failure_rate:Q", title="Estimated rate", format=".1%"),
            alt.Tooltip("pattern:N", title="Pattern"),
        ],
    )
    rects = (
        base.mark_rect(cornerRadius=2, cursor="pointer")
        .encode(
            color=alt.Color(
                "shrunk_failure_rate:Q",
                title="Estimated rate",
                scale=alt.Scale(
                    scheme="redyellowgreen", reverse=True, domain=[0, domain_max], clamp=True
                ),
                legend=alt.Legend(
                    format=".0%",
                    orient="right",
                    values=[0, 0.1, 0.2, HEATMAP_SCALE_MAX],
                    labelExpr=f"datum.value >= {HEATMAP_SCALE_MAX} ? '≥ ' + datum.label "
                    ": datum.label",
                    gradientLength=min(160, 34 * rows),
                ),
            ),
            stroke=alt.value("white"),
            strokeWidth=alt.value(1),
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.35)),
        )
        .add_params(selection)
    )
    # Pattern cells get a dark frame drawn above every cell, so no neighbour's white border
    # covers it; unfilled, so clicks still reach the cell below.
    outlines = (
        base.transform_filter("datum.pattern != ''")
        .mark_rect(filled=False, stroke="#111111", strokeWidth=3, cornerRadius=2)
        .properties(name=PATTERN_OUTLINE)
    )
    layers: list[alt.Chart] = [rects, outlines]
    if len(frame) <= 160:  # labels stay readable up to ~160 cells
        layers.append(
            base.mark_text(fontSize=11, cursor="pointer").encode(
                text=alt.Text("shrunk_failure_rate:Q", format=".0%"),
                color=alt.condition("datum.text_color", alt.value("white"), alt.value("#1f1f1f")),
            )
        )
    # Streamlit fits the whole chart (title, axes) into the height: leave room for them.
    return (
        alt.layer(*layers)
        .properties(title=_title(title, subtitle), height=34 * rows + 145)
        .configure_view(stroke=None)
    )


# Version changes whose verdict changed something; only these are named on a trend chart, and
# only up to MAX_NAMED_CHANGES of them (more are ruled; their names are in the tooltip and the
# table below the chart). A name is cut at LABEL_PIXELS.
DECISIVE_VERDICTS = ("regression", "improvement")
MAX_NAMED_CHANGES = 6
LABEL_PIXELS = 260


def trend(
    series: pd.DataFrame,
    changes: pd.DataFrame,
    title: str,
    subtitle: str | list[str] | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """Daily failure rate with its trailing baseline, flagged days marked, version changes ruled.

    `series`: day, failure_rate, baseline_rate, total_count, failure_count, regression_flag,
    improvement_flag. `changes`: changed_at, label, verdict (may be empty).
    """
    frame = series.assign(
        flag=lambda rows: (
            rows["regression_flag"]
            .map({True: "regression"})
            .fillna(rows["improvement_flag"].map({True: "improvement"}))
            .fillna("")
        )
    )
    x = alt.X("day:T", title="Day (UTC)", axis=alt.Axis(format="%b %d", labelAngle=0))
    tooltip = [
        alt.Tooltip("day:T", title="Day", format="%Y-%m-%d"),
        alt.Tooltip("failure_rate:Q", title="Failure rate", format=".1%"),
        alt.Tooltip("baseline_rate:Q", title="Baseline", format=".1%"),
        alt.Tooltip("failure_count:Q", title="Failed", format=","),
        alt.Tooltip("total_count:Q", title="Segments", format=","),
        alt.Tooltip("flag:N", title="Flag"),
    ]
    y = alt.Y(
        "failure_rate:Q", title="Failed segments (share of the day)", axis=alt.Axis(format="%")
    )
    base = alt.Chart(frame).encode(x=x)
    layers: list[alt.Chart] = [
        base.mark_line(color="#9e9e9e", strokeDash=[4, 4]).encode(
            y=alt.Y("baseline_rate:Q", axis=alt.Axis(format="%"))
        ),
        base.mark_line(color="#1f77b4", point=alt.OverlayMarkDef(size=18)).encode(
            y=y, tooltip=tooltip
        ),
        alt.Chart(frame[frame["flag"] != ""])
        .mark_point(size=140, filled=True, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "flag:N",
                title="Flagged day",
                scale=alt.Scale(domain=["regression", "improvement"], range=["#d62728", "#2ca02c"]),
            ),
            tooltip=tooltip,
        ),
    ]
    if not changes.empty:
        changes = changes.sort_values("changed_at").assign(
            decisive=lambda rows: rows["verdict"].isin(DECISIVE_VERDICTS)
        )
        # Every change is ruled (faint when it changed nothing); only decisive ones are named,
        # and only while few: real data changes versions with nearly every run (LAMMPS: ~40
        # changes in six weeks), and their names piled up over the chart.
        rules = alt.Chart(changes).encode(x=alt.X("changed_at:T"))
        layers.append(
            rules.mark_rule(strokeDash=[2, 3], color="#6a3d9a").encode(
                opacity=alt.condition("datum.decisive", alt.value(1.0), alt.value(0.25)),
                tooltip=[
                    alt.Tooltip("label:N", title="Version change"),
                    alt.Tooltip("verdict:N", title="Verdict"),
                ],
            )
        )
        named = changes[changes["decisive"]]
        if 0 < len(named) <= MAX_NAMED_CHANGES:
            # Labels of changes days apart would overlap on one line: three lines, in turn.
            named = named.assign(label_y=[8 + 13 * (order % 3) for order in range(len(named))])
            layers.append(
                alt.Chart(named)
                .mark_text(
                    align="left", dx=4, dy=-4, color="#6a3d9a", fontSize=11, limit=LABEL_PIXELS
                )
                .encode(
                    x=alt.X("changed_at:T"),
                    y=alt.Y("label_y:Q", scale=None, axis=None),
                    text="label:N",
                )
            )
    return alt.layer(*layers).properties(title=_title(title, subtitle), height=420)


def horizontal_bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    value_title: str,
    subtitle: str | None = None,
    severity: str | None = None,
    value_format: str = ",.0f",
    sort: str | list[str] = "-x",
) -> alt.Chart:
    """Bars of `value` per `category`, largest first; coloured by a severity column if given."""
    color = (
        alt.Color(
            f"{severity}:N",
            title="Severity",
            scale=alt.Scale(domain=list(SEVERITY_COLORS), range=list(SEVERITY_COLORS.values())),
        )
        if severity
        else alt.value("#1f77b4")
    )
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            x=alt.X(
                f"{value}:Q", title=value_title, axis=alt.Axis(tickCount=6, format=value_format)
            ),
            y=alt.Y(f"{category}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=360)),
            color=color,
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=value_format)],
        )
        .properties(title=_title(title, subtitle), height=30 * len(frame) + 110)
    )


def stacked_daily_bars(
    frame: pd.DataFrame,
    value: str,
    stack: str,
    title: str,
    value_title: str,
    subtitle: str | None = None,
) -> alt.Chart:
    """Bars per day, stacked by `stack` (e.g. errors per day by category)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("day:T", title="Day (UTC)", axis=alt.Axis(format="%b %d", labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=value_title, stack="zero"),
            color=alt.Color(f"{stack}:N", title=stack.replace("_", " ").capitalize()),
            tooltip=[
                alt.Tooltip("day:T", title="Day", format="%Y-%m-%d"),
                alt.Tooltip(f"{stack}:N"),
                alt.Tooltip(f"{value}:Q", title=value_title, format=","),
            ],
        )
        .properties(title=_title(title, subtitle), height=340)
    )
