"""The projected dashboard: every group live, refreshed every few seconds without a click."""

import datetime as dt

import pandas as pd
import streamlit as st

from pages.common import (
    REFRESH_S,
    dashboard,
    facilitator,
    lang,
    pick,
    plain,
    service,
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
    st.error(err.message(lang()), icon=":material/error:")
    st.stop()
st.query_params["ws"] = workshop.slug

# Large type for the back of the room; the cards hold escaped user text only (see plain()).
st.html("""
<style>
  .stMainBlockContainer h1 { font-size: 1.7rem; }
  .stMainBlockContainer h3 { font-size: 1.5rem; }
  .idea-card { border-left: 6px solid #1e88e5; background: rgba(30,136,229,.08);
               padding: .3rem .6rem; margin: .3rem 0; font-size: 1.2rem; line-height: 1.45; }
  .idea-card small { display: block; color: #555; font-size: .95rem; }
  .flag { background: #fff3cd; padding: .3rem .6rem; margin: .2rem 0; font-size: 1.15rem; }
  .progress-row { display: grid; grid-template-columns: 11rem 1fr 3.5rem; gap: .5rem;
                  align-items: center; font-size: 1.1rem; margin: .15rem 0; }
  .progress-bar { background: #e3e3e3; height: .9rem; border-radius: .45rem; }
  .progress-bar div { background: #1e88e5; height: 100%; border-radius: .45rem; }
  .grade-tiles { display: flex; gap: .5rem; margin-top: .6rem; }
  .grade-tile { flex: 1; color: #fff; text-align: center; border-radius: .4rem;
                font-size: 1.1rem; padding: .2rem 0; }
  .grade-tile b { display: block; font-size: 2rem; line-height: 1.1; }
</style>
""")
heading, clock = st.columns([3, 1], vertical_alignment="center")
heading.title(pick(workshop.title_th, workshop.title_en), anchor=False)

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
                f"**{pick(group.name_th, group.name_en)}** · `{format_code(group.join_code)}`"
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
            f"{row['grade']}<b>{int(row['funds'])}</b></div>"
            for _, row in overall.iterrows()
        )
        + "</div>"
    )


@st.fragment(run_every=dt.timedelta(seconds=REFRESH_S))
def clock_face() -> None:
    timer_display(dashboard(str(svc.store.path), workshop.id).timer, size_px=44)


@st.fragment(run_every=dt.timedelta(seconds=REFRESH_S))
def live() -> None:
    view = dashboard(str(svc.store.path), workshop.id)
    if view.locked:
        st.info(tr("projector.locked"), icon=":material/lock:")

    progress_col, chart_col = st.columns([2, 3], gap="large")
    with progress_col:
        st.subheader(tr("projector.progress"), anchor=False)
        st.html(progress_html(view.progress) + grade_tiles(view.overall))
    with chart_col:
        st.subheader(tr("projector.grades"), anchor=False)
        st.altair_chart(grade_distribution(view.counts, lang()), width="stretch")

    st.subheader(tr("projector.idea_wall"), anchor=False)
    walls = st.columns(len(view.areas))
    for wall, area in zip(walls, view.areas, strict=True):
        with wall:
            ideas = view.ideas[view.ideas["area"] == area.key]
            st.markdown(f"**{pick(area.name_th, area.name_en)}** ({len(ideas)})")
            cards = [
                f'<div class="idea-card">{plain(idea["text"])}'
                f"<small>{plain(pick(idea['origins_th'], idea['origins_en']))}"
                f" · {tr('projector.votes', votes=int(idea['votes']))}</small></div>"
                for _, idea in ideas.head(6).iterrows()
            ]
            st.html("".join(cards) or f"<small>{plain(tr('projector.no_ideas'))}</small>")

    flags = [
        tr("projector.disagreement", fund=row["fund"], grades=row["grades"])
        for _, row in view.disagreements.iterrows()
    ] + [
        tr("projector.changed", fund=row["fund"], before=row["previous_grade"], now=row["grade"])
        for _, row in view.changes.iterrows()
    ]
    if flags:
        st.subheader(tr("projector.flags"), anchor=False)
        st.html("".join(f'<div class="flag">{plain(flag)}</div>' for flag in flags[:12]))


with clock:
    clock_face()
live()
