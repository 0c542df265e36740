"""What every page shares: the one Store of the server process and the chosen language."""

from __future__ import annotations

import streamlit as st

from welfare_core.config import database_path
from welfare_core.i18n import DEFAULT_LANGUAGE, t
from welfare_core.service import WorkshopService
from welfare_core.store import Store


def service() -> WorkshopService:
    return _service_for(str(database_path()))


@st.cache_resource
def _service_for(path: str) -> WorkshopService:
    """One DuckDB connection per server process; each call of a page uses its own cursor."""
    return WorkshopService(Store(path))


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)
