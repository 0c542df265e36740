"""One press of Save, one row: a save whose confirmation a server restart cut off, pressed
again from the same form, is not stored twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support import count, lead

from welfare_core.db.store import Store
from welfare_core.demo import create_demo
from welfare_core.i18n import t
from welfare_core.model import Caller, IdeaInput, RatingInput
from welfare_core.service import WorkshopService


def test_the_same_press_is_stored_once_and_returns_the_first_result(service, store, workshop):
    group = workshop.groups[0]
    fund = store.read().funds(service.workshop(workshop.slug).id, group.id)[0]
    pressed = Caller(group.join_code, "phone-1", "lead", press="a1b2c3")
    idea = IdeaInput("data", "ตั้งกองทุนย่อยสำหรับผู้สูงอายุ")
    rating = RatingInput(fund.id, "B", "มีการประชุมสม่ำเสมอ", members=120)

    first_idea = service.add_idea(pressed, idea)
    first_rating = service.rate_fund(pressed, rating)
    assert service.add_idea(pressed, idea) == first_idea
    assert service.rate_fund(pressed, rating) == first_rating
    assert (count(store, "idea_versions"), count(store, "ratings")) == (1, 1)

    # Another press, or the same press with other content, is another save.
    service.add_idea(Caller(group.join_code, "phone-1", "lead", press="d4e5f6"), idea)
    service.add_idea(pressed, IdeaInput("data", "อบรมการทำบัญชี"))
    service.rate_fund(pressed, RatingInput(fund.id, "A", "มีการประชุมสม่ำเสมอ", members=120))
    service.add_idea(lead(group), idea)  # no press at all (the command line): always stored
    service.add_idea(lead(group), idea)
    assert (count(store, "idea_versions"), count(store, "ratings")) == (5, 2)


def test_a_vote_an_edit_and_a_withdrawal_pressed_again_are_stored_once(service, store, workshop):
    """A kill can cut off the confirmation of any participant write, not only a save: pressed
    again, a vote must not spend a second dot, an edit must not add a second version, and a
    withdrawal must not answer that the idea is gone."""
    group = workshop.groups[0]
    mine = service.add_idea(lead(group), IdeaInput("data", "ทะเบียนสมาชิก"))
    theirs = service.add_idea(lead(workshop.groups[1]), IdeaInput("data", "ออมวันละบาท"))
    press = iter(["v1", "v2", "e1", "w1"])

    def pressed_twice(write) -> None:
        caller = Caller(group.join_code, "phone-1", "lead", press=next(press))
        write(caller)
        write(caller)

    pressed_twice(lambda c: service.vote(c, theirs))
    pressed_twice(lambda c: service.vote(c, theirs, delta=-1))
    pressed_twice(lambda c: service.edit_idea(c, mine, IdeaInput("data", "ทะเบียนสมาชิกออนไลน์")))
    assert (count(store, "votes"), count(store, "idea_versions")) == (2, 3)
    pressed_twice(lambda c: service.withdraw_idea(c, mine))
    assert count(store, "idea_versions") == 4
    wid = service.workshop(workshop.slug).id
    assert service.dots_by_idea(wid, group.id) == {}  # +1 then -1: no dot spent twice

    # A new press is a new write: the group's second dot on the same idea counts.
    service.vote(Caller(group.join_code, "phone-1", "lead", press="v3"), theirs)
    service.vote(Caller(group.join_code, "phone-1", "lead", press="v4"), theirs)
    assert service.dots_by_idea(wid, group.id) == {theirs: 2}


@pytest.fixture
def demo_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "workshops.duckdb"
    store = Store(path)
    create_demo(WorkshopService(store))
    store.close()
    monkeypatch.setenv("WELFARE_DB", str(path))
    return path


def ideas_like(db: Path, text: str) -> int:
    store = Store(db)
    try:
        return (
            store.read()
            .cur.execute("SELECT count(*) FROM idea_versions WHERE text = ?", [text])
            .fetchone()[0]
        )
    finally:
        store.close()


def idea_page(link: dict[str, str]) -> AppTest:
    """A group's page on the ideas tab, as a browser opens the link (after a restart: anew)."""
    page = AppTest.from_file("../../app.py", default_timeout=60)
    page.session_state["language"] = "th"
    for key, value in link.items():
        page.query_params[key] = value
    page.switch_page("pages/group_workspace.py")
    page.session_state["workspace-tab"] = t("workspace.tab_ideas", "th")
    return page.run()


def save_idea(page: AppTest, text: str) -> None:
    """The new-idea box (not a form: its draft is kept); its keys change after each save."""
    box = next(a for a in page.text_area if re.fullmatch(r"new-idea-\d+-text", a.key or ""))
    box.input(text)
    next(b for b in page.button if b.key == box.key.removesuffix("-text")).click().run()
    assert not page.exception and not page.error


def test_saving_again_after_a_restart_cut_off_the_confirmation_stores_one_idea(demo_db):
    store = Store(demo_db)
    code = store.read().groups(store.read().workshops()[0].id)[0].join_code
    store.close()
    typed = "จัดตั้งศูนย์ดูแลผู้สูงอายุในชุมชน"

    first = idea_page({"code": code})
    link, press = dict(first.query_params), first.query_params["p"]
    save_idea(first, typed)
    assert ideas_like(demo_db, typed) == 1
    assert first.query_params["p"] != press  # the next Save is another press

    # The server was killed after the commit, before the page heard of it: the browser still
    # shows the form as typed, its link still holds the press, and the lead presses Save again.
    again = idea_page({**link, "p": press})
    save_idea(again, typed)
    assert ideas_like(demo_db, typed) == 1
    assert [toast.value for toast in again.toast] == [t("workspace.idea_saved", "th")]

    save_idea(again, typed)  # a new press of the same words is a new idea
    assert ideas_like(demo_db, typed) == 2
