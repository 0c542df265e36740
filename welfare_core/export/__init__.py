"""The consolidated plan as a file: Excel, Word, PDF, or a zip of CSV tables.

The export page and the command line call only what is here.
"""

from __future__ import annotations

from importlib import import_module

from welfare_core.db.store import Store
from welfare_core.errors import InvalidInput, NotFound
from welfare_core.export.model import build
from welfare_core.i18n import LANGUAGES
from welfare_core.model import Workshop

FORMATS: tuple[str, ...] = ("xlsx", "docx", "pdf", "csv")
MIME_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csv": "application/zip",
}
_EXTENSIONS = {"xlsx": "xlsx", "docx": "docx", "pdf": "pdf", "csv": "zip"}


def export_plan(store: Store, workshop_id: int, fmt: str, lang: str) -> bytes:
    """The workshop's consolidated plan as the bytes of a file in ``fmt``, texts in ``lang``."""
    check_format(fmt)
    if lang not in LANGUAGES:
        raise InvalidInput("export.bad_lang", value=lang)
    with store.reading() as snap:  # one moment: a save meanwhile is in no table or in all
        workshop = snap.workshop_by_id(workshop_id)
        if workshop is None:
            raise NotFound("error.no_workshop", slug=workshop_id)
        model = build(snap, workshop, lang)
    # Each writer is imported on first use: WeasyPrint and the chart renderer are heavy.
    writer = import_module(f"welfare_core.export.{fmt}")
    return writer.write(model)


def file_name(workshop: Workshop, fmt: str) -> str:
    """demo-samut-prakan-2562_2019-06-24_plan.xlsx: the slug and the workshop's date."""
    check_format(fmt)
    return f"{workshop.slug}_{workshop.held_on.isoformat()}_plan.{_EXTENSIONS[fmt]}"


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput("export.bad_format", value=fmt, formats=", ".join(FORMATS))
