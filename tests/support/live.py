"""Serve a Flask app on a free loopback port in a thread, for tests with real HTTP clients."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def _closing(app: Flask) -> WSGIApplication:
    """``app``, its answers' bodies closed however their sending ends: Werkzeug's server
    closes a body only after reading what the client sent on, which a browser that dropped
    the connection (a favicon's request, left as the page moved on) makes raise first — the
    static file left open, an unraisable ResourceWarning failed whichever test came next."""

    def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        body = app(environ, start_response)
        try:
            yield from body
        finally:  # run when the body is sent, or when this generator is let go unfinished
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wrapped


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Yield the base URL (ending in /) of ``app`` served on 127.0.0.1."""
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(5)
