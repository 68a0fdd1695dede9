"""When an HTTP answer asks to be asked again: the Hub's 429s (the sync waits as asked)
and a remote engine's 503s (the server passes the engine's word on to its client)."""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any


def retry_after(headers: Any, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait: delay-seconds or an HTTP date.

    >>> retry_after({"Retry-After": "7"})
    7.0
    >>> retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"},
    ...             dt.datetime(2015, 10, 21, 7, 28, tzinfo=dt.UTC))
    30.0
    >>> retry_after({}) is None
    True
    """
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())
