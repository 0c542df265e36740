"""The start page (AppTest, demo workshop, Thai and English): joining with a group's code, typed
with either keyboard layout; the facilitator's sign-in; the projector links; the language."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from support import app, facts

from welfare_core import codes
from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE
from welfare_core.i18n import t
from welfare_core.service import WorkshopService
from welfare_core.template import SESSIONS_DIR, load_template
from welfare_ui.feedback import markdown_escaped


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
    at = AppTest.from_file("../../app.py", default_timeout=60)
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
