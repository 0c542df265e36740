"""The facilitator's set-up page (AppTest, demo workshop, Thai and English): codes, closing
entry, backups, rosters, the timer, a new workshop."""

from __future__ import annotations

import re

import pytest
from support import app, count, facts, held_open, setup_tab, stored, workspace

from welfare_core import codes
from welfare_core.db.store import Store
from welfare_core.i18n import t
from welfare_core.service import WorkshopService
from welfare_ui.feedback import markdown_escaped


def test_the_setup_page_needs_the_facilitator(db):
    at = app("en").run()
    at.switch_page("pages/facilitator_setup.py").run()
    assert at.warning[0].value == t("start.facilitator_needed", "en")
    assert not at.tabs


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_facilitator_sees_codes_and_locks_the_workshop(db, lang):
    at = setup_tab(db, lang, "setup.tab_codes")
    assert not at.exception
    assert at.title[0].value == t("setup.title", lang)
    shown = "\n".join(m.value for m in at.markdown)
    for group in facts(db)["groups"]:
        assert codes.format_code(group.join_code) in shown
    assert len(at.image) >= 6  # one QR code per group
    at.session_state["setup-tab"] = t("setup.tab_session", lang)
    at.run()
    lock = next(b for b in at.button if b.label == t("setup.lock", lang))
    lock.click().run()
    assert at.toast[0].value == t("setup.locked", lang)
    assert stored(db, "lock_events") == 1
    (made,) = (db.parent / "backups").glob("workshops-*.duckdb")  # closing entry backs up
    assert markdown_escaped(t("backup.last", lang, file=made)) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_back_up_button_writes_a_snapshot_and_names_it(db, lang):
    at = setup_tab(db, lang)
    assert t("backup.where", lang, folder=db.parent / "backups", minutes="5", keep=20) in [
        c.value.replace("\\", "") for c in at.caption
    ]
    button = next(b for b in at.button if b.label == t("backup.now", lang))
    button.click().run()
    assert not at.exception
    (made,) = (db.parent / "backups").glob("workshops-*.duckdb")
    shown = [s.value for s in at.success]
    assert markdown_escaped(t("backup.written", lang, file=made)) in shown
    copy = Store(made)
    try:
        assert count(copy, "ratings") == stored(db, "ratings") > 0
    finally:
        copy.close()


def test_a_second_app_on_a_database_held_by_another_says_so(db):
    with held_open(db) as pid:
        at = app("en").run()
    assert not at.exception
    assert at.error[0].value == markdown_escaped(t("error.db_busy_app", "en", path=db, pid=pid))
    at.run()  # the other app has stopped: a reload opens the database
    assert not at.error and at.title[0].value == t("app.title", "en")


def test_a_bad_roster_lists_every_row_problem_and_saves_nothing(db):
    at = setup_tab(db, "en", "setup.tab_roster")
    before = stored(db, "funds")
    roster = (
        "name,tambon,district,members\n"
        "กองทุนใหม่,บางบ่อ,บางบ่อ,12\n"
        ",บางพลี,บางพลี,x\n"
        "กองทุนหก,ไม่มี,ไม่มีอำเภอ,3\n"
    )
    at.file_uploader(key="roster").set_value(("funds.csv", roster.encode(), "text/csv")).run()
    assert not at.exception
    refused = t("roster.refused", "en", file="funds.csv", count=3)
    assert at.error[0].value == markdown_escaped(refused)
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["Row", "Column", "Problem"]
    assert set(problems["Row"].astype(int)) == {3, 4}
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert stored(db, "funds") == before


def test_a_good_roster_is_previewed_then_imported(db):
    at = setup_tab(db, "en", "setup.tab_roster")
    before = stored(db, "funds")
    roster = "ชื่อกองทุน,ตำบล,อำเภอ\nกองทุนสวัสดิการชุมชนตำบลใหม่,คลองด่าน,บางบ่อ\n"
    at.file_uploader(key="roster").set_value(("funds.csv", roster.encode(), "text/csv")).run()
    assert at.dataframe[0].value["Fund"].tolist() == ["กองทุนสวัสดิการชุมชนตำบลใหม่"]
    assert stored(db, "funds") == before
    next(b for b in at.button if b.label == "Import 1 funds").click().run()
    assert at.toast[0].value == t("setup.imported", "en")
    assert stored(db, "funds") == before + 1


def test_the_breakout_timer_starts_with_one_click_on_the_minutes_in_the_box(db):
    """ "Start" takes the minutes the box shows: no "Set timer" first (it was 3 clicks for 1)."""
    at = setup_tab(db, "en")
    at.number_input[0].set_value(15)
    next(b for b in at.button if b.label == "Start").click().run()
    assert not at.error
    assert stored(db, "timer_events") == 1
    group = facts(db)["groups"][3]
    page = workspace("en", group.join_code).run()
    timer = next(h.proto.body for h in page.html if "breakout-timer" in h.proto.body)
    assert re.search(r">1[45]:\d\d<", timer)
    assert "setTimeout" in timer  # the browser counts down between reruns


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_timer_label_is_shown_once_on_set_up(db, lang):
    at = setup_tab(db, lang)
    at.button[[b.label for b in at.button].index(t("timer.start", lang))].click().run()
    timer = next(h.proto.body for h in at.html if "breakout-timer" in h.proto.body)
    assert t("timer.label", lang) in timer
    assert t("timer.label", lang) not in [s.value for s in at.subheader]
    assert t("timer.title", lang) in [s.value for s in at.subheader]


def test_a_new_workshop_from_the_template_gets_its_own_passcode_shown_once(db):
    at = setup_tab(db, "en", "setup.tab_new")
    new = next(f for f in at.form if f.proto.form.form_id == "new-workshop")
    new.selectbox[0].set_value("samut-prakan-2562")
    new.form_submit_button[0].click().run()
    assert not at.exception
    assert at.toast[0].value == t("setup.created", "en")
    passcode = re.search(r"workshop: (\S+) ", at.info[0].value).group(1)
    store = Store(db)
    try:
        newest = store.read().workshops()
        assert len(newest) == 2
        WorkshopService(store).sign_in(newest[0].slug, passcode)
    finally:
        store.close()
