"""Nobody where they do not belong: every write of the service tried by every wrong caller, the
pages with the wrong code or none, the projector without codes, and no unsafe code in the tree."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import inspect
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import support as screens
from google.protobuf import text_format
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest
from support import PASSCODE, SAMUT_PRAKAN, create_samut_prakan

from welfare_core import codes, consolidate
from welfare_core.db.store import Store
from welfare_core.errors import NotAllowed, NotFound, WelfareError
from welfare_core.i18n import t
from welfare_core.model import Caller, IdeaInput, RatingInput, RosterRow, WorkshopEdit
from welfare_core.service import WorkshopService
from welfare_core.template import load_template
from welfare_core.throttle import ROOM_TRIES
from welfare_ui.feedback import markdown_escaped
from welfare_ui.visitor import room_throttle

ROOT = Path(__file__).resolve().parents[2]

# --- every write of the service, by every wrong caller -------------------------------------------

THIS_GROUP = "this group's code"
FACILITATOR = "this workshop's facilitator"
OTHER_GROUP = "another group's code"
ELSEWHERE_GROUP = "a group code of another workshop"
ELSEWHERE_FACILITATOR = "the facilitator of another workshop"
NOBODY = ("no code", "a blank code", "a forged join code", "a forged token", "an expired token")


@dataclass(frozen=True)
class Scene:
    """What every case aims at: "this group" (the first of the first workshop) with a fund, two
    ideas and a dot on the first one; and the tokens of every caller."""

    file: Path
    workshop_id: int
    group: int
    district: str
    fund: int
    idea: int
    twin: int
    tokens: dict[str, str]


@dataclass(frozen=True)
class Write:
    """One write path, and the refusal each wrong caller gets (a catalog key)."""

    call: Callable[[WorkshopService, Caller, Scene], object]
    facilitator_only: bool = False
    other_group: str = "error.other_group"
    # A group code of another workshop; for facilitator-only writes always facilitator_only.
    elsewhere_group: str = "error.facilitator_only"
    # Another workshop's facilitator: None when the write cannot name this workshop at all and
    # acts on the facilitator's own workshop only.
    elsewhere_facilitator: str | None = None


def facilitator_only(call: Callable[[WorkshopService, Caller, Scene], object], **refusals) -> Write:
    return Write(call, facilitator_only=True, **refusals)


# "name" or "name: variant", where name is a public method of WorkshopService.
WRITES: dict[str, Write] = {
    "rate_fund": Write(
        lambda s, c, x: s.rate_fund(c, RatingInput(x.fund, "A", "ประชุมทุกเดือน")),
        elsewhere_group="error.no_fund",
        elsewhere_facilitator="error.no_fund",
    ),
    "add_idea": Write(
        lambda s, c, x: s.add_idea(c, IdeaInput("data", "แทรกข้อเสนอ"), group_id=x.group),
        elsewhere_group="error.other_group",
        elsewhere_facilitator="error.no_group",
    ),
    "add_idea: on this group's fund": Write(
        lambda s, c, x: s.add_idea(c, IdeaInput("data", "แทรกข้อเสนอ", fund_id=x.fund)),
        other_group="error.no_fund",
        elsewhere_group="error.no_fund",
        elsewhere_facilitator="error.no_group",
    ),
    "edit_idea": Write(
        lambda s, c, x: s.edit_idea(c, x.idea, IdeaInput("data", "แก้โดยคนอื่น")),
        elsewhere_group="error.no_idea",
        elsewhere_facilitator="error.no_idea",
    ),
    "withdraw_idea": Write(
        lambda s, c, x: s.withdraw_idea(c, x.idea),
        elsewhere_group="error.no_idea",
        elsewhere_facilitator="error.no_idea",
    ),
    "vote: with this group's dots": Write(
        lambda s, c, x: s.vote(c, x.idea, 1, group_id=x.group),
        elsewhere_group="error.other_group",
        elsewhere_facilitator="error.no_group",
    ),
    "vote: taking this group's dot back": Write(
        lambda s, c, x: s.vote(c, x.idea, -1, group_id=x.group),
        elsewhere_group="error.other_group",
        elsewhere_facilitator="error.no_group",
    ),
    "import_roster": facilitator_only(
        lambda s, c, x: s.import_roster(c, [RosterRow(2, "กองทุนแทรก", "ตำบลแทรก", x.district)])
    ),
    "set_locked: close": facilitator_only(lambda s, c, x: s.set_locked(c, True)),
    "set_locked: reopen": facilitator_only(lambda s, c, x: s.set_locked(c, False)),
    "update_workshop": facilitator_only(
        lambda s, c, x: s.update_workshop(
            c, WorkshopEdit("ชื่อแทรก", "Hijacked", dt.date(2019, 6, 24), "", "")
        )
    ),
    "rename_groups": facilitator_only(
        lambda s, c, x: s.rename_groups(c, {x.group: ("ชื่อแทรก", "Hijacked")}),
        elsewhere_facilitator="error.no_group",
    ),
    "describe_grades": facilitator_only(
        lambda s, c, x: s.describe_grades(c, {"A": ("แทรก", "hijacked")})
    ),
    "set_dots_per_group": facilitator_only(lambda s, c, x: s.set_dots_per_group(c, 9)),
    "set_timer": facilitator_only(lambda s, c, x: s.set_timer(c, 10)),
    "start_timer": facilitator_only(lambda s, c, x: s.start_timer(c)),
    "pause_timer": facilitator_only(lambda s, c, x: s.pause_timer(c)),
    "reset_timer": facilitator_only(lambda s, c, x: s.reset_timer(c)),
    "merge_ideas": facilitator_only(
        lambda s, c, x: s.merge_ideas(c, x.idea, [x.twin]), elsewhere_facilitator="error.no_idea"
    ),
    "set_adopted": facilitator_only(
        lambda s, c, x: s.set_adopted(c, x.idea, True), elsewhere_facilitator="error.no_idea"
    ),
    "back_up": facilitator_only(lambda s, c, x: s.back_up(c)),
    "new_workshop": facilitator_only(
        lambda s, c, x: s.new_workshop(c, load_template(SAMUT_PRAKAN))
    ),
}

# Every other public method, and why it needs no access cases of its own.
NOT_WRITES = {
    "create_workshop": "the command line (whoever holds the file); pages call new_workshop",
    "create_from_template": "the command line (whoever holds the file); pages call new_workshop",
    "owner_token": "the command line only; pages never call it (test_service)",
    "sign_in": "checks the passcode itself (below); pages throttle it (test_throttle, below)",
    "join": "reads the group of a code; pages throttle it (below)",
    "facilitated": "reads the workshop of a token",
    "actor": "reads who holds a code or token",
    "workshop": "reads",
    "workshops": "reads",
    "groups": "reads",
    "funds": "reads",
    "areas": "reads",
    "grade_levels": "reads",
    "dots_by_idea": "reads",
    "timer": "reads",
    "log_damage": "reads the start-up's finding; drawn on the set-up page, after sign-in",
    "open": "opens the database file; the app's start-up",
    "passcode_opens": "the start page asks it about the public demo passcode only",
    "workspace": "reads",
    "group_ideas": "reads",
    "vote_board": "reads",
    "rating_history": "reads",
    "plenary": "reads; the page is the signed-in facilitator's",
    "dashboard": "reads",
    "status": "reads; the command line owns the file",
    "setup": "reads; the page is the signed-in facilitator's",
    "export": "reads; the page is the signed-in facilitator's",
    "commits": "reads a count",
}


def wrong_callers(write: Write) -> list[str]:
    own = [THIS_GROUP] if write.facilitator_only else []
    return [*own, OTHER_GROUP, ELSEWHERE_GROUP, ELSEWHERE_FACILITATOR, *NOBODY]


def refusal(write: Write, who: str) -> str | None:
    """The catalog key that refuses ``who``; None: it acts on its own workshop only."""
    if who in NOBODY:
        return "error.bad_code"
    if who == ELSEWHERE_FACILITATOR:
        return write.elsewhere_facilitator
    if write.facilitator_only:
        return "error.facilitator_only"
    return write.other_group if who == OTHER_GROUP else write.elsewhere_group


CASES = [(name, who) for name, write in WRITES.items() for who in wrong_callers(write)]


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Scene:
    file = tmp_path_factory.mktemp("scene") / "scene.duckdb"
    store = Store(file)
    service = WorkshopService(store)
    here = create_samut_prakan(service)
    there = service.create_from_template(load_template(SAMUT_PRAKAN), passcode="another-2562")
    mine, other = here.groups[0], here.groups[1]
    me = Caller(mine.join_code, "phone-1")
    wid = service.workshop(here.slug).id
    idea = service.add_idea(me, IdeaInput("data", "ทะเบียนสมาชิกออนไลน์"))
    twin = service.add_idea(me, IdeaInput("data", "ทะเบียนสมาชิกแบบออนไลน์"))
    service.vote(me, idea)
    facilitator = service.sign_in(here.slug, PASSCODE)
    service.set_timer(Caller(facilitator, "laptop"), 20)
    expired = service.sign_in(here.slug, PASSCODE)
    store.write(
        lambda q: q.cur.execute(
            "UPDATE facilitator_sessions SET created_at = created_at - INTERVAL 25 HOUR "
            "WHERE token_digest = ?",
            [codes.token_digest(expired)],
        )
    )
    forged = codes.new_join_code()
    assert not store.read().join_code_taken(forged)
    tokens = {
        THIS_GROUP: mine.join_code,
        FACILITATOR: facilitator,
        OTHER_GROUP: other.join_code,
        ELSEWHERE_GROUP: there.groups[0].join_code,
        ELSEWHERE_FACILITATOR: service.sign_in(there.slug, "another-2562"),
        "no code": "",
        "a blank code": " - ",
        "a forged join code": codes.format_code(forged),
        "a forged token": codes.new_token(),
        "an expired token": expired,
    }
    scene = Scene(
        file, wid, mine.id, mine.name_th, service.funds(wid, mine.id)[0].id, idea, twin, tokens
    )
    store.close()
    return scene


@pytest.fixture
def copy(scene: Scene, tmp_path: Path):
    """A store on this test's own copy of the scene."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(scene.file, path)
    store = Store(path)
    yield store
    store.close()


def snapshot(store: Store, workshop_id: int | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (of one workshop): what "nothing changed" is checked against."""
    cur = store.read().cur
    tables = [
        name
        for (name,) in cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    ]
    rows = {}
    for table in tables:
        where = ""
        if workshop_id is not None:
            where = f"WHERE {'id' if table == 'workshops' else 'workshop_id'} = {workshop_id}"
            if table == "schema_migrations":
                continue
        rows[table] = cur.execute(f"SELECT * FROM {table} {where} ORDER BY ALL").fetchall()
    return rows


@pytest.mark.parametrize(("name", "who"), CASES, ids=[f"{n} by {w}" for n, w in CASES])
def test_a_write_by_a_wrong_caller_is_refused_and_changes_nothing(scene, copy, name, who):
    write, key = WRITES[name], refusal(WRITES[name], who)
    service = WorkshopService(copy)
    caller = Caller(scene.tokens[who], "phone-9", "intruder")
    if key is None:  # it cannot name this workshop: whatever it does stays in its own
        ours = snapshot(copy, scene.workshop_id)
        with contextlib.suppress(WelfareError):
            write.call(service, caller, scene)
        assert snapshot(copy, scene.workshop_id) == ours
        return
    before = snapshot(copy)
    with pytest.raises((NotAllowed, NotFound)) as refused:
        write.call(service, caller, scene)
    assert refused.value.key == key
    for lang in ("th", "en"):
        assert refused.value.message(lang) == t(key, lang)
    assert snapshot(copy) == before


@pytest.mark.parametrize("name", WRITES)
def test_the_rightful_caller_makes_the_very_same_write(scene, copy, name):
    """The cases above are refused for who calls, not for a mistake in the call."""
    write = WRITES[name]
    who = FACILITATOR if write.facilitator_only else THIS_GROUP
    before = snapshot(copy)
    made = write.call(WorkshopService(copy), Caller(scene.tokens[who], "phone-1"), scene)
    if isinstance(made, Path):  # back_up writes a snapshot file, not a row
        assert made.is_file()
    else:
        assert snapshot(copy) != before


def test_every_public_method_of_the_service_has_access_cases_or_says_why_not():
    """A new write (or any new method) fails here until it is added to WRITES or NOT_WRITES."""
    public = {  # the service's own methods and those of its parts (participation.py, ...)
        name
        for part in WorkshopService.__mro__[:-1]
        for name in vars(part)
        if not name.startswith("_")
    }
    tried = {name.split(":")[0] for name in WRITES}
    takes_caller = {
        name
        for name in public
        if "caller" in inspect.signature(getattr(WorkshopService, name)).parameters
    }
    assert sorted(takes_caller - tried) == []
    assert sorted(public - tried - set(NOT_WRITES)) == []
    assert sorted((tried | set(NOT_WRITES)) - public) == []
    assert sorted(takes_caller & set(NOT_WRITES)) == []
    assert len(CASES) >= 180


def test_pages_create_workshops_only_through_the_checked_new_workshop():
    for path in [ROOT / "app.py", *screens.PAGES]:
        text = path.read_text(encoding="utf-8")
        assert "create_workshop" not in text and "create_from_template" not in text, path


def test_a_passcode_opens_only_its_own_workshop_and_a_wrong_one_stores_nothing(scene, copy):
    service = WorkshopService(copy)
    here = next(w for w in service.workshops() if w.id == scene.workshop_id)
    there = next(w for w in service.workshops() if w.id != scene.workshop_id)
    before = snapshot(copy)
    for slug, passcode in ((here.slug, "another-2562"), (there.slug, PASSCODE), (here.slug, "")):
        with pytest.raises(NotAllowed) as refused:
            service.sign_in(slug, passcode)
        assert refused.value.key == "error.bad_passcode"
    assert snapshot(copy) == before
    with pytest.raises(NotAllowed):
        service.join(scene.tokens["a forged join code"])
    assert service.join(codes.format_code(scene.tokens[THIS_GROUP]).lower())[1].id == scene.group


# --- the pages ------------------------------------------------------------------------------------


def drawn(at: AppTest) -> str:
    """Everything a run sent to the browser, as text, and the query it left in the link."""
    parts = [str(dict(at.query_params))]

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)  # the whole tree: main, sidebar and the event block of toasts
    return "\n".join(parts)


def codes_of(groups) -> list[str]:
    """Each join code as stored and as shown (ABCD-EFGH)."""
    return [c for g in groups for c in (g.join_code, codes.format_code(g.join_code))]


@dataclass(frozen=True)
class Holdings:
    """Who holds what in the demo: funds and live ideas per group."""

    groups: list
    fund_names: dict[int, list[str]]
    fund_ids: dict[int, set[int]]
    idea_ids: dict[int, set[int]]
    idea_texts: list[str]


def holdings(db: Path) -> Holdings:
    store = Store(db)
    try:
        wid = store.read().workshops()[0].id
        groups = store.read().groups(wid)
        funds = store.read().funds(wid)
        ideas = consolidate.ideas(store.read(), wid)
    finally:
        store.close()
    return Holdings(
        groups,
        {g.id: [f.name for f in funds if f.group_id == g.id] for g in groups},
        {g.id: {f.id for f in funds if f.group_id == g.id} for g in groups},
        {g.id: set(ideas[ideas["group_id"] == g.id]["idea_id"].astype(int)) for g in groups},
        list(ideas["text"]),
    )


def test_a_group_link_draws_only_that_groups_funds_forms_and_ideas(db):
    held = holdings(db)
    mine, before = held.groups[2], held.groups[0]
    # A browser that had opened another group, and every fund's panel asked open, its own or not.
    at = screens.workspace("en", codes.format_code(mine.join_code))
    at.session_state["joined_code"] = at.session_state["opened_code"] = before.join_code
    for fund_id in set().union(*held.fund_ids.values()):
        at.session_state[f"fund-{fund_id}"] = True
    at.run()
    assert not at.exception
    assert at.title[0].value == markdown_escaped(mine.name_en)
    rating_forms = {b.key for b in at.button if (b.key or "").startswith("rate-")}
    assert rating_forms == {f"rate-{fund_id}-0" for fund_id in held.fund_ids[mine.id]}
    page = drawn(at)
    assert all(name in page for name in held.fund_names[mine.id])
    others = [n for gid, names in held.fund_names.items() if gid != mine.id for n in names]
    assert not [name for name in others if name in page]

    at.session_state["workspace-tab"] = t("workspace.tab_ideas", "en")
    for idea_id in set().union(*held.idea_ids.values()):  # every idea's editor asked open
        at.session_state[f"edit-{idea_id}"] = True
    at.run()
    forms = [f.proto.form.form_id for f in at.form]
    edited = {int(form.split("-")[1]) for form in forms if form.startswith("edit-")}
    withdrawn = {  # the first of withdraw's two taps
        int(b.key.split("-")[2]) for b in at.button if (b.key or "").startswith("ask-withdraw")
    }
    assert edited == withdrawn == held.idea_ids[mine.id]


@pytest.mark.parametrize("page", ["facilitator_setup", "plenary_board", "plan_export"])
@pytest.mark.parametrize(
    "way_in",
    ["no sign-in", "a group's code", "a token in the link", "a forged token", "an expired token"],
)
def test_facilitator_pages_refuse_without_sign_in_and_draw_no_data(db, page, way_in):
    held = holdings(db)
    store = Store(db)
    try:
        service = WorkshopService(store)
        token = service.sign_in(store.read().workshops()[0].slug, screens.DEMO_PASSCODE)
        if way_in == "an expired token":
            store.write(
                lambda q: q.cur.execute(
                    "UPDATE facilitator_sessions SET created_at = created_at - INTERVAL 25 HOUR"
                )
            )
    finally:
        store.close()
    at = screens.app("en")
    if way_in == "a group's code":
        at.query_params["code"] = at.session_state["joined_code"] = held.groups[0].join_code
    elif way_in == "a token in the link":
        at.query_params.update(facilitator_token=token, token=token, role="facilitator")
    elif way_in == "a forged token":
        at.session_state["facilitator_token"] = codes.new_token()
    elif way_in == "an expired token":
        at.session_state["facilitator_token"] = token
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert [w.value for w in at.warning] == [t("start.facilitator_needed", "en")]
    assert not (at.tabs or at.form or at.dataframe or at.button or at.get("download_button"))
    shown = drawn(at)
    brought = held.groups[0] if way_in == "a group's code" else None  # its own link keeps it
    assert not [c for c in codes_of(g for g in held.groups if g != brought) if c in shown]
    assert not [n for names in held.fund_names.values() for n in names if n in shown]
    assert not [text for text in held.idea_texts if text in shown]


def test_a_participant_cannot_sign_in_by_sending_the_token_as_a_widget_value(db):
    """The browser writes session state only through widgets: a made-up widget named like the
    page's key is dropped, even with a valid token. (AppTest's run with our own widget states
    stands for a hand-made websocket message.)"""
    store = Store(db)
    try:
        token = WorkshopService(store).sign_in(
            store.read().workshops()[0].slug, screens.DEMO_PASSCODE
        )
    finally:
        store.close()
    forged = WidgetStates()
    for widget_id in (
        "facilitator_token",
        "$$ID-0123456789abcdef0123456789abcdef-facilitator_token",
    ):
        state = forged.widgets.add()
        state.id, state.string_value = widget_id, token
    at = screens.app("en").run()
    at.switch_page("pages/facilitator_setup.py")
    at._run(widget_state=forged)
    assert [w.value for w in at.warning] == [t("start.facilitator_needed", "en")]
    assert not at.tabs
    at.session_state["facilitator_token"] = token  # what signing in on the start page stores
    at.switch_page("pages/facilitator_setup.py").run()
    assert at.title[0].value == t("setup.title", "en")  # the same token, held by the server


@pytest.fixture
def real_room(tmp_path, monkeypatch):
    """A workshop that is not sample data, with its passcode known to the test only."""
    path = tmp_path / "room.duckdb"
    store = Store(path)
    try:
        created = create_samut_prakan(WorkshopService(store))
    finally:
        store.close()
    monkeypatch.setenv("WELFARE_DB", str(path))
    return created


@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_join_code_or_passcode_reaches_the_projector_or_the_start_page(real_room, lang):
    secrets = [*codes_of(real_room.groups), PASSCODE]
    participant = screens.app(lang)
    group = real_room.groups[0]
    participant.session_state["joined_code"] = participant.session_state["opened_code"] = (
        group.join_code
    )
    participant.run()  # the start page, seen by a participant who has joined a group
    assert not [s for s in secrets if s.lower() in drawn(participant).lower()]
    participant.query_params["ws"] = real_room.slug
    participant.switch_page("pages/projector_screen.py").run()
    assert not participant.exception
    assert participant.html  # the dashboard is drawn
    shown = drawn(participant)
    assert not [s for s in secrets if s.lower() in shown.lower()]
    assert not participant.image and not participant.toggle  # no QR codes, no switch for them
    assert set(participant.query_params) <= {"ws", "lang"}


def test_the_projector_shows_the_codes_only_when_its_facilitator_switches_them_on(real_room):
    store = Store(Path(os.environ["WELFARE_DB"]))
    try:
        token = WorkshopService(store).sign_in(real_room.slug, PASSCODE)
    finally:
        store.close()
    at = screens.app("en", ws=real_room.slug)
    at.session_state["facilitator_token"] = token
    at.switch_page("pages/projector_screen.py").run()
    assert [s.label for s in at.toggle] == [t("projector.show_codes", "en")]
    assert not at.toggle[0].value
    assert not [c for c in codes_of(real_room.groups) if c in drawn(at)]
    at.toggle[0].set_value(True).run()
    shown = drawn(at)
    assert all(codes.format_code(g.join_code) in shown for g in real_room.groups)
    assert len(at.image) == len(real_room.groups)
    assert PASSCODE not in shown
    assert "code" not in at.query_params


@pytest.fixture
def busy_room():
    """The room's counter of wrong codes, new and with time standing still (waits are exact)."""
    room_throttle.clear()
    room = room_throttle("code")
    now = time.monotonic()
    room.clock = lambda: now
    yield room
    room_throttle.clear()


def test_once_the_room_has_had_twenty_wrong_codes_every_new_code_waits(db, busy_room):
    held = holdings(db)
    right = codes.format_code(held.groups[0].join_code)
    joined = screens.workspace("en", right).run()  # opened before: it goes on working
    for _ in range(ROOM_TRIES - 6):
        assert busy_room.take() == 0  # wrong codes typed in other browsers
    for _ in range(2):  # two more browsers, each within its own three free tries
        at = screens.app("en").run()
        for _ in range(3):
            at.text_input[0].input("WRONG-CODE")
            at.button[0].click().run()
            assert at.error[0].value == markdown_escaped(t("error.bad_code", "en"))
    wait = markdown_escaped(t("start.room_wait", "en", seconds=3))
    newcomer = screens.app("en").run()
    newcomer.text_input[0].input(right)
    newcomer.button[0].click().run()
    assert newcomer.error[0].value == wait  # even the right code waits its turn
    assert newcomer.title[0].value == t("app.title", "en")
    linked = screens.workspace("en", right).run()
    assert linked.error[0].value == wait
    assert linked.query_params["code"] == right  # kept: a reload after the wait gets in
    assert joined.run().title[0].value == markdown_escaped(held.groups[0].name_en)
    facilitator = screens.app("en").run()  # passcodes have a counter of their own
    facilitator.text_input[1].input(screens.DEMO_PASSCODE)
    facilitator.button[1].click().run()
    assert facilitator.title[0].value == t("setup.title", "en")


# --- nothing is unpickled, evaluated or drawn as markup from what users type ----------------------

SOURCES = sorted(
    [
        ROOT / "app.py",
        ROOT / "serve.py",
        ROOT / "server_guards.py",
        *ROOT.glob("pages/*.py"),
        *ROOT.glob("welfare_ui/*.py"),
    ]
) + sorted(ROOT.glob("welfare_core/**/*.py"))
# Modules that turn bytes into objects or code; none of them is needed.
UNSAFE_MODULES = {"pickle", "_pickle", "dill", "cloudpickle", "joblib", "marshal", "shelve"}
UNSAFE_BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}
UNSAFE_CALLS = {"read_pickle", "to_pickle", "import_module"}
UNSAFE_YAML = {"load", "load_all", "full_load", "unsafe_load", "unsafe_load_all"}
# keyword=True that lets a value run as code or markup
UNSAFE_FLAGS = {"unsafe_allow_html", "unsafe_allow_javascript", "allow_pickle", "shell"}
# Streamlit calls whose text (the first argument, or these keywords) is rendered as markdown.
MARKDOWN_TEXT = {
    **dict.fromkeys(
        ["markdown", "caption", "title", "header", "subheader", "write", "toast"], ("body",)
    ),
    **dict.fromkeys(["info", "warning", "error", "success", "exception"], ("body",)),
    **dict.fromkeys(
        ["expander", "popover", "button", "form_submit_button", "download_button", "link_button"],
        ("label",),
    ),
    **dict.fromkeys(
        [
            "text_input",
            "text_area",
            "number_input",
            "date_input",
            "selectbox",
            "multiselect",
            "checkbox",
            "toggle",
            "segmented_control",
            "pills",
            "file_uploader",
            "metric",
        ],
        ("label",),
    ),
    "radio": ("label", "captions"),
    "tabs": ("tabs",),
}
KEYWORD_ONLY_TEXT = {"page_link": ("label",), "progress": ("text",), "spinner": ("text",)}
# Calls whose result is safe in markdown: our catalog, the escaper, and codes or numbers.
MARKDOWN_SAFE = {"tr", "t", "markdown_escaped", "format_code", "int", "len"}
# ... and in HTML: the escapers (plain() in pages, _text() and _cell() in the PDF) and numbers.
HTML_SAFE = {"plain", "escape", "_text", "_cell", "int", "len"}
SAFE_METHODS = {"capitalize", "upper", "lower", "strip"}

# (file, what) -> why it is fine.
ALLOWED = {
    ("welfare_ui/widgets.py", "unsafe_allow_javascript=True"): (
        "the breakout timer's own script; it holds numbers, an escaped label and a random id"
    ),
    ("welfare_ui/widgets.py", "{size_px}"): "an int given by the pages",
    ("welfare_ui/widgets.py", "{label}"): "html.escape() of a catalog sentence, just above",
    ("welfare_ui/widgets.py", "{box}"): "secrets.token_hex()",
    ("welfare_ui/widgets.py", "{left}"): "Timer.left(), an int",
    ("welfare_ui/widgets.py", "{running}"): "'true' or 'false'",
    ("welfare_ui/feedback.py", "unsafe_allow_javascript=True"): (
        "a constant script that closes the toasts of the page left"
    ),
    ("welfare_ui/feedback.py", "{connecting}"): "css_text() of a catalog word: every sign escaped",
    ("welfare_ui/feedback.py", "{title}"): "css_text() of a catalog sentence: every sign escaped",
    ("welfare_ui/feedback.py", "{text}"): "css_text() of a catalog sentence: every sign escaped",
    ("welfare_ui/feedback.py", "{dialog}"): "a CSS selector written in feedback.py",
    ("welfare_ui/feedback.py", "{status}"): "a CSS selector written in feedback.py",
    ("pages/projector_screen.py", "{colours[row['grade']]}"): "a colour of GRADE_COLOURS",
    ("pages/facilitator_setup.py", "tr('setup.codes_hint', base=base)"): (
        "the server's own address: WELFARE_PUBLIC_URL or http://LAN-IP:port"
    ),
    ("pages/group_workspace.py", "tr('workspace.progress', rated=rated, total=len(mine))"): (
        "counts"
    ),
    ("pages/group_workspace.py", "tr('workspace.disagreement', grades=split[fund_id])"): (
        "grade letters A-D joined by /"
    ),
    ("pages/group_workspace.py", "tr('workspace.previous_grade', grade=fund['previous_grade'])"): (
        "a letter A-D: read_roster refuses any other"
    ),
    (
        "pages/group_workspace.py",
        "tr('workspace.dots_left', left=left, dots=workshop.dots_per_group)",
    ): ("counts"),
    ("pages/group_workspace.py", "limited('field.reason')"): "tr() of catalog words and a number",
    ("pages/group_workspace.py", "limited('field.idea')"): "tr() of catalog words and a number",
    ("pages/group_workspace.py", "TABS"): "tr() of the three tabs' catalog keys",
    (
        "pages/start.py",
        "tr('start.demo_passcode', passcode=DEMO_PASSCODE)",
    ): "a constant: demo-2562",
    ("welfare_core/export/__init__.py", "import_module()"): (
        "welfare_core.export.<fmt>, after check_format() has checked fmt against FORMATS"
    ),
    ("welfare_core/export/pdf.py", "{model.lang}"): "a language of LANGUAGES",
    ("welfare_core/export/pdf.py", "{css}"): "our CSS, or our own class attribute",
    ("welfare_core/export/pdf.py", "{FONT}"): "a constant",
    ("welfare_core/export/pdf.py", "{attrs}"): "a class attribute written in this file",
    ("welfare_core/export/pdf.py", "{small}"): "a style attribute written in this file",
    ("welfare_core/export/pdf.py", "{block.level}"): "a heading level, an int of report.py",
    ("welfare_core/export/pdf.py", "{block.style}"): "a paragraph style named in report.py",
    ("welfare_core/export/pdf.py", "{data}"): "base64 of a PNG",
    ("welfare_core/export/pdf.py", "{block.width_cm}"): "a width in report.py",
    ("welfare_core/export/pdf.py", "{_num(i, table)}"): "a class attribute written in this file",
    ("welfare_core/export/pdf.py", "{cols}"): "<col> elements with percentages",
    ("welfare_core/export/pdf.py", "{head}"): "<th> elements of escaped text",
    ("welfare_core/export/pdf.py", "{cells}"): "<td> elements of escaped text",
    ("welfare_core/export/pdf.py", "{''.join(rows)}"): "<tr> elements of escaped cells",
}


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def is_safe(node: ast.expr, safe_calls: set[str]) -> bool:
    """Whether a text expression holds only constants, numbers and values of ``safe_calls``."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(is_safe(v, safe_calls) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = "".join(
            v.value for v in getattr(node.format_spec, "values", []) if isinstance(v, ast.Constant)
        )
        return spec[-1:] in set("bdefgnoxX%") or is_safe(node.value, safe_calls)  # numbers
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in SAFE_METHODS:
            return is_safe(func.value, safe_calls)
        if call_name(node) in {"tr", "t"} & safe_calls:  # a catalog sentence, and its values
            return all(is_safe(k.value, safe_calls) for k in node.keywords)
        return call_name(node) in safe_calls
    if isinstance(node, ast.BinOp):  # text + text, or arithmetic
        return is_safe(node.left, safe_calls) and is_safe(node.right, safe_calls)
    if isinstance(node, ast.IfExp):
        return is_safe(node.body, safe_calls) and is_safe(node.orelse, safe_calls)
    if isinstance(node, ast.List | ast.Tuple):
        return all(is_safe(e, safe_calls) for e in node.elts)
    if isinstance(node, ast.ListComp):
        return is_safe(node.elt, safe_calls)
    return False


def unsafe_parts(node: ast.expr, safe_calls: set[str]) -> list[str]:
    """The pieces of a text expression that are not shown to be safe, as source."""
    if isinstance(node, ast.JoinedStr):
        return [
            f"{{{ast.unparse(v.value)}}}"
            for v in node.values
            if isinstance(v, ast.FormattedValue) and not is_safe(v, safe_calls)
        ]
    return [] if is_safe(node, safe_calls) else [ast.unparse(node)]


def markdown_texts(node: ast.Call) -> list[ast.expr]:
    name = call_name(node)
    keywords = MARKDOWN_TEXT.get(name) or KEYWORD_ONLY_TEXT.get(name, ())
    texts = [k.value for k in node.keywords if k.arg in keywords]
    if name in MARKDOWN_TEXT and node.args:
        texts.append(node.args[0])
    return texts


def findings(path: Path) -> list[tuple[str, int, str]]:
    """(file, line, what) for every unsafe construct of one source file."""
    where = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            found += [(where, line, f"import {n}") for n in names if n in UNSAFE_MODULES]
        if isinstance(node, ast.Attribute) and node.attr == "components":
            found.append((where, line, "st.components (raw HTML and scripts)"))
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node)
        if name in UNSAFE_CALLS or (name in UNSAFE_BUILTINS and isinstance(node.func, ast.Name)):
            found.append((where, line, f"{name}()"))
        if name in UNSAFE_YAML and ast.unparse(node.func).startswith("yaml."):
            found.append((where, line, f"yaml.{name}()"))
        if name == "cache_data" and any(k.arg == "persist" for k in node.keywords):
            found.append((where, line, "cache_data(persist=...) unpickles files"))
        for k in node.keywords:
            if k.arg in UNSAFE_FLAGS and not (
                isinstance(k.value, ast.Constant) and not k.value.value
            ):
                found.append((where, line, f"{k.arg}={ast.unparse(k.value)}"))
        if where.startswith(("pages/", "welfare_ui/", "app.py")):
            for text in markdown_texts(node):
                found += [(where, line, part) for part in unsafe_parts(text, MARKDOWN_SAFE)]
    # HTML is built in f-strings: every value put between tags must be escaped or a number.
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.Constant) and "<" in v.value for v in node.values
        ):
            found += [(where, node.lineno, p) for p in unsafe_parts(node, HTML_SAFE)]
    return sorted(found)


def test_no_source_file_unpickles_evaluates_or_draws_unescaped_text():
    """Fails with file:line for pickle, eval/exec, yaml.load, unsafe_allow_html, markdown made of
    stored text without markdown_escaped(), or HTML made of text without plain()."""
    assert len(SOURCES) > 30
    found = [f for path in SOURCES for f in findings(path)]
    unexplained = [f"{file}:{line}: {what}" for file, line, what in found]
    unexplained = [
        text
        for text, (file, _, what) in zip(unexplained, found, strict=True)
        if (file, what) not in ALLOWED
    ]
    assert unexplained == []
    assert sorted(set(ALLOWED) - {(file, what) for file, _, what in found}) == []  # none stale


def test_the_scan_finds_what_it_looks_for(tmp_path, monkeypatch):
    """Each rule catches its pattern (so an empty result above means something)."""
    bad = tmp_path / "pages" / "bad.py"
    bad.parent.mkdir()
    bad.write_text(
        "import pickle\n"
        "import yaml\n"
        "x = eval(st.query_params['q'])\n"
        "data = yaml.load(text)\n"
        "st.markdown(f'**{idea_text}**', unsafe_allow_html=True)\n"
        "st.title(pick(group.name_th, group.name_en))\n"
        "st.expander(f\"{fund['fund']} — {tr('x.y')}\")\n"
        "st.html(f'<p>{idea_text}</p><p>{plain(idea_text)}</p>')\n"
        "st.markdown(f'**{markdown_escaped(name)}** {tr(\"a.b\")} {n:.0f}')\n"
    )
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert [(line, what) for _, line, what in findings(bad)] == [
        (1, "import pickle"),
        (3, "eval()"),
        (4, "yaml.load()"),
        (5, "unsafe_allow_html=True"),
        (5, "{idea_text}"),
        (6, "pick(group.name_th, group.name_en)"),
        (7, "{fund['fund']}"),
        (8, "{idea_text}"),
    ]
