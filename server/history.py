"""History and transparency on the web: the parts of pages that read dated verdicts and
the FMTI, the history API and the Atom feeds of verdict changes. Each answer comes from its
named query (queries/*.rq), never from SPARQL of its own."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pyoxigraph as ox
from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, jsonify, redirect, request, url_for

from openness.assess.definitions import definitions
from openness.assess.report import score_text
from openness.assess.service import withdrawal
from openness.named_queries import named
from openness.server.catalog import sources
from openness.server.context import get_store
from openness.server.lookup import WITHDRAWN, definition_asked, model_or_withdrawn
from openness.server.negotiation import negotiate
from openness.server.openapi_site import (
    FORMAT,
    MODEL_NAMED,
    MODEL_OR_NAME,
    NO_FORMAT,
    NOT_OFFERED,
    plain,
)
from openness.server.sparql import text
from openness.server.wording import OUTCOMES

bp = Blueprint("history", __name__)
# Line colours of the chart, one per definition: Okabe–Ito's (colour-blind safe) with its
# orange made darker and its sky blue and yellow replaced by a purple and a grey: they were
# under the 3:1 on the white page that WCAG 1.4.11 asks of a line (each has 3:1 or more).
PALETTE = ("#0072B2", "#A66900", "#009E73", "#CC79A7", "#6A3D9A", "#D55E00", "#000000", "#666666")
# The newest changes a feed lists (readers poll it; the API gives the whole history).
FEED_ENTRIES = 200
OUTCOME_WORDS = OUTCOMES  # "cantTell" → "can't tell", "inapplicable" → "rated"


def named_rows(name: str, **params: str | None) -> list[dict[str, str]]:
    """The rows of the named query ``name`` with the given parameters bound, as strings."""
    query = named(name)
    given = {k: v for k, v in params.items() if v}
    try:
        query.bindings(given)  # a malformed value is the client's: 400, before any query
    except ValueError as e:
        abort(text(f"bad parameter value: {e}", 400))
    rows = query.run(get_store(), given).rows()
    return [
        {k: v.value for k, v in row.items() if isinstance(v, ox.Literal | ox.NamedNode)}
        for row in rows
    ]


def round_ticks(highest: int, most: int = 4) -> list[int]:
    """The values of a count axis: 0 and its multiples of a round step (1, 2 or 5 times a
    power of ten), through the first at or above ``highest``, at most ``most`` steps —
    0, 57, 115 (half the highest, then the highest) read slower than 0, 50, 100, 150.

    >>> round_ticks(115), round_ticks(7), round_ticks(0), round_ticks(400)
    ([0, 50, 100, 150], [0, 2, 4, 6, 8], [0, 1], [0, 100, 200, 300, 400])
    """
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            steps = math.ceil(highest / step)
            if steps <= most:
                return list(range(0, max(1, steps) * step + 1, step))
        power *= 10


def transparency(organization: str | None) -> list[dict[str, Any]]:
    """The FMTI scores of an organization (an IRI), oldest edition first."""
    if not organization:
        return []
    return named_rows("organization-transparency", organization=organization)


def timeline(model: str) -> list[dict[str, str]]:
    """A model's dated verdicts, oldest first."""
    return named_rows("model-timeline", model=model)


# Pixels between two date labels of the chart's axis, so that they do not overlap.
TICK_GAP = 40


def passing_chart(definition: str | None = None, width: int = 640, height: int = 220) -> dict:
    """The geometry of a line chart of models passing each definition over time (drawn
    as SVG by history/passing_chart.html): x is the date, y the count. A definition that
    passes or fails no model (og:passesModels false: it rates) has no line, which would be
    a flat zero: asked for alone, it gets ``{"rated": True}`` and the page says why. With
    the sources it counts (``sources``, catalog.sources), whom the chart credits."""
    rated = {d.id for d in definitions().values() if not d.passes_models}
    if definition in rated:
        return {"rated": True}
    rows = [
        r
        for r in named_rows("passing-over-time", definition=definition)
        if r["definition"] not in rated
    ]
    if not rows:
        return {}
    series: dict[str, list[tuple[dt.date, int]]] = {}
    for r in rows:
        series.setdefault(r["definition"], []).append(
            (dt.date.fromisoformat(r["date"]), int(r["passing"]))
        )
    dates = sorted({d for points in series.values() for d, _ in points})
    yvalues = round_ticks(max(n for points in series.values() for _, n in points))
    top = yvalues[-1]
    left, right, pad = 44, 24, 24
    span = max(1, (dates[-1] - dates[0]).days)

    def x(d: dt.date) -> float:
        return round(left + (width - left - right) * (d - dates[0]).days / span, 1)

    def y(n: int) -> float:
        return round(pad + (height - 2 * pad) * (1 - n / top), 1)

    lines = []
    for i, (name, points) in enumerate(sorted(series.items())):
        # A step line: a verdict holds until the next date.
        path = []
        for j, (d, n) in enumerate(points):
            if j:
                path.append(f"L{x(d)},{y(points[j - 1][1])}")
            path.append(f"{'M' if j == 0 else 'L'}{x(d)},{y(n)}")
        lines.append(
            {
                "definition": name,
                "colour": PALETTE[i % len(PALETTE)],
                "path": " ".join(path),
                "points": [
                    {"x": x(d), "y": y(n), "date": d.isoformat(), "n": n} for d, n in points
                ],
                "last": points[-1][1],
                "lastDate": points[-1][0].isoformat(),
            }
        )
    # A date too close to the one labelled after it keeps its tick, not its label: the
    # last date, which the key's counts are of, is always labelled.
    ticks, shown = [], math.inf
    for d in reversed(dates):
        far = shown - x(d) >= TICK_GAP
        ticks.insert(0, {"x": x(d), "label": d.isoformat() if far else ""})
        shown = x(d) if far else shown
    yticks = [{"y": y(n), "label": n} for n in yvalues]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "bottom": height - pad,
        "top": pad,
        "lines": lines,
        "ticks": ticks,
        "yticks": yticks,
        # whom it counts: the sources with dated snapshots, as passing-over-time counts
        "sources": [s for s in sources() if s["snapshots"]],
    }


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    # Templates of other blueprints include ours with one line; these give them the data.
    return {
        "fmti_scores": transparency,
        "verdict_timeline": timeline,
        "passing_chart": passing_chart,
        "outcome_words": OUTCOME_WORDS,
    }


def _window() -> dict[str, str | None]:
    """The ``from`` / ``to`` dates and ``definition`` of a request, checked."""
    args = request.args
    for key in ("from", "to"):
        if args.get(key):
            try:
                dt.date.fromisoformat(args[key])
            except ValueError:
                abort(text(f"bad parameter value: {key}={args[key]!r} is not YYYY-MM-DD", 400))
    return {"from": args.get("from"), "to": args.get("to"), "definition": definition_asked()}


@bp.get("/api/history/changes")
def api_changes() -> Response:
    """Verdict changes between two dates (``from``, ``to``), optionally of one definition."""
    return jsonify(named_rows("verdict-changes", **_window()))


@bp.get("/api/history/passing")
def api_passing() -> Response:
    """How many models pass each definition at each snapshot date."""
    return jsonify(named_rows("passing-over-time", definition=definition_asked()))


@bp.get("/api/history/producers")
def api_producers() -> Response:
    """Producers whose models became more or less open between two dates."""
    return jsonify(named_rows("producers-openness-trend", **_window()))


@bp.get("/api/history/first-passed")
def api_first_passed() -> Response:
    """When each model first passed each definition."""
    return jsonify(named_rows("first-passed", definition=definition_asked()))


@bp.get("/api/models/<path:model_id>/history")
def api_model_history(model_id: str) -> Response:
    """One model's dated verdicts; a withdrawn model's too (its history is not gone with
    it), the day it was withdrawn in the ``Withdrawn`` header, as the ``withdrawn`` field
    of the model's own answer (410) gives it."""
    iri, tombstone = model_or_withdrawn(model_id)
    answer = jsonify(timeline(iri))
    if tombstone:
        answer.headers[WITHDRAWN] = withdrawal(tombstone)["withdrawn"]
    return answer


def _feed(title: str, **params: str) -> Response:
    """An Atom feed of the verdict changes the named query verdict-changes gives with
    ``params``, newest first; its alternate (HTML) is that query's page of them, where a
    browser is sent instead."""
    _page_for_a_browser(**params)
    rows = named_rows("verdict-changes", **params)
    fg = FeedGenerator()
    fg.id(request.base_url)
    fg.title(title)
    fg.link(href=request.base_url, rel="self")
    fg.link(href=_changes_page(**params, _external=True), rel="alternate")
    fg.author({"name": "Openness Graph"})
    fg.subtitle("Verdict changes, dated by the source snapshots they rest on.")
    newest = max((r["date"] for r in rows), default="1970-01-01")
    fg.updated(dt.datetime.fromisoformat(newest).replace(tzinfo=dt.UTC))
    for r in reversed(rows[:FEED_ENTRIES]):  # feedgen lists the last added entry first
        model_id = r["model"].rsplit("/", 1)[1]
        before = _verdict_words(r, "before")
        after = _verdict_words(r, "after")
        entry = fg.add_entry()
        entry.id(f"{r['model']}#{r['definition']}-{r['date']}")
        entry.title(f"{r['name']}: {r['definition']} {before} → {after}")
        entry.link(href=url_for("pages.model", model_id=model_id, _external=True))
        entry.updated(dt.datetime.fromisoformat(r["date"]).replace(tzinfo=dt.UTC))
        entry.category(term=r["definition"])
        lines = [f"As of {r['date']}, {r['name']} {after} {r['definition']} (was {before})."]
        if r.get("reasonsGained"):
            lines += ["Now: " + reason for reason in r["reasonsGained"].split(" | ")]
        if r.get("reasonsLost"):
            lines += ["No longer: " + reason for reason in r["reasonsLost"].split(" | ")]
        if r.get("changedRecords"):
            lines.append("Records that changed: " + r["changedRecords"])
        entry.content("\n".join(lines), type="text")
    return Response(fg.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8")


def _verdict_words(row: dict[str, str], when: str) -> str:
    words = OUTCOME_WORDS.get(row.get(when, ""), row.get(when, ""))
    if row.get(f"{when}Level"):
        words += f" ({row[f'{when}Level']})"
    elif row.get(f"{when}Score"):
        words += f" (score {score_text(row[f'{when}Score'])})"
    return words


# What a feed's address answers: Atom first (a feed reader's `*/*` or Atom), the named
# query's page to a client preferring HTML.
FEED_TYPES = ["application/atom+xml", "text/html"]


def _page_for_a_browser(**params: str) -> None:
    """A browser following a "what changed" link showed the feed's XML: a client preferring
    HTML (or format=html) is sent (303) to the page of the named query the feed is made
    from, with the feed's parameters, so a person reads the same changes as a table."""
    if negotiate(FEED_TYPES, "the verdict changes are") == "text/html":
        abort(redirect(_changes_page(**params), 303))


def _changes_page(**params: Any) -> str:
    """The address of the named query verdict-changes's page with ``params``."""
    return url_for("queries.run", name="verdict-changes", **params)


@bp.get("/changes")
def changes() -> Response:
    """Every verdict change, as Atom."""
    return _feed("Openness Graph: verdict changes")


@bp.get("/models/<path:model_id>/changes")
def model_changes(model_id: str) -> Response:
    """A model's verdict changes; a withdrawn model's too, its title saying so."""
    iri, tombstone = model_or_withdrawn(model_id)
    title = f"Verdict changes of {model_id}"
    if tombstone:
        title += f" (withdrawn on {withdrawal(tombstone)['withdrawn']})"
    return _feed(title, model=iri)


@bp.get("/definitions/<definition_id>/changes")
def definition_changes(definition_id: str) -> Response:
    if definition_id not in definitions():
        return text(f"no definition {definition_id!r}", 404)
    return _feed(f"Verdict changes on {definition_id}", definition=definition_id)


def _query_param(name: str, description: str, fmt: str | None = None) -> dict[str, Any]:
    schema = {"type": "string", **({"format": fmt} if fmt else {})}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


_WINDOW = [
    _query_param("from", "Changes after this date", "date"),
    _query_param("to", "Changes on or before this date", "date"),
    _query_param("definition", "A definition id (see /definitions)"),
]
_JSON = {"description": "Rows of the named query", "content": {"application/json": {}}}
_ATOM = {"description": "An Atom feed, newest first", "content": {"application/atom+xml": {}}}
# A feed negotiates: Atom, or (303) the named query's page to a client preferring HTML.
_TO_PAGE = "To a client preferring HTML, the page of the named query verdict-changes"
_FEED = {"200": _ATOM, "303": {"description": _TO_PAGE}, "406": NOT_OFFERED}
_BAD = {
    "description": "A date is not YYYY-MM-DD, or no definition has that id",
    "content": {"text/plain": {}},
}
_MISSING = {"description": "No such model or definition", "content": {"text/plain": {}}}
_PATH_ID = {"in": "path", "required": True, "schema": {"type": "string"}}
# A withdrawn model's history is answered, not 410 Gone: the model's other answers but that.
_NAMED_DATED = {status: answer for status, answer in MODEL_NAMED.items() if status != "410"}
_MODEL_JSON = {
    **_JSON,
    "description": "Rows of the named query; a withdrawn model's too",
    "headers": {
        WITHDRAWN: {
            "description": "Of a withdrawn model: the day it was withdrawn",
            "schema": {"type": "string", "format": "date"},
        }
    },
}
# The history routes in OpenAPI terms (server/openapi.py lists them with the others).
OPENAPI_PATHS: dict[str, Any] = {
    "/api/history/changes": {
        "get": {
            "summary": "Verdicts that changed between two dates, with the reasons and records",
            "parameters": _WINDOW,
            "responses": {"200": _JSON, "400": _BAD},
        }
    },
    "/api/history/producers": {
        "get": {
            "summary": "Producers whose models became more or less open between two dates",
            "parameters": _WINDOW,
            "responses": {"200": _JSON, "400": _BAD},
        }
    },
    "/api/history/passing": {
        "get": {
            "summary": "How many models pass each definition at each snapshot date",
            "parameters": _WINDOW[2:],
            "responses": {"200": _JSON, "400": _BAD},
        }
    },
    "/api/history/first-passed": {
        "get": {
            "summary": "When each model first passed each definition",
            "parameters": _WINDOW[2:],
            "responses": {"200": _JSON, "400": _BAD},
        }
    },
    "/api/models/{model_id}/history": {
        "get": {
            "summary": "A model's dated verdicts",
            "parameters": [MODEL_OR_NAME],
            "responses": {"200": _MODEL_JSON, **_NAMED_DATED},
        }
    },
    "/changes": {
        "get": {
            "summary": "Every verdict change",
            "parameters": [FORMAT],
            "responses": {**_FEED, "400": plain(NO_FORMAT)},
        }
    },
    "/models/{model_id}/changes": {
        "get": {
            "summary": "A model's verdict changes (a withdrawn model's too)",
            "parameters": [MODEL_OR_NAME, FORMAT],
            "responses": {
                **_NAMED_DATED,
                **_FEED,
                "303": {"description": f"{_NAMED_DATED['303']['description']}; or {_TO_PAGE}"},
                "400": plain(NO_FORMAT),
            },
        }
    },
    "/definitions/{definition_id}/changes": {
        "get": {
            "summary": "A definition's verdict changes",
            "parameters": [
                {
                    "name": "definition_id",
                    "description": "a definition id (see /definitions)",
                    **_PATH_ID,
                },
                FORMAT,
            ],
            "responses": {**_FEED, "400": plain(NO_FORMAT), "404": _MISSING},
        }
    },
}
