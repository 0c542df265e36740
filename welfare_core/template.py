"""Workshop templates: TOML files in sessions/, checked strictly before anything is created."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

from welfare_core.errors import TemplateError
from welfare_core.model import GRADE_LETTERS, GradeLevel, GroupSpec, PlanArea, Template
from welfare_core.text import MAX_FIELD, MAX_NAME, MAX_TEXT, visible

SESSIONS_DIR = Path(__file__).resolve().parent.parent / "sessions"
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
MAX_BYTES = 256 * 1024  # the shipped templates are a few KB

_WORKSHOP_KEYS = {
    "title_th": True,
    "title_en": True,
    "date": True,
    "venue_th": False,
    "venue_en": False,
    "province_th": False,
    "province_en": False,
    "organisers": False,
    "plan_year": False,
    "groups_from_roster": False,
    "roster": False,
    "roster_is_sample": False,
}
_GROUP_KEYS = {"name_th": True, "name_en": True}
_GRADE_KEYS = {
    "letter": True,
    "name_th": True,
    "name_en": True,
    "description_th": False,
    "description_en": False,
}
_AREA_KEYS = {"key": True, "name_th": True, "name_en": True}
_TOP_KEYS = {"workshop", "groups", "grades", "areas"}
# Area keys become column names of the progress read model and of exports.
_AREA_KEY = re.compile(r"^[a-z][a-z_]{0,29}$")
_RESERVED_AREA_KEYS = {"funds", "rated", "group_position", "group_id", "group_th", "group_en"}
_FLAGS = {"groups_from_roster", "roster_is_sample"}
_NOT_TEXT = {"date", "organisers", "plan_year"}


def _limit(key: str) -> int:
    """The length a text may have: the same as when it is typed on the set-up page."""
    if key.startswith("name_"):
        return MAX_NAME
    return MAX_TEXT if key.startswith("description_") else MAX_FIELD


def available_templates() -> list[Path]:
    return sorted(SESSIONS_DIR.glob("*.toml"))


def load_template(path: str | Path) -> Template:
    """Read and check a template; any problem raises TemplateError naming the file and key."""
    path = Path(path)
    if not path.exists():
        raise TemplateError("template.missing", file=str(path))
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # at most: /dev/zero or a log file would never end
    except OSError as exc:  # a folder, or a file this user may not read
        raise TemplateError("template.not_toml", file=path.name, detail=exc.strerror) from None
    if len(raw) > MAX_BYTES:
        raise TemplateError("template.too_big", file=path.name, limit_kb=MAX_BYTES // 1024)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError("template.not_toml", file=path.name, detail="UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError("template.not_toml", file=path.name, detail=str(exc)) from None
    return _TemplateReader(path).read(data)


class _TemplateReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str, **params: object) -> TemplateError:
        return TemplateError(problem, file=self.path.name, key=key, **params)

    def table(self, data: dict, where: str, allowed: dict[str, bool]) -> dict:
        if not isinstance(data, dict):
            raise self.fail(where, "template.not_a_table")
        for key in data:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", "template.unknown_key")
        for key, required in allowed.items():
            if required and key not in data:
                raise self.fail(f"{where}.{key}", "template.missing_key")
        clean = dict(data)
        for key, value in data.items():
            if key in _NOT_TEXT:
                continue  # checked by the reader of that key
            if key in _FLAGS:
                if not isinstance(value, bool):
                    raise self.fail(f"{where}.{key}", "template.not_true_false")
                continue
            if not isinstance(value, str):
                raise self.fail(f"{where}.{key}", "template.not_text")
            value = clean[key] = visible(value).strip()
            if allowed[key] and not value:
                raise self.fail(f"{where}.{key}", "template.blank")
            if len(value) > _limit(key):
                raise self.fail(
                    f"{where}.{key}", "template.too_long", length=len(value), limit=_limit(key)
                )
        return clean

    def read(self, data: dict) -> Template:
        for key in data:
            if key not in _TOP_KEYS:
                raise self.fail(key, "template.unknown_key")
        if "workshop" not in data:
            raise self.fail("workshop", "template.missing_key")
        w = self.table(data["workshop"], "workshop", _WORKSHOP_KEYS)
        held_on = self.date(w["date"])
        from_roster = w.get("groups_from_roster", False)
        groups = self.groups(data.get("groups", []), from_roster)
        roster = w.get("roster")
        return Template(
            source=self.path.name,
            title_th=w["title_th"],
            title_en=w["title_en"],
            held_on=held_on,
            venue_th=w.get("venue_th", ""),
            venue_en=w.get("venue_en", ""),
            province_th=w.get("province_th", ""),
            province_en=w.get("province_en", ""),
            organisers=tuple(self.strings(w.get("organisers", []), "workshop.organisers")),
            plan_year=self.plan_year(w.get("plan_year", held_on.year + 1)),
            groups=groups,
            grades=self.grades(data.get("grades")),
            areas=self.areas(data.get("areas")),
            groups_from_roster=from_roster,
            roster_path=str(self.path.parent / roster) if roster else None,
            roster_is_sample=w.get("roster_is_sample", False),
        )

    def date(self, value: object) -> dt.date:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise self.fail("workshop.date", "template.bad_date", value=value) from None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail("workshop.date", "template.bad_date", value=value)
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise self.fail("workshop.date", "template.date_range", value=value)
        return value

    def plan_year(self, value: object) -> int:
        if not isinstance(value, int) or not EARLIEST_DATE.year <= value <= LATEST_DATE.year:
            raise self.fail("workshop.plan_year", "template.bad_year", value=value)
        return value

    def strings(self, value: object, where: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, "template.not_text_list")
        return [visible(v).strip() for v in value]

    def groups(self, value: object, from_roster: bool) -> tuple[GroupSpec, ...]:
        if not isinstance(value, list):
            raise self.fail("groups", "template.not_a_list")
        if not value and not from_roster:
            raise self.fail("groups", "template.no_groups")
        specs: list[GroupSpec] = []
        for i, item in enumerate(value, start=1):
            g = self.table(item, f"groups[{i}]", _GROUP_KEYS)
            spec = GroupSpec(g["name_th"], g["name_en"])
            for other in specs:
                if spec.name_th == other.name_th or spec.name_en.lower() == other.name_en.lower():
                    raise self.fail(f"groups[{i}]", "template.duplicate_group", name=spec.name_th)
            specs.append(spec)
        return tuple(specs)

    def grades(self, value: object) -> tuple[GradeLevel, ...]:
        if not isinstance(value, list):
            raise self.fail("grades", "template.missing_key")
        levels = {}
        for i, item in enumerate(value, start=1):
            g = self.table(item, f"grades[{i}]", _GRADE_KEYS)
            letter = g["letter"].upper()
            if letter not in GRADE_LETTERS:
                raise self.fail(f"grades[{i}].letter", "template.bad_grade", value=g["letter"])
            if letter in levels:
                raise self.fail(f"grades[{i}].letter", "template.duplicate_grade", letter=letter)
            levels[letter] = GradeLevel(
                letter,
                g["name_th"],
                g["name_en"],
                g.get("description_th", ""),
                g.get("description_en", ""),
            )
        for letter in GRADE_LETTERS:
            if letter not in levels:
                raise self.fail("grades", "template.grade_missing", letter=letter)
        return tuple(levels[letter] for letter in GRADE_LETTERS)

    def areas(self, value: object) -> tuple[PlanArea, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("areas", "template.missing_key")
        areas = []
        for i, item in enumerate(value, start=1):
            a = self.table(item, f"areas[{i}]", _AREA_KEYS)
            if not _AREA_KEY.match(a["key"]) or a["key"] in _RESERVED_AREA_KEYS:
                raise self.fail(f"areas[{i}].key", "template.bad_area_key", name=a["key"])
            if any(area.key == a["key"] for area in areas):
                raise self.fail(f"areas[{i}].key", "template.duplicate_area", name=a["key"])
            areas.append(PlanArea(a["key"], a["name_th"], a["name_en"]))
        return tuple(areas)
