"""A writer killed with SIGKILL mid-stream loses nothing it reported as saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import create_samut_prakan

from welfare_core.backup import snapshot
from welfare_core.cli import main
from welfare_core.db.store import Store
from welfare_core.service import WorkshopService

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import sys
    from welfare_core.model import Caller, RatingInput
    from welfare_core.service import WorkshopService
    from welfare_core.db.store import Store

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


IDEA_WRITER = textwrap.dedent(
    """
    import sys
    from welfare_core.model import Caller, IdeaInput
    from welfare_core.service import WorkshopService
    from welfare_core.db.store import Store

    service = WorkshopService(Store(sys.argv[1]))
    caller = Caller(sys.argv[2], device="crash-writer")
    for n in range(40):
        service.add_idea(caller, IdeaInput("data", f"confirmed {n}"))
        print(n, flush=True)  # only after the commit returned
    sys.stdin.read()  # killed here, its log not yet folded into the file
    """
)


def killed_after_40_saves(db_path: Path) -> Path:
    """A snapshot of the Samut Prakan workshop, then 40 ideas confirmed and a kill -9;
    returns the snapshot."""
    store = Store(db_path)
    service = WorkshopService(store)
    group = create_samut_prakan(service).groups[0]
    made = snapshot(store, db_path.parent / "backups")
    store.close()
    child = subprocess.Popen(
        [sys.executable, "-c", IDEA_WRITER, str(db_path), group.join_code],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    confirmed = [child.stdout.readline() for _ in range(40)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert confirmed[-1].strip() == "39"
    return made


def count_where(store: Store, condition: str) -> int:
    return (
        store.read()
        .cur.execute(f"SELECT count(*) FROM idea_versions WHERE {condition}")
        .fetchone()[0]
    )


@pytest.mark.parametrize("damage", ["cut in half", "zero-filled"])
def test_a_damaged_log_after_a_kill_is_said_with_the_backup_to_restore(
    db_path, damage, monkeypatch, capsys
):
    monkeypatch.setenv("WELFARE_LANG", "en")
    made = killed_after_40_saves(db_path)
    wal = db_path.with_name(db_path.name + ".wal")
    size = wal.stat().st_size
    if damage == "cut in half":
        os.truncate(wal, size // 2)
    else:
        wal.write_bytes(b"\0" * size)

    store = Store(db_path)
    try:
        lost = 40 - count_where(store, "text LIKE 'confirmed %'")
        warning = WorkshopService(store).log_damage()
    finally:
        store.close()
    with capsys.disabled():
        print(f"\nlog {damage}: {lost} of 40 confirmed saves lost, and said")
    assert lost > 0  # DuckDB replayed up to the damage without a word
    assert warning is not None
    assert f"restore {made}" in warning.message("en")
    assert "(.wal) ของ" in warning.message("th") and str(made) in warning.message("th")

    # Every later start says it again, the command line too, until a backup is restored.
    assert main(["status", "--workshop", "samut-prakan-2562", "--db", str(db_path)]) == 0
    _, err = capsys.readouterr()
    assert "Saves may be missing" in err and f"restore {made}" in err
    assert main(["restore", str(made), "--db", str(db_path)]) == 0
    assert main(["status", "--workshop", "samut-prakan-2562", "--db", str(db_path)]) == 0
    _, err = capsys.readouterr()
    assert "Saves may be missing" not in err


def test_a_whole_log_after_a_kill_raises_no_alarm(db_path):
    killed_after_40_saves(db_path)
    store = Store(db_path)
    try:
        assert count_where(store, "text LIKE 'confirmed %'") == 40
        assert WorkshopService(store).log_damage() is None
    finally:
        store.close()
    store = Store(db_path)  # after a clean stop too
    try:
        assert store.damaged_since is None
    finally:
        store.close()
