"""Group commit: ratings and new ideas from many participants share one transaction.

A commit costs far more than appending a row. When a room saves at once, one caller commits
every row waiting in one transaction while the others wait; then it hands the turn to the
first caller still waiting, whose commit takes the rows that came meanwhile. Each caller
commits at most once, so nobody serves the room forever; nobody returns before the commit
that holds their row, so "saved" still means on disk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from welfare_core.errors import WorkshopLocked

if TYPE_CHECKING:
    from welfare_core.store import Queries


@dataclass
class _Waiting:
    table: str
    row: list
    workshop_id: int
    woken: threading.Event = field(default_factory=threading.Event)
    done: bool = False  # committed or refused; else woken to commit next
    error: BaseException | None = None


class GroupCommit:
    """Appends rows to event tables; a row of a workshop locked at commit time is refused."""

    def __init__(self, write: Callable[[Callable[[Queries], set[int]]], set[int]]) -> None:
        self._write = write  # Store.write: one transaction, retried on conflicts
        self._waiting: list[_Waiting] = []
        self._committing = False
        self._lock = threading.Lock()  # guards the two fields above

    def append(self, table: str, row: list, workshop_id: int) -> None:
        """Return once ``row`` is committed; raise what refused it."""
        mine = _Waiting(table, row, workshop_id)
        with self._lock:
            self._waiting.append(mine)
            my_turn = not self._committing
            self._committing = True
        while not mine.done:
            if my_turn:
                with self._lock:
                    batch, self._waiting = self._waiting, []
                self._commit(batch)  # holds mine: it was waiting
                self._hand_over()
            else:
                mine.woken.wait()
                mine.woken.clear()
                my_turn = not mine.done
        if mine.error is not None:
            raise mine.error

    def _hand_over(self) -> None:
        """The next commit is the first waiting caller's; with nobody waiting, nobody's."""
        with self._lock:
            if self._waiting:
                self._waiting[0].woken.set()
            else:
                self._committing = False

    def _commit(self, batch: list[_Waiting]) -> None:
        try:
            locked = self._write(lambda q: _insert(q, batch))
        except BaseException as exc:
            if len(batch) > 1:  # one bad row must not cost the others theirs: each alone
                for item in batch:
                    self._commit([item])
                return
            batch[0].error = exc
        else:
            for item in batch:
                if item.workshop_id in locked:
                    item.error = WorkshopLocked()
        for item in batch:
            item.done = True
            item.woken.set()


def _insert(q: Queries, batch: list[_Waiting]) -> set[int]:
    """Insert the rows of open workshops, table by table; return the locked workshops."""
    locked = q.locked_among({item.workshop_id for item in batch})
    tables: dict[str, list[list]] = {}
    for item in batch:
        if item.workshop_id not in locked:
            tables.setdefault(item.table, []).append(item.row)
    for table, rows in tables.items():
        q.insert_rows(table, rows)
    return locked
