"""The plenary board (AppTest, demo workshop): merging duplicates and adopting ideas."""

from __future__ import annotations

from pathlib import Path

from support import facts_slug, signed_in

from welfare_core import consolidate
from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE
from welfare_core.i18n import t
from welfare_core.model import Caller
from welfare_core.service import WorkshopService


def data_ideas(db: Path):
    store = Store(db)
    try:
        ideas = consolidate.ideas(store.read(), store.read().workshops()[0].id)
    finally:
        store.close()
    return ideas[ideas["area"] == "data"]


def test_the_plenary_merges_duplicates_keeping_votes_and_origins(db):
    ideas = data_ideas(db)
    twins = ideas[ideas.duplicated("text", keep=False)].sort_values("text").head(2)
    main, twin = (int(i) for i in twins["idea_id"])
    votes = int(twins["votes"].sum())
    at = signed_in(db).run()
    at.switch_page("pages/plenary_board.py").run()
    assert not at.exception
    assert at.title[0].value == t("plenary.title", "th")
    merge = next(f for f in at.form if f.proto.form.form_id.startswith("merge-data"))
    merge.selectbox[0].set_value(main)
    merge.multiselect[0].set_value([twin])
    merge.form_submit_button[0].click().run()
    assert not at.exception
    assert at.toast[0].value == t("plenary.merged", "th")
    after = data_ideas(db).set_index("idea_id")
    assert twin not in after.index
    assert after.loc[main, "votes"] == votes
    assert after.loc[main, "merged"] == 1
    assert set(after.loc[main, "origins_th"].split(", ")) == set(twins["group_th"])


def test_a_plenary_tick_adopts_its_idea_and_the_box_follows_what_is_stored(db):
    first, second = (int(i) for i in data_ideas(db)["idea_id"][:2])
    at = signed_in(db).run()
    at.switch_page("pages/plenary_board.py").run()
    at.checkbox(key=f"adopt-{first}").check().run()
    assert not at.exception
    assert at.toast[0].value == t("plenary.adopted", "th")
    assert data_ideas(db).set_index("idea_id").loc[first, "adopted"]
    # The facilitator's second device adopts another idea; this page's next run shows it.
    store = Store(db)
    try:
        service = WorkshopService(store)
        chair = Caller(service.sign_in(facts_slug(store), DEMO_PASSCODE), device="second-laptop")
        service.set_adopted(chair, second, True)
    finally:
        store.close()
    at.run()
    assert at.checkbox(key=f"adopt-{first}").value
    assert at.checkbox(key=f"adopt-{second}").value
