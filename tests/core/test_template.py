"""load_template: shipped templates load; broken ones raise TemplateError naming file and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from welfare_core.errors import TemplateError
from welfare_core.model import Template
from welfare_core.template import available_templates, load_template

SESSIONS = Path(__file__).resolve().parents[2] / "sessions"
SAMUT = SESSIONS / "samut-prakan-2562.toml"
BLANK = SESSIONS / "blank.toml"
SOURCE = SAMUT.read_text(encoding="utf-8")

GROUPS = [
    ("บางบ่อ", "Bang Bo"),
    ("บางพลี", "Bang Phli"),
    ("บางเสาธง", "Bang Sao Thong"),
    ("พระสมุทรเจดีย์", "Phra Samut Chedi"),
    ("พระประแดง", "Phra Pradaeng"),
    ("เมืองสมุทรปราการ", "Mueang Samut Prakan"),
]


def is_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def edited(tmp_path: Path, old: str, new: str, name: str = "edited.toml") -> Path:
    """A copy of the Samut Prakan template with the first ``old`` replaced by ``new``."""
    assert old in SOURCE
    path = tmp_path / name
    path.write_text(SOURCE.replace(old, new, 1), encoding="utf-8")
    return path


# --- the shipped templates --------------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMUT, BLANK], ids=["samut-prakan", "blank"])
def test_shipped_template_grades_and_areas(path):
    template = load_template(path)
    assert template.source == path.name
    assert [g.letter for g in template.grades] == ["A", "B", "C", "D"]
    for grade in template.grades:
        assert is_thai(grade.name_th)
        assert grade.name_en
        assert not is_thai(grade.name_en)
        assert is_thai(grade.description_th)
        assert grade.description_en
    assert [a.key for a in template.areas] == ["data", "membership", "committee", "linkage"]
    assert all(is_thai(a.name_th) and a.name_en for a in template.areas)


def test_samut_prakan_template():
    template = load_template(SAMUT)
    assert [(g.name_th, g.name_en) for g in template.groups] == GROUPS
    assert template.held_on == dt.date(2019, 6, 24)
    assert template.plan_year == 2020
    assert template.province_en == "Samut Prakan"
    assert is_thai(template.title_th)
    assert template.title_en.startswith("Capacity-building workshop")
    assert len(template.organisers) == 4
    assert template.groups_from_roster is False
    assert template.roster_is_sample is True
    assert template.roster_path is not None
    assert Path(template.roster_path) == SESSIONS / "samut-prakan-2562-sample-funds.csv"
    assert Path(template.roster_path).is_file()


def test_blank_template_takes_groups_from_roster():
    template = load_template(BLANK)
    assert template.groups_from_roster is True
    assert template.groups == ()
    assert template.roster_path is None
    assert template.roster_is_sample is False
    assert template.held_on == dt.date(2026, 12, 1)
    assert template.plan_year == 2027  # the year after the workshop when not given
    assert template.organisers == ()


def test_available_templates_lists_the_shipped_ones():
    names = {p.name for p in available_templates()}
    assert {"samut-prakan-2562.toml", "blank.toml"} <= names


def test_template_as_string_path_and_with_byte_order_mark(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SOURCE.encode("utf-8"))
    template = load_template(str(path))
    assert isinstance(template, Template)
    assert template.source == "bom.toml"
    assert template.groups == load_template(SAMUT).groups


# --- edits that are still a good template -----------------------------------------------------


def test_grades_given_in_any_order_come_back_a_to_d(tmp_path):
    text = SOURCE.replace('letter = "A"', 'letter = "X"').replace('letter = "D"', 'letter = "A"')
    path = tmp_path / "order.toml"
    path.write_text(text.replace('letter = "X"', 'letter = "d"'), encoding="utf-8")
    grades = load_template(path).grades
    assert [g.letter for g in grades] == ["A", "B", "C", "D"]
    assert grades[0].name_en == "Fund that needs reviving"
    assert grades[3].name_en == "Tangible, exemplary fund"


def test_date_may_be_written_as_a_string(tmp_path):
    path = edited(tmp_path, "date = 2019-06-24", 'date = "2019-06-25"')
    assert load_template(path).held_on == dt.date(2019, 6, 25)


def test_roster_path_is_beside_the_template(tmp_path):
    template = load_template(edited(tmp_path, "plan_year = 2020\n", ""))
    assert template.roster_path == str(tmp_path / "samut-prakan-2562-sample-funds.csv")
    assert template.plan_year == 2020


# --- files that are not templates at all ------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "no-such-template.toml"
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert info.value.key == "template.missing"
    assert "no-such-template.toml" in str(info.value)
    assert "no-such-template.toml" in info.value.message("th")


@pytest.mark.parametrize(
    "content",
    [
        b"this is not toml at all",
        b"[workshop\ntitle_th = 1\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "title = 'ทดสอบ'".encode("cp874"),
        SOURCE.replace("date = 2019-06-24", "date = 2019-13-40").encode("utf-8"),
        SOURCE.replace("[workshop]", "[workshop]\ndate = 2019-06-25").encode("utf-8"),
    ],
    ids=["prose", "broken-table", "png", "cp874", "impossible-date-literal", "key-twice"],
)
def test_not_toml(tmp_path, content):
    path = tmp_path / "broken-template.toml"
    path.write_bytes(content)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert info.value.key == "template.not_toml"
    assert str(info.value).startswith("broken-template.toml is not a readable TOML template")


def test_directory_is_not_a_template(tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(TemplateError) as info:
        load_template(folder)
    assert info.value.key == "template.not_toml"
    assert "folder.toml" in str(info.value)


# --- templates with a mistake: TemplateError names the file and the key --------------------------


def without_blocks(*markers: str) -> str:
    """The template without each blank-line-separated block containing one of ``markers``."""
    blocks = SOURCE.split("\n\n")
    kept = [b for b in blocks if not any(m in b for m in markers)]
    assert len(kept) < len(blocks)
    return "\n\n".join(kept)


def refused(tmp_path: Path, text: str) -> TemplateError:
    path = tmp_path / "bad-template.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_template(path)
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("[workshop]", "colour = 'red'\n\n[workshop]", "colour", "template.unknown_key"),
        (
            "plan_year = 2020",
            "plan_year = 2020\ncolour = 'red'",
            "workshop.colour",
            "template.unknown_key",
        ),
        (
            'name_en = "Bang Phli"',
            'name_en = "Bang Phli"\ncolour = "red"',
            "groups[2].colour",
            "template.unknown_key",
        ),
        (
            'name_en = "Tangible, exemplary fund"',
            'name_en = "x"\nstars = 5',
            "grades[1].stars",
            "template.unknown_key",
        ),
        ('letter = "D"', 'letter = "E"', "grades[4].letter", "template.bad_grade"),
        ('letter = "D"', 'letter = "a"', "grades[4].letter", "template.duplicate_grade"),
        ('name_th = "บางพลี"', 'name_th = "บางบ่อ"', "groups[2]", "template.duplicate_group"),
        ('name_en = "Bang Phli"', 'name_en = " bang bo "', "groups[2]", "template.duplicate_group"),
        ("date = 2019-06-24", 'date = "2019-13-40"', "workshop.date", "template.bad_date"),
        ("date = 2019-06-24", 'date = "24/06/2019"', "workshop.date", "template.bad_date"),
        ("date = 2019-06-24", "date = 2019-06-24T09:00:00", "workshop.date", "template.bad_date"),
        ("date = 2019-06-24", "date = 20190624", "workshop.date", "template.bad_date"),
        ("date = 2019-06-24", "date = 1899-01-01", "workshop.date", "template.date_range"),
        ("date = 2019-06-24", 'date = "2101-01-01"', "workshop.date", "template.date_range"),
        ("date = 2019-06-24\n", "", "workshop.date", "template.missing_key"),
        ('title_en = "Capacity', 'title_x = "Capacity', "workshop.title_x", "template.unknown_key"),
        ("plan_year = 2020", "plan_year = 1999", "workshop.plan_year", "template.bad_year"),
        ('key = "membership"', 'key = "data"', "areas[2].key", "template.duplicate_area"),
    ],
)
def test_bad_template_names_file_and_key(tmp_path, old, new, key, problem):
    assert old in SOURCE
    error = refused(tmp_path, SOURCE.replace(old, new, 1))
    assert error.key == problem
    assert error.params["key"] == key
    for text in (str(error), error.message("th")):
        assert "bad-template.toml" in text
        assert f"'{key}'" in text


def test_blank_title(tmp_path):
    line = 'title_en = "Capacity-building workshop of Samut Prakan community welfare funds"'
    assert line in SOURCE
    error = refused(tmp_path, SOURCE.replace(line, 'title_en = "  "'))
    assert (error.key, error.params["key"]) == ("template.blank", "workshop.title_en")


def test_grade_missing(tmp_path):
    error = refused(tmp_path, without_blocks('letter = "D"'))
    assert (error.key, error.params["key"]) == ("template.grade_missing", "grades")
    assert str(error) == "bad-template.toml: 'grades' has no grade D."


def test_no_grades_at_all(tmp_path):
    error = refused(tmp_path, without_blocks("[[grades]]"))
    assert (error.key, error.params["key"]) == ("template.missing_key", "grades")


def test_no_groups(tmp_path):
    error = refused(tmp_path, without_blocks("[[groups]]"))
    assert (error.key, error.params["key"]) == ("template.no_groups", "groups")
    assert "bad-template.toml" in str(error)


def test_no_workshop_table(tmp_path):
    error = refused(tmp_path, without_blocks("[workshop]"))
    assert (error.key, error.params["key"]) == ("template.missing_key", "workshop")


def test_organisers_not_a_list(tmp_path):
    start = SOURCE.index("organisers = [")
    end = SOURCE.index("]\n", start) + 2
    error = refused(tmp_path, SOURCE[:start] + 'organisers = "one"\n' + SOURCE[end:])
    assert (error.key, error.params["key"]) == ("template.not_text_list", "workshop.organisers")


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('title_th = "เวที', "title_th = 5", "workshop.title_th", "template.not_text"),
        ('name_th = "บางพลี"', "name_th = 7", "groups[2].name_th", "template.not_text"),
        ('letter = "B"', "letter = 1", "grades[2].letter", "template.not_text"),
        ('roster = "samut', "roster = 5", "workshop.roster", "template.not_text"),
        ('venue_th = "ห้อง', "venue_th = 5", "workshop.venue_th", "template.not_text"),
        ("roster_is_sample = true", 'roster_is_sample = "no"', "workshop.roster_is_sample",
         "template.not_true_false"),
        ('key = "membership"', 'key = " data"', "areas[2].key", "template.duplicate_area"),
    ],
)  # fmt: skip
def test_wrong_types_are_named_not_crashed_on(tmp_path, old, new, key, problem):
    line = next(line for line in SOURCE.splitlines() if line.startswith(old))
    error = refused(tmp_path, SOURCE.replace(line, new, 1))
    assert (error.key, error.params["key"]) == (problem, key)


def test_a_group_whose_thai_and_english_names_match_is_not_its_own_duplicate(tmp_path):
    text = SOURCE.replace('name_th = "บางบ่อ"', 'name_th = "bangbo"').replace(
        'name_en = "Bang Bo"', 'name_en = "BangBo"'
    )
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    assert load_template(path).groups[0].name_en == "BangBo"


@pytest.mark.parametrize("key", ["data-system", "rated", "funds", "group_th", "Data", "ด้านข้อมูล"])
def test_an_area_key_that_cannot_be_a_column_name_is_refused(tmp_path, key):
    error = refused(tmp_path, SOURCE.replace('key = "data"', f'key = "{key}"', 1))
    assert (error.key, error.params["key"]) == ("template.bad_area_key", "areas[1].key")
