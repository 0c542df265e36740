"""What typed or imported text may hold: which characters are kept, and how long it may be."""

from __future__ import annotations

import unicodedata

MAX_TEXT = 1000  # an idea, a rating reason, a grade description
MAX_FIELD = 300  # the action-plan fields, a workshop's title and venue
MAX_NAME = 100  # a group, a person, a device

_EMOJI_PARTS = ("So", "Sk")  # pictographs and skin tones, which a joiner or a tag may follow
_ZERO_WIDTH_JOINER = "\u200d"
_TAGS = range(0xE0020, 0xE0080)  # the letters of subdivision flags such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿


def visible(text: str) -> str:
    """The text without control characters (tab and line breaks stay) and without invisible
    format characters: zero-width spaces, byte order marks and bidi overrides only hide or
    reorder text, and make two names that look the same differ. A zero-width joiner or a tag
    inside an emoji (👩‍💻, 🏴󠁧󠁢󠁳󠁣󠁴󠁿) is part of it and stays."""
    if text.isprintable():  # no control or format character: the usual case, checked quickly
        return text
    kept: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in "\n\t":
            continue
        if category == "Cf" and not (_in_emoji(ch) and kept and _emoji_part(kept[-1])):
            continue
        kept.append(ch)
    return "".join(kept)


def _in_emoji(ch: str) -> bool:
    return ch == _ZERO_WIDTH_JOINER or ord(ch) in _TAGS


def _emoji_part(ch: str) -> bool:
    # U+FE0F asks for the emoji form of the character before it: ❤️‍🔥, 🏳️‍🌈.
    return unicodedata.category(ch) in _EMOJI_PARTS or ch == "\ufe0f" or ord(ch) in _TAGS
