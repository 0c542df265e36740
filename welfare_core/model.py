"""Plain domain objects. Nothing here knows about storage or the UI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

GRADE_LETTERS = ("A", "B", "C", "D")


class Role(StrEnum):
    FACILITATOR = "facilitator"
    GROUP = "group"


@dataclass(frozen=True)
class GradeLevel:
    letter: str
    name_th: str
    name_en: str
    description_th: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class PlanArea:
    key: str
    name_th: str
    name_en: str


@dataclass(frozen=True)
class GroupSpec:
    name_th: str
    name_en: str


@dataclass(frozen=True)
class WorkshopFacts:
    """What a template says about a workshop and a stored workshop keeps of it."""

    title_th: str
    title_en: str
    held_on: dt.date
    venue_th: str
    venue_en: str
    province_th: str
    province_en: str
    organisers: tuple[str, ...]
    plan_year: int


@dataclass(frozen=True)
class Template(WorkshopFacts):
    """A workshop as described by a TOML file in sessions/."""

    source: str
    groups: tuple[GroupSpec, ...]
    grades: tuple[GradeLevel, ...]
    areas: tuple[PlanArea, ...]
    groups_from_roster: bool = False
    roster_path: str | None = None
    roster_is_sample: bool = False


@dataclass(frozen=True)
class RosterRow:
    """One fund from an imported roster, already checked."""

    row: int
    name: str
    tambon: str
    district: str
    members: int | None = None
    previous_grade: str | None = None
    chair: str = ""
    balance_baht: Decimal | None = None


@dataclass(frozen=True)
class Workshop(WorkshopFacts):
    id: int
    slug: str
    dots_per_group: int
    is_sample: bool
    locked: bool


@dataclass(frozen=True)
class Group:
    id: int
    workshop_id: int
    position: int
    name_th: str
    name_en: str
    join_code: str


@dataclass(frozen=True)
class Fund:
    id: int
    workshop_id: int
    group_id: int
    name: str
    tambon: str
    members: int | None
    previous_grade: str | None
    is_sample: bool


@dataclass(frozen=True)
class Actor:
    """Who is acting, resolved from a join code or a facilitator token."""

    role: Role
    workshop_id: int
    group_id: int | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.role is Role.FACILITATOR


@dataclass(frozen=True)
class Caller:
    """What a page or the command line passes with every write."""

    token: str
    device: str
    name: str = ""
    # The Save press that sent a rating or a new idea (a page makes one per form it draws):
    # the same press again, with the same content, is stored once.
    press: str = ""


@dataclass(frozen=True)
class ActionPlan:
    """The action-plan fields of an idea; all optional."""

    action: str = ""
    responsible: str = ""
    due: str = ""
    partner: str = ""
    budget_baht: Decimal | None = None
    budget_source: str = ""


@dataclass(frozen=True)
class IdeaInput:
    area: str
    text: str
    fund_id: int | None = None
    plan: ActionPlan = field(default_factory=ActionPlan)


@dataclass(frozen=True)
class StoredIdea:
    """The newest version of an idea, as the rules need it."""

    workshop_id: int
    group_id: int
    content: IdeaInput
    withdrawn: bool


@dataclass(frozen=True)
class RatingInput:
    fund_id: int
    grade: str
    reason: str
    members: int | None = None
    balance_baht: Decimal | None = None


@dataclass(frozen=True)
class CreatedWorkshop:
    slug: str
    passcode: str
    groups: tuple[Group, ...]
    funds_added: int


@dataclass(frozen=True)
class Timer:
    """The breakout timer: ``remaining_s`` left at ``started_at`` (None while it stands still)."""

    duration_s: int = 0
    remaining_s: int = 0
    started_at: dt.datetime | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def counting(self, now: dt.datetime) -> bool:
        """Started and not yet run out."""
        return self.running and self.left(now) > 0

    def left(self, now: dt.datetime) -> int:
        """Whole seconds left at ``now``, never below zero."""
        if self.started_at is None:
            return self.remaining_s
        return max(0, self.remaining_s - int((now - self.started_at).total_seconds()))


@dataclass(frozen=True)
class WorkshopEdit:
    """The workshop facts a facilitator may change after creating it."""

    title_th: str
    title_en: str
    held_on: dt.date
    venue_th: str
    venue_en: str
