"""Where the database lives: --db PATH, else $WELFARE_DB, else sessions/workshops.duckdb."""

from __future__ import annotations

import os
from pathlib import Path

from welfare_core.template import SESSIONS_DIR

DEFAULT_DB = SESSIONS_DIR / "workshops.duckdb"


def database_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("WELFARE_DB") or DEFAULT_DB)
