"""Use cases. Every write resolves the caller's code first and checks what it allows."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from welfare_core import codes, consolidate, rules
from welfare_core.backup import Backups, backup_dir, damage_warning
from welfare_core.clock import utcnow
from welfare_core.consolidate import Dashboard
from welfare_core.db.reads import Snapshot
from welfare_core.db.store import Store
from welfare_core.db.writes import Row, Tx, event_row, idea_version_row, rating_row
from welfare_core.errors import (
    InvalidInput,
    NotAllowed,
    NotFound,
    RosterError,
    RowProblem,
    WelfareError,
)
from welfare_core.export import export_plan
from welfare_core.model import (
    GRADE_LETTERS,
    ActionPlan,
    Actor,
    Caller,
    CreatedWorkshop,
    Fund,
    GradeLevel,
    Group,
    IdeaInput,
    PlanArea,
    RatingInput,
    RosterRow,
    StoredIdea,
    Template,
    Timer,
    Workshop,
    WorkshopEdit,
)
from welfare_core.roster import districts_in, read_roster
from welfare_core.rules import Write
from welfare_core.text import MAX_FIELD, MAX_NAME, MAX_TEXT

MAX_DOTS = 50
MAX_TIMER_MINUTES = 240


class WorkshopService:
    def __init__(self, store: Store, backups: Backups | None = None) -> None:
        """``backups`` defaults to snapshots in the folder named by ``backup_dir``, taken on
        lock and on demand; the app starts its periodic ones too."""
        self.store = store
        self.backups = backups or Backups(store, backup_dir(store.path))
        # Appends never conflict in DuckDB, so a check-then-append (the dot limit) is made
        # atomic here; one process holds the file, so a process lock is enough.
        self._check_then_append = threading.Lock()
        # Facts that never change once written, remembered so the busiest writes (ratings and
        # new ideas) skip their reads: the group a join code opens, where a fund belongs, and a
        # workshop's plan areas. Only valid codes are remembered; facilitator tokens expire.
        self._group_actors: dict[str, Actor] = {}
        self._fund_places: dict[int, tuple[int, int]] = {}
        self._area_keys: dict[int, frozenset[str]] = {}

    # --- workshops and sign-in ----------------------------------------------------------------

    def create_workshop(
        self,
        template: Template,
        roster: list[RosterRow] | None = None,
        passcode: str | None = None,
        is_sample: bool = False,
        dots_per_group: int = 5,
        slug_base: str | None = None,
    ) -> CreatedWorkshop:
        """Create a workshop, its groups (with join codes) and its funds, in one transaction.

        The slug is ``slug_base`` (default: the template's file name), with -2, -3, ...
        added when it is taken.
        """
        if template.groups_from_roster and not roster:
            raise InvalidInput("template.needs_roster", file=template.source)
        if passcode is not None and len(passcode) < codes.PASSCODE_MIN_LENGTH:
            raise InvalidInput("error.short_passcode", length=codes.PASSCODE_MIN_LENGTH)
        passcode = passcode or codes.new_passcode()
        salt, digest = codes.hash_passcode(passcode)
        specs = districts_in(roster) if template.groups_from_roster else list(template.groups)

        def work(q: Tx) -> CreatedWorkshop:
            chosen = _free_slug(q, slug_base or Path(template.source).stem)
            wid = q.insert_workshop(template, chosen, salt, digest, is_sample, dots_per_group)
            for position, spec in enumerate(specs, start=1):
                q.insert_group(wid, position, spec, _free_join_code(q))
            for level in template.grades:
                q.insert_grade_level(wid, level)
            for position, area in enumerate(template.areas, start=1):
                q.insert_area(wid, position, area)
            added, _ = _import_rows(q, wid, roster or [], is_sample)
            return CreatedWorkshop(chosen, passcode, tuple(q.groups(wid)), added)

        return self.store.write(work)

    def create_from_template(
        self,
        template: Template,
        roster: tuple[str, bytes] | None = None,
        passcode: str | None = None,
    ) -> CreatedWorkshop:
        """Create a workshop from a template and a roster file (name, bytes).

        Without a roster the template's own roster is used, marked as sample data when the
        template says it is.
        """
        sample = roster is None and template.roster_is_sample
        if roster is None and template.roster_path:
            roster = (template.roster_path, Path(template.roster_path).read_bytes())
        rows = None
        if roster is not None:
            groups = None if template.groups_from_roster else list(template.groups)
            rows = read_roster(roster[1], roster[0], groups)
        return self.create_workshop(template, rows, passcode=passcode, is_sample=sample)

    def new_workshop(
        self,
        caller: Caller,
        template: Template,
        roster: tuple[str, bytes] | None = None,
        passcode: str | None = None,
    ) -> CreatedWorkshop:
        """``create_from_template`` for the set-up page: a signed-in facilitator (of any
        workshop) starts a new one. The command line, which owns the file, needs no caller."""
        if not self.actor(caller.token).is_facilitator:
            raise NotAllowed("error.facilitator_only")
        return self.create_from_template(template, roster, passcode)

    def workshop(self, slug: str) -> Workshop:
        with self.store.reading() as snap:
            found = snap.workshop_by_slug(slug)
        if found is None:
            raise NotFound("error.no_workshop", slug=slug)
        return found

    def workshops(self) -> list[Workshop]:
        """Every workshop, newest first."""
        with self.store.reading() as snap:
            return snap.workshops()

    def groups(self, workshop_id: int) -> list[Group]:
        with self.store.reading() as snap:
            return snap.groups(workshop_id)

    def funds(self, workshop_id: int, group_id: int | None = None) -> list[Fund]:
        with self.store.reading() as snap:
            return snap.funds(workshop_id, group_id)

    def areas(self, workshop_id: int) -> list[PlanArea]:
        with self.store.reading() as snap:
            return snap.areas(workshop_id)

    def grade_levels(self, workshop_id: int) -> list[GradeLevel]:
        with self.store.reading() as snap:
            return snap.grade_levels(workshop_id)

    def dots_by_idea(self, workshop_id: int, group_id: int) -> dict[int, int]:
        """The group's dots per idea (ideas merged into another count for that one)."""
        with self.store.reading() as snap:
            return snap.dots_by_idea(workshop_id, group_id)

    def join(self, code: str) -> tuple[Workshop, Group]:
        """The group (and its workshop) that a typed or linked join code opens."""
        with self.store.reading() as snap:
            group = snap.group_by_code(codes.normalise_code(code or ""))
            workshop = group and snap.workshop_by_id(group.workshop_id)
        if group is None:
            thai = codes.typed_in_thai(code or "")  # a key the layout map could not read back
            raise NotAllowed("error.bad_code_thai_keyboard" if thai else "error.bad_code")
        return workshop, group

    def facilitated(self, token: str) -> Workshop:
        """The workshop a facilitator token signs in to; NotAllowed once it has expired."""
        actor = self.actor(token)
        if not actor.is_facilitator:
            raise NotAllowed("error.facilitator_only")
        with self.store.reading() as snap:
            return snap.workshop_by_id(actor.workshop_id)

    def sign_in(self, slug: str, passcode: str) -> str:
        """Check the facilitator passcode; returns a token to pass as ``Caller.token``."""
        workshop = self.workshop(slug)
        with self.store.reading() as snap:
            salt, digest = snap.passcode_of(workshop.id)
        if not codes.passcode_matches(passcode, salt, digest):
            raise NotAllowed("error.bad_passcode")
        return self._new_session(workshop.id)

    def owner_token(self, slug: str) -> str:
        """A facilitator token without the passcode, for the command line only.

        Whoever can open the database file owns it anyway; pages must never call this
        (a test checks that they do not).
        """
        return self._new_session(self.workshop(slug).id)

    def _new_session(self, workshop_id: int) -> str:
        token = codes.new_token()
        self.store.write(lambda q: q.insert_session(codes.token_digest(token), workshop_id))
        return token

    def actor(self, token: str) -> Actor:
        """Who holds this join code or facilitator token; NotAllowed when nobody does."""
        with self.store.reading() as snap:
            return _actor(snap, token)

    # --- writes -----------------------------------------------------------------------------

    def import_roster(self, caller: Caller, rows: list[RosterRow]) -> tuple[int, int]:
        """Add funds, updating funds already there (same name and district); all or nothing."""

        def work(q: Tx) -> tuple[int, int]:
            actor, locked = _actor_and_lock(q, caller.token)
            rules.check_facilitator(actor)
            rules.check_entry(Write.ROSTER, locked)
            return _import_rows(q, actor.workshop_id, rows, is_sample=False)

        return self.store.write(work)

    def rate_fund(self, caller: Caller, rating: RatingInput) -> int:
        """Append a rating; the fund's current grade is its newest rating."""
        grade = str(rating.grade).strip().upper()
        if grade not in GRADE_LETTERS:
            raise InvalidInput("error.bad_grade", value=rating.grade)
        clean = replace(
            rating,
            grade=grade,
            reason=rules.text(rating.reason, MAX_TEXT, "field.reason", required=True),
            members=rules.count(rating.members, "field.members"),
            balance_baht=rules.money(rating.balance_baht, "field.balance"),
        )
        actor = self._participant(caller.token)
        place = self._fund_place(clean.fund_id)
        if place is None or place[0] != actor.workshop_id:
            raise NotFound("error.no_fund")
        rules.check_group(actor, place[1])
        who = _clean_caller(caller)
        if who.press and (first := self.store.read().pressed_rating(who, clean)) is not None:
            return first  # pressed again: a restart cut off the confirmation, not the save
        rating_id = self.store.new_id()
        row = rating_row(rating_id, actor, who, place[1], clean)
        self._participant_write(actor, Write.RATING, lambda tx: [("ratings", row)])
        return rating_id

    def add_idea(self, caller: Caller, idea: IdeaInput, group_id: int | None = None) -> int:
        """Add an idea for the caller's group (a facilitator names the group); returns its id."""
        actor = self._participant(caller.token)
        owner = _acting_group(self.store.read(), actor, group_id)
        clean = self._clean_idea(
            actor, owner, idea, lambda: self.store.read().plan_year(actor.workshop_id)
        )
        who = _clean_caller(caller)
        if who.press and (first := self.store.read().pressed_idea(who, owner, clean)) is not None:
            return first  # pressed again: a restart cut off the confirmation, not the save
        idea_id = self.store.new_id()
        row = idea_version_row(idea_id, idea_id, actor, who, owner, clean)
        self._participant_write(actor, Write.NEW_IDEA, lambda tx: [("idea_versions", row)])
        return idea_id

    def edit_idea(self, caller: Caller, idea_id: int, idea: IdeaInput) -> None:
        """Append a new version; earlier versions stay in the history."""
        actor, who = self._participant(caller.token), _clean_caller(caller)

        def rows(tx: Tx) -> list[tuple[str, Row]]:
            owner, _ = _editable_idea(tx, actor, idea_id)
            clean = self._clean_idea(actor, owner, idea, lambda: tx.plan_year(actor.workshop_id))
            return [
                ("idea_versions", idea_version_row(tx.next_id(), idea_id, actor, who, owner, clean))
            ]

        self._participant_write(actor, Write.EDIT, rows)

    def withdraw_idea(self, caller: Caller, idea_id: int) -> None:
        """A tombstone version: the idea leaves the read models and stays in the history."""
        actor, who = self._participant(caller.token), _clean_caller(caller)

        def rows(tx: Tx) -> list[tuple[str, Row]]:
            owner, current = _editable_idea(tx, actor, idea_id)
            row = idea_version_row(tx.next_id(), idea_id, actor, who, owner, current, True)
            return [("idea_versions", row)]

        self._participant_write(actor, Write.WITHDRAW, rows)

    def vote(
        self, caller: Caller, idea_id: int, delta: int = 1, group_id: int | None = None
    ) -> None:
        """Put one of the group's dots on an idea (delta 1) or take one back (delta -1)."""
        if delta not in (1, -1):
            raise InvalidInput("error.bad_vote")
        actor, who = self._participant(caller.token), _clean_caller(caller)

        def rows(tx: Tx) -> list[tuple[str, Row]]:
            voter = _acting_group(tx, actor, group_id)
            _live_idea(tx, actor, idea_id)
            if delta == 1:
                dots = tx.dots_per_group(actor.workshop_id)
                if tx.dots_used(actor.workshop_id, voter) >= dots:
                    raise InvalidInput("error.no_dots_left", dots=dots)
            elif tx.dots_on_idea(actor.workshop_id, idea_id, voter) <= 0:
                raise InvalidInput("error.no_vote_to_take_back")
            values = {"idea_id": idea_id, "group_id": voter, "delta": delta}
            return [("votes", event_row(tx.next_id(), actor, who, values))]

        self._participant_write(actor, Write.VOTE, rows)

    def _participant_write(
        self, actor: Actor, kind: Write, rows: Callable[[Tx], list[tuple[str, Row]]]
    ) -> None:
        """The one path of every participant write: in the transaction that commits it, read
        the lock, ask the rules whether ``kind`` may be written, then let ``rows`` check the
        write's own facts and give its rows.

        Saves share commits (group commit), except votes: their dot limit is a check then an
        append, so they commit one at a time.
        """

        def unit(tx: Tx) -> list[tuple[str, Row]]:
            rules.check_entry(kind, tx.locked(actor.workshop_id))
            return rows(tx)

        if kind is not Write.VOTE:
            self.store.append(unit)
            return
        with self._check_then_append:  # appends never conflict: the process makes it atomic
            self.store.write(lambda tx: _insert_each(tx, unit(tx)))

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
        if not self.actor(caller.token).is_facilitator:
            raise NotAllowed("error.facilitator_only")
        return self.backups.now()

    def log_damage(self) -> WelfareError | None:
        """Damage to the database's log found at start-up, and the backup to restore."""
        return damage_warning(self.store, self.backups.folder)

    # --- facilitator: set-up and plenary -----------------------------------------------------

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

    def timer(self, workshop_id: int) -> Timer:
        with self.store.reading() as snap:
            return snap.timer(workshop_id)

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
            target = _live_idea(q, actor, into_idea_id)
            adopted = q.adopted_ideas(actor.workshop_id)
            for idea_id in sources:
                if _live_idea(q, actor, idea_id).content.area != target.content.area:
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
            _live_idea(q, actor, idea_id)
            q.insert_adoption(actor, who, idea_id, adopted)

        self._as_facilitator(caller, work)

    def _as_facilitator(self, caller: Caller, work: Callable[[Tx, Actor, Caller], None]) -> None:
        """Run a facilitator action; these go on while the workshop is locked."""
        clean = _clean_caller(caller)

        def checked(q: Tx) -> None:
            actor = _actor(q, caller.token)
            rules.check_facilitator(actor)
            work(q, actor, clean)

        self.store.write(checked)

    # --- facts remembered between writes (see __init__) ---------------------------------------

    def _participant(self, token: str) -> Actor:
        """Who holds this code (a group's, remembered, or a facilitator's, read each time);
        the lock is read when the write commits."""
        known = self._group_actors.get(token)
        if known is None:
            known = _actor(self.store.read(), token)
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

    # --- Reads for pages ---------------------------------------------------------------------
    # Everything a screen reads, one call per screen, each from one snapshot: pages never reach
    # the store themselves.

    @classmethod
    def open(cls, path: str | Path) -> WorkshopService:
        """The app's service on the database file at ``path`` (made when it is missing)."""
        return cls(Store(path))

    def passcode_opens(self, workshop_id: int, passcode: str) -> bool:
        """Whether ``passcode`` opens the workshop (the start page tells the demo's)."""
        with self.store.reading() as snap:
            salt, digest = snap.passcode_of(workshop_id)
        return codes.passcode_matches(passcode, salt, digest)

    def workspace(self, workshop_id: int, group_id: int) -> Workspace:
        """What a group's page shows on every run: its funds to rate, and the workshop's areas,
        grades and timer. Its ideas and the vote are read only when their tab is open."""
        with self.store.reading() as snap:
            grades = consolidate.current_grades(snap, workshop_id)
            return Workspace(
                areas=snap.areas(workshop_id),
                levels=snap.grade_levels(workshop_id),
                timer=snap.timer(workshop_id),
                funds=grades[grades["group_id"] == group_id],
                disagreements=consolidate.disagreements(snap, workshop_id),
            )

    def group_ideas(self, workshop_id: int, group_id: int) -> pd.DataFrame:
        with self.store.reading() as snap:
            return consolidate.ideas(snap, workshop_id, group_id)

    def vote_board(self, workshop_id: int, group_id: int) -> VoteBoard:
        """Every group's ideas, and the dots this group has put on each."""
        with self.store.reading() as snap:
            ideas = consolidate.ideas(snap, workshop_id)
            return VoteBoard(ideas, snap.dots_by_idea(workshop_id, group_id))

    def rating_history(self, workshop_id: int, fund_id: int) -> pd.DataFrame:
        with self.store.reading() as snap:
            return consolidate.rating_history(snap, workshop_id, fund_id)

    def plenary(self, workshop_id: int) -> Plenary:
        with self.store.reading() as snap:
            return Plenary(snap.areas(workshop_id), consolidate.ideas(snap, workshop_id))

    def dashboard(self, workshop_id: int) -> Dashboard:
        with self.store.reading() as snap:
            return consolidate.dashboard(snap, workshop_id)

    def export(self, workshop_id: int, fmt: str, lang: str) -> bytes:
        return export_plan(self.store, workshop_id, fmt, lang)

    def commits(self) -> int:
        """Writes committed so far: a cache of reads is good until this changes."""
        return self.store.commits


@dataclass(frozen=True)
class Workspace:
    areas: list[PlanArea]
    levels: list[GradeLevel]
    timer: Timer
    funds: pd.DataFrame  # the group's funds with their current grades
    disagreements: pd.DataFrame  # funds whose devices gave different grades just now


@dataclass(frozen=True)
class VoteBoard:
    ideas: pd.DataFrame  # every group's
    our_dots: dict[int, int]  # the group's dots per idea


@dataclass(frozen=True)
class Plenary:
    areas: list[PlanArea]
    ideas: pd.DataFrame


# --- checks shared by the use cases -------------------------------------------------------------


def _actor(q: Snapshot, token: str) -> Actor:
    return _actor_and_lock(q, token)[0]


def _actor_and_lock(q: Snapshot, token: str) -> tuple[Actor, bool]:
    token = token or ""
    found = q.who(codes.normalise_code(token), codes.token_digest(token))
    if found is None:
        raise NotAllowed("error.bad_code")
    return found


def _insert_each(tx: Tx, rows: list[tuple[str, Row]]) -> None:
    for table, row in rows:
        tx.insert(table, [row])


def _acting_group(q: Snapshot, actor: Actor, group_id: int | None) -> int:
    """The group a write is for: the caller's own, or the one a facilitator names."""
    if group_id is None or group_id == actor.group_id:
        if actor.group_id is None:
            raise NotFound("error.no_group")
        return actor.group_id
    rules.check_group(actor, group_id)
    if group_id not in {g.id for g in q.groups(actor.workshop_id)}:
        raise NotFound("error.no_group")
    return group_id


def _live_idea(q: Snapshot, actor: Actor, idea_id: int) -> StoredIdea:
    """The idea, if it is in the actor's workshop, not withdrawn and not merged away."""
    current = q.current_idea(idea_id)
    if current is None or current.workshop_id != actor.workshop_id or current.withdrawn:
        raise NotFound("error.no_idea")
    if q.merged_into(idea_id) is not None:
        raise NotFound("error.idea_merged")
    return current


def _editable_idea(q: Snapshot, actor: Actor, idea_id: int) -> tuple[int, IdeaInput]:
    """The group and content of a live idea the actor may change (see rules)."""
    current = _live_idea(q, actor, idea_id)
    in_plenary = bool(q.ideas_merged_into(actor.workshop_id, idea_id)) or (
        idea_id in q.adopted_ideas(actor.workshop_id)
    )
    rules.check_idea_editable(actor, current.group_id, in_plenary)
    return current.group_id, current.content


def _clean_caller(caller: Caller) -> Caller:
    return Caller(
        caller.token,
        rules.text(caller.device, MAX_NAME, "field.device") or "unknown",
        rules.text(caller.name, MAX_NAME, "field.author"),
        rules.text(caller.press, MAX_NAME, "field.device"),
    )


def _import_rows(
    q: Tx, workshop_id: int, rows: list[RosterRow], is_sample: bool
) -> tuple[int, int]:
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


def _free_slug(q: Tx, stem: str) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:50] or "workshop"
    slug, n = base, 1
    while q.slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _free_join_code(q: Tx) -> str:
    while q.join_code_taken(code := codes.new_join_code()):
        pass
    return code


# --- input cleaning ---------------------------------------------------------------------------


def _timer_seconds(minutes: object) -> int:
    number = rules.count(minutes, "field.minutes")
    if number is None or not 1 <= number <= MAX_TIMER_MINUTES:
        raise InvalidInput("error.bad_minutes", value=minutes, limit=MAX_TIMER_MINUTES)
    return number * 60
