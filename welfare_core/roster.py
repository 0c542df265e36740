"""Reading fund rosters (CSV in UTF-8 or Thai Windows encoding, or XLSX), all or nothing."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from welfare_core.errors import RosterError, RowProblem
from welfare_core.model import GRADE_LETTERS, Group, GroupSpec, RosterRow
from welfare_core.text import visible

MAX_BYTES = 5 * 1024 * 1024
MAX_XLSX_UNPACKED = 50 * 1024 * 1024  # refuses "zip bombs" before openpyxl unpacks them
MAX_CELL = 200
# A province has a few hundred funds, and each is one insert while every group waits to write.
MAX_ROWS = 2000
# A roster has seven columns of its own; a header wider than this is cut here (a sheet can
# claim every one of Excel's 16,384 columns and rows that long would be built for nothing).
MAX_COLUMNS = 50
# This many blank rows in a row end the table: past them lies no roster, only padding.
MAX_BLANK_RUN = 1000

# Column names people use, Thai and English; compared after _header() normalising.
COLUMNS = {
    "name": ("ชื่อกองทุน", "กองทุน", "name", "fund", "fund name"),
    "tambon": ("ตำบล", "tambon", "subdistrict", "sub-district", "sub district"),
    "district": ("อำเภอ", "district", "amphoe", "amphur"),
    "members": ("จำนวนสมาชิก", "สมาชิก", "members", "member count"),
    "previous_grade": ("ระดับเดิม", "เกรดเดิม", "ระดับก่อนหน้า", "previous grade", "prev grade"),
    "chair": ("ประธาน", "ประธานกองทุน", "chair"),
    "balance_baht": ("ยอดเงินกองทุน", "เงินกองทุน", "fund balance", "balance", "balance baht"),
}
REQUIRED = ("name", "tambon", "district")
# Starts of files that are not text although they may carry a .csv name: zip (XLSX, DOCX), PDF,
# PNG, JPEG, GIF and old Office files.
_BINARY = (b"PK", b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8", b"\xd0\xcf\x11\xe0")
# "Unicode text" from Excel or Notepad: readable, but not one of the encodings a roster may use.
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_THAI_UTF8 = re.compile(rb"\xe0[\xb8\xb9][\x80-\xbf]")
# A Thai mark after a Latin letter, or one or two Thai letters between Latin ones: no Thai text
# is written so; Latin-1 / Windows-1252 accented letters read as Thai Windows look like that.
_WESTERN_AS_THAI = re.compile(
    r"[A-Za-z]+(?:[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]|[\u0e01-\u0e5b]{1,2}[A-Za-z])[A-Za-z\u0e01-\u0e5b]*"
)
_DISTRICT_PREFIXES = ("อำเภอ", "อ.", "เขต", "amphoe ", "district ")

Row = tuple[int, list[object]]  # a spreadsheet row number and the row's cells


def read_roster(
    data: bytes, filename: str, groups: Sequence[GroupSpec | Group] | None
) -> list[RosterRow]:
    """Check a whole roster file. ``groups`` are the known districts, or None to accept any.

    Raises RosterError listing every problem (row number as in a spreadsheet, header = row 1).
    """
    name = PurePath(filename).name
    header, body = _table(data, name)
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        field = _field_of(title)
        if field and field not in columns:
            columns[field] = index
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise RosterError(
            name,
            [
                RowProblem(1, COLUMNS[f][0], "roster.missing_column", (("column", COLUMNS[f][0]),))
                for f in missing
            ],
        )
    if not body:
        raise RosterError(name, [RowProblem(0, "", "roster.no_rows")])
    problems: list[RowProblem] = []
    rows: list[RosterRow] = []
    seen: dict[tuple[str, str], int] = {}
    # Known districts by their matching key; without groups, the first spelling of each.
    known = (
        {}
        if groups is None
        else {_district_key(n): g.name_th for g in groups for n in (g.name_th, g.name_en)}
    )
    for number, cells in body:
        row = _RowReader(number, cells, columns, header, problems)
        fund = row.text("name", required=True)
        tambon = row.text("tambon", required=True)
        district = row.district(known, open_list=groups is None)
        members = row.whole_number("members")
        previous = row.grade("previous_grade")
        chair = row.text("chair")
        balance = row.amount("balance_baht")
        if fund and district:
            first = seen.setdefault((fund, district), number)
            if first != number:
                row.problem("name", "roster.duplicate", name=fund, first=first)
        if not row.failed:
            rows.append(
                RosterRow(number, fund, tambon, district, members, previous, chair, balance)
            )
    if problems:
        raise RosterError(name, problems)
    return rows


def districts_in(rows: list[RosterRow]) -> list[GroupSpec]:
    """The districts of a roster in order of first appearance, for a blank template."""
    names = dict.fromkeys(r.district for r in rows)
    return [GroupSpec(n, n) for n in names]


def _table(data: bytes, name: str) -> tuple[list[object], list[Row]]:
    """The header and the filled rows (see ``_filled``) of a CSV or XLSX file."""
    if len(data) > MAX_BYTES:
        raise RosterError(name, [RowProblem(0, "", "roster.too_big", (("limit_mb", 5),))])
    if not data.strip():
        raise RosterError(name, [RowProblem(0, "", "roster.empty")])
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx" and data[:2] == b"PK":
        return _xlsx_table(data, name)
    if suffix in (".csv", ".txt") and data.startswith(_UTF16):
        raise RosterError(name, [RowProblem(0, "", "roster.unknown_encoding")])
    if suffix in (".csv", ".txt") and b"\x00" not in data and not data.startswith(_BINARY):
        return _csv_table(data, name)
    raise RosterError(name, [RowProblem(0, "", "roster.not_csv_or_xlsx")])


def _filled(rows: Iterable[Sequence[object]], name: str) -> tuple[list[object], list[Row]]:
    """The first row as the header, and the rows with something in them numbered as in a
    spreadsheet (header = row 1). Blank rows count but are not kept; a file with too many
    funds is refused as soon as that is clear, before the rest of it is read."""
    numbered = enumerate(rows, start=1)
    _, first = next(numbered, (1, ()))
    header = list(first)
    if not any(_cell_text(c) for c in header):
        raise RosterError(name, [RowProblem(0, "", "roster.empty")])
    body: list[Row] = []
    last = 1
    for number, cells in numbered:
        if any(_cell_text(c) for c in cells):
            if len(body) == MAX_ROWS:
                problem = RowProblem(0, "", "roster.too_many_rows", (("limit", MAX_ROWS),))
                raise RosterError(name, [problem])
            body.append((number, list(cells)))
            last = number
        elif number - last > MAX_BLANK_RUN:
            break
    return header, body


def _csv_table(data: bytes, name: str) -> tuple[list[object], list[Row]]:
    text = _decode(data, name)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    csv.field_size_limit(MAX_BYTES)  # a stray quote may make the rest of the file one cell
    return _filled(csv.reader(io.StringIO(text), delimiter=delimiter), name)


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else Thai Windows cp874 / TIS-620; never a silent guess."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad = [n for n, line in enumerate(lines, start=1) if not _is_utf8(line)]
    if any(_is_utf8(line) and _THAI_UTF8.search(line) for line in lines):
        # Mostly UTF-8 Thai with a few foreign bytes: read as cp874 it would all be garbage.
        raise RosterError(name, [RowProblem(n, "", "roster.mixed_encoding") for n in bad])
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        raise RosterError(name, [RowProblem(0, "", "roster.unknown_encoding")]) from None
    if western := _WESTERN_AS_THAI.search(text):
        # "Société" in Windows-1252 reads as Thai letters and tone marks inside Latin words
        word = western.group().encode("cp874").decode("cp1252", errors="replace")
        raise RosterError(name, [RowProblem(0, "", "roster.western_encoding", (("value", word),))])
    return text


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _xlsx_table(data: bytes, name: str) -> tuple[list[object], list[Row]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise RosterError(name, [RowProblem(0, "", "roster.too_big", (("limit_mb", 50),))])
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _filled(_sheet_rows(book.worksheets[0]), name)
        finally:
            book.close()
    except RosterError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same to a user
        raise RosterError(name, [RowProblem(0, "", "roster.not_csv_or_xlsx")]) from None


def _sheet_rows(sheet) -> Iterator[Sequence[object]]:
    """The rows of a read-only sheet, only as wide as its header. The size a sheet declares
    is not used: openpyxl pads every row to it, and a 2 KB file claiming A1:XFD8000 would
    take a core for many seconds."""
    sheet.reset_dimensions()
    header = next(sheet.iter_rows(max_row=1, values_only=True), ())
    filled = [n for n, cell in enumerate(header[:MAX_COLUMNS], start=1) if _cell_text(cell)]
    width = filled[-1] if filled else 1
    yield header[:width]
    yield from sheet.iter_rows(min_row=2, max_col=width, values_only=True)


def _header(title: object) -> str:
    # Some keyboards type "ำ" as nikhahit + sara aa; both spellings name the same column.
    title = _cell_text(title).replace("\u0e4d\u0e32", "\u0e33")
    return " ".join(title.replace("_", " ").lower().split())


def _field_of(title: object) -> str | None:
    wanted = _header(title)
    return next((field for field, names in COLUMNS.items() if wanted in names), None)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(visible(str(value)).split())


def _without_prefix(name: str) -> str:
    """ "อำเภอบางบ่อ", "อ.บางบ่อ" and "Amphoe Bang Bo" without the word for district."""
    for prefix in _DISTRICT_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix) :].strip()
    return name.strip()


def _district_key(name: str) -> str:
    return _without_prefix(name).lower().replace(" ", "")


class _RowReader:
    """Reads one row's cells, recording each problem instead of stopping at the first."""

    def __init__(
        self,
        number: int,
        cells: list[object],
        columns: dict[str, int],
        header: list[object],
        problems: list[RowProblem],
    ) -> None:
        self.number, self.cells, self.columns = number, cells, columns
        self.header, self.problems = header, problems
        self.failed = False

    def problem(self, field: str, key: str, **params: object) -> None:
        column = _cell_text(self.header[self.columns[field]])
        self.problems.append(RowProblem(self.number, column, key, tuple(params.items())))
        self.failed = True

    def raw(self, field: str) -> object:
        index = self.columns.get(field)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, field: str, required: bool = False) -> str:
        value = _cell_text(self.raw(field))
        if required and not value:
            self.problem(field, "roster.blank")
        elif len(value) > MAX_CELL:
            self.problem(field, "roster.too_long", limit=MAX_CELL)
        return value

    def district(self, known: dict[str, str], open_list: bool) -> str:
        """The district's canonical name; an open list learns each new district it meets."""
        typed = self.text("district", required=True)
        if not typed:
            return ""
        key = _district_key(typed)
        if open_list:
            return known.setdefault(key, _without_prefix(typed))
        if key not in known:
            self.problem("district", "roster.unknown_district", value=typed)
            return ""
        return known[key]

    def whole_number(self, field: str) -> int | None:
        value = _cell_text(self.raw(field)).replace(",", "")
        if not value:
            return None
        if not value.isdecimal() or len(value) > 9:
            self.problem(field, "roster.not_a_number", value=value)
            return None
        return int(value)

    def amount(self, field: str) -> Decimal | None:
        value = _cell_text(self.raw(field)).replace(",", "")
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount >= 10**12:
            self.problem(field, "roster.not_a_number", value=value)
            return None
        return amount.quantize(Decimal("0.01"))

    def grade(self, field: str) -> str | None:
        value = _cell_text(self.raw(field)).upper()
        if not value:
            return None
        if value not in GRADE_LETTERS:
            self.problem(field, "roster.bad_grade", value=value)
            return None
        return value
