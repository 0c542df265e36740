"""Page runs: the projector and a group's workspace under Streamlit's AppTest, against a bare
page that draws as many elements."""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.timing import median_ms

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 10
BARE_PAGE = "import streamlit as st\nfor n in range({elements}):\n    st.text(str(n))\n"


def measure_runs(db: Path, workshop: str, national: str, code: str, folder: Path) -> dict:
    """Median script run of each page; the projector's shared read cache is emptied before
    every run, so each run reads the database as the first viewer after a change would."""
    os.environ["WELFARE_DB"] = str(db)
    from welfare_ui.runtime import shared_dashboard  # imported once the page knows its database

    def projector(slug: str) -> tuple[float, int]:
        page = _page("pages/projector_screen.py", ws=slug)

        def uncached() -> None:
            shared_dashboard.clear()
            page.run()

        return median_ms(uncached, REPEAT), _elements(page.main)

    workshop_ms, elements = projector(workshop)
    national_ms, _ = projector(national)
    group = _page("pages/group_workspace.py", code=code)
    bare_file = folder / "bare_page.py"
    bare_file.write_text(BARE_PAGE.format(elements=elements), encoding="utf-8")
    bare = AppTest.from_file(str(bare_file), default_timeout=60)
    bare_ms = median_ms(bare.run, REPEAT)
    return {
        "projector_run_ms_workshop": workshop_ms,
        "projector_run_ms_national": national_ms,
        "workspace_run_ms_workshop": median_ms(group.run, REPEAT),
        "bare_run_ms": bare_ms,
        "projector_elements": elements,
        "run_ratio_vs_bare": round(workshop_ms / bare_ms, 1),
        "reruns_per_s_one_core": round(1000 / workshop_ms, 1),
    }


def _page(path: str, **query: str) -> AppTest:
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        page.query_params[key] = value
    page.switch_page(path)
    page.run()
    if page.exception:
        raise RuntimeError(f"{path}: {page.exception[0].message}")
    return page


def _elements(node: object) -> int:
    children = getattr(node, "children", None)
    if not children:
        return 1
    return sum(_elements(child) for child in children.values())
