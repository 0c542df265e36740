"""Read models: what the projector and the exports will show, computed from real rows."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from conftest import SAMUT_PRAKAN, create_samut_prakan, lead

from welfare_core import consolidate
from welfare_core.clock import utcnow
from welfare_core.demo import DEMO_PASSCODE, create_demo
from welfare_core.model import Caller, IdeaInput, RatingInput, RosterRow

SAMPLE_ROSTER = SAMUT_PRAKAN.parent / "samut-prakan-2562-sample-funds.csv"


def rate(service, group, fund, grade, device="phone-1"):
    service.rate_fund(lead(group, device), RatingInput(fund.id, grade, f"เหตุผล {grade}"))


def setup_ratings(service, workshop):
    """Bang Bo rates 3 of its 5 funds A, B, B; Bang Phli rates 1 fund D."""
    wid = service.workshop(workshop.slug).id
    bang_bo, phli = workshop.groups[0], workshop.groups[1]
    bo_funds = service.store.read().funds(wid, bang_bo.id)
    for fund, grade in zip(bo_funds, "ABB", strict=False):
        rate(service, bang_bo, fund, grade)
    rate(service, phli, service.store.read().funds(wid, phli.id)[0], "D")
    return wid, bo_funds


def test_grade_counts_per_group_and_overall(service, store, workshop):
    wid, _ = setup_ratings(service, workshop)
    counts = consolidate.grade_counts(store.read(), wid)
    assert len(counts) == 6 * 4
    bang_bo = counts[counts["group_en"] == "Bang Bo"].set_index("grade")["funds"].to_dict()
    assert bang_bo == {"A": 1, "B": 2, "C": 0, "D": 0}
    overall = (
        consolidate.overall_grade_counts(store.read(), wid).set_index("grade")["funds"].to_dict()
    )
    assert overall == {"A": 1, "B": 2, "C": 0, "D": 1}


def test_progress_counts_rated_funds_and_live_ideas_per_area(service, store, workshop):
    wid, _ = setup_ratings(service, workshop)
    bang_bo = workshop.groups[0]
    service.add_idea(lead(bang_bo), IdeaInput("data", "ทะเบียน"))
    service.add_idea(lead(bang_bo), IdeaInput("data", "แฟ้ม 7 หมวด"))
    service.add_idea(lead(bang_bo), IdeaInput("linkage", "อบต."))
    progress = consolidate.progress(store.read(), wid).set_index("group_en")
    assert progress.loc[
        "Bang Bo", ["funds", "rated", "data", "membership", "linkage"]
    ].tolist() == [
        5,
        3,
        2,
        0,
        1,
    ]
    assert progress["funds"].sum() == 25
    assert progress.loc["Bang Phli", "rated"] == 1


def test_ideas_are_newest_first_with_group_area_and_votes(service, store, workshop):
    wid = service.workshop(workshop.slug).id
    bang_bo, phli = workshop.groups[0], workshop.groups[1]
    first = service.add_idea(lead(bang_bo), IdeaInput("data", "ทะเบียน"))
    second = service.add_idea(lead(phli), IdeaInput("committee", "ประชุมทุกเดือน"))
    service.vote(lead(phli), first)
    service.vote(lead(bang_bo), first)
    ideas = consolidate.ideas(store.read(), wid)
    assert ideas["idea_id"].tolist() == [second, first]
    assert ideas[["group_th", "area_th", "votes"]].values.tolist() == [
        ["บางพลี", "ด้านคณะกรรมการ/คณะทำงาน", 0],
        ["บางบ่อ", "ด้านระบบข้อมูล", 2],
    ]


def test_changes_against_the_roster_previous_grade(service, store, workshop, facilitator):
    wid, bo_funds = setup_ratings(service, workshop)  # rated A, B, B; the rest unrated
    previous = [
        RosterRow(n, f.name, f.tambon, "บางบ่อ", previous_grade=grade)
        for n, (f, grade) in enumerate(zip(bo_funds, "ACBDD", strict=True), start=2)
    ]
    service.import_roster(facilitator, previous)
    grades = consolidate.current_grades(store.read(), wid).set_index("fund_id")
    assert grades.loc[[f.id for f in bo_funds], "previous_grade"].tolist() == list("ACBDD")
    changes = consolidate.grade_changes(store.read(), wid)
    in_bang_bo = changes[changes["group_en"] == "Bang Bo"]
    assert in_bang_bo[["fund", "previous_grade", "grade"]].values.tolist() == [
        [bo_funds[1].name, "C", "B"]
    ]


def test_a_sample_workshop_never_counts_as_an_earlier_workshop(service, store, tmp_path):
    later = tmp_path / "samut-prakan-2563.toml"
    text = SAMUT_PRAKAN.read_text(encoding="utf-8").replace("2019-06-24", "2020-06-24")
    later.write_text(text.replace('roster = "', f'roster = "{SAMUT_PRAKAN.parent}/'), "utf-8")
    create_demo(service)
    real = create_samut_prakan(service, later)
    wid = service.workshop(real.slug).id
    roster = {r[0]: r[4] for r in csv.reader(SAMPLE_ROSTER.open(encoding="utf-8"))}
    grades = consolidate.current_grades(store.read(), wid)
    assert grades["previous_grade"].tolist() == [roster[name] for name in grades["fund"]]


def test_changes_against_an_earlier_workshop_of_the_province(service, store, tmp_path):
    later = tmp_path / "samut-prakan-2563.toml"
    text = SAMUT_PRAKAN.read_text(encoding="utf-8").replace("2019-06-24", "2020-06-24")
    later.write_text(text.replace('roster = "', f'roster = "{SAMUT_PRAKAN.parent}/'), "utf-8")
    first = create_samut_prakan(service)
    second = create_samut_prakan(service, later)
    fund_name = "กองทุนสวัสดิการชุมชนตำบลบางบ่อ"

    def fund_in(created):
        wid = service.workshop(created.slug).id
        return wid, next(f for f in store.read().funds(wid) if f.name == fund_name)

    wid1, fund1 = fund_in(first)
    wid2, fund2 = fund_in(second)
    rate(service, first.groups[0], fund1, "D")
    rate(service, first.groups[0], fund1, "C")
    rate(service, second.groups[0], fund2, "B")
    row = consolidate.current_grades(store.read(), wid2).set_index("fund_id").loc[fund2.id]
    assert (row["previous_grade"], row["grade"], bool(row["changed"])) == ("C", "B", True)
    earliest = consolidate.current_grades(store.read(), wid1).set_index("fund_id").loc[fund1.id]
    assert earliest["previous_grade"] == fund1.previous_grade  # no earlier workshop: the roster


def test_disagreement_between_two_devices_within_ten_minutes(service, store, workshop):
    wid, bo_funds = setup_ratings(service, workshop)
    bang_bo = workshop.groups[0]
    rate(service, bang_bo, bo_funds[0], "C", device="laptop-2")  # phone-1 said A
    rate(service, bang_bo, bo_funds[1], "B", device="laptop-2")  # phone-1 said B too
    flagged = consolidate.disagreements(store.read(), wid)
    assert flagged[["fund", "grades", "devices"]].values.tolist() == [[bo_funds[0].name, "A/C", 2]]
    later = utcnow() + dt.timedelta(minutes=11)
    assert consolidate.disagreements(store.read(), wid, now=later).empty


@pytest.mark.parametrize(
    ("device", "agreed"),
    [("phone-1", "C"), ("phone-1", "B"), ("laptop-2", "A"), ("laptop-2", "C")],
)
def test_the_groups_next_save_settles_a_disagreement(service, store, workshop, device, agreed):
    """Whichever device saves after the group was told, with whatever grade it agreed on."""
    wid, bo_funds = setup_ratings(service, workshop)
    bang_bo, fund = workshop.groups[0], bo_funds[0]
    rate(service, bang_bo, fund, "D", device="laptop-2")  # phone-1 said A
    assert consolidate.dashboard(store.read(), wid).disagreements["grades"].tolist() == ["A/D"]
    rate(service, bang_bo, fund, agreed, device=device)
    assert consolidate.disagreements(store.read(), wid).empty
    assert consolidate.dashboard(store.read(), wid).disagreements.empty  # what the projector draws
    # A device that disagrees with the settled grade afterwards raises it again.
    other = "laptop-2" if device == "phone-1" else "phone-1"
    rate(service, bang_bo, fund, "A" if agreed != "A" else "D", device=other)
    assert len(consolidate.disagreements(store.read(), wid)) == 1


def test_a_device_new_to_a_disagreement_joins_it_rather_than_settles_it(service, store, workshop):
    wid, bo_funds = setup_ratings(service, workshop)
    bang_bo, fund = workshop.groups[0], bo_funds[0]
    rate(service, bang_bo, fund, "D", device="laptop-2")  # phone-1 said A
    rate(service, bang_bo, fund, "C", device="tablet-3")  # had not seen the fund's "⚠"
    flagged = consolidate.disagreements(store.read(), wid)
    assert flagged[["grades", "devices"]].values.tolist() == [["A/C/D", 3]]


def test_the_wall_shows_the_newest_ideas_then_the_most_voted_once_entry_is_closed(service, store):
    slug = create_demo(service)
    wid = service.workshop(slug).id
    every = consolidate.ideas(store.read(), wid)

    def wall_of(area: str) -> list[int]:
        return (
            consolidate.dashboard(store.read(), wid, wall_size=4)
            .wall.query("area == @area")["idea_id"]
            .tolist()
        )

    def first(area: str, order: list[str]) -> list[int]:
        ideas = every[every["area"] == area]
        return ideas.sort_values(order, ascending=False)["idea_id"].head(4).tolist()

    areas = every["area"].unique().tolist()
    newest = {a: first(a, ["created_at", "idea_id"]) for a in areas}
    by_votes = {a: first(a, ["votes", "created_at", "idea_id"]) for a in areas}
    assert by_votes != newest  # the demo's votes do change the order
    assert {a: wall_of(a) for a in areas} == newest
    service.set_locked(Caller(service.sign_in(slug, DEMO_PASSCODE), "laptop-1"), True)
    assert {a: wall_of(a) for a in areas} == by_votes


def test_an_empty_workshop_has_empty_but_well_formed_read_models(service, store, workshop):
    wid = service.workshop(workshop.slug).id
    assert consolidate.overall_grade_counts(store.read(), wid)["funds"].sum() == 0
    assert consolidate.ideas(store.read(), wid).empty
    assert consolidate.disagreements(store.read(), wid).empty
    assert consolidate.progress(store.read(), wid)["rated"].sum() == 0
    assert consolidate.grade_changes(store.read(), wid).empty
