"""Numbered schema migrations, applied once at start-up and recorded in ``schema_migrations``."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

# Every event table is append-only: a rating, an idea version, a vote or a lock is a new row,
# and the current state is the newest row. Concurrent appends never conflict in DuckDB.
_ACTOR_COLUMNS = """
    actor_role  VARCHAR NOT NULL,
    actor_name  VARCHAR NOT NULL DEFAULT '',
    device      VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
"""


def m001_initial(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("CREATE SEQUENCE row_ids START 1")
    cur.execute("""
        CREATE TABLE workshops (
            id             BIGINT PRIMARY KEY,
            slug           VARCHAR NOT NULL UNIQUE,
            title_th       VARCHAR NOT NULL,
            title_en       VARCHAR NOT NULL,
            held_on        DATE NOT NULL,
            venue_th       VARCHAR NOT NULL,
            venue_en       VARCHAR NOT NULL,
            province_th    VARCHAR NOT NULL,
            province_en    VARCHAR NOT NULL,
            organisers     VARCHAR[] NOT NULL,
            plan_year      INTEGER NOT NULL,
            dots_per_group INTEGER NOT NULL,
            passcode_salt  BLOB NOT NULL,
            passcode_hash  BLOB NOT NULL,
            is_sample      BOOLEAN NOT NULL,
            template       VARCHAR NOT NULL,
            created_at     TIMESTAMP NOT NULL
        )""")
    cur.execute("""
        CREATE TABLE groups (
            id          BIGINT PRIMARY KEY,
            workshop_id BIGINT NOT NULL,
            position    INTEGER NOT NULL,
            name_th     VARCHAR NOT NULL,
            name_en     VARCHAR NOT NULL,
            join_code   VARCHAR NOT NULL UNIQUE
        )""")
    cur.execute("""
        CREATE TABLE grade_levels (
            workshop_id    BIGINT NOT NULL,
            letter         VARCHAR NOT NULL,
            name_th        VARCHAR NOT NULL,
            name_en        VARCHAR NOT NULL,
            description_th VARCHAR NOT NULL,
            description_en VARCHAR NOT NULL
        )""")
    cur.execute("""
        CREATE TABLE areas (
            workshop_id BIGINT NOT NULL,
            key         VARCHAR NOT NULL,
            position    INTEGER NOT NULL,
            name_th     VARCHAR NOT NULL,
            name_en     VARCHAR NOT NULL
        )""")
    cur.execute("""
        CREATE TABLE funds (
            id             BIGINT PRIMARY KEY,
            workshop_id    BIGINT NOT NULL,
            group_id       BIGINT NOT NULL,
            name           VARCHAR NOT NULL,
            tambon         VARCHAR NOT NULL,
            members        INTEGER,
            previous_grade VARCHAR,
            chair          VARCHAR NOT NULL,
            balance_baht   DECIMAL(14, 2),
            is_sample      BOOLEAN NOT NULL,
            created_at     TIMESTAMP NOT NULL
        )""")
    cur.execute(f"""
        CREATE TABLE ratings (
            id           BIGINT NOT NULL,
            workshop_id  BIGINT NOT NULL,
            fund_id      BIGINT NOT NULL,
            group_id     BIGINT NOT NULL,
            grade        VARCHAR NOT NULL,
            reason       VARCHAR NOT NULL,
            members      INTEGER,
            balance_baht DECIMAL(14, 2),
            {_ACTOR_COLUMNS}
        )""")
    cur.execute(f"""
        CREATE TABLE idea_versions (
            id          BIGINT NOT NULL,
            idea_id     BIGINT NOT NULL,
            workshop_id BIGINT NOT NULL,
            group_id    BIGINT NOT NULL,
            area        VARCHAR NOT NULL,
            text        VARCHAR NOT NULL,
            fund_id     BIGINT,
            action      VARCHAR NOT NULL,
            responsible VARCHAR NOT NULL,
            due         VARCHAR NOT NULL,
            partner     VARCHAR NOT NULL,
            budget_baht DECIMAL(14, 2),
            withdrawn   BOOLEAN NOT NULL,
            {_ACTOR_COLUMNS}
        )""")
    cur.execute(f"""
        CREATE TABLE votes (
            id          BIGINT NOT NULL,
            workshop_id BIGINT NOT NULL,
            idea_id     BIGINT NOT NULL,
            group_id    BIGINT NOT NULL,
            delta       INTEGER NOT NULL,
            {_ACTOR_COLUMNS}
        )""")
    cur.execute(f"""
        CREATE TABLE lock_events (
            id          BIGINT NOT NULL,
            workshop_id BIGINT NOT NULL,
            locked      BOOLEAN NOT NULL,
            {_ACTOR_COLUMNS}
        )""")
    cur.execute("""
        CREATE TABLE facilitator_sessions (
            token_digest VARCHAR NOT NULL,
            workshop_id  BIGINT NOT NULL,
            created_at   TIMESTAMP NOT NULL
        )""")


def m002_plenary(cur: duckdb.DuckDBPyConnection) -> None:
    """The breakout timer, merged ideas and the adopted plan, all append-only."""
    cur.execute(f"""
        CREATE TABLE timer_events (
            id          BIGINT NOT NULL,
            workshop_id BIGINT NOT NULL,
            duration_s  INTEGER NOT NULL,
            remaining_s INTEGER NOT NULL,
            started_at  TIMESTAMP,
            {_ACTOR_COLUMNS}
        )""")
    cur.execute(f"""
        CREATE TABLE idea_merges (
            id           BIGINT NOT NULL,
            workshop_id  BIGINT NOT NULL,
            idea_id      BIGINT NOT NULL,
            into_idea_id BIGINT NOT NULL,
            {_ACTOR_COLUMNS}
        )""")
    cur.execute(f"""
        CREATE TABLE adoptions (
            id          BIGINT NOT NULL,
            workshop_id BIGINT NOT NULL,
            idea_id     BIGINT NOT NULL,
            adopted     BOOLEAN NOT NULL,
            {_ACTOR_COLUMNS}
        )""")


def m003_press(cur: duckdb.DuckDBPyConnection) -> None:
    """The Save press a rating or a new idea came from: pressed again after a restart cut off
    its confirmation, it is not stored twice."""
    for table in ("ratings", "idea_versions"):
        cur.execute(f"ALTER TABLE {table} ADD COLUMN press VARCHAR DEFAULT ''")


def m004_budget_source(cur: duckdb.DuckDBPyConnection) -> None:
    """Where a plan item's money comes from (the fund, the sub-district, CODI...): the first
    thing a partner asks of a matching-fund proposal."""
    cur.execute("ALTER TABLE idea_versions ADD COLUMN budget_source VARCHAR DEFAULT ''")


def m005_press_on_votes(cur: duckdb.DuckDBPyConnection) -> None:
    """The press a vote came from, as for ratings and ideas: a dot is not spent twice when a
    restart cut off its confirmation and +1 is pressed again."""
    cur.execute("ALTER TABLE votes ADD COLUMN press VARCHAR DEFAULT ''")


MIGRATIONS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = (
    m001_initial,
    m002_plenary,
    m003_press,
    m004_budget_source,
    m005_press_on_votes,
)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this database has not seen yet; returns their names."""
    cur = con.cursor()
    cur.execute("""
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       VARCHAR NOT NULL,
            applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )""")
    done = {row[0] for row in cur.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, step in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        cur.begin()
        step(cur)
        cur.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, step.__name__]
        )
        cur.commit()
        applied.append(step.__name__)
    return applied
