"""A workshop's title and its groups' names are drawn as typed on every screen that shows them:
never as LaTeX, an emoji code, a Material icon or a colour (Streamlit renders all four in
titles, captions, labels, tabs and links)."""

from __future__ import annotations

import re

import pytest
import test_pages
from test_pages import app, workspace

from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE
from welfare_core.model import Caller, WorkshopEdit
from welfare_core.service import WorkshopService
from welfare_ui.feedback import markdown_escaped

db, demo_file = test_pages.db, test_pages.demo_file

# What someone typed as a title or a group's name, and what Streamlit would draw instead.
TYPED = "$E=mc^2$ :skull: :material/warning: :red[แดง]"
DRAWN_AS = {
    "LaTeX": re.compile(r"(?<!\\)\$"),  # a $ without a backslash opens a formula
    "an emoji or icon code": re.compile(r":(skull|material/warning):"),
    "a colour": re.compile(r":red\["),
}


def named_with_markup(db) -> str:
    """The demo workshop titled, and its first group named, with markup; its join code."""
    store = Store(db)
    try:
        service = WorkshopService(store)
        workshop = store.read().workshops()[0]
        me = Caller(service.sign_in(workshop.slug, DEMO_PASSCODE), "laptop", "facilitator")
        edit = WorkshopEdit(f"เวที {TYPED}", f"Workshop {TYPED}", workshop.held_on, "", "")
        service.update_workshop(me, edit)
        group = store.read().groups(workshop.id)[0]
        service.rename_groups(me, {group.id: (f"กลุ่ม {TYPED}", f"Group {TYPED}")})
        return group.join_code
    finally:
        store.close()


def markdown_shown(at) -> list[str]:
    """Every text the page hands to Streamlit's markdown: titles, captions, labels, links."""
    texts = [
        e.value
        for kind in ("title", "header", "subheader", "caption", "markdown")
        for e in getattr(at, kind)
    ]
    texts += [e.label for e in at.expander] + [e.label for e in at.tabs]
    return texts + [e.proto.label for e in at.get("page_link")]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_titles_and_group_names_are_drawn_as_typed_on_start_projector_and_group_page(db, lang):
    code = named_with_markup(db)
    start = app(lang).run()
    projector = app(lang).run()
    projector.switch_page("pages/projector_screen.py").run()
    group_page = workspace(lang, code).run()
    for name, at in {"start": start, "projector": projector, "group": group_page}.items():
        assert not at.exception, name
        with_name = [text for text in markdown_shown(at) if "mc^2" in text]
        assert with_name, f"the {name} page shows no title or group name"
        for text in with_name:
            for what, pattern in DRAWN_AS.items():
                assert not pattern.search(text), f"{name} page: {text!r} would show {what}"
    # The group's title reads back as typed once its escapes are taken out.
    shown = re.sub(r"\\(.)", r"\1", group_page.title[0].value).replace("&#58;", ":")
    assert shown == (f"กลุ่ม {TYPED}" if lang == "th" else f"Group {TYPED}")


def test_the_escape_leaves_no_sign_streamlit_would_draw():
    escaped = markdown_escaped(TYPED + " **b** <i>i</i> &#36; [l](http://x)")
    for what, pattern in DRAWN_AS.items():
        assert not pattern.search(escaped), what
    assert r"\&\#36;" in escaped  # a character reference typed by someone stays as typed
