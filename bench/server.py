"""The app's server as the facilitator's laptop runs it, in a subprocess on a port of its own:
what the load benchmark measures (memory, CPU). The tests serve the app with it too
(tests/support.py adds what only a test does to a server: kill it, stop it for a moment)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python serve.py`` on a database and a port, as the facilitator's laptop runs it."""

    def __init__(self, db: Path, log: Path, port: int | None = None) -> None:
        self.db, self.log, self.port = db, log, port or free_port()
        self._process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def start(self, timeout_s: float = 60) -> None:
        command = [
            sys.executable,
            "serve.py",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ]
        with open(self.log, "a") as log:
            self._process = subprocess.Popen(
                command,
                cwd=REPO,
                env={**os.environ, "WELFARE_DB": str(self.db)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the app stopped at start:\n{self.log.read_text()[-3000:]}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.url("/_stcore/health"), timeout=2) as reply,
            ):
                if reply.read() == b"ok":
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the app did not answer in {timeout_s} s:\n{self.log.read_text()}")

    @property
    def pid(self) -> int:
        return self._process.pid

    def rss_mb(self) -> float:
        """The server's resident memory, as the laptop's task manager shows it."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_s(self) -> float:
        """CPU time the server has used so far (all its threads), in seconds."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Stop as Ctrl+C does; the database file is free afterwards."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
