"""The export page (AppTest, demo workshop, Thai and English)."""

from __future__ import annotations

import pytest
from support import signed_in

from welfare_core.i18n import t


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_export_page_offers_the_four_files(db, lang):
    at = signed_in(db, lang).run()
    at.switch_page("pages/plan_export.py").run()
    assert not at.exception
    assert at.title[0].value == t("exportpage.title", lang)
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        t(f"exportpage.{fmt}", lang) for fmt in ("xlsx", "docx", "pdf", "csv")
    ]
