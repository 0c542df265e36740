"""A half-filled rating survives a reload on a phone (#15 item 13).

A phone reloads its tab after the user has been in LINE or the camera: the fund's box is open
again, with the grade picked, the reason half typed and the figure, and Save stores what it
shows. Its own server, on a fresh Samut Prakan workshop (nothing rated).
"""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Browser, Locator, expect
from support import AppServer

from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS

from .browser_app import (
    CuttableConnection,
    SeededWorkshop,
    fund_expander,
    fund_label,
    open_fund,
    open_page,
    save_rating,
    stored,
    wait_drawn,
    wait_rerun,
)

TH = "th"
PHONE = {"width": 390, "height": 844}


def grade_option(box: Locator, letter: str) -> Locator:
    return box.get_by_test_id("stRadioOption").nth(GRADE_LETTERS.index(letter))


def reason_box(box: Locator) -> Locator:
    return box.get_by_test_id("stTextArea").locator("textarea")


def members_box(box: Locator) -> Locator:
    return box.get_by_label(t("field.members", TH).capitalize())


def balance_box(box: Locator) -> Locator:
    return box.get_by_label(t("field.balance", TH).capitalize())


def leave(field: Locator) -> None:
    """A typed field reaches the server when it is left; wait for the rerun that follows."""
    field.press("Tab")
    wait_rerun(field.page)


def test_a_half_filled_rating_comes_back_after_a_reload_and_saves_as_shown(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    group = fresh_workshop.groups[0]
    fund, other = group.funds[:2]
    half = "ทะเบียนสมาชิกยังเป็นกระดาษ ประชุม"
    context = browser.new_context(viewport=PHONE)
    page = open_page(context.new_page(), fresh_app.url(f"/group?code={group.code}"))
    box = open_fund(page, fund, TH)
    grade_option(box, "C").click()
    wait_rerun(page)
    reason_box(box).fill(half)
    leave(reason_box(box))
    members_box(box).fill("87")
    leave(members_box(box))

    page.reload()
    wait_drawn(page)
    # The fund's box is open again by itself, with what was filled in.
    box = fund_expander(page, fund)
    expect(box.locator("details[open]")).to_have_count(1, timeout=20_000)
    expect(grade_option(box, "C").locator("input")).to_be_checked()
    expect(reason_box(box)).to_have_value(half)
    expect(members_box(box)).to_have_value("87")
    # Another fund of the group starts from its own (empty) rating, not from this draft.
    second = open_fund(page, other, TH)
    expect(second.get_by_test_id("stRadioOption").locator("input:checked")).to_have_count(0)
    expect(reason_box(second)).to_have_value("")
    expect(members_box(second)).not_to_have_value("87")

    # The reason finished and saved: what is stored is what the box showed.
    whole = half + "ทุกเดือน"
    reason_box(box).fill(whole)
    balance = balance_box(box).input_value()
    save_rating(box, TH)
    label = f"{fund} — {fresh_workshop.grade_label('C', TH)}"
    expect(fund_label(page, fund).last).to_have_text(
        re.compile("^" + re.escape(label) + "$"), timeout=20_000
    )
    wait_drawn(page)
    expect(reason_box(box)).to_have_value(whole)  # drawn again from the saved rating
    context.close()

    with fresh_app.stopped(), stored(fresh_workshop.db) as db:
        rows = db.execute(
            "SELECT f.name, r.grade, r.reason, r.members, r.balance_baht FROM ratings r"
            " JOIN funds f ON f.id = r.fund_id WHERE r.group_id = ?",
            [group.id],
        ).fetchall()
    assert rows == [(fund, "C", whole, 87, Decimal(balance) if balance else None)]


def test_a_half_typed_reason_survives_a_short_connection_drop(
    browser: Browser, fresh_app: AppServer, fresh_workshop: SeededWorkshop
):
    """Wi-Fi drops while the reason is typed, not yet sent: the reconnected page keeps it."""
    group = fresh_workshop.groups[1]
    fund = group.funds[0]
    context = browser.new_context(viewport=PHONE)
    wifi = CuttableConnection(context)
    page = open_page(wifi.page, fresh_app.url(f"/group?code={group.code}"))
    box = open_fund(page, fund, TH)
    grade_option(box, "B").click()
    wait_rerun(page)  # the box's own rerun; a person reads the grade before typing
    typed = "ประชุมกรรมการทุกเดือน (e2e-offline)"
    reason_box(box).fill(typed)

    wifi.drop_for_a_moment()

    expect(grade_option(box, "B").locator("input")).to_be_checked()
    expect(reason_box(box)).to_have_value(typed)
    save_rating(box, TH)
    label = f"{fund} — {fresh_workshop.grade_label('B', TH)}"
    expect(fund_label(page, fund).last).to_have_text(label, timeout=20_000)
    context.close()
