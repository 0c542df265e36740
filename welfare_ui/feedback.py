"""What the visitor reads: catalog text in their language, user text kept as plain text, errors
as sentences, and the confirmation of a write."""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from welfare_core.due import long_date
from welfare_core.errors import WelfareError
from welfare_core.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

T = TypeVar("T")


def lang() -> str:
    """The visitor's language (see ``visitor.keep_language_in_link``)."""
    chosen = st.session_state.get("language", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


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


# --- user text as plain text ---------------------------------------------------------------------


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


def css_text(text: str) -> str:
    """Text as a CSS string: every sign but letters, digits and spaces as a CSS escape, so it
    can neither end the string nor the <style> element."""
    escaped = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


# --- errors and writes ---------------------------------------------------------------------------


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


# --- the server out of reach ---------------------------------------------------------------------

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
