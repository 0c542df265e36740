"""The export model: everything the four writers show, read once from one snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from welfare_core import consolidate
from welfare_core.clock import THAI_TIME, utcnow
from welfare_core.db.reads import Snapshot
from welfare_core.due import due_words, long_date
from welfare_core.i18n import t
from welfare_core.model import GRADE_LETTERS, GradeLevel, PlanArea, Workshop


@dataclass(frozen=True)
class ExportModel:
    workshop: Workshop
    lang: str
    grades: list[GradeLevel]
    areas: list[PlanArea]
    funds: pd.DataFrame  # current_grades, with local times and a "change" column
    grade_counts: pd.DataFrame  # consolidate.grade_counts: funds per district and grade
    counts: pd.DataFrame  # the same, one row per district: A, B, C, D, unrated, total
    ideas: pd.DataFrame  # live ideas, area by area, most votes first
    plan: pd.DataFrame  # adopted ideas, or every idea while nothing is adopted
    plan_adopted: bool
    history: pd.DataFrame  # every rating, idea version and plenary decision, oldest first
    exported_at: dt.datetime

    def text(self, key: str, **params: object) -> str:
        return t(f"export.{key}", self.lang, **params)

    def local(self, row: pd.Series | dict, base: str) -> str:
        """The Thai or English twin of a column: ``group`` -> ``group_th`` or ``group_en``."""
        return row[f"{base}_{self.lang}"]

    @property
    def title(self) -> str:
        return self.workshop.title_th if self.lang == "th" else self.workshop.title_en

    @property
    def province(self) -> str:
        w = self.workshop
        return w.province_th if self.lang == "th" else w.province_en

    @property
    def venue(self) -> str:
        return self.workshop.venue_th if self.lang == "th" else self.workshop.venue_en

    @property
    def rated(self) -> int:
        return int(self.funds["grade"].notna().sum())

    @property
    def adopted(self) -> int:
        return int(self.ideas["adopted"].sum())

    @property
    def empty(self) -> bool:
        return self.rated == 0 and self.ideas.empty

    def grade_name(self, letter: str) -> str:
        level = next((g for g in self.grades if g.letter == letter), None)
        if level is None:
            return ""
        return level.name_th if self.lang == "th" else level.name_en

    def area_name(self, area: PlanArea) -> str:
        return area.name_th if self.lang == "th" else area.name_en

    def date(self, day: dt.date) -> str:
        return long_date(day, self.lang)

    def due(self, due: str | None) -> str:
        """A plan item's month or quarter in the words every screen and file uses."""
        return due_words(due, self.lang)

    def change(self, row: pd.Series) -> str:
        """Better, worse or the same as the previous grade (A is best); blank when unknown."""
        if pd.isna(row["grade"]) or pd.isna(row["previous_grade"]):
            return ""
        now, before = row["grade"], row["previous_grade"]
        if now == before:
            return self.text("same")
        return self.text("better" if now < before else "worse")


def build(snap: Snapshot, workshop: Workshop, lang: str) -> ExportModel:
    """Every table from ``snap``, each read once: the Funds sheet and the per-district counts
    come from the same grades, so they agree whatever is saved meanwhile."""
    wid = workshop.id
    funds = consolidate.current_grades(snap, wid)
    grade_counts = consolidate.count_grades(funds, snap.groups(wid))
    funds["rated_at"] = funds["rated_at"] + THAI_TIME
    live = consolidate.ideas(snap, wid)
    plan = consolidate.adopted_plan(live)
    ideas = live.sort_values(
        ["area_position", "votes", "created_at"], ascending=[True, False, True]
    )
    areas = snap.areas(wid)
    adopted = not plan.empty
    model = ExportModel(
        workshop=workshop,
        lang=lang,
        grades=snap.grade_levels(wid),
        areas=areas,
        funds=funds,
        grade_counts=grade_counts,
        counts=_counts_by_district(grade_counts, funds),
        ideas=ideas.reset_index(drop=True),
        plan=plan if adopted else ideas.reset_index(drop=True),
        plan_adopted=adopted,
        history=_history(snap, wid, areas),
        exported_at=utcnow() + THAI_TIME,
    )
    model.funds["change"] = [model.change(row) for _, row in funds.iterrows()]
    return model


def _counts_by_district(counts: pd.DataFrame, funds: pd.DataFrame) -> pd.DataFrame:
    """Districts down, grades across, with the unrated funds and a total per district."""
    table = counts.pivot_table(
        index=["group_position", "group_th", "group_en"], columns="grade", values="funds"
    ).reindex(columns=list(GRADE_LETTERS), fill_value=0)
    table = table.reset_index().set_index("group_position")
    per_group = funds.groupby("group_position").agg(
        total=("fund_id", "size"), unrated=("grade", lambda s: int(s.isna().sum()))
    )
    table = table.join(per_group).fillna({"total": 0, "unrated": 0})
    numbers = [*GRADE_LETTERS, "unrated", "total"]
    table[numbers] = table[numbers].astype(int)
    return table.reset_index()


def _history(snap: Snapshot, workshop_id: int, areas: list[PlanArea]) -> pd.DataFrame:
    """Ratings, idea versions and the plenary's decisions in one list, oldest first, in Thai
    time."""
    ratings = consolidate.rating_history(snap, workshop_id).assign(
        kind="rating", subject_th=lambda d: d["fund"], subject_en=lambda d: d["fund"]
    )
    ratings["content"] = ratings["grade"] + ": " + ratings["reason"]
    versions = consolidate.idea_history(snap, workshop_id)
    by_key = {a.key: a for a in areas}
    versions = versions.assign(
        kind=versions["withdrawn"].map({True: "withdrawn", False: "idea"}),
        subject_th=versions["area"].map(lambda k: by_key[k].name_th),
        subject_en=versions["area"].map(lambda k: by_key[k].name_en),
        content=versions["text"],
    )
    decisions = consolidate.plenary_history(snap, workshop_id)
    said = zip(decisions["kind"], decisions["idea"], decisions["into_idea"], strict=True)
    decisions = decisions.assign(
        subject_th=decisions["area_th"],
        subject_en=decisions["area_en"],
        content=[f"{idea} → {into}" if kind == "merge" else idea for kind, idea, into in said],
    )
    columns = [
        "created_at", "kind", "group_th", "group_en", "subject_th", "subject_en", "content",
        "actor_role", "actor_name", "device", "id",
    ]  # fmt: skip
    every = pd.concat([ratings[columns], versions[columns], decisions[columns]], ignore_index=True)
    every["created_at"] = every["created_at"] + THAI_TIME
    return every.sort_values(["created_at", "id"]).reset_index(drop=True)
