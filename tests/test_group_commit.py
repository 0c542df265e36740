"""Saves that share one commit: each is still refused or kept on its own merits."""

from __future__ import annotations

import threading
import time

import duckdb
from conftest import count, create_samut_prakan, lead

from welfare_core.db.group_commit import GroupCommit
from welfare_core.db.writes import rating_row
from welfare_core.errors import WorkshopLocked
from welfare_core.model import Actor, Caller, RatingInput, Role

ROUNDS = 20


def appended_together(jobs: list) -> list[BaseException | None]:
    """Run the appends at once, many times over so that they share commits; what each raised."""
    outcomes: list[BaseException | None] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(n: int) -> None:
        start.wait()
        try:
            jobs[n]()
        except Exception as exc:  # collected for the assertions
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_broken_row_fails_alone_and_the_rows_committed_with_it_are_kept(store, service, workshop):
    wid = service.workshop(workshop.slug).id
    fund = service.funds(wid)[0]
    actor = Actor(Role.GROUP, wid, fund.group_id)
    gate, transactions = threading.Event(), []

    def held_write(work):  # the first commit waits, so the next four rows share one
        gate.wait()
        transactions.append(work)
        return store.write(work)

    commits = GroupCommit(held_write)

    def append(reason: str | None) -> None:
        rating = RatingInput(fund.id, "B", reason)
        row = rating_row(store.new_id(), actor, Caller("code", "phone"), fund.group_id, rating)
        commits.append(lambda tx: [("ratings", row)])

    reasons = ["ก่อน", "หนึ่ง", None, "สอง", "สาม"]
    outcomes: list[BaseException | None] = [None] * len(reasons)

    def run(n: int) -> None:
        try:
            append(reasons[n])
        except Exception as exc:  # collected for the assertions
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(reasons))]
    threads[0].start()
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 10
    while len(commits._waiting) < 4 and time.monotonic() < deadline:  # queued behind the first
        time.sleep(0.01)
    gate.set()
    for thread in threads:
        thread.join()

    assert len(transactions) == 1 + 1 + 4  # the first alone, the four together, then each alone
    assert isinstance(outcomes[2], duckdb.ConstraintException)
    assert outcomes[:2] + outcomes[3:] == [None] * 4
    stored = store.read().cur.execute("SELECT reason FROM ratings ORDER BY reason").fetchall()
    assert sorted(r[0] for r in stored) == sorted(r for r in reasons if r)


def test_ratings_reaching_a_workshop_locked_before_their_commit_are_refused_others_kept(
    store, service, workshop, facilitator
):
    other = create_samut_prakan(service)
    service.set_locked(facilitator, True)
    locked_fund = service.funds(service.workshop(workshop.slug).id)[0]
    open_fund = service.funds(service.workshop(other.slug).id)[0]
    locked_lead = lead(next(g for g in workshop.groups if g.id == locked_fund.group_id))
    open_lead = lead(next(g for g in other.groups if g.id == open_fund.group_id))

    def rate(caller: Caller, fund_id: int) -> None:
        service.rate_fund(caller, RatingInput(fund_id, "A", "ครบทุกด้าน"))

    for _ in range(ROUNDS):
        outcomes = appended_together(
            [lambda: rate(locked_lead, locked_fund.id), lambda: rate(open_lead, open_fund.id)] * 2
        )
        assert [type(o) for o in outcomes] == [WorkshopLocked, type(None)] * 2

    assert count(store, "ratings") == 2 * ROUNDS
    rated = store.read().cur.execute("SELECT DISTINCT fund_id FROM ratings").fetchall()
    assert rated == [(open_fund.id,)]
