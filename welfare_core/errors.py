"""Errors a user can read. Each carries a catalog key so pages can show it in Thai or English."""

from __future__ import annotations

from dataclasses import dataclass

from welfare_core.i18n import t

QUOTE_LIMIT = 80


def _quoted(params: dict[str, object]) -> dict[str, object]:
    """The parameters of a message, with a typed value cut short: a value may be anything
    pasted into a form or a link, and ten thousand characters of it would bury the sentence."""
    return {k: _short(v) if k in ("value", "slug") else v for k, v in params.items()}


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= QUOTE_LIMIT else f"{text[:QUOTE_LIMIT]}…"


class WelfareError(Exception):
    """A problem the user can fix; ``str()`` gives the English sentence."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def __str__(self) -> str:
        return self.message("en")

    def message(self, lang: str) -> str:
        # A "field" parameter is itself a catalog key, so it is shown in the same language.
        params = {k: t(v, lang) if k == "field" else v for k, v in _quoted(self.params).items()}
        return t(self.key, lang, **params)


class NotAllowed(WelfareError):
    """The code or passcode does not allow this action."""


class TooSoon(WelfareError):
    """Too many wrong codes or passcodes just now (in this browser or in the whole room)."""


class WorkshopLocked(WelfareError):
    def __init__(self) -> None:
        super().__init__("error.locked")


class InvalidInput(WelfareError):
    """A value typed or uploaded by a user is not acceptable."""


class NotFound(WelfareError):
    pass


class DatabaseUnusable(WelfareError):
    """The database file is held by another process (normally the running app) or is no
    DuckDB database at all."""


class NotSaved(WelfareError):
    """A write that could not reach the disk (it is full): nothing of it was stored."""


class BackupFailed(WelfareError):
    """A snapshot could not be written (a full or removed USB stick, a folder not writable)."""


class TemplateError(WelfareError):
    pass


@dataclass(frozen=True)
class RowProblem:
    """One problem in a roster file; row 0 means the file as a whole."""

    row: int
    column: str
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def message(self, lang: str) -> str:
        text = t(self.key, lang, **_quoted(dict(self.params)))
        if self.row == 0:
            return text
        if not self.column:
            return f"{t('roster.where_row', lang, row=self.row)}: {text}"
        where = t("roster.where", lang, row=self.row, column=self.column)
        return f"{where}: {text}"


class RosterError(WelfareError):
    """A roster was refused as a whole; ``problems`` lists every reason."""

    def __init__(self, filename: str, problems: list[RowProblem]) -> None:
        self.filename = filename
        self.problems = problems
        super().__init__("roster.refused", file=filename, count=len(problems))

    def message(self, lang: str) -> str:
        lines = [t(self.key, lang, **self.params)]
        lines += [f"- {p.message(lang)}" for p in self.problems]
        return "\n".join(lines)
