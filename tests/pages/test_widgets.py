"""Each widget drawn on two screens, on its own: what the visitor sees, in Thai and English."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from welfare_core.clock import utcnow
from welfare_core.i18n import t
from welfare_core.model import GradeLevel, Group, Timer
from welfare_ui.feedback import markdown_escaped

BASE = "http://192.168.1.20:8501"
GROUPS = [
    Group(1, 1, 1, "อำเภอเมือง *ดาว*", "Mueang *star*", "ABCDEFGH"),
    Group(2, 1, 2, "อำเภอบางพลี", "Bang Phli", "JKLMNPQR"),
]
LEVELS = [GradeLevel("A", "ดีมาก", "Very good"), GradeLevel("B", "ดี", "Good")]


def drawn(script, lang: str, *args: object) -> AppTest:
    """``script`` run as a page of its own: its source is the page, so it imports what it uses
    and has no annotations (they would name what the page does not import)."""
    at = AppTest.from_function(script, args=args, default_timeout=30)
    at.session_state["language"] = lang
    return at.run()


def timer_page(timer):
    from welfare_ui.widgets import timer_display

    timer_display(timer)


def html_of(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.html)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_paused_timer_shows_its_minutes_and_does_not_count(lang):
    at = drawn(timer_page, lang, Timer(duration_s=1200, remaining_s=300))
    shown = html_of(at)
    assert not at.exception
    assert t("timer.label", lang) in shown
    assert ">05:00</span>" in shown
    assert "if (!false) return;" in shown  # the browser's count-down stays still


def test_a_running_timer_counts_down_in_the_browser():
    started = utcnow() - dt.timedelta(minutes=2, seconds=30)
    shown = html_of(drawn(timer_page, "en", Timer(1200, 600, started)))
    assert ">07:" in shown  # ten minutes left when started, two and a half minutes ago
    assert "if (!true) return;" in shown


def test_a_timer_run_out_shows_zero_and_one_never_set_shows_nothing():
    long_ago = utcnow() - dt.timedelta(hours=2)
    assert ">00:00</span>" in html_of(drawn(timer_page, "en", Timer(1200, 600, long_ago)))
    assert not drawn(timer_page, "en", Timer()).html


def cards_page(groups, base, link_shown):
    from welfare_ui.widgets import join_code_cards

    join_code_cards(groups, base, link_shown=link_shown)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_each_group_has_a_card_with_its_name_qr_code_and_code(lang):
    at = drawn(cards_page, lang, GROUPS, BASE, True)
    assert not at.exception
    names = [g.name_th if lang == "th" else g.name_en for g in GROUPS]
    assert [s.value for s in at.subheader] == [markdown_escaped(n) for n in names]
    assert len(at.image) == len(GROUPS)  # one QR code per card
    codes = [m.value for m in at.markdown]
    assert codes == ["### `ABCD-EFGH`", "### `JKLM-NPQR`"]
    assert [c.value for c in at.code] == [
        f"{BASE}/group?code=ABCD-EFGH",
        f"{BASE}/group?code=JKLM-NPQR",
    ]


def test_the_projector_cards_leave_the_link_out():
    at = drawn(cards_page, "th", GROUPS, BASE, False)
    assert len(at.image) == len(GROUPS)
    assert "### `JKLM-NPQR`" in [m.value for m in at.markdown]
    assert not at.code


def grades_page(levels):
    import streamlit as st

    from welfare_core.model import GRADE_LETTERS
    from welfare_ui.widgets import grade_labels

    st.radio("grade", GRADE_LETTERS, format_func=grade_labels(levels).get)


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("th", ["A · ดีมาก", "B · ดี", "C", "D"]),
        ("en", ["A · Very good", "B · Good", "C", "D"]),
    ],
)
def test_grades_are_labelled_with_the_workshops_names_of_the_levels(lang, labels):
    at = drawn(grades_page, lang, LEVELS)
    assert at.radio[0].options == labels  # a level the workshop did not name: the letter alone
