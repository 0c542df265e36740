"""Every screen of the demo workshop in Thai and English, on a laptop and a phone screen.

The screenshots go to artifacts/screenshots/ (git-ignored) for people to look at; the test
checks what each screen must show, that the Thai font is the app's own, and that the browser
asks nothing of any other host (the meeting room may have no internet).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect
from support import AppServer

from welfare_core.i18n import LANGUAGES, t

from .browser_app import (
    REPO,
    SeededWorkshop,
    choose_language,
    nav_to,
    open_page,
    open_tab,
    sign_in,
    title,
    wait_drawn,
)

SHOTS = REPO / "artifacts" / "screenshots"
LAPTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}


def shoot(page: Page, lang: str, screen: str, *shown: Locator) -> None:
    """Screenshots at both sizes, once the screen shows what it must (at both sizes)."""
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        # Two animation frames: the layout has followed the new width.
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        wait_drawn(page)
        for locator in shown:
            expect(locator).to_be_visible()
        name = f"{lang}-{size['width']}x{size['height']}-{screen}.png"
        page.screenshot(path=SHOTS / name)  # what the screen shows, as a user sees it
    page.set_viewport_size(LAPTOP)


def sarabun_loaded(page: Page) -> bool:
    return page.evaluate(
        "() => document.fonts.ready.then(() => [...document.fonts].some("
        "f => f.family.replace(/[\"']/g, '') === 'Sarabun' && f.status === 'loaded'))"
    )


class LanguageForgotten(AssertionError):
    """A screen came up in the other language than the one chosen on the start page."""


class Walk:
    """Goes through the screens; notes in which language each screen came up."""

    def __init__(self, page: Page, lang: str) -> None:
        self.page, self.lang, self.shown = page, lang, {}

    def arrive(self, screen: str, titles: dict[str, str]) -> str:
        """Wait for the screen's title in either language; the language it is shown in."""
        expect(title(self.page)).to_have_text(
            re.compile("^(" + "|".join(re.escape(x) for x in titles.values()) + ")$"),
            timeout=20_000,
        )
        wait_drawn(self.page)
        shown = next(lang for lang, text in titles.items() if title(self.page).inner_text() == text)
        self.shown[screen] = shown
        return shown

    def check_language(self) -> None:
        wrong = {screen: shown for screen, shown in self.shown.items() if shown != self.lang}
        if wrong:
            raise LanguageForgotten(f"chose {self.lang!r}, these screens were not: {wrong}")


def both(key: str, **params: object) -> dict[str, str]:
    return {lang: t(key, lang, **params) for lang in LANGUAGES}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_screen_in_thai_and_english(
    browser: Browser, demo_app: AppServer, demo_workshop: SeededWorkshop, lang: str
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    workshop, group = demo_workshop, demo_workshop.groups[0]
    context = browser.new_context(viewport=LAPTOP)
    # Nothing leaves the machine (see test_no_request_leaves_the_room for what tries to).
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = open_page(context.new_page(), demo_app.url("/"))
    walk = Walk(page, lang)

    # Start: Thai unless English is chosen; the language stays with this browser session.
    if lang == "en":
        choose_language(page, lang)
    shown = walk.arrive("start", both("app.title"))
    assert sarabun_loaded(page)
    join = page.get_by_role("button", name=t("start.join_button", shown), exact=True)
    shoot(page, lang, "start", title(page), join)

    # A group joins by its code and works in three tabs.
    page.get_by_label(t("start.code_label", shown)).fill(group.code)
    join.click()
    shown = walk.arrive("group", {"th": group.name_th, "en": group.name_en})
    panel = open_tab(page, "workspace.tab_rate", shown)
    shoot(page, lang, "group-rate", title(page), panel.get_by_text(group.funds[0]).first)
    panel = open_tab(page, "workspace.tab_ideas", shown)
    add = panel.get_by_role("button", name=t("workspace.add_idea", shown), exact=True)
    shoot(page, lang, "group-ideas", title(page), add)
    panel = open_tab(page, "workspace.tab_vote", shown)
    areas = panel.get_by_role("radiogroup", name=t("col.area", shown))
    shoot(
        page, lang, "group-vote", title(page), areas, panel.get_by_role("button", name="+1").first
    )

    # The projector: every group's progress full in the demo, the chart, the idea wall.
    nav_to(page, "nav.projector", shown)
    shown = walk.arrive("projector", {"th": workshop.title_th, "en": workshop.title_en})
    rows = page.locator(".chip.progress")
    expect(rows).to_have_count(len(workshop.groups))
    for row, seeded in zip(rows.all(), workshop.groups, strict=True):
        expect(row).to_contain_text(f"{len(seeded.funds)}/{len(seeded.funds)}")
    shoot(page, lang, "projector", title(page), page.locator(".idea-card").first)
    # The chart of grades per district is the projector's other view.
    views = page.get_by_role("radiogroup", name=t("projector.view", shown))
    views.get_by_role("radio", name=t("projector.view_grades", shown), exact=True).click()
    chart = page.get_by_text(t("projector.grades", shown), exact=True)
    shoot(page, lang, "projector-grades", title(page), chart, page.locator(".grade-tile").first)

    # The facilitator signs in and goes through the set-up tabs, the plenary and the export.
    nav_to(page, "nav.start", shown)
    shown = walk.arrive("start again", both("app.title"))
    sign_in(page, workshop.passcode, shown)
    shown = walk.arrive("setup", both("setup.title"))
    checks = {
        "setup.tab_session": lambda p: p.get_by_role(
            "button", name=t("setup.lock", shown), exact=True
        ),
        "setup.tab_codes": lambda p: p.get_by_text(group.code).first,
        "setup.tab_facts": lambda p: p.get_by_label(t("field.title_th", shown).capitalize()),
        "setup.tab_roster": lambda p: p.get_by_text(t("setup.roster_file", shown)),
        "setup.tab_new": lambda p: p.get_by_role(
            "button", name=t("setup.create", shown), exact=True
        ),
    }
    for key, check in checks.items():
        panel = open_tab(page, key, shown)
        shoot(page, lang, key.replace("setup.tab_", "setup-"), title(page), check(panel))
    open_tab(page, "setup.tab_facts", shown)  # only the chosen tab is drawn
    expect(page.get_by_label(t("field.title_th", shown).capitalize())).to_have_value(
        workshop.title_th
    )

    nav_to(page, "nav.plenary", shown)
    shown = walk.arrive("plenary", both("plenary.title"))
    first_area = page.get_by_role("tab", name=workshop.area(next(iter(workshop.area_names)), shown))
    shoot(page, lang, "plenary", title(page), first_area)

    nav_to(page, "nav.export", shown)
    shown = walk.arrive("export", both("exportpage.title"))
    excel = page.get_by_role("button", name=t("exportpage.xlsx", shown))
    shoot(page, lang, "export", title(page), excel)
    # The download is built on click and is a workbook with the funds of the workshop.
    with page.expect_download(timeout=60_000) as download:
        excel.click()
    assert download.value.suggested_filename == f"{workshop.slug}_2019-06-24_plan.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    funds = book.worksheets[1]  # Summary, Funds, Ideas, Plan, History
    names = {row[1] for row in funds.iter_rows(min_row=2, values_only=True)}
    assert names == {fund for seeded in workshop.groups for fund in seeded.funds}
    context.close()
    walk.check_language()


def test_no_request_leaves_the_room(browser: Browser, demo_app: AppServer):
    context = browser.new_context(viewport=LAPTOP)
    elsewhere: list[str] = []

    def outside(route: Route) -> None:
        elsewhere.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), outside)
    page = open_page(context.new_page(), demo_app.url("/"))
    nav_to(page, "nav.projector", "th")
    expect(page.locator(".chip.progress").first).to_be_visible(timeout=20_000)
    page.wait_for_load_state("networkidle")
    context.close()
    assert elsewhere == []
