"""A half-filled rating survives a reload (#15 item 13): a phone reloads its tab after the user
has been in LINE or the camera, and the new browser session starts from the device's draft."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from welfare_core.db.store import Store
from welfare_core.i18n import t
from welfare_core.model import Group


def group_and_funds(db: Path) -> tuple[Group, list[int]]:
    store = Store(db)
    try:
        workshop = store.read().workshops()[0]
        group = store.read().groups(workshop.id)[1]
        return group, [fund.id for fund in store.read().funds(workshop.id, group.id)]
    finally:
        store.close()


def ratings_of(db: Path, fund: int) -> list[tuple]:
    """The fund's stored ratings, oldest first, read with plain SQL."""
    store = Store(db)
    try:
        return (
            store.read()
            .cur.execute(
                "SELECT grade, reason, members, balance_baht, device FROM ratings"
                " WHERE fund_id = ? ORDER BY created_at, id",
                [fund],
            )
            .fetchall()
        )
    finally:
        store.close()


def opened(code: str, device: str, fund: int | None, press: str = "") -> AppTest:
    """The group's link with a device id opened in a new browser session, as a reload does,
    with one fund's box opened by the user (``fund``), or none."""
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.session_state["language"] = "th"
    at.query_params["code"] = code
    at.query_params["d"] = device
    if press:
        at.query_params["p"] = press
    at.switch_page("pages/group_workspace.py")
    if fund is not None:
        at.session_state[f"fund-{fund}"] = True
    return at.run()


def shown(at: AppTest) -> tuple:
    """What the open fund's rating shows: grade, reason, members, balance."""
    members, balance = (box.value for box in at.number_input)
    return at.radio[0].value, at.text_area[0].value, members, balance


def save(at: AppTest) -> None:
    button = next(b for b in at.button if b.label == t("workspace.save_rating", "th"))
    button.click().run()
    assert not at.exception and not at.error
    assert [toast.value for toast in at.toast] == [t("workspace.rating_saved", "th")]


def test_a_reload_brings_back_a_half_filled_rating_for_its_fund_only(db):
    group, (fund, other_fund, *_) = group_and_funds(db)
    at = opened(group.join_code, "abc123", fund)
    stored_balance = at.number_input[1].value
    at.radio[0].set_value("D").run()
    at.text_area[0].input("กรรมการไม่ได้ประชุมมาครึ่ง").run()
    at.number_input[0].set_value(87).run()

    again = opened(group.join_code, "abc123", None)  # the fund's box is open again by itself
    assert again.session_state[f"fund-{fund}"] and len(again.radio) == 1
    assert shown(again) == ("D", "กรรมการไม่ได้ประชุมมาครึ่ง", 87, stored_balance)
    assert not again.warning  # no clash between the restored values and the widgets' own
    # Another fund of the group, another device and another group do not get it.
    other = opened(group.join_code, "abc123", other_fund)  # drawn below the first fund's box
    assert other.text_area[0].value == "กรรมการไม่ได้ประชุมมาครึ่ง"
    assert other.text_area[1].value != "กรรมการไม่ได้ประชุมมาครึ่ง"
    assert opened(group.join_code, "def456", fund).radio[0].value != "D"


def test_saving_a_restored_rating_stores_what_is_shown_once_and_ends_the_draft(db):
    group, (fund, *_) = group_and_funds(db)
    before = ratings_of(db, fund)
    at = opened(group.join_code, "abc123", fund)
    at.radio[0].set_value("C").run()
    at.text_area[0].input("ทะเบียนสมาชิกยังเป็นกระดาษ").run()
    at.number_input[1].set_value(250000.0).run()

    again = opened(group.join_code, "abc123", fund)
    filled = shown(again)
    save(again)
    assert ratings_of(db, fund) == [*before, (*filled, "laptop-abc123")]
    assert filled[:2] == ("C", "ทะเบียนสมาชิกยังเป็นกระดาษ") and filled[3] == 250000.0
    assert shown(again) == filled  # the box drawn again with the saved rating

    # The group agrees on another grade, saved from another device: the saved draft does not
    # come back over it.
    laptop = opened(group.join_code, "def456", fund)
    laptop.radio[0].set_value("B").run()
    laptop.text_area[0].input("ตกลงกันแล้ว").run()
    save(laptop)
    assert shown(opened(group.join_code, "abc123", fund))[:2] == ("B", "ตกลงกันแล้ว")


def test_a_field_left_alone_follows_the_stored_rating(db):
    """Only what the user changed is a draft: a grade another device saved meanwhile shows."""
    group, (fund, *_) = group_and_funds(db)
    phone = opened(group.join_code, "abc123", fund)
    phone.text_area[0].input("เหตุผลที่ยังพิมพ์ไม่เสร็จ").run()
    laptop = opened(group.join_code, "def456", fund)
    laptop.radio[0].set_value("A").run()
    laptop.text_area[0].input("ครบทุกข้อ").run()
    laptop.number_input[0].set_value(140).run()
    save(laptop)

    again = opened(group.join_code, "abc123", fund)
    assert shown(again)[:3] == ("A", "เหตุผลที่ยังพิมพ์ไม่เสร็จ", 140)


def test_save_pressed_again_after_a_restart_cut_off_the_confirmation_stores_one_rating(db):
    """The rating's Save, now a button beside its fields, is still one press (as the form's)."""
    group, (fund, *_) = group_and_funds(db)
    before = len(ratings_of(db, fund))
    at = opened(group.join_code, "abc123", fund, press="a1b2c3")
    at.radio[0].set_value("C")
    at.text_area[0].input("กรรมการประชุมครบทุกเดือน")
    save(at)
    assert at.query_params["p"] != "a1b2c3"  # the next Save is another press
    # The server was killed after the commit, before the page heard of it: the lead reloads
    # the same link (the draft brings the rating back) and presses Save again.
    again = opened(group.join_code, "abc123", fund, press="a1b2c3")
    again.radio[0].set_value("C")
    again.text_area[0].input("กรรมการประชุมครบทุกเดือน")
    save(again)
    assert len(ratings_of(db, fund)) == before + 1
