"""The pure rules, without a database: cleaning, limits, entry closed, who may edit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from welfare_core import rules
from welfare_core.errors import InvalidInput, NotAllowed, WorkshopLocked
from welfare_core.model import Actor, Role
from welfare_core.rules import Write

GROUP = Actor(Role.GROUP, workshop_id=1, group_id=10)
FACILITATOR = Actor(Role.FACILITATOR, workshop_id=1, group_id=None)


def test_text_drops_invisible_characters_trims_and_checks_length():
    assert rules.text(" ทะ\u200bเบียน\x07 ", 10, "field.idea") == "ทะเบียน"
    assert rules.text(None, 10, "field.idea") == ""
    with pytest.raises(InvalidInput, match="fill in"):
        rules.text(" \u200b ", 10, "field.idea", required=True)
    with pytest.raises(InvalidInput, match="too long"):
        rules.text("ก" * 11, 10, "field.idea")


@pytest.mark.parametrize("value", ["-1", "สิบ", "1.5", 10**8])
def test_count_refuses_what_is_no_whole_number_in_range(value):
    with pytest.raises(InvalidInput):
        rules.count(value, "field.members")


def test_count_and_money_read_commas_and_leave_empty_as_none():
    assert rules.count("1,200", "field.members") == 1200
    assert rules.count("", "field.members") is None
    assert rules.money("12,345.678", "field.balance") == Decimal("12345.68")
    assert rules.money(None, "field.balance") is None


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-5", "1e12", "ห้าบาท"])
def test_money_refuses_what_is_no_amount_in_range(value):
    with pytest.raises(InvalidInput):
        rules.money(value, "field.budget")


def test_a_workshop_date_is_a_plain_date_within_the_template_years():
    assert rules.date(dt.date(2019, 6, 24)) == dt.date(2019, 6, 24)
    for bad in (dt.datetime(2019, 6, 24, 9), dt.date(1999, 12, 31), "2019-06-24"):
        with pytest.raises(InvalidInput):
            rules.date(bad)


def test_due_is_empty_or_a_month_or_quarter_near_the_plan_year():
    assert rules.due(" ", lambda: 2020) == ""
    assert rules.due("2020-03", lambda: 2020) == "2020-03"
    with pytest.raises(InvalidInput):
        rules.due("เมื่อไรก็ได้", lambda: 2020)


@pytest.mark.parametrize("kind", [Write.RATING, Write.NEW_IDEA, Write.EDIT, Write.WITHDRAW])
def test_closing_entry_stops_ratings_and_ideas(kind):
    rules.check_entry(kind, locked=False)
    with pytest.raises(WorkshopLocked):
        rules.check_entry(kind, locked=True)


def test_voting_goes_on_after_entry_is_closed():
    rules.check_entry(Write.VOTE, locked=True)


def test_a_group_writes_for_itself_the_facilitator_for_any_group():
    rules.check_group(GROUP, 10)
    rules.check_group(FACILITATOR, 11)
    with pytest.raises(NotAllowed, match="another group"):
        rules.check_group(GROUP, 11)


def test_an_idea_in_the_plenary_is_changed_by_the_facilitator_only():
    rules.check_idea_editable(GROUP, 10, in_plenary=False)
    rules.check_idea_editable(FACILITATOR, 10, in_plenary=True)
    with pytest.raises(NotAllowed):
        rules.check_idea_editable(GROUP, 10, in_plenary=True)
    with pytest.raises(NotAllowed):
        rules.check_idea_editable(GROUP, 11, in_plenary=False)


def test_only_the_facilitator_passes_the_facilitator_check():
    rules.check_facilitator(FACILITATOR)
    with pytest.raises(NotAllowed):
        rules.check_facilitator(GROUP)


@pytest.mark.parametrize("typed, kept", [("A", "A"), (" b ", "B"), ("d", "D")])
def test_a_grade_is_a_letter_a_to_d_whatever_its_case(typed, kept):
    assert rules.grade(typed) == kept


@pytest.mark.parametrize("typed", ["E", "", "AB", "1", None])
def test_anything_but_a_grade_letter_is_refused(typed):
    with pytest.raises(InvalidInput, match="grade"):
        rules.grade(typed)


def test_dots_and_timer_minutes_stay_within_their_limits():
    assert rules.dots("5") == 5 and rules.dots(rules.MAX_DOTS) == rules.MAX_DOTS
    assert rules.timer_seconds(20) == 1200
    assert rules.timer_seconds(rules.MAX_TIMER_MINUTES) == rules.MAX_TIMER_MINUTES * 60
    for refused in (0, rules.MAX_DOTS + 1, "ห้า", -1):
        with pytest.raises(InvalidInput):
            rules.dots(refused)
    for refused in (0, rules.MAX_TIMER_MINUTES + 1, "", 1.5):
        with pytest.raises(InvalidInput):
            rules.timer_seconds(refused)
