"""The minimal app on the demo workshop, rendered with Streamlit's AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from welfare_core.i18n import catalog


@pytest.fixture
def app(db_path, monkeypatch):
    monkeypatch.setenv("WELFARE_DB", str(db_path))
    return AppTest.from_file("../app.py", default_timeout=60)


def test_the_app_opens_on_the_demo_workshop_in_thai(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "เวทีพัฒนาศักยภาพกองทุนสวัสดิการชุมชน จังหวัดสมุทรปราการ"
    table = app.dataframe[0].value
    assert list(table.index) == [
        "บางบ่อ", "บางพลี", "บางเสาธง", "พระสมุทรเจดีย์", "พระประแดง", "เมืองสมุทรปราการ",
    ]  # fmt: skip
    assert list(table.columns) == [
        "กองทุน", "ประเมินแล้ว", "ด้านระบบข้อมูล", "ด้านการขยายฐานสมาชิก",
        "ด้านคณะกรรมการ/คณะทำงาน", "ด้านการเชื่อมโยงท้องถิ่น",
    ]  # fmt: skip
    assert table["กองทุน"].sum() == 25
    assert (table["ประเมินแล้ว"] == table["กองทุน"]).all()


def test_the_language_switch_shows_english(app):
    app.run()
    app.sidebar.radio[0].set_value("en").run()
    assert not app.exception
    assert app.title[0].value.startswith("Capacity-building workshop")
    table = app.dataframe[0].value
    assert "Bang Bo" in list(table.index)
    assert "Membership growth" in table.columns


def test_every_message_exists_in_thai_and_english():
    th, en = catalog("th"), catalog("en")
    assert sorted(set(th) ^ set(en)) == []
    assert all(th[k].strip() and en[k].strip() for k in th)
