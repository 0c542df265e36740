"""The room's laptop under attack from a tab on its Wi-Fi: a real server (serve.py), protocol
clients (bench/streamlit_client.py), each "device" on an address of its own (127.0.0.x)."""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import time
import uuid
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

import duckdb
import pytest
import requests
import websockets
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.WidgetStates_pb2 import WidgetState
from support import PASSCODE, AppServer, create_samut_prakan, run_apart

from bench.load import Participant
from bench.streamlit_client import Run, Tab, text_value, trigger, upload, uploaded
from server_guards import FILES_PER_TAB, UPLOADS_HELD_MB
from welfare_core.db.store import Store
from welfare_core.i18n import t
from welfare_core.model import CreatedWorkshop
from welfare_core.service import WorkshopService
from welfare_core.template import SESSIONS_DIR
from welfare_core.throttle import ROOM_TRIES

ATTACKER = "127.0.0.3"  # one phone on the room's Wi-Fi running a script
MEMBER = "127.0.0.2"  # a group member's phone
FLOOD_TABS = 50
FLOOD_S = 10.0
FLOOD_RATE = int(os.environ.get("FLOOD_RATE", "1500"))  # reruns a second; 0: as fast as it goes
# The phones the script runs on: one, then five (each with a share of the per-address limits)
FLOOD_ADDRESSES = [int(n) for n in os.environ.get("FLOOD_ADDRESSES", "1,5").split(",")]
# A save a member waits longer for than this counts as not made (before the limit on page runs
# at once, five flooding phones held a save for 60 s)
SAVE_GIVES_UP_S = 10.0


@pytest.fixture
def server(tmp_path: Path):
    db = tmp_path / "workshops.duckdb"
    store = Store(db)
    created = create_samut_prakan(WorkshopService(store))
    store.close()
    server = AppServer(db, tmp_path / "server.log")
    server.created = created
    server.start()
    yield server
    server.stop()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def flood(
    base: str, code: str, addresses: int, seconds: float, sent: Synchronized, shut: Synchronized
) -> None:
    """FLOOD_TABS tabs spread over ``addresses`` phones, half on the start page (no code
    needed), half on a group's page, each sending reruns as fast as the socket takes them and
    opening a new connection whenever the server closes one. Run in a process of its own, as
    the attacker's phones are devices of their own."""

    async def attack(n: int, end: float) -> None:
        address = f"127.0.1.{1 + n % addresses}" if addresses > 1 else ATTACKER
        tab = Tab(base, "group" if n % 2 else "", f"code={code}" if n % 2 else "", address)
        pause = FLOOD_TABS / FLOOD_RATE if FLOOD_RATE else 0
        while time.monotonic() < end:
            try:
                await asyncio.wait_for(tab.open(), max(0.1, end - time.monotonic()))
            except (OSError, TimeoutError, websockets.WebSocketException):
                shut.value += 1  # refused, or no answer before the end
                await asyncio.sleep(0.05)
                continue
            reader = asyncio.create_task(tab.drain())
            try:
                while time.monotonic() < end:
                    await tab.send_rerun()
                    sent.value += 1
                    await asyncio.sleep(pause)
            except websockets.ConnectionClosed:
                shut.value += 1
            finally:
                reader.cancel()
                await tab.close()

    async def all_tabs() -> None:
        end = time.monotonic() + seconds
        await asyncio.gather(*(attack(n, end) for n in range(FLOOD_TABS)))

    asyncio.run(all_tabs())


@pytest.mark.parametrize("addresses", FLOOD_ADDRESSES, ids=lambda n: f"{n}-addresses")
def test_a_rerun_flood_leaves_a_members_saves_quick_and_stored(server, addresses: int):
    created: CreatedWorkshop = server.created
    attack_code, member_code = created.groups[0].join_code, created.groups[1].join_code
    sent, shut = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    cpu: dict[str, float] = {}
    quiet: list[float] = []  # the member's saves before the flood, for comparison
    latencies: list[float] = []
    confirmed: list[str] = []
    given_up: list[str] = []

    async def save(member: Participant, text: str, times: list[float]) -> None:
        pressed = time.monotonic()
        try:
            saved = await asyncio.wait_for(member.save_idea(text, len(confirmed)), SAVE_GIVES_UP_S)
        except TimeoutError:
            given_up.append(text)
            return
        if saved:
            times.append(time.monotonic() - pressed)
            confirmed.append(text)

    async def member_saves_during_the_flood() -> None:
        member = Participant(server.base, member_code, "member", MEMBER)
        await member.open()
        for k in range(3):
            await save(member, f"ข้อเสนอก่อนถูกโจมตี {k}", quiet)
        flooding = multiprocessing.Process(
            target=flood, args=(server.base, attack_code, addresses, FLOOD_S, sent, shut)
        )
        cpu["before"] = server.cpu_s()
        flooding.start()
        while sent.value < FLOOD_TABS * 20:  # the flood is on
            await asyncio.sleep(0.1)
        k = 0
        while flooding.is_alive() and not given_up:
            k += 1
            await save(member, f"ข้อเสนอระหว่างถูกโจมตี {k}", latencies)
            await asyncio.sleep(0.5)
        flooding.join()
        cpu["during"] = server.cpu_s() - cpu["before"]
        await member.close()

    run_apart(member_saves_during_the_flood())
    server.stop()
    con = duckdb.connect(str(server.db), read_only=True)
    stored = {row[0] for row in con.execute("SELECT text FROM idea_versions").fetchall()}
    con.close()
    print(
        f"\nflood: {sent.value} reruns from {FLOOD_TABS} tabs on {addresses} address(es) "
        f"in {FLOOD_S:.0f} s "
        f"({sent.value / FLOOD_S:.0f}/s; openings refused or unanswered: {shut.value}); "
        f"the member's {len(latencies)} saves meanwhile: "
        f"p95 {p95(latencies or [math.inf]):.2f} s, "
        f"longest {max(latencies, default=math.inf):.2f} s "
        f"(given up after {SAVE_GIVES_UP_S:.0f} s: {len(given_up)}); before it "
        f"{max(quiet):.2f} s at most; the server used {cpu['during']:.1f} s of CPU in the "
        f"{FLOOD_S:.0f} s (a busy 2-core machine)"
    )
    assert sent.value > FLOOD_TABS * 20  # it was a flood
    assert given_up == []  # the member kept saving while it ran...
    assert len(latencies) >= 3
    assert set(confirmed) <= stored  # ...and every confirmed save is in the file


FACILITATOR = "127.0.0.4"
HOSTILE_UPLOADS = 100
ALMOST_5_MB = b"x" * (5 * 2**20 - 4096)  # just under server.maxUploadSize


METRICS_TTL_S = 5.5  # Streamlit's /_stcore/metrics counts memory every 5 s


def held_uploads_mb(server: AppServer) -> float:
    """The uploaded files the server holds, as its own metrics count them."""
    metrics = requests.get(server.url("/_stcore/metrics"), timeout=30).text
    held = [
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith("cache_memory_bytes") and "UploadedFileManager" in line
    ]
    return sum(held) / 2**20


async def signed_in_setup_page(server: AppServer) -> tuple[Tab, Run]:
    """A facilitator's tab: the passcode typed on the start page, then the set-up page."""
    tab = Tab(server.base, "", "", FACILITATOR)
    start = await tab.open()
    in_form = [e for e in start.elements if getattr(e.proto, "form_id", "") == "sign-in"]
    [workshop] = [e for e in in_form if e.kind == "radio"]
    [passcode] = [e for e in in_form if e.kind == "text_input"]
    [submit] = [e for e in in_form if e.kind == "button"]
    await tab.rerun(
        text_value(workshop.proto.id, workshop.proto.options[0]),
        text_value(passcode.proto.id, PASSCODE),
        trigger(submit.proto.id),
    )
    tab.page = "setup"
    setup = await tab.rerun()
    [tabs] = setup.of_kind("tab_container")
    tab.keep(text_value(tabs.proto.id, t("setup.tab_roster", "th")))
    return tab, await tab.rerun()


def test_uploads_no_uploader_asked_for_are_refused_and_a_roster_still_uploads(server):
    roster = (SESSIONS_DIR / "samut-prakan-2562-sample-funds.csv").read_bytes()
    statuses: list[int] = []
    figures: dict[str, float] = {}

    async def attack_then_upload_a_roster() -> tuple[list[FileURLs], Run]:
        hostile = Tab(server.base, "", "", ATTACKER)
        await hostile.open()
        facilitator, roster_tab = await signed_in_setup_page(server)
        figures["before"] = server.rss_mb()  # the app loaded, its pages run
        given = await hostile.upload_urls("a.csv", "b.csv")
        for n in range(HOSTILE_UPLOADS):  # to its own session, to ids nobody gave out
            url = FileURLs(upload_url=f"/_stcore/upload_file/{hostile.session_id}/{uuid.uuid4()}")
            statuses.append(
                await asyncio.to_thread(upload, server.base, url, f"{n}.csv", ALMOST_5_MB)
            )
        figures["after_hostile"] = server.rss_mb()
        [uploader] = roster_tab.of_kind("file_uploader")
        # A facilitator's tab is given addresses: sending many files keeps its newest two
        for n in range(10):
            [url] = await facilitator.upload_urls(f"big-{n}.csv")
            await asyncio.to_thread(upload, server.base, url, f"big-{n}.csv", ALMOST_5_MB)
        figures["after_facilitator"] = server.rss_mb()
        await asyncio.sleep(METRICS_TTL_S)
        figures["held_mb"] = await asyncio.to_thread(held_uploads_mb, server)
        [url] = await facilitator.upload_urls("roster.csv")
        assert await asyncio.to_thread(upload, server.base, url, "roster.csv", roster) == 204
        shown = await facilitator.rerun(uploaded(uploader.proto.id, url, "roster.csv", len(roster)))
        await hostile.close()
        await facilitator.close()
        for _ in range(30):  # the tab's files go once the server sees it closed
            await asyncio.sleep(1)
            if (held_after := await asyncio.to_thread(held_uploads_mb, server)) == 0:
                break
        figures["held_after_closed_mb"] = held_after
        return given, shown

    given, shown = run_apart(attack_then_upload_a_roster())
    print(
        f"\nuploads: {HOSTILE_UPLOADS} hostile files of 5 MB: statuses {sorted(set(statuses))}; "
        f"server memory {figures['before']:.0f} MB before, {figures['after_hostile']:.0f} MB "
        f"after them, {figures['after_facilitator']:.0f} MB after a facilitator's tab sent 10 "
        f"(uploads held: {figures['held_mb']:.1f} MB; {figures['held_after_closed_mb']:.1f} MB "
        f"once it closed)"
    )
    assert given == []  # a tab that is no facilitator's gets no upload address
    assert statuses == [403] * HOSTILE_UPLOADS
    assert figures["after_hostile"] - figures["before"] < 50  # nothing of 500 MB was kept
    assert figures["held_mb"] <= 2 * 5  # a facilitator's tab keeps its newest two at most...
    assert figures["held_after_closed_mb"] == 0  # ...until it closes
    assert t("setup.roster_ok", "th", count=25) in [e.text for e in shown.of_kind("alert")]


GUESSING_TABS = 20
GUESSING_S = 15.0


async def guess(server: AppServer, n: int, until: float, tries: list[int]) -> None:
    """A tab of a guessing script: a group link with a made-up code, reloaded again and again."""
    tab = Tab(server.base, "group", f"code=ABCD-{n:04d}", ATTACKER)
    await tab.open()
    while time.monotonic() < until:
        await tab.rerun()
        tries.append(n)
    await tab.close()


def test_a_newcomer_with_the_right_link_gets_in_at_once_while_twenty_tabs_guess(server):
    code = server.created.groups[2].join_code
    tries: list[int] = []

    async def guessing_then_a_newcomer() -> tuple[Run, float]:
        until = time.monotonic() + GUESSING_S
        guessing = [
            asyncio.create_task(guess(server, n, until, tries)) for n in range(GUESSING_TABS)
        ]
        while len(tries) < ROOM_TRIES + 10:  # enough wrong codes to empty the room's tries
            await asyncio.sleep(0.1)
        newcomer = Tab(server.base, "group", f"code={code}&d=newcomer", MEMBER)
        opened = time.monotonic()
        first = await newcomer.open()
        took = time.monotonic() - opened
        await newcomer.close()
        await asyncio.gather(*guessing)
        return first, took

    first, took = run_apart(guessing_then_a_newcomer())
    print(
        f"\nguessing: {GUESSING_TABS} tabs on one address made {len(tries)} tries in "
        f"{GUESSING_S:.0f} s; a newcomer with the right link got in in {took:.2f} s "
        "(a busy 2-core machine)"
    )
    assert first.errors == []  # no "please wait"...
    assert first.of_kind("tab_container")  # ...the group's workspace, at the first try


SAVE_RATING = t("workspace.save_rating", "th")


def test_nan_sent_as_a_number_field_leaves_the_tab_working(server):
    """No browser sends NaN or infinity for a number; a script can, and Streamlit then failed on
    every run of that tab (an int field cannot hold it) until a reload."""
    group = server.created.groups[0]

    async def rate_with_nan() -> list[Run]:
        tab = Tab(server.base, "group", f"code={group.join_code}", MEMBER)
        first = await tab.open()
        fund = first.of_kind("expandable")[0]
        tab.keep(WidgetState(id=fund.proto.id, bool_value=True))
        opened = await tab.rerun()
        [grade] = opened.of_kind("radio")
        [reason] = opened.of_kind("text_area")
        members, balance = opened.of_kind("number_input")
        [save] = [e for e in opened.of_kind("button") if e.proto.label == SAVE_RATING]
        tab.keep(text_value(grade.proto.id, grade.proto.options[1]))
        tab.keep(text_value(reason.proto.id, "ทำบัญชีครบทุกเดือน"))
        tab.keep(WidgetState(id=members.proto.id, double_value=math.nan))
        tab.keep(WidgetState(id=balance.proto.id, double_value=math.inf))
        runs = [await tab.rerun(trigger(save.proto.id), until="toast"), await tab.rerun()]
        await tab.close()
        return runs

    saved, after = run_apart(rate_with_nan())
    assert not saved.of_kind("exception") and not saved.errors
    assert saved.of_kind("toast")  # the rating was saved, without the impossible figures
    assert not after.of_kind("exception")  # and the tab goes on working
    assert after.of_kind("expandable")


def test_a_20_mb_value_closes_that_tab_and_is_not_kept(server):
    huge = "ก" * (20 * 2**20 // 3)  # 20 MB of Thai text in one text box

    async def send_huge_values() -> list[int | None]:
        await Tab(server.base, "", "", MEMBER).open()  # the app loaded: memory from here on
        figures["before"] = server.rss_mb()
        tabs, codes = [], []
        for _ in range(8):
            tab = Tab(server.base, "", "", ATTACKER)
            start = await tab.open()
            box = start.of_kind("text_input")[0]
            try:
                await tab.rerun(text_value(box.proto.id, huge))
            except websockets.ConnectionClosed as closed:
                codes.append(closed.rcvd and closed.rcvd.code)
            tabs.append(tab)
        figures["after"] = server.rss_mb()  # the tabs still open
        for tab in tabs:
            await tab.close()
        return codes

    figures: dict[str, float] = {}
    codes = run_apart(send_huge_values())
    before, after = figures["before"], figures["after"]
    print(f"\n8 tabs sent 20 MB each: server memory {before:.0f} MB before, {after:.0f} MB after")
    assert codes == [1009] * 8  # "message too big": that tab's connection is closed
    assert after - before < 80  # none of the 160 MB was kept


def test_the_server_holds_at_most_its_share_of_uploads_from_all_facilitator_tabs(server):
    statuses: list[int] = []

    async def three_facilitators_send_two_files_each() -> None:
        for _ in range(3):
            tab, _ = await signed_in_setup_page(server)
            for n in range(FILES_PER_TAB):
                [url] = await tab.upload_urls(f"{n}.csv")
                statuses.append(
                    await asyncio.to_thread(upload, server.base, url, f"{n}.csv", ALMOST_5_MB)
                )

    run_apart(three_facilitators_send_two_files_each())
    held = len([s for s in statuses if s == 204]) * len(ALMOST_5_MB) / 2**20
    print(f"\nuploads from 3 facilitator tabs: statuses {statuses}, {held:.0f} MB held")
    assert statuses.count(204) * 5 <= UPLOADS_HELD_MB  # the server's share...
    assert statuses[-1] == 413  # ...and the file past it is refused before it is read
