"""Rows are written by column name: a column added by a later migration shifts no value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support import PASSCODE, create_samut_prakan, lead

from welfare_core.db.store import Store
from welfare_core.model import ActionPlan, Caller, IdeaInput, RatingInput, RosterRow
from welfare_core.service import WorkshopService

TABLES = (
    "workshops", "groups", "grade_levels", "areas", "funds", "ratings", "idea_versions",
    "votes", "lock_events", "facilitator_sessions", "timer_events", "idea_merges", "adoptions",
)  # fmt: skip


@pytest.fixture
def widened(db_path) -> Store:
    """The real migrations, then one more that adds a column to every table, as DuckDB adds
    it: after the last one (after the actor columns of the event tables)."""
    store = Store(db_path)

    def add_columns(tx) -> None:
        for table in TABLES:
            tx.cur.execute(f"ALTER TABLE {table} ADD COLUMN extra VARCHAR")

    store.write(add_columns)
    yield store
    store.close()


def newest(store: Store, table: str, idea_id: int | None = None) -> dict:
    """The table's newest row (of one idea), column by column."""
    where = "" if idea_id is None else f"WHERE idea_id = {int(idea_id)}"
    result = store.read().cur.execute(
        f"SELECT * FROM {table} {where} ORDER BY created_at DESC LIMIT 1"
    )
    names = [d[0] for d in result.description]
    return dict(zip(names, result.fetchone(), strict=True))


def test_every_write_path_stores_each_value_in_its_own_column(widened):
    service = WorkshopService(widened)
    created = create_samut_prakan(service)
    wid = service.workshop(created.slug).id
    group = created.groups[0]
    phone = lead(group, device="phone-7")
    boss = Caller(service.sign_in(created.slug, PASSCODE), device="laptop", name="ครูใหญ่")
    fund = service.funds(wid, group.id)[0]

    service.rate_fund(phone, RatingInput(fund.id, "B", "บัญชีครบ", members=120, balance_baht=5))
    plan = ActionPlan("อบรม", "เหรัญญิก", "2020-03", "อบต.", Decimal("1500"), "กองทุน+พอช.")
    first = service.add_idea(phone, IdeaInput("data", "ทำทะเบียน", plan=plan))
    second = service.add_idea(phone, IdeaInput("data", "ทะเบียนซ้ำ"))
    service.edit_idea(phone, first, IdeaInput("data", "ทำทะเบียนใหม่", plan=plan))
    gone = service.add_idea(phone, IdeaInput("membership", "ชวนสมาชิก", plan=plan))
    service.withdraw_idea(phone, gone)
    service.vote(phone, first)
    service.merge_ideas(boss, first, [second])
    service.set_adopted(boss, first, True)
    service.set_timer(boss, 15)
    service.start_timer(boss)
    service.import_roster(boss, [RosterRow(2, "กองทุนใหม่", "ตำบลใหม่", group.name_th, 30)])
    service.set_locked(boss, True)

    workshop = newest(widened, "workshops")
    assert (workshop["slug"], workshop["plan_year"], workshop["extra"]) == (
        created.slug,
        2020,
        None,
    )
    assert workshop["title_th"].startswith("เวที") and workshop["template"].endswith(".toml")
    rating = newest(widened, "ratings")
    assert (rating["fund_id"], rating["group_id"], rating["grade"], rating["reason"]) == (
        fund.id, group.id, "B", "บัญชีครบ",
    )  # fmt: skip
    assert (rating["members"], rating["balance_baht"], rating["device"]) == (120, 5, "phone-7")
    assert (rating["actor_role"], rating["actor_name"], rating["extra"]) == ("group", "lead", None)
    version = newest(widened, "idea_versions", first)
    assert (version["idea_id"], version["text"], version["action"], version["partner"]) == (
        first, "ทำทะเบียนใหม่", "อบรม", "อบต.",
    )  # fmt: skip
    assert (version["due"], version["budget_baht"], version["withdrawn"]) == (
        "2020-03",
        1500,
        False,
    )
    assert (version["budget_source"], version["device"], version["extra"]) == (
        "กองทุน+พอช.",
        "phone-7",
        None,
    )
    tombstone = newest(widened, "idea_versions", gone)
    assert (tombstone["text"], tombstone["area"], tombstone["withdrawn"]) == (
        "ชวนสมาชิก", "membership", True,
    )  # fmt: skip
    assert (tombstone["budget_baht"], tombstone["budget_source"], tombstone["extra"]) == (
        1500,
        "กองทุน+พอช.",
        None,
    )
    vote = newest(widened, "votes")
    assert (vote["idea_id"], vote["group_id"], vote["delta"], vote["device"]) == (
        first, group.id, 1, "phone-7",
    )  # fmt: skip
    merge = newest(widened, "idea_merges")
    assert (merge["idea_id"], merge["into_idea_id"], merge["actor_role"]) == (
        second, first, "facilitator",
    )  # fmt: skip
    adoption = newest(widened, "adoptions")
    assert (adoption["idea_id"], adoption["adopted"], adoption["actor_name"]) == (
        first, True, "ครูใหญ่",
    )  # fmt: skip
    timer = newest(widened, "timer_events")
    assert (timer["duration_s"], timer["remaining_s"], timer["extra"]) == (900, 900, None)
    assert timer["started_at"] is not None and timer["device"] == "laptop"
    lock = newest(widened, "lock_events")
    assert (lock["locked"], lock["device"], lock["extra"]) == (True, "laptop", None)
    added = newest(widened, "funds")
    assert (added["name"], added["tambon"], added["members"], added["group_id"]) == (
        "กองทุนใหม่", "ตำบลใหม่", 30, group.id,
    )  # fmt: skip
    session = newest(widened, "facilitator_sessions")
    assert (session["workshop_id"], session["extra"]) == (wid, None)
    assert len(session["token_digest"]) == 64
    groups = (
        widened.read()
        .cur.execute("SELECT name_th, join_code, extra FROM groups WHERE id = ?", [group.id])
        .fetchone()
    )
    assert groups == (group.name_th, group.join_code, None)
    area = (
        widened.read()
        .cur.execute(
            "SELECT key, position, extra FROM areas WHERE workshop_id = ? ORDER BY position", [wid]
        )
        .fetchone()
    )
    assert (area[1], area[2]) == (1, None) and area[0]
    level = (
        widened.read()
        .cur.execute(
            "SELECT letter, name_th, extra FROM grade_levels WHERE workshop_id = ? ORDER BY letter",
            [wid],
        )
        .fetchone()
    )
    assert (level[0], level[2]) == ("A", None) and level[1]
