"""Exports: each file format of the plan, in Thai, timed once (a facilitator clicks once)."""

from __future__ import annotations

import time

from welfare_core import export
from welfare_core.db.store import Store


def measure_exports(store: Store, workshop_id: int, scale: str) -> dict[str, float]:
    figures = {}
    for fmt in export.FORMATS:
        began = time.perf_counter()
        data = export.export_plan(store, workshop_id, fmt, "th")
        figures[f"export_s_{scale}_{fmt}"] = round(time.perf_counter() - began, 2)
        figures[f"export_kb_{scale}_{fmt}"] = round(len(data) / 1024)
    return figures
