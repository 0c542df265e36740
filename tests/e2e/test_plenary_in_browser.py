"""The plenary in a real browser: the facilitator ticks ideas into the plan as fast as a room
decides, and every tick is kept; the confirmations (toasts) stay where they belong."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from bench.server import AppServer
from welfare_core import consolidate
from welfare_core.db.store import Store
from welfare_core.i18n import t

from .browser_app import (
    SeededWorkshop,
    add_idea,
    nav_to,
    open_page,
    sign_in,
    title,
    toast,
    wait_drawn,
)

TH = "th"


def plenary(
    context: BrowserContext, app: AppServer, workshop: SeededWorkshop
) -> tuple[Page, Locator]:
    """The facilitator signed in on the plenary page, and its ideas' adoption boxes."""
    page = open_page(context.new_page(), app.url("/"))
    sign_in(page, workshop.passcode, TH)
    nav_to(page, "nav.plenary", TH)
    wait_drawn(page)
    return page, page.get_by_role("tabpanel").get_by_test_id("stCheckbox")


def test_ticks_made_in_quick_succession_are_all_adopted(
    browser: Browser, demo_app: AppServer, demo_workshop: SeededWorkshop
):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page, boxes = plenary(context, demo_app, demo_workshop)
    expect(boxes.first).to_be_visible(timeout=20_000)
    ideas = boxes.count()
    # Three ticks half a second apart, then seven a fifth of a second apart: no waiting for
    # the page to redraw between them, as a facilitator clicks down the list (more ticks than
    # a tab's burst of reruns, so some wait at the server's rerun gate).
    gaps_ms = [500, 500, 500] + [200] * 7
    assert ideas >= len(gaps_ms)
    for n, gap_ms in enumerate(gaps_ms):
        boxes.nth(n).locator("label").click()
        page.wait_for_timeout(gap_ms)
    wait_drawn(page)
    for n in range(ideas):
        expect(boxes.nth(n).get_by_role("checkbox")).to_be_checked(checked=n < len(gaps_ms))

    # The merge list offers the ideas and nothing in English ("Select all" was Streamlit's).
    merge = page.get_by_role("tabpanel").get_by_test_id("stMultiSelect")
    merge.get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")  # the list opens
    dropdown = page.get_by_test_id("stMultiSelectDropdown")
    expect(dropdown.get_by_role("option").first).to_be_visible()
    expect(dropdown.get_by_role("option")).to_have_count(ideas)
    expect(dropdown.get_by_text("Select all")).to_have_count(0)
    context.close()

    with demo_app.stopped():
        store = Store(demo_workshop.db)
        try:
            plan = consolidate.plan(store.read(), demo_workshop.id)
            data = consolidate.ideas(store.read(), demo_workshop.id)
        finally:
            store.close()
    first_area = next(iter(demo_workshop.area_names))
    ticked = data[data["area"] == first_area].sort_values(
        ["votes", "created_at"], ascending=[False, True]
    )["idea_id"][: len(gaps_ms)]
    assert sorted(plan["idea_id"]) == sorted(ticked)


def test_a_toast_stays_on_the_page_that_made_it(
    browser: Browser, demo_app: AppServer, demo_workshop: SeededWorkshop
):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page, boxes = plenary(context, demo_app, demo_workshop)
    boxes.last.locator("label").click()
    adopted = toast(page, "plenary.adopted", TH)
    expect(adopted).to_be_visible(timeout=20_000)
    # The pointer rests on the toast (which keeps it open) while the facilitator goes on to
    # the export page with the keyboard.
    adopted.hover()
    page.get_by_test_id("stTopNavLink").filter(has_text=t("nav.export", TH)).focus()
    page.keyboard.press("Enter")
    expect(title(page)).to_have_text(t("exportpage.title", TH), timeout=20_000)
    expect(page.get_by_test_id("stToast")).to_have_count(0)
    context.close()


def test_on_a_phone_a_toast_leaves_the_groups_name_in_view(
    browser: Browser, demo_app: AppServer, demo_workshop: SeededWorkshop
):
    phone = {"width": 390, "height": 844}
    group = demo_workshop.groups[0]
    context = browser.new_context(viewport=phone, is_mobile=True, has_touch=True)
    page = open_page(context.new_page(), demo_app.url(f"/group?code={group.code}"))
    add_idea(page, "ทดลองข้อเสนอบนมือถือ (e2e-toast)", demo_workshop.area("data", TH), TH)
    page.evaluate("() => window.scrollTo(0, 0)")
    shown = toast(page, "workspace.idea_saved", TH).last
    expect(shown).to_be_visible()
    name, note = title(page).bounding_box(), shown.bounding_box()
    assert name is not None and note is not None
    overlaps = note["y"] < name["y"] + name["height"] and name["y"] < note["y"] + note["height"]
    assert not overlaps, (name, note)
    assert note["y"] > phone["height"] / 2  # at the bottom of the screen
    context.close()
