"""Slow down guessing: after a few wrong codes in a row, the next try must wait."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

FREE_ATTEMPTS = 3
FIRST_WAIT_S = 2.0
LONGEST_WAIT_S = 60.0


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
