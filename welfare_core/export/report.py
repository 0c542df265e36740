"""The plan as a report: one list of blocks that the Word and the PDF writers both draw.

Title page with the workshop facts; 1. grades per district with the chart; 2. the plan, a table
per area and, once adopted, the budget by area; 3. the grades fund by fund, per district;
appendix: every idea with its groups and votes.

Column widths are in centimetres of the 16 cm between the margins (3 cm left, 2 cm right, as
Thai official documents use): each column is wider than its longest header word in bold, so a
line breaks only between words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from welfare_core.due import shown_year
from welfare_core.export.model import ExportModel
from welfare_core.export.tables import budget_total
from welfare_core.model import GRADE_LETTERS, PlanArea

DOCUMENT_IDEAS_PER_AREA = 100  # a national workshop has thousands; a reader wants the top
NO_BUDGET = "-"

# A table cell: plain text, or (text, detail) where the detail is a smaller second line.
Cell = str | tuple[str, str]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body, note, title, subtitle, centre


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    widths: list[float]  # relative column widths
    numeric: frozenset[int] = frozenset()  # right-aligned columns
    total: bool = False  # the last row is a total, set in bold
    small: bool = False  # 9 pt instead of 9.5: the plan's eight columns hold its words whole


@dataclass(frozen=True)
class Picture:
    png: bytes
    width_cm: float
    caption: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Picture | PageBreak


@dataclass
class Report:
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def build(model: ExportModel, chart: Callable[[ExportModel], bytes] | None) -> Report:
    """The report's blocks; ``chart`` draws the grade chart (None: leave it out)."""
    report = Report()
    _title_page(report, model)
    _summary(report, model, chart)
    _plan(report, model)
    _funds(report, model)
    _appendix(report, model)
    return report


def number(value: object, decimals: int = 0) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    # str: numpy numbers do not convert. Half up, as a spreadsheet rounds the same number.
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return f"{exact:,.{decimals}f}"


def _title_page(report: Report, model: ExportModel) -> None:
    w = model.workshop
    year = shown_year(w.plan_year, model.lang)
    if w.organisers:
        report.add(Paragraph(model.text("organisers_label"), "centre"))
    report.add(*(Paragraph(o, "centre") for o in w.organisers))
    report.add(
        Paragraph(model.text("plan_title", province=model.province), "title"),
        Paragraph(model.text("plan_year", year=year), "subtitle"),
        Paragraph(model.text("from_workshop", title=model.title), "subtitle"),
    )
    facts = [
        ("date", model.date(w.held_on)),
        ("venue", model.venue),
        ("province", model.province),
        ("funds", number(len(model.funds))),
        ("rated", number(model.rated)),
        ("ideas", number(len(model.ideas))),
        ("adopted", number(model.adopted)),
        ("exported", f"{model.date(model.exported_at.date())} {model.exported_at:%H:%M}"),
    ]
    rows: list[list[Cell]] = [[model.text(f"fact.{k}"), v] for k, v in facts]
    report.add(Table([model.text("col.item"), model.text("col.value")], rows, [4.7, 11.3]))
    if model.empty:
        report.add(Paragraph(model.text("nothing_yet"), "note"))
    if w.is_sample:
        report.add(Paragraph(model.text("sample"), "note"))
    report.add(Paragraph(model.text("times_note"), "note"), PageBreak())


def _summary(
    report: Report, model: ExportModel, chart: Callable[[ExportModel], bytes] | None
) -> None:
    report.add(Heading(f"1. {model.text('section.summary')}", 1))
    if model.rated == 0:
        report.add(Paragraph(model.text("no_ratings"), "note"))
    letters = list(GRADE_LETTERS)
    columns = [*letters, "unrated", "total"]
    rows: list[list[Cell]] = [
        [model.local(r, "group"), *(number(r[c]) for c in columns)]
        for r in model.counts.to_dict("records")
    ]
    rows.append([model.text("col.total"), *(number(model.counts[c].sum()) for c in columns)])
    headers = [model.text("col.district"), *letters, model.text("col.unrated")]
    report.add(
        Table(
            [*headers, model.text("col.total")],
            rows,
            [4.4, 1.5, 1.5, 1.5, 1.5, 2.6, 3.0],
            frozenset(range(1, len(columns) + 1)),
            total=True,
        )
    )
    if chart is not None and model.rated:
        report.add(Picture(chart(model), 16, model.text("section.chart")))
    report.add(Heading(model.text("section.levels"), 2))
    levels: list[list[Cell]] = [
        [g.letter, (model.grade_name(g.letter), _description(model, g))] for g in model.grades
    ]
    report.add(Table([model.text("col.grade"), model.text("col.level")], levels, [1.8, 14.2]))


def _description(model: ExportModel, level) -> str:
    return level.description_th if model.lang == "th" else level.description_en


def _plan(report: Report, model: ExportModel) -> None:
    """Clean columns an officer copies into a proposal; groups and votes are in the appendix.
    Until the plenary adopts ideas this is every idea, duplicates included: no totals."""
    report.add(PageBreak(), Heading(f"2. {model.text('section.plan')}", 1))
    if model.plan.empty:
        report.add(Paragraph(model.text("no_ideas"), "note"))
        return
    report.add(Paragraph(model.text("plan_adopted" if model.plan_adopted else "plan_by_votes")))
    if not model.plan_adopted:
        report.add(Paragraph(model.text("no_totals"), "note"))
    keys = ("no", "idea", "action", "responsible", "due", "partner", "budget", "budget_source")
    headers = [model.text(f"col.{k}") for k in keys]
    budgets = []
    for n, area in enumerate(model.areas, start=1):
        report.add(Heading(f"2.{n} {model.area_name(area)}", 2))
        every = model.plan[model.plan["area"] == area.key]
        budgets.append((area, every))  # a total counts the items a long list leaves out too
        items = _within_limit(report, model, every)
        if items.empty:
            report.add(Paragraph(model.text("no_items"), "note"))
            continue
        rows: list[list[Cell]] = [
            [
                str(i),
                r["text"],
                r["action"] or "",
                r["responsible"] or "",
                model.due(r["due"]),
                r["partner"] or "",
                _budget(r["budget_baht"]),
                r["budget_source"] or "",
            ]
            for i, r in enumerate(items.to_dict("records"), start=1)
        ]
        if model.plan_adopted:
            rows.append(["", model.text("total"), "", "", "", "", _sum(every), ""])
        widths = [0.75, 2.3, 2.25, 2.25, 2.0, 2.3, 1.85, 2.3]
        table = Table(headers, rows, widths, frozenset({6}), total=model.plan_adopted, small=True)
        report.add(table)
    if model.plan_adopted:
        _plan_budget(report, model, budgets)


def _plan_budget(
    report: Report, model: ExportModel, budgets: list[tuple[PlanArea, pd.DataFrame]]
) -> None:
    """Items and budget per area, and the whole plan's."""
    report.add(Heading(model.text("section.plan_budget"), 2))
    rows: list[list[Cell]] = [
        [model.area_name(area), number(len(items)), _sum(items)] for area, items in budgets
    ]
    every = pd.concat([items for _, items in budgets])
    rows.append([model.text("grand_total"), number(len(every)), _sum(every)])
    headers = [model.text(f"col.{k}") for k in ("area", "items", "budget")]
    report.add(Table(headers, rows, [9.5, 3.0, 3.5], frozenset({1, 2}), total=True))


def _budget(value: object) -> str:
    return number(value) or NO_BUDGET


def _sum(items: pd.DataFrame) -> str:
    return number(budget_total(items)) or NO_BUDGET


def _within_limit(report: Report, model: ExportModel, items: pd.DataFrame) -> pd.DataFrame:
    """A document lists at most ``DOCUMENT_IDEAS_PER_AREA`` ideas of an area (they come most
    votes first); a longer list is cut with a note, and the spreadsheets keep every idea."""
    if len(items) <= DOCUMENT_IDEAS_PER_AREA:
        return items
    note = model.text("cut", shown=DOCUMENT_IDEAS_PER_AREA, total=len(items))
    report.add(Paragraph(note, "note"))
    return items.head(DOCUMENT_IDEAS_PER_AREA)


def _idea_detail(model: ExportModel, row: dict) -> str:
    lines = [f"{model.text('col.action')}: {row['action']}"] if row["action"] else []
    said = model.text("groups_votes", groups=model.local(row, "origins"), votes=row["votes"])
    lines.append(f"{said} · {model.text('col.adopted')}" if row["adopted"] else said)
    return "\n".join(lines)


def _funds(report: Report, model: ExportModel) -> None:
    report.add(PageBreak(), Heading(f"3. {model.text('section.funds')}", 1))
    if model.rated == 0:
        report.add(Paragraph(model.text("no_ratings"), "note"))
    headers = [
        model.text(f"col.{k}")
        for k in ("no", "fund", "grade", "previous", "change", "members", "reason")
    ]
    for n, (_, funds) in enumerate(model.funds.groupby("group_position", sort=True), start=1):
        report.add(Heading(f"3.{n} {model.local(funds.iloc[0], 'group')}", 2))
        rows: list[list[Cell]] = [
            [
                str(i),
                r["fund"],
                r["grade"] if isinstance(r["grade"], str) else "-",
                r["previous_grade"] if isinstance(r["previous_grade"], str) else "",
                r["change"],
                number(r["members"]),
                r["reason"] if isinstance(r["reason"], str) else "",
            ]
            for i, r in enumerate(funds.to_dict("records"), start=1)
        ]
        widths = [1.0, 3.5, 1.3, 1.8, 2.6, 2.3, 3.5]
        report.add(Table(headers, rows, widths, frozenset({5})))


def _appendix(report: Report, model: ExportModel) -> None:
    report.add(PageBreak(), Heading(model.text("section.appendix"), 1))
    if model.ideas.empty:
        report.add(Paragraph(model.text("no_ideas"), "note"))
        return
    headers = [
        model.text(f"col.{k}") for k in ("no", "idea", "responsible", "due", "partner", "budget")
    ]
    for area in model.areas:
        report.add(Heading(model.area_name(area), 2))
        items = _within_limit(report, model, model.ideas[model.ideas["area"] == area.key])
        if items.empty:
            report.add(Paragraph(model.text("no_items"), "note"))
            continue
        rows: list[list[Cell]] = [
            [
                str(i),
                (r["text"], _idea_detail(model, r)),
                r["responsible"] or "",
                model.due(r["due"]),
                r["partner"] or "",
                _budget(r["budget_baht"]),
            ]
            for i, r in enumerate(items.to_dict("records"), start=1)
        ]
        report.add(Table(headers, rows, [1.0, 5.6, 2.4, 2.4, 2.6, 2.0], frozenset({5})))
