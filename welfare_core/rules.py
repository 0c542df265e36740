"""Pure rules: input cleaning and limits, and who may write what. No database here: the
service reads the facts (the actor, the lock, the idea) and asks these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import Enum

from welfare_core.due import parse_due
from welfare_core.errors import InvalidInput, NotAllowed, WorkshopLocked
from welfare_core.model import GRADE_LETTERS, Actor
from welfare_core.template import EARLIEST_DATE, LATEST_DATE
from welfare_core.text import visible

MAX_BUDGET = Decimal(10**12)
MAX_COUNT = 10**8
MAX_DOTS = 50  # a group's dots in the plenary vote
MAX_TIMER_MINUTES = 240


class Write(Enum):
    """The writes that closing entry may stop: every participant write, and a roster import."""

    RATING = "rating"
    NEW_IDEA = "new_idea"
    EDIT = "edit"
    WITHDRAW = "withdraw"
    VOTE = "vote"
    ROSTER = "roster"


# Closing entry stops ratings and ideas; voting, merging and adopting go on (the plenary).
STOPPED_BY_LOCK = frozenset(
    {Write.RATING, Write.NEW_IDEA, Write.EDIT, Write.WITHDRAW, Write.ROSTER}
)


def check_entry(kind: Write, locked: bool) -> None:
    """Refuse a write that closing entry stops, once entry is closed (for everyone: the
    facilitator's own ratings and ideas too)."""
    if locked and kind in STOPPED_BY_LOCK:
        raise WorkshopLocked()


def check_facilitator(actor: Actor) -> None:
    if not actor.is_facilitator:
        raise NotAllowed("error.facilitator_only")


def check_group(actor: Actor, group_id: int) -> None:
    """A group writes for itself only; the facilitator for any group."""
    if not actor.is_facilitator and actor.group_id != group_id:
        raise NotAllowed("error.other_group")


def check_idea_editable(actor: Actor, group_id: int, in_plenary: bool) -> None:
    """An idea its group may still change: not once the plenary has merged into it or adopted
    it, since it then carries other groups' ideas and votes (the facilitator still may)."""
    check_group(actor, group_id)
    if in_plenary and not actor.is_facilitator:
        raise NotAllowed("error.idea_in_plenary")


# --- input cleaning -----------------------------------------------------------------------------


def grade(value: object) -> str:
    """A grade letter, whatever its case and spaces ("b " is B); anything else is refused."""
    letter = str(value).strip().upper()
    if letter not in GRADE_LETTERS:
        raise InvalidInput("error.bad_grade", value=value)
    return letter


def dots(value: object) -> int:
    """A group's dots for the plenary vote: 1 to MAX_DOTS."""
    return _one_to(MAX_DOTS, value, "field.dots", "error.bad_dots")


def timer_seconds(minutes: object) -> int:
    """The breakout timer's length: 1 to MAX_TIMER_MINUTES minutes, in seconds."""
    return _one_to(MAX_TIMER_MINUTES, minutes, "field.minutes", "error.bad_minutes") * 60


def _one_to(limit: int, value: object, field: str, error: str) -> int:
    number = count(value, field)
    if number is None or not 1 <= number <= limit:
        raise InvalidInput(error, value=value, limit=limit)
    return number


def text(value: object, limit: int, field: str, required: bool = False) -> str:
    """Drop control and invisible characters (see ``visible``), trim, then check the length."""
    cleaned = visible(str(value or "")).strip()
    if required and not cleaned:
        raise InvalidInput("error.required", field=field)
    if len(cleaned) > limit:
        raise InvalidInput("error.too_long", field=field, limit=limit, length=len(cleaned))
    return cleaned


def count(value: object, field: str) -> int | None:
    """A whole number from 0 up (commas allowed), or None when left empty."""
    if value is None or value == "":
        return None
    try:
        number = int(str(value).replace(",", "").strip())
    except ValueError:
        raise InvalidInput("error.not_a_number", field=field, value=value) from None
    if not 0 <= number < MAX_COUNT:
        raise InvalidInput("error.not_a_number", field=field, value=value)
    return number


def money(value: object, field: str) -> Decimal | None:
    """Baht to the satang, from 0 up (commas allowed), or None when left empty."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput("error.not_a_number", field=field, value=value) from None
    if not amount.is_finite() or not 0 <= amount < MAX_BUDGET:
        raise InvalidInput("error.not_a_number", field=field, value=value)
    return amount.quantize(Decimal("0.01"))


def date(value: object) -> dt.date:
    """A workshop's date, within the years a template may give (2000-2100)."""
    is_date = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if not is_date or not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput("error.bad_date", value=value, first=EARLIEST_DATE, last=LATEST_DATE)
    return value


def due(value: str, plan_year: Callable[[], int]) -> str:
    """A month or a quarter (calendar or fiscal) near the plan year: see welfare_core.due."""
    if not (value or "").strip():
        return ""
    return parse_due(value, plan_year())
