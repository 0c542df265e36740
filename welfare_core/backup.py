"""Snapshots of the database: written through the app's own connection, the last N kept.

The running app holds the DuckDB file with a lock that keeps every other process out, so
only the app itself can copy it while it runs: ``Backups`` does so every few minutes while
entries come in, when entry is closed, and when the facilitator asks. ``restore`` puts a
snapshot back in place of a database that no app holds open.
"""

from __future__ import annotations

import atexit
import datetime as dt
import glob
import os
import re
import shutil
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import duckdb

from welfare_core.clock import THAI_TIME, utcnow
from welfare_core.db.copy import check_not_in_use, check_workshop_file, copy_to
from welfare_core.db.store import Store
from welfare_core.errors import (
    BackupFailed,
    DatabaseUnusable,
    InvalidInput,
    NotFound,
    WelfareError,
)
from welfare_core.wal_watch import SIDE_FILES

DEFAULT_KEEP = 20
DEFAULT_MINUTES = 5.0
_STAMP = "%Y%m%d-%H%M%S"


def backup_dir(db_path: Path, explicit: str | None = None) -> Path:
    """--to DIR, else $WELFARE_BACKUP_DIR (e.g. a USB stick), else backups/ beside the database
    (sessions/backups/ for the default database)."""
    return Path(explicit or os.environ.get("WELFARE_BACKUP_DIR") or db_path.parent / "backups")


def backup_minutes() -> float:
    """Minutes between automatic snapshots: $WELFARE_BACKUP_MINUTES, else 5."""
    raw = os.environ.get("WELFARE_BACKUP_MINUTES", "").strip()
    if not raw:
        return DEFAULT_MINUTES
    try:
        minutes = float(raw)
    except ValueError:
        minutes = 0.0
    if not 0 < minutes < 24 * 60:  # also refuses nan and inf
        raise InvalidInput("backup.bad_minutes", value=raw)
    return minutes


def _stamp() -> str:
    """Thailand time, as every time the app shows: the names sort in the order of writing."""
    return (utcnow() + THAI_TIME).strftime(_STAMP)


def snapshot(store: Store, folder: Path, keep: int = DEFAULT_KEEP) -> Path:
    """Write a consistent snapshot of ``store`` into ``folder``; keep its newest ``keep``.

    The copy is written under a temporary name, read back whole and compared with the
    database (every table, row for row in number) and renamed only then, so the folder never
    holds a snapshot that is not whole. A second snapshot in the same second replaces the
    first: it holds everything the first one held. Only the folder itself is created, never
    its parents: a missing parent is most likely a USB stick that was pulled out.
    """
    final = folder / f"{store.path.stem}-{_stamp()}.duckdb"
    partial = folder / f".{final.name}.partial"
    try:
        folder.mkdir(exist_ok=True)
        _remove_leftovers(folder, store.path.stem)
        rows = copy_to(store, partial)
        _check_whole(partial, rows, folder)
        _sync(partial)
        os.replace(partial, final)
    except OSError as exc:
        raise BackupFailed("backup.failed", folder=str(folder), detail=exc.strerror) from None
    finally:
        _remove(partial)  # a failed copy leaves nothing behind
    spare = last_before(folder, store.path.stem, store.damaged_since)
    for old in snapshots(folder, store.path.stem)[:-keep]:
        if old != spare:  # the one to restore after damage to the log stays
            old.unlink(missing_ok=True)
    return final


def _check_whole(copy: Path, rows: dict[str, int], folder: Path) -> None:
    """Refuse a copy that does not read back as the database it was made from: a full stick
    can leave a file with no tables, the rows in a log that is never folded in."""
    if copy.with_name(copy.name + ".wal").exists():
        raise BackupFailed("backup.incomplete", folder=str(folder))
    try:
        found = check_workshop_file(copy)
    except InvalidInput:
        raise BackupFailed("backup.incomplete", folder=str(folder)) from None
    if found != rows:
        raise BackupFailed("backup.incomplete", folder=str(folder))


def _sync(path: Path) -> None:
    """Onto the stick before the name says the snapshot is there."""
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def _remove_leftovers(folder: Path, stem: str) -> None:
    """What a snapshot of this database cut off by a kill left: its partial file and parts."""
    for left in folder.glob(f".{glob.escape(stem)}-*.duckdb.partial*"):
        if left.is_dir():
            shutil.rmtree(left, ignore_errors=True)
        else:
            left.unlink(missing_ok=True)


def snapshots(folder: Path, stem: str | None = None) -> list[Path]:
    """The snapshots in ``folder`` (of the database named ``stem``, or all), oldest first."""
    name = re.escape(stem) if stem else ".+"
    pattern = re.compile(rf"{name}-(\d{{8}}-\d{{6}})\.duckdb")
    found = [(m.group(1), p) for p in folder.glob("*.duckdb") if (m := pattern.fullmatch(p.name))]
    return [p for _, p in sorted(found)]


def last_before(folder: Path, stem: str, when: dt.datetime | None) -> Path | None:
    """The newest snapshot of database ``stem`` written before ``when`` (naive UTC)."""
    if when is None or not folder.is_dir():
        return None
    limit = (when + THAI_TIME).strftime(_STAMP)
    earlier = [p for p in snapshots(folder, stem) if p.stem[-len(limit) :] <= limit]
    return earlier[-1] if earlier else None


def damage_warning(store: Store, folder: Path) -> WelfareError | None:
    """What the facilitator must hear when the log was found damaged at a start: when, and
    which snapshot to restore (the newest written before then), else that there is none."""
    when = store.damaged_since
    if when is None:
        return None
    facts = {
        "time": (when + THAI_TIME).strftime("%Y-%m-%d %H:%M"),
        "path": str(store.path),
        "note": str(store.damage_note),
    }
    good = last_before(folder, store.path.stem, when)
    if good is None:
        return WelfareError("backup.wal_damaged_no_backup", folder=str(folder), **facts)
    return WelfareError("backup.wal_damaged", snapshot=str(good), **facts)


def _remove(path: Path) -> None:
    """A partial file DuckDB wrote, with what it may leave beside it, if they are there
    (its folder may be gone with a USB stick)."""
    with suppress(OSError):
        for each in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
            each.unlink(missing_ok=True)


def restore(snapshot_file: Path, target: Path) -> Path | None:
    """Put a copy of ``snapshot_file`` in place of the database ``target``.

    Refused, with nothing changed, when the snapshot is missing, no workshop database or not
    whole (every row is read first), or when a running app holds ``target``. The replaced
    file is kept beside it, renamed; its path is returned (None when there was no file to
    replace). Should the restored copy then fail to open, the replaced file is put back.
    """
    if not snapshot_file.is_file():
        raise NotFound("backup.no_snapshot", file=str(snapshot_file))
    check_workshop_file(snapshot_file)
    if target.is_dir():
        raise DatabaseUnusable("error.db_missing", path=str(target))
    if target.exists():
        if target.resolve() == snapshot_file.resolve():
            raise InvalidInput("backup.same_file", file=str(target))
        check_not_in_use(target)
    partial = target.with_name(f".{target.name}.restoring")
    aside = _unused(target.with_name(f"{target.stem}.before-restore-{_stamp()}{target.suffix}"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(snapshot_file, partial)
        _sync(partial)
        if not target.exists():
            os.replace(partial, target)
            _open_or_undo(target, None)
            return None
        _move_with_log(target, aside)  # an old log would be replayed on the copy
        os.replace(partial, target)
        _open_or_undo(target, aside)
    except OSError as exc:
        raise BackupFailed("backup.cannot_restore", path=str(target), detail=exc.strerror) from None
    finally:
        _remove(partial)
    return aside


def _move_with_log(source: Path, destination: Path) -> None:
    """Rename a database file together with its .wal and the other files beside it."""
    os.replace(source, destination)
    for side in SIDE_FILES:
        beside = source.with_name(source.name + side)
        if beside.exists():
            os.replace(beside, destination.with_name(destination.name + side))


def _open_or_undo(target: Path, aside: Path | None) -> None:
    """Open the restored ``target`` as the app will (migrating an older snapshot); should that
    fail, the file put ``aside`` goes back in its place and the restore is refused."""
    try:
        Store(target, create=False).close()
    except (WelfareError, duckdb.Error) as exc:
        _remove(target)
        if aside is not None:
            _move_with_log(aside, target)
        detail = exc.message("en") if isinstance(exc, WelfareError) else str(exc)
        raise BackupFailed(
            "backup.cannot_restore", path=str(target), detail=detail.splitlines()[0]
        ) from None


def _device_of(folder: Path) -> int:
    """The device of ``folder``, or of its nearest parent that is there."""
    for place in (folder, *folder.parents):
        with suppress(OSError):
            return place.stat().st_dev
    return -1


def _unused(path: Path) -> Path:
    """``path``, or with -2, -3, ... added when taken: a file put aside is never overwritten."""
    n, free = 1, path
    while free.exists():
        n += 1
        free = path.with_stem(f"{path.stem}-{n}")
    return free


class Backups:
    """The automatic snapshots of one store: on demand, on lock, and every few minutes while
    something was written since the last one. One per process, owned by the service."""

    def __init__(self, store: Store, folder: Path, keep: int = DEFAULT_KEEP) -> None:
        self.store = store
        self.folder = folder
        self.keep = keep
        self.minutes: float | None = None  # set by start(): no periodic snapshots before
        self.last: Path | None = None
        self.failure: BackupFailed | None = None  # the last attempt's, shown on the set-up page
        self._device = _device_of(folder)  # a USB stick's, say: its path may outlive it
        self._seen = store.commits  # nothing to save before the first write
        self._one_at_a_time = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def now(self) -> Path:
        """A snapshot now (the set-up page's button, the lock)."""
        with self._one_at_a_time:
            commits = self.store.commits  # read first: a write during the copy is saved again
            try:
                if _device_of(self.folder) != self._device:
                    raise BackupFailed("backup.device_gone", folder=str(self.folder))
                made = snapshot(self.store, self.folder, self.keep)
            except BackupFailed as err:
                self.failure = err
                raise
            self.last, self.failure, self._seen = made, None, commits
            return made

    def if_written(self) -> Path | None:
        """A snapshot if anything was committed since the last one, else None."""
        if self.store.commits == self._seen:
            return None
        return self.now()

    def quietly(self, take: Callable[[], Path | None]) -> Path | None:
        """Run ``take``; a failure is kept in ``failure`` for the set-up page, not raised:
        the write that asked for the snapshot has been saved all the same."""
        try:
            return take()
        except BackupFailed:
            return None

    def start(self, minutes: float) -> None:
        """Snapshot every ``minutes`` while writes come in, on a daemon thread."""
        self.minutes = minutes
        self._thread = threading.Thread(target=self._run, name="welfare-backups", daemon=True)
        self._thread.start()
        atexit.register(self.stop)  # a snapshot under way ends before the process does

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self.minutes * 60):
            self.quietly(self.if_written)
