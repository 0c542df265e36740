"""Read-side SQL: the Snapshot, one cursor in one transaction, and the lookups over it."""

from __future__ import annotations

import duckdb
import pandas as pd

from welfare_core import model
from welfare_core.clock import SESSION_LIFETIME, utcnow

# Entry is closed when the workshop's newest lock event says so: the one place this is read.
_LOCKED = (
    "coalesce((SELECT arg_max(l.locked, l.id) FROM lock_events l "
    "WHERE l.workshop_id = {workshop}), false)"
)


class Snapshot:
    """Reads over one cursor. Opened by ``Store.reading()`` it is one transaction: every read
    sees the same moment, whatever commits meanwhile."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self.cur = cur
        self._locked: dict[int, bool] = {}

    def locked(self, workshop_id: int) -> bool:
        """Whether entry is closed, as this snapshot sees it (read once per snapshot)."""
        if workshop_id not in self._locked:
            row = self._one(f"SELECT {_LOCKED.format(workshop='?')}", [workshop_id])
            self._locked[workshop_id] = row[0]
        return self._locked[workshop_id]

    def _one(self, sql: str, params: list | dict | None = None) -> tuple | None:
        rows = self.cur.execute(sql, params or []).fetchall()  # all: the result is closed
        return rows[0] if rows else None

    def rows(self, sql: str, params: list | dict | None = None) -> list[tuple]:
        return self.cur.execute(sql, params or []).fetchall()

    def _records(self, sql: str, params: list | dict | None = None) -> list[dict]:
        result = self.cur.execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def df(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        return self.cur.execute(sql, params or []).df()

    def slug_taken(self, slug: str) -> bool:
        return self._one("SELECT count(*) FROM workshops WHERE slug = ?", [slug])[0] > 0

    _WORKSHOPS = f"""
        SELECT w.id, w.slug, w.title_th, w.title_en, w.held_on, w.venue_th, w.venue_en,
               w.province_th, w.province_en, w.organisers, w.plan_year, w.dots_per_group,
               w.is_sample, {_LOCKED.format(workshop="w.id")} AS locked
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

    def join_code_taken(self, code: str) -> bool:
        return self._one("SELECT count(*) FROM groups WHERE join_code = ?", [code])[0] > 0

    def groups(self, workshop_id: int) -> list[model.Group]:
        rows = self.rows(
            "SELECT id, workshop_id, position, name_th, name_en, join_code FROM groups "
            "WHERE workshop_id = ? ORDER BY position",
            [workshop_id],
        )
        return [model.Group(*r) for r in rows]

    def grade_levels(self, workshop_id: int) -> list[model.GradeLevel]:
        rows = self.rows(
            "SELECT letter, name_th, name_en, description_th, description_en FROM grade_levels "
            "WHERE workshop_id = ? ORDER BY letter",
            [workshop_id],
        )
        return [model.GradeLevel(*r) for r in rows]

    def areas(self, workshop_id: int) -> list[model.PlanArea]:
        rows = self.rows(
            "SELECT key, name_th, name_en FROM areas WHERE workshop_id = ? ORDER BY position",
            [workshop_id],
        )
        return [model.PlanArea(*r) for r in rows]

    def who(self, join_code: str, token_digest: str) -> model.Actor | None:
        """The holder of a join code or facilitator token (one query: every write starts with
        it)."""
        row = self._one(
            """
            WITH holder AS (
                SELECT 'group' AS role, workshop_id, id AS group_id FROM groups
                WHERE join_code = $code
                UNION ALL
                SELECT 'facilitator', workshop_id, NULL FROM facilitator_sessions
                WHERE token_digest = $digest AND created_at > $valid_from
            )
            SELECT role, workshop_id, group_id FROM holder LIMIT 1
            """,
            {"code": join_code, "digest": token_digest, "valid_from": utcnow() - SESSION_LIFETIME},
        )
        if row is None:
            return None
        return model.Actor(model.Role(row[0]), row[1], row[2])

    def fund_ids_by_name(self, workshop_id: int) -> dict[tuple[str, int], int]:
        rows = self.rows(
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
        rows = self.rows(
            "SELECT f.id, f.workshop_id, f.group_id, f.name, f.tambon, f.members, "
            "f.previous_grade, f.is_sample FROM funds f JOIN groups g ON g.id = f.group_id "
            "WHERE f.workshop_id = ? AND (? IS NULL OR f.group_id = ?) "
            "ORDER BY g.position, f.name",
            [workshop_id, group_id, group_id],
        )
        return [model.Fund(*r) for r in rows]

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

    def pressed_version(
        self, caller: model.Caller, idea_id: int, edit: model.IdeaInput | None
    ) -> bool:
        """Whether this press already stored this edit (same area and text), or with no
        ``edit``, the idea's withdrawal."""
        withdrawal = edit is None
        row = self._one(
            "SELECT 1 FROM idea_versions WHERE press = ? AND device = ? AND idea_id = ? "
            "AND id <> idea_id AND withdrawn = ? AND (? OR (area = ? AND text = ?)) LIMIT 1",
            [caller.press, caller.device, idea_id, withdrawal, withdrawal]
            + (["", ""] if edit is None else [edit.area, edit.text]),
        )
        return row is not None

    def pressed_vote(self, caller: model.Caller, idea_id: int, group_id: int, delta: int) -> bool:
        """Whether this press already stored this vote."""
        row = self._one(
            "SELECT 1 FROM votes WHERE press = ? AND device = ? AND idea_id = ? AND group_id = ? "
            "AND delta = ? LIMIT 1",
            [caller.press, caller.device, idea_id, group_id, delta],
        )
        return row is not None

    def current_idea(self, idea_id: int) -> model.StoredIdea | None:
        row = self._one(
            "SELECT workshop_id, group_id, area, text, fund_id, action, responsible, due, "
            "partner, budget_baht, budget_source, withdrawn FROM idea_versions WHERE idea_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [idea_id],
        )
        if row is None:
            return None
        content = model.IdeaInput(row[2], row[3], row[4], model.ActionPlan(*row[5:11]))
        return model.StoredIdea(row[0], row[1], content, row[11])

    def plan_year(self, workshop_id: int) -> int:
        return self._one("SELECT plan_year FROM workshops WHERE id = ?", [workshop_id])[0]

    def dots_per_group(self, workshop_id: int) -> int:
        return self._one("SELECT dots_per_group FROM workshops WHERE id = ?", [workshop_id])[0]

    def dots_used(self, workshop_id: int, group_id: int) -> int:
        """The group's dots on live ideas: a withdrawn idea gives its dots back."""
        return self._one(
            f"""
            WITH {MERGED}, {LATEST}
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
            WITH {MERGED}
            SELECT coalesce(sum(v.delta), 0) FROM votes v
            LEFT JOIN merged m ON m.idea_id = v.idea_id
            WHERE v.workshop_id = $w AND coalesce(m.into_id, v.idea_id) = $i AND v.group_id = $g
            """,
            {"w": workshop_id, "i": idea_id, "g": group_id},
        )[0]

    def dots_by_idea(self, workshop_id: int, group_id: int) -> dict[int, int]:
        """The group's dots per live idea, counted the way ``dots_used`` counts them."""
        rows = self.rows(
            f"""
            WITH {MERGED}, {LATEST}
            SELECT coalesce(m.into_id, v.idea_id), sum(v.delta)::INTEGER FROM votes v
            LEFT JOIN merged m ON m.idea_id = v.idea_id
            JOIN latest i ON i.idea_id = coalesce(m.into_id, v.idea_id)
            WHERE v.workshop_id = $w AND v.group_id = $g AND NOT i.withdrawn
            GROUP BY ALL HAVING sum(v.delta) > 0
            """,
            {"w": workshop_id, "g": group_id},
        )
        return dict(rows)

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
        rows = self.rows(
            f"WITH {MERGED} SELECT idea_id FROM merged WHERE into_id = $i ORDER BY idea_id",
            {"w": workshop_id, "i": idea_id},
        )
        return [r[0] for r in rows]

    def adopted_ideas(self, workshop_id: int) -> set[int]:
        rows = self.rows(
            "SELECT idea_id FROM adoptions WHERE workshop_id = ? GROUP BY idea_id "
            "HAVING arg_max(adopted, id)",
            [workshop_id],
        )
        return {r[0] for r in rows}


# The newest version of every idea of workshop $w, and where each merged idea went.
LATEST = """latest AS (
    SELECT * FROM idea_versions WHERE workshop_id = $w
    QUALIFY row_number() OVER (PARTITION BY idea_id ORDER BY id DESC) = 1
)"""
MERGED = """merged AS (
    SELECT idea_id, arg_max(into_idea_id, id) AS into_id FROM idea_merges
    WHERE workshop_id = $w GROUP BY idea_id
)"""


def _workshop(record: dict) -> model.Workshop:
    return model.Workshop(**{**record, "organisers": tuple(record["organisers"])})
