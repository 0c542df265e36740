"""Slow down guessing of join codes and passcodes: per browser session, and for the whole room.

A browser session's own counter (``Throttle``) lives in its session state, so a script that opens
a new session for every guess escapes it; the counter of a client address (``BucketPerKey``)
holds a script to its own address's pace; the room's counter (``RoomThrottle``), one per server
process, counts every session and address together.
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

# One client address may make 5 wrong tries in a burst and one more every 10 seconds (6 a
# minute): a script on one address can never empty the room's bucket (20 a minute), so the
# room keeps letting newcomers in from their own phones while it runs.
ADDRESS_TRIES = 5
ADDRESS_REFILL_S = 10.0

FORGET_FULL_BUCKETS_AT = 500


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


class TokenBucket:
    """``capacity`` tokens, one back every ``refill_s`` seconds: a burst, then a steady pace."""

    def __init__(
        self, capacity: int, refill_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.refill_s = refill_s
        self.clock = clock
        self._left = float(capacity)
        self._counted_at = clock()
        self._lock = threading.Lock()  # sessions run on threads of one process

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is back (none is taken)."""
        with self._lock:
            self._refill()
            if self._left >= 1:
                self._left -= 1
                return 0.0
            return (1 - self._left) * self.refill_s

    def give_back(self) -> None:
        with self._lock:
            self._left = min(self.capacity, self._left + 1)

    def is_full(self) -> bool:
        with self._lock:
            self._refill()
            return self._left >= self.capacity

    def _refill(self) -> None:
        now = self.clock()
        self._left = min(self.capacity, self._left + (now - self._counted_at) / self.refill_s)
        self._counted_at = now


class RoomThrottle(TokenBucket):
    """The tries of every browser session together: a bucket of ``tries``, one back every
    ``refill_s`` seconds.

    Each check of a code takes a try before the code is looked at (so parallel sessions cannot
    all slip through at once) and a right code gives it back: only wrong codes use the room's
    tries up. Thirty people who now and then mistype never empty it; once scripts on several
    addresses have emptied it, every check in the room waits for the next try, a few seconds,
    and guessing runs at 20 a minute however many sessions and addresses the scripts use.
    """

    def __init__(
        self,
        tries: int = ROOM_TRIES,
        refill_s: float = ROOM_REFILL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(tries, refill_s, clock)

    def take(self) -> int:
        """0 when a code may be checked now (one try taken), else the whole seconds to wait."""
        return math.ceil(super().take())


class BucketPerKey:
    """A ``TokenBucket`` for each key (a client address, a browser tab), made on first use.

    Buckets that have filled up again are forgotten now and then, so a room's worth of
    addresses and tabs costs a few hundred small objects at most.
    """

    def __init__(
        self, capacity: int, refill_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity, self.refill_s, self.clock = capacity, refill_s, clock
        self._buckets: dict[str, TokenBucket] = {}
        self._pruned_at = -math.inf
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when ``key`` may go now (a token taken), else the seconds until it may."""
        return self._bucket(key).take()

    def give_back(self, key: str) -> None:
        self._bucket(key).give_back()

    def forget(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def _bucket(self, key: str) -> TokenBucket:
        with self._lock:
            if key not in self._buckets:
                # Pruned only when a key is added, and at most once a second: under a flood the
                # buckets of busy keys stay, and reads of known keys must not rebuild the dict.
                now = self.clock()
                if len(self._buckets) >= FORGET_FULL_BUCKETS_AT and now - self._pruned_at >= 1:
                    self._pruned_at = now
                    self._buckets = {k: b for k, b in self._buckets.items() if not b.is_full()}
                self._buckets[key] = TokenBucket(self.capacity, self.refill_s, self.clock)
            return self._buckets[key]
