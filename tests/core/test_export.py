"""The spreadsheet exports and the export command, opened back and compared with the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from support import FORMULA

from welfare_core import consolidate
from welfare_core.cli import main
from welfare_core.errors import InvalidInput
from welfare_core.export import FORMATS, MIME_TYPES, export_plan, file_name
from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS


@pytest.fixture(scope="module")
def book(demo):
    data = export_plan(demo.store, demo.workshop.id, "xlsx", "th")
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:] if any(row)]


def col(key: str, lang: str = "th") -> str:
    return t(f"export.col.{key}", lang)


def test_file_names_carry_the_slug_and_date_and_every_format_has_a_mime_type(demo):
    names = [file_name(demo.workshop, fmt) for fmt in FORMATS]
    assert names == [
        "demo-samut-prakan-2562_2019-06-24_plan.xlsx",
        "demo-samut-prakan-2562_2019-06-24_plan.docx",
        "demo-samut-prakan-2562_2019-06-24_plan.pdf",
        "demo-samut-prakan-2562_2019-06-24_plan.zip",
    ]
    assert set(MIME_TYPES) == set(FORMATS)
    with pytest.raises(InvalidInput, match="Unknown format 'odt'"):
        export_plan(demo.store, demo.workshop.id, "odt", "th")


def test_the_workbook_has_every_sheet_with_frozen_filtered_thai_headers(book):
    names = ["summary", "funds", "ideas", "plan", "history"]
    assert book.sheetnames == [t(f"export.sheet.{n}", "th") for n in names]
    for name in names[1:]:
        ws = book[t(f"export.sheet.{name}", "th")]
        assert ws.freeze_panes == "B2"  # the header row and the first column
        assert ws.auto_filter.ref.startswith("A1:")
        assert ws.auto_filter.ref.endswith(str(ws.max_row))
    funds = book[t("export.sheet.funds", "th")]
    assert [c.value for c in funds[1]][:4] == ["อำเภอ", "กองทุน", "ตำบล", "ระดับ"]


def test_the_funds_sheet_equals_the_current_grades(demo, book):
    grades = consolidate.current_grades(demo.store.read(), demo.workshop.id)
    rows = sheet_rows(book[t("export.sheet.funds", "th")])
    assert [r[col("fund")] for r in rows] == list(grades["fund"])
    assert [r[col("district")] for r in rows] == list(grades["group_th"])
    assert [r[col("grade")] for r in rows] == list(grades["grade"])
    assert [r[col("reason")] for r in rows] == list(grades["reason"])
    assert [r[col("members")] for r in rows] == [int(m) for m in grades["members"]]
    assert all(isinstance(r[col("rated_at")], dt.datetime) for r in rows)
    first = grades.iloc[0]
    shown = rows[0]
    assert shown[col("previous")] == first["previous_grade"]
    expected = "คงเดิม" if first["grade"] == first["previous_grade"] else shown[col("change")]
    assert shown[col("change")] == expected
    # Rated at is Thailand time: seven hours after the stored UTC.
    offset = shown[col("rated_at")] - first["rated_at"].to_pydatetime()
    assert abs(offset - dt.timedelta(hours=7)) < dt.timedelta(milliseconds=1)  # Excel's precision


def test_the_summary_counts_equal_the_read_model(demo, book):
    ws = book[t("export.sheet.summary", "th")]
    cells = list(ws.iter_rows(values_only=True))
    facts = {row[0]: row[1] for row in cells if row[0] and row[1] is not None}
    assert facts[t("export.fact.date", "th")] == dt.datetime(2019, 6, 24)
    assert facts[t("export.fact.funds", "th")] == 25
    assert facts[t("export.fact.adopted", "th")] == 3
    start = next(i for i, row in enumerate(cells) if row[0] == col("district"))
    counts = consolidate.grade_counts(demo.store.read(), demo.workshop.id)
    for row in cells[start + 1 : start + 7]:
        mine = counts[counts["group_th"] == row[0]].set_index("grade")["funds"]
        assert list(row[1:5]) == [int(mine[g]) for g in GRADE_LETTERS]
    overall = consolidate.overall_grade_counts(demo.store.read(), demo.workshop.id)
    assert list(cells[start + 7][1:5]) == list(overall["funds"])
    assert len(ws._charts) == 1


def test_the_ideas_and_plan_sheets_equal_the_database(demo, book):
    ideas = consolidate.ideas(demo.store.read(), demo.workshop.id)
    rows = sheet_rows(book[t("export.sheet.ideas", "th")])
    assert sorted(r[col("idea")] for r in rows) == sorted(ideas["text"])
    planted = next(r for r in rows if r[col("idea")] == FORMULA)  # text, not a formula
    assert planted[col("groups")] == "บางบ่อ"
    merged = next(r for r in rows if r[col("merged")] == 1)
    assert ", " in merged[col("groups")]
    budgets = [r[col("budget")] for r in rows if r[col("budget")] is not None]
    assert budgets and all(isinstance(b, int | float) for b in budgets)
    assert sum(r[col("votes")] for r in rows) == int(ideas["votes"].sum())
    plan = consolidate.plan(demo.store.read(), demo.workshop.id)
    # The numbered items; the rows without a number are the budget totals.
    shown = [r for r in sheet_rows(book[t("export.sheet.plan", "th")]) if r[col("no")]]
    assert [r[col("no")] for r in shown] == list(range(1, len(plan) + 1))
    assert [r[col("idea")] for r in shown] == list(plan["text"])
    assert [r[col("area")] for r in shown] == list(plan["area_th"])
    assert [r[col("responsible")] or "" for r in shown] == list(plan["responsible"])


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_spreadsheets_give_the_budget_source_after_the_budget(demo, lang):
    """The Plan and Ideas sheets and ideas.csv: a column of its own, as the database holds it."""
    book = openpyxl.load_workbook(
        io.BytesIO(export_plan(demo.store, demo.workshop.id, "xlsx", lang))
    )
    for sheet in ("plan", "ideas"):
        header = [c.value for c in book[t(f"export.sheet.{sheet}", lang)][1]]
        assert header.index(col("budget_source", lang)) == header.index(col("budget", lang)) + 1
    source = col("budget_source", lang)
    plan = consolidate.plan(demo.store.read(), demo.workshop.id)
    items = [r for r in sheet_rows(book[t("export.sheet.plan", lang)]) if r[col("no", lang)]]
    assert [r[source] or "" for r in items] == list(plan["budget_source"])
    assert any(plan["budget_source"])
    live = consolidate.ideas(demo.store.read(), demo.workshop.id)
    stored = sorted(zip(live["text"], live["budget_source"], strict=True))
    rows = sheet_rows(book[t("export.sheet.ideas", lang)])
    assert sorted((r[col("idea", lang)], r[source] or "") for r in rows) == stored
    data = export_plan(demo.store, demo.workshop.id, "csv", lang)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read("ideas.csv").decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames
    assert header.index(source) == header.index(col("budget", lang)) + 1
    idea = col("idea", lang)
    assert sorted((r[idea].removeprefix("'"), r[source]) for r in reader) == stored


def test_the_history_sheet_lists_every_rating_and_idea_version(demo, book):
    rows = sheet_rows(book[t("export.sheet.history", "th")])
    ratings = consolidate.rating_history(demo.store.read(), demo.workshop.id)
    versions = consolidate.idea_history(demo.store.read(), demo.workshop.id)
    decisions = consolidate.plenary_history(demo.store.read(), demo.workshop.id)
    assert len(rows) == len(ratings) + len(versions) + len(decisions)
    assert {r[col("device")] for r in rows} >= {"demo-1-laptop", "demo-6-laptop"}
    times = [r[col("time")] for r in rows]
    assert times == sorted(times) and all(isinstance(x, dt.datetime) for x in times)


def test_headers_follow_the_chosen_language(demo):
    data = export_plan(demo.store, demo.workshop.id, "xlsx", "en")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Funds", "Ideas", "Plan", "History"]
    assert [c.value for c in book["Funds"][1]][:4] == ["District", "Fund", "Sub-district", "Grade"]
    assert book["Funds"]["A2"].value == "Bang Bo"


def test_the_csv_zip_has_a_bom_reads_back_equal_and_neutralises_formulas(demo):
    data = export_plan(demo.store, demo.workshop.id, "csv", "th")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["funds.csv", "ideas.csv"]
        funds_raw, ideas_raw = archive.read("funds.csv"), archive.read("ideas.csv")
    assert funds_raw.startswith(b"\xef\xbb\xbf") and ideas_raw.startswith(b"\xef\xbb\xbf")
    funds = list(csv.DictReader(io.StringIO(funds_raw.decode("utf-8-sig"))))
    grades = consolidate.current_grades(demo.store.read(), demo.workshop.id)
    assert [r[col("fund")] for r in funds] == list(grades["fund"])
    assert [r[col("grade")] for r in funds] == list(grades["grade"])
    assert [int(r[col("members")]) for r in funds] == [int(m) for m in grades["members"]]
    ideas = list(csv.DictReader(io.StringIO(ideas_raw.decode("utf-8-sig"))))
    texts = [r[col("idea")] for r in ideas]
    assert "'" + FORMULA in texts and FORMULA not in texts
    live = consolidate.ideas(demo.store.read(), demo.workshop.id)
    assert sorted(x.removeprefix("'") for x in texts) == sorted(live["text"])


def test_an_empty_workshop_exports_in_every_format_and_says_so(demo):
    said = t("export.nothing_yet", "th")
    book = openpyxl.load_workbook(io.BytesIO(export_plan(demo.store, demo.empty.id, "xlsx", "th")))
    summary = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert said in summary
    assert sheet_rows(book[t("export.sheet.ideas", "th")]) == []
    assert t("export.no_ideas", "th") in [
        c for row in book[t("export.sheet.plan", "th")].iter_rows(values_only=True) for c in row
    ]
    funds = sheet_rows(book[t("export.sheet.funds", "th")])
    assert len(funds) == 25 and all(r[col("grade")] is None for r in funds)
    with zipfile.ZipFile(io.BytesIO(export_plan(demo.store, demo.empty.id, "csv", "th"))) as z:
        assert z.read("ideas.csv").decode("utf-8-sig").count("\n") == 1  # the header alone


def test_the_export_command_writes_the_file_and_refuses_bad_input(demo, tmp_path, capsys):
    demo.store.close()  # the command opens the file itself, as it would beside a stopped app
    db = str(demo.store.path)
    out = tmp_path / "plan.xlsx"
    argv = ["export", "--workshop", demo.workshop.slug, "--db", db]
    assert main([*argv, "--format", "xlsx", "-o", str(out), "--lang", "en"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
    assert str(out) in capsys.readouterr().out
    bad = [
        (["export", "--workshop", "nope", "--db", db, "--format", "pdf", "-o", str(out)], "nope"),
        ([*argv, "--format", "odt", "-o", str(out)], "'odt'"),
        ([*argv, "--format", "csv", "-o", str(out), "--lang", "fr"], "'fr'"),
        ([*argv, "--format", "csv", "-o", str(tmp_path / "no" / "x.zip")], "no/x.zip"),
    ]
    for args, named in bad:
        assert main(args) == 1
        err = capsys.readouterr().err
        assert named in err and "Traceback" not in err
    assert not (tmp_path / "no").exists()
