"""Read models for the dashboard, the status command and the exports: DataFrames out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from welfare_core.model import GRADE_LETTERS, PlanArea, Timer
from welfare_core.store import Store, utcnow

DISAGREEMENT_WINDOW = dt.timedelta(minutes=10)


def current_grades(store: Store, workshop_id: int) -> pd.DataFrame:
    """One row per fund: its current grade (NA while unrated), reason, previous grade, change."""
    df = store.read().current_grades(workshop_id)
    df["changed"] = (
        df["grade"].notna() & df["previous_grade"].notna() & (df["grade"] != df["previous_grade"])
    )
    return df


def grade_counts(store: Store, workshop_id: int) -> pd.DataFrame:
    """Funds per group and current grade, zeros included; unrated funds are not counted."""
    grades = current_grades(store, workshop_id)
    groups = store.read().groups(workshop_id)
    index = pd.MultiIndex.from_product(
        [[g.position for g in groups], GRADE_LETTERS], names=["group_position", "grade"]
    )
    counts = (
        grades.dropna(subset=["grade"])
        .groupby(["group_position", "grade"])
        .size()
        .reindex(index, fill_value=0)
        .rename("funds")
        .reset_index()
    )
    names = pd.DataFrame(
        [(g.position, g.name_th, g.name_en) for g in groups],
        columns=["group_position", "group_th", "group_en"],
    )
    return names.merge(counts, on="group_position")


def overall_grade_counts(store: Store, workshop_id: int) -> pd.DataFrame:
    """Funds per current grade over the whole workshop, A to D."""
    return totals_by_grade(grade_counts(store, workshop_id))


def totals_by_grade(counts: pd.DataFrame) -> pd.DataFrame:
    """The groups of ``grade_counts`` added up: funds per grade, A to D."""
    return counts.groupby("grade", as_index=False)["funds"].sum()


def progress(store: Store, workshop_id: int) -> pd.DataFrame:
    """Per group: funds, funds rated, and live ideas per area (one column per area key)."""
    q = store.read()
    areas = [a.key for a in q.areas(workshop_id)]
    ideas = (
        q.idea_counts(workshop_id)
        .pivot_table(index="group_id", columns="area", values="ideas", aggfunc="sum")
        .reindex(columns=areas)
    )
    table = q.group_progress(workshop_id).join(ideas, on="group_id")
    table[areas] = table[areas].fillna(0).astype(int)
    return table


def ideas(store: Store, workshop_id: int) -> pd.DataFrame:
    """Live ideas, newest first, with group, area, action-plan fields and votes."""
    return store.read().current_ideas(workshop_id)


def plan(store: Store, workshop_id: int) -> pd.DataFrame:
    """The adopted ideas, area by area, most votes first: what the exports lead with."""
    live = ideas(store, workshop_id)
    adopted = live[live["adopted"]]
    return adopted.sort_values(
        ["area_position", "votes", "created_at"], ascending=[True, False, True]
    ).reset_index(drop=True)


def grade_changes(store: Store, workshop_id: int) -> pd.DataFrame:
    """Funds whose current grade differs from their previous grade."""
    grades = current_grades(store, workshop_id)
    return grades[grades["changed"]].reset_index(drop=True)


def disagreements(
    store: Store,
    workshop_id: int,
    now: dt.datetime | None = None,
    window: dt.timedelta = DISAGREEMENT_WINDOW,
) -> pd.DataFrame:
    """Funds rated differently from two or more devices within ``window`` before ``now``."""
    recent = store.read().recent_ratings(workshop_id, (now or utcnow()) - window)
    columns = ["fund_id", "fund", "tambon", "group_th", "group_en", "grades", "devices"]
    if recent.empty:
        return pd.DataFrame(columns=columns)
    keys = ["fund_id", "fund", "tambon", "group_th", "group_en"]
    summary = recent.groupby(keys, as_index=False).agg(
        grades=("grade", lambda s: "/".join(sorted(set(s)))),
        devices=("device", "nunique"),
        distinct=("grade", "nunique"),
    )
    return summary[(summary["devices"] > 1) & (summary["distinct"] > 1)][columns].reset_index(
        drop=True
    )


def rating_history(store: Store, workshop_id: int, fund_id: int | None = None) -> pd.DataFrame:
    """Every rating, oldest first: nothing is ever overwritten."""
    return store.read().rating_history(workshop_id, fund_id)


def idea_history(store: Store, workshop_id: int, idea_id: int | None = None) -> pd.DataFrame:
    """Every idea version, withdrawals included, oldest first."""
    return store.read().idea_history(workshop_id, idea_id)


@dataclass(frozen=True)
class Dashboard:
    """Everything the projector draws, read together."""

    locked: bool
    timer: Timer
    areas: list[PlanArea]
    progress: pd.DataFrame
    counts: pd.DataFrame
    overall: pd.DataFrame
    ideas: pd.DataFrame
    disagreements: pd.DataFrame
    changes: pd.DataFrame


def dashboard(store: Store, workshop_id: int) -> Dashboard:
    q = store.read()
    counts = grade_counts(store, workshop_id)
    return Dashboard(
        locked=q.workshop_by_id(workshop_id).locked,
        timer=q.timer(workshop_id),
        areas=q.areas(workshop_id),
        progress=progress(store, workshop_id),
        counts=counts,
        overall=totals_by_grade(counts),
        ideas=ideas(store, workshop_id),
        disagreements=disagreements(store, workshop_id),
        changes=grade_changes(store, workshop_id),
    )
