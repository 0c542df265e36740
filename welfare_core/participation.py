"""The participants' writes: a rating, a new idea, an edit, a withdrawal, a vote. Each takes
one path (_participant_write), where the rules say whether entry allows it (a part of
WorkshopService)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from welfare_core import lookups, rules
from welfare_core.db.store import Store
from welfare_core.db.writes import Row, Tx, event_row, idea_version_row, rating_row
from welfare_core.errors import InvalidInput, NotFound
from welfare_core.model import ActionPlan, Actor, Caller, IdeaInput, RatingInput
from welfare_core.rules import Write
from welfare_core.text import MAX_FIELD, MAX_TEXT


class ParticipantWrites:
    store: Store
    _check_then_append: threading.Lock
    _group_actors: dict[str, Actor]
    _fund_places: dict[int, tuple[int, int]]
    _area_keys: dict[int, frozenset[str]]

    def rate_fund(self, caller: Caller, rating: RatingInput) -> int:
        """Append a rating; the fund's current grade is its newest rating."""
        clean = replace(
            rating,
            grade=rules.grade(rating.grade),
            reason=rules.text(rating.reason, MAX_TEXT, "field.reason", required=True),
            members=rules.count(rating.members, "field.members"),
            balance_baht=rules.money(rating.balance_baht, "field.balance"),
        )
        actor = self._participant(caller.token)
        place = self._fund_place(clean.fund_id)
        if place is None or place[0] != actor.workshop_id:
            raise NotFound("error.no_fund")
        rules.check_group(actor, place[1])
        who = lookups.clean_caller(caller)
        if who.press and (first := self.store.read().pressed_rating(who, clean)) is not None:
            return first  # pressed again: a restart cut off the confirmation, not the save
        rating_id = self.store.new_id()
        row = rating_row(rating_id, actor, who, place[1], clean)
        self._participant_write(actor, Write.RATING, lambda tx: [("ratings", row)])
        return rating_id

    def add_idea(self, caller: Caller, idea: IdeaInput, group_id: int | None = None) -> int:
        """Add an idea for the caller's group (a facilitator names the group); returns its id."""
        actor = self._participant(caller.token)
        owner = lookups.acting_group(self.store.read(), actor, group_id)
        clean = self._clean_idea(
            actor, owner, idea, lambda: self.store.read().plan_year(actor.workshop_id)
        )
        who = lookups.clean_caller(caller)
        if who.press and (first := self.store.read().pressed_idea(who, owner, clean)) is not None:
            return first  # pressed again: a restart cut off the confirmation, not the save
        idea_id = self.store.new_id()
        row = idea_version_row(idea_id, idea_id, actor, who, owner, clean)
        self._participant_write(actor, Write.NEW_IDEA, lambda tx: [("idea_versions", row)])
        return idea_id

    def edit_idea(self, caller: Caller, idea_id: int, idea: IdeaInput) -> None:
        """Append a new version; earlier versions stay in the history."""
        actor, who = self._participant(caller.token), lookups.clean_caller(caller)

        def rows(tx: Tx) -> list[tuple[str, Row]]:
            owner, _ = lookups.editable_idea(tx, actor, idea_id)
            clean = self._clean_idea(actor, owner, idea, lambda: tx.plan_year(actor.workshop_id))
            if who.press and tx.pressed_version(who, idea_id, clean):
                return []  # pressed again: a restart cut off the confirmation, not the save
            return [
                ("idea_versions", idea_version_row(tx.next_id(), idea_id, actor, who, owner, clean))
            ]

        self._participant_write(actor, Write.EDIT, rows)

    def withdraw_idea(self, caller: Caller, idea_id: int) -> None:
        """A tombstone version: the idea leaves the read models and stays in the history."""
        actor, who = self._participant(caller.token), lookups.clean_caller(caller)

        def rows(tx: Tx) -> list[tuple[str, Row]]:
            if who.press and tx.pressed_version(who, idea_id, None):
                return []  # pressed again: the idea is already withdrawn by this press
            owner, current = lookups.editable_idea(tx, actor, idea_id)
            row = idea_version_row(tx.next_id(), idea_id, actor, who, owner, current, True)
            return [("idea_versions", row)]

        self._participant_write(actor, Write.WITHDRAW, rows)

    def vote(
        self, caller: Caller, idea_id: int, delta: int = 1, group_id: int | None = None
    ) -> None:
        """Put one of the group's dots on an idea (delta 1) or take one back (delta -1)."""
        if delta not in (1, -1):
            raise InvalidInput("error.bad_vote")
        actor, who = self._participant(caller.token), lookups.clean_caller(caller)

        def rows(tx: Tx) -> list[tuple[str, Row]]:
            voter = lookups.acting_group(tx, actor, group_id)
            if who.press and tx.pressed_vote(who, idea_id, voter, delta):
                return []  # pressed again: a restart cut off the confirmation, not the vote
            lookups.live_idea(tx, actor, idea_id)
            if delta == 1:
                dots = tx.dots_per_group(actor.workshop_id)
                if tx.dots_used(actor.workshop_id, voter) >= dots:
                    raise InvalidInput("error.no_dots_left", dots=dots)
            elif tx.dots_on_idea(actor.workshop_id, idea_id, voter) <= 0:
                raise InvalidInput("error.no_vote_to_take_back")
            values = {"idea_id": idea_id, "group_id": voter, "delta": delta, "press": who.press}
            return [("votes", event_row(tx.next_id(), actor, who, values))]

        self._participant_write(actor, Write.VOTE, rows)

    def _participant_write(
        self, actor: Actor, kind: Write, rows: Callable[[Tx], list[tuple[str, Row]]]
    ) -> None:
        """The one path of every participant write: in the transaction that commits it, read
        the lock, ask the rules whether ``kind`` may be written, then let ``rows`` check the
        write's own facts and give its rows.

        New ratings and ideas share commits (group commit): each stands alone. A vote (its dot
        limit), an edit and a withdrawal (the idea they check must still be live: a withdrawal
        and an edit in one shared commit would not see each other) are a check then an append,
        so they commit one at a time.
        """

        def unit(tx: Tx) -> list[tuple[str, Row]]:
            rules.check_entry(kind, tx.locked(actor.workshop_id))
            return rows(tx)

        if kind in (Write.RATING, Write.NEW_IDEA):
            self.store.append(unit)
            return
        with self._check_then_append:  # appends never conflict: the process makes it atomic
            self.store.write(lambda tx: _insert_each(tx, unit(tx)))

    def _participant(self, token: str) -> Actor:
        """Who holds this code (a group's, remembered, or a facilitator's, read each time);
        the lock is read when the write commits."""
        known = self._group_actors.get(token)
        if known is None:
            known = lookups.actor_of(self.store.read(), token)
            if known.is_facilitator:
                return known
            self._group_actors[token] = known
        return known

    def _fund_place(self, fund_id: int) -> tuple[int, int] | None:
        """The fund's workshop and group (a fund never moves), or None when there is no fund."""
        if fund_id not in self._fund_places:
            fund = self.store.read().fund(fund_id)
            if fund is None:
                return None
            self._fund_places[fund_id] = (fund.workshop_id, fund.group_id)
        return self._fund_places[fund_id]

    def _clean_idea(
        self, actor: Actor, group_id: int, idea: IdeaInput, plan_year: Callable[[], int]
    ) -> IdeaInput:
        if actor.workshop_id not in self._area_keys:
            areas = self.store.read().areas(actor.workshop_id)
            self._area_keys[actor.workshop_id] = frozenset(a.key for a in areas)
        if idea.area not in self._area_keys[actor.workshop_id]:
            raise InvalidInput("error.bad_area", value=idea.area)
        if idea.fund_id is not None and self._fund_place(idea.fund_id) != (
            actor.workshop_id,
            group_id,
        ):
            raise NotFound("error.no_fund")
        p = idea.plan
        plan = ActionPlan(
            action=rules.text(p.action, MAX_FIELD, "field.action"),
            responsible=rules.text(p.responsible, MAX_FIELD, "field.responsible"),
            due=rules.due(p.due, plan_year),
            partner=rules.text(p.partner, MAX_FIELD, "field.partner"),
            budget_baht=rules.money(p.budget_baht, "field.budget"),
            budget_source=rules.text(p.budget_source, MAX_FIELD, "field.budget_source"),
        )
        text = rules.text(idea.text, MAX_TEXT, "field.idea", required=True)
        return IdeaInput(idea.area, text, idea.fund_id, plan)


def _insert_each(tx: Tx, rows: list[tuple[str, Row]]) -> None:
    for table, row in rows:
        tx.insert(table, [row])
