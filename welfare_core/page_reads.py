"""Everything a screen reads, one call per screen, each from one snapshot: pages never reach
the store themselves (a part of WorkshopService, the only door)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from welfare_core import codes, consolidate
from welfare_core.consolidate import Dashboard
from welfare_core.db.store import Store
from welfare_core.errors import NotFound
from welfare_core.export import export_plan
from welfare_core.model import Fund, GradeLevel, Group, PlanArea, Timer, Workshop


class PageReads:
    store: Store

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

    def timer(self, workshop_id: int) -> Timer:
        with self.store.reading() as snap:
            return snap.timer(workshop_id)

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

    def status(self, slug: str) -> Status:
        """A workshop and its progress per group, read together (the status command)."""
        with self.store.reading() as snap:
            workshop = snap.workshop_by_slug(slug)
            if workshop is None:
                raise NotFound("error.no_workshop", slug=slug)
            progress = consolidate.progress(snap, workshop.id)
            return Status(workshop, snap.areas(workshop.id), progress)

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


@dataclass(frozen=True)
class Status:
    workshop: Workshop
    areas: list[PlanArea]
    progress: pd.DataFrame  # per group: funds, rated, live ideas per area
