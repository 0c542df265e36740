"""Many participants writing at once into one file: every row lands, no caller sees an error."""

from __future__ import annotations

import threading
import time

from support import count, lead

from welfare_core.model import IdeaInput, RatingInput, RosterRow

THREADS = 50
WRITES_PER_THREAD = 40  # 2,000 writes in all


def test_50_threads_write_2000_ratings_and_ideas(service, store, workshop):
    wid = service.workshop(workshop.slug).id
    funds = store.read().funds(wid)
    groups = {g.id: g for g in workshop.groups}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def participant(n: int) -> None:
        fund = funds[n % len(funds)]
        caller = lead(groups[fund.group_id], device=f"device-{n}")
        start.wait()
        try:
            for i in range(WRITES_PER_THREAD):
                if i % 2:
                    service.rate_fund(caller, RatingInput(fund.id, "ABCD"[i % 4], f"รอบ {i}"))
                else:
                    service.add_idea(caller, IdeaInput("data", f"ข้อเสนอ {n}-{i}"))
        except BaseException as exc:  # collected: the test must see every failure
            errors.append(exc)

    threads = [threading.Thread(target=participant, args=(n,)) for n in range(THREADS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    total = THREADS * WRITES_PER_THREAD
    print(f"\n{total} writes from {THREADS} threads in {elapsed:.2f} s ({total / elapsed:.0f}/s)")
    assert errors == []
    assert count(store, "ratings") == total // 2
    assert count(store, "idea_versions") == total // 2
    texts = {r[0] for r in store.read().cur.execute("SELECT text FROM idea_versions").fetchall()}
    assert len(texts) == total // 2


def test_updates_of_one_row_at_once_are_retried_not_lost(service, store, workshop, facilitator):
    """Re-importing a roster updates fund rows: the one write path that can conflict in DuckDB."""
    wid = service.workshop(workshop.slug).id
    fund = store.read().funds(wid, workshop.groups[0].id)[0]
    errors: list[BaseException] = []
    start = threading.Barrier(10)

    def reimport(members: int) -> None:
        row = RosterRow(2, fund.name, fund.tambon, "บางบ่อ", members=members)
        start.wait()
        try:
            service.import_roster(facilitator, [row])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reimport, args=(100 + n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.read().fund(fund.id).members in range(100, 110)
    assert count(store, "funds") == 25
