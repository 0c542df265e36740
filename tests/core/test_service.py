"""The rules of who may write what, enforced in welfare_core; checked against the real database."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from support import PASSCODE, SAMUT_PRAKAN, count, create_samut_prakan, lead

from welfare_core import codes, consolidate
from welfare_core.errors import InvalidInput, NotAllowed, NotFound, RosterError, WorkshopLocked
from welfare_core.model import ActionPlan, Caller, IdeaInput, RatingInput, RosterRow
from welfare_core.template import load_template


def funds_of(service, workshop, group):
    wid = service.workshop(workshop.slug).id
    return service.store.read().funds(wid, group.id)


def test_a_group_rates_its_own_fund_and_the_row_is_stored(service, store, workshop):
    bang_bo = workshop.groups[0]
    fund = funds_of(service, workshop, bang_bo)[0]
    service.rate_fund(
        lead(bang_bo), RatingInput(fund.id, "b", "ประชุมสม่ำเสมอ", members=450, balance_baht="12,500")
    )
    row = (
        store.read()
        .cur.execute("SELECT grade, reason, members, balance_baht, device, actor_role FROM ratings")
        .fetchone()
    )
    assert row == ("B", "ประชุมสม่ำเสมอ", 450, Decimal("12500.00"), "phone-1", "group")


@pytest.mark.parametrize(
    "token", ["", "   ", "AAAA-AAAA", "not a code", "' OR 1=1 --", "x" * 500, "ABCD2345"]
)
def test_a_wrong_missing_or_forged_code_cannot_write(service, store, workshop, token):
    fund = funds_of(service, workshop, workshop.groups[0])[0]
    with pytest.raises(NotAllowed) as err:
        service.rate_fund(Caller(token, "phone"), RatingInput(fund.id, "A", "ดี"))
    assert "join code is not right" in str(err.value)
    with pytest.raises(NotAllowed):
        service.add_idea(Caller(token, "phone"), IdeaInput("data", "ข้อเสนอ"))
    assert count(store, "ratings") == 0
    assert count(store, "idea_versions") == 0


def test_another_groups_code_cannot_rate_or_touch_its_ideas(service, store, workshop):
    bang_bo, bang_phli = workshop.groups[0], workshop.groups[1]
    fund_of_bang_phli = funds_of(service, workshop, bang_phli)[0]
    with pytest.raises(NotAllowed, match="another group"):
        service.rate_fund(lead(bang_bo), RatingInput(fund_of_bang_phli.id, "A", "ดี"))
    idea = service.add_idea(lead(bang_phli), IdeaInput("data", "ทำทะเบียนสมาชิก"))
    with pytest.raises(NotAllowed):
        service.edit_idea(lead(bang_bo), idea, IdeaInput("data", "แก้โดยกลุ่มอื่น"))
    with pytest.raises(NotAllowed):
        service.withdraw_idea(lead(bang_bo), idea)
    with pytest.raises(NotAllowed):
        service.add_idea(lead(bang_bo), IdeaInput("data", "แอบเพิ่ม"), group_id=bang_phli.id)
    assert count(store, "ratings") == 0
    assert count(store, "idea_versions") == 1


def test_a_code_of_another_workshop_cannot_write_here(service, workshop):
    other = create_samut_prakan(service)
    fund = funds_of(service, workshop, workshop.groups[0])[0]
    with pytest.raises(NotFound):
        service.rate_fund(lead(other.groups[0]), RatingInput(fund.id, "A", "ดี"))


def test_join_codes_are_long_unambiguous_and_typed_loosely(service, workshop):
    joined = [g.join_code for g in workshop.groups]
    assert len(set(joined)) == 6
    assert all(len(c) == 8 and set(c) <= set(codes.CODE_ALPHABET) for c in joined)
    typed = codes.format_code(joined[2]).lower().replace("-", " - ")
    assert service.actor(typed).group_id == workshop.groups[2].id


def test_the_passcode_is_stored_only_as_a_salted_hash(service, store, workshop):
    second = create_samut_prakan(service)
    rows = store.read().cur.execute("SELECT * FROM workshops").fetchall()
    assert all(PASSCODE.encode() not in repr(row).encode() for row in rows)
    salts = {
        (r[0], r[1])
        for r in store.read()
        .cur.execute("SELECT passcode_salt, passcode_hash FROM workshops")
        .fetchall()
    }
    assert len(salts) == 2
    assert service.actor(service.sign_in(second.slug, PASSCODE)).is_facilitator
    with pytest.raises(NotAllowed, match="passcode is not right"):
        service.sign_in(workshop.slug, "facilitator-2563")


def test_a_generated_passcode_works_and_a_short_one_is_refused(service, store):
    template = load_template(SAMUT_PRAKAN)
    made = service.create_workshop(template)
    assert len(made.passcode) >= 10
    assert service.actor(service.sign_in(made.slug, made.passcode)).is_facilitator
    with pytest.raises(InvalidInput, match="at least 6"):
        service.create_workshop(template, passcode="12345")
    assert count(store, "workshops") == 1


def test_the_facilitator_may_do_everything(service, store, workshop, facilitator):
    phli = workshop.groups[1]
    fund = funds_of(service, workshop, phli)[0]
    service.rate_fund(facilitator, RatingInput(fund.id, "C", "สรุปจากที่ประชุมใหญ่"))
    idea = service.add_idea(facilitator, IdeaInput("linkage", "เชื่อม อบต."), group_id=phli.id)
    service.edit_idea(facilitator, idea, IdeaInput("linkage", "เชื่อม อบต. และเทศบาล"))
    service.vote(facilitator, idea, group_id=phli.id)
    assert consolidate.ideas(store.read(), fund.workshop_id)["votes"].tolist() == [1]
    with pytest.raises(NotFound):
        service.add_idea(facilitator, IdeaInput("data", "ไม่มีกลุ่ม"))


def test_only_the_facilitator_locks_and_a_locked_workshop_refuses_ratings_and_ideas(
    service, store, workshop, facilitator
):
    bang_bo = workshop.groups[0]
    fund = funds_of(service, workshop, bang_bo)[0]
    idea = service.add_idea(lead(bang_bo), IdeaInput("data", "ทะเบียนสมาชิก"))
    with pytest.raises(NotAllowed, match="Only the facilitator"):
        service.set_locked(lead(bang_bo), True)
    service.set_locked(facilitator, True)
    assert service.workshop(workshop.slug).locked
    row = RosterRow(2, "กองทุนใหม่", "บางบ่อ", "บางบ่อ")
    attempts = [
        lambda c: service.rate_fund(c, RatingInput(fund.id, "A", "ดีมาก")),
        lambda c: service.add_idea(c, IdeaInput("data", "ใหม่"), group_id=bang_bo.id),
        lambda c: service.edit_idea(c, idea, IdeaInput("data", "แก้")),
        lambda c: service.withdraw_idea(c, idea),
    ]
    for caller in (lead(bang_bo), facilitator):
        for attempt in attempts:
            with pytest.raises(WorkshopLocked) as err:
                attempt(caller)
            assert "locked" in str(err.value)
            assert "ล็อก" in err.value.message("th")
    with pytest.raises(WorkshopLocked):
        service.import_roster(facilitator, [row])
    assert (count(store, "ratings"), count(store, "idea_versions")) == (0, 1)
    # The plenary goes on while the breakout is closed.
    service.vote(lead(bang_bo), idea)
    service.set_adopted(facilitator, idea, True)
    plan = consolidate.ideas(store.read(), fund.workshop_id)
    assert plan[["votes", "adopted"]].values.tolist() == [[1, True]]
    service.set_locked(facilitator, False)
    service.rate_fund(lead(bang_bo), RatingInput(fund.id, "A", "ดีมาก"))
    assert count(store, "ratings") == 1


def test_rerating_keeps_the_history_and_the_newest_grade_is_current(service, store, workshop):
    bang_bo = workshop.groups[0]
    fund = funds_of(service, workshop, bang_bo)[0]
    service.rate_fund(lead(bang_bo), RatingInput(fund.id, "C", "ยังพัฒนา"))
    service.rate_fund(lead(bang_bo, "laptop-2"), RatingInput(fund.id, "B", "ทบทวนแล้วดีขึ้น"))
    grades = consolidate.current_grades(store.read(), fund.workshop_id).set_index("fund_id")
    assert grades.loc[fund.id, "grade"] == "B"
    history = consolidate.rating_history(store.read(), fund.workshop_id, fund.id)
    assert history["grade"].tolist() == ["C", "B"]
    assert history["device"].tolist() == ["phone-1", "laptop-2"]


def test_editing_an_idea_keeps_every_version(service, store, workshop):
    bang_bo = workshop.groups[0]
    plan = ActionPlan("อบรม", "เหรัญญิก", "2020-q1", "พอช.", Decimal("5000"))
    idea = service.add_idea(lead(bang_bo), IdeaInput("data", "ทะเบียนสมาชิก", plan=plan))
    service.edit_idea(lead(bang_bo), idea, IdeaInput("data", "ทะเบียนสมาชิกออนไลน์", plan=plan))
    wid = service.workshop(workshop.slug).id
    live = consolidate.ideas(store.read(), wid)
    assert live[["text", "due", "budget_baht"]].values.tolist() == [
        ["ทะเบียนสมาชิกออนไลน์", "2020-Q1", Decimal("5000.00")]
    ]
    assert consolidate.idea_history(store.read(), wid, idea)["text"].tolist() == [
        "ทะเบียนสมาชิก",
        "ทะเบียนสมาชิกออนไลน์",
    ]


def test_a_budget_source_is_stored_changed_by_an_edit_and_kept_in_the_history(
    service, store, workshop
):
    bang_bo = workshop.groups[0]
    plan = ActionPlan("อบรม", "เหรัญญิก", "2020-03", "อบต.", Decimal("5000"), "  กองทุน\u200b  ")
    idea = service.add_idea(lead(bang_bo), IdeaInput("data", "ทะเบียนสมาชิก", plan=plan))
    stored_as = store.read().cur.execute(
        "SELECT budget_source, partner, budget_baht FROM idea_versions WHERE idea_id = ?", [idea]
    )
    assert stored_as.fetchall() == [("กองทุน", "อบต.", Decimal("5000.00"))]
    shared = ActionPlan("อบรม", "เหรัญญิก", "2020-03", "อบต.", Decimal("5000"), "พอช. 50%")
    service.edit_idea(lead(bang_bo), idea, IdeaInput("data", "ทะเบียนสมาชิก", plan=shared))
    wid = service.workshop(workshop.slug).id
    assert consolidate.ideas(store.read(), wid)["budget_source"].tolist() == ["พอช. 50%"]
    history = consolidate.idea_history(store.read(), wid, idea)
    assert history["budget_source"].tolist() == ["กองทุน", "พอช. 50%"]
    assert store.read().current_idea(idea).content.plan.budget_source == "พอช. 50%"


def test_an_edit_moves_an_idea_to_another_area_under_the_same_rules(
    service, store, workshop, facilitator
):
    bang_bo, bang_phli = workshop.groups[:2]
    wid = service.workshop(workshop.slug).id
    idea = service.add_idea(lead(bang_bo), IdeaInput("data", "ทะเบียนสมาชิกออนไลน์"))
    service.edit_idea(lead(bang_bo), idea, IdeaInput("membership", "ทะเบียนสมาชิกออนไลน์"))
    assert (
        consolidate.ideas(store.read(), wid).set_index("idea_id").loc[idea, "area"] == "membership"
    )
    assert consolidate.idea_history(store.read(), wid, idea)["area"].tolist() == [
        "data",
        "membership",
    ]
    with pytest.raises(NotAllowed):  # another group moves nothing
        service.edit_idea(lead(bang_phli), idea, IdeaInput("linkage", "ทะเบียนสมาชิกออนไลน์"))
    with pytest.raises(InvalidInput):  # nor to an area the workshop does not have
        service.edit_idea(lead(bang_bo), idea, IdeaInput("nowhere", "ทะเบียนสมาชิกออนไลน์"))
    service.set_adopted(facilitator, idea, True)
    with pytest.raises(NotAllowed):  # adopted: the facilitator's only
        service.edit_idea(lead(bang_bo), idea, IdeaInput("committee", "ทะเบียนสมาชิกออนไลน์"))
    service.edit_idea(facilitator, idea, IdeaInput("committee", "ทะเบียนสมาชิกออนไลน์"))
    assert (
        consolidate.ideas(store.read(), wid).set_index("idea_id").loc[idea, "area"] == "committee"
    )


def test_a_withdrawn_idea_leaves_the_read_models_but_stays_in_the_history(service, store, workshop):
    bang_bo = workshop.groups[0]
    keep = service.add_idea(lead(bang_bo), IdeaInput("membership", "ชวนเยาวชน"))
    gone = service.add_idea(lead(bang_bo), IdeaInput("membership", "ข้อเสนอซ้ำ"))
    service.withdraw_idea(lead(bang_bo), gone)
    wid = service.workshop(workshop.slug).id
    assert consolidate.ideas(store.read(), wid)["idea_id"].tolist() == [keep]
    assert consolidate.progress(store.read(), wid).loc[0, "membership"] == 1
    history = consolidate.idea_history(store.read(), wid, gone)
    assert history["withdrawn"].tolist() == [False, True]
    with pytest.raises(NotFound):
        service.edit_idea(lead(bang_bo), gone, IdeaInput("membership", "กลับมา"))
    with pytest.raises(NotFound):
        service.vote(lead(bang_bo), gone)


@pytest.mark.parametrize(
    ("idea", "message"),
    [
        (IdeaInput("data", "   "), "fill in the idea"),
        (IdeaInput("data", "ก" * 1001), "too long: 1001"),
        (IdeaInput("housing", "บ้าน"), "not one of this workshop's plan areas"),
        (IdeaInput("data", "x", plan=ActionPlan(due="next year")), "month or quarter"),
        (IdeaInput("data", "x", plan=ActionPlan(due="2031-Q1")), "month or quarter"),
        (IdeaInput("data", "x", plan=ActionPlan(budget_baht="-5")), "positive number"),
        (IdeaInput("data", "x", plan=ActionPlan(budget_baht="ห้าพัน")), "positive number"),
        (IdeaInput("data", "x", plan=ActionPlan(partner="p" * 301)), "partner agency is too"),
        (IdeaInput("data", "x", fund_id=999999), "not part of this workshop"),
    ],
)
def test_bad_idea_input_is_refused_and_nothing_is_saved(service, store, workshop, idea, message):
    with pytest.raises((InvalidInput, NotFound), match=message):
        service.add_idea(lead(workshop.groups[0]), idea)
    assert count(store, "idea_versions") == 0


@pytest.mark.parametrize(
    ("grade", "reason", "members", "message"),
    [
        ("E", "ดี", None, "not a grade"),
        ("", "ดี", None, "not a grade"),
        ("A", "", None, "fill in the reason"),
        ("A", "\u200b\u0000 ", None, "fill in the reason"),
        ("A", "ดี", "-3", "positive number"),
        ("A", "ดี", "many", "positive number"),
    ],
)
def test_bad_rating_input_is_refused_and_nothing_is_saved(
    service, store, workshop, grade, reason, members, message
):
    fund = funds_of(service, workshop, workshop.groups[0])[0]
    with pytest.raises(InvalidInput, match=message):
        service.rate_fund(lead(workshop.groups[0]), RatingInput(fund.id, grade, reason, members))
    assert count(store, "ratings") == 0


def test_control_and_zero_width_characters_are_dropped_from_text(service, store, workshop):
    service.add_idea(lead(workshop.groups[0]), IdeaInput("data", " ทะเบียน\u200bสมาชิก\x07 "))
    wid = service.workshop(workshop.slug).id
    assert consolidate.ideas(store.read(), wid)["text"].tolist() == ["ทะเบียนสมาชิก"]


def test_each_group_votes_with_its_own_dots(service, store, workshop):
    bang_bo, phli = workshop.groups[0], workshop.groups[1]
    ideas = [service.add_idea(lead(phli), IdeaInput("data", f"ข้อเสนอ {n}")) for n in range(6)]
    for idea in ideas[:5]:
        service.vote(lead(bang_bo), idea)
    with pytest.raises(InvalidInput, match="all its 5 dots"):
        service.vote(lead(bang_bo), ideas[5])
    service.vote(lead(bang_bo), ideas[0], delta=-1)
    service.vote(lead(bang_bo), ideas[5])
    with pytest.raises(InvalidInput, match="no dot on this idea"):
        service.vote(lead(bang_bo), ideas[0], delta=-1)
    wid = service.workshop(workshop.slug).id
    votes = consolidate.ideas(store.read(), wid).set_index("idea_id")["votes"]
    assert [votes[i] for i in ideas] == [0, 1, 1, 1, 1, 1]


def test_importing_a_roster_adds_new_funds_and_updates_known_ones(
    service, store, workshop, facilitator
):
    known = funds_of(service, workshop, workshop.groups[0])[0]
    rows = [
        RosterRow(2, known.name, known.tambon, "บางบ่อ", members=999, previous_grade="A"),
        RosterRow(3, "กองทุนสวัสดิการชุมชนตำบลคลองนิยมยาตรา", "คลองนิยมยาตรา", "บางบ่อ"),
    ]
    assert service.import_roster(facilitator, rows) == (1, 1)
    wid = service.workshop(workshop.slug).id
    funds = {f.name: f for f in service.store.read().funds(wid)}
    assert len(funds) == 26
    assert (funds[known.name].members, funds[known.name].previous_grade) == (999, "A")
    with pytest.raises(NotAllowed, match="Only the facilitator"):
        service.import_roster(lead(workshop.groups[0]), rows)


def test_a_facilitator_token_of_one_workshop_cannot_act_on_another(service, store, workshop):
    other = create_samut_prakan(service)
    intruder = Caller(service.sign_in(other.slug, PASSCODE), device="other-laptop")
    bang_bo = workshop.groups[0]
    fund = funds_of(service, workshop, bang_bo)[0]
    idea = service.add_idea(lead(bang_bo), IdeaInput("data", "ทะเบียน"))
    with pytest.raises(NotFound):
        service.rate_fund(intruder, RatingInput(fund.id, "A", "ดี"))
    with pytest.raises(NotFound):
        service.edit_idea(intruder, idea, IdeaInput("data", "แก้"))
    with pytest.raises(NotFound):
        service.withdraw_idea(intruder, idea)
    with pytest.raises(NotFound):
        service.add_idea(intruder, IdeaInput("data", "แทรก"), group_id=bang_bo.id)
    with pytest.raises(NotFound):
        service.vote(intruder, idea, group_id=other.groups[0].id)
    service.set_locked(intruder, True)  # locks its own workshop only
    assert not service.workshop(workshop.slug).locked
    assert (count(store, "ratings"), count(store, "idea_versions"), count(store, "votes")) == (
        0,
        1,
        0,
    )


def test_a_facilitator_session_expires_after_a_day(service, store, workshop):
    token = "an-old-token-from-yesterday"
    wid = service.workshop(workshop.slug).id
    store.write(
        lambda q: q.cur.execute(
            "INSERT INTO facilitator_sessions VALUES (?, ?, now()::TIMESTAMP - INTERVAL 25 HOUR)",
            [codes.token_digest(token), wid],
        )
    )
    with pytest.raises(NotAllowed):
        service.set_locked(Caller(token, "laptop"), True)
    assert not service.workshop(workshop.slug).locked


def test_a_withdrawn_idea_gives_its_dots_back(service, store, workshop):
    bang_bo, phli = workshop.groups[0], workshop.groups[1]
    ideas = [service.add_idea(lead(phli), IdeaInput("data", f"ข้อเสนอ {n}")) for n in range(6)]
    for idea in ideas[:5]:
        service.vote(lead(bang_bo), idea)
    service.withdraw_idea(lead(phli), ideas[0])
    service.vote(lead(bang_bo), ideas[5])
    assert count(store, "votes") == 6


def test_simultaneous_votes_of_one_group_never_exceed_its_dots(service, store, workshop):
    bang_bo, phli = workshop.groups[0], workshop.groups[1]
    ideas = [service.add_idea(lead(phli), IdeaInput("data", f"ข้อเสนอ {n}")) for n in range(10)]
    start = threading.Barrier(10)
    refused: list[Exception] = []

    def vote(n: int) -> None:
        start.wait()
        try:
            service.vote(lead(bang_bo, f"phone-{n}"), ideas[n])
        except InvalidInput as exc:
            refused.append(exc)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count(store, "votes") == 5
    assert len(refused) == 5


def test_a_roster_row_for_an_unknown_district_saves_nothing(service, store, workshop, facilitator):
    rows = [
        RosterRow(2, "กองทุนสวัสดิการชุมชนตำบลเปร็ง", "เปร็ง", "บางบ่อ"),
        RosterRow(3, "กองทุนสวัสดิการชุมชนตำบลบางนา", "บางนา", "บางนา"),
    ]
    with pytest.raises(RosterError) as err:
        service.import_roster(facilitator, rows)
    assert [(p.row, p.key) for p in err.value.problems] == [(3, "roster.unknown_district")]
    assert count(store, "funds") == 25


def test_reimporting_without_a_chair_column_keeps_the_chair(service, store, workshop, facilitator):
    fund = funds_of(service, workshop, workshop.groups[0])[0]
    with_chair = RosterRow(2, fund.name, fund.tambon, "บางบ่อ", chair="นางเจียม รุ่งเรือง")
    service.import_roster(facilitator, [with_chair])
    service.import_roster(facilitator, [RosterRow(2, fund.name, fund.tambon, "บางบ่อ")])
    chair = store.read().cur.execute("SELECT chair FROM funds WHERE id = ?", [fund.id]).fetchone()
    assert chair == ("นางเจียม รุ่งเรือง",)


def test_the_template_grade_descriptions_are_stored_with_the_workshop(service, workshop):
    wid = service.workshop(workshop.slug).id
    levels = service.store.read().grade_levels(wid)
    assert [g.letter for g in levels] == ["A", "B", "C", "D"]
    assert levels[3].name_th == "กองทุนสวัสดิการชุมชนที่ต้องฟื้นฟู"
    assert levels[0].description_en.startswith("Pays welfare broadly")


def test_pages_never_mint_a_facilitator_token_without_the_passcode():
    root = Path(__file__).resolve().parents[2]
    for path in [root / "app.py", *(root / "pages").glob("*.py")]:
        assert "owner_token" not in path.read_text(encoding="utf-8"), path
