"""What every page shares: the one Store of the server process, the language, who is here."""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from typing import TypeVar

import streamlit as st

from welfare_core import consolidate
from welfare_core.backup import Backups, backup_dir, backup_minutes
from welfare_core.clock import utcnow
from welfare_core.codes import normalise_code, passcode_matches
from welfare_core.config import database_path
from welfare_core.demo import DEMO_PASSCODE
from welfare_core.due import long_date
from welfare_core.errors import DatabaseUnusable, TooSoon, WelfareError
from welfare_core.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from welfare_core.model import Caller, Group, Timer, Workshop
from welfare_core.service import WorkshopService
from welfare_core.store import Store
from welfare_core.text import MAX_TEXT
from welfare_core.throttle import (
    ADDRESS_REFILL_S,
    ADDRESS_TRIES,
    BucketPerKey,
    RoomThrottle,
    Throttle,
)

T = TypeVar("T")
LANGUAGE_NAMES = {"th": "ไทย", "en": "English"}


def service() -> WorkshopService:
    """The server's service; a database it cannot open stops the page with a sentence."""
    try:
        return _service_for(str(database_path()))
    except WelfareError as err:  # not cached: the next run tries again
        show_error(err)
        st.stop()


@st.cache_resource
def _service_for(path: str) -> WorkshopService:
    """One DuckDB connection per server process; each call of a page uses its own cursor.

    Its backups start here, once per process, on a thread of their own.
    """
    minutes = backup_minutes()
    try:
        store = Store(path)
    except DatabaseUnusable as err:
        if err.key != "error.db_busy":
            raise
        # Most likely a second server started on the same file: the CLI's advice does not fit.
        raise DatabaseUnusable("error.db_busy_app", **err.params) from None
    backups = Backups(store, backup_dir(store.path))
    backups.start(minutes)
    return WorkshopService(store, backups)


def opens_with_demo_passcode(workshop_id: int) -> bool:
    """Whether the public passcode opens this workshop (sample data, never a real one)."""
    return _opens_with_demo_passcode(str(database_path()), workshop_id)


@st.cache_resource
def _opens_with_demo_passcode(path: str, workshop_id: int) -> bool:
    # A passcode never changes, and checking one costs ~70 ms of scrypt: once per workshop,
    # not on every run of the page everyone opens first.
    salt, digest = _service_for(path).store.read().passcode_of(workshop_id)
    return passcode_matches(DEMO_PASSCODE, salt, digest)


# The projector refreshes every few seconds; every projector open on a workshop shares one read.
REFRESH_S = 2.5


def dashboard(path: str, workshop_id: int) -> consolidate.Dashboard:
    """The projector's read models, shared by every viewer and read again only after a write
    (this process is the file's only writer) or, for the ten-minute disagreement window, after
    half a minute."""
    return shared_dashboard(path, workshop_id, _service_for(path).store.commits)


@st.cache_resource(ttl=dt.timedelta(seconds=30), max_entries=20)
def shared_dashboard(path: str, workshop_id: int, commits: int) -> consolidate.Dashboard:
    """Cached by ``commits``: the number of writes so far is part of the key."""
    return consolidate.dashboard(_service_for(path).store, workshop_id)


def lang() -> str:
    chosen = st.session_state.get("language", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def keep_language_in_link() -> None:
    """The language survives a reload: it is read from the link and written back to it."""
    linked = st.query_params.get("lang")
    if "language" not in st.session_state and linked in LANGUAGES:
        st.session_state["language"] = linked
    if lang() == DEFAULT_LANGUAGE:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang()


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def date_shown(day: dt.date | dt.datetime) -> str:
    """A date as people of the chosen language write it: Thai months and Buddhist-era years on
    Thai screens (24 มิถุนายน 2562); a time with it when there is one (Thailand time)."""
    if isinstance(day, dt.datetime):
        return f"{long_date(day.date(), lang())} {day:%H:%M}"
    return long_date(day, lang())


def pick(th: str, en: str) -> str:
    """The Thai or English form of a stored name, in the chosen language."""
    return th if lang() == "th" else (en or th)


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


def plain(text: object) -> str:
    """User text for st.html: escaped, so markdown or HTML typed by a participant stays text."""
    return html.escape(str(text or "")).replace("\n", "<br>")


def markdown_escaped(text: str) -> str:
    """Text for elements that render markdown (titles, labels, tabs, captions), with every sign
    taken literally: no formatting, no LaTeX ($E=mc^2$), no emoji or icon codes (:skull:,
    :material/warning:), no colours (:red[...])."""
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$&])", r"\\\1", text)
    # A backslash does not stop an icon code (Streamlit finds them before the markdown is read);
    # a colon written as a character reference is no colon to it, and still shows as one.
    escaped = escaped.replace(":", "&#58;")
    return escaped.replace("\n", "  \n")  # a line break stays a line break


def show_error(err: WelfareError) -> None:
    """The error as a sentence; messages may quote what was typed, so not as markdown."""
    st.error(markdown_escaped(err.message(lang())), icon=":material/error:")


def attempt(action: Callable[[], T], done: str | None = None, renew: str = "") -> T | None:
    """Run a write; show a failure as a sentence, never a traceback. None when it failed.

    With ``done`` (a catalog key) a success reruns the page so that it shows what was saved,
    and the confirmation appears only now, after the commit. ``renew`` names a form (see
    ``form_key``) that comes back empty after a success; a refused form keeps what was typed.
    """
    try:
        result = action()
    except WelfareError as err:
        show_error(err)
        return None
    if renew:
        renew_form(renew)
    if "p" in st.query_params:
        st.query_params["p"] = secrets.token_hex(6)  # the next Save is another press
    if done:
        st.session_state["flash"] = done
        st.rerun()
    return result


def renew_form(name: str) -> None:
    """Give the form (or editor) ``name`` a new key: it comes back empty on the next run."""
    st.session_state[f"form-{name}"] = st.session_state.get(f"form-{name}", 0) + 1


def form_key(name: str) -> str:
    """The key of a form that ``attempt(..., renew=name)`` empties after a successful save."""
    return f"{name}-{st.session_state.get(f'form-{name}', 0)}"


def show_flash() -> None:
    """The confirmation of the write that caused this rerun, as a toast: nothing on the page
    moves, so open tabs, expanders and half-typed forms stay as they were."""
    done = st.session_state.pop("flash", None)
    if done:
        st.toast(tr(done), icon=":material/check_circle:")


def toasts_stay_on_their_page(page: str) -> None:
    """A confirmation belongs to the page that made it: Streamlit keeps its toasts on screen
    across a page switch, so on a switch to another page the toasts still shown are closed
    (their close button, as a click on it would), and one not yet shown is dropped."""
    if st.session_state.get("toast_page", page) != page:
        st.session_state.pop("flash", None)
        st.html(
            "<script>document.querySelectorAll('[data-testid=stToast] [aria-label=Close]')"
            ".forEach(close => close.click());</script>",
            unsafe_allow_javascript=True,
        )
    st.session_state["toast_page"] = page


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


# --- shared pieces of screens --------------------------------------------------------------------


def css_text(text: str) -> str:
    """Text as a CSS string: every sign but letters, digits and spaces as a CSS escape, so it
    can neither end the string nor the <style> element."""
    escaped = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


# The page while the server cannot be reached: Streamlit shows then a dialog of its own.
_DISCONNECTED = "body:has([data-testid=stApp]:not([data-test-connection-state=CONNECTED]))"


def connection_notice() -> None:
    """Streamlit's words when the server cannot be reached ("Connection error ... Are you
    connected to the internet?") are English and fixed in its frontend: no setting translates
    them. While the connection is lost, its dialog and its "CONNECTING" say ours instead. CSS,
    on the page before the connection goes; the dialog keeps its close button."""
    title, text = css_text(tr("connection.lost_title")), css_text(tr("connection.lost"))
    connecting = css_text(tr("connection.connecting"))
    dialog = f"{_DISCONNECTED} [data-testid=stDialog] section[role=dialog]"
    status = "[data-testid=stConnectionStatus] > :last-child"  # "CONNECTING", top right
    st.html(
        f"""<style>
        {status} {{ font-size: 0; }}
        {status}::after {{ content: {connecting}; font-size: 0.875rem; }}
        {dialog} > :is(h2, div) {{ display: none; }}
        {dialog}::before {{ content: {title}; display: block; padding: 1.5rem 3rem 0 1.5rem;
                            font-size: 1.5rem; font-weight: 700; line-height: 1.4; }}
        {dialog}::after {{ content: {text}; display: block; padding: 1rem 1.5rem 1.5rem; }}
        </style>"""
    )


def timer_display(timer: Timer, size_px: int = 40) -> None:
    """The breakout timer, counting down in the browser: no rerun, no request per second."""
    if timer.duration_s == 0:
        return
    now = utcnow()
    left = timer.left(now)
    running = "true" if timer.counting(now) else "false"
    label = html.escape(tr("timer.label"))
    box = f"timer-{secrets.token_hex(4)}"
    st.html(
        f"""
        <div class="breakout-timer" style="font-size:{size_px}px;font-weight:700;
             font-variant-numeric:tabular-nums;white-space:nowrap">
          {label} <span id="{box}">{left // 60:02d}:{left % 60:02d}</span>
        </div>
        <script>
        (() => {{
          const end = Date.now() + {left} * 1000;
          if (!{running}) return;
          const tick = () => {{
            const box = document.getElementById("{box}");
            if (!box) return;  // the page has drawn a newer timer
            const s = Math.max(0, Math.round((end - Date.now()) / 1000));
            box.textContent = String(Math.floor(s / 60)).padStart(2, "0") + ":" +
                              String(s % 60).padStart(2, "0");
            if (s > 0) setTimeout(tick, 250);
          }};
          tick();
        }})();
        </script>
        """,
        unsafe_allow_javascript=True,
    )
