"""When a plan item is due: what a group may type, how it is stored, how every screen and file
writes it.

Stored values (all Western years, as since the first version):
  ``2020-03``    a month;
  ``2020-Q2``    a calendar quarter (April-June 2020);
  ``FY2020-Q2``  a quarter of the Thai fiscal year 2020 (B.E. 2563), which runs from
                 October 2019 to September 2020: its Q2 is January-March 2020.

A Thai official reads "ไตรมาส 2/2563" as the fiscal quarter, so a quarter is always written with
its months (ม.ค.-มี.ค. 2563), and a fiscal quarter says "ปีงบประมาณ" and its months too. Plain
"ไตรมาส 2/2563" or "Q2 2020" is refused as ambiguous, with the two ways to say it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from welfare_core.errors import InvalidInput
from welfare_core.i18n import LANGUAGES, t

BUDDHIST_ERA = 543
FISCAL_YEAR_START = 10  # October of the Western year before the fiscal year's number


@dataclass(frozen=True)
class Due:
    year: int  # Western; for a fiscal quarter, the year the fiscal year ends
    month: int = 0  # 1-12 for a month, 0 for a quarter
    quarter: int = 0  # 1-4 for a quarter
    fiscal: bool = False

    @property
    def stored(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return f"{'FY' if self.fiscal else ''}{self.year}-Q{self.quarter}"

    @property
    def first_month(self) -> tuple[int, int]:
        """(year, month) where the period starts."""
        if self.month:
            return self.year, self.month
        if not self.fiscal:
            return self.year, 3 * self.quarter - 2
        month = FISCAL_YEAR_START + 3 * (self.quarter - 1)
        return (self.year - 1, month) if month <= 12 else (self.year, month - 12)


_STORED = re.compile(r"^(FY)?(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


def read_stored(value: str) -> Due:
    """A stored due date; rows written before fiscal quarters existed read the same."""
    match = _STORED.match(value)
    if not match:
        raise ValueError(f"not a stored due date: {value!r}")
    fiscal, year, month, quarter = match.groups()
    return Due(int(year), int(month or 0), int(quarter or 0), bool(fiscal))


def due_words(value: str | None, lang: str) -> str:
    """The one wording of a due date for every screen and file: "มีนาคม 2563",
    "ม.ค.–มี.ค. 2563", "ไตรมาส 2 ปีงบประมาณ 2563 (ม.ค.–มี.ค. 2563)"; "" when there is none."""
    if not value:
        return ""
    due = read_stored(value)
    if due.month:
        return f"{month_names(lang)[due.month - 1]} {shown_year(due.year, lang)}"
    year, first = due.first_month
    short, year = month_names(lang, short=True), shown_year(year, lang)
    months = t("due.range", lang, first=short[first - 1], last=short[first + 1], year=year)
    if not due.fiscal:
        return months
    fiscal_year = shown_year(due.year, lang)
    return t("due.fiscal", lang, quarter=due.quarter, year=fiscal_year, months=months)


def shown_year(year: int, lang: str) -> int:
    """A Western year as the language writes it: Buddhist era in Thai (2019 -> 2562)."""
    return year + (BUDDHIST_ERA if lang == "th" else 0)


def month_names(lang: str, short: bool = False) -> list[str]:
    """January to December, or Jan to Dec (ม.ค. to ธ.ค.)."""
    return t("due.short_months" if short else "due.months", lang).split()


def long_date(day: dt.date, lang: str) -> str:
    """24 มิถุนายน 2562 in Thai (Buddhist era, as Thai offices write it), 24 June 2019 in English:
    every date shown on a screen or in a document."""
    return f"{day.day} {month_names(lang)[day.month - 1]} {shown_year(day.year, lang)}"


# --- reading what a group typed ------------------------------------------------------------------

_YEAR = r"(?:(?:พ\.?ศ\.?|ค\.?ศ\.?)\s*)?(?P<year>\d{4}|\d{2})"
_DASH = r"\s*[-–—]\s*"
_NUMERIC = re.compile(rf"^(\d{{4}}){_DASH}(?:(\d{{1,2}})|q([1-4]))$")
_QUARTER = r"(?P<quarter>[1-4])"
# Joined with +, not f-strings: no f-string here holds a "<" (tests/test_access.py reads
# those as HTML being built).
_FISCAL = [
    re.compile("^" + said + r"\s*(?:\((?P<months>.*)\))?$")
    for said in (
        r"fy\s*" + _YEAR + "(?:" + _DASH + r"|\s*)q" + _QUARTER,
        r"ไตรมาส(?:ที่)?\s*" + _QUARTER + r"\s*/?\s*ปีงบ(?:ประมาณ)?\s*" + _YEAR,
        "q" + _QUARTER + r"\s*(?:of\s*)?(?:fiscal\s*year|fy)\s*" + _YEAR,
    )
]
_AMBIGUOUS = re.compile(rf"^(?:ไตรมาส(?:ที่)?\s*[1-4]|q\s*[1-4])\s*/?\s*{_YEAR}$")
_NAMED = re.compile(rf"^([^\d\s\-–—/]+?)\s*(?:{_DASH}([^\d\s\-–—/]+?)\s*)?{_YEAR}$")


def parse_due(text: str, plan_year: int) -> str:
    """What a group typed, stored as above; "" for nothing typed.

    Accepted: 2020-03 or 2563-03, มีนาคม 2563, มี.ค. 63, March 2020; a calendar quarter as
    2020-Q2, 2563-Q2, เม.ย.–มิ.ย. 2563 or Apr-Jun 2020; a fiscal quarter as FY2563-Q2 or
    ไตรมาส 2 ปีงบ 2563. Buddhist-era years (four digits or the last two) or Western ones; the
    period must start within a year of the plan year. Anything else raises InvalidInput.
    """
    typed = " ".join((text or "").split())
    if not typed:
        return ""
    if _AMBIGUOUS.match(typed.lower()):
        quarter = Due(plan_year, quarter=2).stored
        raise InvalidInput(
            "error.ambiguous_quarter",
            value=text,
            calendar_th=due_words(quarter, "th"),
            calendar_en=due_words(quarter, "en"),
            year=plan_year,
            be_year=plan_year + BUDDHIST_ERA,
        )
    due = _parse(typed.lower(), plan_year)
    if due is None:
        raise InvalidInput(
            "error.bad_due", value=text, year=plan_year, be_year=plan_year + BUDDHIST_ERA
        )
    return due.stored


def _parse(typed: str, plan_year: int) -> Due | None:
    if match := _NUMERIC.match(typed):
        year, month, quarter = match.groups()
        if month and not 1 <= int(month) <= 12:
            return None
        return _in_plan(int(year), plan_year, int(month or 0), int(quarter or 0))
    for fiscal in _FISCAL:
        if match := fiscal.match(typed):
            quarter = int(match["quarter"])
            due = _in_plan(int(match["year"]), plan_year, quarter=quarter, fiscal=True)
            # Months after a fiscal quarter (as the edit box shows it back) must be its own.
            if due and match["months"] and not _same_quarter(match["months"], due, plan_year):
                return None
            return due
    if match := _NAMED.match(typed):
        first, last, year = match.groups()
        first_month, last_month = _month_number(first), _month_number(last) if last else None
        if first_month is None or (last and last_month is None):
            return None
        if last_month is None:
            return _in_plan(int(year), plan_year, month=first_month)
        if first_month % 3 != 1 or last_month != first_month + 2:
            return None  # only whole calendar quarters
        return _in_plan(int(year), plan_year, quarter=(first_month + 2) // 3)
    return None


def _same_quarter(months: str, due: Due, plan_year: int) -> bool:
    said = _parse(months.strip(), plan_year)
    return said is not None and not said.fiscal and said.first_month == due.first_month


def _in_plan(
    year: int, plan_year: int, month: int = 0, quarter: int = 0, fiscal: bool = False
) -> Due | None:
    """The period read with ``year`` as Buddhist era or Western, two digits or four: whichever
    starts within a year of the plan year (the two readings are decades apart)."""
    if year < 100:  # "มี.ค. 63": the last two digits
        readings = (2500 + year - BUDDHIST_ERA, 2000 + year)
    else:
        readings = (year - BUDDHIST_ERA, year)
    for western in readings:
        due = Due(western, month, quarter, fiscal)
        if abs(due.first_month[0] - plan_year) <= 1:
            return due
    return None


def _month_number(word: str) -> int | None:
    """1-12 for a month's name in Thai or English, full or short, with or without dots."""
    bare = word.replace(".", "").replace(" ", "")
    for lang in LANGUAGES:
        for short in (False, True):
            names = [n.replace(".", "").lower() for n in month_names(lang, short)]
            if bare in names:
                return names.index(bare) + 1
    if bare == "sept":
        return 9
    return None
