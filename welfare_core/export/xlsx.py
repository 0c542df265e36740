"""The Excel workbook: Summary (facts, grades per district, chart), Funds, Ideas, Plan, History."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from welfare_core.export import tables
from welfare_core.export.model import ExportModel
from welfare_core.model import GRADE_LETTERS

BOLD = Font(bold=True)
NOTE = Font(italic=True)
FORMATS = {"int": "#,##0", "money": "#,##0.00", "time": "yyyy-mm-dd hh:mm"}


def write(model: ExportModel) -> bytes:
    book = Workbook()
    _summary(book.active, model)
    _table(book, model, "funds", tables.FUNDS, model.funds)
    _table(book, model, "ideas", tables.IDEAS, model.ideas)
    plan = _table(book, model, "plan", tables.PLAN, model.plan)
    if not model.plan_adopted:
        # Said below the table, so that row 1 stays the header row a filter expects.
        plan.append([])
        plan.append([model.text("plan_by_votes" if len(model.plan) else "no_ideas")])
    _table(book, model, "history", tables.HISTORY, model.history)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(
    book: Workbook,
    model: ExportModel,
    sheet: str,
    columns: tuple[tables.Column, ...],
    frame: pd.DataFrame,
) -> Worksheet:
    ws = book.create_sheet(model.text(f"sheet.{sheet}"))
    ws.append(tables.headers(model, columns))
    for cell in ws[1]:
        cell.font = BOLD
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for values in tables.rows(model, columns, frame):
        ws.append([_cell(ws, v, c.kind) for v, c in zip(values, columns, strict=True)])
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(frame) + 1)}"
    return ws


def _cell(ws: Worksheet, value: object, kind: str = "") -> object:
    """Numbers and times as such, with a format; text always as text, never a formula."""
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        # openpyxl takes "=..." for a formula: an idea typed as "=HYPERLINK(...)" stays text.
        cell.data_type = "s"
    elif kind in FORMATS:
        cell.number_format = FORMATS[kind]
    return cell


def _summary(ws: Worksheet, model: ExportModel) -> None:
    w = model.workshop
    ws.title = model.text("sheet.summary")
    ws.append([model.text("plan_title", province=model.province)])
    ws["A1"].font = Font(bold=True, size=14)
    facts = [
        ("title", model.title),
        ("date", w.held_on),
        ("venue", model.venue),
        ("province", model.province),
        ("organisers", ", ".join(w.organisers)),
        ("plan_year", w.plan_year),
        ("funds", len(model.funds)),
        ("rated", model.rated),
        ("ideas", len(model.ideas)),
        ("adopted", model.adopted),
        ("exported", model.exported_at.replace(microsecond=0)),
    ]
    for key, value in facts:
        ws.append([model.text(f"fact.{key}"), _cell(ws, value)])
        ws.cell(ws.max_row, 1).font = BOLD
    ws.cell(3, 2).number_format = "yyyy-mm-dd"
    ws.cell(ws.max_row, 2).number_format = FORMATS["time"]
    notes = [model.text("times_note")]
    if model.empty:
        notes.insert(0, model.text("nothing_yet"))
    elif not model.plan_adopted:
        notes.insert(0, model.text("plan_by_votes"))
    if w.is_sample:
        notes.insert(0, model.text("sample"))
    for note in notes:
        ws.append([note])
        ws.cell(ws.max_row, 1).font = NOTE
    ws.append([])
    _grade_table(ws, model)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60


def _grade_table(ws: Worksheet, model: ExportModel) -> None:
    """Funds per district and grade, with a stacked bar chart of the same cells beside it."""
    header_row = ws.max_row + 1
    letters = list(GRADE_LETTERS)
    ws.append(
        [model.text("col.district"), *letters, model.text("col.unrated"), model.text("col.total")]
    )
    for cell in ws[header_row]:
        cell.font = BOLD
    numbers = [*letters, "unrated", "total"]
    for row in model.counts.to_dict("records"):
        ws.append([_cell(ws, model.local(row, "group")), *(int(row[c]) for c in numbers)])
    last = ws.max_row
    ws.append([model.text("col.total"), *(int(model.counts[c].sum()) for c in numbers)])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for level in model.grades:
        ws.append([f"{level.letter}: {model.grade_name(level.letter)}"])
    if last == header_row:
        return
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = model.text("section.chart")
    chart.y_axis.title = model.text("col.fund")
    chart.x_axis.title = model.text("col.district")
    chart.add_data(
        Reference(ws, min_col=2, max_col=1 + len(letters), min_row=header_row, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    chart.width, chart.height = 22, 11
    ws.add_chart(chart, f"{get_column_letter(len(numbers) + 3)}{header_row}")
