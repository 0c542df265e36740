"""The workshop at a glance: progress of every group (the full screens come with issue #3)."""

import streamlit as st

from pages.common import lang, service, tr
from welfare_core import consolidate
from welfare_core.demo import ensure_demo

svc = service()
workshop = svc.workshop(ensure_demo(svc))
th = lang() == "th"
st.title(workshop.title_th if th else workshop.title_en)
st.caption(f"{workshop.held_on:%Y-%m-%d} · {workshop.venue_th if th else workshop.venue_en}")
progress = consolidate.progress(svc.store, workshop.id)
areas = {a.key: a.name_th if th else a.name_en for a in svc.store.read().areas(workshop.id)}
table = progress.set_index("group_th" if th else "group_en")[["funds", "rated", *areas]]
table.index.name = tr("col.group")
st.dataframe(
    table.rename(columns={"funds": tr("col.funds"), "rated": tr("col.rated"), **areas}),
    width="stretch",
)
