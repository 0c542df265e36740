"""The command line: python -m welfare_core COMMAND ... (see README.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from welfare_core import backup, consolidate, export
from welfare_core.codes import format_code
from welfare_core.config import database_path
from welfare_core.db.store import Store
from welfare_core.demo import create_demo
from welfare_core.errors import DatabaseUnusable, InvalidInput, WelfareError
from welfare_core.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from welfare_core.model import Caller
from welfare_core.roster import MAX_BYTES, read_roster
from welfare_core.service import WorkshopService
from welfare_core.template import load_template

CLI_DEVICE = "command-line"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.run is None:  # bench: no database of the user's is touched
        from bench import run as bench  # the harness beside the package; it drives Streamlit

        return bench(quick=args.quick, as_json=args.json)
    lang = _language()
    try:
        if not args.opens_db:
            return args.run(args, lang)
        store = Store(database_path(args.db), create=args.creates)
        _warn_if_damaged(store, lang)
        try:
            return args.run(WorkshopService(store), args, lang)
        finally:
            store.close()
    except WelfareError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    except Exception as exc:  # never show a traceback to a facilitator
        if os.environ.get("WELFARE_DEBUG"):
            raise
        print(f"Unexpected error: {exc!r} (set WELFARE_DEBUG=1 for details)", file=sys.stderr)
        return 3


def _warn_if_damaged(store: Store, lang: str) -> None:
    """Damage to the log noticed at a start is said by every command until a restore."""
    warning = backup.damage_warning(store, backup.backup_dir(store.path))
    if warning is not None:
        print(warning.message(lang), file=sys.stderr)


def _language() -> str:
    lang = os.environ.get("WELFARE_LANG", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _utf8(value: str) -> str:
    """A slug or passcode as typed: bytes that are not UTF-8 can name nothing that is stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(t("cli.not_utf8", _language())) from None
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m welfare_core", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    new = _command(commands, "new", _new, "create a workshop from a template", creates=True)
    new.add_argument("--template", required=True, metavar="FILE")
    new.add_argument("--roster", metavar="FILE", help="CSV or XLSX roster of funds")
    new.add_argument(
        "--passcode", metavar="P", type=_utf8, help="facilitator passcode (default: generated)"
    )
    new.add_argument("--json", action="store_true")

    roster = commands.add_parser("roster", help="fund rosters")
    roster_commands = roster.add_subparsers(required=True, metavar="ACTION")
    imp = _command(
        roster_commands, "import", _roster_import, "add or update a workshop's funds from a roster"
    )
    imp.add_argument("--workshop", required=True, metavar="SLUG", type=_utf8)
    imp.add_argument("file", metavar="FILE")

    status = _command(commands, "status", _status, "funds rated and ideas per area, per group")
    status.add_argument("--workshop", required=True, metavar="SLUG", type=_utf8)
    status.add_argument("--json", action="store_true")

    exp = _command(commands, "export", _export, "write the consolidated plan to a file")
    exp.add_argument("--workshop", required=True, metavar="SLUG", type=_utf8)
    exp.add_argument("--format", required=True, metavar="|".join(export.FORMATS))
    exp.add_argument("-o", "--output", required=True, metavar="FILE")
    exp.add_argument(
        "--lang", metavar="th|en", help="language of the file (default: $WELFARE_LANG)"
    )

    demo = _command(
        commands,
        "demo",
        _demo,
        "create a finished sample workshop (Samut Prakan 2019)",
        creates=True,
    )
    demo.add_argument("--json", action="store_true")

    back = _command(
        commands, "backup", _backup, "write a snapshot of the database to a folder", opens_db=False
    )
    back.add_argument(
        "--to", metavar="DIR", help="folder (default: $WELFARE_BACKUP_DIR, else backups/ beside)"
    )
    back.add_argument("--list", action="store_true", help="list the snapshots in the folder")

    restore = _command(
        commands, "restore", _restore, "put a snapshot in place of the database", opens_db=False
    )
    restore.add_argument("snapshot", metavar="SNAPSHOT")

    bench = commands.add_parser(
        "bench", help="measure writes, reads, page runs, load and exports (BENCHMARKS.md)"
    )
    bench.add_argument("--quick", action="store_true", help="tiny sizes, about a minute")
    bench.add_argument("--json", action="store_true", help="the figures as JSON, last line")
    bench.set_defaults(run=None)
    return parser


def _command(
    commands: argparse._SubParsersAction,
    name: str,
    run: Callable,
    help_text: str,
    creates: bool = False,
    opens_db: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand; only those that create a workshop may create a missing database file.

    ``run`` gets the service of the open database, or with ``opens_db=False`` (backup,
    restore: they handle the database file themselves) only the arguments.
    """
    sub = commands.add_parser(name, help=help_text, description=help_text)
    sub.add_argument(
        "--db",
        metavar="PATH",
        help="DuckDB file (default: $WELFARE_DB, else sessions/workshops.duckdb)",
    )
    sub.set_defaults(run=run, creates=creates, opens_db=opens_db)
    return sub


def _read_file(path: str) -> bytes:
    """The file, up to one byte more than a roster may have: /dev/zero would never end."""
    try:
        with Path(path).open("rb") as f:
            return f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidInput("error.cannot_read", file=path, detail=exc.strerror) from None


def _new(service: WorkshopService, args: argparse.Namespace, lang: str) -> int:
    template = load_template(args.template)
    roster = (args.roster, _read_file(args.roster)) if args.roster else None
    created = service.create_from_template(template, roster, passcode=args.passcode)
    sample = roster is None and template.roster_is_sample
    print(t("cli.created", lang, slug=created.slug))
    if sample:
        print(t("cli.sample_roster", lang, funds=created.funds_added))
    else:
        print(t("cli.funds_added", lang, funds=created.funds_added))
    print(t("cli.passcode", lang, passcode=created.passcode))
    print(t("cli.join_codes", lang))
    for g in created.groups:
        print(f"  {format_code(g.join_code)}  {g.name_th} ({g.name_en})")
    if args.json:
        groups = [{"name": g.name_th, "join_code": g.join_code} for g in created.groups]
        _json(slug=created.slug, passcode=created.passcode, groups=groups)
    return 0


def _roster_import(service: WorkshopService, args: argparse.Namespace, lang: str) -> int:
    workshop = service.workshop(args.workshop)
    groups = service.groups(workshop.id)
    rows = read_roster(_read_file(args.file), args.file, groups)
    caller = Caller(service.owner_token(workshop.slug), CLI_DEVICE)
    added, updated = service.import_roster(caller, rows)
    print(t("cli.imported", lang, slug=workshop.slug, added=added, updated=updated))
    return 0


def _status(service: WorkshopService, args: argparse.Namespace, lang: str) -> int:
    workshop = service.workshop(args.workshop)
    with service.store.reading() as snap:
        progress = consolidate.progress(snap, workshop.id)
        areas = [a.key for a in snap.areas(workshop.id)]
    title = workshop.title_th if lang == "th" else workshop.title_en
    print(f"{workshop.slug}: {title} ({workshop.held_on})")
    groups = []
    for _, row in progress.iterrows():
        ideas = {a: int(row[a]) for a in areas}
        name = row["group_th"] if lang == "th" else row["group_en"]
        listed = " ".join(f"{a}={n}" for a, n in ideas.items())
        print(f"  {name}: {row['rated']}/{row['funds']} rated; ideas {listed}")
        groups.append(
            {
                "name": row["group_th"],
                "funds": int(row["funds"]),
                "rated": int(row["rated"]),
                "ideas": ideas,
            }
        )
    if args.json:
        _json(slug=workshop.slug, locked=workshop.locked, groups=groups)
    return 0


def _export(service: WorkshopService, args: argparse.Namespace, lang: str) -> int:
    export.check_format(args.format)  # before any work: a typo is told at once
    workshop = service.workshop(args.workshop)
    data = export.export_plan(service.store, workshop.id, args.format, args.lang or lang)
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise InvalidInput("export.cannot_write", file=args.output, detail=exc.strerror) from None
    print(t("export.written", lang, file=args.output, size=len(data)))
    return 0


def _demo(service: WorkshopService, args: argparse.Namespace, lang: str) -> int:
    slug = create_demo(service)
    print(t("cli.demo_ready", lang, slug=slug))
    if args.json:
        _json(slug=slug)
    return 0


def _backup(args: argparse.Namespace, lang: str) -> int:
    db = database_path(args.db)
    folder = backup.backup_dir(db, args.to)
    if args.list:
        return _list_snapshots(folder, lang)
    try:
        store = Store(db, create=False)
    except DatabaseUnusable as exc:
        if exc.key != "error.db_busy":
            raise
        # The app's own connection is the only way in: say where the app puts its snapshots.
        automatic = backup.backup_dir(db)
        raise DatabaseUnusable("backup.db_busy", folder=str(automatic), **exc.params) from None
    _warn_if_damaged(store, lang)
    try:
        made = backup.snapshot(store, folder)
    finally:
        store.close()
    print(t("backup.written", lang, file=str(made)))
    return 0


def _list_snapshots(folder: Path, lang: str) -> int:
    found = backup.snapshots(folder) if folder.is_dir() else []
    if not found:
        print(t("backup.none", lang, folder=str(folder)))
        return 0
    print(t("backup.listed", lang, folder=str(folder), count=len(found)))
    for path in found:
        print(f"  {path}  ({path.stat().st_size // 1024} KB)")
    return 0


def _restore(args: argparse.Namespace, lang: str) -> int:
    db = database_path(args.db)
    aside = backup.restore(Path(args.snapshot), db)
    store = Store(db, create=False)  # brings an older snapshot up to the current schema
    try:
        workshops = len(store.read().workshops())
    finally:
        store.close()
    print(t("backup.restored", lang, file=args.snapshot, path=str(db), workshops=workshops))
    if aside is not None:
        print(t("backup.kept_aside", lang, aside=str(aside)))
    return 0


def _json(**fields: object) -> None:
    print(json.dumps(fields, ensure_ascii=False))
