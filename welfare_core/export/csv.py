"""CSV for any spreadsheet: a zip of funds.csv and ideas.csv, UTF-8 with a BOM for Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pandas as pd

from welfare_core.export import tables
from welfare_core.export.model import ExportModel

# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write(model: ExportModel) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("funds.csv", table(model, tables.FUNDS, model.funds))
        archive.writestr("ideas.csv", table(model, tables.IDEAS, model.ideas))
    return out.getvalue()


def table(model: ExportModel, columns: tuple[tables.Column, ...], frame: pd.DataFrame) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(tables.headers(model, columns))
    for values in tables.rows(model, columns, frame):
        writer.writerow([neutralise(v) for v in values])
    return text.getvalue().encode("utf-8-sig")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; times to the
    minute, as the spreadsheet shows them."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value
