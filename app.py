"""Entry point: language switch and navigation; every screen lives in pages/."""

import streamlit as st

from welfare_core.i18n import LANGUAGES, t

st.set_page_config(page_title=t("app.title"), layout="wide")
st.sidebar.radio(
    "ภาษา / Language", LANGUAGES, format_func={"th": "ไทย", "en": "English"}.get, key="lang"
)
st.navigation([st.Page("pages/overview.py", title=t("app.overview", st.session_state.lang))]).run()
