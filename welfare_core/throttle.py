"""Slow down guessing of join codes and passcodes: per browser session, and for the whole room.

A browser session's own counter (``Throttle``) lives in its session state, so a script that opens
a new session for every guess escapes it; the room's counter (``RoomThrottle``), one per server
process, counts every session together.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FREE_ATTEMPTS = 3
FIRST_WAIT_S = 2.0
LONGEST_WAIT_S = 60.0

ROOM_TRIES = 20  # wrong tries the whole room may make in a burst...
ROOM_REFILL_S = 3.0  # ...and one more every 3 seconds: 20 a minute once the burst is spent


@dataclass
class Throttle:
    """Counts one browser session's wrong attempts; each one past the free ones doubles the wait."""

    failures: int = 0
    blocked_until: float = 0.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def wait_s(self) -> int:
        """Seconds until the next attempt is accepted (0: try now)."""
        return max(0, round(self.blocked_until - self.clock() + 0.49))

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= FREE_ATTEMPTS:
            extra = self.failures - FREE_ATTEMPTS
            self.blocked_until = self.clock() + min(LONGEST_WAIT_S, FIRST_WAIT_S * 2**extra)

    def succeeded(self) -> None:
        self.failures = 0
        self.blocked_until = 0.0


class RoomThrottle:
    """The tries of every browser session together: a bucket of ``tries``, one back every
    ``refill_s`` seconds.

    Each check of a code takes a try before the code is looked at (so parallel sessions cannot
    all slip through at once) and a right code gives it back: only wrong codes use the room's
    tries up. Thirty people who now and then mistype never empty it; once a script has emptied
    it, every check in the room waits for the next try, a few seconds, and guessing runs at 20
    a minute however many sessions the script opens.
    """

    def __init__(
        self,
        tries: int = ROOM_TRIES,
        refill_s: float = ROOM_REFILL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = tries
        self.refill_s = refill_s
        self.clock = clock
        self._left = float(tries)
        self._counted_at = clock()
        self._lock = threading.Lock()  # sessions run on threads of one process

    def take(self) -> int:
        """0 when a code may be checked now (one try taken), else the seconds to wait."""
        with self._lock:
            now = self.clock()
            self._left = min(self.capacity, self._left + (now - self._counted_at) / self.refill_s)
            self._counted_at = now
            if self._left >= 1:
                self._left -= 1
                return 0
            return math.ceil((1 - self._left) * self.refill_s)

    def give_back(self) -> None:
        """The code was right: its try goes back to the room."""
        with self._lock:
            self._left = min(self.capacity, self._left + 1)
