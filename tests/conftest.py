"""Shared fixtures: a real DuckDB file per test, the Samut Prakan workshop in it, the demo built
once and copied for each screen test, the exported demo once per module. Helpers: support.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import PASSCODE, create_samut_prakan, make_demo

from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE, create_demo
from welfare_core.model import Caller, CreatedWorkshop
from welfare_core.service import WorkshopService


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


@pytest.fixture
def workshop(service: WorkshopService) -> CreatedWorkshop:
    return create_samut_prakan(service)


@pytest.fixture
def facilitator(service: WorkshopService, workshop: CreatedWorkshop) -> Caller:
    return Caller(service.sign_in(workshop.slug, PASSCODE), device="facilitator-laptop")


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """The demo workshop, built once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(path)
    create_demo(WorkshopService(store), DEMO_PASSCODE)
    store.close()
    return path


@pytest.fixture
def db(demo_file, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "workshops.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("WELFARE_DB", str(path))
    return path


@pytest.fixture(scope="module", name="demo")
def demo_fixture(tmp_path_factory):
    """One demo database per test module: building it takes a second or two."""
    demo = make_demo(tmp_path_factory.mktemp("export") / "workshops.duckdb")
    yield demo
    demo.store.close()
