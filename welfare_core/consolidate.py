"""Read models for the dashboard, the status command and the exports: DataFrames out.

Each is a function of one Snapshot: whatever a screen or a file reads together, it reads
from one moment (``with store.reading() as snap``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from welfare_core.clock import utcnow
from welfare_core.db import read_models as sql
from welfare_core.db.reads import Snapshot
from welfare_core.model import GRADE_LETTERS, Group, PlanArea, Timer

DISAGREEMENT_WINDOW = dt.timedelta(minutes=10)
WALL_SIZE = 6  # ideas per area on the projector's wall


def current_grades(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """One row per fund: its current grade (NA while unrated), reason, previous grade, change."""
    df = sql.fund_grades(snap, workshop_id)
    df["changed"] = (
        df["grade"].notna() & df["previous_grade"].notna() & (df["grade"] != df["previous_grade"])
    )
    return df


def grade_counts(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """Funds per group and current grade, zeros included; unrated funds are not counted."""
    return count_grades(current_grades(snap, workshop_id), snap.groups(workshop_id))


def count_grades(grades: pd.DataFrame, groups: list[Group]) -> pd.DataFrame:
    """``grade_counts`` from grades and groups already read."""
    # Plain Python over the funds: pandas' groupby and reindex cost more than the counting.
    tally = Counter(
        (position, grade)
        for position, grade in zip(grades["group_position"], grades["grade"], strict=True)
        if isinstance(grade, str)
    )
    rows = [
        (g.position, g.name_th, g.name_en, letter, tally[(g.position, letter)])
        for g in groups
        for letter in GRADE_LETTERS
    ]
    return pd.DataFrame(rows, columns=["group_position", "group_th", "group_en", "grade", "funds"])


def overall_grade_counts(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """Funds per current grade over the whole workshop, A to D."""
    return totals_by_grade(grade_counts(snap, workshop_id))


def totals_by_grade(counts: pd.DataFrame) -> pd.DataFrame:
    """The groups of ``grade_counts`` added up: funds per grade, A to D."""
    totals = dict.fromkeys(GRADE_LETTERS, 0)
    for grade, funds in zip(counts["grade"], counts["funds"], strict=True):
        totals[grade] += int(funds)  # plain Python: pandas' groupby costs more on 24 rows
    return pd.DataFrame({"grade": list(totals), "funds": list(totals.values())})


def progress(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """Per group: funds, funds rated, and live ideas per area (one column per area key)."""
    grades = current_grades(snap, workshop_id)
    return _progress(
        grades,
        snap.groups(workshop_id),
        snap.areas(workshop_id),
        sql.idea_counts(snap, workshop_id),
    )


def _progress(
    grades: pd.DataFrame,
    groups: list[Group],
    areas: list[PlanArea],
    idea_counts: list[tuple[int, str, int]],
) -> pd.DataFrame:
    funds = Counter(grades["group_id"])
    rated = Counter(grades.loc[grades["grade"].notna(), "group_id"])
    ideas = {(group, area): n for group, area, n in idea_counts}
    rows = [
        {
            "group_position": g.position,
            "group_id": g.id,
            "group_th": g.name_th,
            "group_en": g.name_en,
            "funds": funds[g.id],
            "rated": rated[g.id],
            **{a.key: ideas.get((g.id, a.key), 0) for a in areas},
        }
        for g in groups
    ]
    return pd.DataFrame(rows)


def ideas(snap: Snapshot, workshop_id: int, group_id: int | None = None) -> pd.DataFrame:
    """Live ideas (of one group, or all), newest first, with area, action plan and votes."""
    return sql.current_ideas(snap, workshop_id, group_id=group_id)


def plan(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """The adopted ideas, area by area, most votes first: what the exports lead with."""
    return adopted_plan(ideas(snap, workshop_id))


def adopted_plan(live: pd.DataFrame) -> pd.DataFrame:
    """``plan`` from the live ideas already read."""
    adopted = live[live["adopted"]]
    return adopted.sort_values(
        ["area_position", "votes", "created_at"], ascending=[True, False, True]
    ).reset_index(drop=True)


def grade_changes(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """Funds whose current grade differs from their previous grade."""
    return _changed(current_grades(snap, workshop_id))


def _changed(grades: pd.DataFrame) -> pd.DataFrame:
    return grades[grades["changed"]].reset_index(drop=True)


def disagreements(
    snap: Snapshot,
    workshop_id: int,
    now: dt.datetime | None = None,
    window: dt.timedelta = DISAGREEMENT_WINDOW,
) -> pd.DataFrame:
    """Funds whose devices gave different grades within ``window`` before ``now``, and whose
    group has not saved again since: a device of the disagreement saving again settles it.

    The disagreement is shown on the group's page (the fund's "⚠" and the request to agree
    and save again), so the next save from a device that took part in it is the group's
    answer, whatever grade it gives; only the devices' newest ratings since then count. A
    device that had not rated the fund joins the disagreement instead. The columns name the
    fund, the grades given and the number of devices.
    """
    ratings = sql.recent_ratings(snap, workshop_id, (now or utcnow()) - window)
    split = []
    for _, rows in ratings.groupby("fund_id", sort=True):
        if unsettled := _unsettled_grades(zip(rows["device"], rows["grade"], strict=True)):
            split.append({**rows.iloc[0].drop(["device", "grade"]).to_dict(), **unsettled})
    columns = ["fund_id", "fund", "tambon", "group_th", "group_en", "grades", "devices"]
    return pd.DataFrame(split, columns=columns)


def _unsettled_grades(ratings: Iterable[tuple[str, str]]) -> dict[str, object]:
    """The grades and number of devices of an open disagreement among (device, grade) ratings
    in the order they were saved; empty when there is none."""
    newest: dict[str, str] = {}
    for device, grade in ratings:
        if device in newest and len(set(newest.values())) > 1:  # the group's answer
            newest = {}
        newest[device] = grade
    grades = sorted(set(newest.values()))
    if len(grades) < 2:
        return {}
    return {"grades": "/".join(grades), "devices": len(newest)}


def rating_history(snap: Snapshot, workshop_id: int, fund_id: int | None = None) -> pd.DataFrame:
    """Every rating, oldest first: nothing is ever overwritten."""
    return sql.rating_history(snap, workshop_id, fund_id)


def idea_history(snap: Snapshot, workshop_id: int, idea_id: int | None = None) -> pd.DataFrame:
    """Every idea version, withdrawals included, oldest first."""
    return sql.idea_history(snap, workshop_id, idea_id)


def plenary_history(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """Every vote, merge, adoption and closing or reopening of entry, oldest first."""
    return sql.plenary_history(snap, workshop_id)


@dataclass(frozen=True)
class Dashboard:
    """Everything the projector draws, read from one snapshot."""

    locked: bool
    timer: Timer
    areas: list[PlanArea]
    progress: pd.DataFrame
    counts: pd.DataFrame
    overall: pd.DataFrame
    wall: pd.DataFrame  # each area's newest ideas, or its most voted once entry is closed
    ideas_per_area: dict[str, int]
    disagreements: pd.DataFrame
    changes: pd.DataFrame


def dashboard(snap: Snapshot, workshop_id: int, wall_size: int = WALL_SIZE) -> Dashboard:
    """One read of the funds' grades feeds the progress, the counts and the changes.

    The wall holds each area's newest ideas during the breakout and, once entry is closed
    for the plenary, its most voted ones."""
    grades = current_grades(snap, workshop_id)
    groups, areas = snap.groups(workshop_id), snap.areas(workshop_id)
    counts = count_grades(grades, groups)
    table = _progress(grades, groups, areas, sql.idea_counts(snap, workshop_id))
    locked = snap.locked(workshop_id)
    return Dashboard(
        locked=locked,
        timer=snap.timer(workshop_id),
        areas=areas,
        progress=table,
        counts=counts,
        overall=totals_by_grade(counts),
        wall=sql.current_ideas(snap, workshop_id, per_area=wall_size, by_votes=locked),
        ideas_per_area={a.key: int(table[a.key].sum()) for a in areas},
        disagreements=disagreements(snap, workshop_id),
        changes=_changed(grades),
    )
