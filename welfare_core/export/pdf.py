"""The report as an A4 PDF: HTML drawn by WeasyPrint, whose Pango shapes Thai and breaks lines
between words (libthai), with Sarabun embedded."""

from __future__ import annotations

import base64
import html

from welfare_core.export import report
from welfare_core.export.model import ExportModel
from welfare_core.export.thai import FONT, chart_png, pdf_font

CSS = """
@font-face { font-family: Sarabun; src: url("%(regular)s"); }
@font-face { font-family: Sarabun; font-weight: bold; src: url("%(bold)s"); }
@page {
  size: A4; margin: 2.5cm 2cm 2cm 3cm;  /* 3 cm left, 2 cm right: Thai official */
  @bottom-center { content: "%(page)s " counter(page); font: 9pt Sarabun; color: #555; }
}
@page :first { @bottom-center { content: none; } }
html { font-family: Sarabun; font-size: 11pt; line-height: 1.55; color: #111; }
h1 { font-size: 16pt; margin: 0 0 8pt; color: #1f3864; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; color: #1f3864; break-after: avoid; }
p { margin: 0 0 6pt; }
p.centre { text-align: center; margin: 0; }
p.title { text-align: center; font-size: 18pt; font-weight: bold; margin: 3cm 0 8pt;
          color: #1f3864; }
p.subtitle { text-align: center; font-size: 14pt; margin: 0 0 6pt; }
p.note { font-style: normal; color: #444; }
/* fixed: the <col> widths are given, so WeasyPrint need not measure every cell first */
table { border-collapse: collapse; width: 100%%; table-layout: fixed; margin: 4pt 0 10pt;
        font-size: 9.5pt; line-height: 1.4; }
th { background: #dde4ee; font-weight: bold; text-align: left; }
th, td { border: 0.5pt solid #8a94a6; padding: 2pt 3pt; vertical-align: top;
         overflow-wrap: break-word; }
td.num, th.num { text-align: right; }
tr.total td { font-weight: bold; background: #f2f4f7; }
tr { break-inside: avoid; }
span.detail { display: block; color: #444; font-size: 8.5pt; }
figure { margin: 6pt 0 12pt; text-align: center; break-inside: avoid; }
figcaption { font-size: 9.5pt; color: #444; }
.break { break-before: page; }
"""


def write(model: ExportModel) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    return HTML(string=to_html(model)).write_pdf()


def to_html(model: ExportModel) -> str:
    css = CSS % {
        "regular": _data_url(pdf_font("Regular")),
        "bold": _data_url(pdf_font("Bold")),
        "page": model.text("page"),
    }
    body: list[str] = []
    page_break = False
    for block in report.build(model, chart_png).blocks:
        if isinstance(block, report.PageBreak):
            page_break = True
            continue
        body.append(_block(block, ' class="break"' if page_break else ""))
        page_break = False
    return (
        f'<!DOCTYPE html><html lang="{model.lang}"><head><meta charset="utf-8">'
        f"<title>{_text(model.text('plan_title', province=model.province))}</title>"
        f'<style>{css}</style></head><body style="font-family: {FONT}">'
        + "".join(body)
        + "</body></html>"
    )


def _data_url(font: bytes) -> str:
    return "data:font/ttf;base64," + base64.b64encode(font).decode()


def _text(value: str) -> str:
    """As typed: Pango finds Thai words only in the text as typed ("ำ" included)."""
    return html.escape(value).replace("\n", "<br>")


def _block(block: report.Block, attrs: str) -> str:
    if isinstance(block, report.Heading):
        return f"<h{block.level}{attrs}>{_text(block.text)}</h{block.level}>"
    if isinstance(block, report.Paragraph):
        return f'<div{attrs}><p class="{block.style}">{_text(block.text)}</p></div>'
    if isinstance(block, report.Picture):
        data = base64.b64encode(block.png).decode()
        return (
            f'<figure{attrs}><img src="data:image/png;base64,{data}" '
            f'style="width: {block.width_cm}cm"><figcaption>{_text(block.caption)}'
            "</figcaption></figure>"
        )
    return _table(block, attrs)


def _table(table: report.Table, attrs: str) -> str:
    total = sum(table.widths)
    cols = "".join(f'<col style="width: {w / total:.1%}">' for w in table.widths)
    head = "".join(f"<th{_num(i, table)}>{_text(h)}</th>" for i, h in enumerate(table.headers))
    rows = []
    for n, row in enumerate(table.rows):
        css = ' class="total"' if table.total and n == len(table.rows) - 1 else ""
        cells = "".join(f"<td{_num(i, table)}>{_cell(c)}</td>" for i, c in enumerate(row))
        rows.append(f"<tr{css}>{cells}</tr>")
    small = ' style="font-size: 9pt"' if table.small else ""  # beside a page break's class
    return (
        f"<table{attrs}{small}><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _num(i: int, table: report.Table) -> str:
    return ' class="num"' if i in table.numeric else ""


def _cell(cell: report.Cell) -> str:
    if isinstance(cell, tuple):
        text, detail = cell
        return _text(text) + (f'<span class="detail">{_text(detail)}</span>' if detail else "")
    return _text(cell)
