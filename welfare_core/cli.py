"""The command line: python -m welfare_core COMMAND ... (see README.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from welfare_core import backup, export
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
    """The parser, built from COMMANDS (the table at the end of this module)."""
    parser = argparse.ArgumentParser(prog="python -m welfare_core", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    for command in COMMANDS:
        *group, name = command.name.split()
        where = commands
        if group:  # "roster import": an action under the command "roster"
            if group[0] not in groups:
                action = commands.add_parser(group[0], help=GROUPS[group[0]])
                groups[group[0]] = action.add_subparsers(required=True, metavar="ACTION")
            where = groups[group[0]]
        sub = where.add_parser(name, help=command.help, description=command.help)
        for option in (*command.options, DB_OPTION):
            option.add_to(sub)
        sub.set_defaults(run=command.run, creates=command.creates, opens_db=command.opens_db)
    return parser


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
    status = service.status(args.workshop)
    workshop, progress = status.workshop, status.progress
    areas = [a.key for a in status.areas]
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
    data = service.export(workshop.id, args.format, args.lang or lang)
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


# --- the public shape of the command line: the parser and the README's table follow it --------


@dataclass(frozen=True)
class Option:
    """One option or argument: ``flags`` as typed ("-o", "--output"), or none for a positional
    argument named by its metavar; a ``switch`` takes no value."""

    flags: tuple[str, ...]
    metavar: str = ""
    help: str | None = None
    required: bool = False
    switch: bool = False
    type: Callable[[str], str] | None = None

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        if self.switch:
            parser.add_argument(*self.flags, action="store_true", help=self.help)
        elif not self.flags:
            parser.add_argument(self.metavar.lower(), metavar=self.metavar, help=self.help)
        else:
            parser.add_argument(
                *self.flags,
                metavar=self.metavar,
                help=self.help,
                required=self.required,
                type=self.type,
            )


@dataclass(frozen=True)
class Command:
    """A command; only those that create a workshop may create a missing database file.

    ``run`` gets the service of the open database, or with ``opens_db=False`` (backup,
    restore: they handle the database file themselves) only the arguments.
    """

    name: str
    run: Callable[..., int]
    help: str
    options: tuple[Option, ...] = ()
    creates: bool = False
    opens_db: bool = True


JSON = Option(("--json",), switch=True, help="the result as JSON, last line")
WORKSHOP = Option(("--workshop",), "SLUG", required=True, type=_utf8)
DB_OPTION = Option(
    ("--db",), "PATH", help="DuckDB file (default: $WELFARE_DB, else sessions/workshops.duckdb)"
)
GROUPS = {"roster": "fund rosters"}
COMMANDS: tuple[Command, ...] = (
    Command(
        "new",
        _new,
        "create a workshop from a template",
        (
            Option(("--template",), "FILE", required=True),
            Option(("--roster",), "FILE", help="CSV or XLSX roster of funds"),
            Option(
                ("--passcode",), "P", help="facilitator passcode (default: generated)", type=_utf8
            ),
            JSON,
        ),
        creates=True,
    ),
    Command(
        "roster import",
        _roster_import,
        "add or update a workshop's funds from a roster",
        (WORKSHOP, Option((), "FILE")),
    ),
    Command("status", _status, "funds rated and ideas per area, per group", (WORKSHOP, JSON)),
    Command(
        "export",
        _export,
        "write the consolidated plan to a file",
        (
            WORKSHOP,
            Option(("--format",), "|".join(export.FORMATS), required=True),
            Option(("-o", "--output"), "FILE", required=True),
            Option(("--lang",), "th|en", help="language of the file (default: $WELFARE_LANG)"),
        ),
    ),
    Command(
        "demo",
        _demo,
        "create a finished sample workshop (Samut Prakan 2019)",
        (JSON,),
        creates=True,
    ),
    Command(
        "backup",
        _backup,
        "write a snapshot of the database to a folder",
        (
            Option(
                ("--to",), "DIR", help="folder (default: $WELFARE_BACKUP_DIR, else backups/ beside)"
            ),
            Option(("--list",), switch=True, help="list the snapshots in the folder"),
        ),
        opens_db=False,
    ),
    Command(
        "restore",
        _restore,
        "put a snapshot in place of the database",
        (Option((), "SNAPSHOT"),),
        opens_db=False,
    ),
)
