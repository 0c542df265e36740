"""One snapshot per use case: what a screen or a file reads together, it reads from one moment."""

from __future__ import annotations

import io
import threading
from collections import Counter

import openpyxl
from support import lead

from welfare_core import consolidate
from welfare_core.export import export_plan
from welfare_core.export.model import build
from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS, IdeaInput, RatingInput

WRITERS = EXPORTS = 20


def test_a_dashboard_and_an_export_read_from_a_snapshot_miss_a_save_made_after_it_opened(
    service, store, workshop
):
    wid = service.workshop(workshop.slug).id
    group = workshop.groups[0]
    fund = service.funds(wid, group.id)[0]

    with store.reading() as snap:
        saved = threading.Thread(
            target=lambda: (
                service.rate_fund(lead(group), RatingInput(fund.id, "A", "ครบทุกด้าน")),
                service.add_idea(lead(group), IdeaInput("data", "ทะเบียนสมาชิก")),
            )
        )
        saved.start()
        saved.join()  # committed while the snapshot is open
        board = consolidate.dashboard(snap, wid)
        model = build(snap, service.workshop(workshop.slug), "th")

    assert board.overall["funds"].sum() == 0 and board.wall.empty
    assert model.rated == 0 and model.ideas.empty and model.history.empty
    with store.reading() as snap:  # the next snapshot holds both
        board = consolidate.dashboard(snap, wid)
    assert board.overall["funds"].sum() == 1 and len(board.wall) == 1


def district_totals(book: openpyxl.Workbook) -> tuple[dict, dict]:
    """The Summary's grade counts per district, and the same counted from the Funds sheet."""
    district, total = t("export.col.district", "th"), t("export.col.total", "th")
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    start = next(n for n, row in enumerate(summary) if row[0] == district and row[1] == "A")
    counted = {}
    for row in summary[start + 1 :]:
        if row[0] == total:
            break
        counted[row[0]] = dict(zip(GRADE_LETTERS, row[1:5], strict=True))
    funds = list(book[t("export.sheet.funds", "th")].iter_rows(values_only=True))
    column = {name: n for n, name in enumerate(funds[0])}
    grade_column = column[t("export.col.grade", "th")]
    tally = Counter((row[column[district]], row[grade_column]) for row in funds[1:] if any(row))
    from_funds = {d: {g: tally[(d, g)] for g in GRADE_LETTERS} for d in counted}
    return counted, from_funds


def sheet_rows(book: openpyxl.Workbook, sheet: str) -> list[dict]:
    """A sheet's rows as mappings by their (Thai) header."""
    header, *rows = book[t(f"export.sheet.{sheet}", "th")].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows if any(row)]


def grades_two_ways(book: openpyxl.Workbook) -> tuple[dict, dict]:
    """Each rated fund's grade on the Funds sheet, and its newest rating on the History sheet
    (read by another query of the export: they agree only if both read one moment)."""
    col = {key: t(f"export.col.{key}", "th") for key in ("fund", "grade", "kind", "subject")}
    on_funds = {
        r[col["fund"]]: r[col["grade"]] for r in sheet_rows(book, "funds") if r[col["grade"]]
    }
    newest = {}
    for row in sheet_rows(book, "history"):  # oldest first
        if row[col["kind"]] == t("export.rating", "th"):
            newest[row[col["subject"]]] = row[t("export.col.content", "th")].split(":")[0]
    return on_funds, newest


def test_exports_built_while_twenty_threads_save_agree_with_their_own_fund_rows(
    service, store, workshop
):
    wid = service.workshop(workshop.slug).id
    funds = service.funds(wid)
    groups = {g.id: g for g in workshop.groups}
    stop = threading.Event()
    errors: list[BaseException] = []

    def participant(n: int) -> None:
        fund = funds[n % len(funds)]
        caller = lead(groups[fund.group_id], device=f"phone-{n}")
        i = 0
        try:
            while not stop.is_set():
                service.rate_fund(caller, RatingInput(fund.id, GRADE_LETTERS[i % 4], f"รอบ {i}"))
                i += 1
        except BaseException as exc:  # collected: the test must see every failure
            errors.append(exc)

    books: list[openpyxl.Workbook] = []

    def exporter() -> None:
        try:
            data = export_plan(store, wid, "xlsx", "th")
            books.append(openpyxl.load_workbook(io.BytesIO(data)))
        except BaseException as exc:  # collected, as above
            errors.append(exc)

    writers = [threading.Thread(target=participant, args=(n,)) for n in range(WRITERS)]
    exporters = [threading.Thread(target=exporter) for _ in range(EXPORTS)]
    for thread in writers + exporters:
        thread.start()
    for thread in exporters:
        thread.join()
    stop.set()
    for thread in writers:
        thread.join()

    assert errors == []
    assert len(books) == EXPORTS
    rated = set()
    for book in books:
        counted, from_funds = district_totals(book)
        assert counted == from_funds
        on_funds, in_history = grades_two_ways(book)
        assert on_funds == in_history
        rated.add(sum(sum(grades.values()) for grades in counted.values()))
    print(f"\nfunds rated as the {EXPORTS} exports saw them: {sorted(rated)}")
