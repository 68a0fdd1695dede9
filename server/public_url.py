"""The address clients reach the server at, when a proxy in front serves it elsewhere.

Behind a TLS-terminating proxy a request arrives as ``http://127.0.0.1:8000/…``, and every
link the server writes about itself — the VoID description's and the catalogue's SPARQL
endpoint, the Atom feeds, the named queries' catalogue, the badges' links — would name that inner
address, which no reader can follow. ``--public-url`` names the outer one. It is set from
configuration, not read from X-Forwarded-Proto/-Host: those headers are whatever a client
wrote unless every proxy in front overwrites them, and a link written into an answer a
cache keeps would then name the client's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit


class NotAnOrigin(ValueError):
    """A public URL that is not ``http(s)://host[:port]``."""


def origin(url: str) -> tuple[str, str]:
    """The scheme and the host (with its port, if any) of ``url``, which names no path.

    The pages link each other from the root (``/sparql``), so a server reached under a
    path (``https://example.org/graph/``) would write links its proxy does not route:
    refused, rather than half working."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # read to raise ValueError for a port that is no number in range
    except ValueError as e:
        raise NotAnOrigin(f"{url!r} is not a URL: {e}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotAnOrigin(f"{url!r} is not an http(s) URL with a host, e.g. https://example.org")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise NotAnOrigin(
            f"{url!r} names a path, a query or a fragment: the server is served from the "
            "root of its address (https://example.org), which the proxy maps to it whole"
        )
    if parts.username is not None or parts.password is not None:
        raise NotAnOrigin(f"{url!r} holds a user name or password, which no link may carry")
    return parts.scheme, parts.netloc


class PublicOrigin:
    """WSGI middleware: each request is seen under the public scheme and host, so that
    ``url_for(..., _external=True)``, ``request.url_root`` and ``request.host_url`` name
    the address clients use."""

    def __init__(self, app: Callable[..., Iterable[bytes]], url: str) -> None:
        self.app = app
        self.scheme, self.host = origin(url)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        return self.app(environ, start_response)
