"""Disks that fail the room: a USB stick too small or pulled out, a snapshot cut short, a full
laptop disk. The small disks are real: a tmpfs with a size limit, mounted by the test (as root,
which CI is) and unmounted after it."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from welfare_core.backup import Backups, restore, snapshot, snapshots
from welfare_core.cli import main
from welfare_core.db.store import Store
from welfare_core.demo import DEMO_PASSCODE, create_demo
from welfare_core.errors import BackupFailed, InvalidInput
from welfare_core.i18n import t
from welfare_core.model import Caller
from welfare_core.service import WorkshopService


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("WELFARE_LANG", "en")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """``mount(name, size)``: a tmpfs of ``size`` (e.g. "1m") at tmp_path/name."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs the tests as root)")
    mounted: list[Path] = []

    def mount(name: str, size: str) -> Path:
        point = tmp_path / name
        point.mkdir(exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):  # lazily: an app's cached connection may still hold it
        subprocess.run(["umount", "--lazy", str(point)], check=False)


def unmount(point: Path) -> None:
    if os.path.ismount(point):
        subprocess.run(["umount", str(point)], check=True)


def demo_database(path: Path) -> tuple[Store, WorkshopService, Caller]:
    """The demo workshop (a snapshot of it takes about 4 MB) and its signed-in facilitator."""
    store = Store(path)
    service = WorkshopService(store, Backups(store, path.parent / "backups"))
    slug = create_demo(service)
    return store, service, Caller(service.sign_in(slug, DEMO_PASSCODE), device="laptop")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a USB stick too small for the snapshot ---------------------------------------------------


@pytest.mark.parametrize("size", ["144k", "1m", "2300k"])
def test_a_backup_to_a_stick_without_room_for_it_is_refused_and_leaves_nothing(
    small_disk, tmp_path, size, capsys
):
    stick = small_disk("stick", size)
    store, service, facilitator = demo_database(tmp_path / "workshops.duckdb")
    service.backups = Backups(store, stick)
    try:
        with pytest.raises(BackupFailed) as refused:
            service.back_up(facilitator)
        assert service.backups.last is None
        assert service.backups.failure is refused.value
        assert str(stick) in refused.value.message("en")
        assert "ไม่" in refused.value.message("th")
        assert sorted(os.listdir(stick)) == []  # no snapshot, no part of one
    finally:
        store.close()

    code = main(["backup", "--db", str(tmp_path / "workshops.duckdb"), "--to", str(stick)])
    out, err = capsys.readouterr()
    assert code == 1 and "Backup written" not in out
    assert str(stick) in err
    assert sorted(os.listdir(stick)) == []


def test_a_backup_that_fits_reads_back_row_for_row(small_disk, tmp_path):
    stick = small_disk("stick", "16m")
    store, service, facilitator = demo_database(tmp_path / "workshops.duckdb")
    try:
        service.backups = Backups(store, stick)
        made = service.back_up(facilitator)
        assert os.listdir(stick) == [made.name]
        copy = duckdb.connect(str(made), read_only=True)
        try:
            ideas = copy.execute("SELECT count(*) FROM idea_versions").fetchone()[0]
        finally:
            copy.close()
        assert ideas == store.read().cur.execute("SELECT count(*) FROM idea_versions").fetchone()[0]
    finally:
        store.close()


def test_leftovers_of_a_killed_backup_are_cleared_by_the_next(tmp_path):
    store, _, _ = demo_database(tmp_path / "workshops.duckdb")
    folder = tmp_path / "backups"
    folder.mkdir()
    partial = folder / ".workshops-20261125-221500.duckdb.partial"
    partial.write_bytes(b"half a snapshot")
    partial.with_name(partial.name + ".wal").write_bytes(b"its log")
    parts = partial.with_name(partial.name + ".parts")
    parts.mkdir()
    (parts / "ratings.parquet").write_bytes(b"PAR1")
    other = folder / ".other-20261125-221500.duckdb.partial"  # another database's: not ours
    other.write_bytes(b"kept")
    try:
        made = snapshot(store, folder)
    finally:
        store.close()
    assert sorted(p.name for p in folder.iterdir()) == sorted([made.name, other.name])


# --- a USB stick pulled out --------------------------------------------------------------------


def test_a_pulled_stick_is_not_replaced_by_a_folder_on_the_laptop(small_disk, tmp_path):
    stick = small_disk("stick", "16m")
    store, service, facilitator = demo_database(tmp_path / "workshops.duckdb")
    try:
        service.backups = Backups(store, stick / "backups")
        service.back_up(facilitator)
        unmount(stick)  # pulled out: its mount point stays behind, empty, on the laptop's disk
        with pytest.raises(BackupFailed) as refused:
            service.back_up(facilitator)
        assert "no longer on the drive" in refused.value.message("en")
        assert str(stick / "backups") in refused.value.message("en")
        assert os.listdir(stick) == []  # nothing written to the laptop's own disk
        stick.rmdir()  # the desktop removes the mount point too
        with pytest.raises(BackupFailed):
            service.back_up(facilitator)
        assert not stick.exists()
    finally:
        store.close()


# --- restoring from a snapshot cut short -------------------------------------------------------


def test_restore_from_a_snapshot_cut_short_changes_nothing(tmp_path, capsys):
    db = tmp_path / "workshops.duckdb"
    store, _, _ = demo_database(db)
    made = snapshot(store, tmp_path / "backups")
    store.close()
    unchanged = digest(db)
    cut = tmp_path / "cut.duckdb"
    shutil.copyfile(made, cut)
    os.truncate(cut, made.stat().st_size // 2)

    code = main(["restore", str(cut), "--db", str(db)])
    _, err = capsys.readouterr()
    assert code == 1
    assert f"{cut} is damaged or cut short" in err and "nothing was changed" in err
    assert digest(db) == unchanged
    assert not list(tmp_path.glob("*before-restore*")) and not list(tmp_path.glob(".*restoring"))


def test_a_restored_copy_that_cannot_be_opened_puts_the_database_back(tmp_path, capsys):
    """A snapshot that reads whole but cannot be brought up to date: the old file returns."""
    db = tmp_path / "workshops.duckdb"
    store, _, _ = demo_database(db)
    store.close()
    unchanged = digest(db)
    odd = tmp_path / "odd.duckdb"
    con = duckdb.connect(str(odd))
    for table in ("workshops", "groups", "funds", "timer_events"):
        con.execute(f"CREATE TABLE {table} (id BIGINT)")  # the second migration makes timers
    con.execute("CREATE TABLE schema_migrations (version INTEGER, name VARCHAR)")
    con.execute("INSERT INTO schema_migrations VALUES (1, 'm001_initial')")
    con.close()

    code = main(["restore", str(odd), "--db", str(db)])
    _, err = capsys.readouterr()
    assert code == 1 and "The database was not replaced" in err
    assert digest(db) == unchanged
    assert not list(tmp_path.glob("*before-restore*"))


def test_a_snapshot_of_a_newer_app_is_refused(tmp_path):
    db = tmp_path / "workshops.duckdb"
    store, _, _ = demo_database(db)
    made = snapshot(store, tmp_path / "backups")
    store.close()
    con = duckdb.connect(str(made))
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'm099_future')")
    con.close()
    with pytest.raises(InvalidInput) as refused:
        restore(made, db)
    assert "newer version of this app" in refused.value.message("en")
    assert snapshots(tmp_path / "backups") == [made]


# --- a full laptop disk --------------------------------------------------------------------------


def fill(disk: Path) -> Path:
    """Take every free byte of ``disk`` with one file; deleting it frees the space."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (65536, 4096, 1):  # to the last byte
            with suppress(OSError):  # no space left
                while True:
                    out.write(b"\0" * chunk)
    return filler


def test_a_save_on_a_full_disk_says_in_thai_that_nothing_was_saved_and_resumes_later(
    small_disk, monkeypatch
):
    disk = small_disk("laptop", "16m")
    db = disk / "workshops.duckdb"
    store, _, _ = demo_database(db)
    group = store.read().groups(store.read().workshops()[0].id)[0]
    store.close()
    monkeypatch.setenv("WELFARE_DB", str(db))

    page = AppTest.from_file("../app.py", default_timeout=60)
    page.session_state["language"] = "th"
    page.query_params["code"] = group.join_code
    page.switch_page("pages/group_workspace.py")
    page.session_state["workspace-tab"] = t("workspace.tab_ideas", "th")
    page.run()
    filler = fill(disk)

    # The log's last page may still hold a save or two: long ideas until the disk says no.
    for n in range(1, 6):
        before = ideas_stored(db)
        typed = f"ข้อเสนอที่ {n}:" + " ตั้งกองทุนย่อยสำหรับผู้สูงอายุ" * 30
        save_idea(page, typed)
        assert not page.exception
        if page.error:
            break
    shown = [e.value for e in page.error]
    assert any("ยังไม่ได้บันทึก" in text and "ดิสก์" in text for text in shown), shown
    assert not any("rollback" in text for text in shown)
    assert ideas_stored(db) == before
    box, save = new_idea_box(page)
    assert box.value == typed  # still there to save again

    filler.unlink()  # the facilitator frees some space
    save.click().run()
    assert not page.exception and not page.error
    assert ideas_stored(db) == [*before, typed]
    print(f"\nfull disk: save {n} refused, saved once space was freed")


def new_idea_box(page: AppTest):
    """The new idea's text and its Save button (not a form: its keys change after each save)."""
    box = next(a for a in page.text_area if re.fullmatch(r"new-idea-\d+-text", a.key or ""))
    return box, next(b for b in page.button if b.key == box.key.removesuffix("-text"))


def save_idea(page: AppTest, text: str) -> None:
    box, save = new_idea_box(page)
    box.input(text)
    save.click().run()


def ideas_stored(db: Path) -> list[str]:
    store = Store(db, create=False)
    try:
        rows = store.read().cur.execute("SELECT text FROM idea_versions ORDER BY id").fetchall()
        return [text for (text,) in rows]
    finally:
        store.close()
