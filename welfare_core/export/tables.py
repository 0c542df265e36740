"""The tables of the spreadsheet and CSV exports: one column list per table, shared by both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from welfare_core.export.model import ExportModel

Row = dict[str, object]


@dataclass(frozen=True)
class Column:
    key: str  # export.col.<key> names it
    value: Callable[[ExportModel, Row], object]
    kind: str = "text"  # text, int, money or time: how a spreadsheet stores and shows it
    width: int = 14  # characters, for the spreadsheet


def _field(name: str) -> Callable[[ExportModel, Row], object]:
    return lambda m, r: r[name]


def _local(base: str) -> Callable[[ExportModel, Row], object]:
    return lambda m, r: m.local(r, base)


def _yes_no(name: str) -> Callable[[ExportModel, Row], object]:
    return lambda m, r: m.text("yes" if r[name] else "no")


FUNDS = (
    Column("district", _local("group"), width=18),
    Column("fund", _field("fund"), width=40),
    Column("tambon", _field("tambon"), width=16),
    Column("grade", _field("grade"), width=8),
    Column("level", lambda m, r: m.grade_name(r["grade"]), width=36),
    Column("reason", _field("reason"), width=60),
    Column("members", _field("members"), "int", 12),
    Column("balance", _field("balance_baht"), "money", 16),
    Column("previous", _field("previous_grade"), width=10),
    Column("change", _field("change"), width=12),
    Column("rated_at", _field("rated_at"), "time", 18),
)

# The columns an idea and a plan item share.
AREA = Column("area", _local("area"), width=26)
GROUPS = Column("groups", _local("origins"), width=20)
IDEA = Column("idea", _field("text"), width=60)
ACTION = Column("action", _field("action"), width=40)
RESPONSIBLE = Column("responsible", _field("responsible"), width=22)
DUE = Column("due", lambda m, r: m.due(r["due"]), width=20)
PARTNER = Column("partner", _field("partner"), width=22)
BUDGET = Column("budget", _field("budget_baht"), "money", 14)
VOTES = Column("votes", _field("votes"), "int", 8)

IDEAS = (
    AREA,
    GROUPS,
    IDEA,
    Column("fund", _field("fund"), width=30),
    ACTION,
    RESPONSIBLE,
    DUE,
    PARTNER,
    BUDGET,
    VOTES,
    Column("adopted", _yes_no("adopted"), width=10),
    Column("merged", _field("merged"), "int", 10),
)

PLAN = (AREA, IDEA, ACTION, RESPONSIBLE, DUE, PARTNER, BUDGET, VOTES, GROUPS)

HISTORY = (
    Column("time", _field("created_at"), "time", 18),
    Column("kind", lambda m, r: m.text(r["kind"]), width=14),
    Column("group", _local("group"), width=18),
    Column("subject", _local("subject"), width=36),
    Column("content", _field("content"), width=60),
    Column("role", _field("actor_role"), width=12),
    Column("name", _field("actor_name"), width=16),
    Column("device", _field("device"), width=20),
)


def headers(model: ExportModel, columns: tuple[Column, ...]) -> list[str]:
    return [model.text(f"col.{c.key}") for c in columns]


def rows(model: ExportModel, columns: tuple[Column, ...], frame: pd.DataFrame) -> list[list]:
    """Plain Python values: None for missing, int and float for numbers, datetime for times."""
    return [[_plain(c.value(model, r), c.kind) for c in columns] for r in frame.to_dict("records")]


def _plain(value: object, kind: str) -> object:
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "int":
        return int(value)
    if kind == "money":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "time":
        return pd.Timestamp(value).to_pydatetime()
    return value
