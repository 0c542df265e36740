"""The Word and PDF reports opened back: headings, tables, the Thai font, the text, the chart."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile

import altair as alt
import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image, ImageChops
from support import (
    FORMULA,
    PASSCODE,
    cell_lines,
    cell_texts,
    flat,
    lead,
    pdftotext,
    words_broken,
)

from welfare_core import consolidate
from welfare_core.charts import grade_distribution
from welfare_core.db.store import Store
from welfare_core.demo import create_demo
from welfare_core.export import export_plan
from welfare_core.export.report import DOCUMENT_IDEAS_PER_AREA
from welfare_core.export.thai import render_png, split_sara_am
from welfare_core.i18n import t
from welfare_core.model import IdeaInput
from welfare_core.service import WorkshopService

THAI = range(0x0E00, 0x0E80)


@pytest.fixture(scope="module")
def word(demo):
    return docx.Document(io.BytesIO(export_plan(demo.store, demo.workshop.id, "docx", "th")))


@pytest.fixture(scope="module")
def pdfs(demo, tmp_path_factory):
    """The demo's PDF in Thai and in English."""
    folder = tmp_path_factory.mktemp("pdf")
    for lang in ("th", "en"):
        (folder / f"{lang}.pdf").write_bytes(export_plan(demo.store, demo.workshop.id, "pdf", lang))
    return folder


@pytest.fixture(scope="module")
def pdf(pdfs):
    return pdfs / "th.pdf"


def test_word_has_real_headings_for_every_section_area_and_district(demo, word):
    headings = {p.style.name: [] for p in word.paragraphs if p.style.name.startswith("Heading")}
    for p in word.paragraphs:
        if p.style.name in headings:
            headings[p.style.name].append(p.text)
    assert headings["Heading 1"] == [
        f"1. {t('export.section.summary', 'th')}",
        f"2. {t('export.section.plan', 'th')}",
        f"3. {t('export.section.funds', 'th')}",
        t("export.section.appendix", "th"),
    ]
    areas = [a.name_th for a in demo.store.read().areas(demo.workshop.id)]
    districts = [g.name_th for g in demo.store.read().groups(demo.workshop.id)]
    level2 = headings["Heading 2"]
    assert [f"2.{n} {a}" for n, a in enumerate(areas, 1)] == level2[1:5]
    assert level2[5] == t("export.section.plan_budget", "th")
    assert [f"3.{n} {d}" for n, d in enumerate(districts, 1)] == level2[6:12]
    assert level2[12:] == areas


def test_word_tables_hold_the_plan_the_grades_and_every_idea(demo, word):
    cells = [c.text for table in word.tables for row in table.rows for c in row.cells]
    grades = consolidate.current_grades(demo.store.read(), demo.workshop.id)
    assert set(grades["fund"]) <= set(cells)
    ideas = consolidate.ideas(demo.store.read(), demo.workshop.id)
    joined = "\n".join(cells)
    assert all(text in joined for text in ideas["text"])
    plan = consolidate.plan(demo.store.read(), demo.workshop.id)
    assert len(plan) == 3 and all(text in joined for text in plan["text"])
    # 1 fact table, the summary, the grade levels, a table per area with items, the budget by
    # area, 6 districts, and 4 appendix areas.
    assert len(word.tables) == 1 + 2 + 3 + 1 + 6 + 4
    assert len(word.inline_shapes) == 1  # the chart


def test_every_thai_run_in_word_has_the_complex_script_font(word):
    runs = [r for p in _all_paragraphs(word) for r in p.runs if any(ord(c) in THAI for c in r.text)]
    assert len(runs) > 300
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert fonts.get(qn("w:cs")) == "Sarabun", run.text
        assert fonts.get(qn("w:ascii")) == "Sarabun"
    heading = word.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:cs")) == "Sarabun" and heading.get(qn("w:cstheme")) is None


def test_word_embeds_sarabun_and_names_th_sarabunpsk_as_its_alternative(demo):
    """Word and LibreOffice draw the embedded Sarabun where it is not installed (LibreOffice
    drew Loma, wider: 15 pages instead of 12); a reader that ignores it is pointed to TH
    SarabunPSK, the font of Thai government PCs."""
    data = export_plan(demo.store, demo.workshop.id, "docx", "th")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        fonts = etree.fromstring(package.read("word/fontTable.xml"))
        rels = etree.fromstring(package.read("word/_rels/fontTable.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        [sarabun] = [f for f in fonts if f.get(qn("w:name")) == "Sarabun"]
        assert sarabun.find(qn("w:altName")).get(qn("w:val")) == "TH SarabunPSK"
        for tag, style in (("w:embedRegular", "Regular"), ("w:embedBold", "Bold")):
            embedded = sarabun.find(qn(tag))
            key = bytes.fromhex(embedded.get(qn("w:fontKey")).strip("{}").replace("-", ""))
            font = bytearray(package.read(f"word/{targets[embedded.get(qn('r:id'))]}"))
            for i in range(32):  # undo the obfuscation: XOR with the key reversed
                font[i] ^= key[::-1][i % 16]
            names = TTFont(io.BytesIO(bytes(font)))["name"]
            assert names.getDebugName(1) == "Sarabun" and names.getDebugName(2) == style
        settings = package.read("word/settings.xml").decode()
    assert "embedTrueTypeFonts" in settings


def test_word_properties_name_the_plan_the_organisers_and_now(demo):
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    data = export_plan(demo.store, demo.workshop.id, "docx", "th")
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    core = docx.Document(io.BytesIO(data)).core_properties
    assert core.title == t("export.plan_title", "th", province=demo.workshop.province_th)
    assert core.author == "; ".join(demo.workshop.organisers)
    assert "python-docx" not in f"{core.author} {core.last_modified_by} {core.comments}"
    assert before <= core.created.replace(tzinfo=None) <= after


def test_word_numbers_the_pages_in_the_footer(word):
    section = word.sections[0]
    footer = section.footer._element.xml
    assert "PAGE" in footer and "หน้า" in footer
    assert section.different_first_page_header_footer
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


PLAN_COLUMNS = (
    "no", "idea", "action", "responsible", "due", "partner", "budget", "budget_source",
)  # fmt: skip
BUDGET, SOURCE = PLAN_COLUMNS.index("budget"), PLAN_COLUMNS.index("budget_source")


def _tables(document, columns, lang: str = "th") -> list[list[list[str]]]:
    """The tables whose header row names ``columns`` (export.col keys), as rows of texts."""
    header = [t(f"export.col.{k}", lang) for k in columns]
    rows = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    return [table[1:] for table in rows if table[0] == header]


def _baht(text: str) -> int:
    return 0 if text == "-" else int(text.replace(",", ""))


def test_the_adopted_plan_has_clean_columns_area_totals_and_a_grand_total(demo, word):
    """What an officer copies into a proposal: one column per field, no groups or votes, a
    total per area and one for the whole plan."""
    plan = consolidate.plan(demo.store.read(), demo.workshop.id)
    tables = _tables(word, PLAN_COLUMNS)
    assert len(tables) == plan["area"].nunique() == 3
    items = [row for table in tables for row in table[:-1]]
    assert [row[1] for row in items] == list(plan["text"])
    assert [row[2] for row in items] == list(plan["action"])
    for table in tables:
        *rows, total = table
        assert total[1] == t("export.total", "th")
        assert _baht(total[BUDGET]) == sum(_baht(row[BUDGET]) for row in rows)
    cells = "\n".join(c for row in items for c in row)
    assert t("export.col.votes", "th") not in cells and "กลุ่ม:" not in cells
    [budget] = _tables(word, ("area", "items", "budget"))
    assert budget[-1][0] == t("export.grand_total", "th")
    assert budget[-1][1:] == [str(len(plan)), f"{int(plan['budget_baht'].sum()):,}"]
    assert "-" in [row[BUDGET] for row in items]  # an idea without a budget shows "-"
    assert [row[SOURCE] for row in items] == list(plan["budget_source"])


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_plan_in_word_and_pdf_says_where_each_items_money_comes_from(demo, pdfs, lang):
    """The budget source, a column of its own after the budget: a partner's first question."""
    plan = consolidate.plan(demo.store.read(), demo.workshop.id)
    sources = [s for s in plan["budget_source"] if s]
    assert sources  # the demo fills it for its adopted items
    data = export_plan(demo.store, demo.workshop.id, "docx", lang)
    tables = _tables(docx.Document(io.BytesIO(data)), PLAN_COLUMNS, lang)
    items = [row for table in tables for row in table[:-1]]  # the last row: the area's total
    assert [row[SOURCE] for row in items] == list(plan["budget_source"])
    text = flat(pdftotext(pdfs / f"{lang}.pdf"))
    for said in (t("export.col.budget_source", lang), *sources):
        assert flat(said) in text, said


def test_before_adoption_the_plan_has_no_totals_and_says_it_is_not_a_plan(tmp_path):
    store = Store(tmp_path / "workshops.duckdb")
    service = WorkshopService(store)
    workshop = service.workshop(create_demo(service, passcode=PASSCODE))
    document = docx.Document(io.BytesIO(export_plan(store, workshop.id, "docx", "th")))
    tables = _tables(document, PLAN_COLUMNS)
    assert len(tables) == 4
    first_cells = [row[1] for table in tables for row in table]
    assert len(first_cells) == len(consolidate.ideas(store.read(), workshop.id))
    assert t("export.total", "th") not in first_cells
    assert _tables(document, ("area", "items", "budget")) == []
    paragraphs = [p.text for p in document.paragraphs]
    assert t("export.plan_by_votes", "th") in paragraphs
    assert t("export.no_totals", "th") in paragraphs
    path = tmp_path / "plan.pdf"
    path.write_bytes(export_plan(store, workshop.id, "pdf", "th"))
    text = flat(pdftotext(path))
    assert flat(t("export.no_totals", "th")) in text
    assert flat(t("export.grand_total", "th")) not in text
    texts = cell_texts(store, workshop, "th")  # every idea, in the plan's narrower columns
    assert words_broken(cell_lines(path), texts) == []
    store.close()


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def test_the_pdf_gives_back_the_fund_names_and_idea_texts_in_thai(demo, pdf):
    text = flat(pdftotext(pdf))
    grades = consolidate.current_grades(demo.store.read(), demo.workshop.id)
    missing = [f for f in grades["fund"] if flat(f) not in text]
    assert not missing
    ideas = consolidate.ideas(demo.store.read(), demo.workshop.id)
    assert [i for i in ideas["text"] if flat(i) not in text] == []
    assert flat(FORMULA) in text
    assert flat(t("export.plan_title", "th", province="สมุทรปราการ")) in text
    assert flat("24 มิถุนายน 2562") in text  # the Thai date, in the Buddhist Era


def test_the_pdf_text_has_sara_am_words_as_typed(pdf):
    """Searching the PDF for "อำเภอ" finds it: no "ำ" comes back as two characters or as "า"."""
    text = pdftotext(pdf)
    for word in ("อำเภอ", "สม่ำเสมอ", "ประจำ", "คณะทำงาน", "น้ำ"):
        assert word in text, word
    assert "กรรมการ" in text and "กรรมกำร" not in text  # a plain "า" stays "า"
    assert "\u0e4d" not in text  # no nikhahit left over


@pytest.mark.parametrize("lang", ["th", "en"])
def test_pdf_table_cells_break_lines_only_between_words(demo, pdfs, lang):
    """Pango's own break positions on each cell's text as typed: a line of a cell never ends
    inside a word ("ประชุมกรรมกา|รสม่ำเสมอ", "ผู้|รับผิดชอ|บ", "Adopt|ed")."""
    texts = cell_texts(demo.store, demo.workshop, lang)
    assert len(texts) > 100
    assert words_broken(cell_lines(pdfs / f"{lang}.pdf"), texts) == []


def test_the_pdf_is_a4_and_embeds_sarabun(pdf):
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    assert rows and all("Sarabun" in r[0] for r in rows)
    assert all(r[-5] == "yes" for r in rows)  # the "emb" column
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    assert pages >= 8


def test_an_empty_workshop_makes_documents_that_say_nothing_is_recorded(demo, tmp_path):
    said = t("export.nothing_yet", "th")
    data = export_plan(demo.store, demo.empty.id, "docx", "th")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert said in paragraphs and t("export.no_ideas", "th") in paragraphs
    path = tmp_path / "empty.pdf"
    path.write_bytes(export_plan(demo.store, demo.empty.id, "pdf", "en"))
    text = flat(pdftotext(path))
    assert flat(t("export.nothing_yet", "en")) in text
    assert flat("กองทุนสวัสดิการชุมชนตำบลปากน้ำ") in text  # the funds are listed, ungraded


@pytest.mark.parametrize(("word", "without_am"), [("กำลัง", "กาลัง"), ("น้ำ", "น้า")])
def test_chart_pictures_draw_sara_am_whole(word, without_am):
    """vl-convert alone drops the sara aa of "ำ"; drawn whole, the word is as wide as with "า"."""
    ours, plain = _label_png(word), _label_png(without_am)
    assert abs(_ink_width(ours) - _ink_width(plain)) <= 2
    assert ImageChops.difference(ours, plain).getbbox() is not None  # and the nikhahit is there
    assert split_sara_am("ความสำคัญ น้ำ") == "ความส\u0e4d\u0e32คัญ น\u0e4d\u0e49\u0e32"


def test_the_grade_chart_labels_its_segments_for_black_and_white_print(demo):
    """A photocopy shows A and D, and B and C, as the same grey: each segment says its grade and
    count, in letters big enough for the back row of a meeting room."""
    counts = consolidate.grade_counts(demo.store.read(), demo.workshop.id)
    spec = grade_distribution(counts, "th").to_dict()
    _, labels = spec["layer"]
    assert labels["mark"]["type"] == "text" and labels["mark"]["fontSize"] >= 20
    assert labels["encoding"]["text"]["field"] == "label"
    rows = spec["datasets"][spec["data"]["name"]]
    shown = {r["label"] for r in rows if r["funds"]}
    assert shown == {f"{r.grade} {r.funds}" for r in counts.itertuples() if r.funds}
    assert spec["config"]["axis"]["labelFontSize"] >= 20


def _label_png(text: str) -> Image.Image:
    chart = (
        alt.Chart(pd.DataFrame({"label": [text]}))
        .mark_text(fontSize=60, font="Sarabun")
        .encode(text="label:N")
        .properties(width=300, height=120)
    )
    return Image.open(io.BytesIO(render_png(chart, scale=1))).convert("L")


def _ink_width(image: Image.Image) -> int:
    box = ImageChops.invert(image).point(lambda v: 255 if v > 60 else 0).getbbox()
    return box[2] - box[0]


def test_a_long_list_is_cut_in_the_documents_with_a_note_and_kept_whole_in_the_spreadsheet(
    service, store, workshop
):
    """A national workshop has thousands of ideas: a document lists the most-voted of each area
    and says where the rest are."""
    wid = service.workshop(workshop.slug).id
    group = workshop.groups[0]
    total = DOCUMENT_IDEAS_PER_AREA + 3
    for n in range(total):
        service.add_idea(lead(group), IdeaInput("data", f"ข้อเสนอที่ {n}"))
    note = t("export.cut", "th", shown=DOCUMENT_IDEAS_PER_AREA, total=total)

    word = docx.Document(io.BytesIO(export_plan(store, wid, "docx", "th")))
    notes = [p.text for p in word.paragraphs if p.text == note]
    lines = {
        c.text.split("\n")[0] for table in word.tables for row in table.rows for c in row.cells
    }
    assert len(notes) == 2  # the plan (nothing adopted yet: every idea) and the appendix
    assert len({f"ข้อเสนอที่ {n}" for n in range(total)} & lines) == DOCUMENT_IDEAS_PER_AREA
    book = openpyxl.load_workbook(io.BytesIO(export_plan(store, wid, "xlsx", "th")))
    cells = {c.value for row in book[t("export.sheet.ideas", "th")].iter_rows() for c in row}
    assert {f"ข้อเสนอที่ {n}" for n in range(total)} <= cells
