"""Writes: many participants at once through the service, against plain DuckDB inserts."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb

from bench.scale import fresh_workshop
from welfare_core.db.store import Store
from welfare_core.model import Caller, IdeaInput, RatingInput
from welfare_core.service import WorkshopService

THREADS = 50


def measure_writes(folder: Path, total: int) -> dict[str, float]:
    """``total`` ratings and ideas (half each) from 50 threads; then the same rows raw."""
    store = Store(folder / "writes.duckdb")
    service = WorkshopService(store)
    created = fresh_workshop(service)
    workshop_id = service.workshop(created.slug).id
    funds = service.funds(workshop_id)
    codes = {g.id: g.join_code for g in created.groups}
    acknowledged: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS + 1)

    def participant(n: int) -> None:
        mine: list[tuple[str, int]] = []
        start.wait()
        for i in range(n, total, THREADS):
            fund = funds[i % len(funds)]
            caller = Caller(codes[fund.group_id], device=f"bench-{n}")
            try:
                if i % 2:
                    rating = RatingInput(fund.id, "ABCD"[i % 4], f"เหตุผล {i}")
                    mine.append(("rating", service.rate_fund(caller, rating)))
                else:
                    idea = IdeaInput("data", f"ข้อเสนอ {i}")
                    mine.append(("idea", service.add_idea(caller, idea)))
            except Exception as exc:  # counted: every refused write is a lost one
                errors.append(exc)
        acknowledged.extend(mine)

    threads = [threading.Thread(target=participant, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    service_s = time.perf_counter() - began

    rows = _stored_rows(store)
    stored = {("rating", r[0]) for r in rows["ratings"]}
    stored |= {("idea", r[1]) for r in rows["idea_versions"]}
    lost = len(set(acknowledged) - stored) + (total - len(acknowledged))
    store.close()

    raw_s = _raw_insert(folder / "raw.duckdb", rows)
    write_per_s = total / service_s
    return {
        "write_per_s": round(write_per_s),
        "write_lost": lost,
        "write_errors": len(errors),
        "write_raw_per_s": round(total / raw_s),
        "write_ratio_vs_raw": round(write_per_s / (total / raw_s), 2),
    }


def _stored_rows(store: Store) -> dict[str, list[tuple]]:
    q = store.read()
    return {
        table: q.cur.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        for table in ("ratings", "idea_versions")
    }


def _raw_insert(path: Path, rows: dict[str, list[tuple]]) -> float:
    """The same rows with plain ``executemany`` on one connection, one transaction per table."""
    Store(path).close()  # the same schema, empty
    con = duckdb.connect(str(path))
    began = time.perf_counter()
    for table, values in rows.items():
        marks = ", ".join("?" * len(values[0]))
        con.begin()
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
        con.commit()
    elapsed = time.perf_counter() - began
    con.close()
    return elapsed
