"""The keys of a JSON-LD description that no @context term maps.

JSON-LD expansion drops a key its context does not map (no term, no compact IRI, no
@vocab) before any triple is made, so what it says never reaches the checks of the triples
(openness.assess.terms): `"licence": "Apache-2.0"` beside a context mapping `license` was
left out without a word. Which keys were dropped is read from the parser itself, not from a
second reading of the contexts: the document is parsed again with a @vocab of our own
underneath its contexts, which maps exactly the keys nothing else maps, and once more with
each such key's values marked, which tells the places it was dropped at.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

# A @vocab under the document's own: a key only it maps is one expansion dropped.
_UNREAD = "urn:x-openness:unread-key:"
# The value marking one place a key is at (a text, which no term maps it to).
_PLACE = "urn:x-openness:place:"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
SHOWN = 3  # places named for a key; the rest are counted

Path = tuple[str | int, ...]


def dropped(document: Any) -> list[str]:
    """One message for each key of ``document`` (JSON-LD, parsed) that expansion drops,
    with the JSON paths it is at (where the key is dropped itself, not inside another
    dropped key) and the term of a context spelt most like it; none for a document nested
    too deep to walk (the parser read it, so it is no error)."""
    try:
        return _dropped(document)
    except RecursionError:
        return []


def _dropped(document: Any) -> list[str]:
    names = {
        t.predicate.value.removeprefix(_UNREAD)
        for t in _triples(_under(document, {"@vocab": _UNREAD}))
        if t.predicate.value.startswith(_UNREAD)
    }
    if not names:
        return []
    places = [(path, key) for path, key in _keys(document, ()) if key in names]
    marked = {path: i for i, (path, _) in enumerate(places)}
    try:
        said = {
            t.object.value.removeprefix(_PLACE)
            for t in _triples(_under(_marked(document, marked, ()), {"@vocab": _UNREAD}))
            if t.predicate.value.startswith(_UNREAD) and t.object.value.startswith(_PLACE)
        }
        found = [(path, key) for path, key in places if str(marked[path]) in said]
    except (SyntaxError, ValueError):  # a marked value no key may hold (a @reverse map's)
        found = places
    at: dict[str, list[Path]] = defaultdict(list)
    outer: list[Path] = []  # (in the document's order, a key before those inside it)
    for path, key in found:
        if not any(path[: len(p)] == p for p in outer):
            at[key].append(path)
            outer.append(path)
    terms = sorted(
        {k for c in contexts(document) if isinstance(c, dict) for k in c if not k.startswith("@")}
    )
    out = []
    for key, paths in at.items():
        where = ", ".join(json_path(p) for p in paths[:SHOWN])
        more = f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else ""
        like = difflib.get_close_matches(key, [t for t in terms if t != key], n=1, cutoff=0.8)
        out.append(
            f"the JSON-LD key {key!r} at {where}{more} is mapped by no term of its @context, "
            "so JSON-LD expansion drops it and what it says is not read"
            + (f"; did you mean {like[0]!r}?" if like else "")
        )
    return out


def json_path(path: Path) -> str:
    """A path as JSONPath writes it.

    >>> json_path(("@graph", 0, "licence"))
    '$["@graph"][0].licence'
    """
    return "$" + "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}" if _NAME.match(p) else f"[{json.dumps(p)}]"
        for p in path
    )


def _triples(document: Any) -> list[ox.Triple]:
    data = json.dumps(document).encode()
    return [q.triple for q in ox.parse(data, ox.RdfFormat.JSON_LD, base_iri="urn:x-openness:")]


def _under(node: Any, context: dict[str, str], top: bool = True) -> Any:
    """``node`` with ``context`` under its own: first in each ``top``-level node's (the
    document's), and again after each context in it that starts afresh (null)."""
    if isinstance(node, list):
        return [_under(item, context, top) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _under(v, context, False) for k, v in node.items() if k != "@context"}
    if top or "@context" in node:
        own = _listed(node["@context"]) if "@context" in node else []
        out["@context"] = _after_null([context, *own] if top else own, context)
    return out


def _after_null(contexts: list[Any], context: dict[str, str]) -> list[Any]:
    """``contexts`` with ``context`` after the last null among them, which drops every
    context before it."""
    if None not in contexts:
        return contexts
    last = len(contexts) - contexts[::-1].index(None)
    return [*contexts[:last], context, *contexts[last:]]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _keys(node: Any, path: Path) -> list[tuple[Path, str]]:
    """Every key outside the contexts that is no keyword, with its path."""
    out: list[tuple[Path, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            if not key.startswith("@"):
                out.append(((*path, key), key))
            out += _keys(value, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            out += _keys(item, (*path, i))
    return out


def _marked(node: Any, marked: dict[Path, int], path: Path) -> Any:
    """``node`` with a text naming its place first among the values of each key ``marked``."""
    if isinstance(node, list):
        return [_marked(item, marked, (*path, i)) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        inner = value if key == "@context" else _marked(value, marked, (*path, key))
        if (*path, key) in marked:
            inner = [f"{_PLACE}{marked[(*path, key)]}", *_listed(inner)]
        out[key] = inner
    return out


def contexts(node: Any) -> list[Any]:
    """Every context the JSON-LD ``node`` (parsed) lists, in its order: its nodes' and
    those inside a context (a term's scoped context)."""
    found: list[Any] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                found += _listed(value)
            found += contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += contexts(item)
    return found


def remote_contexts(node: Any) -> list[str]:
    """The contexts a JSON-LD document would fetch: string contexts and @import."""
    return [
        c if isinstance(c, str) else c["@import"]
        for c in contexts(node)
        if isinstance(c, str) or (isinstance(c, dict) and isinstance(c.get("@import"), str))
    ]
