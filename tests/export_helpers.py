"""The workshops the export tests read back: the demo with a merge, adoptions and a planted
formula, and a workshop where nothing has been recorded yet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import PASSCODE, create_samut_prakan, lead

from welfare_core import consolidate
from welfare_core.demo import create_demo
from welfare_core.export.thai import split_sara_am
from welfare_core.model import Caller, IdeaInput, Workshop
from welfare_core.service import WorkshopService
from welfare_core.store import Store

FORMULA = '=HYPERLINK("http://x","y")'


@dataclass
class Demo:
    store: Store
    workshop: Workshop
    empty: Workshop


def make_demo(path: Path) -> Demo:
    """The demo workshop, its plenary done (one merge, three ideas adopted), and an empty one."""
    store = Store(path)
    service = WorkshopService(store)
    slug = create_demo(service, passcode=PASSCODE)
    workshop = service.workshop(slug)
    group = store.read().groups(workshop.id)[0]
    service.add_idea(lead(group), IdeaInput("linkage", FORMULA))
    chair = Caller(service.sign_in(slug, PASSCODE), device="facilitator-laptop")
    ideas = consolidate.ideas(store, workshop.id)
    data = ideas[ideas["area"] == "data"].drop_duplicates("group_id")  # two groups' ideas
    service.merge_ideas(chair, int(data.iloc[0]["idea_id"]), [int(data.iloc[1]["idea_id"])])
    for area in ("data", "committee", "linkage"):
        live = consolidate.ideas(store, workshop.id)
        service.set_adopted(chair, int(live[live["area"] == area].iloc[0]["idea_id"]), True)
    empty = service.workshop(create_samut_prakan(service).slug)
    return Demo(store, service.workshop(slug), empty)


@pytest.fixture(scope="module", name="demo")
def demo_fixture(tmp_path_factory):
    """One demo database per test module: building it takes a second or two."""
    demo = make_demo(tmp_path_factory.mktemp("export") / "workshops.duckdb")
    yield demo
    demo.store.close()


def flat(text: str) -> str:
    """Text as the PDF gives it back: lines broken anywhere, "ำ" as its two parts."""
    return "".join(split_sara_am(text).split())
