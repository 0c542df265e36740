"""Read models' SQL: whole tables of a workshop (grades, ideas, histories) from one Snapshot."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from welfare_core.db.reads import LATEST, MERGED, Snapshot


def fund_grades(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """Every fund with its newest rating (grade NULL while unrated) and its previous grade.

    The previous grade is the fund's grade at the latest earlier workshop of the same
    province (matched by fund name and district; sample workshops never count), else the
    roster's previous-grade column.
    """
    return snap.df(
        """
        WITH latest AS (
            SELECT * FROM ratings WHERE workshop_id = $w
            QUALIFY row_number() OVER (PARTITION BY fund_id ORDER BY id DESC) = 1
        ),
        this AS (SELECT * FROM workshops WHERE id = $w),
        -- the earlier workshops first: the ratings of other provinces are never read
        before AS (
            SELECT w.id, w.held_on FROM workshops w, this
            WHERE w.province_th = this.province_th AND this.province_th <> ''
              AND w.held_on < this.held_on AND NOT w.is_sample
        ),
        earlier_each AS (
            SELECT f.name, g.name_th AS district, b.held_on, arg_max(r.grade, r.id) AS grade
            FROM before b
            JOIN ratings r ON r.workshop_id = b.id
            JOIN funds f ON f.id = r.fund_id
            JOIN groups g ON g.id = f.group_id
            GROUP BY f.name, g.name_th, b.id, b.held_on
        ),
        earlier AS (
            SELECT * FROM earlier_each
            QUALIFY row_number() OVER (PARTITION BY name, district ORDER BY held_on DESC) = 1
        )
        SELECT g.position AS group_position, g.id AS group_id, g.name_th AS group_th,
               g.name_en AS group_en, f.id AS fund_id, f.name AS fund, f.tambon,
               coalesce(l.members, f.members) AS members, l.balance_baht,
               l.grade, l.reason, l.created_at AS rated_at, l.device,
               coalesce(e.grade, f.previous_grade) AS previous_grade, f.is_sample
        FROM funds f
        JOIN groups g ON g.id = f.group_id
        LEFT JOIN latest l ON l.fund_id = f.id
        LEFT JOIN earlier e ON e.name = f.name AND e.district = g.name_th
        WHERE f.workshop_id = $w
        ORDER BY g.position, f.name
        """,
        {"w": workshop_id},
    )


def idea_counts(snap: Snapshot, workshop_id: int) -> list[tuple[int, str, int]]:
    """Live ideas per group and area, as the wall shows them (merged ones count once)."""
    return snap.rows(
        f"""
        WITH {MERGED}, {LATEST}
        SELECT i.group_id, i.area, count(*) AS ideas
        FROM latest i LEFT JOIN merged m ON m.idea_id = i.idea_id
        WHERE NOT i.withdrawn AND m.idea_id IS NULL
        GROUP BY ALL
        """,
        {"w": workshop_id},
    )


def current_ideas(
    snap: Snapshot,
    workshop_id: int,
    per_area: int | None = None,
    group_id: int | None = None,
    by_votes: bool = False,
) -> pd.DataFrame:
    """Live ideas, newest first (see ``by_votes``), with group, fund, votes, origins and the
    plenary's decision.

    An idea merged into another leaves the list; its votes and its group count for the
    idea it was merged into (``origins_th``/``origins_en`` name every group behind it).
    With ``per_area`` only that many ideas per area are read (the projector's wall): the
    newest, or with ``by_votes`` the most voted (the newest first among equal votes), in
    that order; only their origins and votes are counted. With ``group_id`` only that
    group's ideas.
    """
    return snap.df(
        f"""
        WITH {MERGED}, {LATEST},
        tally AS (
            SELECT coalesce(m.into_id, v.idea_id) AS idea_id, sum(v.delta) AS votes
            FROM votes v LEFT JOIN merged m ON m.idea_id = v.idea_id
            WHERE v.workshop_id = $w GROUP BY ALL
        ),
        first AS (
            SELECT idea_id, min(created_at) AS first_at FROM idea_versions
            WHERE workshop_id = $w GROUP BY idea_id
        ),
        chosen AS (
            SELECT i.*, fi.first_at,
                   CASE WHEN $v THEN coalesce(t.votes, 0) ELSE 0 END AS rank_votes
            FROM latest i
            JOIN first fi ON fi.idea_id = i.idea_id
            LEFT JOIN merged m ON m.idea_id = i.idea_id
            LEFT JOIN tally t ON t.idea_id = i.idea_id
            WHERE NOT i.withdrawn AND m.idea_id IS NULL AND ($g IS NULL OR i.group_id = $g)
            QUALIFY $n IS NULL OR $n >= row_number() OVER (
                PARTITION BY i.area ORDER BY rank_votes DESC, fi.first_at DESC, i.idea_id DESC)
        ),
        folded AS (
            SELECT coalesce(m.into_id, i.idea_id) AS into_id, i.group_id
            FROM latest i LEFT JOIN merged m ON m.idea_id = i.idea_id
            WHERE coalesce(m.into_id, i.idea_id) IN (SELECT idea_id FROM chosen)
        ),
        origins AS (
            SELECT into_id,
                   string_agg(g.name_th, ', ' ORDER BY g.position) AS origins_th,
                   string_agg(g.name_en, ', ' ORDER BY g.position) AS origins_en
            FROM (SELECT DISTINCT into_id, group_id FROM folded) o
            JOIN groups g ON g.id = o.group_id
            GROUP BY into_id
        ),
        sizes AS (SELECT into_id, count(*) - 1 AS merged FROM folded GROUP BY into_id),
        decided AS (
            SELECT idea_id, arg_max(adopted, id) AS adopted FROM adoptions
            WHERE workshop_id = $w GROUP BY idea_id
        )
        SELECT i.idea_id, a.position AS area_position, i.area, a.name_th AS area_th,
               a.name_en AS area_en, g.position AS group_position, i.group_id,
               g.name_th AS group_th, g.name_en AS group_en, i.text, i.fund_id,
               f.name AS fund, i.action, i.responsible, i.due, i.partner, i.budget_baht,
               i.budget_source,
               coalesce(t.votes, 0)::INTEGER AS votes, o.origins_th, o.origins_en,
               s.merged::INTEGER AS merged, coalesce(d.adopted, false) AS adopted,
               i.first_at AS created_at, i.created_at AS updated_at
        FROM chosen i
        JOIN groups g ON g.id = i.group_id
        JOIN areas a ON a.workshop_id = i.workshop_id AND a.key = i.area
        JOIN origins o ON o.into_id = i.idea_id
        JOIN sizes s ON s.into_id = i.idea_id
        LEFT JOIN funds f ON f.id = i.fund_id
        LEFT JOIN tally t ON t.idea_id = i.idea_id
        LEFT JOIN decided d ON d.idea_id = i.idea_id
        ORDER BY i.rank_votes DESC, i.first_at DESC, i.idea_id DESC
        """,
        {"w": workshop_id, "n": per_area, "g": group_id, "v": by_votes},
    )


def recent_ratings(snap: Snapshot, workshop_id: int, since: dt.datetime) -> pd.DataFrame:
    """The ratings saved since ``since``, fund by fund and oldest first, with the device."""
    return snap.df(
        """
        SELECT r.fund_id, f.name AS fund, f.tambon, g.name_th AS group_th,
               g.name_en AS group_en, r.device, r.grade
        FROM ratings r JOIN funds f ON f.id = r.fund_id JOIN groups g ON g.id = r.group_id
        WHERE r.workshop_id = ? AND r.created_at >= ?
        ORDER BY r.fund_id, r.id
        """,
        [workshop_id, since],
    )


def rating_history(snap: Snapshot, workshop_id: int, fund_id: int | None = None) -> pd.DataFrame:
    return snap.df(
        """
        SELECT r.id, g.name_th AS group_th, g.name_en AS group_en, f.name AS fund, r.grade,
               r.reason, r.members, r.balance_baht, r.actor_role, r.actor_name, r.device,
               r.created_at
        FROM ratings r JOIN funds f ON f.id = r.fund_id JOIN groups g ON g.id = r.group_id
        WHERE r.workshop_id = ? AND (? IS NULL OR r.fund_id = ?)
        ORDER BY r.id
        """,
        [workshop_id, fund_id, fund_id],
    )


def idea_history(snap: Snapshot, workshop_id: int, idea_id: int | None = None) -> pd.DataFrame:
    return snap.df(
        """
        SELECT v.id, v.idea_id, g.name_th AS group_th, g.name_en AS group_en, v.area,
               v.text, v.action, v.responsible, v.due, v.partner, v.budget_baht,
               v.budget_source, v.withdrawn, v.actor_role, v.actor_name, v.device, v.created_at
        FROM idea_versions v JOIN groups g ON g.id = v.group_id
        WHERE v.workshop_id = ? AND (? IS NULL OR v.idea_id = ?)
        ORDER BY v.id
        """,
        [workshop_id, idea_id, idea_id],
    )


def plenary_history(snap: Snapshot, workshop_id: int) -> pd.DataFrame:
    """The plenary's decisions, oldest first: votes (``delta`` +1 or -1, by the voting
    group), merges (``idea`` merged into ``into``), adoptions and their withdrawal, and
    entry closed or reopened. Ideas are named by their newest text."""
    return snap.df(
        f"""
        WITH {LATEST},
        events AS (
            SELECT id, CASE WHEN delta > 0 THEN 'vote' ELSE 'unvote' END AS kind,
                   group_id, idea_id, NULL::BIGINT AS into_id,
                   actor_role, actor_name, device, created_at
            FROM votes WHERE workshop_id = $w
            UNION ALL
            SELECT id, 'merge', NULL, idea_id, into_idea_id,
                   actor_role, actor_name, device, created_at
            FROM idea_merges WHERE workshop_id = $w
            UNION ALL
            SELECT id, CASE WHEN adopted THEN 'adopt' ELSE 'unadopt' END, NULL, idea_id, NULL,
                   actor_role, actor_name, device, created_at
            FROM adoptions WHERE workshop_id = $w
            UNION ALL
            SELECT id, CASE WHEN locked THEN 'lock' ELSE 'unlock' END, NULL, NULL, NULL,
                   actor_role, actor_name, device, created_at
            FROM lock_events WHERE workshop_id = $w
        )
        SELECT e.id, e.kind, g.name_th AS group_th, g.name_en AS group_en,
               a.name_th AS area_th, a.name_en AS area_en, i.text AS idea,
               j.text AS into_idea, e.actor_role, e.actor_name, e.device, e.created_at
        FROM events e
        LEFT JOIN latest i ON i.idea_id = e.idea_id
        LEFT JOIN latest j ON j.idea_id = e.into_id
        LEFT JOIN groups g ON g.id = coalesce(e.group_id, i.group_id)
        LEFT JOIN areas a ON a.workshop_id = $w AND a.key = i.area
        ORDER BY e.id
        """,
        {"w": workshop_id},
    )
