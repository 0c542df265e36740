"""Thai and English message catalogs. Thai is the default language."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("th", "en")
BUDDHIST_ERA = 543  # years added to the Western year in Thai text
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


def long_date(day: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """24 มิถุนายน 2562 in Thai (Buddhist era, as Thai offices write it), 24 June 2019 in English:
    every date shown on a screen or in a document."""
    months = t("export.months", lang).split()
    year = day.year + (BUDDHIST_ERA if lang == "th" else 0)
    return f"{day.day} {months[day.month - 1]} {year}"
