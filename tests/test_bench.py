"""The benchmark runs end to end at tiny size, so it cannot rot (its figures are not judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KEYS = {
    "write_per_s",
    "write_lost",
    "write_ratio_vs_raw",
    "read_ms_workshop",
    "read_ms_national",
    "read_ratio_vs_groupby_national",
    "projector_run_ms_workshop",
    "projector_run_ms_national",
    "workspace_run_ms_workshop",
    "run_ratio_vs_bare",
    "reruns_per_s_one_core",
    "load_participants",
    "load_p95_submit_to_projector_s",
    "load_rss_mb",
    "load_errors",
    "load_client",
    "export_s_workshop",
    "export_s_national",
}


def test_bench_quick_prints_every_figure_and_leaves_the_users_database_alone(tmp_path):
    user_db = tmp_path / "workshops.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "WELFARE_DB": str(user_db), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures.keys() >= KEYS
    numbers = {k: v for k, v in figures.items() if k in KEYS and k != "load_client"}
    assert all(isinstance(v, int | float) for v in numbers.values()), numbers
    assert figures["write_lost"] == 0
    assert figures["load_errors"] == 0
    assert figures["load_client"].startswith("streamlit-protocol websocket")
    assert "[writes]" in done.stdout and "[load]" in done.stdout
    assert not user_db.exists()
