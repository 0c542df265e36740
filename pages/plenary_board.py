"""The plenary: dots per group, merging duplicate ideas, and adopting the plan area by area."""

import pandas as pd
import streamlit as st

from pages.common import (
    attempt,
    form_key,
    lang,
    markdown_escaped,
    pick,
    renew_form,
    require_facilitator,
    service,
    show_flash,
    tr,
)
from welfare_core import consolidate
from welfare_core.due import due_words
from welfare_core.model import PlanArea
from welfare_core.service import MAX_DOTS

svc = service()
workshop, me = require_facilitator()
wid = workshop.id

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

ideas = consolidate.ideas(svc.store, wid)
COLUMNS = ["adopted", "votes", "text", "origins", "action", "responsible", "due", "partner"]


def label(idea: pd.Series) -> str:
    return f"{idea['text'][:70]} — {pick(idea['origins_th'], idea['origins_en'])}"


def adopt(idea_id: int, adopted: bool) -> bool:
    """True once saved; a refusal (the idea was merged or withdrawn meanwhile) is shown."""
    return attempt(lambda: svc.set_adopted(me, idea_id, adopted) or True) is not None


def area_plan(area: PlanArea) -> None:
    """The area's ideas, most votes first: tick to adopt, and merge duplicates."""
    in_area = ideas[ideas["area"] == area.key].sort_values(
        ["votes", "created_at"], ascending=[False, True]
    )
    if in_area.empty:
        st.caption(tr("projector.no_ideas"))
        return
    table = in_area.assign(
        origins=in_area[pick("origins_th", "origins_en")],
        due=in_area["due"].map(lambda due: due_words(due, lang())),
    )
    edited = st.data_editor(
        table[COLUMNS].reset_index(drop=True),
        # A new key after each change: the editor's edits are row positions, and the rows
        # move as votes come in, so old ticks must not be replayed onto other ideas.
        key=form_key(f"plan-{area.key}"),
        hide_index=True,
        width="stretch",
        disabled=COLUMNS[1:],
        column_config={
            "adopted": st.column_config.CheckboxColumn(tr("col.adopted")),
            "votes": st.column_config.NumberColumn(tr("col.votes")),
            "text": st.column_config.TextColumn(tr("field.idea").capitalize(), width="large"),
            "origins": st.column_config.TextColumn(tr("col.group")),
            "action": tr("field.action").capitalize(),
            "responsible": tr("field.responsible").capitalize(),
            "due": tr("workspace.due"),
            "partner": tr("field.partner").capitalize(),
        },
    )
    changed = edited["adopted"].to_numpy() != table["adopted"].to_numpy()
    pairs = zip(table["idea_id"][changed], edited["adopted"][changed], strict=True)
    results = [adopt(int(idea_id), bool(adopted)) for idea_id, adopted in pairs]
    if results and all(results):
        renew_form(f"plan-{area.key}")
        st.session_state["flash"] = "plenary.adopted"
        st.rerun()

    with st.form(f"merge-{area.key}"):
        st.markdown(f"**{tr('plenary.merge_title')}**")
        choices = {int(i["idea_id"]): label(i) for _, i in in_area.iterrows()}
        into = st.selectbox(tr("plenary.merge_into"), list(choices), format_func=choices.get)
        others = st.multiselect(
            tr("plenary.merge_these"),
            list(choices),
            format_func=choices.get,
            placeholder=tr("plenary.choose_ideas"),
        )
        if st.form_submit_button(tr("plenary.merge_button")):
            attempt(lambda: svc.merge_ideas(me, into, others), "plenary.merged")


areas = svc.areas(wid)
tabs = st.tabs(
    [markdown_escaped(pick(a.name_th, a.name_en)) for a in areas],
    key="plenary-area",
    on_change="rerun",
)
for tab, area in zip(tabs, areas, strict=True):
    if tab.open:
        with tab:
            area_plan(area)
