"""What many test files share: the Samut Prakan workshop, counts read straight from the file,
a database held by another process, the app served on a port, the exported workshops read back,
the screens opened with AppTest. Fixtures are in conftest.py; this is a plain module."""

from __future__ import annotations

import asyncio
import itertools
import re
import subprocess
import sys
from collections.abc import Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from streamlit.testing.v1 import AppTest

from bench.server import Server
from welfare_core import consolidate
from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE, create_demo
from welfare_core.export import report
from welfare_core.export.model import build
from welfare_core.i18n import t
from welfare_core.model import Caller, Group, IdeaInput, Workshop
from welfare_core.roster import read_roster
from welfare_core.service import WorkshopService
from welfare_core.template import SESSIONS_DIR, load_template

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))
PASSCODE = "facilitator-2562"
SAMUT_PRAKAN = SESSIONS_DIR / "samut-prakan-2562.toml"


def create_samut_prakan(service: WorkshopService, template_path: Path = SAMUT_PRAKAN):
    template = load_template(template_path)
    roster = Path(template.roster_path)
    rows = read_roster(roster.read_bytes(), roster.name, list(template.groups))
    return service.create_workshop(template, rows, passcode=PASSCODE)


def lead(group: Group, device: str = "phone-1") -> Caller:
    return Caller(group.join_code, device=device, name="lead")


def count(store: Store, table: str) -> int:
    """Plain SQL count, to check what the database holds independently of the read models."""
    return store.read().cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


_HOLDER = (
    "import sys; from welfare_core.db.store import Store; held = Store(sys.argv[1]); "
    "print('open', flush=True); sys.stdin.read()"
)


@contextmanager
def held_open(path: Path) -> Iterator[int]:
    """``path`` held open by another process with a Store, as the running app holds it; yields
    that process's PID. It lets go when the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        yield holder.pid
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


class AppServer(Server):
    """The app served as the facilitator's laptop serves it (bench's server: what the load
    benchmark measures), and what only a test does to it: kill it, stop it for a moment."""

    def kill(self) -> None:
        """Gone at once, as when the laptop's battery dies: SIGKILL, nothing flushed."""
        self._process.kill()
        self._process.wait()
        self._process = None

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """The server down for a moment (to read its database, or to restart it)."""
        self.stop()
        try:
            yield
        finally:
            self.start()


# --- the exported workshops ---------------------------------------------------------------------

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


# --- the screens, opened with AppTest on a copy of the demo (the db fixture) ---------------------


def facts(db: Path) -> dict:
    """The demo's slug and groups, read straight from the file (the app is not running)."""
    store = Store(db)
    try:
        workshop = store.read().workshops()[0]
        groups = store.read().groups(workshop.id)
        funds = {g.id: store.read().funds(workshop.id, g.id) for g in groups}
        return {
            "workshop": workshop,
            "groups": groups,
            "funds": {gid: [f.name for f in found] for gid, found in funds.items()},
            "first_fund": {gid: found[0].id for gid, found in funds.items()},
            "areas": [a.key for a in store.read().areas(workshop.id)],
        }
    finally:
        store.close()


def stored(db: Path, table: str) -> int:
    store = Store(db)
    try:
        return count(store, table)
    finally:
        store.close()


def app(lang: str = "th", **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["language"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    return at


def workspace(lang: str, code: str, tab: int = 0, fund_open: int | None = None) -> AppTest:
    """A group's link: /group?code=..., on one tab, with one fund's rating form open."""
    at = app(lang, code=code)
    at.switch_page("pages/group_workspace.py")
    if tab:
        at.session_state["workspace-tab"] = t(
            ("workspace.tab_rate", "workspace.tab_ideas", "workspace.tab_vote")[tab], lang
        )
    if fund_open is not None:
        at.session_state[f"fund-{fund_open}"] = True
    return at


def new_idea(at: AppTest, widget: str = "text"):
    """A widget of the new-idea box (not a form: its fields are kept as a draft): "text",
    "area", "a" (action), "r" (responsible), "d" (due), "p" (partner), "b" (budget),
    "s" (budget source)."""
    kinds = {"text": at.text_area, "area": at.selectbox, "b": at.number_input}
    return kinds.get(widget, at.text_input)(key=f"new-idea-0-{widget}")


def rating_button(at: AppTest):
    """The Save button of the open fund's rating (a button beside its fields, not a form's)."""
    return next(b for b in at.button if (b.key or "").startswith("rate-"))


def add_idea_button(at: AppTest):
    return at.button(key="new-idea-0")


def signed_in(db: Path, lang: str = "th") -> AppTest:
    store = Store(db)
    try:
        token = WorkshopService(store).sign_in(facts_slug(store), DEMO_PASSCODE)
    finally:
        store.close()
    at = app(lang)
    at.session_state["facilitator_token"] = token
    return at


def facts_slug(store: Store) -> str:
    return store.read().workshops()[0].slug


def setup_tab(db: Path, lang: str = "th", tab: str = "setup.tab_session") -> AppTest:
    at = signed_in(db, lang)
    at.session_state["setup-tab"] = t(tab, lang)
    at.switch_page("pages/facilitator_setup.py").run()
    return at


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a thread of its own: the browser tests' Playwright keeps an event loop running
    in this one for the whole session."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
