"""The Altair charts, shared by the projector and the exported documents."""

from __future__ import annotations

import altair as alt
import pandas as pd

from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS

# Green to red, readable on a projector and in print.
GRADE_COLOURS = ("#2e7d32", "#9ccc65", "#ffb300", "#e53935")
# The segment labels: white on the dark colours (A, D), near-black on the light ones (B, C).
LABEL_COLOURS = ("#ffffff", "#111111", "#111111", "#ffffff")
LABEL_PX = 20  # read from the back row of a meeting room at 1280x720
SMALLEST_LABELLED = 0.06  # of the longest bar: a narrower segment has no room for "A 3"


def grade_distribution(
    counts: pd.DataFrame, lang: str, font: str = "Sarabun", legend: bool = True, step: int = 32
) -> alt.LayerChart:
    """Stacked bars: funds per group (district) and current grade, from ``grade_counts``.

    Every segment wide enough says its grade and count ("B 3"): a black-and-white photocopy
    shows A and D, and B and C, as the same grey. ``legend=False`` where the grade colours are
    explained next to the chart (the projector's tiles); ``step`` is the height of one group's
    bar in pixels.
    """
    group_col = "group_th" if lang == "th" else "group_en"
    order = counts.drop_duplicates("group_position").sort_values("group_position")[group_col]
    data = counts.assign(group=counts[group_col])[["group", "grade", "funds"]]
    longest = max(1, int(data.groupby("group")["funds"].sum().max())) if len(data) else 1
    data = data.assign(label=data["grade"] + " " + data["funds"].astype(str))
    # Horizontal bars: long district names stay readable on a projector and a phone.
    y = alt.Y("group:N", sort=list(order), title=None)
    x = alt.X(
        "sum(funds):Q",
        stack="zero",
        title=t("col.funds", lang),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )
    order_by_grade = alt.Order("grade:N", sort="ascending")
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="#ffffff", strokeWidth=1.5)  # a white edge between segments
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "grade:N",
                title=t("col.grade", lang),
                scale=alt.Scale(domain=list(GRADE_LETTERS), range=list(GRADE_COLOURS)),
                legend=alt.Legend(orient="top") if legend else None,
            ),
            order=order_by_grade,
            tooltip=["group:N", "grade:N", "funds:Q"],
        )
    )
    labels = (
        alt.Chart(data)
        .transform_filter(f"datum.funds >= {SMALLEST_LABELLED * longest}")
        .transform_filter("datum.funds > 0")
        .mark_text(fontSize=LABEL_PX, fontWeight="bold", align="right", dx=-6)
        .encode(
            y=y,
            x=x,
            detail="grade:N",
            order=order_by_grade,
            text="label:N",
            color=alt.Color(
                "grade:N",
                scale=alt.Scale(domain=list(GRADE_LETTERS), range=list(LABEL_COLOURS)),
                legend=None,
            ),
        )
    )
    return (
        alt.layer(bars, labels, height=alt.Step(step))
        .resolve_scale(color="independent")
        .configure(font=font)
        .configure_axis(
            labelFontSize=LABEL_PX,
            titleFontSize=LABEL_PX,
            labelLimit=260,
            labelColor="#222",
            titleColor="#222",
        )
        .configure_legend(
            labelFontSize=LABEL_PX, titleFontSize=LABEL_PX, labelColor="#222", titleColor="#222"
        )
    )
