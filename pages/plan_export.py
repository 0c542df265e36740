"""The consolidated plan as Excel, Word, PDF or CSV, during the session and after it."""

import streamlit as st

from pages.common import LANGUAGE_NAMES, lang, require_facilitator, service, tr
from welfare_core.export import FORMATS, MIME_TYPES, export_plan, file_name
from welfare_core.i18n import LANGUAGES

svc = service()
workshop, _ = require_facilitator()

st.title(tr("exportpage.title"), anchor=False)
st.caption(tr("exportpage.hint"))
doc_lang = st.segmented_control(
    tr("exportpage.language"),
    LANGUAGES,
    default=lang(),
    format_func=LANGUAGE_NAMES.get,
    required=True,
)
for fmt in FORMATS:
    # The file is built on click, on a thread of its own: the page and the projector go on.
    st.download_button(
        tr(f"exportpage.{fmt}"),
        data=lambda fmt=fmt: export_plan(svc.store, workshop.id, fmt, doc_lang),
        file_name=file_name(workshop, fmt),
        mime=MIME_TYPES[fmt],
        icon=":material/download:",
        on_click="ignore",
    )
