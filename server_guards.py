"""Guards in front of the Streamlit server: what one browser tab, or one address on the room's
Wi-Fi, may ask of the laptop. ``serve.py`` installs them before the server starts; the pages
and welfare_core know nothing of them.

- **Reruns.** Every rerun a tab sends runs a page script; a tab sending thousands a second
  used to pile up script threads until the whole room froze for minutes. Each tab and each
  client address now has a bucket of reruns. A rerun over either waits, and while it waits a
  newer rerun of the same tab takes its place (a pressed button is kept), so a flood costs
  one waiting message per tab, never more script runs than the buckets allow, and a person
  clicking at a person's pace never waits at all. Beyond a few dozen messages a second the
  server stops reading a connection at all (the sender's network buffers fill and its sends
  stall), and an address opening connections without end is refused.
- **Uploads.** Streamlit keeps every file sent to ``/_stcore/upload_file/<session>/<id>``
  in memory, for any id. Upload addresses now go only to a tab signed in as facilitator (the
  set-up page's roster uploader is the app's only one); a file is taken only at an address
  given out to that tab, only while the server holds less than ``UPLOADS_HELD_MB``; a tab
  keeps its newest ``FILES_PER_TAB`` files, and they go when it disconnects.
- **Messages no page of this app sends**, such as ``clear_cache`` (it would empty the room's
  guessing counters), are dropped, and so is a number field's NaN or infinity.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from streamlit import config
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime import Runtime
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.runtime import RuntimeStoppedError
from streamlit.runtime.scriptrunner_utils.script_requests import _coalesce_widget_states
from streamlit.runtime.session_manager import SessionClient
from streamlit.runtime.uploaded_file_manager import UploadedFileRec, UploadFileUrlInfo
from streamlit.web.server import server as streamlit_server
from streamlit.web.server.starlette import starlette_app

from welfare_core.throttle import BucketPerKey

# A person clicks, types and switches tabs a few times a second at most, and the projector's
# two fragments ask every 2.5 s: a tab gets a burst of 10 reruns, then 4 a second. An address
# is one phone: it gets a burst of 30, then 4 a second; a page run costs 50-300 ms of one core.
# The laptop itself (the facilitator's tabs, the projector) has no address limit. A rerun held
# back is a save that starts late, and the browser's next rerun can then cut it short: the
# buckets are wide enough that a person, or a test clicking as fast as it can, never waits.
TAB_RERUNS, TAB_REFILL_S = 10, 0.25
ADDRESS_RERUNS, ADDRESS_REFILL_S = 30, 0.25
THE_LAPTOP = {"127.0.0.1", "::1", ""}
# Even a message that is dropped costs the server's Python thread a little, and thousands a
# second starve the page runs. So the server reads at most 20 messages a second from one
# connection (after a burst of 40) and 100 from one address (after 200): a person sends a few.
# Beyond that it reads nothing: the rest waits in the sender's own network buffers, and the
# script's sends stall, at no cost to the laptop. An address opens 60 connections, then one a
# second (a browser reconnects once after a Wi-Fi drop); more are refused before they start.
SOCKET_READS, SOCKET_READ_REFILL_S = 40, 0.05
ADDRESS_READS, ADDRESS_READ_REFILL_S = 200, 0.01
ADDRESS_CONNECTIONS, ADDRESS_CONNECT_REFILL_S = 60, 1.0

# Only the messages a browser of this app sends; anything else is dropped unread.
PASSED = {
    "rerun_script",
    "app_heartbeat",
    "stop_script",
    "file_urls_request",
    "backend_operation_request",
}

# The roster uploader takes one file (at most 5 MB, server.maxUploadSize); a facilitator who
# picks a second one replaces the first.
FILES_PER_TAB = 2
UPLOADS_HELD_MB = 25
# The key welfare_ui/visitor.py signs a facilitator in with (a test signs in and uploads for real).
FACILITATOR_KEY = "facilitator_token"


def install() -> None:
    """Put the guards in front of Streamlit; call before the server starts."""
    gate = RerunGate(Runtime.handle_backmsg)
    uploads = UploadGate()
    sockets_gate = SocketGate()

    def handle_backmsg(
        runtime: Runtime, session_id: str, msg: BackMsg, *, client: SessionClient | None = None
    ) -> None:
        gate.receive(runtime, session_id, msg, client)

    disconnect = Runtime.disconnect_session

    def disconnect_session(
        runtime: Runtime, session_id: str, *, client: SessionClient | None = None
    ) -> None:
        disconnect(runtime, session_id, client=client)
        if not runtime.is_active_session(session_id):
            gate.forget(session_id)
            runtime.uploaded_file_mgr.remove_session_files(session_id)

    Runtime.handle_backmsg = handle_backmsg
    Runtime.disconnect_session = disconnect_session
    streamlit_server.MemoryUploadedFileManager = GuardedUploads
    routes = starlette_app.create_upload_routes
    starlette_app.create_upload_routes = lambda runtime, mgr, base: uploads.wrap(
        routes(runtime, mgr, base), mgr
    )
    sockets = starlette_app.create_websocket_routes
    starlette_app.create_websocket_routes = lambda runtime, base: [
        WebSocketRoute(route.path, sockets_gate.wrap(route.endpoint))
        for route in sockets(runtime, base)
    ]


def take_both(first: BucketPerKey, first_key: str, second: BucketPerKey, second_key: str) -> float:
    """0 when both buckets gave a token, else the seconds to wait (and neither keeps one)."""
    if wait := first.take(first_key):
        return wait
    if wait := second.take(second_key):
        first.give_back(first_key)
    return wait


# --- connections -------------------------------------------------------------------------------


class SocketGate:
    """Paces what the server reads from each connection and each address, and refuses an
    address's connections beyond its share."""

    def __init__(self) -> None:
        self.connections = BucketPerKey(ADDRESS_CONNECTIONS, ADDRESS_CONNECT_REFILL_S)
        self.socket_reads = BucketPerKey(SOCKET_READS, SOCKET_READ_REFILL_S)
        self.address_reads = BucketPerKey(ADDRESS_READS, ADDRESS_READ_REFILL_S)

    def wrap(self, endpoint: Callable) -> Callable:
        async def guarded(websocket: WebSocket) -> None:
            address = websocket.client.host if websocket.client else ""
            if self.connections.take(address):
                await websocket.close(code=1008)  # before the handshake: HTTP 403
                return
            socket = str(id(websocket))
            receive_bytes = websocket.receive_bytes

            async def paced_receive_bytes() -> bytes:
                while wait := take_both(self.socket_reads, socket, self.address_reads, address):
                    await asyncio.sleep(wait)
                return await receive_bytes()

            websocket.receive_bytes = paced_receive_bytes  # what Streamlit's loop awaits
            try:
                await endpoint(websocket)
            finally:
                self.socket_reads.forget(socket)

        return guarded


# --- reruns ------------------------------------------------------------------------------------


@dataclass
class Waiting:
    """A tab's rerun held back by its buckets, and the client it came from."""

    msg: BackMsg
    client: SessionClient | None
    runtime: Runtime

    def take_place_of_older(self, newer: BackMsg) -> None:
        """The newer rerun replaces this one, keeping a button pressed in it; a fragment's
        rerun never replaces a whole page's (the page's run draws the fragment too)."""
        old, new = self.msg.rerun_script, newer.rerun_script
        if new.fragment_id and not old.fragment_id:
            return
        merged = _coalesce_widget_states(old.widget_states, new.widget_states)
        self.msg = newer
        if merged is not None:
            self.msg.rerun_script.widget_states.CopyFrom(merged)


class RerunGate:
    """Lets each tab's reruns through at the pace its bucket and its address's bucket allow."""

    def __init__(self, deliver: Callable[..., None]) -> None:
        self._deliver = deliver  # Streamlit's own Runtime.handle_backmsg
        self.tabs = BucketPerKey(TAB_RERUNS, TAB_REFILL_S)
        self.addresses = BucketPerKey(ADDRESS_RERUNS, ADDRESS_REFILL_S)
        self._waiting: dict[str, Waiting] = {}

    def receive(
        self, runtime: Runtime, session_id: str, msg: BackMsg, client: SessionClient | None
    ) -> None:
        kind = msg.WhichOneof("type")
        if kind not in PASSED:
            return
        if kind != "rerun_script":
            self._deliver(runtime, session_id, msg, client=client)
            return
        drop_impossible_numbers(msg)
        if waiting := self._waiting.get(session_id):
            waiting.take_place_of_older(msg)
        else:
            self._waiting[session_id] = Waiting(msg, client, runtime)
            self._release(session_id)

    def forget(self, session_id: str) -> None:
        self._waiting.pop(session_id, None)
        self.tabs.forget(session_id)

    def _release(self, session_id: str) -> None:
        """Run the tab's waiting rerun if both buckets allow, else look again when they may."""
        waiting = self._waiting.get(session_id)
        if waiting is None:
            return  # the tab has gone
        address = address_of(waiting.client)
        if address in THE_LAPTOP:
            wait = self.tabs.take(session_id)
        else:
            wait = take_both(self.tabs, session_id, self.addresses, address)
        if wait:
            asyncio.get_running_loop().call_later(wait, self._release, session_id)
            return
        del self._waiting[session_id]
        with contextlib.suppress(RuntimeStoppedError):  # the server is stopping: no more runs
            self._deliver(waiting.runtime, session_id, waiting.msg, client=waiting.client)


def drop_impossible_numbers(msg: BackMsg) -> None:
    """Drop a number field's NaN or infinity from a rerun: no browser sends one, and Streamlit
    fails on it in every run of the tab until a reload (an int field cannot hold it). The
    field keeps the value it had, and the page runs as usual."""
    widgets = msg.rerun_script.widget_states.widgets
    kept = [
        w
        for w in widgets
        if w.WhichOneof("value") != "double_value" or math.isfinite(w.double_value)
    ]
    if len(kept) < len(widgets):
        del widgets[:]
        widgets.extend(kept)


def address_of(client: SessionClient | None) -> str:
    """The client's address on the room's network ("" when unknown)."""
    context = getattr(client, "client_context", None)
    return (context and context.remote_ip) or ""


# --- uploads -----------------------------------------------------------------------------------


class GuardedUploads(MemoryUploadedFileManager):
    """Streamlit's in-memory store of uploaded files, holding only what an uploader asked for."""

    def __init__(self, upload_endpoint: str) -> None:
        super().__init__(upload_endpoint)
        self._issued: dict[str, list[str]] = {}  # session -> file ids given out, newest last
        self._issued_lock = threading.Lock()

    def get_upload_urls(
        self, session_id: str, file_names: Sequence[str]
    ) -> list[UploadFileUrlInfo]:
        """Upload addresses for a facilitator's tab; none for anyone else."""
        if not signed_in_as_facilitator(session_id):
            return []
        given = super().get_upload_urls(session_id, file_names[:FILES_PER_TAB])
        with self._issued_lock:
            ids = self._issued.setdefault(session_id, [])
            ids.extend(info.file_id for info in given)
            del ids[:-FILES_PER_TAB]
        return given

    def expects(self, session_id: str, file_id: str) -> bool:
        """Whether this address was given out to this tab."""
        with self._issued_lock:
            return file_id in self._issued.get(session_id, ())

    def held_bytes(self) -> int:
        with self._lock:
            return self._total_bytes

    def add_file(self, session_id: str, file: UploadedFileRec) -> None:
        """Keep the file; the tab's oldest goes when it holds more than FILES_PER_TAB."""
        super().add_file(session_id, file)
        with self._lock:
            files = self.file_storage[session_id]
            oldest = list(files)[:-FILES_PER_TAB]
        for file_id in oldest:
            self.remove_file(session_id, file_id)

    def remove_session_files(self, session_id: str) -> None:
        super().remove_session_files(session_id)
        with self._issued_lock:
            self._issued.pop(session_id, None)


def signed_in_as_facilitator(session_id: str) -> bool:
    session = Runtime.instance().get_app_session(session_id)
    if session is None:
        return False
    try:
        return bool(session.session_state[FACILITATOR_KEY])
    except KeyError:
        return False


class UploadGate:
    """Refuses an upload before its body is read: at an address no uploader was given
    (403), or while the server already holds its share of uploads (413)."""

    def __init__(self) -> None:
        self._arriving = 0  # uploads being read right now, each counted at the largest size

    def wrap(self, routes: list[BaseRoute], uploads: GuardedUploads) -> list[BaseRoute]:
        return [
            Route(r.path, self._guard(r.endpoint, uploads), methods=["PUT"])
            if "PUT" in (r.methods or ())
            else r
            for r in routes
        ]

    def _guard(self, put: Callable, uploads: GuardedUploads) -> Callable:
        largest = config.get_option("server.maxUploadSize") * 1024 * 1024

        async def guarded_put(request: Request) -> Response:
            params = request.path_params
            if not uploads.expects(params["session_id"], params["file_id"]):
                return Response("No uploader asked for this file.", status_code=403)
            if uploads.held_bytes() + (self._arriving + 1) * largest > UPLOADS_HELD_MB * 2**20:
                return Response("The server holds enough uploads now.", status_code=413)
            self._arriving += 1
            try:
                return await put(request)
            finally:
                self._arriving -= 1

        return guarded_put
