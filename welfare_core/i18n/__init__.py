"""Thai and English message catalogs. Thai is the default language."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"
_HERE = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    with open(_HERE / f"{lang}.toml", "rb") as f:
        return _flatten(tomllib.load(f))


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The message for ``key`` in ``lang``; a missing key shows itself rather than crash a page."""
    text = catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).get(key, key)
    return text.format(**params) if params else text
