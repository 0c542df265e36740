"""Entry point: the menu of who is here (participant, facilitator, projector) and nothing else."""

import streamlit as st

from pages.common import facilitator, joined_code, keep_language_in_link, tr

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
page = st.navigation(
    [
        start,
        st.Page(
            "pages/group_workspace.py",
            title=tr("nav.workspace"),
            icon=":material/groups:",
            url_path="group",
            visibility=participant,
        ),
        st.Page(
            "pages/projector_screen.py",
            title=tr("nav.projector"),
            icon=":material/co_present:",
            url_path="projector",
        ),
        st.Page(
            "pages/facilitator_setup.py",
            title=tr("nav.setup"),
            icon=":material/settings:",
            url_path="setup",
            visibility=facilitating,
        ),
        st.Page(
            "pages/plenary_board.py",
            title=tr("nav.plenary"),
            icon=":material/how_to_vote:",
            url_path="plenary",
            visibility=facilitating,
        ),
        st.Page(
            "pages/plan_export.py",
            title=tr("nav.export"),
            icon=":material/download:",
            url_path="export",
            visibility=facilitating,
        ),
    ],
    position="top",
)
# Less empty space above the content: a phone shows more of the form, a projector more data.
st.html("<style>.stMainBlockContainer { padding-top: 3.2rem; }</style>")
page.run()
