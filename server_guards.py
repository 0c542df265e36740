"""Guards in front of the Streamlit server: what one browser tab, or one address on the room's
Wi-Fi, may ask of the laptop. ``serve.py`` installs them before the server starts; the pages
and welfare_core know nothing of them.

- **Reruns.** Every rerun a tab sends runs a page script; a tab sending thousands a second
  used to pile up script threads until the whole room froze for minutes. Each tab and each
  client address now has a bucket of reruns. A rerun over either waits, and while it waits a
  newer rerun of the same tab takes its place (a pressed button is kept), so a flood costs
  one waiting message per tab, never more script runs than the buckets allow, and a person
  clicking at a person's pace never waits for them. The Wi-Fi's tabs also take turns for
  page runs: four at once at most, one of them a repeat of the tab's last, a person's action
  first, then the address served longest ago; so a flood of repeats costs one run's worth of
  the laptop however many phones send it. Beyond a few dozen messages a second the
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
import itertools
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from streamlit import config
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.runtime import RuntimeStoppedError
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.runtime.scriptrunner_utils.script_requests import _coalesce_widget_states
from streamlit.runtime.session_manager import SessionClient
from streamlit.runtime.uploaded_file_manager import UploadedFileRec, UploadFileUrlInfo
from streamlit.web.server import server as streamlit_server
from streamlit.web.server.starlette import starlette_app

from welfare_core.throttle import FORGET_FULL_BUCKETS_AT, BucketPerKey

# A person clicks, types and switches tabs a few times a second at most, and the projector's
# two fragments ask every 2.5 s: a tab gets a burst of 10 reruns, then 4 a second. An address
# is one phone: it gets a burst of 30, then 4 a second; a page run costs 50-300 ms of one core.
# The laptop itself (the facilitator's tabs, the projector) has no address limit. A rerun held
# back is a save that starts late, and the browser's next rerun can then cut it short: the
# buckets are wide enough that a person, or a test clicking as fast as it can, never waits.
TAB_RERUNS, TAB_REFILL_S = 10, 0.25
ADDRESS_RERUNS, ADDRESS_REFILL_S = 30, 0.25
THE_LAPTOP = {"127.0.0.1", "::1", ""}
# Buckets alone give each address its share, so five flooding phones got five shares of the
# laptop and held a member's save for a minute. So the page runs of tabs on the Wi-Fi are
# counted too: at most four under way at once, and at most one of them a repeat (a rerun
# asking exactly what the tab's last run was asked: what a flooding script sends, and a
# browser hardly ever). The rest wait their turn: a person's action first, then the address
# served longest ago. A page run is Python, one thread at a time whatever the cores: under
# a flood, four runs of repeats at once made a member's save three times slower than two,
# and two three times slower than one; but people's saves wait on the disk together (group
# commit), and two runs at once slowed 24 saving phones. A run that has not said it ended in
# a minute is no longer counted.
RUNS_AT_ONCE = 4
REPEATS_AT_ONCE = 1
LONGEST_RUN_S = 60.0
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

    handle_event = AppSession._handle_scriptrunner_event_on_event_loop

    def handle_scriptrunner_event(
        session: AppSession, sender: object, event: ScriptRunnerEvent, *args, **kwargs
    ) -> None:
        handle_event(session, sender, event, *args, **kwargs)
        if event == ScriptRunnerEvent.SHUTDOWN and not has_a_run(session):
            gate.run_ended(session.id)  # the tab's runs are over: no script thread left

    Runtime.handle_backmsg = handle_backmsg
    AppSession._handle_scriptrunner_event_on_event_loop = handle_scriptrunner_event
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
    """A tab's rerun held back, and the client it came from. ``turn`` is set once both
    buckets let it through: from then on it waits only for a free page run."""

    msg: BackMsg
    client: SessionClient | None
    runtime: Runtime
    turn: int | None = None

    @property
    def address(self) -> str:
        return address_of(self.client)

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


@dataclass
class Run:
    """A Wi-Fi tab's page run under way."""

    since: float
    repeat: bool  # asked exactly what the tab's run before was asked: no person's action


class RerunGate:
    """Lets each tab's reruns through at the pace its bucket and its address's bucket allow,
    then starts at most ``RUNS_AT_ONCE`` page runs for tabs on the Wi-Fi at a time, taking
    turns by address: however many phones flood, they share those runs with everyone else."""

    def __init__(self, deliver: Callable[..., None]) -> None:
        self._deliver = deliver  # Streamlit's own Runtime.handle_backmsg
        self.tabs = BucketPerKey(TAB_RERUNS, TAB_REFILL_S)
        self.addresses = BucketPerKey(ADDRESS_RERUNS, ADDRESS_REFILL_S)
        self._waiting: dict[str, Waiting] = {}
        self._running: dict[str, Run] = {}  # Wi-Fi tabs only
        self._last_asked: dict[str, ClientState] = {}  # what each tab's last run was asked
        self._served: dict[str, int] = {}  # address -> the turn its last run started at
        self._turns = itertools.count()

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
            self._interrupt_if_changed(session_id)
        else:
            self._waiting[session_id] = Waiting(msg, client, runtime)
            self._release(session_id)

    def run_ended(self, session_id: str) -> None:
        """The tab's page run (and any rerun it took in) is over: its turn is free."""
        if self._running.pop(session_id, None) is not None:
            self._start_runs()

    def forget(self, session_id: str) -> None:
        self._waiting.pop(session_id, None)
        self._last_asked.pop(session_id, None)
        self.tabs.forget(session_id)
        self.run_ended(session_id)

    def _release(self, session_id: str) -> None:
        """Let the tab's waiting rerun through if both buckets allow, else look again when
        they may."""
        waiting = self._waiting.get(session_id)
        if waiting is None:
            return  # the tab has gone
        if waiting.address in THE_LAPTOP:
            wait = self.tabs.take(session_id)
        else:
            wait = take_both(self.tabs, session_id, self.addresses, waiting.address)
        if wait:
            asyncio.get_running_loop().call_later(wait, self._release, session_id)
        elif waiting.address in THE_LAPTOP:
            self._start(session_id)  # the facilitator and the projector never wait for a turn
        else:
            waiting.turn = next(self._turns)
            self._interrupt_if_changed(session_id)
            self._start_runs()

    def _is_repeat(self, session_id: str) -> bool:
        """Whether the tab's waiting rerun asks exactly what its last run was asked (no
        button pressed, no value changed, the same page): what a flooding script sends, and a
        browser hardly ever (it also sends what it holds in its cache, which changes)."""
        return self._waiting[session_id].msg.rerun_script == self._last_asked.get(session_id)

    def _interrupt_if_changed(self, session_id: str) -> None:
        """A tab whose run is under way gets a rerun that changes a value or presses a button
        at once, as Streamlit gives it (held, it would let the old run's output reach the
        browser first, and the browser then sends the old values back); a mere repeat waits
        for the run's end."""
        if (
            self._waiting[session_id].turn is not None
            and session_id in self._running
            and not self._is_repeat(session_id)
        ):
            self._start(session_id)
            self._start_runs()  # in case it started no run after all

    def _start_runs(self) -> None:
        """Start waiting tabs' runs while fewer than ``RUNS_AT_ONCE`` are under way: a
        person's action before a repeat, then the address served longest ago, then the
        rerun let through first. Only ``REPEATS_AT_ONCE`` of them may be repeats."""
        self._forget_stuck_runs()
        ready = {
            sid: self._is_repeat(sid)
            for sid, w in self._waiting.items()
            if w.turn is not None and sid not in self._running
        }

        def place(sid: str) -> tuple[bool, int, int]:
            waiting = self._waiting[sid]
            return ready[sid], self._served.get(waiting.address, -1), waiting.turn or 0

        while ready and len(self._running) < RUNS_AT_ONCE:
            sid = min(ready, key=place)
            if ready.pop(sid) and sum(r.repeat for r in self._running.values()) >= REPEATS_AT_ONCE:
                return  # the rest are repeats too
            self._start(sid)

    def _start(self, session_id: str) -> None:
        repeat = self._is_repeat(session_id)
        waiting = self._waiting.pop(session_id)
        self._last_asked[session_id] = asked = ClientState()
        asked.CopyFrom(waiting.msg.rerun_script)
        if waiting.address not in THE_LAPTOP:
            run = self._running.setdefault(session_id, Run(time.monotonic(), repeat))
            run.repeat = run.repeat and repeat  # a person's action took the run over
            self._served[waiting.address] = next(self._turns)
        with contextlib.suppress(RuntimeStoppedError):  # the server is stopping: no more runs
            self._deliver(waiting.runtime, session_id, waiting.msg, client=waiting.client)
        if not has_a_run(waiting.runtime.get_app_session(session_id)):
            self._running.pop(session_id, None)  # none started (a fragment gone, a tab closing)

    def _forget_stuck_runs(self) -> None:
        """A run that never said it ended must not keep its turn for ever (nor the server
        its address)."""
        now = time.monotonic()
        for sid, run in list(self._running.items()):
            if now - run.since > LONGEST_RUN_S:
                del self._running[sid]
        if len(self._served) > FORGET_FULL_BUCKETS_AT:
            waiting = {w.address for w in self._waiting.values()}
            self._served = {a: n for a, n in self._served.items() if a in waiting}


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


def has_a_run(session: AppSession | None) -> bool:
    """Whether the tab has a script thread (running its page, or about to)."""
    return session is not None and session._scriptrunner is not None


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
