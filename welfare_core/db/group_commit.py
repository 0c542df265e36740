"""Group commit: participants' saves share one transaction.

A commit costs far more than appending a row. When a room saves at once, one caller commits
every save waiting in one transaction while the others wait; then it hands the turn to the
first caller still waiting, whose commit takes the saves that came meanwhile. Each caller
commits at most once, so nobody serves the room forever; nobody returns before the commit
that holds their rows, so "saved" still means on disk.

A save is a unit of work handed over by the service: run inside the shared transaction, it
checks whatever its rules say and returns its rows, or raises to be refused. This module only
batches; it knows no rule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from welfare_core.db.writes import Row, Tx
from welfare_core.errors import WelfareError

Unit = Callable[[Tx], list[tuple[str, Row]]]  # the rows of one save: (table, row)


@dataclass
class _Waiting:
    unit: Unit
    woken: threading.Event = field(default_factory=threading.Event)
    done: bool = False  # committed or refused; else woken to commit next
    error: BaseException | None = None


class GroupCommit:
    """Runs units of work in shared transactions; each is kept or refused on its own."""

    def __init__(self, write: Callable[[Callable[[Tx], None]], None]) -> None:
        self._write = write  # Store.write: one transaction, retried on conflicts
        self._waiting: list[_Waiting] = []
        self._committing = False
        self._lock = threading.Lock()  # guards the two fields above

    def append(self, unit: Unit) -> None:
        """Return once the rows of ``unit`` are committed; raise what refused it."""
        mine = _Waiting(unit)
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
            self._write(lambda tx: _run(tx, batch))
        except BaseException as exc:
            if len(batch) > 1:  # one bad row must not cost the others theirs: each alone
                for item in batch:
                    self._commit([item])
                return
            batch[0].error = exc
        for item in batch:
            item.done = True
            item.woken.set()


def _run(tx: Tx, batch: list[_Waiting]) -> None:
    """Run every unit; insert the rows of those not refused, table by table."""
    tables: dict[tuple[str, tuple[str, ...]], list[Row]] = {}
    for item in batch:
        item.error = None  # a retried transaction runs every unit afresh
        try:
            rows = item.unit(tx)
        except WelfareError as exc:  # refused by its rules: the others go on
            item.error = exc
            continue
        for table, row in rows:
            tables.setdefault((table, tuple(row)), []).append(row)
    for (table, _), rows in tables.items():
        tx.insert(table, rows)
