"""``python -m welfare_core bench``: how far one laptop goes (see BENCHMARKS.md)."""

from __future__ import annotations

import json
import os
import platform
import tempfile
from pathlib import Path

from bench import scale
from bench.exports import measure_exports
from bench.load import PACE_S, measure_load, summary
from bench.reads import measure_reads
from bench.runs import measure_runs
from bench.server import AppServer
from bench.writes import measure_writes
from welfare_core.db.store import Store
from welfare_core.demo import create_demo
from welfare_core.service import WorkshopService

FULL = {
    "writes": 5_000,
    "size": scale.FULL,
    "steps": [6, 12, 18, 24, 30],
    "step_s": 40.0,
    "pace": PACE_S,
}
QUICK = {"writes": 200, "size": scale.QUICK, "steps": [2], "step_s": 6.0, "pace": (0.5, 1.0)}


def run(quick: bool = False, as_json: bool = False) -> int:
    plan = QUICK if quick else FULL
    figures: dict[str, object] = {"quick": quick, "machine": _machine()}
    with tempfile.TemporaryDirectory(prefix="welfare-bench-") as tmp:
        folder = Path(tmp)
        _report("writes", measure_writes(folder, plan["writes"]), figures)

        db = folder / "bench.duckdb"
        service = WorkshopService(Store(db))
        demo = service.workshop(create_demo(service))
        busy = service.workshop(scale.busy_workshop(service))
        national_id = scale.national_history(service, plan["size"])
        national = service.store.read().workshop_by_id(national_id)
        codes = [g.join_code for g in service.groups(busy.id)]
        _report("reads", measure_reads(service.store, busy.id, national_id), figures)
        _report("exports", _exports(service.store, demo.id, national_id), figures)
        service.store.close()

        server = AppServer(db, folder / "server.log")
        server.start()
        try:
            steps = measure_load(
                server, busy.slug, codes, plan["steps"], plan["step_s"], plan["pace"]
            )
        finally:
            server.stop()
        for step in steps:
            _step_line(step)
        _report("load", summary(steps), figures)
        _report("runs", measure_runs(db, busy.slug, national.slug, codes[0], folder), figures)
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


def _exports(store: Store, demo_id: int, national_id: int) -> dict[str, float]:
    figures = measure_exports(store, demo_id, "workshop") | measure_exports(
        store, national_id, "national"
    )
    for scale_name in ("workshop", "national"):
        slowest = max(v for k, v in figures.items() if k.startswith(f"export_s_{scale_name}_"))
        figures[f"export_s_{scale_name}"] = slowest  # the slowest format
    return figures


def _report(phase: str, found: dict[str, object], figures: dict[str, object]) -> None:
    print(f"[{phase}]", flush=True)
    for key, value in found.items():
        print(f"  {key} = {value}", flush=True)
    figures.update(found)


def _step_line(step) -> None:
    print(
        f"  {step.participants:>2} participants: {len(step.saves)} saves, "
        f"p95 confirmed {step.p95(step.saves)} s, p95 on projector {step.p95(step.shown)} s, "
        f"unseen {step.unseen}, errors {len(step.errors)}, server {step.rss_mb:.0f} MB",
        flush=True,
    )
    for error in step.errors[:5]:
        print(f"    error: {error}", flush=True)


def _machine() -> str:
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {python}"
