"""A browser tab as the server sees it: a websocket speaking Streamlit's own protocol.

It sends what the browser sends (BackMsg protobufs: a rerun with the link's query string, the
widget values, a form's submit trigger, the fragment reruns a ``run_every`` fragment asks for)
and reads what the browser reads (ForwardMsg: elements, toasts, ``script_finished``). It draws
nothing, so thirty of them fit on the laptop beside the server they measure.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass, field

import requests
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

RUN_TIMEOUT_S = 60


@dataclass
class Element:
    kind: str  # "text_area", "button", "toast", "html", "alert", ...
    proto: object

    @property
    def text(self) -> str:
        return getattr(self.proto, "body", "") or getattr(self.proto, "label", "")


@dataclass
class Run:
    """What one script run (and the reruns it asked for) drew."""

    elements: list[Element] = field(default_factory=list)
    finished: bool = False

    def of_kind(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    @property
    def errors(self) -> list[str]:
        """The red messages the page showed (st.error)."""
        return [e.text for e in self.of_kind("alert") if e.proto.format == Alert.ERROR]


class Tab:
    def __init__(self, base_url: str, page: str, query: str, address: str = "") -> None:
        self.url = base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.origin = base_url
        self.page, self.query = page, query
        self.address = address  # the device's own address (127.0.0.2, ...): "" is any
        self.session_id = ""
        self.kept: dict[str, WidgetState] = {}  # widget values the browser would resend
        self.fragments: dict[str, float] = {}  # run_every fragments: id -> interval in s
        self._socket: websockets.ClientConnection | None = None
        self._cache: dict[str, ForwardMsg] = {}

    async def open(self) -> Run:
        self._socket = await websockets.connect(
            self.url,
            subprotocols=["streamlit"],
            origin=self.origin,
            max_size=None,
            local_addr=(self.address, 0) if self.address else None,
        )
        return await self.rerun()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    def keep(self, state: WidgetState) -> None:
        self.kept[state.id] = state

    async def rerun(
        self, *once: WidgetState, fragment_id: str = "", until: str | None = None
    ) -> Run:
        """A rerun with the kept widget values and ``once`` (e.g. a submit trigger); waits for
        the run to finish, and with ``until`` for the element kind that ends a save (a toast)
        even when it comes from the rerun the save asked for."""
        await self.send_rerun(*once, fragment_id=fragment_id)
        run = Run()
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not run.finished or (until and not run.of_kind(until)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer to a rerun of {self.page} in {RUN_TIMEOUT_S} s")
            try:
                self._read(await asyncio.wait_for(self._socket.recv(), left), run)
            except TimeoutError:
                raise TimeoutError(f"no answer from {self.page} in {RUN_TIMEOUT_S} s") from None
            if run.finished and until and run.errors:
                break  # refused: the page said why instead of confirming
        return run

    async def send_rerun(self, *once: WidgetState, fragment_id: str = "") -> None:
        """Ask for a rerun and wait for nothing (as a flooding script does)."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_name = self.query, self.page
        state.fragment_id = fragment_id
        state.is_auto_rerun = bool(fragment_id)
        state.widget_states.widgets.extend([*self.kept.values(), *once])
        await self._socket.send(message.SerializeToString())

    async def drain(self) -> None:
        """Read and forget whatever the server sends, until the socket closes."""
        with contextlib.suppress(websockets.ConnectionClosed):
            async for _ in self._socket:
                pass

    async def upload_urls(self, *names: str) -> list[FileURLs]:
        """The addresses the server gives this tab to upload files to: what a browser asks
        for before it sends what was dropped on a file uploader."""
        message = BackMsg()
        request = message.file_urls_request
        request.request_id, request.session_id = secrets.token_hex(4), self.session_id
        request.file_names.extend(names)
        await self._socket.send(message.SerializeToString())
        while True:
            data = await asyncio.wait_for(self._socket.recv(), RUN_TIMEOUT_S)
            answer = ForwardMsg()
            answer.ParseFromString(data)
            if answer.WhichOneof("type") == "file_urls_response":
                return list(answer.file_urls_response.file_urls)
            self._read(data, Run())

    def _read(self, data: bytes, run: Run) -> None:
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":  # the server sends a known message by its hash only
            message = self._cache[message.ref_hash]
            kind = message.WhichOneof("type")
        elif message.hash:
            self._cache[message.hash] = message
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            name = element.WhichOneof("type")
            run.elements.append(Element(name, getattr(element, name)))
        elif kind == "delta" and message.delta.WhichOneof("type") == "add_block":
            block = message.delta.add_block
            name = block.WhichOneof("type")
            if name:
                run.elements.append(Element(name, getattr(block, name)))
        elif kind == "auto_rerun":
            self.fragments[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        elif kind == "new_session":
            self.session_id = message.new_session.initialize.session_id
        elif kind == "script_finished":
            run.finished = message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN


def upload(base_url: str, url: FileURLs, name: str, data: bytes) -> int:
    """PUT a file to an upload address, as the browser does; the HTTP status.

    Streamlit's XSRF check compares the header with the cookie, both sent here (as any script
    can): it stops other web sites, not a tab of this app."""
    token = generate_xsrf_token_string()
    reply = requests.put(
        base_url + url.upload_url,
        files={"file": (name, data)},
        headers={"X-Xsrftoken": token},
        cookies={"_streamlit_xsrf": token},
        timeout=RUN_TIMEOUT_S,
    )
    return reply.status_code


def uploaded(widget_id: str, url: FileURLs, name: str, size: int) -> WidgetState:
    """A file uploader's value once the file is sent: what the next rerun carries."""
    state = WidgetState(id=widget_id)
    info = state.file_uploader_state_value.uploaded_file_info.add()
    info.name, info.size, info.file_id = name, size, url.file_id
    info.file_urls.CopyFrom(url)
    return state


def text_value(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def trigger(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)
