"""A group's workspace (AppTest, demo workshop, Thai and English): rating, ideas and their
drafts, editing and withdrawing, the history, voting, a locked workshop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support import (
    add_idea_button,
    app,
    facts,
    facts_slug,
    new_idea,
    rating_button,
    stored,
    workspace,
)

from welfare_core import codes, consolidate
from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE
from welfare_core.i18n import t
from welfare_core.model import Caller, Group, IdeaInput
from welfare_core.service import WorkshopService
from welfare_core.text import MAX_TEXT
from welfare_ui.feedback import markdown_escaped
from welfare_ui.visitor import Drafts


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_workspace_shows_only_the_groups_funds_grades_and_progress(db, lang):
    known = facts(db)
    group = known["groups"][0]
    at = workspace(lang, codes.format_code(group.join_code)).run()
    assert not at.exception
    assert at.title[0].value == (group.name_th if lang == "th" else group.name_en)
    funds = known["funds"][group.id]
    assert at.progress[0].value == 100
    assert t("workspace.progress", lang, rated=len(funds), total=len(funds)) in str(
        at.progress[0].proto.text
    )
    labels = [e.label for e in at.expander if " — " in e.label]
    assert [label.split(" — ")[0] for label in labels] == funds
    assert all(re.search(r" — [ABCD] · ", label) for label in labels)
    others = [name for g, names in known["funds"].items() if g != group.id for name in names]
    assert not any(name in "\n".join(labels) for name in others)


def test_rating_a_fund_stores_a_row_and_shows_the_new_grade(db):
    known = facts(db)
    group = known["groups"][2]
    first_fund = known["funds"][group.id][0]
    before = stored(db, "ratings")
    at = workspace("th", group.join_code, fund_open=known["first_fund"][group.id]).run()
    at.radio[0].set_value("A")
    at.text_area[0].input("ทะเบียนสมาชิกครบ ประชุมทุกเดือน")
    rating_button(at).click().run()
    assert not at.exception
    assert at.toast[0].value == t("workspace.rating_saved", "th")
    assert stored(db, "ratings") == before + 1
    assert at.expander[0].label.startswith(f"{first_fund} — A · ")
    assert at.session_state[f"fund-{known['first_fund'][group.id]}"]  # still open after the save,
    assert at.radio[0].value == "A"  # its form drawn again with the saved rating


def test_a_rating_without_a_reason_or_too_long_is_refused_and_nothing_is_stored(db):
    known = facts(db)
    group = known["groups"][0]
    before = stored(db, "ratings")
    at = workspace("en", group.join_code, fund_open=known["first_fund"][group.id]).run()
    at.radio[0].set_value("B")
    at.text_area[0].input("")  # the form starts from the current reason
    rating_button(at).click().run()
    assert at.error[0].value == markdown_escaped(
        t("error.required", "en", field=t("field.reason", "en"))
    )
    at.radio[0].set_value("B")
    at.text_area[0].input("ก" * (MAX_TEXT + 1))
    rating_button(at).click().run()
    assert "1001" in at.error[0].value and "1000" in at.error[0].value
    assert stored(db, "ratings") == before


def test_an_idea_is_added_and_markup_in_it_stays_plain_text(db):
    group = facts(db)["groups"][0]
    before = stored(db, "idea_versions")
    at = workspace("th", group.join_code, tab=1).run()
    typed = "**ตัวหนา** <b>html</b> <img src=x onerror=alert(1)>"
    new_idea(at).input(typed)
    add_idea_button(at).click().run()
    assert not at.exception
    assert stored(db, "idea_versions") == before + 1
    assert typed in [e.value for e in at.text]  # st.text: shown as typed, never rendered


def reloaded(lang: str, code: str, device: str) -> AppTest:
    """The group's link opened again in a new browser session, as a reload does."""
    at = app(lang, code=code, d=device)
    at.switch_page("pages/group_workspace.py")
    return at.run()


def test_a_reload_brings_back_the_name_tab_area_and_unsaved_idea_of_this_device(db):
    group = facts(db)["groups"][0]
    areas = facts(db)["areas"]
    at = reloaded("th", group.join_code, "abc123")
    at.text_input(key="author").input("สมศรี").run()
    at.session_state["workspace-tab"] = t("workspace.tab_ideas", "th")
    at.run()
    new_idea(at, "area").set_value(areas[2]).run()
    new_idea(at).input("ทะเบียนสมาชิกออนไลน์").run()
    new_idea(at, "a").input("อบรมกรรมการ").run()
    new_idea(at, "b").set_value(15000.0).run()

    again = reloaded("th", group.join_code, "abc123")
    assert not again.exception
    assert again.text_input(key="author").value == "สมศรี"
    assert again.session_state["workspace-tab"] == t("workspace.tab_ideas", "th")
    assert new_idea(again, "area").value == areas[2]
    assert new_idea(again).value == "ทะเบียนสมาชิกออนไลน์"
    assert new_idea(again, "a").value == "อบรมกรรมการ"
    assert new_idea(again, "b").value == 15000.0

    before = stored(db, "idea_versions")
    add_idea_button(again).click().run()
    assert stored(db, "idea_versions") == before + 1
    saved = reloaded("th", group.join_code, "abc123")
    assert new_idea(saved).value == "" and new_idea(saved, "a").value == ""
    assert new_idea(saved, "area").value == areas[2]  # the next idea is likely in it too


def test_a_draft_stays_with_its_group_and_device(db):
    first, second = facts(db)["groups"][:2]
    at = reloaded("en", first.join_code, "abc123")
    at.session_state["workspace-tab"] = t("workspace.tab_ideas", "en")
    at.run()
    new_idea(at).input("only for the first group's phone").run()
    other_group = reloaded("en", second.join_code, "abc123")
    other_device = reloaded("en", first.join_code, "def456")
    for at in (other_group, other_device):
        at.session_state["workspace-tab"] = t("workspace.tab_ideas", "en")
        assert new_idea(at.run()).value == ""


def test_drafts_are_bounded_in_length_and_in_devices():
    kept = Drafts(limit=2)
    kept.keep(("CODE", "phone-1"), {"text": "ก" * 50_000, "odd": object()})
    assert kept.read(("CODE", "phone-1")) == {"text": "ก" * MAX_TEXT, "odd": None}
    kept.keep(("CODE", "phone-2"), {"text": "b"})
    kept.keep(("CODE", "phone-3"), {"text": "c"})
    assert kept.read(("CODE", "phone-1")) == {}  # the device unheard of longest went first
    assert kept.read(("CODE", "phone-3")) == {"text": "c"}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_budget_source_is_typed_next_to_the_budget_kept_as_a_draft_and_saved(db, lang):
    group = facts(db)["groups"][0]
    at = reloaded(lang, group.join_code, "abc123")
    at.session_state["workspace-tab"] = t("workspace.tab_ideas", lang)
    at.run()
    source = new_idea(at, "s")
    assert source.label == t("field.budget_source", lang).capitalize()
    assert source.placeholder == t("workspace.budget_source_example", lang)
    new_idea(at).input("ทะเบียนสมาชิกออนไลน์").run()
    new_idea(at, "b").set_value(20000.0).run()
    new_idea(at, "s").input("พอช. 50% กองทุน 50%").run()

    again = reloaded(lang, group.join_code, "abc123")  # a phone reloads the tab
    assert new_idea(again, "s").value == "พอช. 50% กองทุน 50%"
    add_idea_button(again).click().run()
    assert not again.exception
    idea = newest_idea(db)
    assert (idea["text"], idea["budget_baht"], idea["budget_source"]) == (
        "ทะเบียนสมาชิกออนไลน์",
        20000,
        "พอช. 50% กองทุน 50%",
    )
    assert new_idea(reloaded(lang, group.join_code, "abc123"), "s").value == ""


def with_edit_open(lang: str, code: str, idea_id: int):
    """The ideas tab with the idea's edit popover open, and the popover's form."""
    at = workspace(lang, code, tab=1)
    at.session_state[f"edit-{idea_id}"] = True
    at.run()
    return at, next(f for f in at.form if f.proto.form.form_id.startswith(f"edit-{idea_id}-"))


def test_editing_an_idea_changes_its_budget_source_and_the_history_keeps_the_old_one(db):
    group = facts(db)["groups"][0]
    idea_id = own_idea_of(db, group, "กองทุนสมทบค่ารักษาพยาบาล")
    at, edit = with_edit_open("th", group.join_code, idea_id)
    label = t("field.budget_source", "th")
    next(w for w in edit.text_input if w.label == label).input("อบต.บางบ่อ")
    edit.form_submit_button[0].click().run()
    assert at.toast[0].value == t("workspace.idea_saved", "th")
    store = Store(db)
    try:
        history = consolidate.idea_history(store.read(), store.read().workshops()[0].id, idea_id)
    finally:
        store.close()
    assert history["budget_source"].tolist() == ["", "อบต.บางบ่อ"]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_idea_and_reason_boxes_say_their_limit_before_anything_is_typed(db, lang):
    known = facts(db)
    group = known["groups"][0]
    rating = workspace(lang, group.join_code, fund_open=known["first_fund"][group.id]).run()
    ideas = workspace(lang, group.join_code, tab=1).run()
    for box, field in ((rating.text_area[0], "field.reason"), (new_idea(ideas), "field.idea")):
        assert box.label == t(
            "workspace.limited", lang, field=t(field, lang).capitalize(), limit="1,000"
        )


def own_idea_of(db: Path, group, text: str, area: str = "data") -> int:
    """An idea of ``group`` saved before the page opens; its id."""
    store = Store(db)
    try:
        idea = IdeaInput(area, text)
        return WorkshopService(store).add_idea(Caller(group.join_code, "test"), idea)
    finally:
        store.close()


def idea_area(db: Path, idea_id: int) -> str:
    store = Store(db)
    try:
        ideas = consolidate.ideas(store.read(), store.read().workshops()[0].id)
        return ideas.set_index("idea_id").loc[idea_id, "area"]
    finally:
        store.close()


def newest_idea(db: Path) -> dict:
    """The newest live idea of the demo workshop, column by column."""
    store = Store(db)
    try:
        ideas = consolidate.ideas(store.read(), store.read().workshops()[0].id)
        return ideas.sort_values("idea_id").iloc[-1].to_dict()
    finally:
        store.close()


def test_an_idea_is_moved_to_another_area_when_edited(db):
    group = facts(db)["groups"][0]
    idea_id = own_idea_of(db, group, "ประชุมกรรมการทุกเดือน (ย้ายหมวด)")
    at, edit = with_edit_open("en", group.join_code, idea_id)
    edit.selectbox[0].set_value("committee")
    edit.form_submit_button[0].click().run()
    assert at.toast[0].value == t("workspace.idea_saved", "en")
    assert idea_area(db, idea_id) == "committee"


def test_withdrawing_an_idea_asks_once_more_and_can_be_called_off(db):
    group = facts(db)["groups"][0]
    idea_id = own_idea_of(db, group, "ข้อเสนอที่จะถอน")
    at, _ = with_edit_open("th", group.join_code, idea_id)
    before = stored(db, "idea_versions")
    at.button(key=f"ask-withdraw-{idea_id}").click().run()
    assert stored(db, "idea_versions") == before  # one tap takes nothing away
    assert t("workspace.withdraw_confirm", "th") in [w.value for w in at.warning]
    at.button(key=f"keep-{idea_id}").click().run()
    assert stored(db, "idea_versions") == before
    assert t("workspace.withdraw_confirm", "th") not in [w.value for w in at.warning]
    at.button(key=f"ask-withdraw-{idea_id}").click().run()
    at.button(key=f"withdraw-{idea_id}").click().run()
    assert at.toast[0].value == t("workspace.idea_withdrawn", "th")
    assert stored(db, "idea_versions") == before + 1
    assert "ข้อเสนอที่จะถอน" not in [e.value for e in at.text]


def test_changing_a_rating_starts_from_the_current_one_and_keeps_its_figures(db):
    known = facts(db)
    group = known["groups"][0]
    fund = known["first_fund"][group.id]
    at = workspace("en", group.join_code, fund_open=fund).run()
    at.radio[0].set_value("B")
    at.text_area[0].input("first")
    at.number_input[0].set_value(120)
    at.number_input[1].set_value(350000.0)
    rating_button(at).click().run()
    assert (at.text_area[0].value, at.number_input[0].value) == ("first", 120)
    at.radio[0].set_value("A")
    rating_button(at).click().run()
    store = Store(db)
    try:
        latest = consolidate.rating_history(store.read(), known["workshop"].id, fund).iloc[-1]
    finally:
        store.close()
    assert (latest["grade"], latest["reason"], latest["members"]) == ("A", "first", 120)
    assert float(latest["balance_baht"]) == 350000.0


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("th", r"\d{1,2} [ก-๙]+ 25\d\d \d\d:\d\d"), ("en", r"\d{1,2} [A-Z][a-z]+ 20\d\d \d\d:\d\d")],
)
def test_the_rating_history_shows_dates_as_the_language_writes_them(db, lang, shown):
    known = facts(db)
    group = known["groups"][0]
    fund = known["first_fund"][group.id]
    at = workspace(lang, group.join_code, fund_open=fund).run()
    for grade in "AB":
        at.radio[0].set_value(grade)
        at.text_area[0].input(f"grade {grade}")
        rating_button(at).click().run()
    times = at.dataframe[0].value[t("col.time", lang)].tolist()
    assert times and all(re.fullmatch(shown, time) for time in times)


def phone_and_laptop_disagree(db) -> tuple[AppTest, AppTest]:
    """Two devices of the first group rate its first fund A and C, and both are saved."""
    known = facts(db)
    group = known["groups"][0]
    fund = known["first_fund"][group.id]
    phone = workspace("en", group.join_code, fund_open=fund)
    laptop = workspace("en", group.join_code, fund_open=fund)
    for at, grade in ((phone.run(), "A"), (laptop.run(), "C")):
        at.radio[0].set_value(grade)
        at.text_area[0].input(f"grade {grade}")
        rating_button(at).click().run()
        assert at.toast[0].value == t("workspace.rating_saved", "en")
    return phone, laptop


def test_two_devices_rating_a_fund_differently_both_succeed_and_the_group_is_told(db):
    phone, _ = phone_and_laptop_disagree(db)
    phone.run()
    assert t("workspace.disagreement", "en", grades="A/C") in [w.value for w in phone.warning]


def test_the_groups_next_save_clears_the_disagreement_on_its_page(db):
    def told(at: AppTest) -> tuple[bool, bool]:
        """The fund's "⚠" in its label, and the request to agree and save again."""
        return (
            any(e.label.endswith("⚠") for e in at.expander),
            t("workspace.disagreement", "en", grades="A/C") in [w.value for w in at.warning],
        )

    phone, laptop = phone_and_laptop_disagree(db)
    assert told(laptop) == (True, True)
    # The group agrees on C; the phone, which said A, saves it.
    phone.run()
    assert told(phone) == (True, True)
    phone.radio[0].set_value("C")
    phone.text_area[0].input("agreed: C")
    rating_button(phone).click().run()
    assert told(phone) == (False, False)
    assert told(laptop.run()) == (False, False)


def test_a_group_votes_with_its_dots_and_sees_how_many_are_left(db):
    group = facts(db)["groups"][0]
    before = stored(db, "votes")
    at = workspace("en", group.join_code, tab=2).run()
    dots = next(i.value for i in at.info if "dots" in i.value)
    used = 5 - int(re.search(r"has (\d+) of 5", dots).group(1))
    plus = next(b for b in at.button if b.label == "+1" and not b.proto.disabled)
    plus.click().run()
    assert at.toast[0].value == t("workspace.vote_saved", "en")
    assert stored(db, "votes") == before + 1
    assert t("workspace.dots_left", "en", left=4 - used, dots=5) in [i.value for i in at.info]
    # A second +1 on the same idea is a second press (a vote is stored once per press).
    at.button(key=plus.key).click().run()
    assert stored(db, "votes") == before + 2


def test_an_error_quoting_typed_markup_shows_it_as_text(db):
    group = facts(db)["groups"][0]
    at = workspace("en", group.join_code, tab=1).run()
    new_idea(at).input("ทะเบียนออนไลน์")
    new_idea(at, "d").input("![x](http://example.org/x.png)")
    add_idea_button(at).click().run()
    assert markdown_escaped("![x](http://example.org/x.png)") in at.error[0].value


def test_a_wrong_code_in_the_link_says_so(db):
    at = workspace("en", "ABCD-EFGH").run()
    assert at.error[0].value == markdown_escaped(t("error.bad_code", "en"))
    assert not at.form and not at.button


def test_a_locked_workshop_shows_why_entry_is_closed_and_disables_saving_a_rating(db):
    store = Store(db)
    service = WorkshopService(store)
    slug = facts_slug(store)
    service.set_locked(Caller(service.sign_in(slug, DEMO_PASSCODE), "test"), True)
    store.close()
    known = facts(db)
    group = known["groups"][0]
    at = workspace("th", group.join_code, fund_open=known["first_fund"][group.id]).run()
    assert at.warning[0].value == t("workspace.locked", "th")
    assert rating_button(at).disabled  # as the idea form's button is


# --- a half-filled rating survives a reload (#15 item 13) -----------------------------------------
# A phone reloads its tab after the user has been in LINE or the camera, and the new browser
# session starts from the device's draft.


def group_and_funds(db: Path) -> tuple[Group, list[int]]:
    store = Store(db)
    try:
        workshop = store.read().workshops()[0]
        group = store.read().groups(workshop.id)[1]
        return group, [fund.id for fund in store.read().funds(workshop.id, group.id)]
    finally:
        store.close()


def ratings_of(db: Path, fund: int) -> list[tuple]:
    """The fund's stored ratings, oldest first, read with plain SQL."""
    store = Store(db)
    try:
        return (
            store.read()
            .cur.execute(
                "SELECT grade, reason, members, balance_baht, device FROM ratings"
                " WHERE fund_id = ? ORDER BY created_at, id",
                [fund],
            )
            .fetchall()
        )
    finally:
        store.close()


def opened(code: str, device: str, fund: int | None, press: str = "") -> AppTest:
    """The group's link with a device id opened in a new browser session, as a reload does,
    with one fund's box opened by the user (``fund``), or none."""
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.session_state["language"] = "th"
    at.query_params["code"] = code
    at.query_params["d"] = device
    if press:
        at.query_params["p"] = press
    at.switch_page("pages/group_workspace.py")
    if fund is not None:
        at.session_state[f"fund-{fund}"] = True
    return at.run()


def shown(at: AppTest) -> tuple:
    """What the open fund's rating shows: grade, reason, members, balance."""
    members, balance = (box.value for box in at.number_input)
    return at.radio[0].value, at.text_area[0].value, members, balance


def save(at: AppTest) -> None:
    button = next(b for b in at.button if b.label == t("workspace.save_rating", "th"))
    button.click().run()
    assert not at.exception and not at.error
    assert [toast.value for toast in at.toast] == [t("workspace.rating_saved", "th")]


def test_a_reload_brings_back_a_half_filled_rating_for_its_fund_only(db):
    group, (fund, other_fund, *_) = group_and_funds(db)
    at = opened(group.join_code, "abc123", fund)
    stored_balance = at.number_input[1].value
    at.radio[0].set_value("D").run()
    at.text_area[0].input("กรรมการไม่ได้ประชุมมาครึ่ง").run()
    at.number_input[0].set_value(87).run()

    again = opened(group.join_code, "abc123", None)  # the fund's box is open again by itself
    assert again.session_state[f"fund-{fund}"] and len(again.radio) == 1
    assert shown(again) == ("D", "กรรมการไม่ได้ประชุมมาครึ่ง", 87, stored_balance)
    assert not again.warning  # no clash between the restored values and the widgets' own
    # Another fund of the group, another device and another group do not get it.
    other = opened(group.join_code, "abc123", other_fund)  # drawn below the first fund's box
    assert other.text_area[0].value == "กรรมการไม่ได้ประชุมมาครึ่ง"
    assert other.text_area[1].value != "กรรมการไม่ได้ประชุมมาครึ่ง"
    assert opened(group.join_code, "def456", fund).radio[0].value != "D"


def test_saving_a_restored_rating_stores_what_is_shown_once_and_ends_the_draft(db):
    group, (fund, *_) = group_and_funds(db)
    before = ratings_of(db, fund)
    at = opened(group.join_code, "abc123", fund)
    at.radio[0].set_value("C").run()
    at.text_area[0].input("ทะเบียนสมาชิกยังเป็นกระดาษ").run()
    at.number_input[1].set_value(250000.0).run()

    again = opened(group.join_code, "abc123", fund)
    filled = shown(again)
    save(again)
    assert ratings_of(db, fund) == [*before, (*filled, "laptop-abc123")]
    assert filled[:2] == ("C", "ทะเบียนสมาชิกยังเป็นกระดาษ") and filled[3] == 250000.0
    assert shown(again) == filled  # the box drawn again with the saved rating

    # The group agrees on another grade, saved from another device: the saved draft does not
    # come back over it.
    laptop = opened(group.join_code, "def456", fund)
    laptop.radio[0].set_value("B").run()
    laptop.text_area[0].input("ตกลงกันแล้ว").run()
    save(laptop)
    assert shown(opened(group.join_code, "abc123", fund))[:2] == ("B", "ตกลงกันแล้ว")


def test_a_field_left_alone_follows_the_stored_rating(db):
    """Only what the user changed is a draft: a grade another device saved meanwhile shows."""
    group, (fund, *_) = group_and_funds(db)
    phone = opened(group.join_code, "abc123", fund)
    phone.text_area[0].input("เหตุผลที่ยังพิมพ์ไม่เสร็จ").run()
    laptop = opened(group.join_code, "def456", fund)
    laptop.radio[0].set_value("A").run()
    laptop.text_area[0].input("ครบทุกข้อ").run()
    laptop.number_input[0].set_value(140).run()
    save(laptop)

    again = opened(group.join_code, "abc123", fund)
    assert shown(again)[:3] == ("A", "เหตุผลที่ยังพิมพ์ไม่เสร็จ", 140)


def test_save_pressed_again_after_a_restart_cut_off_the_confirmation_stores_one_rating(db):
    """The rating's Save, now a button beside its fields, is still one press (as the form's)."""
    group, (fund, *_) = group_and_funds(db)
    before = len(ratings_of(db, fund))
    at = opened(group.join_code, "abc123", fund, press="a1b2c3")
    at.radio[0].set_value("C")
    at.text_area[0].input("กรรมการประชุมครบทุกเดือน")
    save(at)
    assert at.query_params["p"] != "a1b2c3"  # the next Save is another press
    # The server was killed after the commit, before the page heard of it: the lead reloads
    # the same link (the draft brings the rating back) and presses Save again.
    again = opened(group.join_code, "abc123", fund, press="a1b2c3")
    again.radio[0].set_value("C")
    again.text_area[0].input("กรรมการประชุมครบทุกเดือน")
    save(again)
    assert len(ratings_of(db, fund)) == before + 1
