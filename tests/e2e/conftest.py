"""Real-browser fixtures: one Chromium per test module, one app server per module and database.

The server is the app as a facilitator starts it (``python serve.py``), on a free port and a
temporary DuckDB file seeded before it starts. The browser is Debian's Chromium, driven by
Playwright's sync API from this one thread.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright
from support import AppServer

from .browser_app import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    SeededWorkshop,
    seed_workshop,
)

if shutil.which(CHROMIUM) is None:  # pragma: no cover - the CI installs it with apt
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


# What to look at when a test fails: each module's server log and the open pages.
LOGS = REPO / "artifacts" / "e2e-logs"
FAILURES = REPO / "artifacts" / "e2e-failures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and browser is not None:
        FAILURES.mkdir(parents=True, exist_ok=True)
        for c, context in enumerate(browser.contexts):
            for p, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    page.screenshot(path=FAILURES / f"{item.name}-{c}-{p}.png")
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _serve(workshop: SeededWorkshop, name: str) -> Iterator[AppServer]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}-server.log"
    log.write_text("")
    server = AppServer(workshop.db, log)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def fresh_workshop(tmp_path_factory: pytest.TempPathFactory) -> SeededWorkshop:
    """The Samut Prakan workshop, 6 district groups and 25 funds, nothing rated yet."""
    return seed_workshop(tmp_path_factory.mktemp("fresh") / "workshops.duckdb")


@pytest.fixture(scope="module")
def fresh_app(fresh_workshop: SeededWorkshop) -> Iterator[AppServer]:
    yield from _serve(fresh_workshop, "fresh")


@pytest.fixture
def lone_fresh_workshop(tmp_path: Path) -> SeededWorkshop:
    """The fresh workshop for one test alone, whatever the tests before it changed."""
    return seed_workshop(tmp_path / "workshops.duckdb")


@pytest.fixture
def lone_fresh_app(lone_fresh_workshop: SeededWorkshop) -> Iterator[AppServer]:
    yield from _serve(lone_fresh_workshop, "lone-fresh")


@pytest.fixture(scope="module")
def demo_workshop(tmp_path_factory: pytest.TempPathFactory) -> SeededWorkshop:
    """The finished sample session: every fund rated, ideas in every area, votes."""
    return seed_workshop(tmp_path_factory.mktemp("demo") / "workshops.duckdb", demo=True)


@pytest.fixture(scope="module")
def demo_app(demo_workshop: SeededWorkshop) -> Iterator[AppServer]:
    yield from _serve(demo_workshop, "demo")


@pytest.fixture
def lone_demo_workshop(tmp_path: Path) -> SeededWorkshop:
    """The sample session for one test alone, whatever the tests before it changed."""
    return seed_workshop(tmp_path / "workshops.duckdb", demo=True)


@pytest.fixture
def lone_demo_app(lone_demo_workshop: SeededWorkshop) -> Iterator[AppServer]:
    yield from _serve(lone_demo_workshop, "lone-demo")
