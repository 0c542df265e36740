"""Issue #6, bad input: a corpus of bad inputs tried against the real code paths.

Each case names its path (roster, forms, pages, url, templates, cli) and its kind in its id, and
is registered in CORPUS, which ``test_the_corpus_covers_every_kind_of_bad_input`` counts. A
refused input gets its catalog sentence, in Thai and in English, and leaves every table of the
database as it was. Text that only looks dangerous (a formula, markup, SQL, emoji) is stored as
the plain text it is and exported without running; control and invisible characters are
dropped, everywhere text comes in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest
from support import (
    SAMUT_PRAKAN,
    add_idea_button,
    app,
    count,
    create_samut_prakan,
    facts,
    lead,
    new_idea,
    setup_tab,
    stored,
    workspace,
)

from welfare_core import consolidate, export
from welfare_core.db.store import Store
from welfare_core.errors import RosterError, TemplateError, WelfareError
from welfare_core.i18n import LANGUAGES, t
from welfare_core.model import ActionPlan, Caller, Group, IdeaInput, RatingInput, WorkshopEdit
from welfare_core.roster import read_roster
from welfare_core.service import WorkshopService
from welfare_core.template import EARLIEST_DATE, LATEST_DATE, load_template
from welfare_ui.feedback import markdown_escaped

# The demo database of the page tests, a copy per test.

ROOT = Path(__file__).resolve().parents[2]
SOURCE = SAMUT_PRAKAN.read_text(encoding="utf-8")
HEADER = "ชื่อกองทุน,ตำบล,อำเภอ,ระดับเดิม\n"
GOOD_ROW = "กองทุนสวัสดิการชุมชนตำบลใหม่,คลองด่าน,บางบ่อ,B\n"
LONG = "ก" * 10_000
SHEET = "xl/worksheets/sheet1.xml"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# --- the corpus -----------------------------------------------------------------------------------

CORPUS: list[tuple[str, str, str]] = []  # (path, kind, what): one entry per bad input tried
PATHS = {"roster", "forms", "pages", "url", "templates", "cli"}
KINDS = {  # what the issue asks for
    "wrong-encoding", "huge-file", "zip-bomb", "formula", "html", "control-chars", "emoji",
    "10k-text", "sql", "path-traversal", "unknown-grade", "date-out-of-range",
}  # fmt: skip


def cases(path: str, table: list[tuple]) -> list:
    """A table of (kind, what, ...) as pytest parameters, each entered in CORPUS."""
    params = []
    for kind, what, *rest in table:
        CORPUS.append((path, kind, what))
        params.append(pytest.param(*rest, id=f"{kind}: {what}"))
    return params


def bad(path: str, kind: str, what: str) -> Callable:
    """Enters a test of a single bad input in CORPUS."""
    CORPUS.append((path, kind, what))
    return lambda test: test


# --- what every case checks -----------------------------------------------------------------------


def tables(store: Store) -> dict[str, int]:
    """Every table with its number of rows."""
    names = store.read().cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    return {name: count(store, name) for (name,) in names}


def sentence(key: str, lang: str, /, **params: object) -> str:
    """The catalog sentence as the app says it; a "field" is itself a catalog key."""
    return t(key, lang, **{k: t(v, lang) if k == "field" else v for k, v in params.items()})


def said(error: WelfareError, key: str, /, **params: object) -> None:
    """The error is the catalog sentence ``key``, in Thai and in English."""
    assert error.key == key
    for lang in LANGUAGES:
        assert error.message(lang) == sentence(key, lang, **params)


@dataclass
class Room:
    """The Samut Prakan workshop, its facilitator, and the lead of its first group."""

    service: WorkshopService
    store: Store
    slug: str
    facilitator: Caller

    @property
    def workshop_id(self) -> int:
        return self.service.workshop(self.slug).id

    @property
    def first_group(self) -> Group:
        return self.service.groups(self.workshop_id)[0]

    def state(self) -> tuple:
        """What a refused input must leave as it was: the rows, the facts, the group names."""
        workshop = self.service.workshop(self.slug)
        return tables(self.store), workshop, self.service.groups(workshop.id)

    def import_roster(self, data: bytes, name: str) -> tuple[int, int]:
        """As the set-up page does: read and check the file, then import its rows."""
        rows = read_roster(data, name, self.service.groups(self.workshop_id))
        return self.service.import_roster(self.facilitator, rows)

    def rate(self, grade: str = "A", reason: str = "ทะเบียนครบ") -> int:
        group = self.first_group
        fund = self.service.funds(group.workshop_id, group.id)[0]
        return self.service.rate_fund(lead(group), RatingInput(fund.id, grade, reason))

    def idea(self, text: str = "ทะเบียนออนไลน์", **plan: object) -> int:
        idea = IdeaInput("data", text, plan=ActionPlan(**plan))
        return self.service.add_idea(lead(self.first_group), idea)

    def facts(self, held_on: object = dt.date(2019, 6, 24), title: str = "เวทีทดลอง") -> None:
        edit = WorkshopEdit(title, "Trial workshop", held_on, "", "")
        self.service.update_workshop(self.facilitator, edit)

    def rename_first_group(self, name_th: str) -> None:
        self.service.rename_groups(self.facilitator, {self.first_group.id: (name_th, "Bang Bo")})

    def export(self, fmt: str) -> bytes:
        return export.export_plan(self.store, self.workshop_id, fmt, "th")


@pytest.fixture
def room(service, store, workshop, facilitator) -> Room:
    return Room(service, store, workshop.slug, facilitator)


def assert_exported_as_text(room: Room, text: str, csv_name: str | None) -> None:
    """In the workbook the text is a text cell and no cell at all is a formula; in the CSV a
    text that a spreadsheet would run starts with an apostrophe."""
    book = openpyxl.load_workbook(io.BytesIO(room.export("xlsx")))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert any(c.value == text and c.data_type == "s" for c in cells)
    if csv_name is None:
        return
    with zipfile.ZipFile(io.BytesIO(room.export("csv"))) as z:
        rows = csv.reader(io.StringIO(z.read(csv_name).decode("utf-8-sig")))
        written = [cell for row in rows for cell in row]
    runs = text.startswith(("=", "+", "-", "@"))
    assert ("'" + text if runs else text) in written


# --- roster files, read and imported as the set-up page and the command line do -------------------


def many_funds(n: int) -> bytes:
    return (HEADER + "".join(f"กองทุนที่ {i},คลองด่าน,บางบ่อ,\n" for i in range(n))).encode()


@cache
def zip_bomb(lying: bool) -> bytes:
    """A real workbook whose sheet inflates from about 100 KB to 60 MB of rows. A lying bomb
    claims in its zip headers that the sheet is 1 KB, so that a check of the claimed sizes
    passes: unzipping must then stop at the claim."""
    book = openpyxl.Workbook()
    book.active.append(["ชื่อกองทุน", "ตำบล", "อำเภอ"])
    small = io.BytesIO()
    book.save(small)
    row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = f'<worksheet xmlns="{SHEET_NS}"><sheetData>'
    sheet += row * (60 * 1024 * 1024 // len(row)) + "</sheetData></worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item, sheet if item.filename == SHEET else source.read(item))
    data = bytearray(out.getvalue())
    if lying:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
            local = z.getinfo(SHEET).header_offset
        struct.pack_into("<I", data, local + 22, 1024)  # the local header's unpacked size
        central = -1
        while data[central + 46 : central + 46 + len(SHEET)] != SHEET.encode():
            central = data.index(b"PK\x01\x02", central + 1)
        struct.pack_into("<I", data, central + 24, 1024)  # the central directory's
    return bytes(data)


BAD_ROSTERS = [
    # (kind, what, the file as (bytes, name), its problems as (row, catalog key, parameters))
    ("wrong-encoding", "UTF-16 CSV",
     lambda: ((HEADER + GOOD_ROW).encode("utf-16"), "funds.csv"),
     [(0, "roster.unknown_encoding", {})]),
    ("wrong-encoding", "binary garbage named .csv",
     lambda: (random.Random(6).randbytes(64 * 1024), "funds.csv"),
     [(0, "roster.not_csv_or_xlsx", {})]),
    ("huge-file", "CSV over 5 MB",
     lambda: ((HEADER + GOOD_ROW + " " * 5 * 1024 * 1024).encode(), "funds.csv"),
     [(0, "roster.too_big", {"limit_mb": 5})]),
    ("huge-file", "CSV of 2,001 funds",
     lambda: (many_funds(2001), "funds.csv"),
     [(0, "roster.too_many_rows", {"limit": 2000})]),
    ("zip-bomb", "XLSX inflating to 60 MB",
     lambda: (zip_bomb(lying=False), "funds.xlsx"),
     [(0, "roster.too_big", {"limit_mb": 50})]),
    ("zip-bomb", "XLSX inflating to 60 MB that claims 1 KB",
     lambda: (zip_bomb(lying=True), "funds.xlsx"),
     [(0, "roster.not_csv_or_xlsx", {})]),
    ("path-traversal", "file named ../../etc/passwd",
     lambda: ((HEADER + GOOD_ROW).encode(), "../../etc/passwd"),
     [(0, "roster.not_csv_or_xlsx", {})]),
    ("unknown-grade", "previous grades E and ก",
     lambda: ((HEADER + "ก1,ต,บางบ่อ,E\nก2,ต,บางบ่อ,ก\n").encode(), "funds.csv"),
     [(2, "roster.bad_grade", {"value": "E"}), (3, "roster.bad_grade", {"value": "ก"})]),
    ("10k-text", "fund name of 10,000 characters",
     lambda: ((HEADER + f"{LONG},ต,บางบ่อ,\n").encode(), "funds.csv"),
     [(2, "roster.too_long", {"limit": 200})]),
    ("sql", "district '; DROP TABLE funds; --",
     lambda: ((HEADER + "ก1,ต,'; DROP TABLE funds; --,\n").encode(), "funds.csv"),
     [(2, "roster.unknown_district", {"value": "'; DROP TABLE funds; --"})]),
]  # fmt: skip


@pytest.mark.parametrize(("upload", "problems"), cases("roster", BAD_ROSTERS))
def test_a_bad_roster_is_refused_whole_with_each_problem_said(room, upload, problems):
    data, name = upload()
    before = room.state()
    tracemalloc.start()
    try:
        with pytest.raises(RosterError) as info:
            room.import_roster(data, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = info.value
    assert [(p.row, p.key, dict(p.params)) for p in error.problems] == problems
    for lang in LANGUAGES:
        lines = error.message(lang).splitlines()
        assert lines[0] == t("roster.refused", lang, file=Path(name).name, count=len(problems))
        for line, (_, key, params) in zip(lines[1:], problems, strict=True):
            assert line.endswith(t(key, lang, **params))
    assert "../" not in error.message("en")  # a file is named by its own name only
    assert room.state() == before
    assert peak < 30 * 1024 * 1024  # not even a zip bomb is unpacked into memory


ROSTER_TEXT = [
    # (kind, what, the fund name in the file, the name stored)
    ("formula", "fund named =cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
    ("control-chars", "fund name with zero-width, control and bidi characters",
     "กองทุน\u200bบาง\x01บ่อ\u202e\x7f", "กองทุนบางบ่อ"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "kept"), cases("roster", ROSTER_TEXT))
def test_a_fund_name_that_could_run_or_hide_is_stored_and_exported_as_plain_text(room, typed, kept):
    before = tables(room.store)
    assert room.import_roster(f'{HEADER}"{typed}",คลองด่าน,บางบ่อ,\n'.encode(), "f.csv") == (1, 0)
    assert tables(room.store) == {**before, "funds": before["funds"] + 1}
    assert kept in [f.name for f in room.service.funds(room.workshop_id)]
    assert_exported_as_text(room, kept, "funds.csv")
    assert room.export("docx")  # Word refuses control characters: none may reach it
    # Without its hidden characters it is the same fund: updated, not added twice.
    assert room.import_roster(f'{HEADER}"{kept}",คลองด่าน,บางบ่อ,\n'.encode(), "f.csv") == (0, 1)


# --- forms, through the service that every page calls ---------------------------------------------

BAD_FORMS = [
    # (kind, what, the entry, the catalog key and parameters of its refusal)
    ("10k-text", "rating reason of 10,000 characters", lambda r: r.rate(reason=LONG),
     "error.too_long", {"field": "field.reason", "limit": 1000, "length": 10_000}),
    ("10k-text", "idea of 10,000 characters", lambda r: r.idea(LONG),
     "error.too_long", {"field": "field.idea", "limit": 1000, "length": 10_000}),
    ("10k-text", "action plan 'who' of 10,000 characters", lambda r: r.idea(responsible=LONG),
     "error.too_long", {"field": "field.responsible", "limit": 300, "length": 10_000}),
    ("10k-text", "action plan budget source of 10,000 characters",
     lambda r: r.idea(budget_source=LONG),
     "error.too_long", {"field": "field.budget_source", "limit": 300, "length": 10_000}),
    ("control-chars", "idea of invisible and control characters only",
     lambda r: r.idea("\u200b\u2060\x07\u202e \ufeff\x1b"),
     "error.required", {"field": "field.idea"}),
    ("control-chars", "group name of zero-width characters only",
     lambda r: r.rename_first_group("\u200b\u200c\u200d"),
     "error.required", {"field": "field.group_th"}),
    ("unknown-grade", "grade E", lambda r: r.rate("E"), "error.bad_grade", {"value": "E"}),
    ("unknown-grade", "grade ก", lambda r: r.rate("ก"), "error.bad_grade", {"value": "ก"}),
    ("date-out-of-range", "idea due 2562-13-40", lambda r: r.idea(due="2562-13-40"),
     "error.bad_due", {"value": "2562-13-40", "year": 2020, "be_year": 2563}),
    ("date-out-of-range", "workshop held on 1800-01-01",
     lambda r: r.facts(dt.date(1800, 1, 1)),
     "error.bad_date",
     {"value": dt.date(1800, 1, 1), "first": EARLIEST_DATE, "last": LATEST_DATE}),
    ("date-out-of-range", "workshop held on 9999-12-31",
     lambda r: r.facts(dt.date(9999, 12, 31)),
     "error.bad_date",
     {"value": dt.date(9999, 12, 31), "first": EARLIEST_DATE, "last": LATEST_DATE}),
]  # fmt: skip


@pytest.mark.parametrize(("entry", "key", "params"), cases("forms", BAD_FORMS))
def test_a_bad_form_entry_is_refused_with_its_sentence_and_nothing_is_saved(
    room, entry, key, params
):
    before = room.state()
    with pytest.raises(WelfareError) as info:
        entry(room)
    said(info.value, key, **params)
    assert room.state() == before


FORMULA = '=HYPERLINK("http://evil.example/x","คลิก")'
SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SQL = "'); DROP TABLE idea_versions; --"
EMOJI = "👩‍💻 ทะเบียนออนไลน์ 🏴󠁧󠁢󠁳󠁣󠁴󠁿 ❤️‍🔥 👍🏽"
IDEA_TEXT = [
    # (kind, what, the idea as typed, the idea stored)
    ("formula", "idea =HYPERLINK(...)", FORMULA, FORMULA),
    ("html", "idea with <script> and <img onerror>", SCRIPT, SCRIPT),
    ("sql", "idea '); DROP TABLE idea_versions; --", SQL, SQL),
    ("emoji", "idea with joined emoji and a subdivision flag", EMOJI, EMOJI),
    ("control-chars", "idea with a terminal escape and a bidi override",
     "ทะเบียน\x1b[31m\u202eออนไลน์\x00", "ทะเบียน[31mออนไลน์"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "kept"), cases("forms", IDEA_TEXT))
def test_an_idea_that_looks_dangerous_is_stored_and_exported_as_the_text_it_is(room, typed, kept):
    before = tables(room.store)
    room.idea(typed)
    assert tables(room.store) == {**before, "idea_versions": before["idea_versions"] + 1}
    assert consolidate.ideas(room.store.read(), room.workshop_id)["text"].tolist() == [kept]
    assert_exported_as_text(room, kept, "ideas.csv")


NAMES = [
    # (kind, what, how the facilitator saves the name)
    ("formula", "workshop title =HYPERLINK(...)", lambda r: r.facts(title=FORMULA)),
    ("formula", "group name =HYPERLINK(...)", lambda r: r.rename_first_group(FORMULA)),
]


@pytest.mark.parametrize("save", cases("forms", NAMES))
def test_a_name_typed_as_a_formula_stays_text_in_the_workbook_summary(room, save):
    save(room)
    assert_exported_as_text(room, FORMULA, None)


@bad("forms", "unknown-grade", "grade a (lower case)")
def test_a_lower_case_grade_letter_is_read_as_that_grade(room):
    room.rate("a")
    grades = consolidate.current_grades(room.store.read(), room.workshop_id)["grade"].dropna()
    assert grades.tolist() == ["A"]


# --- pages: uploads and forms as a browser sends them ---------------------------------------------


@bad("pages", "wrong-encoding", "UTF-16 roster uploaded on the set-up page")
def test_a_utf16_roster_uploaded_on_the_setup_page_is_refused_with_its_reason(db):
    at = setup_tab(db, "en", "setup.tab_roster")
    before = stored(db, "funds")
    upload = ("funds.csv", (HEADER + GOOD_ROW).encode("utf-16"), "text/csv")
    at.file_uploader(key="roster").set_value(upload).run()
    assert not at.exception
    refused = t("roster.refused", "en", file="funds.csv", count=1)
    assert at.error[0].value == markdown_escaped(refused)
    assert at.dataframe[0].value["Problem"].tolist() == [t("roster.unknown_encoding", "en")]
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert stored(db, "funds") == before


@bad("pages", "zip-bomb", "XLSX zip bomb uploaded as ../../etc/passwd.xlsx")
def test_a_zip_bomb_uploaded_under_a_climbing_name_is_refused_by_its_own_name(db):
    at = setup_tab(db, "th", "setup.tab_roster")
    before = stored(db, "funds")
    upload = ("../../etc/passwd.xlsx", zip_bomb(lying=False), "application/octet-stream")
    at.file_uploader(key="roster").set_value(upload).run()
    assert not at.exception
    refused = t("roster.refused", "th", file="passwd.xlsx", count=1)
    assert at.error[0].value == markdown_escaped(refused)
    assert at.dataframe[0].value.iloc[0, 2] == t("roster.too_big", "th", limit_mb=50)
    assert stored(db, "funds") == before


@bad("pages", "10k-text", "idea of 10,000 characters typed on the group page")
def test_a_10000_character_idea_typed_on_the_group_page_is_refused_with_its_length(db):
    code = facts(db)["groups"][0].join_code
    before = stored(db, "idea_versions")
    at = workspace("th", code, tab=1).run()
    new_idea(at).input(LONG)
    add_idea_button(at).click().run()
    too_long = sentence("error.too_long", "th", field="field.idea", limit=1000, length=10_000)
    assert at.error[0].value == markdown_escaped(too_long)
    assert stored(db, "idea_versions") == before


@bad("pages", "10k-text", "workshop title of 10,000 characters on the set-up page")
def test_a_10000_character_title_on_the_setup_page_is_refused_and_the_facts_stay(db):
    title = facts(db)["workshop"].title_en
    at = setup_tab(db, "en", "setup.tab_facts")
    form = next(f for f in at.form if f.proto.form.form_id == "facts")
    form.text_input[1].input(LONG)
    form.form_submit_button[0].click().run()
    too_long = sentence("error.too_long", "en", field="field.title_en", limit=300, length=10_000)
    assert at.error[0].value == markdown_escaped(too_long)
    assert facts(db)["workshop"].title_en == title


@bad("pages", "html", "group named <script>alert(1)</script> on the set-up page")
def test_a_group_named_with_a_script_tag_is_shown_as_that_text_on_the_projector(db):
    at = setup_tab(db, "en", "setup.tab_facts")
    names = next(f for f in at.form if f.proto.form.form_id == "group-names")
    typed = "<script>alert(1)</script>"
    names.text_input[1].input(typed)  # the first group's English name
    names.form_submit_button[0].click().run()
    assert at.toast[0].value == t("setup.saved", "en")
    assert facts(db)["groups"][0].name_en == typed
    screen = app("en")
    screen.switch_page("pages/projector_screen.py").run()
    page = "\n".join(h.proto.body for h in screen.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert typed not in page


@bad("pages", "unknown-grade", "template with grade E in sessions/ on the new-workshop tab")
def test_a_broken_template_in_sessions_is_named_and_the_others_are_still_offered(
    db, tmp_path, monkeypatch
):
    for name in (SAMUT_PRAKAN.name, "samut-prakan-2562-sample-funds.csv"):
        shutil.copy(SAMUT_PRAKAN.parent / name, tmp_path / name)
    broken = SOURCE.replace('letter = "D"', 'letter = "E"')
    (tmp_path / "broken.toml").write_text(broken, encoding="utf-8")
    monkeypatch.setattr("welfare_core.template.SESSIONS_DIR", tmp_path)
    at = setup_tab(db, "en", "setup.tab_new")
    assert not at.exception
    grade = t("template.bad_grade", "en", file="broken.toml", key="grades[4].letter", value="E")
    assert at.error[0].value == markdown_escaped(grade)
    new = next(f for f in at.form if f.proto.form.form_id == "new-workshop")
    assert new.selectbox[0].options == [
        f"{load_template(SAMUT_PRAKAN).title_en} ({SAMUT_PRAKAN.stem})"
    ]


# --- URL parameters: anyone can edit a link -------------------------------------------------------

BAD_LINKS = [
    # (kind, what, page, query parameters, the catalog key and parameters shown)
    ("sql", "group code ' OR '1'='1", "pages/group_workspace.py", {"code": "' OR '1'='1"},
     "error.bad_code", {}),
    ("huge-text", "group code of 100,000 characters", "pages/group_workspace.py",
     {"code": "Z" * 100_000}, "error.bad_code", {}),
    ("control-chars", "group code with NUL, terminal escape and bidi override",
     "pages/group_workspace.py", {"code": "\x00\x1b[2J\u202eABCD-EFGH"}, "error.bad_code", {}),
    ("path-traversal", "projector ws=../../etc/passwd", "pages/projector_screen.py",
     {"ws": "../../etc/passwd"}, "error.no_workshop", {"slug": "../../etc/passwd"}),
    ("huge-text", "projector ws of 10,000 characters (quoted cut short)",
     "pages/projector_screen.py", {"ws": "w" * 10_000}, "error.no_workshop",
     {"slug": "w" * 80 + "…"}),
    ("html", "projector ws=<script>", "pages/projector_screen.py",
     {"ws": "<script>alert(1)</script>"}, "error.no_workshop",
     {"slug": "<script>alert(1)</script>"}),
]  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("page", "query", "key", "params"), cases("url", BAD_LINKS))
def test_a_bad_link_shows_its_sentence_and_nothing_else(db, lang, page, query, key, params):
    before = stored(db, "idea_versions"), stored(db, "ratings")
    at = app(lang, **query)
    at.switch_page(page).run()
    assert not at.exception
    assert [e.value for e in at.error] == [markdown_escaped(t(key, lang, **params))]
    assert not at.form
    assert (stored(db, "idea_versions"), stored(db, "ratings")) == before


@bad("url", "html", "lang=<script>")
def test_a_bad_language_in_the_link_falls_back_to_thai(db):
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.query_params["lang"] = "<script>alert(1)</script>"
    at.run()
    assert not at.exception
    assert at.title[0].value == t("app.title", "th")


BAD_DEVICES = [
    ("huge-text", "device id d of 5,000 characters", "d" * 5000),
    ("html", "device id d=<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
]


@pytest.mark.parametrize("linked", cases("url", BAD_DEVICES))
def test_a_bad_device_id_in_the_link_is_replaced_and_saving_still_works(db, linked):
    at = workspace("en", facts(db)["groups"][0].join_code, tab=1)
    at.query_params["d"] = linked
    at.run()
    new_idea(at).input("ทะเบียนออนไลน์")
    add_idea_button(at).click().run()
    assert at.toast[0].value == t("workspace.idea_saved", "en")
    store = Store(db)
    try:
        newest = "SELECT device FROM idea_versions ORDER BY id DESC LIMIT 1"
        device = store.read().cur.execute(newest).fetchone()[0]
    finally:
        store.close()
    assert re.fullmatch(r"(laptop|phone)-[0-9a-f]{6}", device)


# --- templates ------------------------------------------------------------------------------------

BAD_TEMPLATES = [
    # (kind, what, the file's bytes, the catalog key and parameters of the refusal)
    ("wrong-encoding", "template saved as Thai Windows (cp874)", lambda: SOURCE.encode("cp874"),
     "template.not_toml", {"detail": "UTF-8"}),
    ("unknown-grade", "grade letter E",
     lambda: SOURCE.replace('letter = "D"', 'letter = "E"').encode(),
     "template.bad_grade", {"key": "grades[4].letter", "value": "E"}),
    ("unknown-grade", "grade letter ก",
     lambda: SOURCE.replace('letter = "D"', 'letter = "ก"').encode(),
     "template.bad_grade", {"key": "grades[4].letter", "value": "ก"}),
    ("date-out-of-range", "date 9999-12-31",
     lambda: SOURCE.replace("date = 2019-06-24", "date = 9999-12-31").encode(),
     "template.date_range", {"key": "workshop.date", "value": dt.date(9999, 12, 31)}),
    ("date-out-of-range", "date '2562-13-40'",
     lambda: SOURCE.replace("date = 2019-06-24", 'date = "2562-13-40"').encode(),
     "template.bad_date", {"key": "workshop.date", "value": "2562-13-40"}),
    ("missing-key", "no English title",
     lambda: re.sub(r"title_en = .*\n", "", SOURCE, count=1).encode(),
     "template.missing_key", {"key": "workshop.title_en"}),
    ("huge-file", "template of 300 KB", lambda: (SOURCE + "#" * 300_000).encode(),
     "template.too_big", {"limit_kb": 256}),
    ("10k-text", "title of 10,000 characters",
     lambda: re.sub(r"title_th = .*\n", f'title_th = "{LONG}"\n', SOURCE, count=1).encode(),
     "template.too_long", {"key": "workshop.title_th", "length": 10_000, "limit": 300}),
]  # fmt: skip


@pytest.mark.parametrize(("content", "key", "params"), cases("templates", BAD_TEMPLATES))
def test_a_bad_template_is_refused_with_its_sentence(tmp_path, content, key, params):
    path = tmp_path / "bad.toml"
    path.write_bytes(content())
    with pytest.raises(TemplateError) as info:
        load_template(path)
    said(info.value, key, file="bad.toml", **params)


@bad("templates", "control-chars", "title with a bell and a zero-width space")
def test_control_and_invisible_characters_are_dropped_from_a_template(tmp_path):
    path = tmp_path / "bell.toml"
    path.write_text(SOURCE.replace('title_en = "', 'title_en = "\\u0007\\u200b', 1), "utf-8")
    assert load_template(path).title_en == load_template(SAMUT_PRAKAN).title_en


@bad("templates", "path-traversal", "roster = ../../../../../../etc/passwd")
def test_a_template_whose_roster_climbs_out_of_its_folder_creates_nothing(tmp_path, service):
    path = tmp_path / "climbing.toml"
    climbing = re.sub(r"roster = .*\n", 'roster = "../../../../../../etc/passwd"\n', SOURCE)
    path.write_text(climbing, encoding="utf-8")
    with pytest.raises(RosterError) as info:
        service.create_from_template(load_template(path))
    assert [p.key for p in info.value.problems] == ["roster.not_csv_or_xlsx"]
    assert info.value.filename == "passwd"
    assert service.workshops() == []


# --- the command line -----------------------------------------------------------------------------

SLUG = "samut-prakan-2562"


def utf16_roster(tmp: Path) -> str:
    path = tmp / "funds.csv"
    path.write_bytes((HEADER + GOOD_ROW).encode("utf-16"))
    return str(path)


BAD_COMMANDS = [
    # (kind, what, language, the arguments in a folder, exit status, stderr in that language)
    ("wrong-encoding", "roster import of a UTF-16 file", "th",
     lambda tmp: ["roster", "import", "--workshop", SLUG, utf16_roster(tmp)], 1,
     lambda lang: [t("roster.refused", lang, file="funds.csv", count=1),
                   "- " + t("roster.unknown_encoding", lang)]),
    ("huge-file", "roster import of /dev/zero", "en",
     lambda tmp: ["roster", "import", "--workshop", SLUG, "/dev/zero"], 1,
     lambda lang: [t("roster.refused", lang, file="zero", count=1),
                   "- " + t("roster.too_big", lang, limit_mb=5)]),
    ("huge-file", "new workshop from the template /dev/zero", "th",
     lambda tmp: ["new", "--template", "/dev/zero"], 1,
     lambda lang: [t("template.too_big", lang, file="zero", limit_kb=256)]),
    ("path-traversal", "export -o ../../etc/passwd", "en",
     lambda tmp: ["export", "--workshop", SLUG, "--format", "csv", "-o", "../../etc/passwd"], 1,
     lambda lang: [t("export.cannot_write", lang, file="../../etc/passwd",
                     detail="No such file or directory")]),
    ("sql", "status --workshop \"'; DROP TABLE workshops; --\"", "th",
     lambda tmp: ["status", "--workshop", "'; DROP TABLE workshops; --"], 1,
     lambda lang: [t("error.no_workshop", lang, slug="'; DROP TABLE workshops; --")]),
    ("wrong-encoding", "status --workshop of bytes that are not UTF-8", "en",
     lambda tmp: ["status", "--workshop", b"\xff\xfe"], 2,
     lambda lang: ["python -m welfare_core status: error: argument --workshop: "
                   + t("cli.not_utf8", lang)]),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "argv", "status", "expected"), cases("cli", BAD_COMMANDS))
def test_a_bad_command_exits_with_its_sentence_and_no_traceback(
    tmp_path, lang, argv, status, expected
):
    db_path = tmp_path / "workshops.duckdb"
    store = Store(db_path)
    create_samut_prakan(WorkshopService(store))
    before = tables(store)
    store.close()
    folder = tmp_path / "a" / "b"  # ../../etc is inside tmp_path, where no etc folder exists
    folder.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "welfare_core", *argv(tmp_path), "--db", str(db_path)],
        cwd=folder, capture_output=True, text=True, timeout=120,
        env={**os.environ, "WELFARE_LANG": lang, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == status
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[-len(expected(lang)) :] == expected(lang)
    if status == 1:  # argparse adds its usage line before the sentence
        assert len(lines) == len(expected(lang))
    assert not (tmp_path / "etc").exists()
    store = Store(db_path)
    try:
        assert tables(store) == before
    finally:
        store.close()


# --- the corpus as a whole ------------------------------------------------------------------------


def test_the_corpus_covers_every_kind_of_bad_input_on_every_path():
    print(f"\n{len(CORPUS)} bad inputs:")
    for path, kind, what in CORPUS:
        print(f"  {path:9} {kind:18} {what}")
    assert len(CORPUS) >= 30
    assert {kind for _, kind, _ in CORPUS} >= KINDS
    assert {path for path, _, _ in CORPUS} == PATHS
