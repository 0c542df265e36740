"""The projected dashboard: every group live, refreshed every few seconds without a click."""

import datetime as dt

import pandas as pd
import streamlit as st

from welfare_core.charts import GRADE_COLOURS, grade_distribution
from welfare_core.errors import WelfareError
from welfare_core.links import base_url
from welfare_core.model import GRADE_LETTERS
from welfare_core.page_reads import Dashboard
from welfare_ui.feedback import lang, markdown_escaped, pick, plain, show_error, tr
from welfare_ui.runtime import REFRESH_S, dashboard, newest_workshop, service
from welfare_ui.visitor import facilitator
from welfare_ui.widgets import join_code_cards, timer_display

svc = service()
slug = st.query_params.get("ws") or newest_workshop()
try:
    workshop = svc.workshop(slug)
except WelfareError as err:
    show_error(err)
    st.stop()
st.query_params["ws"] = workshop.slug


def progress_html(progress: pd.DataFrame) -> str:
    rows = []
    for _, row in progress.iterrows():
        rows.append(
            f'<div class="progress-row"><span>{plain(pick(row["group_th"], row["group_en"]))}'
            f'</span><div class="progress-bar"><div style="width:{share(row):.0f}%"></div></div>'
            f"<span>{int(row['rated'])}/{int(row['funds'])}</span></div>"
        )
    return "".join(rows)


def share(row: pd.Series) -> float:
    """The part of a group's funds rated, in per cent."""
    return 100 * row["rated"] / row["funds"] if row["funds"] else 0


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


def strip_html(view: Dashboard) -> str:
    """A few lines above the wall: entry closed, each group's progress, funds per grade, and
    the first funds to look at."""
    colours = dict(zip(GRADE_LETTERS, GRADE_COLOURS, strict=True))
    lock = f'<span class="chip lock">🔒 {plain(tr("projector.locked"))}</span>'
    groups = [
        f'<span class="chip progress" style="background:linear-gradient(90deg,rgba(30,136,229,.3) '
        f'{share(row):.0f}%,#eee {share(row):.0f}%)">'
        f"{plain(pick(row['group_th'], row['group_en']))} "
        f"<b>{int(row['rated'])}/{int(row['funds'])}</b></span>"
        for _, row in view.progress.iterrows()
    ]
    grades = [
        f'<span class="chip grade" style="background:{colours[row["grade"]]}">'
        f"{plain(row['grade'])} {int(row['funds'])}</span>"
        for _, row in view.overall.iterrows()
    ]
    chips = [lock] * view.locked + groups + grades + [flag_chips(view, most=5)]
    return '<div class="strip">' + "".join(chips) + "</div>"


def flag_chips(view: Dashboard, most: int) -> str:
    """The funds to look at (devices disagree, grade changed since last time), ``most`` of
    them and how many more; funds are named by their sub-district, short enough for chips."""
    flags = [
        tr("projector.disagreement", fund=row["tambon"], grades=row["grades"])
        for _, row in view.disagreements.iterrows()
    ] + [
        tr("projector.changed", fund=row["tambon"], before=row["previous_grade"], now=row["grade"])
        for _, row in view.changes.iterrows()
    ]
    if not flags:
        return ""
    return (
        f"<span class='flags-title'>{plain(tr('projector.flags'))}</span>"
        + "".join(f'<span class="flag">{plain(flag)}</span>' for flag in flags[:most])
        + (f"<span class='flags-title'> +{len(flags) - most:d}</span>" if len(flags) > most else "")
    )


def idea_card(idea: pd.Series) -> str:
    line = [
        tr("projector.votes", votes=int(idea["votes"])),
        pick(idea["origins_th"], idea["origins_en"]),
    ]
    if idea["adopted"]:
        line.append("✓ " + tr("col.adopted"))
    return (
        f'<div class="idea-card{" adopted" if idea["adopted"] else ""}">'
        f'<div class="idea-text">{plain(idea["text"])}</div>'
        f"<small>{plain(' · '.join(line))}</small></div>"
    )


def idea_wall(view: Dashboard) -> None:
    """Each area's newest ideas during the breakout, its most voted once entry is closed."""
    for wall, area in zip(st.columns(len(view.areas), gap="small"), view.areas, strict=True):
        ideas = view.wall[view.wall["area"] == area.key]
        cards = "".join(idea_card(idea) for _, idea in ideas.iterrows())
        wall.html(
            f'<div class="wall-area"><span>{plain(pick(area.name_th, area.name_en))}</span>'
            f"<span>({int(view.ideas_per_area[area.key])})</span></div>"
            + (cards or f"<small>{plain(tr('projector.no_ideas'))}</small>")
        )


def grades_view(view: Dashboard) -> None:
    """Progress, the chart of grades per district, the totals and every fund to look at."""
    progress_col, chart_col, totals_col = st.columns([3, 4, 2], gap="medium")
    with progress_col:
        st.markdown(f"**{tr('projector.progress')}**")
        st.html(progress_html(view.progress))
        st.html("<div class='flags'>" + flag_chips(view, most=12) + "</div>")
    with chart_col:
        st.markdown(f"**{tr('projector.grades')}**")
        chart = grade_distribution(view.counts, lang(), legend=False, step=26)
        st.altair_chart(chart, width="stretch")
    with totals_col:
        st.html(grade_tiles(view.overall))


@st.fragment(run_every=dt.timedelta(seconds=REFRESH_S))
def clock_face() -> None:
    timer_display(dashboard(workshop.id).timer, size_px=32)


@st.fragment(run_every=dt.timedelta(seconds=REFRESH_S))
def live(shown_view: str) -> None:
    view = dashboard(workshop.id)
    if shown_view == "grades":
        if view.locked:
            st.info(tr("projector.locked"), icon=":material/lock:")
        grades_view(view)
        return
    st.html(strip_html(view))
    idea_wall(view)


# Large type for the back of the room (nothing under 16 px); the cards hold escaped user
# text only (see plain()).
st.html("""
<style>
  .stMainBlockContainer { padding-top: 4.1rem; }  /* the title row just below the menu */
  .stMainBlockContainer h1 { font-size: 1.45rem; line-height: 1.5; padding: 0; }
  .stMainBlockContainer h3 { font-size: 1.5rem; }
  .wall-area { display: flex; gap: .3rem; font-size: 1.15rem; font-weight: 600;
               margin-bottom: .2rem; white-space: nowrap; }
  .wall-area span:first-child { overflow: hidden; text-overflow: ellipsis; }
  .idea-card { border-left: 6px solid #1e88e5; background: rgba(30,136,229,.08);
               padding: .15rem .5rem; margin: 0 0 .3rem; font-size: 1.15rem; line-height: 1.35; }
  .idea-text { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical;
               overflow: hidden; }
  .idea-card small { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
                     overflow: hidden; color: #444; font-size: 1.05rem; line-height: 1.3; }
  .idea-card.adopted { border-left-color: #2e7d32; background: rgba(46,125,50,.1); }
  .strip { display: flex; flex-wrap: wrap; gap: .3rem .5rem; align-items: center;
           font-size: 1.1rem; }
  .chip { border-radius: .3rem; padding: 0 .45rem; white-space: nowrap; }
  .chip.lock { background: #1e88e5; color: #fff; }
  .chip.grade { color: #fff; font-weight: 700; }
  .flags { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .3rem; }
  .flag { background: #fff3cd; padding: 0 .4rem; border-radius: .3rem; font-size: 1.1rem; }
  .flags-title { font-size: 1.05rem; color: #444; }
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
heading, switch, clock = st.columns([7, 2.2, 1.3], vertical_alignment="bottom")
heading.title(markdown_escaped(pick(workshop.title_th, workshop.title_en)), anchor=False)

# The room sees the ideas: the wall by default, with a compact strip above it so that the
# wall fits on one 1280x720 screen; the chart of grades is one click away.
VIEWS = {"wall": tr("projector.view_wall"), "grades": tr("projector.view_grades")}
shown_view = switch.segmented_control(
    tr("projector.view"),
    list(VIEWS),
    format_func=VIEWS.get,
    default="wall",
    required=True,
    key="projector-view",
    label_visibility="collapsed",
)

signed_in = facilitator()
facilitating = signed_in is not None and signed_in[0].id == workshop.id
# Join codes reach the screen only when this workshop's facilitator asks for them.
if facilitating and st.toggle(tr("projector.show_codes"), key="show_codes"):
    base = base_url(st.get_option("server.port"))
    join_code_cards(svc.groups(workshop.id), base, qr_width=240, link_shown=False)

with clock:
    clock_face()
live(shown_view)
