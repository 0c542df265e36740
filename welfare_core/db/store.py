"""The DuckDB file: the one connection of this process, its snapshots and transactions."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

import duckdb

from welfare_core.clock import utcnow
from welfare_core.db.group_commit import GroupCommit, Unit
from welfare_core.db.reads import Snapshot
from welfare_core.db.schema import migrate
from welfare_core.db.writes import Tx
from welfare_core.errors import DatabaseUnusable, NotSaved
from welfare_core.wal_watch import WalWatch

T = TypeVar("T")
_RETRIES = 8
_PIN = "SELECT 1 FROM schema_migrations LIMIT 1"


class Store:
    """Owns the process's single connection; every read or write uses a cursor of its own."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        """Open (and migrate) the file; with ``create=False`` a missing file is an error."""
        self.path = Path(path)
        self._commits = 0
        self._counting = threading.Lock()
        self._wal = WalWatch(self.path)
        # Before DuckDB replays the log, which it does up to any damage without a word.
        self.damaged_since = self._wal.check(utcnow())
        if not self.path.is_file():
            if not create:
                raise DatabaseUnusable("error.db_missing", path=str(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            raise unusable(self.path, exc) from None
        try:
            migrate(self._con)
        except duckdb.Error as exc:
            self._con.close()  # a restore puts the old file back over this one: let it go
            raise unusable(self.path, exc) from None
        self._ids = _IdPool(self._con, self.path)
        self._appends = GroupCommit(self.write)

    def close(self) -> None:
        self._con.close()
        self._wal.close()

    @property
    def damage_note(self) -> Path:
        """The file that keeps the damage to the log noticed at a start, until a restore."""
        return self._wal.note

    def read(self) -> Snapshot:
        """Reads outside any transaction, each statement on its own: for a single read (a
        lookup, a count). A use case that reads twice opens ``reading()``."""
        return Snapshot(self._con.cursor())

    @contextmanager
    def reading(self) -> Iterator[Snapshot]:
        """One cursor in one read transaction: every read inside sees the same moment."""
        cur = self._con.cursor()
        try:
            cur.begin()
            # DuckDB takes the snapshot at the transaction's first read of a table, not at
            # BEGIN: read one now, so the snapshot is the moment reading() was called.
            cur.execute(_PIN).fetchall()
            yield Snapshot(cur)
        finally:
            _roll_back(cur)  # nothing was written: ending it is all a rollback does
            cur.close()

    def new_id(self) -> int:
        return self._ids.take()

    def append(self, unit: Unit) -> None:
        """Commit the rows of ``unit`` together with whatever else is being saved."""
        self._appends.append(unit)

    def write(self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one transaction; retried when DuckDB reports a write conflict.

        A commit that cannot be written (a full disk) raises NotSaved: nothing of ``work`` is
        stored, and the same write succeeds once there is room again.
        """
        for attempt in range(_RETRIES):
            cur = self._con.cursor()
            try:
                cur.begin()
                result = work(Tx(cur, self._ids.take))
                cur.commit()
                with self._counting:
                    self._commits += 1
                self._wal.record()
                return result
            except duckdb.Error as exc:
                _roll_back(cur)
                if _no_room(exc):
                    raise _disk_full(self.path) from None
                conflict = (
                    isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()
                )
                if not conflict or attempt == _RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.001, 0.01) * (attempt + 1))
            except BaseException:
                _roll_back(cur)
                raise
            finally:
                cur.close()
        raise AssertionError("unreachable")

    @property
    def commits(self) -> int:
        """How many write transactions this process has committed: the backups ask whether
        anything was written since their last snapshot."""
        return self._commits


def _roll_back(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back what is still open: a commit that failed has ended its transaction already,
    and the error of a second rollback would hide the first one's cause."""
    with suppress(duckdb.Error):
        cur.rollback()


def _no_room(exc: duckdb.Error) -> bool:
    return "No space left on device" in str(exc)


def _disk_full(path: Path) -> NotSaved:
    return NotSaved("error.disk_full", path=str(path.parent))


_ID_BLOCK = "SELECT nextval('row_ids') FROM range(?)"


class _IdPool:
    """Row ids handed out from blocks of the ``row_ids`` sequence: one query per hundred rows.

    Blocks are drawn outside any transaction, so a rolled-back write never returns its ids.
    """

    BLOCK = 100

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        self._cur = con.cursor()  # its own, used under the lock only
        self._path = path
        self._free: list[int] = []
        self._lock = threading.Lock()

    def take(self) -> int:
        with self._lock:
            if not self._free:
                try:
                    rows = self._cur.execute(_ID_BLOCK, [self.BLOCK])
                    self._free = sorted((r[0] for r in rows.fetchall()), reverse=True)
                except duckdb.Error as exc:  # the block is committed: it needs the disk too
                    if _no_room(exc):
                        raise _disk_full(self._path) from None
                    raise
            return self._free.pop()


def unusable(path: Path, exc: duckdb.Error) -> DatabaseUnusable:
    """Say why the file cannot be opened: held by another process, or not a database."""
    text = str(exc)
    if "Could not set lock" in text:
        pid = re.search(r"PID (\d+)", text)
        return DatabaseUnusable("error.db_busy", path=str(path), pid=pid.group(1) if pid else "?")
    return DatabaseUnusable("error.db_unusable", path=str(path), detail=text.splitlines()[0])
