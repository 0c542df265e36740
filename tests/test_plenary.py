"""The facilitator's set-up edits, the breakout timer and the plenary: merge, vote, adopt."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import count, lead

from welfare_core import consolidate
from welfare_core.errors import InvalidInput, NotAllowed, NotFound
from welfare_core.model import ActionPlan, IdeaInput, Timer, WorkshopEdit


@pytest.fixture
def wid(service, workshop) -> int:
    return service.workshop(workshop.slug).id


def idea(service, group, text, area="data") -> int:
    return service.add_idea(lead(group), IdeaInput(area, text))


def test_the_facilitator_edits_the_workshop_facts_group_names_and_grade_descriptions(
    service, store, workshop, facilitator, wid
):
    edit = WorkshopEdit("เวทีทบทวน 2563", "Review 2020", dt.date(2020, 2, 1), "หอประชุม", "Hall")
    service.update_workshop(facilitator, edit)
    service.rename_groups(facilitator, {workshop.groups[0].id: ("กลุ่มบางบ่อ", "Bang Bo team")})
    service.describe_grades(facilitator, {"A": ("ดีเยี่ยม ครบทุกด้าน", "Excellent in every way")})
    stored = service.workshop(workshop.slug)
    assert (stored.title_th, stored.title_en, stored.held_on, stored.venue_th) == (
        "เวทีทบทวน 2563",
        "Review 2020",
        dt.date(2020, 2, 1),
        "หอประชุม",
    )
    assert store.read().groups(wid)[0].name_th == "กลุ่มบางบ่อ"
    level = store.read().grade_levels(wid)[0]
    assert (level.letter, level.description_th) == ("A", "ดีเยี่ยม ครบทุกด้าน")
    assert level.name_th  # the grade's name is kept


def test_set_up_edits_refuse_groups_and_bad_values_and_change_nothing(
    service, store, workshop, facilitator, wid
):
    before = service.workshop(workshop.slug)
    with pytest.raises(NotAllowed):
        service.update_workshop(
            lead(workshop.groups[0]),
            WorkshopEdit("x", "x", before.held_on, "", ""),
        )
    with pytest.raises(InvalidInput, match="title"):
        service.update_workshop(facilitator, WorkshopEdit(" ", "x", before.held_on, "", ""))
    first, second = workshop.groups[:2]
    with pytest.raises(InvalidInput, match="too long"):
        service.rename_groups(facilitator, {first.id: ("ใหม่", "New"), second.id: ("ก" * 101, "x")})
    with pytest.raises(NotFound):
        service.rename_groups(facilitator, {first.id: ("ใหม่", "New"), 999_999: ("ก", "x")})
    with pytest.raises(InvalidInput):
        service.describe_grades(facilitator, {"A": ("ใหม่", "new"), "E": ("ไม่มี", "none")})
    for dots in (0, 51, "ห้า"):
        with pytest.raises(InvalidInput):
            service.set_dots_per_group(facilitator, dots)
    assert service.workshop(workshop.slug) == before
    assert store.read().groups(wid)[0].name_th == "บางบ่อ"
    assert store.read().grade_levels(wid)[0].description_en != "new"


def test_the_timer_is_set_started_paused_and_reset(service, workshop, facilitator, wid):
    assert service.timer(wid) == Timer()
    service.set_timer(facilitator, 20)
    assert service.timer(wid) == Timer(1200, 1200, None)
    service.start_timer(facilitator)
    running = service.timer(wid)
    assert running.running
    later = running.started_at + dt.timedelta(seconds=90)
    assert running.left(later) == 1110
    assert running.left(running.started_at + dt.timedelta(hours=1)) == 0
    service.start_timer(facilitator)  # a second start does not restart the clock
    assert service.timer(wid).started_at == running.started_at
    service.pause_timer(facilitator)
    paused = service.timer(wid)
    assert not paused.running and 1190 <= paused.remaining_s <= 1200
    service.reset_timer(facilitator)
    assert service.timer(wid) == Timer(1200, 1200, None)
    with pytest.raises(NotAllowed):
        service.start_timer(lead(workshop.groups[0]))
    with pytest.raises(InvalidInput, match="1 to 240"):
        service.set_timer(facilitator, 0)


def test_start_with_the_boxs_minutes_sets_and_starts_in_one_step_and_resumes_a_pause(
    service, workshop, facilitator, wid
):
    service.start_timer(facilitator, 20)  # never set: starts at 20 minutes
    first = service.timer(wid)
    assert (first.duration_s, first.remaining_s, first.running) == (1200, 1200, True)
    service.pause_timer(facilitator)
    paused = service.timer(wid)
    service.start_timer(facilitator, 20)  # the same length: the paused timer goes on
    resumed = service.timer(wid)
    assert resumed.running and resumed.remaining_s == paused.remaining_s
    service.start_timer(facilitator, 5)  # another length in the box: afresh at 5 minutes
    assert service.timer(wid).remaining_s == 300
    with pytest.raises(InvalidInput, match="1 to 240"):
        service.start_timer(facilitator, 500)
    with pytest.raises(NotAllowed):
        service.start_timer(lead(workshop.groups[0]), 20)
    assert service.timer(wid).remaining_s == 300


def test_merged_ideas_keep_their_votes_and_name_every_group(
    service, store, workshop, facilitator, wid
):
    g1, g2, g3 = workshop.groups[:3]
    main = idea(service, g1, "ทะเบียนสมาชิกออนไลน์")
    twin = idea(service, g2, "ทำทะเบียนสมาชิกเป็นดิจิทัล")
    third = idea(service, g3, "ฐานข้อมูลสมาชิกกลาง")
    service.vote(lead(g1), main)
    service.vote(lead(g2), twin)
    service.vote(lead(g3), third)
    service.merge_ideas(facilitator, twin, [third])
    service.merge_ideas(facilitator, main, [twin])  # what was merged into twin moves along
    live = consolidate.ideas(store.read(), wid)
    assert live["idea_id"].tolist() == [main]
    row = live.iloc[0]
    assert (row["votes"], row["merged"], row["origins_th"]) == (3, 2, "บางบ่อ, บางพลี, บางเสาธง")
    assert row["origins_en"] == "Bang Bo, Bang Phli, Bang Sao Thong"
    # The merged ideas stay in the history and their groups can no longer change them.
    assert set(consolidate.idea_history(store.read(), wid)["idea_id"]) == {main, twin, third}
    with pytest.raises(NotFound, match="merged"):
        service.edit_idea(lead(g2), twin, IdeaInput("data", "แก้"))
    with pytest.raises(NotFound):
        service.vote(lead(g2), twin)
    # A group's dot moved with its idea: it can take it back from the merged one.
    service.vote(lead(g3), main, -1)
    assert consolidate.ideas(store.read(), wid)["votes"].tolist() == [2]


def test_merging_needs_the_facilitator_and_live_ideas(service, store, workshop, facilitator):
    g1, g2 = workshop.groups[:2]
    a, b = idea(service, g1, "ก"), idea(service, g2, "ข")
    with pytest.raises(NotAllowed):
        service.merge_ideas(lead(g1), a, [b])
    with pytest.raises(InvalidInput):
        service.merge_ideas(facilitator, a, [a])
    service.withdraw_idea(lead(g2), b)
    with pytest.raises(NotFound):
        service.merge_ideas(facilitator, a, [b])
    assert count(store, "idea_merges") == 0


def test_dots_follow_the_facilitators_setting(service, store, workshop, facilitator, wid):
    g1, g2 = workshop.groups[:2]
    ideas = [idea(service, g2, f"ข้อเสนอ {n}") for n in range(3)]
    service.set_dots_per_group(facilitator, 2)
    assert service.workshop(workshop.slug).dots_per_group == 2
    service.vote(lead(g1), ideas[0])
    service.vote(lead(g1), ideas[1])
    with pytest.raises(InvalidInput, match="2 dots"):
        service.vote(lead(g1), ideas[2])
    assert count(store, "votes") == 2


def test_the_plan_is_the_adopted_ideas_by_area_most_votes_first(
    service, store, workshop, facilitator, wid
):
    g1, g2 = workshop.groups[:2]
    low = idea(service, g1, "ข้อมูล น้อยโหวต")
    high = idea(service, g2, "ข้อมูล มากโหวต")
    linkage = idea(service, g1, "เชื่อมท้องถิ่น", area="linkage")
    dropped = idea(service, g2, "ไม่รับ")
    service.vote(lead(g1), high)
    service.vote(lead(g2), high)
    for chosen in (linkage, low, high, dropped):
        service.set_adopted(facilitator, chosen, True)
    service.set_adopted(facilitator, dropped, False)
    plan = consolidate.plan(store.read(), wid)
    assert plan["idea_id"].tolist() == [high, low, linkage]
    with pytest.raises(NotAllowed):
        service.set_adopted(lead(g1), low, False)
    assert consolidate.plan(store.read(), wid)["idea_id"].tolist() == [high, low, linkage]


def test_a_group_cannot_change_an_idea_the_plenary_has_merged_into_or_adopted(
    service, store, workshop, facilitator, wid
):
    g1, g2 = workshop.groups[:2]
    target, twin, chosen = (
        idea(service, g1, "หลัก"),
        idea(service, g2, "ซ้ำ"),
        idea(service, g1, "รับ"),
    )
    service.merge_ideas(facilitator, target, [twin])
    service.set_adopted(facilitator, chosen, True)
    for idea_id in (target, chosen):
        with pytest.raises(NotAllowed, match="plenary"):
            service.withdraw_idea(lead(g1), idea_id)
        with pytest.raises(NotAllowed, match="plenary"):
            service.edit_idea(lead(g1), idea_id, IdeaInput("data", "แก้"))
    assert set(consolidate.ideas(store.read(), wid)["idea_id"]) == {target, chosen}
    service.edit_idea(facilitator, target, IdeaInput("data", "หลัก (รวมแล้ว)"))


def test_an_adopted_idea_merged_into_a_duplicate_stays_in_the_plan(
    service, store, workshop, facilitator, wid
):
    g1, g2 = workshop.groups[:2]
    adopted, duplicate = idea(service, g1, "รับแล้ว"), idea(service, g2, "ซ้ำกัน")
    service.set_adopted(facilitator, adopted, True)
    service.merge_ideas(facilitator, duplicate, [adopted])
    assert consolidate.plan(store.read(), wid)["idea_id"].tolist() == [duplicate]


def test_ideas_of_different_areas_are_not_merged(service, store, workshop, facilitator):
    g1, g2 = workshop.groups[:2]
    data, linkage = idea(service, g1, "ข้อมูล"), idea(service, g2, "ท้องถิ่น", area="linkage")
    with pytest.raises(InvalidInput, match="same area"):
        service.merge_ideas(facilitator, data, [linkage])
    assert count(store, "idea_merges") == 0


def test_a_withdrawn_idea_gives_its_dots_back_on_the_vote_tab_too(service, workshop, wid):
    g1, g2 = workshop.groups[:2]
    theirs = idea(service, g2, "จะถอน")
    service.vote(lead(g1), theirs)
    assert service.dots_by_idea(wid, g1.id) == {theirs: 1}
    service.withdraw_idea(lead(g2), theirs)
    assert service.dots_by_idea(wid, g1.id) == {}


def test_progress_counts_a_merged_idea_once_like_the_wall(
    service, store, workshop, facilitator, wid
):
    g1 = workshop.groups[0]
    a, b = idea(service, g1, "หนึ่ง"), idea(service, g1, "สอง")
    service.merge_ideas(facilitator, a, [b])
    row = consolidate.progress(store.read(), wid).set_index("group_id").loc[g1.id]
    assert row["data"] == 1 == len(consolidate.ideas(store.read(), wid))


def test_two_groups_cannot_get_the_same_name(service, store, workshop, facilitator, wid):
    first, second = workshop.groups[:2]
    with pytest.raises(InvalidInput, match="บางบ่อ"):
        service.rename_groups(facilitator, {second.id: ("บางบ่อ", "Bang Bo 2")})
    with pytest.raises(InvalidInput, match="Same"):
        service.rename_groups(facilitator, {first.id: ("ก", "Same"), second.id: ("ข", "Same")})
    assert [g.name_th for g in store.read().groups(wid)][:2] == ["บางบ่อ", "บางพลี"]


def test_a_timer_starts_only_once_set_and_starts_again_after_running_out(
    service, store, workshop, facilitator, wid
):
    with pytest.raises(InvalidInput, match="Set the timer"):
        service.start_timer(facilitator)
    service.set_timer(facilitator, 1)
    service.start_timer(facilitator)
    first = service.timer(wid)
    assert first.left(first.started_at + dt.timedelta(minutes=2)) == 0
    # A run-out timer is started again from its full length.
    ran_out = Timer(60, 60, first.started_at - dt.timedelta(minutes=5))
    store.write(
        lambda q: q.insert_timer_event(service.actor(facilitator.token), facilitator, ran_out)
    )
    service.start_timer(facilitator)
    again = service.timer(wid)
    assert again.remaining_s == 60 and again.left(again.started_at) == 60


def test_a_due_date_in_the_buddhist_era_is_stored_as_the_western_year(
    service, store, workshop, wid
):
    group = workshop.groups[0]
    plan = ActionPlan(due="2563-q2")
    idea_id = service.add_idea(lead(group), IdeaInput("data", "ทะเบียน", plan=plan))
    assert (
        consolidate.ideas(store.read(), wid).set_index("idea_id").loc[idea_id, "due"] == "2020-Q2"
    )
    with pytest.raises(InvalidInput, match="2563"):
        service.add_idea(lead(group), IdeaInput("data", "ไกลไป", plan=ActionPlan(due="2570-Q1")))
