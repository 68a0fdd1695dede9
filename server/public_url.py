"""The address clients reach the server at, when a proxy in front serves it elsewhere.

Behind a TLS-terminating proxy a request arrives as ``http://127.0.0.1:8000/…``, and every
link the server writes about itself — the VoID description's and the catalogue's SPARQL
endpoint, the Atom feeds, the named queries' catalogue, the badges' links — would name that inner
address, which no reader can follow. ``--public-url`` names the outer one. It is set from
configuration, not read from X-Forwarded-Proto/-Host/-Prefix: those headers are whatever a
client wrote unless every proxy in front overwrites them, and a link written into an answer
a cache keeps would then name the client's choice.

The outer address may hold a path (``https://example.org/openness``): the server is then
served under it, as WSGI's ``SCRIPT_NAME``, which ``url_for``, ``request.script_root`` and
``request.url_root`` put before every path they write; the pages and scripts write their
links from these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

# A path's characters kept to those written alike encoded or not (RFC 3986's unreserved),
# so that the root written into links is the one the proxy matches, with no escaping to
# differ on.
PATH = re.compile(r"(/[A-Za-z0-9._~-]+)*")


# Set in a request's environ where the proxy passed its path with the public path still on:
# the path as sent, after the public path (see sent_path).
SENT_PATH = "openness.sent_path"
# Set where the public path is on the decoded path but, as sent, its segments are not the
# public path's (/openness%2Fstatic/…), so it was left on: the path as sent, whole, which
# the public path does not precede (a 404 names it).
LEFT_ON = "openness.public_path_left_on"


def sent_path(environ: dict[str, Any]) -> str | None:
    """The request's path as the client sent it, its percent-encoding kept (``%2F`` in a
    segment is no separator there, as it is in the decoded PATH_INFO), with the public
    path taken off where it was on; None where the WSGI server gives no raw request line
    (gunicorn's RAW_URI, Werkzeug's and mod_wsgi's REQUEST_URI)."""
    if SENT_PATH in environ:
        return environ[SENT_PATH]
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return None
    path = raw.split("?", 1)[0]
    return path if path.startswith("/") else urlsplit(path).path  # absolute-form


def asked_path(environ: dict[str, Any], script_root: str, path: str) -> str:
    """The path as the client asked it, for an error to name: an encoded slash kept, under
    the public path, unless that was left on the path as sent."""
    return environ.get(LEFT_ON) or script_root + (sent_path(environ) or path)


class NotAPublicUrl(ValueError):
    """A public URL that is not ``http(s)://host[:port][/path]``."""


class PublicUrl(NamedTuple):
    scheme: str
    host: str  # with its port, if any
    root: str  # the path the server is served under, "" or "/…" with no "/" at its end


def public_url(url: str) -> PublicUrl:
    """The scheme, host (with its port, if any) and path of ``url``, which names no query,
    fragment or credentials."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # read to raise ValueError for a port that is no number in range
    except ValueError as e:
        raise NotAPublicUrl(f"{url!r} is not a URL: {e}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotAPublicUrl(f"{url!r} is not an http(s) URL with a host, e.g. https://example.org")
    if parts.query or parts.fragment:
        raise NotAPublicUrl(
            f"{url!r} names a query or a fragment: the server is served at an origin "
            "(https://example.org) or under a path (https://example.org/openness)"
        )
    if parts.username is not None or parts.password is not None:
        raise NotAPublicUrl(f"{url!r} holds a user name or password, which no link may carry")
    root = parts.path.rstrip("/")
    if not PATH.fullmatch(root) or any(s in (".", "..") for s in root.split("/")):
        raise NotAPublicUrl(
            f"{url!r} has a path of other than letters, digits and . _ ~ - between slashes"
        )
    return PublicUrl(parts.scheme, parts.netloc, root)


class PublicOrigin:
    """WSGI middleware: each request is seen under the public scheme, host and path, so
    that ``url_for``, ``request.url_root`` and ``request.host_url`` name the address
    clients use.

    A proxy may send a request with the public path taken off (nginx's
    ``proxy_pass http://127.0.0.1:8000/;``) or as the client sent it (``proxy_pass
    http://127.0.0.1:8000;``, which keeps its percent-encoding): the path is taken off
    here if it is still on, so either reaches the route."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], url: str, routes: Iterable[str] = ()
    ) -> None:
        """``routes``: the first segments of the app's routes (``sparql``, ``models``…).
        A path beginning with one is refused: a request the proxy passed with the path
        taken off would then look like one passed with it on (with /graph, the named
        graph /graph/<g> would be taken for the page /<g>)."""
        self.app = app
        self.scheme, self.host, self.root = public_url(url)
        first = self.root.split("/")[1] if self.root else None
        if first in set(routes):
            raise NotAPublicUrl(
                f"{url!r}: the server's own addresses begin with /{first}, so a request "
                f"under the path could not be told from one to /{first}; choose another path"
            )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        if self.root:
            path = environ.get("PATH_INFO", "")
            if path == self.root or path.startswith(self.root + "/"):
                sent = sent_path(environ)
                rest = None if sent is None else self._after_root(sent)
                # The decoded path begins with the public path, but as sent its segments
                # may not (/openness%2Fstatic/…: one segment, which names nothing here):
                # then it is left on, and the request reaches no route.
                if sent is None or rest is not None:
                    environ["PATH_INFO"] = path[len(self.root) :] or "/"
                    environ[SENT_PATH] = rest
                else:
                    environ[LEFT_ON] = sent
            environ["SCRIPT_NAME"] = self.root
        return self.app(environ, start_response)

    def _after_root(self, sent: str) -> str | None:
        """What follows the public path in ``sent``, if its segments are the public path's
        (each decoded: ``%6F`` is an ``o``, but ``%2F`` no separator); else None."""
        names = self.root.split("/")[1:]
        segments = sent.split("/")
        if [unquote(s) for s in segments[1 : len(names) + 1]] != names:
            return None
        rest = segments[len(names) + 1 :]
        return "/" + "/".join(rest) if rest else ""
