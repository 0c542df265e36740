"""Closing entry: one rule, one path. Every write it stops is refused alike and stores nothing;
the plenary (votes, merges, adoption, the timer) goes on."""

from __future__ import annotations

import pytest
from conftest import count, lead

from welfare_core import consolidate
from welfare_core.errors import WorkshopLocked
from welfare_core.i18n import t
from welfare_core.model import IdeaInput, RatingInput, RosterRow

EVENT_TABLES = ("ratings", "idea_versions", "votes", "idea_merges", "adoptions", "funds")


def test_after_entry_is_closed_every_entry_write_is_refused_alike_and_stores_nothing(
    service, store, workshop, facilitator
):
    wid = service.workshop(workshop.slug).id
    group = workshop.groups[0]
    phone = lead(group)
    fund = service.funds(wid, group.id)[0]
    mine = service.add_idea(phone, IdeaInput("data", "ทะเบียนสมาชิก"))
    service.set_locked(facilitator, True)
    before = {table: count(store, table) for table in EVENT_TABLES}

    writes = {
        "rating": lambda c: service.rate_fund(c, RatingInput(fund.id, "A", "ครบ")),
        "new idea": lambda c: service.add_idea(c, IdeaInput("data", "ใหม่"), group.id),
        "edit": lambda c: service.edit_idea(c, mine, IdeaInput("data", "แก้")),
        "withdraw": lambda c: service.withdraw_idea(c, mine),
    }
    messages = set()
    for write in writes.values():
        for caller in (phone, facilitator):  # the facilitator's own entries stop too
            with pytest.raises(WorkshopLocked) as refused:
                write(caller)
            messages.add((str(refused.value), t(refused.value.key, "th")))
    with pytest.raises(WorkshopLocked) as refused:
        service.import_roster(facilitator, [RosterRow(2, "ใหม่", "ตำบล", group.name_th)])
    messages.add((str(refused.value), t(refused.value.key, "th")))

    assert len(messages) == 1  # one message for every refused write
    assert {table: count(store, table) for table in EVENT_TABLES} == before


def test_after_entry_is_closed_the_plenary_goes_on(service, store, workshop, facilitator):
    wid = service.workshop(workshop.slug).id
    first, second = workshop.groups[:2]
    keep = service.add_idea(lead(first), IdeaInput("data", "ทะเบียนสมาชิก"))
    twin = service.add_idea(lead(second), IdeaInput("data", "ทะเบียนกองทุน"))
    service.set_locked(facilitator, True)

    service.vote(lead(first), keep)
    service.vote(facilitator, twin, group_id=second.id)
    service.merge_ideas(facilitator, keep, [twin])
    service.set_adopted(facilitator, keep, True)
    service.set_timer(facilitator, 10)

    plan = consolidate.plan(store.read(), wid)
    assert plan["idea_id"].tolist() == [keep]
    assert plan["votes"].tolist() == [2]
    assert service.timer(wid).duration_s == 600
    service.set_locked(facilitator, False)
    service.rate_fund(lead(first), RatingInput(service.funds(wid, first.id)[0].id, "B", "ดี"))
    assert count(store, "ratings") == 1
