"""Write-side SQL. A row is a mapping keyed by column name and the INSERT names its columns,
so a migration that adds a column (DuckDB appends it at the end) shifts nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb

from welfare_core import model
from welfare_core.clock import utcnow
from welfare_core.db.reads import Snapshot

Row = Mapping[str, object]


class Tx(Snapshot):
    """One write transaction: reads see it, and its rows commit together or not at all."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, new_id: Callable[[], int]) -> None:
        super().__init__(cur)
        self._new_id = new_id

    def next_id(self) -> int:
        return self._new_id()

    def insert(self, table: str, rows: list[Row]) -> None:
        """Rows with the same columns in one statement: a row costs a fraction of a statement
        of its own.

        Values are bound as parameters, not scanned from a DataFrame: such a scan takes the
        GIL back in the middle of the query, and with another thread opening a cursor at that
        moment DuckDB and Python wait for each other forever (seen under load).
        """
        columns = list(rows[0])
        marks = "(" + ", ".join("?" * len(columns)) + ")"
        values = [row[c] for row in rows for c in columns]
        names = ", ".join(columns)
        sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(rows))}"
        self.cur.execute(sql, values)

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
        row = {
            "id": wid,
            "slug": slug,
            "title_th": tpl.title_th,
            "title_en": tpl.title_en,
            "held_on": tpl.held_on,
            "venue_th": tpl.venue_th,
            "venue_en": tpl.venue_en,
            "province_th": tpl.province_th,
            "province_en": tpl.province_en,
            "organisers": list(tpl.organisers),
            "plan_year": tpl.plan_year,
            "dots_per_group": dots_per_group,
            "passcode_salt": salt,
            "passcode_hash": digest,
            "is_sample": is_sample,
            "template": tpl.source,
            "created_at": utcnow(),
        }
        self.insert("workshops", [row])
        return wid

    def insert_group(
        self, workshop_id: int, position: int, spec: model.GroupSpec, code: str
    ) -> int:
        gid = self.next_id()
        row = {"id": gid, "workshop_id": workshop_id, "position": position}
        names = {"name_th": spec.name_th, "name_en": spec.name_en, "join_code": code}
        self.insert("groups", [{**row, **names}])
        return gid

    def insert_grade_level(self, workshop_id: int, level: model.GradeLevel) -> None:
        row = {
            "workshop_id": workshop_id,
            "letter": level.letter,
            "name_th": level.name_th,
            "name_en": level.name_en,
            "description_th": level.description_th,
            "description_en": level.description_en,
        }
        self.insert("grade_levels", [row])

    def insert_area(self, workshop_id: int, position: int, area: model.PlanArea) -> None:
        row = {"workshop_id": workshop_id, "key": area.key, "position": position}
        self.insert("areas", [{**row, "name_th": area.name_th, "name_en": area.name_en}])

    def insert_session(self, token_digest: str, workshop_id: int) -> None:
        row = {"token_digest": token_digest, "workshop_id": workshop_id, "created_at": utcnow()}
        self.insert("facilitator_sessions", [row])

    def insert_fund(
        self, workshop_id: int, group_id: int, row: model.RosterRow, is_sample: bool
    ) -> int:
        fid = self.next_id()
        fund = {
            "id": fid,
            "workshop_id": workshop_id,
            "group_id": group_id,
            "name": row.name,
            "tambon": row.tambon,
            "members": row.members,
            "previous_grade": row.previous_grade,
            "chair": row.chair,
            "balance_baht": row.balance_baht,
            "is_sample": is_sample,
            "created_at": utcnow(),
        }
        self.insert("funds", [fund])
        return fid

    def update_fund(self, fund_id: int, row: model.RosterRow) -> None:
        self.cur.execute(
            "UPDATE funds SET tambon = ?, members = coalesce(?, members), "
            "previous_grade = coalesce(?, previous_grade), chair = coalesce(nullif(?, ''), chair), "
            "balance_baht = coalesce(?, balance_baht) WHERE id = ?",
            [row.tambon, row.members, row.previous_grade, row.chair, row.balance_baht, fund_id],
        )

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

    def insert_event(
        self, table: str, actor: model.Actor, caller: model.Caller, values: Row
    ) -> int:
        """One event row of the actor's workshop: a new id, ``values``, and who/device/when."""
        event_id = self.next_id()
        self.insert(table, [event_row(event_id, actor, caller, values)])
        return event_id

    def insert_timer_event(
        self, actor: model.Actor, caller: model.Caller, timer: model.Timer
    ) -> None:
        values = {"duration_s": timer.duration_s, "remaining_s": timer.remaining_s}
        self.insert_event("timer_events", actor, caller, {**values, "started_at": timer.started_at})

    def insert_merge(
        self, actor: model.Actor, caller: model.Caller, idea_id: int, into_idea_id: int
    ) -> None:
        values = {"idea_id": idea_id, "into_idea_id": into_idea_id}
        self.insert_event("idea_merges", actor, caller, values)

    def insert_adoption(
        self, actor: model.Actor, caller: model.Caller, idea_id: int, adopted: bool
    ) -> None:
        self.insert_event("adoptions", actor, caller, {"idea_id": idea_id, "adopted": adopted})

    def insert_lock_event(self, actor: model.Actor, caller: model.Caller, locked: bool) -> None:
        self.insert_event("lock_events", actor, caller, {"locked": locked})


def event_row(
    event_id: int, actor: model.Actor, caller: model.Caller, values: Row
) -> dict[str, object]:
    """An event row of the actor's workshop: its id, ``values``, and who/device/when."""
    return {"id": event_id, "workshop_id": actor.workshop_id, **values, **stamp(actor, caller)}


def rating_row(
    rating_id: int,
    actor: model.Actor,
    caller: model.Caller,
    group_id: int,
    r: model.RatingInput,
) -> dict[str, object]:
    """A ``ratings`` row: the fund of ``group_id`` in the actor's workshop."""
    return {
        "id": rating_id,
        "workshop_id": actor.workshop_id,
        "fund_id": r.fund_id,
        "group_id": group_id,
        "grade": r.grade,
        "reason": r.reason,
        "members": r.members,
        "balance_baht": r.balance_baht,
        **stamp(actor, caller),
        "press": caller.press,
    }


def idea_version_row(
    version_id: int,
    idea_id: int,
    actor: model.Actor,
    caller: model.Caller,
    group_id: int,
    idea: model.IdeaInput,
    withdrawn: bool = False,
) -> dict[str, object]:
    """An ``idea_versions`` row; a new idea's id is its first version's id."""
    p = idea.plan
    return {
        "id": version_id,
        "idea_id": idea_id,
        "workshop_id": actor.workshop_id,
        "group_id": group_id,
        "area": idea.area,
        "text": idea.text,
        "fund_id": idea.fund_id,
        "action": p.action,
        "responsible": p.responsible,
        "due": p.due,
        "partner": p.partner,
        "budget_baht": p.budget_baht,
        "budget_source": p.budget_source,
        "withdrawn": withdrawn,
        **stamp(actor, caller),
        "press": caller.press,
    }


def stamp(actor: model.Actor, caller: model.Caller) -> dict[str, object]:
    """Who wrote an event row, from which device, and when."""
    return {
        "actor_role": actor.role.value,
        "actor_name": caller.name,
        "device": caller.device,
        "created_at": utcnow(),
    }
