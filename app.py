"""Entry point: the menu of who is here (participant, facilitator, projector) and nothing else."""

import streamlit as st

from welfare_ui.feedback import connection_notice, toasts_stay_on_their_page, tr
from welfare_ui.visitor import facilitator, joined_code, keep_language_in_link

keep_language_in_link()
# A local icon: Material icons as page icons make the browser fetch a favicon from Google.
st.set_page_config(
    page_title=tr("app.title"),
    page_icon="static/favicon.png",
    layout="wide",
    initial_sidebar_state="collapsed",
)

start = st.Page("pages/start.py", title=tr("nav.start"), icon=":material/home:", default=True)
# Streamlit still treats a folder named pages/ as an old-style multipage app until the first
# st.navigation call of the process: a first request to /NAME runs pages/NAME.py without this
# script. So no url_path below is the name of a file in pages/ (a test checks it).
# Every page is registered so that links and page switches always work; the menu shows only
# what this browser's role may use, and each page checks the role itself.
participant = "visible" if joined_code() else "hidden"
facilitating = "visible" if facilitator() is not None else "hidden"
# (file in pages/, catalog key, icon, url path, who sees it in the menu)
SCREENS = (
    ("group_workspace", "nav.workspace", "groups", "group", participant),
    ("projector_screen", "nav.projector", "co_present", "projector", "visible"),
    ("facilitator_setup", "nav.setup", "settings", "setup", facilitating),
    ("plenary_board", "nav.plenary", "how_to_vote", "plenary", facilitating),
    ("plan_export", "nav.export", "download", "export", facilitating),
)
pages = [
    st.Page(
        f"pages/{file}.py",
        title=tr(key),
        icon=f":material/{icon}:",
        url_path=url,
        visibility=shown,
    )
    for file, key, icon, url, shown in SCREENS
]
page = st.navigation([start, *pages], position="top")
toasts_stay_on_their_page(page.url_path)
# Less empty space above the content: a phone shows more of the form, a projector more data.
# On a phone, toasts come up at the bottom, not over the page's title (a group's name).
st.html(
    "<style>.stMainBlockContainer { padding-top: 3.2rem; }"
    "@media (max-width: 640px) { .stToastContainer { top: auto !important; bottom: .5rem; } }"
    "</style>"
)
connection_notice()
page.run()
