"""A writer killed with SIGKILL mid-stream loses nothing it reported as saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import create_samut_prakan

from welfare_core.service import WorkshopService
from welfare_core.store import Store

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import sys
    from welfare_core.model import Caller, RatingInput
    from welfare_core.service import WorkshopService
    from welfare_core.store import Store

    db, code, fund = sys.argv[1], sys.argv[2], int(sys.argv[3])
    service = WorkshopService(Store(db))
    caller = Caller(code, device="crash-writer")
    n = 0
    while True:
        n += 1
        rating_id = service.rate_fund(caller, RatingInput(fund, "ABCD"[n % 4], f"round {n}"))
        print(rating_id, flush=True)  # only after the commit returned
    """
)


def test_every_acknowledged_rating_survives_sigkill(db_path: Path):
    store = Store(db_path)
    created = create_samut_prakan(WorkshopService(store))
    group = created.groups[0]
    fund = store.read().funds(store.read().workshop_by_slug(created.slug).id, group.id)[0]
    store.close()

    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), group.join_code, str(fund.id)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        acknowledged.append(int(line))
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    acknowledged += [int(line) for line in child.stdout.read().split()]
    assert child.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 300

    reopened = Store(db_path)
    stored = {r[0] for r in reopened.read().cur.execute("SELECT id FROM ratings").fetchall()}
    reopened.close()
    print(f"\n{len(acknowledged)} acknowledged ratings, {len(stored)} stored after SIGKILL")
    assert set(acknowledged) <= stored
