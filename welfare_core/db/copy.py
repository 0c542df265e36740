"""Snapshot copies of the database for backups, and the checks of a file to restore."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from welfare_core.db.schema import MIGRATIONS, migrate
from welfare_core.db.store import Store, unusable
from welfare_core.errors import BackupFailed, InvalidInput


def copy_to(store: Store, target: Path) -> dict[str, int]:
    """Write the whole database into the new file ``target``, while other threads write;
    return the rows of each table it holds.

    One snapshot reads every table at the same moment (DuckDB's snapshot isolation)
    into Parquet files, so the copy holds exactly the transactions committed before it
    began; a connection of its own then builds ``target`` from them. Attaching the copy to
    the process's connection instead (COPY FROM DATABASE) hung DuckDB now and then when
    the copy was detached while participants were saving.
    """
    parts = target.with_name(target.name + ".parts")  # removed however the copy ends
    parts.mkdir()
    try:
        with store.reading() as snap:
            tables = [name for (name,) in snap.rows(_TABLES)]
            rows = {}
            for table in tables:
                part = _literal(str(parts / f"{table}.parquet"))
                copied = snap.cur.execute(f"COPY {_quoted(table)} TO '{part}' (FORMAT parquet)")
                rows[table] = copied.fetchone()[0]
            next_id = snap.rows(_NEXT_ID)[0][0]
        _build_copy(target, parts, tables, next_id)
        return rows
    except duckdb.Error as exc:
        detail = str(exc).splitlines()[0]
        raise BackupFailed("backup.failed", folder=str(target.parent), detail=detail) from None
    finally:
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
        problem = unusable(path, exc)
        if problem.key == "error.db_busy":
            raise problem from None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
