"""Start: choose the language, join a group, sign in as facilitator, open the projector."""

import streamlit as st

from welfare_core.codes import format_code
from welfare_ui.feedback import attempt, date_shown, markdown_escaped, pick, tr
from welfare_ui.runtime import DEMO_PASSCODE, newest_workshop, opens_with_demo_passcode, service
from welfare_ui.visitor import (
    check_code,
    device,
    language_switch,
    open_group,
    sign_in_facilitator,
)

svc = service()
newest_workshop()
workshops = svc.workshops()

st.title(tr("app.title"))
language_switch()

join, facilitate = st.columns(2, gap="large")
with join:
    st.subheader(tr("start.join_title"), anchor=False)
    with st.form("join"):
        code = st.text_input(tr("start.code_label"), placeholder="ABCD-EFGH", max_chars=20)
        go = st.form_submit_button(tr("start.join_button"), type="primary")
    if go and (found := attempt(lambda: open_group(code))):
        joined = found[1].join_code
        st.session_state["joined_code"] = joined
        device()  # the device id goes into the group's link with the code
        st.switch_page(
            "pages/group_workspace.py",
            query_params={"code": format_code(joined), "d": st.query_params["d"]},
        )

with facilitate:
    st.subheader(tr("start.facilitator_title"), anchor=False)
    with st.form("sign-in"):
        labels = {
            w.slug: f"{pick(w.title_th, w.title_en)} ({date_shown(w.held_on)})" for w in workshops
        }
        # A radio, not a select box: its labels wrap, so a long title is read whole.
        slug = st.radio(tr("start.workshop_label"), list(labels), format_func=labels.get)
        chosen = next((w for w in workshops if w.slug == slug), None)
        passcode = st.text_input(tr("start.passcode_label"), type="password", max_chars=100)
        signing_in = st.form_submit_button(tr("start.sign_in_button"))
    if chosen is not None and chosen.is_sample and opens_with_demo_passcode(chosen.id):
        st.caption(tr("start.demo_passcode", passcode=DEMO_PASSCODE))
    if signing_in and chosen is not None:
        token = attempt(lambda: check_code("passcode", lambda: svc.sign_in(chosen.slug, passcode)))
        if token:
            sign_in_facilitator(token)
            st.switch_page("pages/facilitator_setup.py")

st.divider()
st.subheader(tr("start.projector_title"), anchor=False)
for workshop in workshops[:5]:
    st.page_link(
        "pages/projector_screen.py",
        label=markdown_escaped(
            f"{pick(workshop.title_th, workshop.title_en)} ({date_shown(workshop.held_on)})"
        ),
        icon=":material/co_present:",
        query_params={"ws": workshop.slug},
    )
