"""The application factory."""

from __future__ import annotations

import gzip
import json
import logging
import re
import time
from typing import Any

from flask import Flask, Response, abort, current_app, g, render_template, request, url_for
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.middleware.proxy_fix import ProxyFix

from openness.server import (
    api,
    badges,
    catalog,
    health,
    history,
    home,
    linked_data,
    openapi,
    pages,
    queries,
    search,
    sparql,
    update,
    wording,
)
from openness.server.admission import Overloaded
from openness.server.context import base_iri
from openness.server.execute import QueryTimeout, ResultTooLarge
from openness.server.lanes import LaneDied
from openness.server.negotiation import (
    API,
    PROBLEM,
    NotAcceptable,
    UnknownFormat,
    vary_by_accept,
    wants_page,
)
from openness.server.public_url import PublicOrigin, asked_path, sent_path
from openness.server.sparql import store_failed, text
from openness.store import StoreError

log = logging.getLogger("openness.server")
GZIP_MIN_BYTES = 1024
# The headers a cross-origin script may read beyond the CORS-safelisted ones: the next
# page (Link), when to try again (Retry-After), a redirect's or a new resource's Location,
# the validator (ETag), the scheme a write needs (WWW-Authenticate) and the day a model
# whose history is answered was withdrawn (Withdrawn).
EXPOSED = "Link, Retry-After, Location, ETag, WWW-Authenticate, Withdrawn"
# A problem's title is the status's phrase (RFC 9457 §4.2.1): RFC 9110's, where Werkzeug's
# (and Python 3.11's http.HTTPStatus) are RFC 7231's older ones.
PHRASES = {
    **HTTP_STATUS_CODES,
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}

# What a page of ours may load and run (README, "What a page may run"), behind the escaping
# and the link filter (linked_data.followed): markup a source or an update slipped into a
# page still runs no script, inline or from a javascript: link, nor loads a plugin.
# - script-src 'self': our files and YASGUI's, served from static/; no inline script, no
#   eval (the editor's config is a JSON block, which is data, not script).
# - style-src 'unsafe-inline': YASGUI and CodeMirror write style attributes in the markup
#   they insert (refused, the editor logs each), as the history chart's swatches carry
#   their colour; a style runs no code.
# - img-src data:: the image CodeMirror (in YASGUI) drags a selection with.
# - connect-src https: http:: the editor may be pointed at another SPARQL endpoint (its
#   endpoint box), anywhere; limiting it would only matter once a script were injected,
#   which script-src prevents, and what it could read is public.
# - frame-ancestors 'self': the pages are not framed elsewhere (badges are images, which
#   this does not govern): a framed editor holding a query of the framer's choosing could
#   be clicked into running it, with any header (a write's token) the reader set in YASGUI.
# - base-uri, form-action: injected markup cannot redirect relative links or forms.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self' https: http:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)

# Seconds from a request's arrival within which its queries must be answered, unless the
# configuration says otherwise (`openness serve --query-timeout`).
QUERY_TIMEOUT = 30.0


class _App(Flask):
    def handle_http_exception(self, e: HTTPException) -> Any:
        """``abort(response)`` answers that response as it is: Flask ran it as a WSGI app,
        which to a HEAD writes no body, and api_problem built the problem from the empty
        body (a detail of "", a Content-Length other than GET's)."""
        if e.code is None and e.response is not None:
            return e.response
        return super().handle_http_exception(e)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the application.

    Config keys: ``STORE`` (a GraphStore to serve, e.g. in tests), or ``STORE_LOCATION`` /
    ``ENDPOINT`` / ``UPDATE_ENDPOINT`` / ``STORE_ENDPOINT`` to open one lazily in each
    worker process (``STORE_HELD``: the process that runs the app holds the store on disk,
    which a worker then does not: see openness.store.holders); ``QUERY_TIMEOUT`` (seconds
    from a request's arrival), ``QUERY_PROCESSES`` (query lanes), ``QUERY_QUEUE`` (queries
    that may wait for a lane), ``CLIENT_LIMIT`` (queries one client may have running or
    waiting), ``MAX_RESULT_BYTES``,
    ``MAX_CONTENT_LENGTH`` (request bodies), ``SHACL_MAX_SHAPES_TRIPLES``,
    ``SHACL_MAX_DATA_TRIPLES`` (what the SHACL service reads) and ``SHACL_MAX_MEMORY`` (bytes
    one validation may add to its query process), ``ALLOW_SERVICE``,
    ``UPDATE_ENABLED`` and ``UPDATE_TOKEN`` (None with updates enabled means no token:
    --open-update), ``PROXY_HOPS`` (reverse proxies in front whose X-Forwarded-For is
    trusted: --proxy-hops), ``PUBLIC_URL`` (the scheme, host and path clients reach the
    server at, which the links it writes about itself name: --public-url).
    """
    app = _App(__name__)
    app.config.from_mapping(
        STORE=None,
        STORE_LOCATION=None,
        ENDPOINT=None,
        UPDATE_ENDPOINT=None,
        STORE_ENDPOINT=None,
        STORE_HELD=False,
        QUERY_TIMEOUT=QUERY_TIMEOUT,
        QUERY_PROCESSES=3,
        QUERY_QUEUE=16,
        CLIENT_LIMIT=8,
        MAX_RESULT_BYTES=50 * 1024 * 1024,
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        ALLOW_SERVICE=False,
        SHACL_MAX_SHAPES_TRIPLES=10_000,
        SHACL_MAX_DATA_TRIPLES=300_000,
        SHACL_MAX_MEMORY=1024**3,
        UPDATE_ENABLED=False,
        UPDATE_TOKEN=None,
        BASE_IRI=None,  # the prefix of the IRIs we mint; the default is our w3id namespace
        PUBLISHER=None,  # the catalogue's publisher (an IRI); the default names our creator
        PUBLISHER_NAME=None,
        PROXY_HOPS=0,
        PUBLIC_URL=None,
    )
    if config:
        app.config.update(config)
    if app.config["BASE_IRI"] is not None:
        base_iri(app.config["BASE_IRI"])
    if app.config["PROXY_HOPS"]:
        # The client's address (the request log, the per-client limit) is the one the
        # nearest PROXY_HOPS proxies were sent by; without proxies in front the header is
        # the client's own word, so it is read only when asked.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=0, x_host=0)
    for blueprint in (
        health.bp,
        history.bp,
        home.bp,
        sparql.bp,
        queries.bp,
        update.bp,
        api.bp,
        badges.bp,
        openapi.bp,
        linked_data.bp,
        catalog.bp,
        pages.bp,
        search.bp,
        wording.bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["PUBLIC_URL"]:
        routes = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
        app.wsgi_app = PublicOrigin(app.wsgi_app, app.config["PUBLIC_URL"], routes)
    app.before_request(_start_timer)
    app.before_request(_encoded_slash_splits_no_segment)
    app.register_error_handler(Overloaded, _overloaded)
    app.register_error_handler(QueryTimeout, lambda e: text(str(e), 503))
    # A remote engine that stopped the query at its time limit (see store.remote).
    app.register_error_handler(TimeoutError, lambda e: text(str(e), 503))
    app.register_error_handler(ResultTooLarge, lambda e: text(str(e), 413))
    # Werkzeug's own page is HTML and names no limit; every other answer of ours is text.
    app.register_error_handler(
        RequestEntityTooLarge,
        lambda e: text(
            f"the request body is over the {app.config['MAX_CONTENT_LENGTH'] / 2**20:g} MiB "
            "this server reads",
            413,
        ),
    )
    app.register_error_handler(LaneDied, lambda e: text(str(e), 500))
    app.register_error_handler(StoreError, store_failed)
    # A format= naming no format, and no format fitting what is asked, on whichever route
    # negotiates (negotiation.negotiate): both list the route's formats.
    app.register_error_handler(UnknownFormat, lambda e: text(str(e), 400))
    app.register_error_handler(NotAcceptable, lambda e: text(str(e), 406))
    app.register_error_handler(MethodNotAllowed, _not_answered)
    app.register_error_handler(NotFound, _not_answered)
    app.register_error_handler(InternalServerError, _failed)
    # Flask runs these last registered first: the body is compressed, then If-None-Match is
    # answered against the ETag of what is sent (If-Match with a 412, which api_problem
    # then says as the API's other errors), and the status logged is the one sent.
    app.after_request(_log_request)
    app.after_request(_security_headers)
    app.after_request(_plain_redirect)
    app.after_request(_cors)
    app.after_request(api_problem)
    app.after_request(_conditional)
    app.after_request(_gzip)
    app.after_request(_api_validator)
    app.after_request(vary_by_accept)
    return app


def _start_timer() -> None:
    # Every query of the request must be answered within QUERY_TIMEOUT of this moment.
    g.arrival = time.monotonic()


# A variable of a route's rule: <converter(arguments):name>, or <name> (the default one).
_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")


def _encoded_slash_splits_no_segment() -> None:
    """404 for a request routed by splitting a segment at an encoded slash. WSGI decodes
    PATH_INFO before the routes see it, so /static%2Fstyle.css (one segment) was served as
    /static/style.css, and /id%2Fmodel/… as /id/model/…; as most servers do, such a path
    names nothing. Only what a path variable takes may hold one, kept as sent: a Hub id
    in /models/allenai%2FOLMo-7B, a record's base-model name in an IRI under /id/."""
    rule, sent = request.url_rule, sent_path(request.environ)
    if rule is None or sent is None or "%2f" not in sent.lower():
        return
    converters = current_app.url_map.converters
    spans = [
        any(not converters[c or "default"].part_isolating for c in _VARIABLE.findall(segment))
        for segment in rule.rule.split("/")
    ]
    sent_segments = sent.split("/")
    if True in spans:  # the segments before the first such variable and after the last
        first, after = spans.index(True), spans[::-1].index(True)
        fixed = sent_segments[:first] + sent_segments[len(sent_segments) - after :]
    else:
        fixed = sent_segments
    if any("%2f" in segment.lower() for segment in fixed):
        abort(404)


def _not_answered(e: NotFound | MethodNotAllowed) -> Response:
    """A path no route answers (404, or a route's own ``abort(404)``) or a method its route
    does not take (405, with its Allow header), in words: a page of the site for a browser,
    as the site's other 404s are, and text for any other client, as every other error of
    ours is. Werkzeug's own answer is a bare HTML page (no layout, no language, no way
    back). Under /api/ it is no page for a browser either: the API answers no pages (and
    its errors are JSON: api_problem)."""
    allowed = sorted(e.valid_methods or []) if isinstance(e, MethodNotAllowed) else []
    in_api = request.path.startswith(f"{api.bp.url_prefix}/")
    asked = asked_path(request.environ, request.script_root, request.path)
    if allowed:
        named = [m for m in allowed if m not in ("HEAD", "OPTIONS")] or allowed  # those go without
        message = f"{asked} takes {' or '.join(named)}, not {request.method}"
    elif in_api:
        message = f"{asked} is no route of the API: {url_for('openapi.openapi')} lists them"
    else:
        message = f"nothing is at {asked}"
    if wants_page():
        response = Response(
            render_template("error.html", status=e.code, phrase=e.name, message=message),
            status=e.code,
        )
    else:
        response = text(message, e.code)
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _failed(e: InternalServerError) -> Response | InternalServerError:
    """An error no handler of ours answers (Flask has logged it): under /api/ in words, which
    api_problem makes problem details as /openapi.json's ``default`` says; elsewhere
    Werkzeug's page."""
    if request.path.startswith(f"{API}/"):
        return text("the server failed to answer this request; its log says why", 500)
    return e


def _plain_redirect(response: Response) -> Response:
    """A redirect's body as text naming where it goes: Werkzeug writes an HTML page, which
    an API client reading the body gets where every other answer of ours is text."""
    if 300 <= response.status_code < 400 and response.location and response.mimetype == "text/html":
        response.set_data(f"see {response.location}\n")
        response.content_type = "text/plain; charset=utf-8"
    return response


def _security_headers(response: Response) -> Response:
    """A page (any HTML answer, Werkzeug's error pages too) says what it may run; other
    answers are not documents a browser runs script in, and none is to be read as one:
    ``nosniff`` on every answer keeps a browser from taking text the data fills (a CSV or
    Turtle answer, a plain-text error quoting a query) for HTML by its content."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def _overloaded(e: Overloaded) -> Response:
    """A query turned away: 503 (server busy) or 429 (this client's limit), with when to
    try again."""
    response = text(str(e), e.status)
    response.headers["Retry-After"] = str(e.retry_after)
    return response


def _cors(response: Response) -> Response:
    """Any origin may query (reads carry no credentials) and read the headers in EXPOSED;
    preflights are answered."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type, Authorization"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def api_problem(response: Response) -> Response:
    """An error of the API in JSON, as RFC 9457's problem details (``detail``: the words
    every other client gets as text), which a program reads as it reads the answers; text
    still to a client asking text rather than JSON. Every error of the API passes here,
    wherever it was raised (the guard, the store, the model lookup, a 404 or 405)."""
    if response.status_code < 400 or not request.path.startswith(f"{API}/"):
        return response
    # Problem details or text by Accept, whichever is sent: a cache must keep them apart.
    response.vary.add("Accept")
    if (
        response.mimetype != "text/plain"
        or request.accept_mimetypes.best_match([PROBLEM, "application/json", "text/plain"])
        == "text/plain"
    ):
        return response
    detail = response.get_data(as_text=True).rstrip("\n")
    phrase = PHRASES.get(response.status_code, "Error")
    problem = {"type": "about:blank", "title": phrase, "status": response.status_code}
    response.set_data(json.dumps({**problem, "detail": detail}, ensure_ascii=False))
    response.content_type = PROBLEM
    return response


def _api_validator(response: Response) -> Response:
    """An answer of the API read by GET carries its checksum as ETag, asked again by
    If-None-Match (304: ``_conditional``) rather than taken from a cache unasked
    (``no-cache``): what the API answers changes whenever the store is written (an
    ``assess``, an ingest), at no time a client could know, and the checksum follows it."""
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and request.path.startswith(f"{API}/")
        and not response.is_streamed
        and not response.get_etag()[0]
    ):
        response.add_etag()
        response.headers.setdefault("Cache-Control", "no-cache")
    return response


def _gzip(response: Response) -> Response:
    """Compress large bodies for clients that accept gzip (``gzip;q=0`` refuses it)."""
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code >= 300
        or "Content-Encoding" in response.headers
    ):
        return response
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return response
    # Sent compressed or not by Accept-Encoding: caches must keep the two apart.
    response.vary.add("Accept-Encoding")
    if not request.accept_encodings["gzip"]:
        return response
    etag, weak = response.get_etag()
    if etag:  # the compressed bytes are another representation (RFC 9110 §8.8.3)
        response.set_etag(f"{etag}-gzip", weak)
    # mtime=0: the header holds no time, so the strong ETag names the same bytes each time.
    response.set_data(gzip.compress(body, compresslevel=5, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def _conditional(response: Response) -> Response:
    """Answer If-None-Match with 304 when it names the ETag of what would be sent, and
    If-Match naming none with 412, in words: the answer it would have replaced is not sent."""
    if response.status_code == 200 and response.get_etag()[0]:
        response.make_conditional(request)
        if response.status_code == 412:
            response.set_data(
                f"If-Match names no ETag of this answer ({response.headers['ETag']})\n"
            )
            response.content_type = "text/plain; charset=utf-8"
    return response


def _log_request(response: Response) -> Response:
    elapsed = (time.monotonic() - g.get("arrival", time.monotonic())) * 1000
    # The client's address first: the limits (--client-limit's 429) are per address.
    log.info(
        "%s %s %s %s %.1fms",
        request.remote_addr,
        request.method,
        request.full_path.rstrip("?"),
        response.status_code,
        elapsed,
    )
    return response
