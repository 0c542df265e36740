"""The consolidated plan as Excel, Word, PDF or CSV, during the session and after it."""

import streamlit as st

from welfare_core.export import FORMATS, MIME_TYPES, file_name
from welfare_core.i18n import LANGUAGES
from welfare_ui.feedback import lang, tr
from welfare_ui.runtime import service
from welfare_ui.visitor import LANGUAGE_NAMES, require_facilitator

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
        data=lambda fmt=fmt: svc.export(workshop.id, fmt, doc_lang),
        file_name=file_name(workshop, fmt),
        mime=MIME_TYPES[fmt],
        icon=":material/download:",
        on_click="ignore",
    )
