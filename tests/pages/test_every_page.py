"""Rules every screen keeps: its messages in both catalogs, its URL, text put into CSS."""

from __future__ import annotations

import ast
import re

from support import PAGES, ROOT

from welfare_core.i18n import catalog
from welfare_ui.feedback import css_text


def test_every_message_exists_in_thai_and_english():
    th, en = catalog("th"), catalog("en")
    assert sorted(set(th) ^ set(en)) == []
    assert all(th[k].strip() and en[k].strip() for k in th)


def test_every_key_the_pages_use_is_in_the_catalogs():
    used: set[str] = set()
    for path in [ROOT / "app.py", *PAGES]:
        for node in ast.walk(ast.parse(path.read_text())):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and re.fullmatch(r"[a-z_]+\.[a-z_]+", text):
                used.add(text)
    used -= {"server.port"}  # a Streamlit option, not a message
    assert len(used) > 80
    assert sorted(used - set(catalog("th"))) == []


def test_no_page_url_is_the_name_of_a_file_in_pages():
    """Otherwise a first request after a restart may run that file without app.py."""
    urls = re.findall(r'"nav\.\w+", "\w+", "(\w+)"', (ROOT / "app.py").read_text())
    assert len(urls) == 5
    assert not set(urls) & {p.stem for p in PAGES}


def test_text_put_into_css_can_end_neither_its_string_nor_the_style_element():
    written = css_text('ขาด "การ" \\ </style><script>')
    assert written.count('"') == 2 and "<" not in written and ">" not in written
    assert written.startswith('"ขาด') and "\\22 " in written  # the quote as a CSS escape
