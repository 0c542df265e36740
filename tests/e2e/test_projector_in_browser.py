"""The projector at 1280x720 as the room sees it: the idea wall on the screen without scrolling,
during the breakout and once entry is closed for the plenary."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.server import AppServer
from welfare_core.db.store import Store
from welfare_core.model import Caller
from welfare_core.service import WorkshopService

from .browser_app import SeededWorkshop, open_page, wait_drawn

PROJECTOR = {"width": 1280, "height": 720}
# Of the demo's 24 cards on the wall (6 per area): at least this many are read in full, and
# at least this many in every area (the rest may run off the bottom of the screen).
MIN_CARDS, MIN_PER_AREA = 12, 3
BACK_ROW_PX = 16  # the smallest text the back of the room must read, exclusive


def cards_in_view(page: Page) -> list[int]:
    """Per area column, how many idea cards lie wholly inside the viewport."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.wall-area')].map(head => {
             const cards = [...head.parentElement.querySelectorAll('.idea-card')];
             return cards.filter(c => { const r = c.getBoundingClientRect();
               return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight
                      && r.right <= innerWidth; }).length; })"""
    )


def smallest_text_px(page: Page, selector: str) -> float:
    return page.evaluate(
        """s => Math.min(...[...document.querySelectorAll(s)].map(
             e => parseFloat(getComputedStyle(e).fontSize)))""",
        selector,
    )


def close_entry(workshop: SeededWorkshop, closed: bool) -> None:
    """What the facilitator's "close entry" button does, while the server is stopped."""
    store = Store(workshop.db)
    try:
        service = WorkshopService(store)
        token = service.sign_in(workshop.slug, workshop.passcode)
        service.set_locked(Caller(token, "laptop-test", "facilitator"), closed)
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_idea_wall_fits_the_projected_screen(
    browser: Browser, demo_app: AppServer, demo_workshop: SeededWorkshop, lang: str
):
    language = "&lang=en" if lang == "en" else ""
    link = demo_app.url(f"/projector?ws={demo_workshop.slug}{language}")
    seen = {}
    for state in ("breakout", "closed"):
        if state == "closed":
            with demo_app.stopped():
                close_entry(demo_workshop, True)
        context = browser.new_context(viewport=PROJECTOR)
        page = open_page(context.new_page(), link)
        expect(page.locator(".idea-card").first).to_be_visible(timeout=20_000)
        expect(page.locator(".chip.lock")).to_have_count(1 if state == "closed" else 0)
        wait_drawn(page)
        seen[state] = cards_in_view(page)
        total = page.locator(".idea-card").count()
        print(f"\n{lang} {state}: {sum(seen[state])} of {total} cards wholly in view {seen[state]}")
        for selector in (".idea-card small", ".chip", ".flag"):
            assert smallest_text_px(page, selector) > BACK_ROW_PX, selector
        context.close()
    with demo_app.stopped():  # the next test starts in the breakout again
        close_entry(demo_workshop, False)
    for state, per_area in seen.items():
        assert sum(per_area) >= MIN_CARDS, (state, per_area)
        assert min(per_area) >= MIN_PER_AREA, (state, per_area)
