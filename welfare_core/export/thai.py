"""Thai in pictures and PDF: the embedded Sarabun font, the chart as PNG, and the sara am fix."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import altair as alt
import fontpkg_sarabun

from welfare_core.charts import grade_distribution
from welfare_core.consolidate import totals_by_grade
from welfare_core.export.model import ExportModel
from welfare_core.i18n import t

FONT = fontpkg_sarabun.FAMILY
MAX_CHART_GROUPS = 40  # more bars than a page can label
FONT_DIR = fontpkg_sarabun.ROOT / "files"

# Sara am (U+0E33) is shaped into nikhahit + sara aa. vl-convert (1.x and 0.x alike) then draws
# the nikhahit on the next letter and drops the sara aa, and WeasyPrint's PDF maps the pair back
# to "า" alone, so copied or searched text loses the "ำ". Written as the two characters it looks
# the same, every glyph keeps its own character, and both render and extract it correctly.
_SARA_AM = re.compile("([\u0e48-\u0e4b]?)\u0e33")


def split_sara_am(text: str) -> str:
    """น้ำ -> น + nikhahit + tone + sara aa: the order a shaper puts the marks in."""
    return _SARA_AM.sub("\u0e4d\\1\u0e32", text)


def font_file(weight: str = "Regular") -> Path:
    return FONT_DIR / f"Sarabun-{weight}.ttf"


def chart_png(model: ExportModel) -> bytes:
    """The projector's grade chart (charts.grade_distribution) as a PNG for the documents."""
    counts = model.grade_counts
    groups = counts["group_position"].nunique()
    if groups > MAX_CHART_GROUPS:  # hundreds of bars say nothing: one bar for the whole file
        counts = totals_by_grade(counts).assign(
            group_position=1, group_th=t("export.total", "th"), group_en=t("export.total", "en")
        )
        groups = 1
    width = max(360, 130 * groups)
    chart = grade_distribution(counts, model.lang, FONT).properties(
        width=min(width, 1000), height=260
    )
    spec = chart.to_dict()
    if width > 1000:  # names side by side would overlap: slant them
        spec["encoding"]["x"]["axis"]["labelAngle"] = -45
    return render_png(spec)


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
