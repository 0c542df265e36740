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


# Widths add up to what a landscape A4 page holds at about 80 % (the workbook prints fit to width).
FUNDS = (
    Column("district", _local("group"), width=14),
    Column("fund", _field("fund"), width=26),
    Column("tambon", _field("tambon"), width=12),
    Column("grade", _field("grade"), width=7),
    Column("level", lambda m, r: m.grade_name(r["grade"]), width=20),
    Column("reason", _field("reason"), width=40),
    Column("members", _field("members"), "int", 12),
    Column("balance", _field("balance_baht"), "money", 13),
    Column("previous", _field("previous_grade"), width=8),
    Column("change", _field("change"), width=10),
    Column("rated_at", _field("rated_at"), "time", 17),
)

# The columns an idea and a plan item share.
AREA = Column("area", _local("area"), width=18)
GROUPS = Column("groups", _local("origins"), width=14)
IDEA = Column("idea", _field("text"), width=40)
ACTION = Column("action", _field("action"), width=30)
RESPONSIBLE = Column("responsible", _field("responsible"), width=16)
DUE = Column("due", lambda m, r: m.due(r["due"]), width=18)
PARTNER = Column("partner", _field("partner"), width=16)
BUDGET = Column("budget", _field("budget_baht"), "money", 12)
BUDGET_SOURCE = Column("budget_source", _field("budget_source"), width=16)
VOTES = Column("votes", _field("votes"), "int", 7)
ACTION_PLAN = (ACTION, RESPONSIBLE, DUE, PARTNER, BUDGET, BUDGET_SOURCE)  # an idea's plan fields

IDEAS = (
    AREA,
    GROUPS,
    IDEA,
    Column("fund", _field("fund"), width=20),
    *ACTION_PLAN,
    VOTES,
    Column("adopted", _yes_no("adopted"), width=8),
    Column("merged", _field("merged"), "int", 9),
)

PLAN = (
    Column("no", _field("no"), "int", 5),
    AREA,
    IDEA,
    *ACTION_PLAN,
    VOTES,
    GROUPS,
)

HISTORY = (
    Column("time", _field("created_at"), "time", 17),
    Column("kind", lambda m, r: m.text(r["kind"]), width=16),
    Column("group", _local("group"), width=14),
    Column("subject", _local("subject"), width=24),
    Column("content", _field("content"), width=50),
    Column("role", lambda m, r: m.text(f"role.{r['actor_role']}"), width=11),
    Column("name", _field("actor_name"), width=14),
    Column("device", _field("device"), width=16),
)


def headers(model: ExportModel, columns: tuple[Column, ...]) -> list[str]:
    return [model.text(f"col.{c.key}") for c in columns]


def rows(model: ExportModel, columns: tuple[Column, ...], frame: pd.DataFrame) -> list[list]:
    """Plain Python values: None for missing, int and float for numbers, datetime for times."""
    return [[plain(c.value(model, r), c.kind) for c in columns] for r in frame.to_dict("records")]


def budget_total(items: pd.DataFrame) -> Decimal | None:
    """The items' budgets added up in exact baht (every format shows this one sum); None when
    no item has a budget."""
    amounts = [Decimal(str(b)) for b in items["budget_baht"] if pd.notna(b)]
    return sum(amounts, Decimal(0)) if amounts else None


def plain(value: object, kind: str) -> object:
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
