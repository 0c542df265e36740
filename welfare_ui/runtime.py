"""What the server process holds once for every visitor: its service (one DuckDB connection),
the periodic backups, and the projector's shared reads."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from welfare_core.backup import backup_minutes
from welfare_core.config import database_path
from welfare_core.demo import DEMO_PASSCODE, ensure_demo
from welfare_core.errors import DatabaseUnusable, WelfareError
from welfare_core.page_reads import Dashboard
from welfare_core.service import WorkshopService
from welfare_ui.feedback import show_error

# The projector refreshes every few seconds; every projector open on a workshop shares one read.
REFRESH_S = 2.5


def service() -> WorkshopService:
    """The server's service; a database it cannot open stops the page with a sentence."""
    try:
        return _service_for(str(database_path()))
    except WelfareError as err:  # not cached: the next run tries again
        show_error(err)
        st.stop()


@st.cache_resource
def _service_for(path: str) -> WorkshopService:
    """One DuckDB connection per server process; each call of a page uses its own cursor.

    Its backups start here, once per process, on a thread of their own.
    """
    minutes = backup_minutes()
    try:
        svc = WorkshopService.open(path)
    except DatabaseUnusable as err:
        if err.key != "error.db_busy":
            raise
        # Most likely a second server started on the same file: the CLI's advice does not fit.
        raise DatabaseUnusable("error.db_busy_app", **err.params) from None
    svc.backups.start(minutes)
    return svc


def newest_workshop() -> str:
    """The slug of the newest workshop, after making the demo in an empty database: the start
    page and the projector always have a workshop to show."""
    return ensure_demo(service())


def opens_with_demo_passcode(workshop_id: int) -> bool:
    """Whether the public passcode opens this workshop (sample data, never a real one)."""
    return _opens_with_demo_passcode(str(database_path()), workshop_id)


@st.cache_resource
def _opens_with_demo_passcode(path: str, workshop_id: int) -> bool:
    # A passcode never changes, and checking one costs ~70 ms of scrypt: once per workshop,
    # not on every run of the page everyone opens first.
    return _service_for(path).passcode_opens(workshop_id, DEMO_PASSCODE)


def dashboard(workshop_id: int) -> Dashboard:
    """The projector's read models, shared by every viewer and read again only after a write
    (this process is the file's only writer) or, for the ten-minute disagreement window, after
    half a minute."""
    path = str(database_path())
    return shared_dashboard(path, workshop_id, _service_for(path).commits())


@st.cache_resource(ttl=dt.timedelta(seconds=30), max_entries=20)
def shared_dashboard(path: str, workshop_id: int, commits: int) -> Dashboard:
    """Cached by ``commits``: the number of writes so far is part of the key."""
    return _service_for(path).dashboard(workshop_id)
