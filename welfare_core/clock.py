"""Time as the app stores and shows it, and how long a facilitator's sign-in lasts."""

from __future__ import annotations

import datetime as dt

SESSION_LIFETIME = dt.timedelta(hours=24)  # a facilitator signs in again the next day

# Stored times are naive UTC; Thailand keeps UTC+7 all year, and people read times there.
THAI_TIME = dt.timedelta(hours=7)


def utcnow() -> dt.datetime:
    """Naive UTC, as stored in every TIMESTAMP column."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
