"""The workshops the export tests read back: the demo with a merge, adoptions and a planted
formula, and a workshop where nothing has been recorded yet."""

from __future__ import annotations

import itertools
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import PASSCODE, create_samut_prakan, lead

from welfare_core import consolidate
from welfare_core.db.store import Store
from welfare_core.demo import create_demo
from welfare_core.export import report
from welfare_core.export.model import build
from welfare_core.model import Caller, IdeaInput, Workshop
from welfare_core.service import WorkshopService

FORMULA = '=HYPERLINK("http://x","y")'
LONGEST_WORD = 15  # characters between two breaks: what the narrowest text column holds


@dataclass
class Demo:
    store: Store
    workshop: Workshop
    empty: Workshop


def make_demo(path: Path) -> Demo:
    """The demo workshop, its plenary done (one merge, three ideas adopted), and an empty one."""
    store = Store(path)
    service = WorkshopService(store)
    slug = create_demo(service, passcode=PASSCODE)
    workshop = service.workshop(slug)
    group = store.read().groups(workshop.id)[0]
    service.add_idea(lead(group), IdeaInput("linkage", FORMULA))
    chair = Caller(service.sign_in(slug, PASSCODE), device="facilitator-laptop")
    ideas = consolidate.ideas(store.read(), workshop.id)
    data = ideas[ideas["area"] == "data"].drop_duplicates("group_id")  # two groups' ideas
    service.merge_ideas(chair, int(data.iloc[0]["idea_id"]), [int(data.iloc[1]["idea_id"])])
    for area in ("data", "committee", "linkage"):
        live = consolidate.ideas(store.read(), workshop.id)
        service.set_adopted(chair, int(live[live["area"] == area].iloc[0]["idea_id"]), True)
    empty = service.workshop(create_samut_prakan(service).slug)
    return Demo(store, service.workshop(slug), empty)


@pytest.fixture(scope="module", name="demo")
def demo_fixture(tmp_path_factory):
    """One demo database per test module: building it takes a second or two."""
    demo = make_demo(tmp_path_factory.mktemp("export") / "workshops.duckdb")
    yield demo
    demo.store.close()


def flat(text: str) -> str:
    """Text as the PDF gives it back, lines broken anywhere."""
    return "".join(text.split())


def pdftotext(path: Path, mode: str = "-raw") -> str:
    """The PDF's text; -raw: in drawing order, a table cell's lines one after the other."""
    return subprocess.run(
        ["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def cell_lines(path: Path) -> str:
    """The PDF's text twice: in drawing order, where a raised mark starts a line of its own
    ("ฟื" then "้นฟู"), and in reading order, where some cells come interleaved."""
    return pdftotext(path) + "\f" + pdftotext(path, "-nopgbrk")


def cell_texts(store: Store, workshop: Workshop, lang: str) -> set[str]:
    """Every line of text the report puts in a table cell, headers included; not the export
    time, which the PDF read back may have a minute earlier."""
    texts = set()
    for block in report.build(build(store.read(), workshop, lang), None).blocks:
        if isinstance(block, report.Table):
            for cell in [*block.headers, *(c for row in block.rows for c in row)]:
                texts.update(line for part in _parts(cell) for line in part.splitlines())
    return {text for text in texts if text.strip() and not re.search(r"\d\d:\d\d$", text)}


def _parts(cell: report.Cell) -> tuple[str, ...]:
    return cell if isinstance(cell, tuple) else (cell,)


def words_broken(pdf_text: str, texts: Iterable[str]) -> list[str]:
    """Each text whose lines the PDF breaks where Pango (the PDF's own line breaker, on the text
    as typed) sees no break, shown with a "|" there; and each text the PDF does not hold."""
    from weasyprint.text.line_break import get_log_attrs

    wrong = []
    for text in texts:
        if not any(c.isalpha() for c in text):
            continue  # a number alone also matches the end of one cell and the start of the next
        inside = "(\\n?)".join("[ \\n]+" if c == " " else re.escape(c) for c in text)
        pattern = f"(?<!\\S){inside}(?!\\S)"  # a whole cell: a line of it, or cells side by side
        found = list(re.finditer(pattern, pdf_text))
        if not found:
            wrong.append(f"missing: {text}")
        can_break = get_log_attrs(text, "th")
        breaks = [0, *(n for n in range(1, len(text)) if can_break[n].is_line_break), len(text)]
        if max(b - a for a, b in itertools.pairwise(breaks)) > LONGEST_WORD:
            continue  # a link or a formula: longer than any column, it has to break somewhere
        for match in found:
            for n, newline in enumerate(match.groups(), start=1):  # between text[n - 1] and [n]
                if newline and " " not in text[n - 1 : n + 1] and not can_break[n].is_line_break:
                    wrong.append(f"{text[:n]}|{text[n:]}")
    return wrong
