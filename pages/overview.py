"""The workshop at a glance: progress of every group (the full app screens come with issue #3)."""

import streamlit as st

from pages.common import lang, service, tr
from welfare_core import consolidate
from welfare_core.demo import ensure_demo

svc = service()
workshop = svc.workshop(ensure_demo(svc))
st.title(workshop.title_th if lang() == "th" else workshop.title_en)
st.caption(
    f"{workshop.held_on:%Y-%m-%d} · {workshop.venue_th if lang() == 'th' else workshop.venue_en}"
)
progress = consolidate.progress(svc.store, workshop.id)
name = "group_th" if lang() == "th" else "group_en"
st.dataframe(
    progress.drop(columns=["group_position", "group_id", "group_th", "group_en"]).set_index(
        progress[name]
    ),
    width="stretch",
)
st.caption(tr("app.title"))
