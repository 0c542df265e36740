"""Damage to the database's log (.wal) noticed when the app starts, not hidden.

Every commit is in DuckDB's log before it is confirmed, and a log cut short or overwritten
(a dying disk, a copy gone wrong) is replayed by DuckDB up to the damage without a word: the
confirmed saves after it are gone. So after each commit a mark beside the database records
how long the log was and a checksum of its last bytes; at start-up, before DuckDB replays
the log, a log shorter than the mark or with other bytes there is damage. What was found is
kept in a note beside the database until a backup is restored (or the note deleted).

The mark costs two stats, a read of 64 bytes and a write of one line per commit; it is not
fsync'd: after a power cut it can only be older than the log, which hides damage but never
raises a false alarm. A checkpoint folds the log into the database file and empties it;
the mark names the database file's size and time, so a mark older than a checkpoint says
nothing and is not compared.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import zlib
from contextlib import suppress
from pathlib import Path

TAIL = 64
_WIDTH = 80  # one line, always as long, written over the last one
# What lies beside a database file and belongs to it: its log, the mark, the note.
SIDE_FILES = (".wal", ".walmark", ".wal-damaged")


class WalWatch:
    def __init__(self, db: Path) -> None:
        self.wal, self.mark, self.note = (db.with_name(db.name + side) for side in SIDE_FILES)
        self._db = db
        self._lock = threading.Lock()
        self._fd: int | None = None

    def check(self, now: dt.datetime) -> dt.datetime | None:
        """Call before DuckDB opens the database: returns when damage was first noticed
        (``now`` if it is now), None when the log is whole as far as the mark knows."""
        if not self.note.exists() and self._log_damaged():
            self.note.write_text(now.isoformat(timespec="seconds") + "\n")
        return self.noticed()

    def noticed(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(self.note.read_text().strip())
        except (OSError, ValueError):
            return None

    def record(self) -> None:
        """After a commit: the log as it is now (a later commit only makes it longer)."""
        # The commit is done: a disk error here (even reading the log) only leaves the mark
        # older, which hides damage but never fails the save.
        with self._lock, suppress(OSError):
            line = " ".join(str(n) for n in self._observe()).ljust(_WIDTH - 1) + "\n"
            if self._fd is None:
                self._fd = os.open(self.mark, os.O_WRONLY | os.O_CREAT, 0o644)
            os.pwrite(self._fd, line.encode(), 0)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _observe(self) -> tuple[int, int, int, int]:
        """(database file's mtime in ns, its size, the log's size, checksum of its tail)."""
        db = self._db.stat()
        try:
            with self.wal.open("rb") as log:
                size = os.fstat(log.fileno()).st_size
                tail = os.pread(log.fileno(), TAIL, max(0, size - TAIL))
        except FileNotFoundError:
            size, tail = 0, b""
        return db.st_mtime_ns, db.st_size, size, zlib.crc32(tail)

    def _log_damaged(self) -> bool:
        try:
            mtime, db_size, size, crc = (int(n) for n in self.mark.read_text().split())
            db = self._db.stat()
        except (OSError, ValueError):
            return False  # no mark (a new or restored database), or no database
        if (db.st_mtime_ns, db.st_size) != (mtime, db_size) or size == 0:
            return False  # checkpointed since the mark: the log was emptied on purpose
        try:
            with self.wal.open("rb") as log:
                if os.fstat(log.fileno()).st_size < size:
                    return True
                return zlib.crc32(os.pread(log.fileno(), TAIL, max(0, size - TAIL))) != crc
        except FileNotFoundError:
            return True
