"""Run the application under gunicorn, a production WSGI server."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run_server(app: Flask, *, host: str, port: int, workers: int, timeout: int) -> None:
    """Serve ``app`` on ``host:port`` with ``workers`` processes until interrupted.

    Each worker opens the store itself on its first request, so no store handle crosses
    a fork; one line per request is logged with its duration.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": timeout,
            "accesslog": None,  # the app logs each request with its duration
        },
    ).run()
