"""The projector (AppTest, demo workshop, Thai and English): progress, grades, the idea wall."""

from __future__ import annotations

import re

import pytest
from support import app, facts

from welfare_core.model import Caller, IdeaInput
from welfare_ui.feedback import markdown_escaped


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_projector_shows_progress_grades_and_the_idea_wall(db, lang):
    known = facts(db)
    at = app(lang).run()
    at.switch_page("pages/projector_screen.py").run()
    assert not at.exception
    workshop = known["workshop"]
    title = workshop.title_th if lang == "th" else workshop.title_en
    assert at.title[0].value == markdown_escaped(title)  # a typed title is shown as typed
    # The wall by default: a strip of progress and funds per grade, six ideas per area.
    page = "\n".join(h.proto.body for h in at.html)
    for group in known["groups"]:
        assert (group.name_th if lang == "th" else group.name_en) in page
    per_grade = re.findall(r'class="chip grade"[^>]*>([A-D]) (\d+)</span>', page)
    assert [letter for letter, _ in per_grade] == ["A", "B", "C", "D"]
    assert sum(int(n) for _, n in per_grade) == 25
    assert page.count('class="idea-card') == 4 * 6
    assert "onerror" not in page
    assert not at.toggle  # the join codes are only for the signed-in facilitator
    # One click away: the grades per district, with the totals.
    at.session_state["projector-view"] = "grades"
    at.run()
    page = "\n".join(h.proto.body for h in at.html)
    assert page.count('class="grade-tile"') == 4
    assert sum(int(n) for n in re.findall(r"<b>(\d+)</b>", page)) == 25
    assert len(at.get("vega_lite_chart")) == 1
    assert 'class="idea-card' not in page


def test_the_projector_reads_again_after_a_save(db):
    """The projector's reads are shared and kept until the app writes: a new idea shows at the
    very next refresh, not when a timer runs out."""
    from welfare_ui.runtime import _service_for

    at = app("th").run()
    at.switch_page("pages/projector_screen.py").run()
    service = _service_for(str(db))  # the page's own service, as a save on a phone reaches it
    group = facts(db)["groups"][0]
    service.add_idea(Caller(group.join_code, "phone"), IdeaInput("data", "ข้อเสนอใหม่ล่าสุด"))
    at.run()
    assert "ข้อเสนอใหม่ล่าสุด" in "\n".join(h.proto.body for h in at.html)
