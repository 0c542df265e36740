"""The README's command table against the command line's public shape (welfare_core.cli.COMMANDS,
the table the parser is built from): every command and option is documented as the parser takes
it, and every command the README shows exists, with only its own options."""

from __future__ import annotations

import re

from support import ROOT

from welfare_core.cli import COMMANDS, DB_OPTION, Command, Option

PROGRAM = "python -m welfare_core"


def usage(option: Option) -> str:
    """How the option is written in the table: required bare, optional in brackets."""
    if not option.flags:
        return option.metavar
    flag = option.flags[0]
    written = flag if option.switch else f"{flag} {option.metavar}"
    return written if option.required else f"[{written}]"


def command_of(words: list[str]) -> Command | None:
    return next((c for c in COMMANDS if words[: len(c.name.split())] == c.name.split()), None)


def problems(readme: str) -> list[str]:
    """What the README gets wrong about the command line, one sentence each."""
    text = readme.replace("\\|", "|")  # markdown's escaped pipes, as typed: xlsx|docx
    found = []
    rows = {}  # each row of the command table: what is between its first backticks
    for line in re.findall(rf"^\| `{PROGRAM} ([^`]+)` \|", text, re.MULTILINE):
        command = command_of(line.split())
        if command is not None:
            rows[command.name] = line
            flags = {flag for option in command.options for flag in option.flags}
            unknown = [f for f in re.findall(r"(?<!\w)--?[a-z]+", line) if f not in flags]
            found += [f"`{line}`: {flag}?" for flag in unknown]
    for words in re.findall(rf"{PROGRAM} ([a-z]+(?: [a-z]+)?)", text):
        if command_of(words.split()) is None:
            found.append(f"`{PROGRAM} {words}` is no command")
    for command in COMMANDS:
        if command.name not in rows:
            found.append(f"no row for `{PROGRAM} {command.name}`")
            continue
        for option in command.options:
            if usage(option) not in rows[command.name]:
                found.append(f"`{command.name}` row lacks `{usage(option)}`")
    if f"Every command takes `{usage(DB_OPTION)[1:-1]}`" not in text:
        found.append(f"the README does not say every command takes {DB_OPTION.flags[0]}")
    return found


def test_the_readme_shows_every_command_and_option_as_the_parser_takes_them():
    assert problems((ROOT / "README.md").read_text(encoding="utf-8")) == []


def test_the_check_finds_a_missing_command_a_wrong_option_and_a_command_that_is_gone():
    planted = (
        "Every command takes `--db PATH`.\n"
        "| `python -m welfare_core status --workshop SLUG [--json] [--verbose]` | ... |\n"
        "| `python -m welfare_core demo --json` | ... |\n"
        "Run `python -m welfare_core bench --quick`.\n"
    )
    found = problems(planted)
    assert "`status --workshop SLUG [--json] [--verbose]`: --verbose?" in found
    assert "`demo` row lacks `[--json]`" in found  # an optional one is shown in brackets
    assert "`python -m welfare_core bench` is no command" in found
    assert "no row for `python -m welfare_core export`" in found
