"""The Altair charts, shared by the projector and the exported documents."""

from __future__ import annotations

import altair as alt
import pandas as pd

from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS

# Green to red, readable on a projector and in print.
GRADE_COLOURS = ("#2e7d32", "#9ccc65", "#ffb300", "#e53935")


def grade_distribution(
    counts: pd.DataFrame, lang: str, font: str = "Sarabun", legend: bool = True, step: int = 32
) -> alt.Chart:
    """Stacked bars: funds per group (district) and current grade, from ``grade_counts``.

    ``legend=False`` where the grade colours are explained next to the chart (the projector's
    tiles); ``step`` is the height of one group's bar in pixels.
    """
    group_col = "group_th" if lang == "th" else "group_en"
    order = counts.drop_duplicates("group_position").sort_values("group_position")[group_col]
    data = counts.assign(group=counts[group_col])[["group", "grade", "funds"]]
    return (
        alt.Chart(data, height=alt.Step(step))
        .mark_bar()
        .encode(
            # Horizontal bars: long district names stay readable on a projector and a phone.
            y=alt.Y("group:N", sort=list(order), title=None),
            x=alt.X(
                "sum(funds):Q", title=t("col.funds", lang), axis=alt.Axis(tickMinStep=1, format="d")
            ),
            color=alt.Color(
                "grade:N",
                title=t("col.grade", lang),
                scale=alt.Scale(domain=list(GRADE_LETTERS), range=list(GRADE_COLOURS)),
                legend=alt.Legend(orient="top") if legend else None,
            ),
            order=alt.Order("grade:N", sort="ascending"),
            tooltip=["group:N", "grade:N", "funds:Q"],
        )
        .configure(font=font)
        .configure_axis(
            labelFontSize=16, titleFontSize=16, labelLimit=260, labelColor="#222", titleColor="#222"
        )
        .configure_legend(labelFontSize=16, titleFontSize=16, labelColor="#222", titleColor="#222")
    )
