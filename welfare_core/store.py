"""The DuckDB file: the one connection of this process and every SQL statement of the app."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from welfare_core import model
from welfare_core.clock import SESSION_LIFETIME, utcnow
from welfare_core.errors import BackupFailed, DatabaseUnusable, InvalidInput, NotSaved
from welfare_core.group_commit import GroupCommit
from welfare_core.schema import MIGRATIONS, migrate
from welfare_core.wal_watch import WalWatch

T = TypeVar("T")
_RETRIES = 8


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
            raise _unusable(self.path, exc) from None
        try:
            migrate(self._con)
        except duckdb.Error as exc:
            self._con.close()  # a restore puts the old file back over this one: let it go
            raise _unusable(self.path, exc) from None
        self._ids = _IdPool(self._con, self.path)
        self._appends = GroupCommit(self.write)

    def close(self) -> None:
        self._con.close()
        self._wal.close()

    @property
    def damage_note(self) -> Path:
        """The file that keeps the damage to the log noticed at a start, until a restore."""
        return self._wal.note

    def read(self) -> Queries:
        return Queries(self._con.cursor(), self._ids.take)

    def new_id(self) -> int:
        return self._ids.take()

    def append(self, table: str, row: list, workshop_id: int) -> None:
        """Append one event row, committed together with whatever else is being saved."""
        self._appends.append(table, row, workshop_id)

    def write(self, work: Callable[[Queries], T]) -> T:
        """Run ``work`` in one transaction; retried when DuckDB reports a write conflict.

        A commit that cannot be written (a full disk) raises NotSaved: nothing of ``work`` is
        stored, and the same write succeeds once there is room again.
        """
        for attempt in range(_RETRIES):
            cur = self._con.cursor()
            try:
                cur.begin()
                result = work(Queries(cur, self._ids.take))
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

    def copy_to(self, target: Path) -> dict[str, int]:
        """Write the whole database into the new file ``target``, while other threads write;
        return the rows of each table it holds.

        One transaction reads every table at the same moment (DuckDB's snapshot isolation)
        into Parquet files, so the copy holds exactly the transactions committed before it
        began; a connection of its own then builds ``target`` from them. Attaching the copy to
        this process's connection instead (COPY FROM DATABASE) hung DuckDB now and then when
        the copy was detached while participants were saving.
        """
        parts = target.with_name(target.name + ".parts")  # removed however the copy ends
        parts.mkdir()
        cur = self._con.cursor()
        try:
            cur.begin()
            tables = [name for (name,) in cur.execute(_TABLES).fetchall()]
            rows = {}
            for table in tables:
                part = _literal(str(parts / f"{table}.parquet"))
                copied = cur.execute(f"COPY {_quoted(table)} TO '{part}' (FORMAT parquet)")
                rows[table] = copied.fetchone()[0]
            next_id = cur.execute(_NEXT_ID).fetchone()[0]
            cur.commit()
            _build_copy(target, parts, tables, next_id)
            return rows
        except duckdb.Error as exc:
            detail = str(exc).splitlines()[0]
            raise BackupFailed("backup.failed", folder=str(target.parent), detail=detail) from None
        finally:
            cur.close()
            shutil.rmtree(parts, ignore_errors=True)


_TABLES = """
    SELECT table_name FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main'
"""
_NEXT_ID = """
    SELECT coalesce(last_value, start_value - 1) + 1 FROM duckdb_sequences()
    WHERE database_name = current_database() AND sequence_name = 'row_ids'
"""


def _build_copy(target: Path, parts: Path, tables: list[str], next_id: int) -> None:
    """A fresh database at ``target`` (same migrations) filled from the Parquet parts."""
    con = duckdb.connect(str(target))
    try:
        migrate(con)  # the tables with their keys; the migrations' own record comes from the parts
        con.begin()
        con.execute("DELETE FROM schema_migrations")
        for table in tables:
            part = _literal(str(parts / f"{table}.parquet"))
            con.execute(f"INSERT INTO {_quoted(table)} SELECT * FROM read_parquet('{part}')")
        con.execute("DROP SEQUENCE row_ids")
        con.execute(f"CREATE SEQUENCE row_ids START {int(next_id)}")
        con.commit()
        # Into the file now: a close that cannot checkpoint (a full USB stick) says nothing,
        # and the rows would stay in a .wal beside a file with no tables.
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _roll_back(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back what is still open: a commit that failed has ended its transaction already,
    and the error of a second rollback would hide the first one's cause."""
    with suppress(duckdb.Error):
        cur.rollback()


def _no_room(exc: duckdb.Error) -> bool:
    return "No space left on device" in str(exc)


def _disk_full(path: Path) -> NotSaved:
    return NotSaved("error.disk_full", path=str(path.parent))


def _literal(text: str) -> str:
    return text.replace("'", "''")


# A snapshot worth restoring has at least these tables; older ones are migrated on opening.
_WORKSHOP_TABLES = {"schema_migrations", "workshops", "groups", "funds"}


def check_workshop_file(path: Path) -> dict[str, int]:
    """Refuse ``path`` unless it is a whole workshop database; return the rows of each table.

    Opened read-only, so nothing in it changes. Every row of every table is read (a file cut
    short or damaged fails here, not after it has replaced the database), and its schema must
    be one this app knows.
    """
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        detail = str(exc).splitlines()[0]
        raise InvalidInput("backup.not_a_database", file=str(path), detail=detail) from None
    try:
        tables = {row[0] for row in con.execute(_TABLES).fetchall()}
        if not tables >= _WORKSHOP_TABLES:
            raise InvalidInput("backup.not_workshops", file=str(path))
        rows = {table: _read_whole(con, table) for table in tables}
        version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    except duckdb.Error as exc:
        detail = str(exc).splitlines()[0]
        raise InvalidInput("backup.damaged", file=str(path), detail=detail) from None
    finally:
        con.close()
    if (version or 0) > len(MIGRATIONS):
        raise InvalidInput("backup.newer_schema", file=str(path))
    return rows


def _read_whole(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The rows of ``table``, every column of every row read (a hash of each row)."""
    return con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {_quoted(table)} t").fetchone()[0]


def check_not_in_use(path: Path) -> None:
    """Raise error.db_busy when another process (the running app) holds ``path`` open.

    Opening and closing it also folds its .wal into the file. A file that is no database at
    all passes: restoring over a damaged file is what a restore is for.
    """
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as exc:
        problem = _unusable(path, exc)
        if problem.key == "error.db_busy":
            raise problem from None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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


def _unusable(path: Path, exc: duckdb.Error) -> DatabaseUnusable:
    """Say why the file cannot be opened: held by another process, or not a database."""
    text = str(exc)
    if "Could not set lock" in text:
        pid = re.search(r"PID (\d+)", text)
        return DatabaseUnusable("error.db_busy", path=str(path), pid=pid.group(1) if pid else "?")
    return DatabaseUnusable("error.db_unusable", path=str(path), detail=text.splitlines()[0])


class Queries:
    """SQL over one cursor: inside a write transaction or for a single read."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, new_id: Callable[[], int]) -> None:
        self.cur = cur
        self._new_id = new_id

    def _one(self, sql: str, params: list | None = None) -> tuple | None:
        rows = self.cur.execute(sql, params or []).fetchall()  # all: the result is closed
        return rows[0] if rows else None

    def _all(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.cur.execute(sql, params or []).fetchall()

    def _records(self, sql: str, params: list | dict | None = None) -> list[dict]:
        result = self.cur.execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def _df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.cur.execute(sql, params or []).df()

    def next_id(self) -> int:
        return self._new_id()

    def insert_rows(self, table: str, rows: list[list]) -> None:
        """Many rows in one statement: a row costs a fraction of a statement of its own.

        Values are bound as parameters, not scanned from a DataFrame: such a scan takes the
        GIL back in the middle of the query, and with another thread opening a cursor at that
        moment DuckDB and Python wait for each other forever (seen under load).
        """
        row = "(" + ", ".join("?" * len(rows[0])) + ")"
        values = [value for r in rows for value in r]
        self.cur.execute(f"INSERT INTO {table} VALUES {', '.join([row] * len(rows))}", values)

    def locked_among(self, workshop_ids: set[int]) -> set[int]:
        rows = self._all(
            "SELECT workshop_id FROM lock_events WHERE list_contains(?, workshop_id) "
            "GROUP BY workshop_id HAVING arg_max(locked, id)",
            [sorted(workshop_ids)],
        )
        return {r[0] for r in rows}

    # --- workshops, groups, grades, areas -------------------------------------------------

    def slug_taken(self, slug: str) -> bool:
        return self._one("SELECT count(*) FROM workshops WHERE slug = ?", [slug])[0] > 0

    def insert_workshop(
        self,
        tpl: model.Template,
        slug: str,
        salt: bytes,
        digest: bytes,
        is_sample: bool,
        dots_per_group: int,
    ) -> int:
        wid = self.next_id()
        self.cur.execute(
            "INSERT INTO workshops VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                wid,
                slug,
                tpl.title_th,
                tpl.title_en,
                tpl.held_on,
                tpl.venue_th,
                tpl.venue_en,
                tpl.province_th,
                tpl.province_en,
                list(tpl.organisers),
                tpl.plan_year,
                dots_per_group,
                salt,
                digest,
                is_sample,
                tpl.source,
                utcnow(),
            ],
        )
        return wid

    _WORKSHOPS = """
        SELECT w.id, w.slug, w.title_th, w.title_en, w.held_on, w.venue_th, w.venue_en,
               w.province_th, w.province_en, w.organisers, w.plan_year, w.dots_per_group,
               w.is_sample,
               coalesce((SELECT arg_max(l.locked, l.id) FROM lock_events l
                         WHERE l.workshop_id = w.id), false) AS locked
        FROM workshops w
    """

    def workshop_by_slug(self, slug: str) -> model.Workshop | None:
        found = self._records(f"{self._WORKSHOPS} WHERE slug = ?", [slug])
        return _workshop(found[0]) if found else None

    def workshop_by_id(self, workshop_id: int) -> model.Workshop | None:
        found = self._records(f"{self._WORKSHOPS} WHERE id = ?", [workshop_id])
        return _workshop(found[0]) if found else None

    def group_by_code(self, join_code: str) -> model.Group | None:
        row = self._one(
            "SELECT id, workshop_id, position, name_th, name_en, join_code FROM groups "
            "WHERE join_code = ?",
            [join_code],
        )
        return model.Group(*row) if row else None

    def workshops(self) -> list[model.Workshop]:
        found = self._records(f"{self._WORKSHOPS} ORDER BY held_on DESC, id DESC")
        return [_workshop(r) for r in found]

    def passcode_of(self, workshop_id: int) -> tuple[bytes, bytes]:
        return self._one(
            "SELECT passcode_salt, passcode_hash FROM workshops WHERE id = ?", [workshop_id]
        )

    def insert_group(
        self, workshop_id: int, position: int, spec: model.GroupSpec, code: str
    ) -> int:
        gid = self.next_id()
        self.cur.execute(
            "INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?)",
            [gid, workshop_id, position, spec.name_th, spec.name_en, code],
        )
        return gid

    def join_code_taken(self, code: str) -> bool:
        return self._one("SELECT count(*) FROM groups WHERE join_code = ?", [code])[0] > 0

    def groups(self, workshop_id: int) -> list[model.Group]:
        rows = self._all(
            "SELECT id, workshop_id, position, name_th, name_en, join_code FROM groups "
            "WHERE workshop_id = ? ORDER BY position",
            [workshop_id],
        )
        return [model.Group(*r) for r in rows]

    def insert_grade_level(self, workshop_id: int, level: model.GradeLevel) -> None:
        self.cur.execute(
            "INSERT INTO grade_levels VALUES (?, ?, ?, ?, ?, ?)",
            [
                workshop_id,
                level.letter,
                level.name_th,
                level.name_en,
                level.description_th,
                level.description_en,
            ],
        )

    def grade_levels(self, workshop_id: int) -> list[model.GradeLevel]:
        rows = self._all(
            "SELECT letter, name_th, name_en, description_th, description_en FROM grade_levels "
            "WHERE workshop_id = ? ORDER BY letter",
            [workshop_id],
        )
        return [model.GradeLevel(*r) for r in rows]

    def insert_area(self, workshop_id: int, position: int, area: model.PlanArea) -> None:
        self.cur.execute(
            "INSERT INTO areas VALUES (?, ?, ?, ?, ?)",
            [workshop_id, area.key, position, area.name_th, area.name_en],
        )

    def areas(self, workshop_id: int) -> list[model.PlanArea]:
        rows = self._all(
            "SELECT key, name_th, name_en FROM areas WHERE workshop_id = ? ORDER BY position",
            [workshop_id],
        )
        return [model.PlanArea(*r) for r in rows]

    def insert_session(self, token_digest: str, workshop_id: int) -> None:
        self.cur.execute(
            "INSERT INTO facilitator_sessions VALUES (?, ?, ?)",
            [token_digest, workshop_id, utcnow()],
        )

    def who(self, join_code: str, token_digest: str) -> tuple[model.Actor, bool] | None:
        """The holder of a join code or facilitator token, and whether its workshop is locked.

        One query, because every write starts with it.
        """
        row = self._one(
            """
            WITH holder AS (
                SELECT 'group' AS role, workshop_id, id AS group_id FROM groups
                WHERE join_code = $code
                UNION ALL
                SELECT 'facilitator', workshop_id, NULL FROM facilitator_sessions
                WHERE token_digest = $digest AND created_at > $valid_from
            )
            SELECT role, workshop_id, group_id,
                   coalesce((SELECT arg_max(l.locked, l.id) FROM lock_events l
                             WHERE l.workshop_id = holder.workshop_id), false)
            FROM holder LIMIT 1
            """,
            {"code": join_code, "digest": token_digest, "valid_from": utcnow() - SESSION_LIFETIME},
        )
        if row is None:
            return None
        return model.Actor(model.Role(row[0]), row[1], row[2]), row[3]

    # --- funds ------------------------------------------------------------------------------

    def insert_fund(
        self, workshop_id: int, group_id: int, row: model.RosterRow, is_sample: bool
    ) -> int:
        fid = self.next_id()
        self.cur.execute(
            "INSERT INTO funds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                fid,
                workshop_id,
                group_id,
                row.name,
                row.tambon,
                row.members,
                row.previous_grade,
                row.chair,
                row.balance_baht,
                is_sample,
                utcnow(),
            ],
        )
        return fid

    def update_fund(self, fund_id: int, row: model.RosterRow) -> None:
        self.cur.execute(
            "UPDATE funds SET tambon = ?, members = coalesce(?, members), "
            "previous_grade = coalesce(?, previous_grade), chair = coalesce(nullif(?, ''), chair), "
            "balance_baht = coalesce(?, balance_baht) WHERE id = ?",
            [row.tambon, row.members, row.previous_grade, row.chair, row.balance_baht, fund_id],
        )

    def fund_ids_by_name(self, workshop_id: int) -> dict[tuple[str, int], int]:
        rows = self._all(
            "SELECT name, group_id, id FROM funds WHERE workshop_id = ?", [workshop_id]
        )
        return {(name, gid): fid for name, gid, fid in rows}

    def fund(self, fund_id: int) -> model.Fund | None:
        row = self._one(
            "SELECT id, workshop_id, group_id, name, tambon, members, previous_grade, is_sample "
            "FROM funds WHERE id = ?",
            [fund_id],
        )
        return model.Fund(*row) if row else None

    def funds(self, workshop_id: int, group_id: int | None = None) -> list[model.Fund]:
        rows = self._all(
            "SELECT f.id, f.workshop_id, f.group_id, f.name, f.tambon, f.members, "
            "f.previous_grade, f.is_sample FROM funds f JOIN groups g ON g.id = f.group_id "
            "WHERE f.workshop_id = ? AND (? IS NULL OR f.group_id = ?) "
            "ORDER BY g.position, f.name",
            [workshop_id, group_id, group_id],
        )
        return [model.Fund(*r) for r in rows]

    # --- events: ratings, idea versions, votes, locks ---------------------------------------

    def pressed_rating(self, caller: model.Caller, r: model.RatingInput) -> int | None:
        """The rating this press of Save already stored, with this content, if it did."""
        row = self._one(
            "SELECT id FROM ratings WHERE press = ? AND device = ? AND fund_id = ? "
            "AND grade = ? AND reason = ? AND members IS NOT DISTINCT FROM ? "
            "AND balance_baht IS NOT DISTINCT FROM ? LIMIT 1",
            [caller.press, caller.device, r.fund_id, r.grade, r.reason, r.members, r.balance_baht],
        )
        return row[0] if row else None

    def pressed_idea(
        self, caller: model.Caller, group_id: int, idea: model.IdeaInput
    ) -> int | None:
        """The new idea this press of Save already stored, with this text, if it did."""
        row = self._one(
            "SELECT idea_id FROM idea_versions WHERE press = ? AND device = ? AND group_id = ? "
            "AND area = ? AND text = ? AND id = idea_id LIMIT 1",
            [caller.press, caller.device, group_id, idea.area, idea.text],
        )
        return row[0] if row else None

    def insert_idea_version(
        self,
        actor: model.Actor,
        caller: model.Caller,
        idea_id: int,
        group_id: int,
        idea: model.IdeaInput,
        withdrawn: bool = False,
    ) -> None:
        row = idea_version_row(self.next_id(), idea_id, actor, caller, group_id, idea, withdrawn)
        marks = ", ".join("?" * len(row))
        self.cur.execute(f"INSERT INTO idea_versions VALUES ({marks})", row)

    def current_idea(self, idea_id: int) -> model.StoredIdea | None:
        row = self._one(
            "SELECT workshop_id, group_id, area, text, fund_id, action, responsible, due, "
            "partner, budget_baht, withdrawn FROM idea_versions WHERE idea_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [idea_id],
        )
        if row is None:
            return None
        content = model.IdeaInput(row[2], row[3], row[4], model.ActionPlan(*row[5:10]))
        return model.StoredIdea(row[0], row[1], content, row[10])

    def insert_vote(
        self, actor: model.Actor, caller: model.Caller, idea_id: int, group_id: int, delta: int
    ) -> int:
        vid = self.next_id()
        self.cur.execute(
            "INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [vid, actor.workshop_id, idea_id, group_id, delta, *_stamp(actor, caller)],
        )
        return vid

    def plan_year(self, workshop_id: int) -> int:
        return self._one("SELECT plan_year FROM workshops WHERE id = ?", [workshop_id])[0]

    def dots_per_group(self, workshop_id: int) -> int:
        return self._one("SELECT dots_per_group FROM workshops WHERE id = ?", [workshop_id])[0]

    def dots_used(self, workshop_id: int, group_id: int) -> int:
        """The group's dots on live ideas: a withdrawn idea gives its dots back."""
        return self._one(
            f"""
            WITH {_MERGED}, {_LATEST}
            SELECT coalesce(sum(v.delta), 0) FROM votes v
            LEFT JOIN merged m ON m.idea_id = v.idea_id
            JOIN latest i ON i.idea_id = coalesce(m.into_id, v.idea_id)
            WHERE v.workshop_id = $w AND v.group_id = $g AND NOT i.withdrawn
            """,
            {"w": workshop_id, "g": group_id},
        )[0]

    def dots_on_idea(self, workshop_id: int, idea_id: int, group_id: int) -> int:
        """The group's dots on an idea, those on ideas merged into it included."""
        return self._one(
            f"""
            WITH {_MERGED}
            SELECT coalesce(sum(v.delta), 0) FROM votes v
            LEFT JOIN merged m ON m.idea_id = v.idea_id
            WHERE v.workshop_id = $w AND coalesce(m.into_id, v.idea_id) = $i AND v.group_id = $g
            """,
            {"w": workshop_id, "i": idea_id, "g": group_id},
        )[0]

    def dots_by_idea(self, workshop_id: int, group_id: int) -> dict[int, int]:
        """The group's dots per live idea, counted the way ``dots_used`` counts them."""
        rows = self._all(
            f"""
            WITH {_MERGED}, {_LATEST}
            SELECT coalesce(m.into_id, v.idea_id), sum(v.delta)::INTEGER FROM votes v
            LEFT JOIN merged m ON m.idea_id = v.idea_id
            JOIN latest i ON i.idea_id = coalesce(m.into_id, v.idea_id)
            WHERE v.workshop_id = $w AND v.group_id = $g AND NOT i.withdrawn
            GROUP BY ALL HAVING sum(v.delta) > 0
            """,
            {"w": workshop_id, "g": group_id},
        )
        return dict(rows)

    def set_dots_per_group(self, workshop_id: int, dots: int) -> None:
        self.cur.execute(
            "UPDATE workshops SET dots_per_group = ? WHERE id = ?", [dots, workshop_id]
        )

    def update_workshop(self, workshop_id: int, edit: model.WorkshopEdit) -> None:
        self.cur.execute(
            "UPDATE workshops SET title_th = ?, title_en = ?, held_on = ?, venue_th = ?, "
            "venue_en = ? WHERE id = ?",
            [edit.title_th, edit.title_en, edit.held_on, edit.venue_th, edit.venue_en, workshop_id],
        )

    def rename_group(self, group_id: int, name_th: str, name_en: str) -> None:
        self.cur.execute(
            "UPDATE groups SET name_th = ?, name_en = ? WHERE id = ?", [name_th, name_en, group_id]
        )

    def describe_grade(self, workshop_id: int, level: model.GradeLevel) -> None:
        self.cur.execute(
            "UPDATE grade_levels SET description_th = ?, description_en = ? "
            "WHERE workshop_id = ? AND letter = ?",
            [level.description_th, level.description_en, workshop_id, level.letter],
        )

    def insert_timer_event(
        self, actor: model.Actor, caller: model.Caller, timer: model.Timer
    ) -> None:
        self.cur.execute(
            "INSERT INTO timer_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.next_id(),
                actor.workshop_id,
                timer.duration_s,
                timer.remaining_s,
                timer.started_at,
                *_stamp(actor, caller),
            ],
        )

    def timer(self, workshop_id: int) -> model.Timer:
        row = self._one(
            "SELECT duration_s, remaining_s, started_at FROM timer_events WHERE workshop_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [workshop_id],
        )
        return model.Timer(*row) if row else model.Timer()

    def merged_into(self, idea_id: int) -> int | None:
        row = self._one(
            "SELECT into_idea_id FROM idea_merges WHERE idea_id = ? ORDER BY id DESC LIMIT 1",
            [idea_id],
        )
        return row[0] if row else None

    def ideas_merged_into(self, workshop_id: int, idea_id: int) -> list[int]:
        rows = self._all(
            f"WITH {_MERGED} SELECT idea_id FROM merged WHERE into_id = $i ORDER BY idea_id",
            {"w": workshop_id, "i": idea_id},
        )
        return [r[0] for r in rows]

    def insert_merge(
        self, actor: model.Actor, caller: model.Caller, idea_id: int, into_idea_id: int
    ) -> None:
        self.cur.execute(
            "INSERT INTO idea_merges VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self.next_id(), actor.workshop_id, idea_id, into_idea_id, *_stamp(actor, caller)],
        )

    def adopted_ideas(self, workshop_id: int) -> set[int]:
        rows = self._all(
            "SELECT idea_id FROM adoptions WHERE workshop_id = ? GROUP BY idea_id "
            "HAVING arg_max(adopted, id)",
            [workshop_id],
        )
        return {r[0] for r in rows}

    def insert_adoption(
        self, actor: model.Actor, caller: model.Caller, idea_id: int, adopted: bool
    ) -> None:
        self.cur.execute(
            "INSERT INTO adoptions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self.next_id(), actor.workshop_id, idea_id, adopted, *_stamp(actor, caller)],
        )

    def insert_lock_event(self, actor: model.Actor, caller: model.Caller, locked: bool) -> None:
        self.cur.execute(
            "INSERT INTO lock_events VALUES (?, ?, ?, ?, ?, ?, ?)",
            [self.next_id(), actor.workshop_id, locked, *_stamp(actor, caller)],
        )

    # --- read models ---------------------------------------------------------------------------

    def current_grades(self, workshop_id: int) -> pd.DataFrame:
        """Every fund with its newest rating (grade NULL while unrated) and its previous grade.

        The previous grade is the fund's grade at the latest earlier workshop of the same
        province (matched by fund name and district; sample workshops never count), else the
        roster's previous-grade column.
        """
        return self._df(
            """
            WITH latest AS (
                SELECT * FROM ratings WHERE workshop_id = $w
                QUALIFY row_number() OVER (PARTITION BY fund_id ORDER BY id DESC) = 1
            ),
            this AS (SELECT * FROM workshops WHERE id = $w),
            -- the earlier workshops first: the ratings of other provinces are never read
            before AS (
                SELECT w.id, w.held_on FROM workshops w, this
                WHERE w.province_th = this.province_th AND this.province_th <> ''
                  AND w.held_on < this.held_on AND NOT w.is_sample
            ),
            earlier_each AS (
                SELECT f.name, g.name_th AS district, b.held_on, arg_max(r.grade, r.id) AS grade
                FROM before b
                JOIN ratings r ON r.workshop_id = b.id
                JOIN funds f ON f.id = r.fund_id
                JOIN groups g ON g.id = f.group_id
                GROUP BY f.name, g.name_th, b.id, b.held_on
            ),
            earlier AS (
                SELECT * FROM earlier_each
                QUALIFY row_number() OVER (PARTITION BY name, district ORDER BY held_on DESC) = 1
            )
            SELECT g.position AS group_position, g.id AS group_id, g.name_th AS group_th,
                   g.name_en AS group_en, f.id AS fund_id, f.name AS fund, f.tambon,
                   coalesce(l.members, f.members) AS members, l.balance_baht,
                   l.grade, l.reason, l.created_at AS rated_at, l.device,
                   coalesce(e.grade, f.previous_grade) AS previous_grade, f.is_sample
            FROM funds f
            JOIN groups g ON g.id = f.group_id
            LEFT JOIN latest l ON l.fund_id = f.id
            LEFT JOIN earlier e ON e.name = f.name AND e.district = g.name_th
            WHERE f.workshop_id = $w
            ORDER BY g.position, f.name
            """,
            {"w": workshop_id},
        )

    def idea_counts(self, workshop_id: int) -> list[tuple[int, str, int]]:
        """Live ideas per group and area, as the wall shows them (merged ones count once)."""
        return self._all(
            f"""
            WITH {_MERGED}, {_LATEST}
            SELECT i.group_id, i.area, count(*) AS ideas
            FROM latest i LEFT JOIN merged m ON m.idea_id = i.idea_id
            WHERE NOT i.withdrawn AND m.idea_id IS NULL
            GROUP BY ALL
            """,
            {"w": workshop_id},
        )

    def current_ideas(
        self,
        workshop_id: int,
        per_area: int | None = None,
        group_id: int | None = None,
        by_votes: bool = False,
    ) -> pd.DataFrame:
        """Live ideas, newest first (see ``by_votes``), with group, fund, votes, origins and the
        plenary's decision.

        An idea merged into another leaves the list; its votes and its group count for the
        idea it was merged into (``origins_th``/``origins_en`` name every group behind it).
        With ``per_area`` only that many ideas per area are read (the projector's wall): the
        newest, or with ``by_votes`` the most voted (the newest first among equal votes), in
        that order; only their origins and votes are counted. With ``group_id`` only that
        group's ideas.
        """
        return self._df(
            f"""
            WITH {_MERGED}, {_LATEST},
            tally AS (
                SELECT coalesce(m.into_id, v.idea_id) AS idea_id, sum(v.delta) AS votes
                FROM votes v LEFT JOIN merged m ON m.idea_id = v.idea_id
                WHERE v.workshop_id = $w GROUP BY ALL
            ),
            first AS (
                SELECT idea_id, min(created_at) AS first_at FROM idea_versions
                WHERE workshop_id = $w GROUP BY idea_id
            ),
            chosen AS (
                SELECT i.*, fi.first_at,
                       CASE WHEN $v THEN coalesce(t.votes, 0) ELSE 0 END AS rank_votes
                FROM latest i
                JOIN first fi ON fi.idea_id = i.idea_id
                LEFT JOIN merged m ON m.idea_id = i.idea_id
                LEFT JOIN tally t ON t.idea_id = i.idea_id
                WHERE NOT i.withdrawn AND m.idea_id IS NULL AND ($g IS NULL OR i.group_id = $g)
                QUALIFY $n IS NULL OR $n >= row_number() OVER (
                    PARTITION BY i.area ORDER BY rank_votes DESC, fi.first_at DESC, i.idea_id DESC)
            ),
            folded AS (
                SELECT coalesce(m.into_id, i.idea_id) AS into_id, i.group_id
                FROM latest i LEFT JOIN merged m ON m.idea_id = i.idea_id
                WHERE coalesce(m.into_id, i.idea_id) IN (SELECT idea_id FROM chosen)
            ),
            origins AS (
                SELECT into_id,
                       string_agg(g.name_th, ', ' ORDER BY g.position) AS origins_th,
                       string_agg(g.name_en, ', ' ORDER BY g.position) AS origins_en
                FROM (SELECT DISTINCT into_id, group_id FROM folded) o
                JOIN groups g ON g.id = o.group_id
                GROUP BY into_id
            ),
            sizes AS (SELECT into_id, count(*) - 1 AS merged FROM folded GROUP BY into_id),
            decided AS (
                SELECT idea_id, arg_max(adopted, id) AS adopted FROM adoptions
                WHERE workshop_id = $w GROUP BY idea_id
            )
            SELECT i.idea_id, a.position AS area_position, i.area, a.name_th AS area_th,
                   a.name_en AS area_en, g.position AS group_position, i.group_id,
                   g.name_th AS group_th, g.name_en AS group_en, i.text, i.fund_id,
                   f.name AS fund, i.action, i.responsible, i.due, i.partner, i.budget_baht,
                   coalesce(t.votes, 0)::INTEGER AS votes, o.origins_th, o.origins_en,
                   s.merged::INTEGER AS merged, coalesce(d.adopted, false) AS adopted,
                   i.first_at AS created_at, i.created_at AS updated_at
            FROM chosen i
            JOIN groups g ON g.id = i.group_id
            JOIN areas a ON a.workshop_id = i.workshop_id AND a.key = i.area
            JOIN origins o ON o.into_id = i.idea_id
            JOIN sizes s ON s.into_id = i.idea_id
            LEFT JOIN funds f ON f.id = i.fund_id
            LEFT JOIN tally t ON t.idea_id = i.idea_id
            LEFT JOIN decided d ON d.idea_id = i.idea_id
            ORDER BY i.rank_votes DESC, i.first_at DESC, i.idea_id DESC
            """,
            {"w": workshop_id, "n": per_area, "g": group_id, "v": by_votes},
        )

    def recent_ratings(self, workshop_id: int, since: dt.datetime) -> pd.DataFrame:
        """The ratings saved since ``since``, fund by fund and oldest first, with the device."""
        return self._df(
            """
            SELECT r.fund_id, f.name AS fund, f.tambon, g.name_th AS group_th,
                   g.name_en AS group_en, r.device, r.grade
            FROM ratings r JOIN funds f ON f.id = r.fund_id JOIN groups g ON g.id = r.group_id
            WHERE r.workshop_id = ? AND r.created_at >= ?
            ORDER BY r.fund_id, r.id
            """,
            [workshop_id, since],
        )

    def rating_history(self, workshop_id: int, fund_id: int | None = None) -> pd.DataFrame:
        return self._df(
            """
            SELECT r.id, g.name_th AS group_th, g.name_en AS group_en, f.name AS fund, r.grade,
                   r.reason, r.members, r.balance_baht, r.actor_role, r.actor_name, r.device,
                   r.created_at
            FROM ratings r JOIN funds f ON f.id = r.fund_id JOIN groups g ON g.id = r.group_id
            WHERE r.workshop_id = ? AND (? IS NULL OR r.fund_id = ?)
            ORDER BY r.id
            """,
            [workshop_id, fund_id, fund_id],
        )

    def idea_history(self, workshop_id: int, idea_id: int | None = None) -> pd.DataFrame:
        return self._df(
            """
            SELECT v.id, v.idea_id, g.name_th AS group_th, g.name_en AS group_en, v.area,
                   v.text, v.action, v.responsible, v.due, v.partner, v.budget_baht,
                   v.withdrawn, v.actor_role, v.actor_name, v.device, v.created_at
            FROM idea_versions v JOIN groups g ON g.id = v.group_id
            WHERE v.workshop_id = ? AND (? IS NULL OR v.idea_id = ?)
            ORDER BY v.id
            """,
            [workshop_id, idea_id, idea_id],
        )

    def plenary_history(self, workshop_id: int) -> pd.DataFrame:
        """The plenary's decisions, oldest first: votes (``delta`` +1 or -1, by the voting
        group), merges (``idea`` merged into ``into``), adoptions and their withdrawal, and
        entry closed or reopened. Ideas are named by their newest text."""
        return self._df(
            f"""
            WITH {_LATEST},
            events AS (
                SELECT id, CASE WHEN delta > 0 THEN 'vote' ELSE 'unvote' END AS kind,
                       group_id, idea_id, NULL::BIGINT AS into_id,
                       actor_role, actor_name, device, created_at
                FROM votes WHERE workshop_id = $w
                UNION ALL
                SELECT id, 'merge', NULL, idea_id, into_idea_id,
                       actor_role, actor_name, device, created_at
                FROM idea_merges WHERE workshop_id = $w
                UNION ALL
                SELECT id, CASE WHEN adopted THEN 'adopt' ELSE 'unadopt' END, NULL, idea_id, NULL,
                       actor_role, actor_name, device, created_at
                FROM adoptions WHERE workshop_id = $w
                UNION ALL
                SELECT id, CASE WHEN locked THEN 'lock' ELSE 'unlock' END, NULL, NULL, NULL,
                       actor_role, actor_name, device, created_at
                FROM lock_events WHERE workshop_id = $w
            )
            SELECT e.id, e.kind, g.name_th AS group_th, g.name_en AS group_en,
                   a.name_th AS area_th, a.name_en AS area_en, i.text AS idea,
                   j.text AS into_idea, e.actor_role, e.actor_name, e.device, e.created_at
            FROM events e
            LEFT JOIN latest i ON i.idea_id = e.idea_id
            LEFT JOIN latest j ON j.idea_id = e.into_id
            LEFT JOIN groups g ON g.id = coalesce(e.group_id, i.group_id)
            LEFT JOIN areas a ON a.workshop_id = $w AND a.key = i.area
            ORDER BY e.id
            """,
            {"w": workshop_id},
        )


# The newest version of every idea of workshop $w, and where each merged idea went.
_LATEST = """latest AS (
    SELECT * FROM idea_versions WHERE workshop_id = $w
    QUALIFY row_number() OVER (PARTITION BY idea_id ORDER BY id DESC) = 1
)"""
_MERGED = """merged AS (
    SELECT idea_id, arg_max(into_idea_id, id) AS into_id FROM idea_merges
    WHERE workshop_id = $w GROUP BY idea_id
)"""


def rating_row(
    rating_id: int,
    actor: model.Actor,
    caller: model.Caller,
    group_id: int,
    r: model.RatingInput,
) -> list:
    """A ``ratings`` row, column by column: the fund of ``group_id`` in the actor's workshop."""
    return [
        rating_id,
        actor.workshop_id,
        r.fund_id,
        group_id,
        r.grade,
        r.reason,
        r.members,
        r.balance_baht,
        *_stamp(actor, caller),
        caller.press,
    ]


def idea_version_row(
    version_id: int,
    idea_id: int,
    actor: model.Actor,
    caller: model.Caller,
    group_id: int,
    idea: model.IdeaInput,
    withdrawn: bool = False,
) -> list:
    """An ``idea_versions`` row; a new idea's id is its first version's id."""
    p = idea.plan
    return [
        version_id,
        idea_id,
        actor.workshop_id,
        group_id,
        idea.area,
        idea.text,
        idea.fund_id,
        p.action,
        p.responsible,
        p.due,
        p.partner,
        p.budget_baht,
        withdrawn,
        *_stamp(actor, caller),
        caller.press,
    ]


def _stamp(actor: model.Actor, caller: model.Caller) -> list:
    """The four columns that end every event row: who, which device, when."""
    return [actor.role.value, caller.name, caller.device, utcnow()]


def _workshop(record: dict) -> model.Workshop:
    return model.Workshop(**{**record, "organisers": tuple(record["organisers"])})
