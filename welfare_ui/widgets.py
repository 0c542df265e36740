"""What is drawn on more than one screen: the breakout timer, the join-code cards, the grade
labels. Each is tested on its own in tests/pages/test_widgets.py."""

from __future__ import annotations

import html
import secrets
from collections.abc import Iterable

import streamlit as st

from welfare_core.clock import utcnow
from welfare_core.codes import format_code
from welfare_core.links import join_link, qr_png
from welfare_core.model import GRADE_LETTERS, GradeLevel, Group, Timer
from welfare_ui.feedback import markdown_escaped, pick, tr


def timer_display(timer: Timer, size_px: int = 40) -> None:
    """The breakout timer, counting down in the browser: no rerun, no request per second."""
    if timer.duration_s == 0:
        return
    now = utcnow()
    left = timer.left(now)
    running = "true" if timer.counting(now) else "false"
    label = html.escape(tr("timer.label"))
    box = f"timer-{secrets.token_hex(4)}"
    st.html(
        f"""
        <div class="breakout-timer" style="font-size:{size_px}px;font-weight:700;
             font-variant-numeric:tabular-nums;white-space:nowrap">
          {label} <span id="{box}">{left // 60:02d}:{left % 60:02d}</span>
        </div>
        <script>
        (() => {{
          const end = Date.now() + {left} * 1000;
          if (!{running}) return;
          const tick = () => {{
            const box = document.getElementById("{box}");
            if (!box) return;  // the page has drawn a newer timer
            const s = Math.max(0, Math.round((end - Date.now()) / 1000));
            box.textContent = String(Math.floor(s / 60)).padStart(2, "0") + ":" +
                              String(s % 60).padStart(2, "0");
            if (s > 0) setTimeout(tick, 250);
          }};
          tick();
        }})();
        </script>
        """,
        unsafe_allow_javascript=True,
    )


def join_code_cards(
    groups: Iterable[Group], base: str, qr_width: int = 300, link_shown: bool = True
) -> None:
    """A card per group, three to a row: its name, the QR code of its join link and the code
    to type; with the link itself when ``link_shown`` (the projector leaves it out)."""
    columns = st.columns(3)
    for n, group in enumerate(groups):
        link = join_link(base, group.join_code)
        with columns[n % 3], st.container(border=True):
            st.subheader(markdown_escaped(pick(group.name_th, group.name_en)), anchor=False)
            st.image(qr_png(link), width=qr_width)
            st.markdown(f"### `{format_code(group.join_code)}`")
            if link_shown:
                st.code(link, language=None)


def grade_labels(levels: Iterable[GradeLevel]) -> dict[str, str]:
    """Each grade letter as shown: "A · ดีมาก" with the workshop's name of the level."""
    named = {level.letter: pick(level.name_th, level.name_en) for level in levels}
    return {
        letter: f"{letter} · {named[letter]}" if letter in named else letter
        for letter in GRADE_LETTERS
    }
