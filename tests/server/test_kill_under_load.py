"""The laptop's server killed (SIGKILL) while the room saves: every save a participant saw
confirmed is in the database, and the app comes back on the same data."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import duckdb
from support import AppServer, create_samut_prakan, run_apart

from bench.load import Participant
from welfare_core.db.store import Store
from welfare_core.service import WorkshopService

KILLS = 3
PARTICIPANTS = 6


async def save_until_killed(
    server: AppServer, codes: list[str], round_: int, confirmed: set[str]
) -> int:
    """Participants save ideas as fast as the page confirms them; once each has had a save
    confirmed, the server is killed in the middle of the next ones. Returns how many
    participants it cut off."""
    in_flight = 0
    before = len(confirmed)

    async def lead(n: int) -> None:
        nonlocal in_flight
        participant = Participant(server.base, codes[n % len(codes)], f"kill-{round_}-{n}")
        try:
            await participant.open()
            for k in range(1000):
                text = f"ข้อเสนอรอบ {round_} คนที่ {n} ข้อ {k}"
                if await participant.save_idea(text, k):
                    confirmed.add(text)
        except Exception:  # the server died under this participant: expected here
            in_flight += 1
        finally:
            await participant.close()

    async def killer() -> None:
        for _ in range(600):  # the first pages after a start load the app: up to a minute
            if len(confirmed) - before >= PARTICIPANTS:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(random.uniform(0.5, 2))
        server.kill()

    await asyncio.gather(*(lead(n) for n in range(PARTICIPANTS)), killer())
    return in_flight


def stored_ideas(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT text FROM idea_versions").fetchall()}
    finally:
        con.close()


def test_a_server_killed_under_load_keeps_every_confirmed_save(tmp_path):
    db = tmp_path / "workshops.duckdb"
    store = Store(db)
    created = create_samut_prakan(WorkshopService(store))
    store.close()
    codes = [g.join_code for g in created.groups]
    server = AppServer(db, tmp_path / "server.log")
    confirmed: set[str] = set()
    cut_short = 0
    for round_ in range(KILLS):
        server.start()
        cut_short += run_apart(save_until_killed(server, codes, round_, confirmed))
        assert confirmed <= stored_ideas(db), f"confirmed saves lost after kill {round_ + 1}"

    server.start()  # the app comes back on the same data
    try:
        lead = Participant(server.base, codes[0], "after-the-kills")

        async def comes_back() -> tuple[str, bool]:
            await lead.open()
            shown = " ".join(lead.texts())
            saved = await lead.save_idea("ข้อเสนอหลังเปิดเครื่องใหม่", 0)
            await lead.close()
            return shown, saved

        shown, saved = run_apart(comes_back())
        assert saved
        # the first group's lead (participant 0 of every round) sees every idea it saved
        first_group = {text for text in confirmed if "คนที่ 0 " in text}
        assert first_group
        assert all(text in shown for text in first_group)
    finally:
        server.stop()
    stored = stored_ideas(db)
    print(
        f"\n{KILLS} kills survived; {len(confirmed)} confirmed saves, all {len(confirmed)} "
        f"stored ({len(stored)} ideas in the file); {cut_short} participants cut off mid-save"
    )
    assert confirmed <= stored
    assert len(confirmed) >= KILLS * PARTICIPANTS
    assert cut_short > 0  # the kills came while participants were saving
