"""A breakout session in real browsers: six groups, a projector, a facilitator, one server.

The first test has a fresh Samut Prakan workshop (25 funds, nothing rated) and a server of its
own; the others share one, each checking only what its own steps change, so that each passes
alone or in any order.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, expect
from support import AppServer

from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS

from .browser_app import (
    CONNECTED,
    CuttableConnection,
    SeededWorkshop,
    add_idea,
    alert,
    edit_buttons,
    fill_idea,
    fill_rating,
    fund_expander,
    fund_label,
    new_idea_box,
    open_fund,
    open_page,
    open_tab,
    own_ideas,
    progress,
    rate_fund,
    rated_funds,
    save_button,
    save_rating,
    sign_in,
    stored,
    submit_idea,
    title,
    toast,
    vote_list,
    wait_drawn,
    wait_rerun,
)

TH = "th"
PROJECTOR_DEADLINE_S = 10


def group_link(app: AppServer, code: str) -> str:
    return app.url(f"/group?code={code}")


def planned_grades(workshop: SeededWorkshop) -> dict[str, str]:
    """The grade each group gives each fund: A, B, C, D in turn over the 25 funds."""
    funds = [fund for group in workshop.groups for fund in group.funds]
    return {fund: GRADE_LETTERS[n % 4] for n, fund in enumerate(funds)}


def idea_text(n: int, workshop: SeededWorkshop) -> str:
    return f"กลุ่ม{workshop.groups[n].name_th}: ประชุมคณะกรรมการทุกเดือน (e2e-idea-{n})"


def test_six_groups_rate_every_fund_and_the_projector_follows_without_a_click(
    browser: Browser, lone_fresh_app: AppServer, lone_fresh_workshop: SeededWorkshop
):
    workshop = lone_fresh_workshop
    grades = planned_grades(workshop)
    areas = list(workshop.area_names)

    # The projector is on before the groups start; nobody touches it again.
    projector_context = browser.new_context(viewport={"width": 1280, "height": 720})
    projector = projector_context.new_page()
    loads: list[str] = []
    projector.on("load", lambda p: loads.append(p.url))
    open_page(projector, lone_fresh_app.url(f"/projector?ws={workshop.slug}"))
    expect(title(projector)).to_have_text(workshop.title_th)
    rows = projector.locator(".chip.progress")
    expect(rows).to_have_text(
        [re.compile(rf"^{re.escape(g.name_th)}\s*0/{len(g.funds)}$") for g in workshop.groups]
    )

    for n, group in enumerate(workshop.groups):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = open_page(context.new_page(), group_link(lone_fresh_app, group.code))
        expect(title(page)).to_have_text(group.name_th)
        assert rated_funds(page) == list(group.funds)
        for fund in group.funds:
            letter = grades[fund]
            label = workshop.grade_label(letter, TH)
            rate_fund(page, fund, letter, f"เหตุผลระดับ {letter} ของ{fund}", label, TH)
        expect(progress(page)).to_contain_text(
            t("workspace.progress", TH, rated=len(group.funds), total=len(group.funds))
        )
        add_idea(page, idea_text(n, workshop), workshop.area(areas[n % 4], TH), TH)
        expect(own_ideas(page, TH)).to_have_text([idea_text(n, workshop)])
        last_save = time.monotonic()
        context.close()

    def left_ms() -> float:
        return max(500, 1000 * (PROJECTOR_DEADLINE_S - (time.monotonic() - last_save)))

    # Every group's progress full, every grade counted, every idea on the wall: no click.
    expect(rows).to_have_text(
        [
            re.compile(rf"^{re.escape(g.name_th)}\s*{len(g.funds)}/{len(g.funds)}$")
            for g in workshop.groups
        ],
        timeout=left_ms(),
    )
    counts = {letter: list(grades.values()).count(letter) for letter in GRADE_LETTERS}
    assert sum(counts.values()) == 25
    expect(projector.locator(".chip.grade")).to_have_text(
        [re.compile(rf"^{letter}\s*{counts[letter]}$") for letter in GRADE_LETTERS],
        timeout=left_ms(),
    )
    cards = projector.locator(".idea-card")
    for n, group in enumerate(workshop.groups):
        card = cards.filter(has_text=idea_text(n, workshop))
        expect(card).to_have_count(1, timeout=left_ms())
        expect(card).to_contain_text(group.name_th)
    assert time.monotonic() - last_save < PROJECTOR_DEADLINE_S
    assert len(loads) == 1, f"the projector was reloaded: {loads}"
    projector_context.close()

    # What is stored: one rating per fund, by the fund's own group, and the six ideas.
    with lone_fresh_app.stopped(), stored(workshop.db) as db:
        ratings = db.execute(
            """
            SELECT f.name, count(*), bool_and(r.group_id = f.group_id), any_value(r.grade)
            FROM ratings r JOIN funds f ON f.id = r.fund_id
            WHERE r.workshop_id = ? GROUP BY f.name
            """,
            [workshop.id],
        ).fetchall()
        ideas = db.execute(
            """
            SELECT idea_id, group_id, area, text FROM idea_versions
            WHERE workshop_id = ? AND text LIKE '%e2e-idea-%' AND NOT withdrawn
            """,
            [workshop.id],
        ).fetchall()
    assert sorted(ratings) == sorted((fund, 1, True, grade) for fund, grade in grades.items())
    assert len({idea_id for idea_id, *_ in ideas}) == 6
    assert sorted(row[1:] for row in ideas) == sorted(
        (group.id, areas[n % 4], idea_text(n, workshop)) for n, group in enumerate(workshop.groups)
    )


def test_a_group_page_shows_only_its_own_funds_and_ideas_to_edit(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    mine, other = fresh_workshop.groups[0], fresh_workshop.groups[1]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    # Group B enters an idea first, in its own tab of the same browser.
    theirs = open_page(context.new_page(), group_link(fresh_app, other.code))
    their_idea = "ข้อเสนอของอีกกลุ่ม: เปิดบัญชีออนไลน์ (e2e-other)"
    add_idea(theirs, their_idea, fresh_workshop.area("data", TH), TH)
    theirs.close()

    page = open_page(context.new_page(), group_link(fresh_app, mine.code))
    our_idea = "ข้อเสนอของกลุ่มเรา: อบรมเหรัญญิก (e2e-mine)"
    add_idea(page, our_idea, fresh_workshop.area("data", TH), TH)

    # Rating forms: exactly this group's funds, none of any other group's.
    open_tab(page, "workspace.tab_rate", TH)
    expect(page.get_by_test_id("stExpander")).to_have_count(len(mine.funds))
    assert rated_funds(page) == list(mine.funds)
    open_fund(page, mine.funds[0], TH)  # a form is drawn only for the fund that is open
    save_buttons = page.get_by_role("button", name=t("workspace.save_rating", TH))
    expect(save_buttons).to_have_count(1)
    others = {fund for group in fresh_workshop.groups[1:] for fund in group.funds}
    assert not others & set(rated_funds(page))
    for fund in other.funds:
        expect(fund_expander(page, fund)).to_have_count(0)

    # Ideas to edit or withdraw: only this group's; the other group's idea is not among them.
    ideas = own_ideas(page, TH)
    expect(ideas.filter(has_text=our_idea)).to_have_count(1)
    expect(ideas.filter(has_text=their_idea)).to_have_count(0)
    expect(edit_buttons(page, TH)).to_have_count(ideas.count())
    # ... while it is there to vote on, with vote buttons and no edit button.
    vote = vote_list(page, fresh_workshop.area("data", TH), TH)
    expect(vote.get_by_text(their_idea, exact=True)).to_be_visible()
    expect(edit_buttons(page, TH)).to_have_count(0)
    expect(vote.get_by_role("button", name="+1").first).to_be_visible()
    context.close()


def test_adding_an_idea_keeps_the_ideas_tab_open(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    group = fresh_workshop.groups[1]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = open_page(context.new_page(), group_link(fresh_app, group.code))
    text = "ทำปฏิทินประชุมกรรมการทั้งปี (e2e-tab)"
    submit_idea(page, fill_idea(page, text, fresh_workshop.area("committee", TH), TH), TH)
    ideas_tab = page.get_by_role("tab", name=t("workspace.tab_ideas", TH))
    try:
        expect(ideas_tab).to_have_attribute("aria-selected", "true", timeout=3000)
        expect(page.get_by_role("tabpanel").get_by_text(text, exact=True)).to_be_visible()
    finally:
        context.close()


MARKUP = "<b>bold</b> **x** <img src=x onerror=alert(1)>"


def test_markup_typed_into_an_idea_is_shown_as_plain_text(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    group = fresh_workshop.groups[2]
    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = open_page(context.new_page(), group_link(fresh_app, group.code))
    add_idea(page, MARKUP, fresh_workshop.area("membership", TH), TH)

    shown = own_ideas(page, TH).filter(has_text=MARKUP)
    expect(shown).to_have_count(1)
    expect(shown).to_have_text(MARKUP)
    vote = vote_list(page, fresh_workshop.area("membership", TH), TH)
    expect(vote.get_by_text(MARKUP, exact=True)).to_be_visible()

    projector = open_page(context.new_page(), fresh_app.url(f"/projector?ws={fresh_workshop.slug}"))
    card = projector.locator(".idea-card").filter(has_text=MARKUP)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(group.name_th)

    for screen in (page, projector):
        main = screen.get_by_test_id("stMain")
        expect(main.locator("b", has_text="bold")).to_have_count(0)
        expect(main.locator("strong", has_text="x")).to_have_count(0)
        expect(main.locator("img[src=x]")).to_have_count(0)
    assert dialogs == []
    context.close()


def test_a_half_typed_idea_survives_a_short_connection_drop(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    group = fresh_workshop.groups[3]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    wifi = CuttableConnection(context)
    page = open_page(wifi.page, group_link(fresh_app, group.code))
    text = "ตั้งกองทุนย่อยสำหรับผู้สูงอายุ (e2e-offline)"
    form = fill_idea(page, text, fresh_workshop.area("committee", TH), TH)
    field = form.get_by_label(t("field.idea", TH).capitalize())

    wifi.drop_for_a_moment()

    expect(field).to_have_value(text)
    submit_idea(page, form, TH)
    expect(own_ideas(page, TH).filter(has_text=text)).to_have_count(1)
    context.close()


def test_a_rating_save_leaves_the_funds_box_open(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    """The box holds the disagreement's explanation: a save must not fold it away."""
    group = fresh_workshop.groups[2]
    fund = group.funds[1]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = open_page(context.new_page(), group_link(fresh_app, group.code))
    label = fresh_workshop.grade_label("C", TH)
    rate_fund(page, fund, "C", "ทะเบียนสมาชิกยังไม่ครบ (e2e-open)", label, TH)
    box = fund_expander(page, fund)
    expect(box.locator("details[open]")).to_have_count(1)
    expect(box.get_by_role("button", name=t("workspace.save_rating", TH))).to_be_visible()
    context.close()


def test_a_reload_on_a_phone_brings_back_what_was_typed_and_chosen(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    """A phone reloads the tab after the user has been in LINE or the camera."""
    group = fresh_workshop.groups[3]
    area = fresh_workshop.area("linkage", TH)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = open_page(context.new_page(), group_link(fresh_app, group.code))
    name = page.get_by_label(t("workspace.your_name", TH))
    name.fill("สมศรี")
    name.press("Tab")  # a field reaches the server when it is left
    text = "ตั้งกองทุนย่อยสำหรับผู้สูงอายุ (e2e-reload)"
    form = fill_idea(page, text, area, TH)
    form.get_by_text(t("workspace.action_plan", TH)).click()
    action = form.get_by_label(t("field.action", TH).capitalize())
    action.fill("สำรวจผู้สูงอายุทุกหมู่บ้าน")
    action.press("Tab")
    wait_rerun(page)

    page.reload()
    wait_drawn(page)
    ideas_tab = page.get_by_role("tab", name=t("workspace.tab_ideas", TH))
    expect(ideas_tab).to_have_attribute("aria-selected", "true")
    form = new_idea_box(page.get_by_role("tabpanel"))
    expect(page.get_by_label(t("workspace.your_name", TH))).to_have_value("สมศรี")
    expect(form.get_by_role("combobox", name=t("col.area", TH))).to_have_value(area)
    expect(form.get_by_label(t("field.idea", TH).capitalize())).to_have_value(text)
    expect(form.get_by_label(t("field.action", TH).capitalize())).to_have_value(
        "สำรวจผู้สูงอายุทุกหมู่บ้าน"
    )
    # Still there after a look at a fund on the other tab (a run that does not draw the box).
    open_tab(page, "workspace.tab_rate", TH)
    open_fund(page, group.funds[0], TH)
    form = new_idea_box(open_tab(page, "workspace.tab_ideas", TH))
    expect(form.get_by_label(t("field.idea", TH).capitalize())).to_have_value(text)

    submit_idea(page, form, TH)
    page.reload()
    wait_drawn(page)
    form = new_idea_box(page.get_by_role("tabpanel"))
    expect(form.get_by_label(t("field.idea", TH).capitalize())).to_have_value("")
    expect(own_ideas(page, TH).filter(has_text=text)).to_have_count(1)
    context.close()


def test_reloading_or_restarting_the_server_keeps_the_group(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    group = fresh_workshop.groups[4]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = open_page(context.new_page(), group_link(fresh_app, group.code))

    def same_group() -> None:
        wait_drawn(page)
        expect(title(page)).to_have_text(group.name_th, timeout=30_000)
        expect(page.get_by_role("dialog")).to_have_count(0)
        assert f"code={group.code}" in page.url
        assert rated_funds(page) == list(group.funds)

    same_group()
    page.reload()
    same_group()

    with fresh_app.stopped():
        expect(page.locator(CONNECTED)).to_have_count(0)
        # Streamlit's own English dialog ("Are you connected to the internet?") says ours.
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible(timeout=30_000)
        lost = page.evaluate("d => getComputedStyle(d, '::after').content", dialog.element_handle())
        assert t("connection.lost", TH) in lost
        expect(dialog.get_by_text("connected to the internet")).to_be_hidden()
    # The open page finds the restarted server by itself; a reload opens the group again too.
    expect(page.locator(CONNECTED)).to_have_count(1, timeout=30_000)
    same_group()
    page.reload()
    same_group()
    context.close()


def test_a_wrong_code_says_so(browser: Browser, fresh_app: AppServer):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = open_page(context.new_page(), fresh_app.url("/"))
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=t("start.join_button", TH), exact=True)
    )
    form.get_by_label(t("start.code_label", TH)).fill("ZZZZ-ZZZZ")
    form.get_by_role("button", name=t("start.join_button", TH), exact=True).click()
    expect(alert(page, "Error")).to_have_text(t("error.bad_code", TH))
    expect(title(page)).to_have_text(t("app.title", TH))
    context.close()


def test_a_locked_workshop_refuses_ratings_and_says_why(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    group = fresh_workshop.groups[5]
    fund = group.funds[0]
    closed = t("workspace.locked", TH)  # the notice at the top of the group's page
    group_context = browser.new_context(viewport={"width": 390, "height": 844})
    page = open_page(group_context.new_page(), group_link(fresh_app, group.code))
    before = fund_label(page, fund).inner_text()
    letter = next(g for g in GRADE_LETTERS if f"— {g} · " not in before)
    reason = "ปรับระดับหลังอภิปราย"
    # The group has its rating ready when the facilitator closes entry.
    box = fill_rating(page, fund, letter, reason, TH)

    facilitator_context = browser.new_context(viewport={"width": 1280, "height": 720})
    setup = open_page(facilitator_context.new_page(), fresh_app.url("/"))
    sign_in(setup, fresh_workshop.passcode, TH)
    open_tab(setup, "setup.tab_session", TH)
    setup.get_by_role("button", name=t("setup.lock", TH), exact=True).click()
    expect(alert(setup, "Warning")).to_have_text(t("setup.is_locked", TH))

    # The save reaches a page that now knows entry is closed: the button is disabled, the
    # notice at the top says why, and what was typed stays for when entry reopens.
    save_rating(box, TH)
    expect(save_button(box, TH)).to_be_disabled(timeout=20_000)
    wait_drawn(page)
    expect(alert(page, "Warning").filter(has_text=closed)).to_be_visible()
    expect(fund_label(page, fund)).to_have_text(before)
    box = open_fund(page, fund, TH)  # still open after the refusal, or opened again
    expect(box.get_by_test_id("stTextArea").locator("textarea")).to_have_value(reason)
    # Whoever opens the group's link now reads why entry is closed.
    late = open_page(group_context.new_page(), group_link(fresh_app, group.code))
    expect(alert(late, "Warning").filter(has_text=closed)).to_be_visible()
    late.close()

    # Entry open again: the same rating, still filled in, goes through.
    setup.get_by_role("button", name=t("setup.unlock", TH), exact=True).click()
    expect(toast(setup, "setup.unlocked", TH)).to_be_visible()
    expect(setup.get_by_role("button", name=t("setup.lock", TH), exact=True)).to_be_visible()
    # The group's page learns of it at its next run (pages do not poll): a name typed in here.
    name = page.get_by_label(t("workspace.your_name", TH))
    name.fill("ทดสอบ")
    name.press("Tab")
    expect(save_button(box, TH)).to_be_enabled(timeout=20_000)
    expect(box.get_by_test_id("stTextArea").locator("textarea")).to_have_value(reason)
    save_rating(box, TH)
    label = f"{fund} — {fresh_workshop.grade_label(letter, TH)}"
    # " ⚠": an earlier test rated this fund differently from another device.
    expect(fund_label(page, fund).last).to_have_text(
        re.compile("^" + re.escape(label) + "( ⚠)?$"), timeout=20_000
    )
    wait_drawn(page)
    expect(alert(page, "Warning").filter(has_text=closed)).to_have_count(0)
    group_context.close()
    facilitator_context.close()
