"""Load: a real server, participants saving ideas at a meeting's pace, and a projector.

Each participant is a Streamlit protocol client (see streamlit_client.py) on its group's link:
it opens the ideas tab and, every 8 to 16 seconds, types an idea and presses Save, as a
browser would send it. A projector tab refreshes its fragments as the browser's timer does.
Measured: from the press of Save until the projector's wall shows the idea; the server's
memory; every save not confirmed, every page error and every dropped connection.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from dataclasses import dataclass, field

from bench.server import Server
from bench.streamlit_client import Element, Run, Tab, text_value, trigger
from welfare_core.i18n import t

CLIENT = "streamlit-protocol websocket clients (one per participant, one projector)"
PACE_S = (8.0, 16.0)
SETTLE_S = 10.0  # after the last save, how long the projector may take to show it


@dataclass
class Step:
    participants: int
    pace: tuple[float, float] = PACE_S  # seconds between one participant's saves
    saves: list[float] = field(default_factory=list)  # submit -> confirmed, s
    shown: list[float] = field(default_factory=list)  # submit -> on the projector, s
    unseen: int = 0
    errors: list[str] = field(default_factory=list)
    rss_mb: float = 0.0

    def p95(self, values: list[float]) -> float | None:
        if not values:
            return None  # nothing measured (JSON has no NaN)
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)], 2)


def measure_load(
    server: Server,
    slug: str,
    codes: list[str],
    steps: list[int],
    seconds: float,
    pace: tuple[float, float] = PACE_S,
) -> list[Step]:
    return [asyncio.run(_step(server, slug, codes, Step(n, pace), seconds)) for n in steps]


async def _step(server: Server, slug: str, codes: list[str], step: Step, seconds: float) -> Step:
    n = step.participants
    submitted: dict[str, float] = {}
    projector = Tab(server.base, "projector", f"ws={slug}")
    await projector.open()
    end = time.monotonic() + seconds
    watching = asyncio.create_task(_watch(projector, submitted, step, end + SETTLE_S))
    memory = asyncio.create_task(_memory(server, step, end + SETTLE_S))
    await asyncio.gather(
        *(_participant(server, codes[i % len(codes)], i, submitted, step, end) for i in range(n))
    )
    await asyncio.gather(watching, memory)
    await projector.close()
    step.unseen = len(submitted)
    return step


class Participant:
    """A group lead on the ideas tab of their group's page."""

    def __init__(self, base_url: str, code: str, device: str, address: str = "") -> None:
        self.tab = Tab(base_url, "group", f"code={code}&d={device}", address)
        self.refused: list[str] = []  # what the page said instead of confirming
        self._run = Run()

    async def open(self) -> None:
        first = await self.tab.open()
        tabs = _one(first, "tab_container", lambda e: True)
        self.tab.keep(text_value(tabs.proto.id, t("workspace.tab_ideas", "th")))
        self._run = await self.tab.rerun()

    async def save_idea(self, text: str, area: int) -> bool:
        """Type ``text`` into the idea form, choose the area, press Save; True once confirmed."""
        run = self._run
        choice = _one(run, "selectbox", lambda e: _new_idea(e, "-area"))
        box = _one(run, "text_area", lambda e: _new_idea(e, "-text"))
        save = _one(run, "button", lambda e: _new_idea(e, ""))
        self._run = await self.tab.rerun(
            text_value(choice.proto.id, choice.proto.options[area % len(choice.proto.options)]),
            text_value(box.proto.id, text),
            trigger(save.proto.id),
            until="toast",
        )
        if self._run.errors or not self._run.of_kind("toast"):
            self.refused.append(" / ".join(self._run.errors))
            return False
        return True

    def texts(self) -> list[str]:
        """The plain texts the page drew last (the group's own ideas among them)."""
        return [e.text for e in self._run.of_kind("text")]

    async def close(self) -> None:
        await self.tab.close()


async def _participant(
    server: Server, code: str, n: int, submitted: dict, step: Step, end: float
) -> None:
    # Each phone has an address of its own on the room's Wi-Fi (the server limits each one).
    address = f"127.0.{1 + n // 250}.{1 + n % 250}"
    lead = Participant(server.base, code, f"load-{step.participants}-{n}", address)
    try:
        await lead.open()
        await asyncio.sleep(random.uniform(0, step.pace[1]))
        k = 0
        while k == 0 or time.monotonic() < end:  # one save at least, however slow the start
            k += 1
            text = f"ข้อเสนอทดสอบโหลด {step.participants}-{n}-{k}"
            pressed = time.monotonic()
            submitted[text] = pressed
            if await lead.save_idea(text, k):
                step.saves.append(time.monotonic() - pressed)
            else:
                submitted.pop(text, None)
                step.errors.append(f"save refused: {lead.refused[-1]}")
            await asyncio.sleep(random.uniform(*step.pace))
    except Exception as exc:  # counted: a participant whose page broke is an error
        step.errors.append(f"participant {n}: {exc!r}")
    finally:
        await lead.close()


async def _watch(projector: Tab, submitted: dict, step: Step, until: float) -> None:
    """Refresh every run_every fragment on its interval; note when each idea first shows."""
    try:
        while time.monotonic() < until:
            await asyncio.sleep(min(projector.fragments.values(), default=2.5))
            for fragment in list(projector.fragments):
                run = await projector.rerun(fragment_id=fragment)
                now = time.monotonic()
                wall = " ".join(e.text for e in run.of_kind("html"))
                for text in [t for t in submitted if t in wall]:
                    step.shown.append(now - submitted.pop(text))
    except Exception as exc:  # counted: a projector that stops refreshing is an error
        step.errors.append(f"projector: {exc!r}")


async def _memory(server: Server, step: Step, until: float) -> None:
    while time.monotonic() < until:
        step.rss_mb = max(step.rss_mb, server.rss_mb())
        await asyncio.sleep(1)


def _one(run: Run, kind: str, wanted) -> Element:
    found = [e for e in run.of_kind(kind) if wanted(e)]
    if not found:
        raise LookupError(f"the page drew no {kind} to use")
    return found[-1]


def _new_idea(element: Element, widget: str) -> bool:
    """A widget of the new-idea box: its key (the end of its id) is new-idea-N plus ``widget``."""
    return re.search(rf"-new-idea-\d+{widget}$", element.proto.id) is not None


def summary(steps: list[Step]) -> dict[str, object]:
    last = steps[-1]
    return {
        "load_participants": last.participants,
        "load_p95_submit_to_projector_s": last.p95(last.shown),
        "load_p95_save_confirmed_s": last.p95(last.saves),
        "load_saves": len(last.saves),
        "load_unseen": last.unseen,
        "load_rss_mb": round(max(s.rss_mb for s in steps)),
        "load_errors": sum(len(s.errors) for s in steps),
        "load_client": CLIENT,
    }
