"""Parts of one response that read the store independently, run at the same time.

A model page asks about sixteen questions whose answers do not depend on each other; asked
one after the other, their round trips to the query processes add up. Here each part runs
in a thread of its own, so that as many of the request's queries as the guard lets one
client run at once (all lanes but one) are in query processes together.

Each thread runs in a copy of the request's context: Flask keeps the app, the request and
``g`` in context variables, so every query a part makes is still admitted by the guard as
the request's client and under its deadline, as it would be in the request's own thread.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from openness.server.context import get_store


def at_once(parts: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """What each of ``parts`` returns, by its key; they are started in the order given
    (put the slowest first). The first error raised by a part is raised here, once the
    parts already running have ended; parts not yet started are not started."""
    width = min(get_store().guard.per_client, len(parts))
    if width <= 1:
        return {key: part() for key, part in parts.items()}
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="openness-part") as pool:
        # One copy of the context per part: a context can be entered by one thread at a time.
        futures = {
            key: pool.submit(contextvars.copy_context().run, part) for key, part in parts.items()
        }
        try:
            return {key: future.result() for key, future in futures.items()}
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
