"""Join links and QR codes that phones in the room can open: the laptop's address on the LAN."""

from __future__ import annotations

import io
import os
import socket

import segno

from welfare_core.codes import format_code

DEFAULT_PORT = 8501


def lan_address() -> str:
    """The laptop's address on the meeting room's network, 127.0.0.1 when it has none.

    Connecting a UDP socket sends no packet; it only makes the system pick the interface.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def base_url(port: int = DEFAULT_PORT) -> str:
    """$WELFARE_PUBLIC_URL when set (e.g. a name on the room's router), else http://LAN-IP:port."""
    configured = os.environ.get("WELFARE_PUBLIC_URL", "").strip().rstrip("/")
    return configured or f"http://{lan_address()}:{port}"


def join_link(base: str, join_code: str) -> str:
    return f"{base}/group?code={format_code(join_code)}"


def qr_png(link: str, scale: int = 10) -> bytes:
    """A PNG QR code; scale 10 gives about 8 cm on a projected 1280 px screen."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
