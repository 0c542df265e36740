"""Shared fixtures: a real DuckDB file per test, and the Samut Prakan workshop in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_core.model import Caller, CreatedWorkshop, Group
from welfare_core.roster import read_roster
from welfare_core.service import WorkshopService
from welfare_core.store import Store
from welfare_core.template import SESSIONS_DIR, load_template

PASSCODE = "facilitator-2562"
SAMUT_PRAKAN = SESSIONS_DIR / "samut-prakan-2562.toml"


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
