"""Reads: every read model the projector draws, against one plain GROUP BY of the ratings."""

from __future__ import annotations

from bench.timing import median_ms
from welfare_core import consolidate
from welfare_core.db.store import Store

REPEAT = 15


def measure_reads(store: Store, workshop_id: int, national_id: int) -> dict[str, float]:
    def group_by() -> None:
        store.read().cur.execute(
            "SELECT grade, count(*) FROM ratings WHERE workshop_id = ? GROUP BY grade",
            [national_id],
        ).fetchall()

    def dashboard(wid: int) -> None:  # as the projector reads it: one snapshot
        with store.reading() as snap:
            consolidate.dashboard(snap, wid)

    national = median_ms(lambda: dashboard(national_id), REPEAT)
    baseline = median_ms(group_by, REPEAT)
    return {
        "read_ms_workshop": median_ms(lambda: dashboard(workshop_id), REPEAT),
        "read_ms_national": national,
        "read_ms_groupby_national": baseline,
        "read_ratio_vs_groupby_national": round(national / baseline, 1),
    }
