"""Issue #15 items 3, 8, 9 and 10: the Excel file as a provincial office uses it, read back with
openpyxl: the Summary chart on the right cells, a plan with item numbers and totals, print set-up,
formats, and the plenary's decisions in History."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from support import PASSCODE, create_samut_prakan, lead

from welfare_core import consolidate
from welfare_core.charts import GRADE_COLOURS
from welfare_core.db.store import Store
from welfare_core.export import export_plan
from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS, ActionPlan, Caller, IdeaInput
from welfare_core.service import WorkshopService


def workbook(store, workshop_id: int, lang: str = "th") -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(export_plan(store, workshop_id, "xlsx", lang)))


def cells_at(book: openpyxl.Workbook, formula: str) -> list:
    """The values of the cells a chart reference such as 'สรุป'!$B$20:$B$26 points at."""
    sheet, area = formula.rsplit("!", 1)
    ws = book[sheet.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(area.replace("$", ""))
    return [
        ws.cell(row, col).value
        for row in range(min_row, max_row + 1)
        for col in range(min_col, max_col + 1)
    ]


def col(key: str, lang: str = "th") -> str:
    return t(f"export.col.{key}", lang)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_summary_chart_names_its_series_by_grade_and_its_bars_by_district(demo, lang):
    book = workbook(demo.store, demo.workshop.id, lang)
    ws = book.worksheets[0]
    (chart,) = ws._charts
    counts = consolidate.grade_counts(demo.store.read(), demo.workshop.id)
    districts = list(counts.drop_duplicates("group_position")[f"group_{lang}"])
    assert len(chart.series) == len(GRADE_LETTERS)
    for letter, colour, series in zip(GRADE_LETTERS, GRADE_COLOURS, chart.series, strict=True):
        assert cells_at(book, series.tx.strRef.f) == [letter]  # not an empty row
        assert cells_at(book, (series.cat.strRef or series.cat.numRef).f) == districts
        per_district = counts[counts["grade"] == letter].set_index(f"group_{lang}")["funds"]
        assert cells_at(book, series.val.numRef.f) == [int(per_district[d]) for d in districts]
        assert series.graphicalProperties.solidFill.srgbClr.lower() == colour.lstrip("#")
        # The count is written on each segment, except on an empty one.
        assert series.dLbls.showVal and not series.dLbls.showSerName
        hidden = {label.idx for label in series.dLbls.dLbl if not label.showVal}
        assert hidden == {i for i, d in enumerate(districts) if per_district[d] == 0}
    # The grade table's header row is bold and directly above the districts.
    header = next(r for r in ws.iter_rows() if r[0].value == col("district", lang))
    assert [c.value for c in header[1:5]] == list(GRADE_LETTERS)
    assert all(c.font.b for c in header[:7])
    below = ws.cell(header[0].row + 1, 1).value
    assert below == districts[0]


def test_every_sheet_prints_fit_to_width_with_its_header_row_on_every_page(demo):
    book = workbook(demo.store, demo.workshop.id)
    for ws in book.worksheets:
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
        assert setup.paperSize == 9  # A4
        assert "&P" in ws.oddFooter.center.text
    for ws in book.worksheets[1:]:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.freeze_panes == "B2", ws.title
        # The header row is tall enough for its wrapped headers; long text wraps.
        dims = ws.column_dimensions
        wraps = any(len(str(c.value)) > dims[c.column_letter].width for c in ws[1])
        assert ws.row_dimensions[1].height >= (32 if wraps else 16), ws.title
        widest = max(range(1, ws.max_column + 1), key=lambda c: len(str(ws.cell(2, c).value)))
        assert ws.cell(2, widest).alignment.wrap_text, ws.title
    assert book.worksheets[0].page_setup.orientation == "portrait"


@pytest.mark.parametrize(
    ("lang", "date_format"),
    [("th", "[$-107041E]d mmmm yyyy"), ("en", "d mmmm yyyy")],
)
def test_thai_dates_are_buddhist_era_and_budgets_whole_baht(demo, lang, date_format):
    book = workbook(demo.store, demo.workshop.id, lang)
    summary = book.worksheets[0]
    held_on = next(r[1] for r in summary.iter_rows() if r[0].value == t("export.fact.date", lang))
    assert held_on.number_format == date_format
    plan_year = next(
        r[1].value for r in summary.iter_rows() if r[0].value == t("export.fact.plan_year", lang)
    )
    assert plan_year == t("export.plan_year", lang, year=2563 if lang == "th" else 2020)
    ideas = book[t("export.sheet.ideas", lang)]
    header = [c.value for c in ideas[1]]
    budget = ideas.cell(2, header.index(col("budget", lang)) + 1)
    assert isinstance(budget.value, int | float) and budget.number_format == "#,##0"
    time_format = book[t("export.sheet.history", lang)].cell(2, 1).number_format
    assert time_format.startswith("[$-107041E]") == (lang == "th")


@pytest.fixture(scope="module")
def plenary(tmp_path_factory):
    """A workshop that went through every plenary decision: votes, a vote taken back, a merge,
    adoptions and one taken back, entry closed and reopened."""
    store = Store(tmp_path_factory.mktemp("plenary") / "workshops.duckdb")
    service = WorkshopService(store)
    created = create_samut_prakan(service)
    chair = Caller(service.sign_in(created.slug, PASSCODE), device="laptop", name="วิทยากร")
    first, second = created.groups[:2]
    ideas = {
        text: service.add_idea(
            lead(group), IdeaInput(area, text, plan=ActionPlan(budget_baht=Decimal(budget)))
        )
        for group, area, text, budget in [
            (first, "data", "ทะเบียนออนไลน์", "5000"),
            (second, "data", "ทะเบียนสมาชิกออนไลน์", "4000"),
            (first, "data", "อบรมการบันทึกข้อมูล", "2500.50"),
            (second, "membership", "ชวนเยาวชนออม", "8000"),
        ]
    }
    service.vote(lead(first), ideas["ทะเบียนออนไลน์"])
    service.vote(lead(second), ideas["ชวนเยาวชนออม"])
    service.vote(lead(second), ideas["ชวนเยาวชนออม"], delta=-1)
    service.set_locked(chair, True)
    before = workbook(store, service.workshop(created.slug).id)
    service.merge_ideas(chair, ideas["ทะเบียนออนไลน์"], [ideas["ทะเบียนสมาชิกออนไลน์"]])
    for text in ("ทะเบียนออนไลน์", "อบรมการบันทึกข้อมูล", "ชวนเยาวชนออม"):
        service.set_adopted(chair, ideas[text], True)
    service.set_adopted(chair, ideas["อบรมการบันทึกข้อมูล"], False)
    service.set_adopted(chair, ideas["อบรมการบันทึกข้อมูล"], True)
    service.set_locked(chair, False)
    yield store, service.workshop(created.slug), before
    store.close()


def rows_of(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:] if any(row)]


def test_the_history_sheet_records_the_plenarys_decisions_with_roles_in_thai(plenary):
    store, workshop, _ = plenary
    history = rows_of(workbook(store, workshop.id)[t("export.sheet.history", "th")])
    decisions = [(r[col("kind")], r[col("content")]) for r in history][4:]  # after the 4 ideas
    assert decisions == [
        ("ลงคะแนนเสียง", "ทะเบียนออนไลน์"),
        ("ลงคะแนนเสียง", "ชวนเยาวชนออม"),
        ("ถอนคะแนนเสียง", "ชวนเยาวชนออม"),
        ("ปิดรับการประเมินและข้อเสนอ", None),
        ("รวมข้อเสนอ", "ทะเบียนสมาชิกออนไลน์ → ทะเบียนออนไลน์"),
        ("รับเข้าแผน", "ทะเบียนออนไลน์"),
        ("รับเข้าแผน", "อบรมการบันทึกข้อมูล"),
        ("รับเข้าแผน", "ชวนเยาวชนออม"),
        ("ยกเลิกการรับเข้าแผน", "อบรมการบันทึกข้อมูล"),
        ("รับเข้าแผน", "อบรมการบันทึกข้อมูล"),
        ("เปิดรับการประเมินและข้อเสนออีกครั้ง", None),
    ]
    roles = {r[col("role")] for r in history}
    assert roles == {"กลุ่มย่อย", "วิทยากร"}
    english = rows_of(workbook(store, workshop.id, "en")["History"])
    assert {r[col("role", "en")] for r in english} == {"breakout group", "facilitator"}
    assert english[-1][col("kind", "en")] == "entry reopened"


def test_the_adopted_plan_is_numbered_with_a_total_per_area_and_for_the_plan(plenary):
    store, workshop, _ = plenary
    ws = workbook(store, workshop.id)[t("export.sheet.plan", "th")]
    rows = rows_of(ws)
    shown = [(r[col("no")], r[col("idea")], r[col("budget")]) for r in rows]
    data, membership = "ด้านระบบข้อมูล", "ด้านการขยายฐานสมาชิก"
    assert shown == [
        (1, "ทะเบียนออนไลน์", 5000),
        (2, "อบรมการบันทึกข้อมูล", 2500.5),
        (None, t("export.area_total", "th", area=data), 7500.5),
        (3, "ชวนเยาวชนออม", 8000),
        (None, t("export.area_total", "th", area=membership), 8000),
        (None, t("export.grand_total", "th"), 15500.5),
    ]
    total_rows = [r for r in ws.iter_rows(min_row=2) if r[0].value is None and r[2].value]
    assert all(c.font.b for r in total_rows for c in r if c.value)


def test_word_shows_the_budgets_and_totals_excel_shows(plenary):
    """Excel's whole-baht format rounds 2,500.50 up to 2,501; the Word and PDF plan must say
    the same figures, item and totals alike (they rounded half to even: 2,500 and 15,500)."""
    store, workshop, _ = plenary
    document = docx.Document(io.BytesIO(export_plan(store, workshop.id, "docx", "th")))
    keys = ("no", "idea", "action", "responsible", "due", "partner", "budget", "budget_source")
    header = [col(k) for k in keys]
    cells = [
        [c.text for c in row.cells]
        for table in document.tables
        if [c.text for c in table.rows[0].cells] == header
        for row in table.rows[1:]
    ]
    assert [(row[1], row[keys.index("budget")]) for row in cells] == [
        ("ทะเบียนออนไลน์", "5,000"),
        ("อบรมการบันทึกข้อมูล", "2,501"),
        (t("export.total", "th"), "7,501"),
        ("ชวนเยาวชนออม", "8,000"),
        (t("export.total", "th"), "8,000"),
    ]
    by_area = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert [t("export.grand_total", "th"), "3", "15,501"] in by_area


def test_before_adoption_the_plan_has_no_total_and_says_it_is_not_a_plan(plenary):
    *_, before = plenary
    ws = before[t("export.sheet.plan", "th")]
    rows = rows_of(ws)
    items = [r for r in rows if r[col("no")] is not None]
    assert [r[col("no")] for r in items] == [1, 2, 3, 4]
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(re.match("รวม", x) for x in texts)  # no total of duplicates
    note = t("export.plan_not_adopted", "th")
    assert note in texts and "ด้านล่าง" not in note  # it stands under the table
    summary = [c for row in before.worksheets[0].iter_rows(values_only=True) for c in row]
    assert note in summary
