"""Shared fixtures: a real DuckDB file per test, and the Samut Prakan workshop in it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from welfare_core.db.store import Store
from welfare_core.model import Caller, CreatedWorkshop, Group
from welfare_core.roster import read_roster
from welfare_core.service import WorkshopService
from welfare_core.template import SESSIONS_DIR, load_template

ROOT = Path(__file__).resolve().parent.parent
PASSCODE = "facilitator-2562"
SAMUT_PRAKAN = SESSIONS_DIR / "samut-prakan-2562.toml"


@pytest.fixture(autouse=True)
def backups_beside_the_database(monkeypatch):
    """Snapshots taken by a test (on lock, say) go beside its own database, never elsewhere."""
    monkeypatch.delenv("WELFARE_BACKUP_DIR", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workshops.duckdb"


@pytest.fixture
def store(db_path: Path):
    store = Store(db_path)
    yield store
    store.close()


@pytest.fixture
def service(store: Store) -> WorkshopService:
    return WorkshopService(store)


def create_samut_prakan(service: WorkshopService, template_path: Path = SAMUT_PRAKAN):
    template = load_template(template_path)
    roster = Path(template.roster_path)
    rows = read_roster(roster.read_bytes(), roster.name, list(template.groups))
    return service.create_workshop(template, rows, passcode=PASSCODE)


@pytest.fixture
def workshop(service: WorkshopService) -> CreatedWorkshop:
    return create_samut_prakan(service)


@pytest.fixture
def facilitator(service: WorkshopService, workshop: CreatedWorkshop) -> Caller:
    return Caller(service.sign_in(workshop.slug, PASSCODE), device="facilitator-laptop")


def lead(group: Group, device: str = "phone-1") -> Caller:
    return Caller(group.join_code, device=device, name="lead")


def count(store: Store, table: str) -> int:
    """Plain SQL count, to check what the database holds independently of the read models."""
    return store.read().cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


_HOLDER = (
    "import sys; from welfare_core.db.store import Store; held = Store(sys.argv[1]); "
    "print('open', flush=True); sys.stdin.read()"
)


@contextmanager
def held_open(path: Path) -> Iterator[int]:
    """``path`` held open by another process with a Store, as the running app holds it; yields
    that process's PID. It lets go when the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        yield holder.pid
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
