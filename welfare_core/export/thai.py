"""Thai in pictures and PDF: the embedded Sarabun font, the chart as PNG, and sara am ("ำ")."""

from __future__ import annotations

import copy
import io
import re
from functools import cache
from pathlib import Path

import altair as alt
import fontpkg_sarabun
from fontTools.otlLib.builder import buildCoverage, buildLookup, buildSingleSubstSubtable
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables

from welfare_core.charts import grade_distribution
from welfare_core.consolidate import totals_by_grade
from welfare_core.export.model import ExportModel
from welfare_core.i18n import t

FONT = fontpkg_sarabun.FAMILY
MAX_CHART_GROUPS = 40  # more bars than a page can label
CHART_PX = 640  # drawn 16 cm wide: the 20 px labels come out about 12 pt
FONT_DIR = fontpkg_sarabun.ROOT / "files"

# Sara am (U+0E33) is shaped into nikhahit + sara aa. vl-convert (1.x and 0.x alike) then draws
# the nikhahit on the next letter and drops the sara aa: the chart pictures get the text as the
# two characters, which look the same. A PDF must keep the text as typed instead: the line
# breaker finds Thai words only in the typed text (see pdf_font for how it extracts whole).
_SARA_AM = re.compile("([\u0e48-\u0e4b]?)\u0e33")
SARA_AA = "uni0E32"
NIKHAHIT = "uni0E4D"


def split_sara_am(text: str) -> str:
    """น้ำ -> น + nikhahit + tone + sara aa: the order a shaper puts the marks in."""
    return _SARA_AM.sub("\u0e4d\\1\u0e32", text)


def font_file(weight: str = "Regular") -> Path:
    return FONT_DIR / f"Sarabun-{weight}.ttf"


@cache
def pdf_font(weight: str = "Regular") -> bytes:
    """Sarabun whose sara aa has a glyph of its own where it ends a sara am.

    A PDF maps each glyph to one text, and WeasyPrint takes the text of its first use. "ำ" is
    drawn as nikhahit (or a nikhahit-and-tone ligature) then sara aa, so the plain sara aa
    glyph got "ำ" or "า" for the whole file, and copied text lost one or the other. Here the
    font itself (one more lookup) swaps the sara aa after a nikhahit for a copy per tone mark:
    each copy maps to "ำ", "่ำ", "้ำ"..., the nikhahit glyphs to nothing, and "า" stays "า".
    """
    font = TTFont(font_file(weight))
    order = font.getGlyphOrder()
    before = {  # the glyphs a sara am's sara aa follows, per tone mark (none, or 0E48-0E4B)
        tone: [g for g in (f"{NIKHAHIT}{tone}", f"{NIKHAHIT}{tone}.narrow") if g in order]
        for tone in ("", "0E48", "0E49", "0E4A", "0E4B")
    }
    copies = {tone: f"{SARA_AA}.am{tone}" for tone in before}
    font.setGlyphOrder(order + list(copies.values()))
    for glyph in copies.values():
        font["glyf"][glyph] = copy.deepcopy(font["glyf"][SARA_AA])
        font["hmtx"][glyph] = font["hmtx"][SARA_AA]
    glyph_ids = font.getReverseGlyphMap()
    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup
    rules = []
    for tone, previous in before.items():
        lookups.append(buildLookup([buildSingleSubstSubtable({SARA_AA: copies[tone]})]))
        rules.append(_after(buildCoverage(previous, glyph_ids), glyph_ids, len(lookups) - 1))
    lookups.append(buildLookup(rules))  # last: after Sarabun's own nikhahit-tone ligatures
    gsub.LookupList.LookupCount = len(lookups)
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":  # always applied
            record.Feature.LookupListIndex.append(len(lookups) - 1)
            record.Feature.LookupCount += 1
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _after(previous: otTables.Coverage, glyph_ids: dict, lookup: int) -> otTables.ChainContextSubst:
    """A rule: a sara aa right after one of ``previous`` goes through lookup ``lookup``."""
    rule = otTables.ChainContextSubst()
    rule.Format = 3
    rule.BacktrackGlyphCount, rule.BacktrackCoverage = 1, [previous]
    rule.InputGlyphCount, rule.InputCoverage = 1, [buildCoverage([SARA_AA], glyph_ids)]
    rule.LookAheadGlyphCount, rule.LookAheadCoverage = 0, []
    record = otTables.SubstLookupRecord()
    record.SequenceIndex, record.LookupListIndex = 0, lookup
    rule.SubstCount, rule.SubstLookupRecord = 1, [record]
    return rule


def chart_png(model: ExportModel) -> bytes:
    """The projector's grade chart (charts.grade_distribution) as a PNG for the documents."""
    counts = model.grade_counts
    if counts["group_position"].nunique() > MAX_CHART_GROUPS:  # one bar for the whole file
        counts = totals_by_grade(counts).assign(
            group_position=1, group_th=t("export.total", "th"), group_en=t("export.total", "en")
        )
    return render_png(grade_distribution(counts, model.lang, FONT).properties(width=CHART_PX))


def render_png(chart: alt.TopLevelMixin | dict, scale: float = 2.0) -> bytes:
    """An Altair chart (or its spec) as a PNG in Sarabun, with every "ำ" in it drawn whole."""
    import vl_convert as vlc  # 80 MB of renderer: loaded only when a document needs a picture

    _register_fonts(vlc)
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return vlc.vegalite_to_png(_deep_split(spec), scale=scale)


@cache
def _register_fonts(vlc) -> None:
    vlc.register_font_directory(str(FONT_DIR))


def _deep_split(value: object) -> object:
    if isinstance(value, str):
        return split_sara_am(value)
    if isinstance(value, dict):
        return {k: _deep_split(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_split(v) for v in value]
    return value
