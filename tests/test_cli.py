"""The command line, run as a user would: exit codes, printed codes, JSON, and clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMUT_PRAKAN, count

from welfare_core.cli import _parser, main
from welfare_core.db.store import Store

ROOT = Path(__file__).resolve().parent.parent
BLANK = ROOT / "sessions" / "blank.toml"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("WELFARE_LANG", "en")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_new_prints_slug_passcode_and_join_codes(capsys, db_path):
    code, out, _ = run(
        capsys, "new", "--template", str(SAMUT_PRAKAN), "--db", str(db_path), "--passcode",
        "secret-2562", "--json",
    )  # fmt: skip
    assert code == 0
    created = last_json(out)
    assert created["slug"] == "samut-prakan-2562"
    assert [g["name"] for g in created["groups"]] == [
        "บางบ่อ", "บางพลี", "บางเสาธง", "พระสมุทรเจดีย์", "พระประแดง", "เมืองสมุทรปราการ",
    ]  # fmt: skip
    assert all(re.fullmatch(r"[2-9A-Z]{8}", g["join_code"]) for g in created["groups"])
    assert "SAMPLE roster (25 funds)" in out
    assert "secret-2562" in out
    code, out, _ = run(capsys, "status", "--workshop", "samut-prakan-2562", "--db", str(db_path))
    assert code == 0 and "Bang Phli: 0/5 rated" in out


def test_demo_then_status_shows_every_fund_rated_and_ideas_in_every_area(db_path):
    def cli(*argv: str) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "welfare_core", *argv, "--db", str(db_path), "--json"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return json.loads(done.stdout.strip().splitlines()[-1])

    slug = cli("demo")["slug"]
    status = cli("status", "--workshop", slug)
    assert len(status["groups"]) == 6
    assert sum(g["funds"] for g in status["groups"]) == 25
    assert all(g["rated"] == g["funds"] for g in status["groups"])
    assert all(
        set(g["ideas"]) == {"data", "membership", "committee", "linkage"}
        and min(g["ideas"].values()) >= 2
        for g in status["groups"]
    )
    store = Store(db_path)
    assert count(store, "votes") == 18
    store.close()


def test_a_blank_template_takes_its_groups_from_the_roster(capsys, db_path, tmp_path):
    roster = tmp_path / "chonburi.csv"
    roster.write_text(
        "name,tambon,district,members\n"
        "กองทุนสวัสดิการชุมชนตำบลบางพระ,บางพระ,ศรีราชา,300\n"
        "กองทุนสวัสดิการชุมชนตำบลหนองขาม,หนองขาม,ศรีราชา,120\n"
        "กองทุนสวัสดิการชุมชนตำบลบ้านสวน,บ้านสวน,เมืองชลบุรี,80\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "new", "--template", str(BLANK), "--roster", str(roster), "--db", str(db_path),
        "--json",
    )  # fmt: skip
    assert code == 0
    assert [g["name"] for g in last_json(out)["groups"]] == ["ศรีราชา", "เมืองชลบุรี"]
    assert "3 funds" in out


def test_roster_import_adds_and_updates_and_refuses_a_bad_file_whole(capsys, db_path, tmp_path):
    run(capsys, "new", "--template", str(SAMUT_PRAKAN), "--db", str(db_path))
    header = "ชื่อกองทุน,ตำบล,อำเภอ,จำนวนสมาชิก\n"

    def import_csv(name: str, body: str, encoding: str = "utf-8") -> tuple[int, str, str]:
        path = tmp_path / name
        path.write_text(header + body, encoding=encoding)
        argv = ["roster", "import", "--workshop", "samut-prakan-2562", str(path)]
        return run(capsys, *argv, "--db", str(db_path))

    code, out, _ = import_csv(
        "more.csv",
        "กองทุนสวัสดิการชุมชนตำบลบางบ่อ,บางบ่อ,บางบ่อ,777\n"
        "กองทุนสวัสดิการชุมชนตำบลคลองนิยมยาตรา,คลองนิยมยาตรา,อำเภอบางบ่อ,1200\n",
        encoding="utf-8-sig",
    )
    assert code == 0 and "1 funds added, 1 updated" in out
    code, _, err = import_csv(
        "bad.csv",
        "กองทุนสวัสดิการชุมชนตำบลเปร็ง,เปร็ง,บางบ่อ,90\n"
        "กองทุนสวัสดิการชุมชนตำบลบางนา,บางนา,บางนา,90\n"
        ",คลองสวน,บางบ่อ,สองร้อย\n",
    )
    assert code == 1
    assert "bad.csv was not imported (3 problem(s)); nothing was saved" in err
    assert "row 3, column 'อำเภอ': 'บางนา' is not one of this workshop's districts" in err
    assert "row 4, column 'ชื่อกองทุน': is empty" in err
    assert "row 4, column 'จำนวนสมาชิก': 'สองร้อย' is not a number" in err
    store = Store(db_path)
    assert count(store, "funds") == 26
    store.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "--template", "nowhere.toml"], "Template file nowhere.toml does not exist"),
        (["new", "--template", str(BLANK)], "blank.toml takes its groups from the roster"),
        (
            ["new", "--template", str(SAMUT_PRAKAN), "--roster", "missing.csv"],
            "Cannot read missing.csv",
        ),
        (["new", "--template", str(SAMUT_PRAKAN), "--passcode", "123"], "at least 6"),
        (["status", "--workshop", "nope"], "There is no workshop called 'nope'"),
        (["roster", "import", "--workshop", "nope", "x.csv"], "no workshop called 'nope'"),
    ],
)
def test_errors_exit_non_zero_with_a_clear_message(capsys, db_path, argv, message):
    Store(db_path).close()
    code, _, err = run(capsys, *argv, "--db", str(db_path))
    assert code == 1
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ("missing/typo.duckdb", "There is no database at"),
        ("README.md", "cannot be opened as a workshop database"),
        (".", "There is no database at"),
    ],
)
def test_a_wrong_database_path_is_named_and_nothing_is_created(capsys, tmp_path, db, message):
    target = ROOT / db if db in ("README.md", ".") else tmp_path / db
    code, _, err = run(capsys, "status", "--workshop", "x", "--db", str(target))
    assert code == 1
    assert message in err and str(target) in err
    assert not (tmp_path / "missing").exists()


def test_a_bad_template_names_the_file_and_key(capsys, db_path, tmp_path):
    broken = tmp_path / "broken.toml"
    text = SAMUT_PRAKAN.read_text(encoding="utf-8").replace("date = 2019-06-24", "date = 24/6/2562")
    broken.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "new", "--template", str(broken), "--db", str(db_path))
    assert code == 1 and "broken.toml" in err and "TOML" in err
    broken.write_text(text.replace("date = 24/6/2562", 'date = "2019-02-30"'), encoding="utf-8")
    code, _, err = run(capsys, "new", "--template", str(broken), "--db", str(db_path))
    assert code == 1 and "broken.toml: 'workshop.date' is not a date" in err
    store = Store(db_path)
    assert count(store, "workshops") == count(store, "groups") == 0
    store.close()


def test_a_database_held_by_the_running_app_gets_a_clear_message(db_path):
    holder = Store(db_path)  # stands for the app's server process
    try:
        done = subprocess.run(
            [sys.executable, "-m", "welfare_core", "demo", "--db", str(db_path)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={"WELFARE_LANG": "en", "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    finally:
        holder.close()
    assert done.returncode == 1
    assert "is in use by another process" in done.stderr
    assert "Stop the app first" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _parser()._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        nested = sub._subparsers._group_actions[0].choices if sub._subparsers else {None: sub}
        for inner in nested:
            words = " ".join(w for w in ("python -m welfare_core", name, inner) if w)
            assert words in readme, f"README.md does not document `{words}`"
