"""The room's laptop under attack from a tab on its Wi-Fi: a real server (serve.py), protocol
clients (bench/streamlit_client.py), each "device" on an address of its own (127.0.0.x)."""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import time
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

import duckdb
import pytest
from conftest import create_samut_prakan
from test_kill_under_load import run_apart

from bench.load import Participant
from bench.server import AppServer
from bench.streamlit_client import Tab
from welfare_core.model import CreatedWorkshop
from welfare_core.service import WorkshopService
from welfare_core.store import Store

ATTACKER = "127.0.0.3"  # one phone on the room's Wi-Fi running a script
MEMBER = "127.0.0.2"  # a group member's phone
FLOOD_TABS = 50
FLOOD_S = 10.0
FLOOD_RATE = int(os.environ.get("FLOOD_RATE", "1500"))  # reruns a second; 0: as fast as it goes


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


def flood(base: str, code: str, seconds: float, sent: Synchronized) -> None:
    """FLOOD_TABS tabs from one address, half on the start page (no code needed), half on a
    group's page, each sending reruns as fast as the socket takes them. Run in a process of
    its own, as the attacker's phone is a device of its own."""
    asyncio.run(_flood(base, code, seconds, sent))


async def _flood(base: str, code: str, seconds: float, sent: Synchronized) -> None:
    tabs = [
        Tab(base, "group" if n % 2 else "", f"code={code}" if n % 2 else "", ATTACKER)
        for n in range(FLOOD_TABS)
    ]
    await asyncio.gather(*(tab.open() for tab in tabs))
    readers = [asyncio.create_task(tab.drain()) for tab in tabs]
    end = time.monotonic() + seconds

    pause = FLOOD_TABS / FLOOD_RATE if FLOOD_RATE else 0

    async def hammer(tab: Tab) -> None:
        while time.monotonic() < end:
            await tab.send_rerun()
            sent.value += 1
            await asyncio.sleep(pause)

    await asyncio.gather(*(hammer(tab) for tab in tabs))
    for tab in tabs:
        await tab.close()
    for reader in readers:
        reader.cancel()


def test_a_rerun_flood_from_one_address_leaves_a_members_saves_quick_and_stored(server):
    created: CreatedWorkshop = server.created
    attack_code, member_code = created.groups[0].join_code, created.groups[1].join_code
    sent = multiprocessing.Value("i", 0)
    latencies: list[float] = []
    confirmed: list[str] = []

    async def member_saves_during_the_flood() -> None:
        member = Participant(server.base, member_code, "member", MEMBER)
        await member.open()
        flooding = multiprocessing.Process(
            target=flood, args=(server.base, attack_code, FLOOD_S, sent)
        )
        flooding.start()
        while sent.value < FLOOD_TABS * 20:  # the flood is on
            await asyncio.sleep(0.1)
        k = 0
        while flooding.is_alive():
            k += 1
            text = f"ข้อเสนอระหว่างถูกโจมตี {k}"
            pressed = time.monotonic()
            if await member.save_idea(text, k):
                latencies.append(time.monotonic() - pressed)
                confirmed.append(text)
            await asyncio.sleep(0.5)
        flooding.join()
        await member.close()

    run_apart(member_saves_during_the_flood())
    server.stop()
    con = duckdb.connect(str(server.db), read_only=True)
    stored = {row[0] for row in con.execute("SELECT text FROM idea_versions").fetchall()}
    con.close()
    print(
        f"\nflood: {sent.value} reruns from {FLOOD_TABS} tabs at one address in {FLOOD_S:.0f} s "
        f"({sent.value / FLOOD_S:.0f}/s); the member's {len(latencies)} saves meanwhile: "
        f"p95 {p95(latencies):.2f} s, longest {max(latencies):.2f} s (a busy 2-core machine)"
    )
    assert sent.value > FLOOD_TABS * 20  # it was a flood
    assert len(confirmed) >= 3  # the member kept saving while it ran...
    assert set(confirmed) <= stored  # ...and every confirmed save is in the file
