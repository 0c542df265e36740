"""Every screen rendered with Streamlit's AppTest on the demo workshop, in Thai and English."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from conftest import count, held_open
from streamlit.testing.v1 import AppTest

from welfare_core import codes, consolidate
from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE, create_demo
from welfare_core.i18n import catalog, t
from welfare_core.model import Caller, IdeaInput
from welfare_core.service import MAX_TEXT, WorkshopService
from welfare_core.template import SESSIONS_DIR, load_template
from welfare_ui.feedback import css_text, markdown_escaped
from welfare_ui.visitor import Drafts

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """The demo workshop, built once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(path)
    create_demo(WorkshopService(store), DEMO_PASSCODE)
    store.close()
    return path


@pytest.fixture
def db(demo_file, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "workshops.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("WELFARE_DB", str(path))
    return path


def facts(db: Path) -> dict:
    """The demo's slug and groups, read straight from the file (the app is not running)."""
    store = Store(db)
    try:
        workshop = store.read().workshops()[0]
        groups = store.read().groups(workshop.id)
        funds = {g.id: store.read().funds(workshop.id, g.id) for g in groups}
        return {
            "workshop": workshop,
            "groups": groups,
            "funds": {gid: [f.name for f in found] for gid, found in funds.items()},
            "first_fund": {gid: found[0].id for gid, found in funds.items()},
            "areas": [a.key for a in store.read().areas(workshop.id)],
        }
    finally:
        store.close()


def stored(db: Path, table: str) -> int:
    store = Store(db)
    try:
        return count(store, table)
    finally:
        store.close()


def app(lang: str = "th", **query: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["language"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    return at


def workspace(lang: str, code: str, tab: int = 0, fund_open: int | None = None) -> AppTest:
    """A group's link: /group?code=..., on one tab, with one fund's rating form open."""
    at = app(lang, code=code)
    at.switch_page("pages/group_workspace.py")
    if tab:
        at.session_state["workspace-tab"] = t(
            ("workspace.tab_rate", "workspace.tab_ideas", "workspace.tab_vote")[tab], lang
        )
    if fund_open is not None:
        at.session_state[f"fund-{fund_open}"] = True
    return at


def new_idea(at: AppTest, widget: str = "text"):
    """A widget of the new-idea box (not a form: its fields are kept as a draft): "text",
    "area", "a" (action), "r" (responsible), "d" (due), "p" (partner), "b" (budget)."""
    kinds = {"text": at.text_area, "area": at.selectbox, "b": at.number_input}
    return kinds.get(widget, at.text_input)(key=f"new-idea-0-{widget}")


def rating_button(at: AppTest):
    """The Save button of the open fund's rating (a button beside its fields, not a form's)."""
    return next(b for b in at.button if (b.key or "").startswith("rate-"))


def add_idea_button(at: AppTest):
    return at.button(key="new-idea-0")


def signed_in(db: Path, lang: str = "th") -> AppTest:
    store = Store(db)
    try:
        token = WorkshopService(store).sign_in(facts_slug(store), DEMO_PASSCODE)
    finally:
        store.close()
    at = app(lang)
    at.session_state["facilitator_token"] = token
    return at


def facts_slug(store: Store) -> str:
    return store.read().workshops()[0].slug


# --- start -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_start_page_offers_joining_signing_in_and_the_projector(db, lang):
    at = app(lang).run()
    assert not at.exception
    assert at.title[0].value == t("app.title", lang)
    assert [s.value for s in at.subheader] == [
        t("start.join_title", lang),
        t("start.facilitator_title", lang),
        t("start.projector_title", lang),
    ]
    workshop = facts(db)["workshop"]
    assert at.caption[0].value == t("start.demo_passcode", lang, passcode=DEMO_PASSCODE)
    day = {"th": "24 มิถุนายน 2562", "en": "24 June 2019"}[lang]  # Buddhist era on Thai pages
    assert at.radio[0].options == [  # a radio: a long title wraps, where a select box cut it
        f"{workshop.title_th if lang == 'th' else workshop.title_en} ({day})"
    ]
    assert day in at.get("page_link")[0].proto.label


def test_the_public_passcode_is_shown_only_for_a_workshop_it_opens(tmp_path, monkeypatch):
    """A workshop on the template's sample roster is sample data too, but its passcode is its
    own: telling the room the demo's passcode there would be wrong."""
    path = tmp_path / "workshops.duckdb"
    store = Store(path)
    service = WorkshopService(store)
    service.create_from_template(load_template(SESSIONS_DIR / "samut-prakan-2562.toml"))
    assert service.workshops()[0].is_sample
    store.close()
    monkeypatch.setenv("WELFARE_DB", str(path))
    at = app("th").run()
    assert not at.exception
    assert all(DEMO_PASSCODE not in c.value for c in at.caption)


def test_the_language_switch_turns_the_start_page_into_english(db):
    at = app("th").run()
    at.segmented_control(key="language_switch").set_value("en").run()
    assert at.title[0].value == t("app.title", "en")


def test_the_language_is_kept_in_the_link_so_a_reload_keeps_it(db):
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == t("app.title", "en")
    at.segmented_control(key="language_switch").set_value("th").run()
    assert at.title[0].value == t("app.title", "th")


def test_a_wrong_code_says_so_and_repeated_wrong_codes_are_slowed_down(db):
    at = app().run()
    for _ in range(3):
        at.text_input[0].input("WRONG-CODE")
        at.button[0].click().run()
    assert at.error[0].value == markdown_escaped(t("error.bad_code", "th"))
    at.text_input[0].input("ANOTHER1")
    at.button[0].click().run()
    assert "วินาที" in at.error[0].value  # wait n seconds, and the code was not even tried
    assert re.search(r"\d+", at.error[0].value)


def test_the_right_code_opens_the_groups_workspace(db):
    group = facts(db)["groups"][1]
    at = app().run()
    at.text_input[0].input(codes.format_code(group.join_code).lower())
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == group.name_th


# What each Latin key gives with the Thai Kedmanee layout on (phones and PCs alike).
THAI_KEYS = dict(zip("23456789ABCDEFGHJKMNPQRSTWXYZ-", "/-ภถุึคตฟิแกำดเ้่าทืยๆพหะไปัผข", strict=True))


def typed_with_thai_layout(code: str) -> str:
    return "".join(THAI_KEYS[ch] for ch in code)


@pytest.mark.parametrize("n", range(6))
def test_a_code_typed_with_the_thai_keyboard_layout_on_opens_the_group(db, n):
    group = facts(db)["groups"][n]
    at = app().run()
    typed = typed_with_thai_layout(codes.format_code(group.join_code))
    at.text_input[0].input(typed)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.title[0].value == group.name_th


def test_the_thai_layout_is_read_back_to_the_code_with_its_3s_and_dashes():
    for code in ("3333-3333", "3ABC-D3EF", "WXYZ-2345", "MNPQ-RST3"):
        assert codes.normalise_code(typed_with_thai_layout(code)) == code.replace("-", "")
    # A dash from the phone's symbol keys, between Thai letters, is still a dash.
    assert codes.normalise_code("ฟิแก-ำดเ้") == "ABCDEFGH"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_wrong_code_typed_in_thai_says_to_switch_the_keyboard(db, lang):
    at = app(lang).run()
    at.text_input[0].input("กขฃคฅฆงจ")  # no code, on any layout
    at.button[0].click().run()
    assert at.error[0].value == markdown_escaped(t("error.bad_code_thai_keyboard", lang))


def test_the_facilitator_signs_in_with_the_passcode_only(db):
    at = app("en").run()
    at.text_input[1].input("not-the-passcode")
    at.button[1].click().run()
    assert at.error[0].value == markdown_escaped(t("error.bad_passcode", "en"))
    assert "facilitator_token" not in at.session_state
    at.text_input[1].input(DEMO_PASSCODE)
    at.button[1].click().run()
    assert at.title[0].value == t("setup.title", "en")


# --- group workspace -----------------------------------------------------------------------------


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


def test_an_idea_is_moved_to_another_area_when_edited(db):
    group = facts(db)["groups"][0]
    idea_id = own_idea_of(db, group, "ประชุมกรรมการทุกเดือน (ย้ายหมวด)")
    at = workspace("en", group.join_code, tab=1)
    at.session_state[f"edit-{idea_id}"] = True  # its edit popover open
    at.run()
    edit = next(f for f in at.form if f.proto.form.form_id.startswith(f"edit-{idea_id}-"))
    edit.selectbox[0].set_value("committee")
    edit.form_submit_button[0].click().run()
    assert at.toast[0].value == t("workspace.idea_saved", "en")
    assert idea_area(db, idea_id) == "committee"


def test_withdrawing_an_idea_asks_once_more_and_can_be_called_off(db):
    group = facts(db)["groups"][0]
    idea_id = own_idea_of(db, group, "ข้อเสนอที่จะถอน")
    at = workspace("th", group.join_code, tab=1)
    at.session_state[f"edit-{idea_id}"] = True
    at.run()
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


def test_two_devices_rating_a_fund_differently_both_succeed_and_the_group_is_told(db):
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
    phone.run()
    assert t("workspace.disagreement", "en", grades="A/C") in [w.value for w in phone.warning]


def test_the_groups_next_save_clears_the_disagreement_on_its_page(db):
    known = facts(db)
    group = known["groups"][0]
    fund = known["first_fund"][group.id]
    phone = workspace("en", group.join_code, fund_open=fund)
    laptop = workspace("en", group.join_code, fund_open=fund)

    def told(at: AppTest) -> tuple[bool, bool]:
        """The fund's "⚠" in its label, and the request to agree and save again."""
        return (
            any(e.label.endswith("⚠") for e in at.expander),
            t("workspace.disagreement", "en", grades="A/C") in [w.value for w in at.warning],
        )

    for at, grade in ((phone.run(), "A"), (laptop.run(), "C")):
        at.radio[0].set_value(grade)
        at.text_area[0].input(f"grade {grade}")
        rating_button(at).click().run()
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


# --- projector, set-up, plenary, export ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_projector_shows_progress_grades_and_the_idea_wall(db, lang):
    known = facts(db)
    at = app(lang).run()
    at.switch_page("pages/projector_screen.py").run()
    assert not at.exception
    workshop = known["workshop"]
    title = workshop.title_th if lang == "th" else workshop.title_en
    assert at.title[0].value == markdown_escaped(title)  # a typed title is shown as typed
    # The wall by default: a strip of progress and funds per grade, six ideas per area.
    page = "\n".join(h.proto.body for h in at.html)
    for group in known["groups"]:
        assert (group.name_th if lang == "th" else group.name_en) in page
    per_grade = re.findall(r'class="chip grade"[^>]*>([A-D]) (\d+)</span>', page)
    assert [letter for letter, _ in per_grade] == ["A", "B", "C", "D"]
    assert sum(int(n) for _, n in per_grade) == 25
    assert page.count('class="idea-card') == 4 * 6
    assert "onerror" not in page
    assert not at.toggle  # the join codes are only for the signed-in facilitator
    # One click away: the grades per district, with the totals.
    at.session_state["projector-view"] = "grades"
    at.run()
    page = "\n".join(h.proto.body for h in at.html)
    assert page.count('class="grade-tile"') == 4
    assert sum(int(n) for n in re.findall(r"<b>(\d+)</b>", page)) == 25
    assert len(at.get("vega_lite_chart")) == 1
    assert 'class="idea-card' not in page


def test_the_projector_reads_again_after_a_save(db):
    """The projector's reads are shared and kept until the app writes: a new idea shows at the
    very next refresh, not when a timer runs out."""
    from welfare_ui.runtime import _service_for

    at = app("th").run()
    at.switch_page("pages/projector_screen.py").run()
    service = _service_for(str(db))  # the page's own service, as a save on a phone reaches it
    group = facts(db)["groups"][0]
    service.add_idea(Caller(group.join_code, "phone"), IdeaInput("data", "ข้อเสนอใหม่ล่าสุด"))
    at.run()
    assert "ข้อเสนอใหม่ล่าสุด" in "\n".join(h.proto.body for h in at.html)


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


def setup_tab(db: Path, lang: str = "th", tab: str = "setup.tab_session") -> AppTest:
    at = signed_in(db, lang)
    at.session_state["setup-tab"] = t(tab, lang)
    at.switch_page("pages/facilitator_setup.py").run()
    return at


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


def data_ideas(db: Path):
    store = Store(db)
    try:
        ideas = consolidate.ideas(store.read(), store.read().workshops()[0].id)
    finally:
        store.close()
    return ideas[ideas["area"] == "data"]


def test_the_plenary_merges_duplicates_keeping_votes_and_origins(db):
    ideas = data_ideas(db)
    twins = ideas[ideas.duplicated("text", keep=False)].sort_values("text").head(2)
    main, twin = (int(i) for i in twins["idea_id"])
    votes = int(twins["votes"].sum())
    at = signed_in(db).run()
    at.switch_page("pages/plenary_board.py").run()
    assert not at.exception
    assert at.title[0].value == t("plenary.title", "th")
    merge = next(f for f in at.form if f.proto.form.form_id.startswith("merge-data"))
    merge.selectbox[0].set_value(main)
    merge.multiselect[0].set_value([twin])
    merge.form_submit_button[0].click().run()
    assert not at.exception
    assert at.toast[0].value == t("plenary.merged", "th")
    after = data_ideas(db).set_index("idea_id")
    assert twin not in after.index
    assert after.loc[main, "votes"] == votes
    assert after.loc[main, "merged"] == 1
    assert set(after.loc[main, "origins_th"].split(", ")) == set(twins["group_th"])


def test_a_plenary_tick_adopts_its_idea_and_the_box_follows_what_is_stored(db):
    first, second = (int(i) for i in data_ideas(db)["idea_id"][:2])
    at = signed_in(db).run()
    at.switch_page("pages/plenary_board.py").run()
    at.checkbox(key=f"adopt-{first}").check().run()
    assert not at.exception
    assert at.toast[0].value == t("plenary.adopted", "th")
    assert data_ideas(db).set_index("idea_id").loc[first, "adopted"]
    # The facilitator's second device adopts another idea; this page's next run shows it.
    store = Store(db)
    try:
        service = WorkshopService(store)
        chair = Caller(service.sign_in(facts_slug(store), DEMO_PASSCODE), device="second-laptop")
        service.set_adopted(chair, second, True)
    finally:
        store.close()
    at.run()
    assert at.checkbox(key=f"adopt-{first}").value
    assert at.checkbox(key=f"adopt-{second}").value


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_export_page_offers_the_four_files(db, lang):
    at = signed_in(db, lang).run()
    at.switch_page("pages/plan_export.py").run()
    assert not at.exception
    assert at.title[0].value == t("exportpage.title", lang)
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        t(f"exportpage.{fmt}", lang) for fmt in ("xlsx", "docx", "pdf", "csv")
    ]


# --- rules about the pages themselves ----------------------------------------------------------


def test_every_message_exists_in_thai_and_english():
    th, en = catalog("th"), catalog("en")
    assert sorted(set(th) ^ set(en)) == []
    assert all(th[k].strip() and en[k].strip() for k in th)


def test_every_key_the_pages_use_is_in_the_catalogs():
    used: set[str] = set()
    for path in [ROOT / "app.py", *PAGES]:
        for node in ast.walk(ast.parse(path.read_text())):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and re.fullmatch(r"[a-z_]+\.[a-z_]+", text):
                used.add(text)
    used -= {"server.port"}  # a Streamlit option, not a message
    assert len(used) > 80
    assert sorted(used - set(catalog("th"))) == []


def test_no_page_url_is_the_name_of_a_file_in_pages():
    """Otherwise a first request after a restart may run that file without app.py."""
    urls = re.findall(r'"nav\.\w+", "\w+", "(\w+)"', (ROOT / "app.py").read_text())
    assert len(urls) == 5
    assert not set(urls) & {p.stem for p in PAGES}


def test_text_put_into_css_can_end_neither_its_string_nor_the_style_element():
    written = css_text('ขาด "การ" \\ </style><script>')
    assert written.count('"') == 2 and "<" not in written and ">" not in written
    assert written.startswith('"ขาด') and "\\22 " in written  # the quote as a CSS escape
