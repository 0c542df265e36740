"""Facilitator set-up: workshop facts, join codes, roster, lock, timer, and new workshops."""

import pandas as pd
import streamlit as st

from welfare_core.clock import utcnow
from welfare_core.errors import RosterError, TemplateError, WelfareError
from welfare_core.links import base_url
from welfare_core.model import RosterRow, WorkshopEdit
from welfare_core.roster import read_roster
from welfare_core.rules import MAX_TIMER_MINUTES
from welfare_core.template import available_templates, load_template
from welfare_ui.feedback import (
    attempt,
    date_shown,
    lang,
    markdown_escaped,
    pick,
    show_error,
    show_flash,
    tr,
)
from welfare_ui.runtime import service
from welfare_ui.visitor import require_facilitator, sign_in_facilitator
from welfare_ui.widgets import grade_labels, join_code_cards, timer_display

svc = service()
workshop, me = require_facilitator()
wid = workshop.id
groups = svc.groups(wid)


def checked_roster(upload, known_groups) -> list[RosterRow] | None:
    """The roster's rows, or None after showing every row problem (nothing is saved)."""
    try:
        return read_roster(upload.getvalue(), upload.name, known_groups)
    except RosterError as err:
        st.error(markdown_escaped(tr("roster.refused", file=err.filename, count=len(err.problems))))
        st.dataframe(
            pd.DataFrame(
                [(p.row or "", p.column, p.message(lang())) for p in err.problems],
                columns=[tr("setup.row"), tr("setup.column"), tr("setup.problem")],
            ),
            hide_index=True,
            width="stretch",
        )
    except WelfareError as err:
        show_error(err)
    return None


def backup_panel() -> None:
    """Where the snapshots go, a button for one now, and the last one (or why it failed)."""
    backups = svc.backups
    st.subheader(tr("backup.title"), anchor=False)
    where = tr(
        "backup.where", folder=backups.folder, minutes=f"{backups.minutes:g}", keep=backups.keep
    )
    st.caption(markdown_escaped(where))  # a folder name is no markdown
    if st.button(tr("backup.now"), icon=":material/backup:"):
        made = attempt(lambda: svc.back_up(me))
        if made is not None:
            st.success(
                markdown_escaped(tr("backup.written", file=made)), icon=":material/check_circle:"
            )
            return
    if backups.failure is not None:
        st.warning(
            markdown_escaped(tr("backup.last_failed", reason=backups.failure.message(lang())))
        )
    elif backups.last is not None:
        st.caption(markdown_escaped(tr("backup.last", file=backups.last)))


st.title(tr("setup.title"), anchor=False)
st.caption(markdown_escaped(f"{pick(workshop.title_th, workshop.title_en)} · {workshop.slug}"))
show_flash()
if (damaged := svc.log_damage()) is not None:
    show_error(damaged)

session_tab, codes_tab, facts_tab, roster_tab, new_tab = st.tabs(
    [
        tr("setup.tab_session"),
        tr("setup.tab_codes"),
        tr("setup.tab_facts"),
        tr("setup.tab_roster"),
        tr("setup.tab_new"),
    ],
    key="setup-tab",
    on_change="rerun",
)

if session_tab.open:
    with session_tab:
        lock_col, timer_col = st.columns(2, gap="large")
        with lock_col:
            st.subheader(tr("setup.lock_title"), anchor=False)
            if workshop.locked:
                st.warning(tr("setup.is_locked"), icon=":material/lock:")
                if st.button(tr("setup.unlock"), icon=":material/lock_open:"):
                    attempt(lambda: svc.set_locked(me, False), "setup.unlocked")
            else:
                st.success(tr("setup.is_open"), icon=":material/edit_note:")
                if st.button(tr("setup.lock"), icon=":material/lock:"):
                    attempt(lambda: svc.set_locked(me, True), "setup.locked")
        with timer_col:
            # The count-down says "time left" itself: the heading names the tool.
            st.subheader(tr("timer.title"), anchor=False)
            timer = svc.timer(wid)
            timer_display(timer)
            # Not a form: Start uses the minutes in the box too, one click instead of two.
            minutes = st.number_input(
                tr("field.minutes").capitalize(),
                min_value=1,
                max_value=MAX_TIMER_MINUTES,
                value=timer.duration_s // 60 or 20,
            )
            # A row that wraps: four columns cut the Thai "หยุดชั่วคราว".
            with st.container(horizontal=True):
                if st.button(tr("timer.set"), icon=":material/timer:"):
                    attempt(lambda: svc.set_timer(me, int(minutes)), "timer.done")
                if st.button(
                    tr("timer.start"),
                    icon=":material/play_arrow:",
                    disabled=timer.counting(utcnow()),
                ):
                    attempt(lambda: svc.start_timer(me, int(minutes)), "timer.done")
                paused = not timer.running
                if st.button(tr("timer.pause"), icon=":material/pause:", disabled=paused):
                    attempt(lambda: svc.pause_timer(me), "timer.done")
                if st.button(tr("timer.reset"), icon=":material/replay:"):
                    attempt(lambda: svc.reset_timer(me), "timer.done")
        backup_panel()

if codes_tab.open:
    with codes_tab:
        base = base_url(st.get_option("server.port"))
        st.caption(tr("setup.codes_hint", base=base))
        join_code_cards(groups, base)

if facts_tab.open:
    with facts_tab:
        with st.form("facts"):
            st.subheader(tr("setup.facts_title"), anchor=False)
            title_th = st.text_input(tr("field.title_th").capitalize(), workshop.title_th)
            title_en = st.text_input(tr("field.title_en").capitalize(), workshop.title_en)
            held_on = st.date_input(tr("setup.held_on"), workshop.held_on, format="DD/MM/YYYY")
            st.caption(markdown_escaped(date_shown(workshop.held_on)))  # the picker: Western years
            venue_th = st.text_input(tr("field.venue_th").capitalize(), workshop.venue_th)
            venue_en = st.text_input(tr("field.venue_en").capitalize(), workshop.venue_en)
            if st.form_submit_button(tr("setup.save"), type="primary"):
                edit = WorkshopEdit(title_th, title_en, held_on, venue_th, venue_en)
                attempt(lambda: svc.update_workshop(me, edit), "setup.saved")
        with st.form("group-names"):
            st.subheader(tr("setup.groups_title"), anchor=False)
            names = {}
            for group in groups:
                th_col, en_col = st.columns(2)
                names[group.id] = (
                    th_col.text_input(
                        tr("field.group_th").capitalize(), group.name_th, key=f"g{group.id}th"
                    ),
                    en_col.text_input(
                        tr("field.group_en").capitalize(), group.name_en, key=f"g{group.id}en"
                    ),
                )
            if st.form_submit_button(tr("setup.save"), type="primary"):
                attempt(lambda: svc.rename_groups(me, names), "setup.saved")
        with st.form("grades"):
            st.subheader(tr("setup.grades_title"), anchor=False)
            descriptions = {}
            levels = svc.grade_levels(wid)
            labels = grade_labels(levels)
            for level in levels:
                st.markdown(f"**{markdown_escaped(labels[level.letter])}**")
                th_col, en_col = st.columns(2)
                descriptions[level.letter] = (
                    th_col.text_area(
                        tr("field.description_th").capitalize(),
                        level.description_th,
                        key=f"d{level.letter}th",
                    ),
                    en_col.text_area(
                        tr("field.description_en").capitalize(),
                        level.description_en,
                        key=f"d{level.letter}en",
                    ),
                )
            if st.form_submit_button(tr("setup.save"), type="primary"):
                attempt(lambda: svc.describe_grades(me, descriptions), "setup.saved")

if roster_tab.open:
    with roster_tab:
        st.caption(tr("setup.roster_hint"))
        upload = st.file_uploader(tr("setup.roster_file"), type=["csv", "xlsx"], key="roster")
        if upload is not None and (rows := checked_roster(upload, groups)) is not None:
            st.success(tr("setup.roster_ok", count=len(rows)))
            st.dataframe(
                pd.DataFrame(
                    [
                        (r.row, r.district, r.name, r.tambon, r.members, r.previous_grade)
                        for r in rows
                    ],
                    columns=[
                        tr("setup.row"),
                        tr("col.group"),
                        tr("col.fund"),
                        tr("col.tambon"),
                        tr("field.members").capitalize(),
                        tr("col.previous_grade"),
                    ],
                ),
                hide_index=True,
                width="stretch",
            )
            if st.button(tr("setup.import", count=len(rows)), type="primary"):
                attempt(lambda: svc.import_roster(me, rows), "setup.imported")

if new_tab.open:
    with new_tab:
        templates = {}
        for path in available_templates():
            try:
                templates[path.stem] = load_template(path)
            except TemplateError as err:  # a broken file in sessions/ must not hide the others
                show_error(err)
        names = {stem: f"{pick(t.title_th, t.title_en)} ({stem})" for stem, t in templates.items()}
        with st.form("new-workshop"):
            chosen = st.selectbox(tr("setup.template"), list(names), format_func=names.get)
            new_roster = st.file_uploader(tr("setup.new_roster"), type=["csv", "xlsx"])
            passcode = st.text_input(tr("setup.new_passcode"), type="password", max_chars=100)
            create = st.form_submit_button(tr("setup.create"), type="primary")
        if create:
            roster = (new_roster.name, new_roster.getvalue()) if new_roster else None
            template = templates[chosen]
            created = attempt(lambda: svc.new_workshop(me, template, roster, passcode or None))
            if created is not None:
                sign_in_facilitator(svc.sign_in(created.slug, created.passcode))
                st.session_state["new_passcode"] = created.passcode
                st.session_state["flash"] = "setup.created"
                st.rerun()
        if passcode_shown := st.session_state.pop("new_passcode", None):
            st.info(  # a typed passcode may hold * or _: shown as typed, not as italics
                tr("setup.passcode_once", passcode=markdown_escaped(passcode_shown)),
                icon=":material/key:",
            )
