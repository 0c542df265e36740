"""The report as a Word document: Sarabun in every slot (Thai is drawn with the complex-script
font, w:cs), real Heading styles for the navigation pane, page numbers in the footer."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from welfare_core.export import report
from welfare_core.export.model import ExportModel
from welfare_core.export.thai import FONT, chart_png

BODY_PT = 11
TABLE_PT = 9.5
DETAIL_PT = 8.5
NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x44, 0x44, 0x44)
HEADER_FILL = "DDE4EE"
TOTAL_FILL = "F2F4F7"
TEXT_WIDTH_CM = 16.0
PARAGRAPH_STYLES = {  # report paragraph style -> (size, bold, centred, colour)
    "body": (BODY_PT, False, False, None),
    "note": (BODY_PT, False, False, GREY),
    "centre": (BODY_PT, False, True, None),
    "title": (20, True, True, NAVY),
    "subtitle": (14, False, True, None),
}


def write(model: ExportModel) -> bytes:
    doc = Document()
    _page_setup(doc, model)
    _styles(doc, model.lang)
    for block in report.build(model, chart_png).blocks:
        _block(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(doc, model: ExportModel) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.5)
    section.different_first_page_header_footer = True  # no number on the title page
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, f"{model.text('page')} ", size=9)
    _page_field(_run(footer, "", size=9))


def _page_field(run) -> None:
    """A PAGE field: Word fills in the number of each page."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _styles(doc, lang: str) -> None:
    """Sarabun in Normal and the headings, in all four font slots, theme fonts removed."""
    sizes = {"Normal": BODY_PT, "Heading 1": 16, "Heading 2": 13}
    for name, size in sizes.items():
        style = doc.styles[name]
        _fonts(style.element.get_or_add_rPr(), size)
        if name != "Normal":
            style.font.color.rgb = NAVY
            style.font.bold = True
            style.font.italic = False
            style.paragraph_format.space_before = Pt(14 if name == "Heading 1" else 10)
            style.paragraph_format.space_after = Pt(6)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "th-TH" if lang == "th" else "en-GB")
    language.set(qn("w:bidi"), "th-TH")  # Word's language for complex-script text
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    rpr.remove_all("w:lang")
    rpr.insert_element_before(language, "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _fonts(rpr, size: float | None = None) -> None:
    fonts = rpr.get_or_add_rFonts()
    for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{slot}"), FONT)
    for theme in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    if size is not None:
        half_points = str(round(size * 2))
        size_el = rpr.get_or_add_sz()
        size_el.set(qn("w:val"), half_points)
        cs_size = rpr.find(qn("w:szCs"))  # the size Word uses for Thai
        if cs_size is None:
            cs_size = OxmlElement("w:szCs")
            size_el.addnext(cs_size)
        cs_size.set(qn("w:val"), half_points)


def _run(paragraph, text: str, size: float | None = None, bold: bool = False, colour=None):
    """A run with Sarabun set in every slot, the complex-script one included."""
    run = paragraph.add_run(text)
    _fonts(run._r.get_or_add_rPr(), size)
    if bold:
        run.bold = True
        run._r.get_or_add_rPr().get_or_add_bCs()  # bold for Thai too
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _block(doc, block: report.Block) -> None:
    if isinstance(block, report.PageBreak):
        _run(doc.add_paragraph(), "").add_break(WD_BREAK.PAGE)
    elif isinstance(block, report.Heading):
        _run(doc.add_paragraph(style=f"Heading {block.level}"), block.text)
    elif isinstance(block, report.Paragraph):
        size, bold, centred, colour = PARAGRAPH_STYLES[block.style]
        paragraph = doc.add_paragraph()
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if block.style == "title":
            paragraph.paragraph_format.space_before = Pt(96)
        _run(paragraph, block.text, size, bold, colour)
    elif isinstance(block, report.Picture):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, "").add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
        caption = doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(caption, block.caption, TABLE_PT, colour=GREY)
    else:
        _table(doc, block)


def _table(doc, table: report.Table) -> None:
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(table.widths)
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in table.widths]
    grid.autofit = False  # Word and LibreOffice keep the column widths below
    _cell_margins(grid)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    header = grid.rows[0]
    _repeat_as_header(header)
    for i, (cell, text) in enumerate(zip(header.cells, table.headers, strict=True)):
        _fill(cell, HEADER_FILL)
        _cell(cell, text, i in table.numeric, widths[i], bold=True)
    for n, values in enumerate(table.rows):
        is_total = table.total and n == len(table.rows) - 1
        cells = grid.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            if is_total:
                _fill(cell, TOTAL_FILL)
            _cell(cell, value, i in table.numeric, widths[i], bold=is_total)
    doc.add_paragraph()


def _cell(cell, value: report.Cell, numeric: bool, width, bold: bool = False) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    if numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    text, detail = value if isinstance(value, tuple) else (value, "")
    _run(paragraph, text, TABLE_PT, bold)
    for line in detail.splitlines():
        _run(cell.add_paragraph(), line, DETAIL_PT, colour=GREY)


def _cell_margins(grid) -> None:
    """A little room above and below: Thai marks stand above and below the line."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 30), ("left", 85), ("bottom", 30), ("right", 85)):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    grid._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _fill(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().insert_element_before(
        shading, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def _repeat_as_header(row) -> None:
    """The header row is repeated at the top of every page a long table runs over."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)
