"""The plenary: dots per group, merging duplicate ideas, and adopting the plan area by area."""

import pandas as pd
import streamlit as st

from welfare_core.due import due_words
from welfare_core.model import PlanArea
from welfare_core.rules import MAX_DOTS
from welfare_ui.feedback import attempt, lang, markdown_escaped, pick, show_flash, tr
from welfare_ui.runtime import service
from welfare_ui.visitor import require_facilitator

svc = service()
workshop, me = require_facilitator()
plenary = svc.plenary(workshop.id)
PLAN_FIELDS = ("action", "responsible", "due", "partner")


def label(idea: pd.Series) -> str:
    return f"{idea['text'][:70]} — {pick(idea['origins_th'], idea['origins_en'])}"


def details(idea: pd.Series) -> str:
    """Votes, the groups behind the idea and its action plan, on one line under the tick."""
    plan = {**idea, "due": due_words(idea["due"], lang())}
    parts = [
        tr("projector.votes", votes=int(idea["votes"])),
        pick(idea["origins_th"], idea["origins_en"]),
    ] + [f"{tr(f'export.col.{field}')}: {plan[field]}" for field in PLAN_FIELDS if plan[field]]
    return " · ".join(parts)


def adopt(idea_id: int) -> None:
    """Save the tick of one idea as it is made. Each idea has its own box under a key that
    never changes, so ticks made in quick succession are each applied to their own idea and
    none is overwritten by the page redrawing after another. A refusal (the idea was merged
    or withdrawn meanwhile) is shown, and the box shows the stored decision again."""
    adopted = bool(st.session_state[f"adopt-{idea_id}"])
    if attempt(lambda: svc.set_adopted(me, idea_id, adopted) or True):
        st.session_state["flash"] = "plenary.adopted"
    else:
        st.session_state.pop(f"adopt-seen-{idea_id}", None)  # the next draw shows what is stored


def adoption_box(idea: pd.Series) -> None:
    """The box follows the stored decision when that changes (a tick saved, another device, a
    refusal), not on every run: a run drawn while the browser's next tick is still on its way
    (a busy laptop, the server's rerun gate) would send the old state back and lose the tick."""
    idea_id = int(idea["idea_id"])
    stored, seen = bool(idea["adopted"]), f"adopt-seen-{idea_id}"
    if st.session_state.get(seen) != stored:
        st.session_state[seen] = st.session_state[f"adopt-{idea_id}"] = stored
    with st.container(gap=None):  # the tick and its details read as one item
        st.checkbox(
            markdown_escaped(idea["text"]),
            key=f"adopt-{idea_id}",
            on_change=adopt,
            args=(idea_id,),
        )
        st.caption(markdown_escaped(details(idea)))


def area_plan(area: PlanArea) -> None:
    """The area's ideas, most votes first: tick to adopt, and merge duplicates."""
    in_area = plenary.ideas[plenary.ideas["area"] == area.key].sort_values(
        ["votes", "created_at"], ascending=[False, True]
    )
    if in_area.empty:
        st.caption(tr("projector.no_ideas"))
        return
    st.caption(tr("plenary.adopt_hint"))
    for _, idea in in_area.iterrows():
        adoption_box(idea)

    with st.form(f"merge-{area.key}"):
        st.markdown(f"**{tr('plenary.merge_title')}**")
        choices = {int(i["idea_id"]): label(i) for _, i in in_area.iterrows()}
        into = st.selectbox(tr("plenary.merge_into"), list(choices), format_func=choices.get)
        others = st.multiselect(
            tr("plenary.merge_these"),
            list(choices),
            format_func=choices.get,
            placeholder=tr("plenary.choose_ideas"),
            select_all=False,  # Streamlit's "Select all" is English only, and never wanted here
        )
        if st.form_submit_button(tr("plenary.merge_button")):
            attempt(lambda: svc.merge_ideas(me, into, others), "plenary.merged")


st.title(tr("plenary.title"), anchor=False)
show_flash()
with st.form("dots"), st.container(horizontal=True, vertical_alignment="bottom"):
    dots = st.number_input(
        tr("field.dots").capitalize(),
        min_value=1,
        max_value=MAX_DOTS,
        value=workshop.dots_per_group,
        width=240,
    )
    if st.form_submit_button(tr("setup.save")):
        attempt(lambda: svc.set_dots_per_group(me, int(dots)), "setup.saved")

tabs = st.tabs(
    [markdown_escaped(pick(a.name_th, a.name_en)) for a in plenary.areas],
    key="plenary-area",
    on_change="rerun",
)
for tab, area in zip(tabs, plenary.areas, strict=True):
    if tab.open:
        with tab:
            area_plan(area)
