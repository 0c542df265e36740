"""Backups: consistent snapshots while the room writes, the last N kept, restore, clear refusals."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PASSCODE, ROOT, SAMUT_PRAKAN, create_samut_prakan, held_open, lead

from welfare_core.backup import Backups, backup_minutes, snapshot, snapshots
from welfare_core.cli import main
from welfare_core.db.store import Store
from welfare_core.demo import create_demo
from welfare_core.errors import InvalidInput
from welfare_core.model import IdeaInput, RatingInput
from welfare_core.roster import read_roster
from welfare_core.service import WorkshopService
from welfare_core.template import load_template

WRITERS = 10


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("WELFARE_LANG", "en")


def cli(*argv: str) -> subprocess.CompletedProcess:
    """The command line in a process of its own, as a facilitator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "welfare_core", *argv],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in a fixed order: two files with equal results hold the same."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in names}
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_until(condition, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --- snapshots while the room writes -------------------------------------------------------


def test_snapshots_taken_while_ten_threads_write_hold_whole_transactions_only(
    service, store, workshop, tmp_path
):
    """Each writer's ratings in a snapshot are exactly its first m acknowledged ones, with m at
    least what was acknowledged before the snapshot began; every workshop is there whole."""
    wid = service.workshop(workshop.slug).id
    funds = store.read().funds(wid)
    template = load_template(SAMUT_PRAKAN)
    roster = Path(template.roster_path)
    rows = read_roster(roster.read_bytes(), roster.name, list(template.groups))
    groups = {g.id: g for g in workshop.groups}
    acknowledged = [0] * WRITERS
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(n: int) -> None:
        fund = funds[n % len(funds)]
        caller = lead(groups[fund.group_id], device=f"writer-{n}")
        try:
            while not stop.is_set():
                i = acknowledged[n]
                service.rate_fund(caller, RatingInput(fund.id, "ABCD"[i % 4], str(i)))
                if n == 0 and i % 5 == 0:  # a workshop is one transaction over five tables
                    service.create_workshop(template, rows, PASSCODE, slug_base=f"w-{i}")
                else:
                    service.add_idea(caller, IdeaInput("data", f"{n}-{i}"))
                acknowledged[n] = i + 1  # only after both commits returned
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    taken = []
    try:
        for round_ in range(3):
            assert wait_until(lambda r=round_: min(acknowledged) >= 3 * (r + 1))
            before = list(acknowledged)
            made = snapshot(store, tmp_path / "backups")
            after = list(acknowledged)
            # moved aside: a snapshot in the same second would take the same name
            taken.append((made.rename(tmp_path / f"taken-{round_}.duckdb"), before, after))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []

    for made, before, after in taken:
        con = duckdb.connect(str(made))
        try:
            for n in range(WRITERS):
                reasons = [
                    int(r[0])
                    for r in con.execute(
                        "SELECT reason FROM ratings WHERE device = ? ORDER BY id", [f"writer-{n}"]
                    ).fetchall()
                ]
                m = len(reasons)
                assert reasons == list(range(m))
                # one write may have committed and not yet been counted as acknowledged
                assert before[n] <= m <= after[n] + 1
            whole = con.execute(
                "SELECT w.slug, (SELECT count(*) FROM groups g WHERE g.workshop_id = w.id), "
                "(SELECT count(*) FROM funds f WHERE f.workshop_id = w.id), "
                "(SELECT count(*) FROM areas a WHERE a.workshop_id = w.id), "
                "(SELECT count(*) FROM grade_levels l WHERE l.workshop_id = w.id) FROM workshops w"
            ).fetchall()
            assert len(whole) >= 2
            assert all(row[1:] == (6, 25, 4, 4) for row in whole)
            # new rows in a restored copy get ids of their own
            highest = con.execute(
                "SELECT max(id) FROM (SELECT id FROM ratings UNION ALL SELECT id FROM "
                "idea_versions UNION ALL SELECT id FROM funds)"
            ).fetchone()[0]
            assert con.execute("SELECT nextval('row_ids')").fetchone()[0] > highest
        finally:
            con.close()


def test_only_the_newest_snapshots_of_the_database_are_kept(store, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    older = [folder / f"workshops-20190624-0900{s:02d}.duckdb" for s in range(4)]
    others = [folder / "notes.txt", folder / "other-20190624-090000.duckdb"]
    for path in older + others:
        path.write_bytes(b"kept as it is")
    made = snapshot(store, folder, keep=3)
    assert snapshots(folder, "workshops") == [*older[-2:], made]
    assert all(path.read_bytes() == b"kept as it is" for path in others)
    assert not [p for p in folder.iterdir() if "partial" in p.name or p.suffix == ".wal"]


def test_closing_entry_writes_a_snapshot_that_holds_the_lock(service, facilitator, db_path):
    service.set_locked(facilitator, True)
    (made,) = snapshots(db_path.parent / "backups")
    assert service.backups.last == made
    copy = Store(made)
    try:
        assert all(w.locked for w in copy.read().workshops())
    finally:
        copy.close()


def test_the_periodic_backup_writes_only_after_writes(service, store, workshop, tmp_path):
    backups = Backups(store, tmp_path / "auto")
    backups.start(minutes=0.001)  # every 60 ms
    try:
        time.sleep(0.3)  # five rounds with nothing written
        assert backups.last is None and not (tmp_path / "auto").exists()
        group = workshop.groups[0]
        service.add_idea(lead(group), IdeaInput("data", "a first idea"))
        assert wait_until(lambda: backups.last is not None)
        first = backups.last.stat()
        time.sleep(0.3)  # idle again: the file is not written anew
        assert backups.last.stat().st_mtime_ns == first.st_mtime_ns
        assert backups.last.stat().st_ino == first.st_ino
        assert len(snapshots(tmp_path / "auto")) == 1
    finally:
        backups.stop()


def test_a_snapshot_that_cannot_be_written_is_kept_as_a_failure_and_entry_still_closes(
    service, facilitator, db_path, workshop
):
    (db_path.parent / "backups").write_text("a file where the folder should be")
    service.set_locked(facilitator, True)
    assert service.workshop(workshop.slug).locked
    assert "could not be written" in service.backups.failure.message("en")


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_bad_backup_interval_is_named(monkeypatch, value):
    monkeypatch.setenv("WELFARE_BACKUP_MINUTES", value)
    with pytest.raises(InvalidInput) as refused:
        backup_minutes()
    assert f"'{value}' is not" in refused.value.message("en")


# --- the command line -------------------------------------------------------------------------


def test_restore_with_the_cli_brings_back_every_workshop_rating_and_idea(db_path, tmp_path):
    store = Store(db_path)
    service = WorkshopService(store)
    create_demo(service)
    create_samut_prakan(service)
    store.close()
    original = tables(db_path)
    assert len(original["workshops"]) == 2 and original["ratings"] and original["idea_versions"]

    made = cli("backup", "--db", str(db_path), "--to", str(tmp_path / "usb"))
    assert made.returncode == 0, made.stderr
    (snapshot_file,) = snapshots(tmp_path / "usb")
    assert made.stdout.strip() == f"Backup written: {snapshot_file}"
    listed = cli("backup", "--list", "--db", str(db_path), "--to", str(tmp_path / "usb"))
    assert str(snapshot_file) in listed.stdout

    restored = tmp_path / "elsewhere" / "restored.duckdb"
    done = cli("restore", str(snapshot_file), "--db", str(restored))
    assert done.returncode == 0, done.stderr
    assert f"into {restored}: 2 workshop(s)" in done.stdout
    assert tables(restored) == original

    # The restored file goes on: new rows get ids of their own.
    store = Store(restored)
    try:
        again = create_samut_prakan(WorkshopService(store))
        assert again.slug == "samut-prakan-2562-2"
    finally:
        store.close()


def test_restore_keeps_the_database_it_replaces(capsys, db_path, tmp_path):
    store = Store(db_path)
    create_samut_prakan(WorkshopService(store))
    made = snapshot(store, tmp_path / "backups")
    group = store.read().workshops()[0]
    WorkshopService(store).add_idea(
        lead(store.read().groups(group.id)[0]), IdeaInput("data", "written after the snapshot")
    )
    store.close()
    before = tables(db_path)

    code, out, _ = run(capsys, "restore", str(made), "--db", str(db_path))
    assert code == 0
    (aside,) = tmp_path.glob("workshops.before-restore-*.duckdb")
    assert f"kept as {aside}" in out
    assert tables(aside) == before
    assert len(tables(db_path)["idea_versions"]) == len(before["idea_versions"]) - 1

    # A second restore, in the same second or not, puts aside a file of its own.
    code, out, _ = run(capsys, "restore", str(made), "--db", str(db_path))
    assert code == 0
    assert len(list(tmp_path.glob("workshops.before-restore-*.duckdb"))) == 2
    assert tables(aside) == before


def test_cli_commands_beside_the_running_app_say_so_at_once(capsys, db_path, tmp_path):
    store = Store(db_path)
    slug = create_samut_prakan(WorkshopService(store)).slug
    made = snapshot(store, tmp_path / "backups")
    store.close()
    unchanged = digest(db_path)
    with held_open(db_path) as pid:
        for argv in (
            ["status", "--workshop", slug],
            ["export", "--workshop", slug, "--format", "csv", "-o", str(tmp_path / "p.zip")],
        ):
            code, _, err = run(capsys, *argv, "--db", str(db_path))
            assert code == 1
            assert f"is in use by another process (PID {pid})" in err
            assert "export from its Export page and back up from its set-up page" in err
        code, _, err = run(capsys, "backup", "--db", str(db_path))
        assert code == 1
        assert f"open in the running app (PID {pid})" in err
        assert str(db_path.parent / "backups") in err
        assert 'press "Back up now" on the app\'s set-up page' in err
        code, _, err = run(capsys, "restore", str(made), "--db", str(db_path))
        assert code == 1 and "Stop the app first" in err
    assert digest(db_path) == unchanged
    assert not list(tmp_path.glob("*before-restore*"))
    assert not (tmp_path / "p.zip").exists()


def test_restore_refuses_what_is_no_workshop_snapshot_and_changes_nothing(
    capsys, db_path, tmp_path
):
    Store(db_path).close()
    unchanged = digest(db_path)
    text_file = tmp_path / "notes.duckdb"
    text_file.write_text("not a database")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INT)").close()
    cases = [
        (tmp_path / "missing.duckdb", "There is no snapshot at"),
        (tmp_path, "There is no snapshot at"),
        (text_file, "is not a database snapshot"),
        (other, "is a DuckDB database but not one of workshops"),
        (db_path, "is the database itself"),
    ]
    for path, message in cases:
        code, _, err = run(capsys, "restore", str(path), "--db", str(db_path))
        assert code == 1
        assert message in err and str(path) in err and "nothing was changed" in err
        assert "Traceback" not in err
    assert digest(db_path) == unchanged
    assert not list(tmp_path.glob("*before-restore*"))


def test_restore_into_a_folder_is_refused(capsys, db_path, tmp_path):
    Store(db_path).close()
    made = tmp_path / "made.duckdb"
    shutil.copyfile(db_path, made)
    code, _, err = run(capsys, "restore", str(made), "--db", str(tmp_path))
    assert code == 1 and f"There is no database at {tmp_path}" in err
    assert tmp_path.is_dir() and not list(tmp_path.glob("*before-restore*"))


def test_backup_list_of_an_empty_folder_says_so(capsys, db_path, tmp_path):
    code, out, _ = run(capsys, "backup", "--list", "--db", str(db_path), "--to", str(tmp_path))
    assert code == 0 and out.strip() == f"There are no snapshots in {tmp_path}."
    assert not db_path.exists()


def test_the_cli_backup_of_a_missing_database_is_refused(capsys, db_path):
    code, _, err = run(capsys, "backup", "--db", str(db_path))
    assert code == 1 and "There is no database at" in err
    assert not db_path.exists()
