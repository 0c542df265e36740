"""Migrations on a blank database (the layer rules are in tests/test_layers.py)."""

from __future__ import annotations

import duckdb

from welfare_core.db.schema import MIGRATIONS, migrate

EXPECTED_TABLES = {
    "schema_migrations": ["version", "name", "applied_at"],
    "workshops": [
        "id", "slug", "title_th", "title_en", "held_on", "venue_th", "venue_en", "province_th",
        "province_en", "organisers", "plan_year", "dots_per_group", "passcode_salt",
        "passcode_hash", "is_sample", "template", "created_at",
    ],
    "groups": ["id", "workshop_id", "position", "name_th", "name_en", "join_code"],
    "grade_levels": [
        "workshop_id", "letter", "name_th", "name_en", "description_th", "description_en",
    ],
    "areas": ["workshop_id", "key", "position", "name_th", "name_en"],
    "funds": [
        "id", "workshop_id", "group_id", "name", "tambon", "members", "previous_grade", "chair",
        "balance_baht", "is_sample", "created_at",
    ],
    "ratings": [
        "id", "workshop_id", "fund_id", "group_id", "grade", "reason", "members", "balance_baht",
        "actor_role", "actor_name", "device", "created_at", "press",
    ],
    "idea_versions": [
        "id", "idea_id", "workshop_id", "group_id", "area", "text", "fund_id", "action",
        "responsible", "due", "partner", "budget_baht", "withdrawn", "actor_role", "actor_name",
        "device", "created_at", "press", "budget_source",
    ],
    "votes": [
        "id", "workshop_id", "idea_id", "group_id", "delta", "actor_role", "actor_name",
        "device", "created_at", "press",
    ],
    "lock_events": [
        "id", "workshop_id", "locked", "actor_role", "actor_name", "device", "created_at",
    ],
    "facilitator_sessions": ["token_digest", "workshop_id", "created_at"],
    "timer_events": [
        "id", "workshop_id", "duration_s", "remaining_s", "started_at", "actor_role",
        "actor_name", "device", "created_at",
    ],
    "idea_merges": [
        "id", "workshop_id", "idea_id", "into_idea_id", "actor_role", "actor_name", "device",
        "created_at",
    ],
    "adoptions": [
        "id", "workshop_id", "idea_id", "adopted", "actor_role", "actor_name", "device",
        "created_at",
    ],
}  # fmt: skip


def schema_of(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    ).fetchall()
    schema: dict[str, list[str]] = {}
    for table, column in rows:
        schema.setdefault(table, []).append(column)
    return schema


def test_a_blank_database_migrates_to_the_expected_schema(tmp_path):
    con = duckdb.connect(str(tmp_path / "blank.duckdb"))
    assert migrate(con) == [m.__name__ for m in MIGRATIONS]
    assert schema_of(con) == EXPECTED_TABLES
    recorded = con.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert recorded == [
        (1, "m001_initial"),
        (2, "m002_plenary"),
        (3, "m003_press"),
        (4, "m004_budget_source"),
        (5, "m005_press_on_votes"),
    ]


def test_a_database_of_the_first_release_gains_the_plenary_tables_and_keeps_its_rows(tmp_path):
    path = str(tmp_path / "old.duckdb")
    con = duckdb.connect(path)
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    MIGRATIONS[0](con)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (1, 'm001_initial')")
    con.execute("INSERT INTO lock_events VALUES (1, 7, true, 'facilitator', '', 'x', now())")
    assert migrate(con) == [m.__name__ for m in MIGRATIONS[1:]]
    assert schema_of(con) == EXPECTED_TABLES
    assert con.execute("SELECT workshop_id, locked FROM lock_events").fetchall() == [(7, True)]


def test_migrations_run_once(tmp_path):
    path = str(tmp_path / "twice.duckdb")
    con = duckdb.connect(path)
    migrate(con)
    con.close()
    con = duckdb.connect(path)
    assert migrate(con) == []
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
