"""The report as a Word document: Sarabun in every slot (Thai is drawn with the complex-script
font, w:cs), real Heading styles for the navigation pane, page numbers in the footer.

Sarabun is embedded in the file (as Word embeds fonts: obfuscated, ECMA-376 17.8.1), so Word
and LibreOffice draw it where it is not installed: without it LibreOffice drew Loma, wider, and
broke words and pages. The font table names TH SarabunPSK, the government PCs' font, as its
alternative for a reader that ignores embedded fonts.
"""

from __future__ import annotations

import copy
import io
import uuid
from typing import NamedTuple

from docx import Document
from docx.document import _Body
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from welfare_core.clock import THAI_TIME
from welfare_core.export import report
from welfare_core.export.model import ExportModel
from welfare_core.export.thai import FONT, chart_png, font_file

BODY_PT = 11
TABLE_PT = 9.5
SMALL_TABLE_PT = 9.0
DETAIL_PT = 8.5
NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x44, 0x44, 0x44)
HEADER_FILL = "DDE4EE"
TOTAL_FILL = "F2F4F7"
TEXT_WIDTH_CM = 16.0  # A4 less 3 cm left and 2 cm right, as Thai official documents use
TC, TEXT = qn("w:tc"), f".//{qn('w:t')}"
OFFICIAL_FONT = "TH SarabunPSK"  # on Thai government PCs (Cabinet resolution of 2010)
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
PARAGRAPH_STYLES = {  # report paragraph style -> (size, bold, centred, colour)
    "body": (BODY_PT, False, False, None),
    "note": (BODY_PT, False, False, GREY),
    "centre": (BODY_PT, False, True, None),
    "title": (20, True, True, NAVY),
    "subtitle": (14, False, True, None),
}


def write(model: ExportModel) -> bytes:
    doc = Document()
    _properties(doc, model)
    _page_setup(doc, model)
    _styles(doc, model.lang)
    _embed_font(doc)
    # python-docx is slow at national size (thousands of tables, 20,000 rows): each block is
    # built in a small scratch body in the same tree, then moved before the section properties
    # (python-docx would scan the whole body for every addition), and tables of one shape are
    # copies of one prepared table.
    scratch = _Body(OxmlElement("w:body"), doc)
    doc.element.append(scratch._element)
    end = doc.element.body.sectPr
    prepared: dict[tuple, Prepared] = {}
    for block in report.build(model, chart_png).blocks:
        _block(scratch, block, prepared)
        for element in list(scratch._element):
            end.addprevious(element)
    doc.element.remove(scratch._element)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _properties(doc, model: ExportModel) -> None:
    """File > Properties: the plan's title, the organisers as author, made now (not python-docx
    of 2013, its template's)."""
    core = doc.core_properties
    core.title = model.text("plan_title", province=model.province)
    core.subject = model.title
    core.author = core.last_modified_by = "; ".join(model.workshop.organisers) or model.title
    core.created = core.modified = model.exported_at - THAI_TIME  # the file stores UTC
    core.comments = core.keywords = core.category = ""
    core.revision = 1
    core.language = "th-TH" if model.lang == "th" else "en-GB"


def _embed_font(doc) -> None:
    """Sarabun, regular and bold, inside the file, named in its font table with TH SarabunPSK
    as the alternative."""
    table = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    fonts = etree.fromstring(table.blob)
    font = etree.SubElement(fonts, qn("w:font"), {qn("w:name"): FONT})
    etree.SubElement(font, qn("w:altName"), {qn("w:val"): OFFICIAL_FONT})
    etree.SubElement(font, qn("w:charset"), {qn("w:val"): "DE"})  # Thai
    etree.SubElement(font, qn("w:family"), {qn("w:val"): "swiss"})
    etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    for weight, tag in (("Regular", "w:embedRegular"), ("Bold", "w:embedBold")):
        key = uuid.uuid4()
        uri = PackURI(f"/word/fonts/{FONT.lower()}-{weight.lower()}.odttf")
        data = _obfuscate(font_file(weight).read_bytes(), key)
        part = Part(uri, OBFUSCATED_FONT, data, table.package)
        rid = table.relate_to(part, RELATIONSHIP_TYPE.FONT)
        key_text = "{" + str(key).upper() + "}"
        etree.SubElement(font, qn(tag), {qn("r:id"): rid, qn("w:fontKey"): key_text})
    table._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)
    settings = doc.settings.element
    settings.insert(1, OxmlElement("w:embedTrueTypeFonts"))  # after w:zoom, as the schema orders


def _obfuscate(font: bytes, key: uuid.UUID) -> bytes:
    """The first 32 bytes XORed with the key's 16 bytes in reverse order (ECMA-376 17.8.1)."""
    mask = bytes.fromhex(key.hex)[::-1] * 2
    return bytes(b ^ m for b, m in zip(font[:32], mask, strict=True)) + font[32:]


def _page_setup(doc, model: ExportModel) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
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


def _block(doc: _Body, block: report.Block, prepared: dict[tuple, Prepared]) -> None:
    if isinstance(block, report.PageBreak):
        _run(doc.add_paragraph(), "").add_break(WD_BREAK.PAGE)
    elif isinstance(block, report.Heading):
        style = doc.part.document.styles[f"Heading {block.level}"]
        _run(doc.add_paragraph(style=style), block.text)
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
        _table(doc, block, prepared)


class Prepared(NamedTuple):
    """An empty table with its header row, and the rows and line its body is copied from."""

    table: CT_Tbl
    body: CT_Row
    last: CT_Row
    detail: CT_P


def _table(doc: _Body, table: report.Table, prepared: dict[tuple, Prepared]) -> None:
    shape = (tuple(table.headers), tuple(table.widths), table.numeric, table.total, table.small)
    if shape not in prepared:
        prepared[shape] = _prepare(doc, table)
    empty, body, last, detail = prepared[shape]
    grid = copy.deepcopy(empty)
    for n, values in enumerate(table.rows):
        tr = copy.deepcopy(last if n == len(table.rows) - 1 else body)
        for tc, value in zip(tr.iterchildren(TC), values, strict=True):
            text, more = value if isinstance(value, tuple) else (value, "")
            tc.find(TEXT).text = text
            for line in more.splitlines():
                paragraph = copy.deepcopy(detail)
                paragraph.find(TEXT).text = line
                tc.append(paragraph)
        grid.append(tr)
    doc._element.append(grid)
    doc.add_paragraph()


def _prepare(doc: _Body, table: report.Table) -> Prepared:
    total = sum(table.widths)
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in table.widths]
    grid = doc.add_table(rows=1, cols=len(table.headers), width=Cm(TEXT_WIDTH_CM))
    grid.style = doc.part.document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False  # Word and LibreOffice keep the column widths below
    _cell_margins(grid)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    header = grid.rows[0]
    _repeat_as_header(header)
    for i, (cell, text) in enumerate(zip(header.cells, table.headers, strict=True)):
        _fill(cell, HEADER_FILL)
        _cell(cell, text, i in table.numeric, widths[i], _size(table), bold=True)
    body = _row_template(grid, table, widths, total_row=False)
    last = _row_template(grid, table, widths, total_row=True) if table.total else body
    detail = _detail_template(grid)
    doc._element.remove(grid._tbl)
    return Prepared(grid._tbl, body, last, detail)


def _row_template(grid, table: report.Table, widths, total_row: bool):
    """A body row (or the bold, shaded total row) with its formatting and placeholder text."""
    row = grid.add_row()
    for i, cell in enumerate(row.cells):
        if total_row:
            _fill(cell, TOTAL_FILL)
        _cell(cell, "-", i in table.numeric, widths[i], _size(table), bold=total_row)
    for text in row._tr.iter(qn("w:t")):
        text.set(qn("xml:space"), "preserve")
    keep = OxmlElement("w:cantSplit")  # a row stays on one page
    row._tr.get_or_add_trPr().insert_element_before(keep, "w:trHeight", "w:tblHeader")
    grid._tbl.remove(row._tr)
    return row._tr


def _detail_template(grid):
    """The smaller grey paragraph of a cell's second line."""
    cell = grid.rows[0].cells[0]
    paragraph = cell.add_paragraph()
    _run(paragraph, "-", DETAIL_PT, colour=GREY)._r.find(qn("w:t")).set(qn("xml:space"), "preserve")
    cell._tc.remove(paragraph._p)
    return paragraph._p


def _size(table: report.Table) -> float:
    return SMALL_TABLE_PT if table.small else TABLE_PT


def _cell(cell, text: str, numeric: bool, width, size: float, bold: bool = False) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    if numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(paragraph, text, size, bold)


def _cell_margins(grid) -> None:
    """A little room above and below: Thai marks stand above and below the line."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 30), ("left", 60), ("bottom", 30), ("right", 60)):
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
