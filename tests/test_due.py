"""Issue #15 items 4 and 15: when a plan item is due, typed the Thai way, stored as before, and
written in the same unambiguous words (months written out, or "fiscal" said) everywhere."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile

import docx
import openpyxl
import pytest
from conftest import PASSCODE, count, create_samut_prakan, lead
from export_helpers import flat
from test_pages import (  # noqa: F401
    add_idea_button,
    db,
    demo_file,
    facts,
    new_idea,
    signed_in,
    stored,
    workspace,
)

from welfare_core import consolidate
from welfare_core.db.store import Store
from welfare_core.due import due_words, parse_due
from welfare_core.errors import InvalidInput
from welfare_core.export import export_plan
from welfare_core.export.model import build
from welfare_core.i18n import t
from welfare_core.model import ActionPlan, Caller, IdeaInput
from welfare_core.service import WorkshopService

PLAN_YEAR = 2020  # the Samut Prakan template's plan year (B.E. 2563)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("มีนาคม 2563", "2020-03"),
        ("มี.ค. 2563", "2020-03"),
        ("มีค 63", "2020-03"),
        ("มีนาคม ๒๕๖๓", "2020-03"),  # Thai digits
        ("Mar 20", "2020-03"),
        ("ตุลาคม พ.ศ. 2562", "2019-10"),
        ("March 2020", "2020-03"),
        ("2563-03", "2020-03"),
        ("2020-3", "2020-03"),
        ("ม.ค.–มี.ค. 2563", "2020-Q1"),
        ("เมษายน - มิถุนายน 2563", "2020-Q2"),
        ("Jul-Sep 2020", "2020-Q3"),
        ("2563-q2", "2020-Q2"),
        ("ไตรมาส 2 ปีงบ 2563", "FY2020-Q2"),
        ("ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2563", "FY2020-Q1"),
        ("FY2563-Q2", "FY2020-Q2"),
        ("fy 2020 q4", "FY2020-Q4"),
    ],
)
def test_a_due_date_typed_the_thai_way_or_as_before_is_kept(typed, kept):
    assert parse_due(typed, PLAN_YEAR) == kept


@pytest.mark.parametrize(
    ("stored_value", "thai", "english"),
    [
        ("2020-03", "มีนาคม 2563", "March 2020"),
        ("2020-Q1", "ม.ค.–มี.ค. 2563", "Jan–Mar 2020"),
        (
            "FY2020-Q1",
            "ไตรมาส 1 ปีงบประมาณ 2563 (ต.ค.–ธ.ค. 2562)",
            "Q1 of fiscal year 2020 (Oct–Dec 2019)",
        ),
        (
            "FY2020-Q2",
            "ไตรมาส 2 ปีงบประมาณ 2563 (ม.ค.–มี.ค. 2563)",
            "Q2 of fiscal year 2020 (Jan–Mar 2020)",
        ),
    ],
)
def test_a_stored_due_date_is_written_with_its_months_and_reads_back(stored_value, thai, english):
    assert due_words(stored_value, "th") == thai
    assert due_words(stored_value, "en") == english
    # The edit box shows these words: saving them unchanged keeps the same value.
    assert parse_due(thai, PLAN_YEAR) == parse_due(english, PLAN_YEAR) == stored_value


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ไตรมาส 2/2563", "error.ambiguous_quarter"),  # read as fiscal by an official
        ("Q2 2020", "error.ambiguous_quarter"),
        ("ม.ค.–เม.ย. 2563", "error.bad_due"),  # not a quarter
        ("ไตรมาส 1 ปีงบประมาณ 2563 (ม.ค.–มี.ค. 2563)", "error.bad_due"),  # months contradict
        ("มีนาคม 2570", "error.bad_due"),
        ("2020-13", "error.bad_due"),
        ("next year", "error.bad_due"),
    ],
)
def test_an_unclear_due_date_is_refused_with_a_sentence_in_both_languages(
    service, store, workshop, typed, key
):
    group = workshop.groups[0]
    before = count(store, "idea_versions")
    with pytest.raises(InvalidInput) as refused:
        service.add_idea(lead(group), IdeaInput("data", "ทะเบียน", plan=ActionPlan(due=typed)))
    assert refused.value.key == key
    for lang in ("th", "en"):
        said = t(key, lang, **refused.value.params)
        assert typed in said and "{" not in said
    assert "ไตรมาส 2 ปีงบ 2563" in t(key, "th", **refused.value.params)
    assert count(store, "idea_versions") == before


def test_old_rows_read_the_same_and_a_thai_month_and_a_fiscal_quarter_are_stored(
    service, store, workshop
):
    group = workshop.groups[0]
    typed = {"มีนาคม 2563": "2020-03", "ไตรมาส 2 ปีงบ 2563": "FY2020-Q2"}
    for due in typed:
        service.add_idea(lead(group), IdeaInput("data", due, plan=ActionPlan(due=due)))
    ideas = consolidate.ideas(store.read(), service.workshop(workshop.slug).id)
    assert dict(zip(ideas["text"], ideas["due"], strict=True)) == typed


@pytest.fixture(scope="module")
def timed(tmp_path_factory):
    """A workshop whose adopted plan has a month, a calendar and a fiscal quarter."""
    store = Store(tmp_path_factory.mktemp("due") / "workshops.duckdb")
    service = WorkshopService(store)
    created = create_samut_prakan(service)
    chair = Caller(service.sign_in(created.slug, PASSCODE), device="laptop")
    group = created.groups[0]
    for area, due in (("data", "มี.ค. 2563"), ("membership", "2563-Q3"), ("committee", "FY2563-Q1")):
        idea_id = service.add_idea(lead(group), IdeaInput(area, due, plan=ActionPlan(due=due)))
        service.set_adopted(chair, idea_id, True)
    yield store, service.workshop(created.slug)
    store.close()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_due_date_is_written_the_same_way_in_all_four_formats(timed, lang, tmp_path):
    store, workshop = timed
    model = build(store.read(), workshop, lang)
    words = [model.due(d) for d in ("2020-03", "2020-Q3", "FY2020-Q1")]
    assert words == [due_words(d, lang) for d in ("2020-03", "2020-Q3", "FY2020-Q1")]

    book = openpyxl.load_workbook(io.BytesIO(export_plan(store, workshop.id, "xlsx", lang)))
    for sheet in ("plan", "ideas"):
        cells = {c for row in book[t(f"export.sheet.{sheet}", lang)].values for c in row}
        assert set(words) <= cells, sheet

    with zipfile.ZipFile(io.BytesIO(export_plan(store, workshop.id, "csv", lang))) as archive:
        ideas = list(csv.reader(io.StringIO(archive.read("ideas.csv").decode("utf-8-sig"))))
    assert set(words) <= {c for row in ideas for c in row}

    word = docx.Document(io.BytesIO(export_plan(store, workshop.id, "docx", lang)))
    cells = {c.text for table in word.tables for row in table.rows for c in row.cells}
    assert set(words) <= cells

    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(export_plan(store, workshop.id, "pdf", lang))
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert all(flat(w) in flat(text) for w in words)
    if lang == "th":  # never the old wording an official reads as the fiscal quarter
        assert "ไตรมาส 3/2563" not in text and "2020-Q3" not in text


def test_the_group_page_takes_a_thai_month_and_shows_it_in_the_same_words(db):  # noqa: F811
    group = facts(db)["groups"][0]
    before = stored(db, "idea_versions")
    at = workspace("th", group.join_code, tab=1).run()
    new_idea(at).input("ทะเบียนออนไลน์")  # the new-idea box is not a form (its draft is kept)
    new_idea(at, "d").input("มี.ค. 2563")
    add_idea_button(at).click().run()
    assert not at.exception and not at.error
    assert stored(db, "idea_versions") == before + 1
    shown = [e.value for e in at.text]
    assert "มีนาคม 2563" in shown
    # The demo's own rows, stored as 2020-Q1 before this change, read in the same words.
    assert any("ม.ค.–มี.ค. 2563" in s for s in shown) and not any("2020-Q" in s for s in shown)


def test_the_plenary_table_shows_due_dates_in_the_same_words(db):  # noqa: F811
    at = signed_in(db).run()
    at.switch_page("pages/plenary_board.py").run()
    assert not at.exception
    details = " ".join(c.value for c in at.caption)
    # Stored as 2020-Q1 and 2020-03 (markdown_escaped writes "." as "\.").
    assert "ม.ค.–มี.ค. 2563" in details.replace("\\", "")
    assert "มีนาคม 2563" in details
    assert not re.search(r"\d{4}-(Q\d|\d\d)\b", details)
