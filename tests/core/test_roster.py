"""read_roster: good files in each encoding and format; bad files refused with every problem.

Row numbers are as a spreadsheet shows them: the header is row 1, the first fund row 2.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from welfare_core.errors import RosterError
from welfare_core.model import GroupSpec, RosterRow, Template
from welfare_core.roster import MAX_COLUMNS, _table, districts_in, read_roster
from welfare_core.template import load_template

SESSIONS = Path(__file__).resolve().parents[2] / "sessions"
TEMPLATE = SESSIONS / "samut-prakan-2562.toml"
SAMPLE = SESSIONS / "samut-prakan-2562-sample-funds.csv"
MB = 1024 * 1024

TH_HEADER = ["ชื่อกองทุน", "ตำบล", "อำเภอ", "จำนวนสมาชิก", "ระดับเดิม"]
FUNDS = [
    ["กองทุนสวัสดิการชุมชนตำบลบางพลีใหญ่", "บางพลีใหญ่", "บางพลี", "2190", "D"],
    ["กองทุนสวัสดิการชุมชนตำบลคลองด่าน", "คลองด่าน", "บางบ่อ", "2200", "C"],
    ["กองทุนสวัสดิการชุมชนตำบลนาเกลือ", "นาเกลือ", "พระสมุทรเจดีย์", "", ""],
]
EXPECTED = [
    RosterRow(2, "กองทุนสวัสดิการชุมชนตำบลบางพลีใหญ่", "บางพลีใหญ่", "บางพลี", 2190, "D"),
    RosterRow(3, "กองทุนสวัสดิการชุมชนตำบลคลองด่าน", "คลองด่าน", "บางบ่อ", 2200, "C"),
    RosterRow(4, "กองทุนสวัสดิการชุมชนตำบลนาเกลือ", "นาเกลือ", "พระสมุทรเจดีย์", None, None),
]
GOOD = ["กองทุนสวัสดิการชุมชนตำบลบางแก้ว", "บางแก้ว", "บางพลี", "640", "A"]


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template(TEMPLATE)


@pytest.fixture(scope="module")
def groups(template: Template) -> tuple[GroupSpec, ...]:
    return template.groups


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", sep: str = ",") -> bytes:
    return "".join(sep.join(row) + "\r\n" for row in rows).encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(data: bytes, filename: str, groups) -> RosterError:
    with pytest.raises(RosterError) as info:
        read_roster(data, filename, groups)
    assert info.value.filename == Path(filename).name
    return info.value


def where(error: RosterError) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.key) for p in error.problems]


# --- good files -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_csv_encodings_give_thai_names(encoding, groups):
    data = csv_bytes([TH_HEADER, *FUNDS], encoding)
    if encoding == "cp874":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the Thai Windows bytes really are not UTF-8
    assert read_roster(data, "funds.csv", groups) == EXPECTED


def test_xlsx_gives_thai_names_and_numbers(groups):
    rows = [TH_HEADER, [*FUNDS[0][:3], 2190, "d"], [*FUNDS[1][:3], 2200.0, "C"], [*FUNDS[2], None]]
    assert read_roster(xlsx_bytes(rows), "funds.xlsx", groups) == EXPECTED


@pytest.mark.parametrize("sep", [";", "\t"])
def test_csv_other_delimiters(sep, groups):
    assert read_roster(csv_bytes([TH_HEADER, *FUNDS], sep=sep), "funds.csv", groups) == EXPECTED


@pytest.mark.parametrize(
    "header",
    [
        ["name", "tambon", "district", "members", "previous grade"],
        ["Name", "Subdistrict", "District", "Members", "Previous Grade"],
        ["Fund name", "Sub-district", "Amphoe", "Member count", "previous_grade"],
        ["fund", "sub district", "AMPHUR", "  members ", "prev grade"],
        ["กองทุน", "ตำบล", "อำเภอ", "สมาชิก", "เกรดเดิม"],
    ],
)
def test_header_names_thai_and_english(header, groups):
    assert read_roster(csv_bytes([header, *FUNDS]), "funds.csv", groups) == EXPECTED


def test_columns_found_by_name_not_position(groups):
    order = [3, 2, 4, 0, 1]  # members, district, grade, name, tambon
    rows = [[row[i] for i in order] for row in [TH_HEADER, *FUNDS]]
    assert read_roster(csv_bytes(rows), "funds.csv", groups) == EXPECTED


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("บางพลี", "บางพลี"),
        (" บางพลี ", "บางพลี"),
        ("อำเภอบางพลี", "บางพลี"),
        ("อำเภอ บางพลี", "บางพลี"),
        ("อ.บางพลี", "บางพลี"),
        ("Bang Phli", "บางพลี"),
        ("BANG PHLI", "บางพลี"),
        ("bangphli", "บางพลี"),
        ("Amphoe Bang Phli", "บางพลี"),
        ("District Bang Phli", "บางพลี"),
        ("Mueang Samut Prakan", "เมืองสมุทรปราการ"),
        ("อำเภอเมืองสมุทรปราการ", "เมืองสมุทรปราการ"),
        ("Phra Samut Chedi", "พระสมุทรเจดีย์"),
    ],
)
def test_district_matched_to_template_thai_name(typed, canonical, groups):
    rows = read_roster(csv_bytes([TH_HEADER, ["กองทุน ก", "ตำบล ก", typed]]), "f.csv", groups)
    assert [r.district for r in rows] == [canonical]


def test_any_district_accepted_without_groups():
    rows = read_roster(csv_bytes([TH_HEADER, ["กองทุน ก", "ตำบล ก", "บางนา"]]), "f.csv", None)
    assert [r.district for r in rows] == ["บางนา"]


def test_same_fund_name_in_two_districts_is_not_a_duplicate(groups):
    body = [["กองทุนหมู่ 1", "ตำบล ก", "บางพลี"], ["กองทุนหมู่ 1", "ตำบล ก", "บางบ่อ"]]
    rows = read_roster(csv_bytes([TH_HEADER[:3], *body]), "f.csv", groups)
    assert [(r.name, r.district) for r in rows] == [
        ("กองทุนหมู่ 1", "บางพลี"),
        ("กองทุนหมู่ 1", "บางบ่อ"),
    ]


def test_optional_columns_and_thousands_separators(groups):
    header = [*TH_HEADER, "ประธาน", "ยอดเงินกองทุน"]
    data = csv_bytes([header, [*GOOD[:3], '"1,240"', "b", "นายสมชาย ใจดี", '"12,345.5"']])
    (row,) = read_roster(data, "f.csv", groups)
    assert (row.members, row.previous_grade, row.chair) == (1240, "B", "นายสมชาย ใจดี")
    assert row.balance_baht == Decimal("12345.50")


def test_blank_rows_skipped_but_counted_in_row_numbers(groups):
    data = csv_bytes([TH_HEADER, FUNDS[0], [], [",,,,"], FUNDS[1]])
    assert [r.row for r in read_roster(data, "f.csv", groups)] == [2, 5]
    bad = csv_bytes([TH_HEADER, FUNDS[0], [], [*GOOD[:3], "many"]])
    assert where(refused(bad, "f.csv", groups)) == [(4, "จำนวนสมาชิก", "roster.not_a_number")]


def test_sample_roster_has_25_funds_over_the_6_districts(template):
    assert template.roster_path is not None
    assert Path(template.roster_path) == SAMPLE
    rows = read_roster(SAMPLE.read_bytes(), SAMPLE.name, template.groups)
    assert len(rows) == 25
    assert [r.row for r in rows] == list(range(2, 27))
    assert len({r.name for r in rows}) == 25
    districts = [g.name_th for g in template.groups]
    assert len(districts) == 6
    assert {r.district for r in rows} == set(districts)
    counts = {d: sum(r.district == d for r in rows) for d in districts}
    assert counts == {
        "บางบ่อ": 5,
        "บางพลี": 5,
        "บางเสาธง": 3,
        "พระสมุทรเจดีย์": 3,
        "พระประแดง": 4,
        "เมืองสมุทรปราการ": 5,
    }
    assert rows[0] == RosterRow(2, "กองทุนสวัสดิการชุมชนตำบลปากน้ำ", "ปากน้ำ", "เมืองสมุทรปราการ", 910, "C")
    assert all(r.members and r.previous_grade in ("A", "B", "C", "D") for r in rows)


def test_file_of_exactly_5_mb_is_accepted(groups):
    data = csv_bytes([TH_HEADER, GOOD])
    pad = 5 * MB - len(data)  # lines of spaces are blank rows, skipped
    data += (b" " * 99_999 + b"\n") * (pad // 100_000) + b" " * (pad % 100_000)
    assert len(data) == 5 * MB
    assert [r.name for r in read_roster(data, "f.csv", groups)] == [GOOD[0]]


def test_filename_may_carry_a_folder(groups):
    rows = read_roster(csv_bytes([TH_HEADER, GOOD]), "C/uploads/funds.CSV", groups)
    assert [r.tambon for r in rows] == ["บางแก้ว"]


# --- bad rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ([[*GOOD[:2], "บางนา"]], [(2, "อำเภอ", "roster.unknown_district", {"value": "บางนา"})]),
        ([[*GOOD[:2], "Bang Na"]], [(2, "อำเภอ", "roster.unknown_district", {"value": "Bang Na"})]),
        ([["", *GOOD[1:]]], [(2, "ชื่อกองทุน", "roster.blank", {})]),
        ([["  ", *GOOD[1:]]], [(2, "ชื่อกองทุน", "roster.blank", {})]),
        ([[GOOD[0], "", *GOOD[2:]]], [(2, "ตำบล", "roster.blank", {})]),
        ([[*GOOD[:2], ""]], [(2, "อำเภอ", "roster.blank", {})]),
        (
            [GOOD, FUNDS[0], GOOD],
            [(4, "ชื่อกองทุน", "roster.duplicate", {"name": GOOD[0], "first": 2})],
        ),
        (
            [GOOD, [GOOD[0], "บางปลา", "Bang Phli"]],
            [(3, "ชื่อกองทุน", "roster.duplicate", {"name": GOOD[0], "first": 2})],
        ),
        ([[*GOOD[:3], "abc"]], [(2, "จำนวนสมาชิก", "roster.not_a_number", {"value": "abc"})]),
        ([[*GOOD[:3], "-5"]], [(2, "จำนวนสมาชิก", "roster.not_a_number", {"value": "-5"})]),
        ([[*GOOD[:3], "12.5"]], [(2, "จำนวนสมาชิก", "roster.not_a_number", {"value": "12.5"})]),
        ([[*GOOD[:3], "ห้าร้อย"]], [(2, "จำนวนสมาชิก", "roster.not_a_number", {"value": "ห้าร้อย"})]),
        ([[*GOOD[:4], "E"]], [(2, "ระดับเดิม", "roster.bad_grade", {"value": "E"})]),
        ([["ก" * 201, *GOOD[1:]]], [(2, "ชื่อกองทุน", "roster.too_long", {"limit": 200})]),
    ],
)
def test_row_problem(body, problems, groups):
    error = refused(csv_bytes([TH_HEADER, *body]), "funds.csv", groups)
    assert [(p.row, p.column, p.key, dict(p.params)) for p in error.problems] == problems


def test_all_problems_of_a_file_listed_together(groups):
    body = [
        GOOD,  # row 2, fine
        ["กองทุน ข", "ตำบล ข", "บางนา", "10", "A"],  # row 3: unknown district
        ["", "ตำบล ค", "บางพลี", "10", "A"],  # row 4: blank name
        GOOD,  # row 5: same fund as row 2
        ["กองทุน ง", "ตำบล ง", "บางบ่อ", "สิบ", "A"],  # row 6: members not a number
        ["", "ตำบล จ", "Nowhere", "x", "Z"],  # row 7: four problems at once
        FUNDS[0],  # row 8, fine
    ]
    error = refused(csv_bytes([TH_HEADER, *body]), "funds.csv", groups)
    assert where(error) == [
        (3, "อำเภอ", "roster.unknown_district"),
        (4, "ชื่อกองทุน", "roster.blank"),
        (5, "ชื่อกองทุน", "roster.duplicate"),
        (6, "จำนวนสมาชิก", "roster.not_a_number"),
        (7, "ชื่อกองทุน", "roster.blank"),
        (7, "อำเภอ", "roster.unknown_district"),
        (7, "จำนวนสมาชิก", "roster.not_a_number"),
        (7, "ระดับเดิม", "roster.bad_grade"),
    ]
    assert error.params["count"] == 8


def test_problem_column_is_the_header_as_typed(groups):
    header = ["Fund Name", "Tambon", "District", "Members"]
    body = [[GOOD[0], "", "Atlantis", "lots"]]
    error = refused(csv_bytes([header, *body]), "funds.csv", groups)
    assert where(error) == [
        (2, "Tambon", "roster.blank"),
        (2, "District", "roster.unknown_district"),
        (2, "Members", "roster.not_a_number"),
    ]


def test_xlsx_problems_use_spreadsheet_row_numbers(groups):
    rows = [TH_HEADER, [*GOOD[:3], 640], [], [*FUNDS[0][:3], "n/a"], [*GOOD[:3], 1.5]]
    error = refused(xlsx_bytes(rows), "funds.xlsx", groups)
    assert where(error) == [
        (4, "จำนวนสมาชิก", "roster.not_a_number"),
        (5, "จำนวนสมาชิก", "roster.not_a_number"),
        (5, "ชื่อกองทุน", "roster.duplicate"),
    ]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["ชื่อกองทุน", "ตำบล", "จำนวนสมาชิก"], ["อำเภอ"]),
        (["ชื่อกองทุน", "อำเภอ"], ["ตำบล"]),
        (["ตำบล", "อำเภอ", "ระดับเดิม"], ["ชื่อกองทุน"]),
        (["จำนวนสมาชิก", "ระดับเดิม"], ["ชื่อกองทุน", "ตำบล", "อำเภอ"]),
        (["รหัส", "หมายเหตุ"], ["ชื่อกองทุน", "ตำบล", "อำเภอ"]),
    ],
)
def test_required_column_missing(header, missing, groups):
    body = [["x"] * len(header)]
    error = refused(csv_bytes([header, *body]), "funds.csv", groups)
    assert where(error) == [(1, column, "roster.missing_column") for column in missing]


# --- bad files --------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /XRef /W [1 2 1] /Length 8 >>\nstream\n"
    b"\x01\x00\x0f\x00\x01\x00\x4a\x00\nendstream\nendobj\n%%EOF\n"
)


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (PNG, "funds.csv"),
        (PDF, "funds.csv"),
        (PNG, "funds.xlsx"),
        (_docx(), "funds.docx"),
        (csv_bytes([TH_HEADER, GOOD]), "funds.docx"),
        (csv_bytes([TH_HEADER, GOOD]), "funds.pdf"),
        (csv_bytes([TH_HEADER, GOOD]), "funds"),
        (xlsx_bytes([TH_HEADER, GOOD]), "funds.docx"),
        (xlsx_bytes([TH_HEADER, GOOD]), "funds.csv"),
        (csv_bytes([TH_HEADER, GOOD]), "funds.xlsx"),
        (_docx(), "funds.xlsx"),
        (b"PK\x03\x04" + b"\x00garbage" * 20, "funds.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "funds.xls"),
    ],
)
def test_not_csv_or_xlsx(data, filename, groups):
    error = refused(data, filename, groups)
    assert where(error) == [(0, "", "roster.not_csv_or_xlsx")]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "funds.csv"),
        (b"  \r\n\n\t", "funds.csv"),
        (b"\xef\xbb\xbf", "funds.csv"),
        (b",,,\n,,,\n", "funds.csv"),
        (b"", "funds.xlsx"),
        (xlsx_bytes([]), "funds.xlsx"),
    ],
)
def test_empty_file(data, filename, groups):
    assert where(refused(data, filename, groups)) == [(0, "", "roster.empty")]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (csv_bytes([TH_HEADER]), "funds.csv"),
        (csv_bytes([TH_HEADER[:3], [], ["", "", ""], ["  ", "", ""]]), "funds.csv"),
        (xlsx_bytes([TH_HEADER]), "funds.xlsx"),
        (xlsx_bytes([TH_HEADER, [None, None, None], []]), "funds.xlsx"),
    ],
)
def test_header_only(data, filename, groups):
    assert where(refused(data, filename, groups)) == [(0, "", "roster.no_rows")]


@pytest.mark.parametrize("filename", ["funds.csv", "funds.xlsx", "funds.pdf"])
def test_file_over_5_mb(filename, groups):
    data = csv_bytes([TH_HEADER, GOOD])
    data += b"\n" * (5 * MB + 1 - len(data))
    error = refused(data, filename, groups)
    assert [(p.row, p.key, dict(p.params)) for p in error.problems] == [
        (0, "roster.too_big", {"limit_mb": 5})
    ]


def test_xlsx_zip_bomb_refused_before_unpacking(groups):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * MB))
    data = out.getvalue()
    assert len(data) < 1 * MB  # small on the wire, so the 5 MB limit does not catch it
    error = refused(data, "funds.xlsx", groups)
    assert [(p.row, p.key, dict(p.params)) for p in error.problems] == [
        (0, "roster.too_big", {"limit_mb": 50})
    ]


# --- messages ---------------------------------------------------------------------------------


def test_messages_in_thai_and_english_name_the_rows(groups):
    body = [GOOD, ["กองทุน ข", "ตำบล ข", "บางนา"], GOOD]
    error = refused(csv_bytes([TH_HEADER, *body]), "funds.csv", groups)
    th, en = error.message("th"), error.message("en")
    assert th != en
    assert str(error) == en
    for text in (th, en):
        assert "funds.csv" in text
        assert "'บางนา'" in text
        assert len(text.splitlines()) == 3  # a heading and one line per problem
    assert "แถวที่ 3" in th
    assert "แถวที่ 4" in th
    assert "ไม่ได้นำเข้า" in th
    assert "row" not in th
    assert "row 3" in en
    assert "row 4" in en
    assert "was not imported (2 problem(s))" in en
    assert "แถวที่" not in en


def test_file_problem_message_has_no_row(groups):
    error = refused(b"", "funds.csv", groups)
    assert error.message("en").splitlines()[1] == "- the file is empty"
    assert error.message("th").splitlines()[1] == "- ไฟล์ว่างเปล่า"


# --- inputs that once crashed the reader instead of being refused ------------------------------


@pytest.mark.parametrize("members", ["²", "①", "12e3"])
def test_odd_digits_in_members_are_not_a_number(members, groups):
    error = refused(csv_bytes([TH_HEADER, [*GOOD[:3], members, "A"]]), "funds.csv", groups)
    assert where(error) == [(2, "จำนวนสมาชิก", "roster.not_a_number")]


def test_a_stray_quote_making_one_huge_cell_is_refused_not_a_crash(groups):
    body = '"' + "ก" * 200_000
    error = refused(csv_bytes([TH_HEADER, [body, "x", "บางพลี"]]), "funds.csv", groups)
    assert error.problems and all(p.key.startswith("roster.") for p in error.problems)


def test_a_text_only_pdf_named_csv_is_not_a_csv(groups):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert where(refused(pdf, "funds.csv", groups)) == [(0, "", "roster.not_csv_or_xlsx")]


def test_a_header_typed_with_nikhahit_and_sara_aa_is_recognised(groups):
    header = ["ชื่อกองทุน", "ตําบล", "อําเภอ"]  # U+0E4D U+0E32 instead of U+0E33
    rows = read_roster(csv_bytes([header, GOOD[:3]]), "funds.csv", groups)
    assert (rows[0].tambon, rows[0].district) == ("บางแก้ว", "บางพลี")


def test_an_open_district_list_merges_spellings_of_one_district():
    rows = [
        ["name", "tambon", "district"],
        ["กองทุนสวัสดิการชุมชนตำบลบางบ่อ", "บางบ่อ", "Bang Bo"],
        ["กองทุนสวัสดิการชุมชนตำบลเปร็ง", "เปร็ง", "bang bo"],
        ["กองทุนสวัสดิการชุมชนตำบลคลองด่าน", "คลองด่าน", "Amphoe Bang Bo"],
        ["กองทุนสวัสดิการชุมชนตำบลบางพลีใหญ่", "บางพลีใหญ่", "อำเภอบางพลี"],
        ["กองทุนสวัสดิการชุมชนตำบลบางแก้ว", "บางแก้ว", "อ. บางพลี"],
    ]
    read = read_roster(csv_bytes(rows), "funds.csv", None)
    assert [r.district for r in read] == ["Bang Bo", "Bang Bo", "Bang Bo", "บางพลี", "บางพลี"]
    assert [g.name_th for g in districts_in(read)] == ["Bang Bo", "บางพลี"]


def test_the_same_fund_under_two_spellings_of_its_district_is_a_duplicate():
    rows = [
        ["name", "tambon", "district"],
        ["กองทุนสวัสดิการชุมชนตำบลบางบ่อ", "บางบ่อ", "Bang Bo"],
        ["กองทุนสวัสดิการชุมชนตำบลบางบ่อ", "บางบ่อ", "bang bo"],
    ]
    assert where(refused(csv_bytes(rows), "funds.csv", None)) == [(3, "name", "roster.duplicate")]


def test_a_stray_foreign_byte_in_a_utf8_file_is_refused_with_its_row(groups):
    data = csv_bytes([TH_HEADER, GOOD]) + b"\xe9" + csv_bytes([[*GOOD[:1], "x", "บางพลี"]])
    error = refused(data, "funds.csv", groups)
    assert where(error) == [(3, "", "roster.mixed_encoding")]
    assert "row 3: this line is not in the same text encoding" in error.message("en")


# --- files made to hurt ------------------------------------------------------------------------


def claiming(data: bytes, rows: int) -> bytes:
    """``data`` (an XLSX) with its sheet claiming to be A1:XFD``rows`` and empty rows up to
    ``rows``: compressed, a few kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            part = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                part = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD%d"' % rows, part)
                empty = b"".join(b'<row r="%d"/>' % n for n in range(len(FUNDS) + 2, rows + 1))
                part = part.replace(b"</sheetData>", empty + b"</sheetData>")
            dst.writestr(item, part, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize("stray", [False, True], ids=["claimed", "claimed-and-a-far-header-cell"])
def test_an_xlsx_claiming_every_column_is_read_only_as_wide_as_its_header(groups, stray):
    header = [*TH_HEADER, *([None] * 16378), "x"] if stray else TH_HEADER
    data = claiming(xlsx_bytes([header, *FUNDS]), 8000)
    began = time.perf_counter()
    head, body = _table(data, "funds.xlsx")
    rows = read_roster(data, "funds.xlsx", groups)
    took = time.perf_counter() - began
    print(f"\n{len(data)} byte XLSX claiming A1:XFD8000 read twice in {took:.3f} s")
    assert rows == EXPECTED
    assert len(head) == len(TH_HEADER) < MAX_COLUMNS
    assert all(len(cells) == len(head) for _, cells in body)


def test_rows_after_a_thousand_blank_ones_end_the_table(groups):
    data = csv_bytes([TH_HEADER, GOOD]) + b"\r\n" * 5000 + csv_bytes([FUNDS[0]])
    assert [r.name for r in read_roster(data, "funds.csv", groups)] == [GOOD[0]]


def test_a_western_european_csv_is_not_read_as_thai(groups):
    rows = [["name", "tambon", "district"], ["Société d'entraide", "Bang Kaeo", "Bang Phli"]]
    error = refused(csv_bytes(rows, "cp1252"), "funds.csv", groups)
    assert where(error) == [(0, "", "roster.western_encoding")]
    assert "Windows-1252" in error.message("en") and "'Société'" in error.message("en")
    assert "ยุโรปตะวันตก" in error.message("th")
