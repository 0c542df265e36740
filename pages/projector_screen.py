"""The projected dashboard: every group live, refreshed every few seconds without a click."""

import datetime as dt

import pandas as pd
import streamlit as st

from pages.common import (
    REFRESH_S,
    dashboard,
    facilitator,
    lang,
    markdown_escaped,
    pick,
    plain,
    service,
    show_error,
    timer_display,
    tr,
)
from welfare_core.charts import GRADE_COLOURS, grade_distribution
from welfare_core.codes import format_code
from welfare_core.demo import ensure_demo
from welfare_core.errors import WelfareError
from welfare_core.links import base_url, join_link, qr_png
from welfare_core.model import GRADE_LETTERS

svc = service()
slug = st.query_params.get("ws") or ensure_demo(svc)
try:
    workshop = svc.workshop(slug)
except WelfareError as err:
    show_error(err)
    st.stop()
st.query_params["ws"] = workshop.slug

# Large type for the back of the room; the cards hold escaped user text only (see plain()).
st.html("""
<style>
  .stMainBlockContainer h1 { font-size: 1.7rem; }
  .stMainBlockContainer h3 { font-size: 1.5rem; }
  .idea-card { border-left: 6px solid #1e88e5; background: rgba(30,136,229,.08);
               padding: .25rem .5rem; margin: .25rem 0; font-size: 1.15rem; line-height: 1.4; }
  .idea-card small { display: block; color: #555; font-size: .95rem; }
  .flags { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .3rem; }
  .flag { background: #fff3cd; padding: 0 .4rem; border-radius: .3rem; font-size: .95rem; }
  .progress-row { display: grid; grid-template-columns: 11rem 1fr 3.5rem; gap: .5rem;
                  align-items: center; font-size: 1.1rem; margin: .15rem 0; }
  .progress-bar { background: #e3e3e3; height: .9rem; border-radius: .45rem; }
  .progress-bar div { background: #1e88e5; height: 100%; border-radius: .45rem; }
  .grade-tiles { display: grid; grid-template-columns: 1fr 1fr; gap: .4rem; }
  .grade-tile { color: #fff; text-align: center; border-radius: .4rem;
                font-size: 1.1rem; padding: .1rem 0; }
  .grade-tile b { display: block; font-size: 2rem; line-height: 1.1; }
</style>
""")
heading, clock = st.columns([3, 1], vertical_alignment="center")
heading.title(markdown_escaped(pick(workshop.title_th, workshop.title_en)), anchor=False)

signed_in = facilitator()
facilitating = signed_in is not None and signed_in[0].id == workshop.id
# Join codes reach the screen only when this workshop's facilitator asks for them.
if facilitating and st.toggle(tr("projector.show_codes"), key="show_codes"):
    base = base_url(st.get_option("server.port"))
    columns = st.columns(3)
    for n, group in enumerate(svc.groups(workshop.id)):
        with columns[n % 3]:
            st.image(qr_png(join_link(base, group.join_code), scale=8), width=240)
            st.markdown(
                f"**{markdown_escaped(pick(group.name_th, group.name_en))}** · "
                f"`{format_code(group.join_code)}`"
            )


def progress_html(progress: pd.DataFrame) -> str:
    rows = []
    for _, row in progress.iterrows():
        share = 100 * row["rated"] / row["funds"] if row["funds"] else 0
        rows.append(
            f'<div class="progress-row"><span>{plain(pick(row["group_th"], row["group_en"]))}'
            f'</span><div class="progress-bar"><div style="width:{share:.0f}%"></div></div>'
            f"<span>{int(row['rated'])}/{int(row['funds'])}</span></div>"
        )
    return "".join(rows)


def grade_tiles(overall: pd.DataFrame) -> str:
    colours = dict(zip(GRADE_LETTERS, GRADE_COLOURS, strict=True))
    return (
        '<div class="grade-tiles">'
        + "".join(
            f'<div class="grade-tile" style="background:{colours[row["grade"]]}">'
            f"{plain(row['grade'])}<b>{int(row['funds'])}</b></div>"
            for _, row in overall.iterrows()
        )
        + "</div>"
    )


@st.fragment(run_every=dt.timedelta(seconds=REFRESH_S))
def clock_face() -> None:
    timer_display(dashboard(str(svc.store.path), workshop.id).timer, size_px=32)


@st.fragment(run_every=dt.timedelta(seconds=REFRESH_S))
def live() -> None:
    view = dashboard(str(svc.store.path), workshop.id)
    if view.locked:
        st.info(tr("projector.locked"), icon=":material/lock:")

    # One screen at 1280x720: progress, chart and totals side by side, the idea wall below.
    progress_col, chart_col, totals_col = st.columns([3, 4, 2], gap="medium")
    with progress_col:
        st.markdown(f"**{tr('projector.progress')}**")
        st.html(progress_html(view.progress))
        # Funds named by their sub-district: short enough for chips beside the chart.
        flags = [
            tr("projector.disagreement", fund=row["tambon"], grades=row["grades"])
            for _, row in view.disagreements.iterrows()
        ] + [
            tr(
                "projector.changed",
                fund=row["tambon"],
                before=row["previous_grade"],
                now=row["grade"],
            )
            for _, row in view.changes.iterrows()
        ]
        if flags:
            st.html(
                f"<small>{plain(tr('projector.flags'))}</small><div class='flags'>"
                + "".join(f'<span class="flag">{plain(flag)}</span>' for flag in flags[:6])
                + (f"<small> +{len(flags) - 6}</small>" if len(flags) > 6 else "")
                + "</div>"
            )
    with chart_col:
        st.markdown(f"**{tr('projector.grades')}**")
        chart = grade_distribution(view.counts, lang(), legend=False, step=26)
        st.altair_chart(chart, width="stretch")
    with totals_col:
        st.html(grade_tiles(view.overall))
    walls = st.columns(len(view.areas))
    for wall, area in zip(walls, view.areas, strict=True):
        with wall:
            ideas = view.wall[view.wall["area"] == area.key]
            st.markdown(
                f"**{markdown_escaped(pick(area.name_th, area.name_en))}**"
                f" ({int(view.ideas_per_area[area.key])})"
            )
            cards = [
                f'<div class="idea-card">{plain(idea["text"])}'
                f"<small>{plain(pick(idea['origins_th'], idea['origins_en']))}"
                f" · {plain(tr('projector.votes', votes=int(idea['votes'])))}"
                f"{' · ✓ ' + plain(tr('col.adopted')) if idea['adopted'] else ''}</small></div>"
                for _, idea in ideas.iterrows()
            ]
            st.html("".join(cards) or f"<small>{plain(tr('projector.no_ideas'))}</small>")


with clock:
    clock_face()
live()
