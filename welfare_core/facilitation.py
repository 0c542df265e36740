"""The facilitator's actions: set-up (details, groups, grades, roster), running the session
(entry, timer, backups) and the plenary (dots, merges, adoption). They go on while entry is
closed, except a roster import (a part of WorkshopService)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

from welfare_core import lookups, rules
from welfare_core.backup import Backups, damage_warning
from welfare_core.clock import utcnow
from welfare_core.db.store import Store
from welfare_core.db.writes import Tx
from welfare_core.errors import (
    InvalidInput,
    NotFound,
    RosterError,
    RowProblem,
    WelfareError,
)
from welfare_core.model import (
    GRADE_LETTERS,
    Actor,
    Caller,
    GradeLevel,
    RosterRow,
    Timer,
    WorkshopEdit,
)
from welfare_core.rules import MAX_DOTS, MAX_TIMER_MINUTES, Write
from welfare_core.text import MAX_FIELD, MAX_NAME, MAX_TEXT


class FacilitatorActions:
    store: Store
    backups: Backups
    _check_then_append: threading.Lock

    def import_roster(self, caller: Caller, rows: list[RosterRow]) -> tuple[int, int]:
        """Add funds, updating funds already there (same name and district); all or nothing."""

        def work(q: Tx) -> tuple[int, int]:
            actor = lookups.actor_of(q, caller.token)
            rules.check_facilitator(actor)
            rules.check_entry(Write.ROSTER, q.locked(actor.workshop_id))
            return import_rows(q, actor.workshop_id, rows, is_sample=False)

        return self.store.write(work)

    def set_locked(self, caller: Caller, locked: bool) -> None:
        """Close (or reopen) the breakout: while locked, nobody rates or enters ideas.

        The plenary goes on while locked: votes, merges, adoption and the timer. Closing
        entry takes a snapshot, after the commit, so the snapshot holds the lock.
        """
        self._as_facilitator(caller, lambda q, actor, who: q.insert_lock_event(actor, who, locked))
        if locked:
            self.backups.quietly(self.backups.now)

    def back_up(self, caller: Caller) -> Path:
        """A snapshot now, for the facilitator (it holds every workshop of the file)."""
        with self.store.reading() as snap:
            rules.check_facilitator(lookups.actor_of(snap, caller.token))
        return self.backups.now()

    def log_damage(self) -> WelfareError | None:
        """Damage to the database's log found at start-up, and the backup to restore."""
        return damage_warning(self.store, self.backups.folder)

    def update_workshop(self, caller: Caller, edit: WorkshopEdit) -> None:
        """Change the title, date and venue."""
        clean = WorkshopEdit(
            rules.text(edit.title_th, MAX_FIELD, "field.title_th", required=True),
            rules.text(edit.title_en, MAX_FIELD, "field.title_en", required=True),
            rules.date(edit.held_on),
            rules.text(edit.venue_th, MAX_FIELD, "field.venue_th"),
            rules.text(edit.venue_en, MAX_FIELD, "field.venue_en"),
        )
        self._as_facilitator(
            caller, lambda q, actor, _: q.update_workshop(actor.workshop_id, clean)
        )

    def rename_groups(self, caller: Caller, names: dict[int, tuple[str, str]]) -> None:
        """Rename groups: {group id: (Thai name, English name)}, all or nothing."""
        clean = {
            gid: (
                rules.text(th, MAX_NAME, "field.group_th", required=True),
                rules.text(en, MAX_NAME, "field.group_en", required=True),
            )
            for gid, (th, en) in names.items()
        }

        def work(q: Tx, actor: Actor, _: Caller) -> None:
            groups = {g.id: (g.name_th, g.name_en) for g in q.groups(actor.workshop_id)}
            if not set(clean) <= set(groups):
                raise NotFound("error.no_group")
            # The Thai name is the district that rosters name: two groups cannot share one.
            names = {**groups, **clean}.values()
            for language in (0, 1):
                taken = [n[language] for n in names]
                twice = sorted({n for n in taken if taken.count(n) > 1})
                if twice:
                    raise InvalidInput("error.group_name_twice", name=twice[0])
            for gid, (th, en) in clean.items():
                q.rename_group(gid, th, en)

        self._as_facilitator(caller, work)

    def describe_grades(self, caller: Caller, descriptions: dict[str, tuple[str, str]]) -> None:
        """Change what grades mean: {letter: (Thai, English)}, all or nothing; A-D stay."""
        levels = []
        for letter, (th, en) in descriptions.items():
            if letter not in GRADE_LETTERS:
                raise InvalidInput("error.bad_grade", value=letter)
            th = rules.text(th, MAX_TEXT, "field.description_th")
            levels.append(
                GradeLevel(letter, "", "", th, rules.text(en, MAX_TEXT, "field.description_en"))
            )

        def work(q: Tx, actor: Actor, _: Caller) -> None:
            for level in levels:
                q.describe_grade(actor.workshop_id, level)

        self._as_facilitator(caller, work)

    def set_dots_per_group(self, caller: Caller, dots: int) -> None:
        number = rules.count(dots, "field.dots")
        if number is None or not 1 <= number <= MAX_DOTS:
            raise InvalidInput("error.bad_dots", value=dots, limit=MAX_DOTS)
        self._as_facilitator(
            caller, lambda q, actor, _: q.set_dots_per_group(actor.workshop_id, number)
        )

    def set_timer(self, caller: Caller, minutes: int) -> None:
        """Set the breakout timer to ``minutes``, standing still until it is started."""
        seconds = _timer_seconds(minutes)
        self._timer_step(caller, lambda t, now: Timer(seconds, seconds, None))

    def start_timer(self, caller: Caller, minutes: int | None = None) -> None:
        """Start (or resume) the timer. With ``minutes`` (the set-up page's box), a timer set to
        another length, or never set, starts afresh at that length: one click, not set then
        start. Without them, a timer that was never set cannot start."""
        seconds = None if minutes is None else _timer_seconds(minutes)

        def step(t: Timer, now: dt.datetime) -> Timer:
            if seconds is not None and t.duration_s != seconds:
                return Timer(seconds, seconds, now)
            if t.duration_s == 0:
                raise InvalidInput("error.timer_not_set")
            if t.counting(now):
                return t
            return Timer(t.duration_s, t.left(now) or t.duration_s, now)

        self._timer_step(caller, step)

    def pause_timer(self, caller: Caller) -> None:
        self._timer_step(caller, lambda t, now: Timer(t.duration_s, t.left(now), None))

    def reset_timer(self, caller: Caller) -> None:
        self._timer_step(caller, lambda t, now: Timer(t.duration_s, t.duration_s, None))

    def _timer_step(self, caller: Caller, step: Callable[[Timer, dt.datetime], Timer]) -> None:
        def work(q: Tx, actor: Actor, who: Caller) -> None:
            q.insert_timer_event(actor, who, step(q.timer(actor.workshop_id), utcnow()))

        self._as_facilitator(caller, work)

    def merge_ideas(self, caller: Caller, into_idea_id: int, idea_ids: list[int]) -> None:
        """Fold duplicates into one idea: it keeps their votes and names their groups."""
        sources = [i for i in dict.fromkeys(idea_ids) if i != into_idea_id]
        if not sources:
            raise InvalidInput("error.nothing_to_merge")

        def work(q: Tx, actor: Actor, who: Caller) -> None:
            target = lookups.live_idea(q, actor, into_idea_id)
            adopted = q.adopted_ideas(actor.workshop_id)
            for idea_id in sources:
                if lookups.live_idea(q, actor, idea_id).content.area != target.content.area:
                    raise InvalidInput("error.merge_other_area")
                # What was merged into a source moves on with it: one level, no chains.
                for earlier in q.ideas_merged_into(actor.workshop_id, idea_id):
                    q.insert_merge(actor, who, earlier, into_idea_id)
                q.insert_merge(actor, who, idea_id, into_idea_id)
            # An adopted duplicate keeps its place in the plan through the idea it joined.
            if adopted & set(sources) and into_idea_id not in adopted:
                q.insert_adoption(actor, who, into_idea_id, True)

        # Two devices merging A into B and B into A at once would lose both: one at a time.
        with self._check_then_append:
            self._as_facilitator(caller, work)

    def set_adopted(self, caller: Caller, idea_id: int, adopted: bool) -> None:
        """Put an idea into the plan (or take it out again)."""

        def work(q: Tx, actor: Actor, who: Caller) -> None:
            lookups.live_idea(q, actor, idea_id)
            q.insert_adoption(actor, who, idea_id, adopted)

        self._as_facilitator(caller, work)

    def _as_facilitator(self, caller: Caller, work: Callable[[Tx, Actor, Caller], None]) -> None:
        """Run a facilitator action; these go on while the workshop is locked."""
        clean = lookups.clean_caller(caller)

        def checked(q: Tx) -> None:
            actor = lookups.actor_of(q, caller.token)
            rules.check_facilitator(actor)
            work(q, actor, clean)

        self.store.write(checked)


def import_rows(q: Tx, workshop_id: int, rows: list[RosterRow], is_sample: bool) -> tuple[int, int]:
    groups = {g.name_th: g.id for g in q.groups(workshop_id)}
    unknown = [r for r in rows if r.district not in groups]
    if unknown:
        problems = [
            RowProblem(r.row, "district", "roster.unknown_district", (("value", r.district),))
            for r in unknown
        ]
        raise RosterError("roster", problems)
    existing = q.fund_ids_by_name(workshop_id)
    added = updated = 0
    for row in rows:
        group_id = groups[row.district]
        fund_id = existing.get((row.name, group_id))
        if fund_id is None:
            existing[(row.name, group_id)] = q.insert_fund(workshop_id, group_id, row, is_sample)
            added += 1
        else:
            q.update_fund(fund_id, row)
            updated += 1
    return added, updated


def _timer_seconds(minutes: object) -> int:
    number = rules.count(minutes, "field.minutes")
    if number is None or not 1 <= number <= MAX_TIMER_MINUTES:
        raise InvalidInput("error.bad_minutes", value=minutes, limit=MAX_TIMER_MINUTES)
    return number * 60
