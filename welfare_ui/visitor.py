"""Who is at this browser: their language, device and Save press, the group they joined, the
facilitator sign-in, their tries at codes, and what they typed but did not save."""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from typing import TypeVar

import streamlit as st

from welfare_core.codes import format_code, normalise_code
from welfare_core.config import database_path
from welfare_core.errors import TooSoon, WelfareError
from welfare_core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from welfare_core.model import Caller, Group, Workshop
from welfare_core.text import MAX_TEXT
from welfare_core.throttle import (
    ADDRESS_REFILL_S,
    ADDRESS_TRIES,
    BucketPerKey,
    RoomThrottle,
    Throttle,
)
from welfare_ui.feedback import lang, show_error, tr
from welfare_ui.runtime import service

T = TypeVar("T")
LANGUAGE_NAMES = {"th": "ไทย", "en": "English"}


# --- language ------------------------------------------------------------------------------------


def keep_language_in_link() -> None:
    """The language survives a reload: it is read from the link and written back to it."""
    linked = st.query_params.get("lang")
    if "language" not in st.session_state and linked in LANGUAGES:
        st.session_state["language"] = linked
    if lang() == DEFAULT_LANGUAGE:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang()


def language_switch() -> None:
    """The switch keeps its choice in "language", a plain key: Streamlit forgets a widget's own
    key on every page that does not draw the widget."""
    st.session_state["language_switch"] = lang()
    st.segmented_control(
        "ภาษา / Language",
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        key="language_switch",
        required=True,
        on_change=lambda: st.session_state.update(language=st.session_state["language_switch"]),
    )


# --- tries at codes and passcodes ----------------------------------------------------------------


def throttle(name: str) -> Throttle:
    """This browser session's counter of wrong codes (or passcodes)."""
    return st.session_state.setdefault(f"throttle_{name}", Throttle())


@st.cache_resource
def room_throttle(name: str) -> RoomThrottle:
    """The counter of wrong codes (or passcodes) of every browser session of this server."""
    return RoomThrottle()


@st.cache_resource
def address_throttle(name: str) -> BucketPerKey:
    """The counters of wrong codes (or passcodes) of each client address of this server."""
    return BucketPerKey(ADDRESS_TRIES, ADDRESS_REFILL_S)


def check_code(name: str, check: Callable[[], T]) -> T:
    """Run ``check`` of a join code (name "code") or a passcode ("passcode") unless this session,
    this client address or the whole room has had too many wrong ones just now: then TooSoon
    says how long to wait. A script on one address spends its own address's tries, not the
    room's, so a member opening the group's link on another phone gets in at once."""
    mine, here, room = throttle(name), address_throttle(name), room_throttle(name)
    address = st.context.ip_address or ""  # "" on the laptop itself: the facilitator's, no limit
    if wait := mine.wait_s():
        raise TooSoon("start.wait", seconds=wait)
    if address and (wait := here.take(address)):
        raise TooSoon("start.wait", seconds=math.ceil(wait))
    if wait := room.take():
        if address:
            here.give_back(address)
        raise TooSoon("start.room_wait", seconds=wait)
    try:
        result = check()
    except WelfareError:
        mine.failed()
        raise
    mine.succeeded()
    if address:
        here.give_back(address)
    room.give_back()
    return result


# --- the participant's device and group ----------------------------------------------------------


def open_group(code: str) -> tuple[Workshop, Group]:
    """The workshop and group a join code opens; the code is checked through the throttles once
    per session, since the group page checks it again on every click."""
    if normalise_code(code) == st.session_state.get("opened_code"):
        return service().join(code)
    workshop, group = check_code("code", lambda: service().join(code))
    st.session_state["opened_code"] = group.join_code
    return workshop, group


def device() -> str:
    """This browser's device name, kept in the URL (a reload keeps it) and in the session (the
    menu drops query parameters): one device must not look like two that disagree."""
    linked = st.query_params.get("d", "")
    # Anyone may edit a link: only an id like the ones made here is taken from it.
    linked = linked if re.fullmatch(r"[0-9a-z]{1,16}", linked) else ""
    chosen = linked or st.session_state.get("device") or secrets.token_hex(3)
    st.session_state["device"] = st.query_params["d"] = chosen
    agent = st.context.headers.get("User-Agent", "")
    kind = "phone" if "Mobile" in agent else "laptop"
    return f"{kind}-{chosen}"


def press() -> str:
    """The id of this tab's next Save press, kept in the link: when a server restart cut off a
    save's confirmation, pressing Save again sends the same id and the save is not stored
    twice. ``attempt`` makes a new one after each success."""
    linked = st.query_params.get("p", "")
    if not re.fullmatch(r"[0-9a-z]{1,16}", linked):
        linked = st.query_params["p"] = secrets.token_hex(6)
    return linked


def joined_code() -> str:
    """The group code of this participant: in the link, else remembered from this session."""
    code = st.query_params.get("code") or st.session_state.get("joined_code", "")
    if code:
        st.session_state["joined_code"] = code
    return code


def forget_group() -> None:
    st.session_state.pop("joined_code", None)
    st.query_params.pop("code", None)


def joined_group() -> tuple[Workshop, Group]:
    """The workshop and group of the code in the link; without a code that opens one, the page
    says why, offers the start page and stops."""
    code = joined_code()
    if not code:
        st.info(tr("workspace.no_code"), icon=":material/key:")
        st.page_link("pages/start.py", label=tr("nav.start"), icon=":material/home:")
        st.stop()
    try:
        workshop, group = open_group(code)
    except TooSoon as err:
        show_error(err)  # the code stays in the link: a reload after the wait tries it again
        st.stop()
    except WelfareError as err:
        forget_group()
        show_error(err)
        st.page_link("pages/start.py", label=tr("nav.start"), icon=":material/home:")
        st.stop()
    st.query_params["code"] = format_code(group.join_code)
    return workshop, group


# --- what a device has typed but not saved -------------------------------------------------------

MAX_DRAFTS = 2000  # devices whose drafts are kept; the one unheard of longest goes first
Owner = tuple[str, str]  # (group join code, device): a draft is never shown to another group


class Drafts:
    """What each device has typed or chosen and not saved yet, in this server's memory.

    A phone reloads the page after the user has been in LINE or the camera; the new browser
    session starts empty, so its widgets start from here. Bounded: texts are cut to MAX_TEXT
    characters (the widgets allow less) and only the newest ``limit`` devices are kept.
    """

    def __init__(self, limit: int = MAX_DRAFTS) -> None:
        self.limit = limit
        self._lock = threading.Lock()  # script runs of many sessions share this
        self._by_owner: OrderedDict[Owner, dict[str, object]] = OrderedDict()

    def read(self, owner: Owner) -> dict[str, object]:
        with self._lock:
            return dict(self._by_owner.get(owner, {}))

    def keep(self, owner: Owner, values: Mapping[str, object]) -> None:
        bounded = {name: _bounded(value) for name, value in values.items()}
        with self._lock:
            draft = self._by_owner.pop(owner, {})
            draft.update(bounded)
            self._by_owner[owner] = draft  # the newest last
            while len(self._by_owner) > self.limit:
                self._by_owner.popitem(last=False)

    def forget(self, owner: Owner, names: Collection[str]) -> None:
        with self._lock:
            for name in names:
                self._by_owner.get(owner, {}).pop(name, None)


def _bounded(value: object) -> object:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    return value if isinstance(value, int | float) else None


def drafts() -> Drafts:
    return _drafts_for(str(database_path()))


@st.cache_resource
def _drafts_for(path: str) -> Drafts:
    """One per database: the join codes of two databases may be the same."""
    return Drafts()


def restore_draft(
    owner: Owner, widgets: Mapping[str, str], choices: Mapping[str, Collection[object]]
) -> None:
    """Before the widgets are drawn: each one this session does not hold (after a reload, or on
    a tab not drawn in the last run) starts from the device's draft. ``widgets`` maps a draft
    field to its widget's key; a field in ``choices`` is restored only to one of them."""
    draft = drafts().read(owner)
    for name, key in widgets.items():
        # An empty field is not restored: that would clear what the browser still shows.
        if key in st.session_state or draft.get(name) in (None, ""):
            continue
        if name not in choices or draft[name] in choices[name]:
            st.session_state[key] = draft[name]


def keep_on_change(owner: Owner, name: str, key: str) -> Callable[[], None]:
    """An on_change callback: the draft's field ``name`` follows the widget ``key`` once the user
    changes it (a field left alone keeps following what is stored)."""
    return lambda: drafts().keep(owner, {name: st.session_state[key]})


def keep_draft(owner: Owner, widgets: Mapping[str, str]) -> None:
    """After the widgets are drawn: what they hold now is the device's draft."""
    held = {name: st.session_state[key] for name, key in widgets.items() if key in st.session_state}
    drafts().keep(owner, held)


# --- the facilitator of this browser session -----------------------------------------------------


def sign_in_facilitator(token: str) -> None:
    st.session_state["facilitator_token"] = token


def facilitator() -> tuple[Workshop, Caller] | None:
    """The workshop this browser session facilitates, if it has signed in (and not expired)."""
    token = st.session_state.get("facilitator_token")
    if not token:
        return None
    try:
        workshop = service().facilitated(token)
    except WelfareError:
        st.session_state.pop("facilitator_token", None)
        return None
    return workshop, Caller(token, device(), tr("role.facilitator"))


def require_facilitator() -> tuple[Workshop, Caller]:
    """Stop the page with a sentence unless this browser session is signed in as facilitator."""
    signed_in = facilitator()
    if signed_in is None:
        st.warning(tr("start.facilitator_needed"), icon=":material/lock:")
        st.page_link("pages/start.py", label=tr("nav.start"), icon=":material/home:")
        st.stop()
    return signed_in
