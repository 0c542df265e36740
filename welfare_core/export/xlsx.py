"""The Excel workbook: Summary (facts, grades per district, chart), Funds, Ideas, Plan, History.

A working file for a provincial office: every sheet prints fit to the page width with its header
row on every page, long text wraps, money shows whole baht, and the Thai file writes dates with
Thai months and Buddhist-era years.
"""

from __future__ import annotations

import io
import math
import unicodedata
from decimal import Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabel, DataLabelList
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from welfare_core.charts import GRADE_COLOURS
from welfare_core.due import shown_year
from welfare_core.export import tables
from welfare_core.export.model import ExportModel
from welfare_core.model import GRADE_LETTERS

BOLD = Font(bold=True)
NOTE = Font(italic=True)
TOP = Alignment(vertical="top")
WRAP = Alignment(vertical="top", wrap_text=True)
FACT = Alignment(vertical="top", horizontal="left", wrap_text=True)
OVER_NUMBERS = Alignment(vertical="top", horizontal="right", wrap_text=True)
WHOLE = "#,##0"  # counts, and budgets in whole baht
# (date, time) formats. [$-107041E] is the Thai Buddhist calendar (07) in Thai (041E): Excel
# and LibreOffice both write 24 มิถุนายน 2562.
DATE_FORMATS = {
    "th": ("[$-107041E]d mmmm yyyy", "[$-107041E]d mmm yyyy hh:mm"),
    "en": ("d mmmm yyyy", "d mmm yyyy hh:mm"),
}
LINE_HEIGHT = 16  # points per line of wrapped text: Thai marks above and below need room
BOLD_EXTRA = 2  # bold header text takes about this many characters more of a column
WRAP_FROM = 10  # text columns at least this many characters wide wrap their text
LANDSCAPE_FROM = 100  # a sheet wider than this many characters prints landscape
# The Summary: labels and district names in A; the grade counts in six columns B-G, and a
# fact's value spans them (a 60-wide column B would push the grade table apart).
LABEL_WIDTH = 26
COUNT_WIDTH = 10
SUMMARY_SPAN = 7  # columns A to G


def write(model: ExportModel) -> bytes:
    book = Workbook()
    _summary(book.active, model)
    _table(book, model, "funds", tables.FUNDS, tables.rows(model, tables.FUNDS, model.funds))
    _table(book, model, "ideas", tables.IDEAS, tables.rows(model, tables.IDEAS, model.ideas))
    _plan(book, model)
    history = tables.rows(model, tables.HISTORY, model.history)
    _table(book, model, "history", tables.HISTORY, history)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(
    book: Workbook,
    model: ExportModel,
    sheet: str,
    columns: tuple[tables.Column, ...],
    rows: list[list],
) -> Worksheet:
    """A sheet of one header row and ``rows``: filtered, frozen on the header and the first
    column, printed fit to the page width with the header row on every page."""
    ws = book.create_sheet(model.text(f"sheet.{sheet}"))
    headers = tables.headers(model, columns)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = BOLD
        cell.alignment = WRAP
    ws.row_dimensions[1].height = LINE_HEIGHT * max(
        _lines(h, c.width - BOLD_EXTRA) for h, c in zip(headers, columns, strict=True)
    )
    for row, values in enumerate(rows, start=2):
        ws.append([_cell(ws, model, v, c) for v, c in zip(values, columns, strict=True)])
        # LibreOffice keeps the default height of a row of wrapped text: its lines would
        # overlap the next row. (ws.max_row would read every cell: by number, not max_row.)
        lines = max(
            _lines(v, c.width) if _wraps(v, c) else 1 for v, c in zip(values, columns, strict=True)
        )
        if lines > 1:
            ws.row_dimensions[row].height = LINE_HEIGHT * lines
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    _print_setup(ws, model, landscape=sum(c.width for c in columns) > LANDSCAPE_FROM)
    return ws


def _cell(ws: Worksheet, model: ExportModel, value: object, column: tables.Column) -> object:
    """Numbers and times as such, with a format; text always as text, never a formula."""
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    cell.alignment = TOP
    if isinstance(value, str):
        # openpyxl takes "=..." for a formula: an idea typed as "=HYPERLINK(...)" stays text.
        cell.data_type = "s"
        if _wraps(value, column):
            cell.alignment = WRAP
    elif column.kind in ("int", "money"):
        cell.number_format = WHOLE
    elif column.kind == "time":
        cell.number_format = DATE_FORMATS[model.lang][1]
    return cell


def _wraps(value: object, column: tables.Column) -> bool:
    return isinstance(value, str) and column.width >= WRAP_FROM


def _put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """The cell at ``row``, ``column`` set to ``value``; text stays text, even "=..." (a group
    named "=HYPERLINK(...)")."""
    cell = ws.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _print_setup(ws: Worksheet, model: ExportModel, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = f"{model.text('page')} &P / &N"


def _lines(text: str, width: int) -> int:
    """About how many lines ``text`` wraps to in a column ``width`` characters wide (Thai vowel
    and tone marks above and below a letter take no width)."""
    shown = sum(1 for ch in str(text) if unicodedata.category(ch) != "Mn")
    return max(1, math.ceil(shown / width))


# --- the Plan --------------------------------------------------------------------------------


def _plan(book: Workbook, model: ExportModel) -> None:
    """Numbered items; once the plenary has adopted ideas, a budget total after each area and
    one for the whole plan. Before that the list holds every idea, duplicates included, so it
    gets no total and says that it is not a plan yet."""
    plan = model.plan.assign(no=range(1, len(model.plan) + 1))
    rows = tables.rows(model, tables.PLAN, plan)
    if model.plan_adopted:
        rows = _with_totals(model, plan, rows)
    ws = _table(book, model, "plan", tables.PLAN, rows)
    for row in ws.iter_rows(min_row=2):
        if row[0].value is None:  # a total: the only rows without an item number
            for cell in row:
                cell.font = BOLD
    if not model.plan_adopted:
        # Below the table, so that row 1 stays the header row the filter and print titles use.
        note = model.text("plan_not_adopted" if len(model.plan) else "no_ideas")
        row = ws.max_row + 2
        _put(ws, row, 2, note).font = NOTE
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        ws.cell(row, 2).alignment = WRAP
        span = sum(c.width for c in tables.PLAN[1:5])
        ws.row_dimensions[row].height = LINE_HEIGHT * _lines(note, span)


def _with_totals(model: ExportModel, plan: pd.DataFrame, rows: list[list]) -> list[list]:
    """The rows (area by area) with each area's budget total after its last item, and the
    plan's total at the end."""
    areas = list(plan["area_position"])
    out: list[list] = []
    for i, row in enumerate(rows):
        out.append(row)
        if i + 1 == len(rows) or areas[i + 1] != areas[i]:
            name = model.local(plan.iloc[i], "area")
            items = plan[plan["area_position"] == areas[i]]
            out.append(_total_row(model.text("area_total", area=name), name, items))
    out.append(_total_row(model.text("grand_total"), None, plan))
    return out


def _total_row(label: str, area: str | None, items: pd.DataFrame) -> list:
    row: list = [None] * len(tables.PLAN)
    row[1], row[2] = area, label
    total = tables.budget_total(items)
    row[tables.PLAN.index(tables.BUDGET)] = tables.plain(total or Decimal(0), "money")
    return row


# --- the Summary -----------------------------------------------------------------------------


def _summary(ws: Worksheet, model: ExportModel) -> None:
    w = model.workshop
    ws.title = model.text("sheet.summary")
    title = _put(ws, 1, 1, model.text("plan_title", province=model.province))
    title.font = Font(bold=True, size=14)
    _spanned(ws, 1, 1)
    plan_year = shown_year(w.plan_year, model.lang)
    facts = [
        ("title", model.title),
        ("date", w.held_on),
        ("venue", model.venue),
        ("province", model.province),
        ("organisers", ", ".join(w.organisers)),
        ("plan_year", model.text("plan_year", year=plan_year)),
        ("funds", len(model.funds)),
        ("rated", model.rated),
        ("ideas", len(model.ideas)),
        ("adopted", model.adopted),
        ("exported", model.exported_at.replace(microsecond=0)),
    ]
    dates = DATE_FORMATS[model.lang]
    for row, (key, value) in enumerate(facts, start=2):
        label = _put(ws, row, 1, model.text(f"fact.{key}"))
        label.font, label.alignment = BOLD, TOP
        cell = _put(ws, row, 2, value)
        cell.number_format = {"date": dates[0], "exported": dates[1]}.get(key, WHOLE)
        _spanned(ws, row, 2)
    notes = [model.text("times_note")]
    if model.empty:
        notes.insert(0, model.text("nothing_yet"))
    elif not model.plan_adopted:
        notes.insert(0, model.text("plan_not_adopted"))
    if w.is_sample:
        notes.insert(0, model.text("sample"))
    first_note = len(facts) + 2
    for row, note in enumerate(notes, start=first_note):
        _put(ws, row, 1, note).font = NOTE
        _spanned(ws, row, 1)
    ws.column_dimensions["A"].width = LABEL_WIDTH
    for column in range(2, SUMMARY_SPAN + 1):
        ws.column_dimensions[get_column_letter(column)].width = COUNT_WIDTH
    _grade_table(ws, model, first_note + len(notes) + 1)
    _print_setup(ws, model, landscape=False)


def _spanned(ws: Worksheet, row: int, first: int) -> None:
    """The cell at ``first`` spread to column G, wrapped, its row tall enough for its text."""
    cell = ws.cell(row, first)
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=SUMMARY_SPAN)
    cell.alignment = FACT
    width = (LABEL_WIDTH if first == 1 else 0) + COUNT_WIDTH * (SUMMARY_SPAN - 1)
    if isinstance(cell.value, str):
        size = cell.font.sz or 11
        ws.row_dimensions[row].height = LINE_HEIGHT * size / 11 * _lines(cell.value, width)


def _grade_table(ws: Worksheet, model: ExportModel, header_row: int) -> None:
    """Funds per district and grade from ``header_row`` down, the grade names under it and a
    stacked bar chart of the same cells below them, in the report's grade colours."""
    letters = list(GRADE_LETTERS)
    numbers = [*letters, "unrated", "total"]
    headers = [model.text("col.district"), *letters]
    headers += [model.text("col.unrated"), model.text("col.total")]
    for column, header in enumerate(headers, start=1):
        cell = _put(ws, header_row, column, header)
        cell.font, cell.alignment = BOLD, WRAP if column == 1 else OVER_NUMBERS
    ws.row_dimensions[header_row].height = LINE_HEIGHT * max(
        _lines(h, COUNT_WIDTH - BOLD_EXTRA) for h in headers[1:]
    )
    row = header_row
    for row, counts in enumerate(model.counts.to_dict("records"), start=header_row + 1):
        _put(ws, row, 1, model.local(counts, "group")).alignment = WRAP
        for column, key in enumerate(numbers, start=2):
            ws.cell(row, column, int(counts[key])).number_format = WHOLE
    last_district = row
    total_row = last_district + 1
    _put(ws, total_row, 1, model.text("col.total"))
    for column, key in enumerate(numbers, start=2):
        ws.cell(total_row, column, int(model.counts[key].sum())).number_format = WHOLE
    for cell in ws[total_row]:
        cell.font = BOLD
    row = total_row
    for row, level in enumerate(model.grades, start=total_row + 1):
        _put(ws, row, 1, f"{level.letter}: {model.grade_name(level.letter)}")
        _spanned(ws, row, 1)
    if last_district > header_row:
        _chart(ws, model, header_row, last_district, anchor_row=row + 2)


def _chart(ws: Worksheet, model: ExportModel, header_row: int, last: int, anchor_row: int) -> None:
    """Horizontal stacked bars, first district on top, as in the report; a segment's count is
    written on it, so that the grades stay apart in black-and-white print."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = model.text("section.chart")
    chart.y_axis.title = model.text("col.fund")
    chart.x_axis.scaling.orientation = "maxMin"  # categories from the top down
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl hides both axes by default
    chart.y_axis.majorGridlines = None
    # The series names are the grade letters of the header row; the categories the districts.
    data = Reference(
        ws, min_col=2, max_col=1 + len(GRADE_LETTERS), min_row=header_row, max_row=last
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    counts = model.counts[list(GRADE_LETTERS)]
    for series, colour, letter in zip(chart.series, GRADE_COLOURS, GRADE_LETTERS, strict=True):
        series.graphicalProperties.solidFill = colour.lstrip("#")
        series.graphicalProperties.line.solidFill = "FFFFFF"
        # Each segment's count written on it; an empty segment gets no "0".
        hidden = [DataLabel(idx=i, **_label(False)) for i, n in enumerate(counts[letter]) if not n]
        series.dLbls = DataLabelList(dLbl=hidden, **_label(True))
    chart.legend.position = "t"
    chart.width = 16.5  # cm: columns A to G
    chart.height = 4 + 0.9 * (last - header_row)
    ws.add_chart(chart, f"A{anchor_row}")


def _label(count: bool) -> dict[str, bool]:
    """A data label that shows the count (or nothing): never the series, category or key."""
    return {
        "showVal": count,
        "showSerName": False,
        "showCatName": False,
        "showLegendKey": False,
        "showPercent": False,
    }
