"""The app in a real browser: its server, the seeded workshops, and what a user does on a page.

Every locator is built from the message catalogs (``welfare_core.i18n.t``) and Streamlit's
``data-testid`` attributes or ARIA roles, so a changed wording changes the test with it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
from playwright.sync_api import BrowserContext, Locator, Page, WebSocketRoute, expect
from support import PASSCODE, create_samut_prakan

from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE, create_demo
from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS
from welfare_core.service import WorkshopService

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Streamlit's own e2e habit: the page is drawn once the script is no longer running.
SCRIPT_DONE = "[data-testid=stApp][data-test-script-state=notRunning]"
CONNECTED = "[data-testid=stApp][data-test-connection-state=CONNECTED]"


# --- the workshops the server starts on -----------------------------------------------------------


@dataclass(frozen=True)
class SeededGroup:
    id: int
    name_th: str
    name_en: str
    code: str  # as shown and linked: ABCD-EFGH
    funds: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_th if lang == "th" else self.name_en


@dataclass(frozen=True)
class SeededWorkshop:
    db: Path
    id: int
    slug: str
    passcode: str
    title_th: str
    title_en: str
    groups: tuple[SeededGroup, ...]
    area_names: dict[str, tuple[str, str]]  # key -> (Thai, English), in the workshop's order
    grade_names: dict[str, tuple[str, str]]  # letter -> (Thai, English)

    def title(self, lang: str) -> str:
        return self.title_th if lang == "th" else self.title_en

    def area(self, key: str, lang: str) -> str:
        th, en = self.area_names[key]
        return th if lang == "th" else en

    def grade_label(self, letter: str, lang: str) -> str:
        """The grade as the group workspace labels it: 'B · name'."""
        th, en = self.grade_names[letter]
        return f"{letter} · {th if lang == 'th' else en}"


def seed_workshop(db: Path, demo: bool = False) -> SeededWorkshop:
    """Create the database before the server starts (DuckDB allows one process per file).

    demo=False: the Samut Prakan workshop with its 25 funds and nothing rated yet.
    demo=True: the finished sample session the start page offers.
    """
    store = Store(db)
    try:
        svc = WorkshopService(store)
        if demo:
            slug, passcode = create_demo(svc, DEMO_PASSCODE), DEMO_PASSCODE
        else:
            slug, passcode = create_samut_prakan(svc).slug, PASSCODE
        workshop = svc.workshop(slug)
        groups = tuple(
            SeededGroup(
                g.id,
                g.name_th,
                g.name_en,
                f"{g.join_code[:4]}-{g.join_code[4:]}",
                tuple(f.name for f in svc.funds(workshop.id, g.id)),
            )
            for g in svc.groups(workshop.id)
        )
        return SeededWorkshop(
            db=db,
            id=workshop.id,
            slug=slug,
            passcode=passcode,
            title_th=workshop.title_th,
            title_en=workshop.title_en,
            groups=groups,
            area_names={a.key: (a.name_th, a.name_en) for a in svc.areas(workshop.id)},
            grade_names={g.letter: (g.name_th, g.name_en) for g in svc.grade_levels(workshop.id)},
        )
    finally:
        store.close()


@contextlib.contextmanager
def stored(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database file read with plain SQL, while no server holds it."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield con
    finally:
        con.close()


# --- the server ---------------------------------------------------------------------------------


# --- what a user does on a page -------------------------------------------------------------------


def wait_drawn(page: Page, timeout_ms: float = 30_000) -> None:
    """The script has finished its run and no element of the previous run is left over."""
    expect(page.locator(SCRIPT_DONE)).to_be_attached(timeout=timeout_ms)
    expect(page.locator("[data-stale=true]")).to_have_count(0, timeout=timeout_ms)


def wait_rerun(page: Page) -> None:
    """After a click that reruns the script and has no outcome of its own to wait for.

    The run starts a moment after the click; Streamlit's own e2e helper waits about 200 ms too.
    """
    page.wait_for_timeout(200)
    wait_drawn(page)


class CuttableConnection:
    """A page whose websocket to the app passes through the test, so that the test can cut it
    as a Wi-Fi drop does."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page = context.new_page()
        self.sockets: list[WebSocketRoute] = []
        self.page.route_web_socket(re.compile(r"/_stcore/stream$"), self._through)

    def _through(self, ws: WebSocketRoute) -> None:
        self.sockets.append(ws)
        ws.connect_to_server()

    def drop_for_a_moment(self) -> None:
        """No network for 3 s, the open connection cut; then the page reconnects by itself."""
        self.context.set_offline(True)
        self.sockets[-1].close()
        expect(self.page.locator(CONNECTED)).to_have_count(0)
        self.page.wait_for_timeout(3000)
        self.context.set_offline(False)
        expect(self.page.locator(CONNECTED)).to_have_count(1, timeout=20_000)
        assert len(self.sockets) >= 2  # it reconnected by itself


def open_page(page: Page, url: str) -> Page:
    page.goto(url)
    wait_drawn(page)
    expect(page.locator("h1").first).to_be_visible()
    return page


def title(page: Page) -> Locator:
    return page.locator("[data-testid=stMain] h1").first


def nav_to(page: Page, key: str, lang: str) -> None:
    """Click an entry of the top menu (a page switch in the same browser session)."""
    page.get_by_test_id("stTopNavLink").filter(has_text=t(key, lang)).click()


def choose_language(page: Page, lang: str) -> None:
    """The start page's language switch; the choice lives in this browser session."""
    names = {"th": "ไทย", "en": "English"}
    switch = page.get_by_role("radiogroup", name="ภาษา / Language")
    switch.get_by_role("radio", name=names[lang], exact=True).click()
    expect(title(page)).to_have_text(t("app.title", lang))


def sign_in(page: Page, passcode: str, lang: str) -> None:
    """Facilitator sign-in on the start page; lands on the set-up page."""
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=t("start.sign_in_button", lang), exact=True)
    )
    form.get_by_label(t("start.passcode_label", lang)).fill(passcode)
    form.get_by_role("button", name=t("start.sign_in_button", lang), exact=True).click()
    expect(title(page)).to_have_text(t("setup.title", lang), timeout=20_000)


def alert(where: Page | Locator, kind: str) -> Locator:
    """The text of st.error / st.warning / st.success / st.info boxes (kind: Error, ...)."""
    return where.get_by_test_id(f"stAlertContent{kind}").get_by_test_id("stMarkdownContainer")


def toast(page: Page, key: str, lang: str) -> Locator:
    """A confirmation toast (saves are confirmed this way, after the commit)."""
    return page.get_by_test_id("stToast").filter(has_text=t(key, lang))


def open_tab(page: Page, key: str, lang: str) -> Locator:
    """Click a tab; the visible tab panel."""
    wait_drawn(page)
    tab = page.get_by_role("tab", name=t(key, lang), exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    wait_drawn(page)  # tabs draw their content on a rerun once chosen
    return page.get_by_role("tabpanel")


def fund_expander(page: Page, fund: str) -> Locator:
    """A fund's expander in the rating tab: its label is 'fund — grade or not rated'."""
    label = page.locator("summary").get_by_test_id("stMarkdownContainer")
    return page.get_by_test_id("stExpander").filter(
        has=label.filter(has_text=re.compile("^" + re.escape(f"{fund} — ")))
    )


def fund_label(page: Page, fund: str) -> Locator:
    """The label of a fund's expander (without its arrow icon)."""
    return fund_expander(page, fund).locator("summary").get_by_test_id("stMarkdownContainer")


def rated_funds(page: Page) -> list[str]:
    """The fund names that have a rating form on this page, in order."""
    summaries = page.get_by_test_id("stExpander").locator("summary")
    labels = summaries.get_by_test_id("stMarkdownContainer").all_inner_texts()
    return [label.split(" — ")[0].strip() for label in labels if " — " in label]


def open_fund(page: Page, fund: str, lang: str) -> Locator:
    """A fund's expander, opened if it is closed, with its rating form drawn."""
    box = fund_expander(page, fund)
    if box.locator("details[open]").count() == 0:
        box.locator("summary").click()
    expect(box.locator("details[open]")).to_have_count(1)
    # The expander draws its content on the rerun its opening starts. Waiting for the form
    # first makes sure that run has begun, so wait_drawn cannot pass on the run before it.
    expect(save_button(box, lang)).to_be_visible(timeout=20_000)
    wait_drawn(page)
    return box


def fill_rating(page: Page, fund: str, letter: str, reason: str, lang: str) -> Locator:
    """Open a fund, choose a grade and type a reason (not saved yet); the fund's expander."""
    box = open_fund(page, fund, lang)
    grade = box.get_by_test_id("stRadioOption").nth(GRADE_LETTERS.index(letter))
    grade.click()
    expect(grade.locator("input")).to_be_checked()
    reason_box = box.get_by_test_id("stTextArea").locator("textarea")
    reason_box.fill(reason)
    expect(reason_box).to_have_value(reason)
    return box


def save_button(box: Locator, lang: str) -> Locator:
    return box.get_by_role("button", name=t("workspace.save_rating", lang), exact=True)


def save_rating(box: Locator, lang: str) -> None:
    save_button(box, lang).click()


def rate_fund(page: Page, fund: str, letter: str, reason: str, label: str, lang: str) -> None:
    """Rate one fund and wait until the page shows the grade on the fund."""
    save_rating(fill_rating(page, fund, letter, reason, lang), lang)
    # While a run redraws the page, Streamlit can show an element and its stale copy at once.
    # " ⚠" follows when another device of the group gave another grade a moment ago.
    shown = re.compile("^" + re.escape(f"{fund} — {label}") + "( ⚠)?$")
    try:
        expect(fund_label(page, fund).last).to_have_text(shown, timeout=20_000)
    except AssertionError as missing:
        refusals = alert(page, "Error").all_inner_texts()  # what the participant was told
        message = f"{fund} not shown as {label}; errors on the page: {refusals}"
        raise AssertionError(message) from missing
    wait_drawn(page)  # the rerun after the save has drawn every fund again
    expect(fund_label(page, fund)).to_have_text(shown)


def progress(page: Page) -> Locator:
    return page.get_by_test_id("stProgress")


def fill_idea(page: Page, text: str, area: str, lang: str) -> Locator:
    """Type a new idea in the ideas tab (not saved yet); the new-idea box."""
    form = new_idea_box(open_tab(page, "workspace.tab_ideas", lang))
    select = form.get_by_role("combobox", name=t("col.area", lang))
    if select.input_value() != area:
        select.click()
        page.get_by_role("option", name=area, exact=True).click()
        expect(select).to_have_value(area)
        # Choosing an area reruns the page (the box is not a form, so that a reload keeps it);
        # a person starts typing after it is drawn. A connection cut during that run stops it
        # half-drawn, and the browser then draws the text box anew, empty (see the note of #15).
        wait_rerun(page)
    form.get_by_label(t("field.idea", lang).capitalize()).fill(text)
    return form


def new_idea_box(panel: Locator) -> Locator:
    """The ideas tab's box for a new idea (a container keyed "new-idea", not a form)."""
    return panel.locator(".st-key-new-idea")


def submit_idea(page: Page, form: Locator, lang: str) -> None:
    form.get_by_role("button", name=t("workspace.add_idea", lang), exact=True).click()
    expect(toast(page, "workspace.idea_saved", lang).last).to_be_visible(timeout=20_000)
    wait_drawn(page)


def add_idea(page: Page, text: str, area: str, lang: str) -> None:
    submit_idea(page, fill_idea(page, text, area, lang), lang)


def own_ideas(page: Page, lang: str) -> Locator:
    """The ideas tab's ideas (each shown with st.text) of this group."""
    return open_tab(page, "workspace.tab_ideas", lang).get_by_test_id("stText")


def vote_list(page: Page, area: str, lang: str) -> Locator:
    """The vote tab showing one plan area's ideas (of every group); the tab panel."""
    panel = open_tab(page, "workspace.tab_vote", lang)
    areas = panel.get_by_role("radiogroup", name=t("col.area", lang))
    if areas.get_by_role("radio", name=area).get_attribute("aria-checked") != "true":
        areas.get_by_role("radio", name=area).click()
        wait_rerun(page)
        expect(areas.get_by_role("radio", name=area)).to_have_attribute("aria-checked", "true")
    return panel


def edit_buttons(page: Page, lang: str) -> Locator:
    """The edit buttons (popovers holding the edit form and withdraw) in the visible tab."""
    return page.get_by_role("tabpanel").get_by_role("button", name=t("workspace.edit", lang))
