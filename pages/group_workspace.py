"""A group's workspace: rate its funds, enter and edit its ideas, vote with its dots.

The join code lives in the link, so a reload or a server restart comes back to the same group.
Every run reads the database afresh: what others in the group saved shows at the next click.
"""

from collections.abc import Collection

import pandas as pd
import streamlit as st

from welfare_core.clock import THAI_TIME
from welfare_core.codes import format_code
from welfare_core.due import BUDDHIST_ERA, due_words
from welfare_core.model import GRADE_LETTERS, ActionPlan, Caller, IdeaInput, RatingInput
from welfare_core.text import MAX_NAME, MAX_TEXT
from welfare_ui.feedback import (
    attempt,
    date_shown,
    form_key,
    lang,
    markdown_escaped,
    pick,
    show_flash,
    tr,
)
from welfare_ui.runtime import service
from welfare_ui.visitor import (
    device,
    drafts,
    joined_group,
    keep_draft,
    keep_on_change,
    press,
    restore_draft,
)
from welfare_ui.widgets import grade_labels, timer_display

svc = service()
workshop, group = joined_group()
wid = workshop.id
TABS = [tr("workspace.tab_rate"), tr("workspace.tab_ideas"), tr("workspace.tab_vote")]

# What this device has typed or chosen and not saved comes back after a reload: draft field ->
# the key of its widget. Each is restored just before its widget is drawn (a value set for a
# widget not drawn in that run is lost in the browser) and kept once drawn.
owner = (group.join_code, device())
new_idea = form_key("new-idea")  # the new idea's widgets get new keys after each save
IDEA_FIELDS = ("area", "text", "a", "r", "d", "p", "b", "s")
IDEA_DRAFT = {field: f"{new_idea}-{field}" for field in IDEA_FIELDS}
PAGE_DRAFT = {"author": "author", "tab": "workspace-tab"}
VOTE_DRAFT = {"vote-area": "vote-area"}
RATING_FIELDS = ("grade", "reason", "members", "balance")  # a draft per fund: rate-ID-field
HISTORY_COLUMNS = {  # a fund's ratings: column -> its header
    "created_at": "col.time",
    "grade": "col.grade",
    "reason": "col.reason",
    "actor_name": "col.author",
    "device": "col.device",
}
restore_draft(owner, PAGE_DRAFT, {"tab": TABS})
me = Caller(group.join_code, device(), st.session_state.get("author", ""), press())

# What every run shows; the ideas and the vote are read only when their tab is open.
ws = svc.workspace(wid, group.id)
areas, mine = ws.areas, ws.funds
area_keys = [area.key for area in areas]
levels = {level.letter: level for level in ws.levels}
GRADE_LABELS = grade_labels(ws.levels)
AREA_NAMES = {area.key: pick(area.name_th, area.name_en) for area in areas}


def limited(field: str) -> str:
    """A long text's label with its limit, said before anything is typed. Not max_chars: the
    browser would cut a longer paste without a word; the service refuses it and says why."""
    return tr("workspace.limited", field=tr(field).capitalize(), limit=f"{MAX_TEXT:,}")


@st.fragment
def rating_form(fund: pd.Series) -> None:
    """Rate one fund; the grade descriptions are the radio's captions.

    Not a form: a field reaches the server when it is changed and the device's draft keeps it,
    so a reload brings back a half-filled rating of this fund. A fragment: such a change reruns
    this box only, not the page (page runs share one core). Only a changed field becomes a
    draft: one left alone follows the stored rating. The fields start from the current rating,
    so a change keeps the figures; their keys do not follow other devices' ratings, so what is
    being filled in survives them. Closed entry disables Save, as the idea form's, not the
    fields: Chromium shows a field turned disabled with its first value, and the typing is lost.
    """
    fund_id = int(fund["fund_id"])
    form = f"rate-{fund_id}"
    prefix = form_key(form)  # new keys after a save: the fields start from the saved rating
    widgets = {f"{form}-{field}": f"{prefix}-{field}" for field in RATING_FIELDS}
    restore_draft(owner, widgets, {f"{form}-grade": GRADE_LETTERS})
    stored = (
        fund["grade"] if pd.notna(fund["grade"]) else None,
        fund["reason"] if pd.notna(fund["grade"]) else "",
        int(fund["members"]) if pd.notna(fund["members"]) else None,
        float(fund["balance_baht"]) if pd.notna(fund["balance_baht"]) else None,
    )
    # Started here, not with the widgets' own values: those would clash with a restored draft.
    for key, value in zip(widgets.values(), stored, strict=True):
        st.session_state.setdefault(key, value)

    def field(name: str) -> dict[str, object]:
        """A field's key, and its draft kept when the user changes it."""
        key = widgets[f"{form}-{name}"]
        return {"key": key, "on_change": keep_on_change(owner, f"{form}-{name}", key)}

    grade = st.radio(
        tr("col.grade"),
        GRADE_LETTERS,
        index=None,
        format_func=GRADE_LABELS.get,
        captions=[
            markdown_escaped(pick(levels[g].description_th, levels[g].description_en))
            if g in levels
            else ""
            for g in GRADE_LETTERS
        ],
        **field("grade"),
    )
    reason = st.text_area(
        limited("field.reason"), placeholder=tr("workspace.reason_hint"), **field("reason")
    )
    left, right = st.columns(2)
    # No minimum here: the service refuses a negative figure with a sentence, where the
    # browser would silently block the button.
    members = left.number_input(
        tr("field.members").capitalize(), step=1, value=None, **field("members")
    )
    balance = right.number_input(
        tr("field.balance").capitalize(), step=1000.0, value=None, **field("balance")
    )
    if st.button(tr("workspace.save_rating"), type="primary", disabled=workshop.locked, key=prefix):
        # A run of this box alone does not run the page: when entry was closed since the page
        # was drawn, the whole page is drawn again, with the notice that says why Save is off.
        if svc.join(group.join_code)[0].locked:
            st.rerun()
        if grade is None:
            st.error(tr("workspace.choose_grade"), icon=":material/error:")
        else:
            rating = RatingInput(fund_id, grade, reason, members, balance)
            attempt(lambda: save_rating(rating, widgets), "workspace.rating_saved", renew=form)
    history = svc.rating_history(wid, fund_id)
    if len(history) > 1:
        with st.popover(tr("workspace.history", count=len(history))):
            shown = history.assign(created_at=(history["created_at"] + THAI_TIME).map(date_shown))
            headers = {column: tr(key) for column, key in HISTORY_COLUMNS.items()}
            st.dataframe(shown[list(headers)].rename(columns=headers), hide_index=True)


def idea_fields(prefix: str, initial: pd.Series | None = None) -> tuple[str, ActionPlan]:
    """The idea text and its action-plan fields, filled from ``initial`` when editing."""

    def value(column: str) -> str:
        return "" if initial is None or pd.isna(initial[column]) else str(initial[column])

    def field(key: str, column: str, placeholder: str | None = None) -> str:
        return st.text_input(
            tr(f"field.{column}").capitalize(),
            value(column),
            key=f"{prefix}-{key}",
            placeholder=placeholder,
        )

    text = st.text_area(limited("field.idea"), value("text"), key=f"{prefix}-text")
    # Open when editing, or when a draft brought back holds some of the plan.
    planned = any(st.session_state.get(f"{prefix}-{key}") for key in "ardps")
    with st.expander(tr("workspace.action_plan"), expanded=initial is not None or planned):
        action = field("a", "action")
        who = field("r", "responsible")
        due = st.text_input(
            tr("workspace.due"),
            due_words(value("due"), lang()),  # the words the parser reads back
            key=f"{prefix}-d",
            placeholder=tr(
                "workspace.due_example",
                year=workshop.plan_year,
                be_year=workshop.plan_year + BUDDHIST_ERA,
            ),
        )
        partner = field("p", "partner")
        budget = st.number_input(
            tr("field.budget").capitalize(),
            step=1000.0,
            value=None
            if initial is None or pd.isna(initial["budget_baht"])
            else float(initial["budget_baht"]),
            key=f"{prefix}-b",
        )
        source = field("s", "budget_source", tr("workspace.budget_source_example"))
    return text, ActionPlan(action, who, due, partner, budget, source)


def save_rating(rating: RatingInput, fields: Collection[str]) -> int:
    rating_id = svc.rate_fund(me, rating)
    drafts().forget(owner, fields)
    return rating_id


def save_new_idea(idea: IdeaInput) -> int:
    idea_id = svc.add_idea(me, idea)
    drafts().forget(owner, set(IDEA_DRAFT) - {"area"})  # the next idea is likely in it too
    return idea_id


def new_idea_form() -> None:
    """Not a form: each field reaches the server when it is left, so the draft keeps it."""
    restore_draft(owner, IDEA_DRAFT, {"area": area_keys})
    with st.container(border=True, key="new-idea"):
        area = st.selectbox(
            tr("col.area"), area_keys, format_func=AREA_NAMES.get, key=f"{new_idea}-area"
        )
        text, plan = idea_fields(new_idea)
        if st.button(
            tr("workspace.add_idea"), type="primary", disabled=workshop.locked, key=new_idea
        ):
            idea = IdeaInput(area, text, plan=plan)
            attempt(lambda: save_new_idea(idea), "workspace.idea_saved", renew="new-idea")
    keep_draft(owner, IDEA_DRAFT)


def withdraw_with_confirmation(idea_id: int) -> None:
    """Withdraw takes a second tap: one tap by mistake on a phone must not take an idea away."""
    asking = f"withdraw-asked-{idea_id}"
    if not st.session_state.get(asking):
        st.button(
            tr("workspace.withdraw"),
            key=f"ask-withdraw-{idea_id}",
            icon=":material/delete:",
            on_click=lambda: st.session_state.update({asking: True}),
        )
        return
    st.warning(tr("workspace.withdraw_confirm"), icon=":material/delete:")
    yes, no = st.columns(2)
    if yes.button(tr("workspace.withdraw_yes"), key=f"withdraw-{idea_id}", type="primary"):
        st.session_state.pop(asking)
        attempt(lambda: svc.withdraw_idea(me, idea_id), "workspace.idea_withdrawn")
    no.button(
        tr("workspace.withdraw_no"),
        key=f"keep-{idea_id}",
        on_click=lambda: st.session_state.pop(asking, None),
    )


def own_idea(idea: pd.Series) -> None:
    """One of the group's ideas, with its edit form and the withdraw button."""
    idea_id = int(idea["idea_id"])
    with st.container(border=True):
        st.text(idea["text"])
        shown = {**idea, "due": due_words(idea["due"], lang())}
        plan = [shown[c] for c in ("action", "responsible", "due", "partner") if shown[c]]
        if plan:
            st.text(" · ".join(plan))
        # The version is in the key: fields keyed by the idea alone would keep showing (and
        # save back) the text of the first run after another device has edited the idea.
        version = f"edit-{idea_id}-{idea['updated_at']:%Y%m%d%H%M%S%f}"
        # Stateful, like the funds' expanders: only an open popover draws its form, so a group
        # with fifty ideas does not send fifty forms on every run.
        editor = st.popover(
            tr("workspace.edit"), icon=":material/edit:", key=f"edit-{idea_id}", on_change="rerun"
        )
        if not editor.open:
            return
        with editor:
            with st.form(version, border=False):
                area = st.selectbox(
                    tr("col.area"),
                    area_keys,
                    index=area_keys.index(idea["area"]),
                    format_func=AREA_NAMES.get,
                )
                text, plan_fields = idea_fields(version, idea)
                if st.form_submit_button(tr("workspace.save_idea"), type="primary"):
                    edited = IdeaInput(area, text, plan=plan_fields)
                    attempt(lambda: svc.edit_idea(me, idea_id, edited), "workspace.idea_saved")
            withdraw_with_confirmation(idea_id)


def vote_row(idea: pd.Series, left: int, ours: int) -> None:
    """An idea of any group, its votes, and this group's +1 / -1 on one line, phone included."""
    idea_id = int(idea["idea_id"])
    with st.container(border=True):
        st.text(idea["text"])
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(
                markdown_escaped(pick(idea["origins_th"], idea["origins_en"])), width="stretch"
            )
            st.markdown(f"**{tr('projector.votes', votes=int(idea['votes']))}**", width="content")
            if st.button("+1", key=f"vote-{idea_id}", disabled=left <= 0):
                attempt(lambda: svc.vote(me, idea_id), "workspace.vote_saved")
            if st.button("−1", key=f"unvote-{idea_id}", disabled=ours <= 0):
                attempt(lambda: svc.vote(me, idea_id, -1), "workspace.vote_saved")


st.title(markdown_escaped(pick(group.name_th, group.name_en)), anchor=False)
st.caption(
    markdown_escaped(
        f"{pick(workshop.title_th, workshop.title_en)} · {tr('workspace.group_code')} "
        f"{format_code(group.join_code)}"
    )
)
timer_display(ws.timer, size_px=28)
show_flash()
if workshop.locked:
    st.warning(tr("workspace.locked"), icon=":material/lock:")
st.text_input(tr("workspace.your_name"), key="author", max_chars=MAX_NAME)

rated = int(mine["grade"].notna().sum())
st.progress(
    rated / len(mine) if len(mine) else 0.0,
    text=tr("workspace.progress", rated=rated, total=len(mine)),
)

# Stateful tabs and expanders: a save keeps the user where they were, and only what is open
# is drawn, so a run on a crowded laptop stays short.
rate_tab, ideas_tab, vote_tab = st.tabs(TABS, key="workspace-tab", on_change="rerun")
keep_draft(owner, PAGE_DRAFT)

if rate_tab.open:
    # Two devices of the group gave different grades just now: say so where the fund is rated.
    split = ws.disagreements.set_index("fund_id")["grades"].to_dict()
    # The funds' boxes open before a reload are open after it, with their drafts in them.
    boxes = {f"fund-{fund_id}": f"fund-{fund_id}" for fund_id in mine["fund_id"]}
    restore_draft(owner, boxes, {})
    with rate_tab:
        for _, fund in mine.iterrows():
            fund_id = int(fund["fund_id"])
            shown = (
                GRADE_LABELS[fund["grade"]]
                if pd.notna(fund["grade"])
                else tr("workspace.not_rated")
            )
            flag = " ⚠" if fund_id in split else ""
            box = st.expander(
                markdown_escaped(f"{fund['fund']} — {shown}{flag}"),
                # A save changes the label, and so the expander: it stays as the user left it.
                expanded=st.session_state.get(f"fund-{fund_id}", False),
                key=f"fund-{fund_id}",
                on_change="rerun",
            )
            if box.open:
                with box:
                    if pd.notna(fund["grade"]):
                        st.text(f"{tr('col.reason')}: {fund['reason']}")
                    if fund_id in split:
                        st.warning(tr("workspace.disagreement", grades=split[fund_id]))
                    if pd.notna(fund["previous_grade"]):
                        st.caption(tr("workspace.previous_grade", grade=fund["previous_grade"]))
                    rating_form(fund)
    keep_draft(owner, boxes)

if ideas_tab.open:
    with ideas_tab:
        new_idea_form()
        ours = svc.group_ideas(wid, group.id)
        for area in areas:
            in_area = ours[ours["area"] == area.key]
            name = pick(area.name_th, area.name_en)
            st.subheader(markdown_escaped(f"{name} ({len(in_area)})"), anchor=False)
            for _, idea in in_area.iterrows():
                own_idea(idea)

if vote_tab.open:
    board = svc.vote_board(wid, group.id)
    ideas, ours_on = board.ideas, board.our_dots
    with vote_tab:
        left = workshop.dots_per_group - sum(ours_on.values())
        st.info(
            tr("workspace.dots_left", left=left, dots=workshop.dots_per_group),
            icon=":material/how_to_vote:",
        )
        # One area at a time: a phone shows a short list, and the page stays quick to draw.
        restore_draft(owner, VOTE_DRAFT, {"vote-area": area_keys})
        shown_area = st.segmented_control(
            tr("col.area"),
            area_keys,
            format_func=AREA_NAMES.get,
            default=area_keys[0],
            required=True,
            key="vote-area",
        )
        keep_draft(owner, VOTE_DRAFT)
        in_area = ideas[ideas["area"] == shown_area].sort_values("votes", ascending=False)
        for _, idea in in_area.iterrows():
            vote_row(idea, left, ours_on.get(int(idea["idea_id"]), 0))
