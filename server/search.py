"""“Is X open?”: find models by what people call them, answered with their verdicts.

The names come from the named query ``model-names`` (a release's own name, Hub repository
ids, the sources' record ids and names, family names). What is typed is matched loosely
with rapidfuzz, so that "llama 2", "lama2 7b" or "meta-llama/Llama-2-7b-hf" all find
Llama-2-7B. Verdicts are read through ``verdict_rows`` only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from rapidfuzz import fuzz, process, utils

from openness.assess.definitions import definitions
from openness.assess.report import verdict_rows
from openness.named_queries import catalogue
from openness.namespaces import ID
from openness.server.context import get_store

bp = Blueprint("search", __name__)
T = TypeVar("T")

# Names and terms change only when a source is ingested again; rebuilding an index a few
# minutes late is harmless, running its query on every request is not (about a second).
INDEX_TTL = 300.0
# Below this a name has too little in common with what was typed to be worth showing.
MIN_SCORE = 75.0
# A fuzzy best match is taken as the answer (a redirect) only when it is this good and
# ahead of the next model by this much; otherwise the person chooses.
SURE_SCORE = 90.0
SURE_MARGIN = 5.0
# How each scorer counts: whole strings, the same words in any order, what was typed as
# part of a longer name, and a name whose words are all among those typed.
SCORERS = ((fuzz.ratio, 1.0), (fuzz.token_sort_ratio, 1.0), (fuzz.token_set_ratio, 0.9))
PARTIAL_WEIGHT = 0.95
MAX_QUERY = 200
OUTCOME_WORDS = {
    "passed": "passes",
    "failed": "fails",
    "cantTell": "can't tell",
    "inapplicable": "rates it",
}


@dataclass(frozen=True)
class Match:
    model: str  # IRI
    name: str  # the release's own name
    alias: str  # the name that matched
    score: float

    @property
    def id(self) -> str:
        return self.model.removeprefix(ID + "model/")


class NameIndex:
    """Every name of every model, normalized for loose matching."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.rows = [(model, name, alias) for model, name, alias, _ in rows]
        self.keys = [utils.default_process(alias) for _, _, alias in self.rows]
        self.names = {model: name for model, name, _ in self.rows}
        # Each model's Hugging Face repository ids (the matrix's filters match them too).
        self.hub_repos: dict[str, list[str]] = {}
        for model, _, alias, kind in rows:
            if kind == "hub-repo":
                self.hub_repos.setdefault(model, []).append(alias)
        # The models each normalized name is exactly, looked up rather than scanned: a miss
        # on the model pages asks it twice (redirect or not, then shared or unknown).
        self.named: dict[str, set[str]] = {}
        for (model, _, _), key in zip(self.rows, self.keys, strict=True):
            self.named.setdefault(key, set()).add(model)

    def search(self, text: str, limit: int = 8) -> list[Match]:
        """The models whose names are closest to ``text``, best first (one per model)."""
        query = utils.default_process(text)
        if not query:
            return []
        scores: dict[int, float] = {}
        for scorer, weight in SCORERS:
            for _, score, i in process.extract(
                query, self.keys, scorer=scorer, processor=None, limit=None, score_cutoff=60
            ):
                scores[i] = max(scores.get(i, 0.0), score * weight)
        # What was typed may be the start of a longer name ("olmo" in "olmo 7b twin").
        for _, score, i in process.extract(
            query,
            self.keys,
            scorer=fuzz.partial_ratio,
            processor=None,
            limit=None,
            score_cutoff=60,
        ):
            if len(self.keys[i]) >= len(query):
                scores[i] = max(scores.get(i, 0.0), score * PARTIAL_WEIGHT)
        best: dict[str, Match] = {}
        for i, score in scores.items():
            model, name, alias = self.rows[i]
            if score >= MIN_SCORE and (model not in best or score > best[model].score):
                best[model] = Match(model, name, alias, round(score, 1))

        def closeness(m: Match) -> tuple[float, float, str]:
            # Among equally good matches (every member of a family matches its family's
            # name), the release whose own name is closest to what was typed comes first.
            return (-m.score, -fuzz.ratio(query, utils.default_process(m.name)), m.name)

        return sorted(best.values(), key=closeness)[:limit]

    def exact(self, text: str) -> set[str]:
        """The models with a name that is ``text`` (case and punctuation aside)."""
        return set(self.named.get(utils.default_process(text), ()))

    def resolve(self, text: str) -> str | None:
        """The one model ``text`` names: an exact name of one model, or a clear best match."""
        exact = self.exact(text)
        if len(exact) == 1:
            return exact.pop()
        if exact:
            return None  # a name several models share (a family's) is no answer
        matches = self.search(text, limit=2)
        if (
            matches
            and matches[0].score >= SURE_SCORE
            and (len(matches) == 1 or matches[0].score - matches[1].score >= SURE_MARGIN)
        ):
            return matches[0].model
        return None


def kept(key: str, build: Callable[[], T]) -> T:
    """What ``build`` makes from the store, kept by this process for INDEX_TTL."""
    cached = current_app.extensions.get(key)
    now = time.monotonic()
    if cached is None or now - cached[0] > INDEX_TTL:
        current_app.extensions[key] = cached = (now, build())
    return cached[1]


def name_index() -> NameIndex:
    """This process's index of model names."""

    def build() -> NameIndex:
        rows = get_store().query(catalogue()["model-names"].text).rows()
        return NameIndex(
            [(r["model"].value, r["name"].value, r["alias"].value, r["kind"].value) for r in rows]
        )

    return kept("openness.names", build)


def verdict_lines(model: str) -> list[dict[str, Any]]:
    """One line per definition: the outcome, its level or score, and the first reason."""
    labels = {d.id: d.label for d in definitions().values()}
    lines = []
    for v in verdict_rows(get_store(), model=model):
        lines.append(
            {
                "definition": v["definition"],
                "label": labels.get(v["definition"], v["definition"]),
                "outcome": v["outcome"],
                "words": OUTCOME_WORDS[v["outcome"]],
                "level": v["level"],
                "score": v["score"],
                "why": v["reasons"][0] if v["reasons"] and v["outcome"] != "passed" else None,
            }
        )
    return lines


def answers(text: str, limit: int = 8) -> list[dict[str, Any]]:
    """The matches for ``text``, each with its verdict lines."""
    return [
        {
            "model": m.model,
            "id": m.id,
            "name": m.name,
            "matched": m.alias,
            "score": m.score,
            "page": url_for("pages.model", model_id=m.id),
            "verdicts": verdict_lines(m.model),
        }
        for m in name_index().search(text, limit)
    ]


def _asked() -> str:
    # No model name is longer; a longer text would only make matching slow.
    return request.args.get("q", "").strip()[:MAX_QUERY]


@bp.get("/search")
def search() -> Response:
    """The answer page for the search box of every page."""
    text = _asked()
    found = answers(text) if text else []
    return Response(render_template("search.html", query=text, matches=found))


@bp.get("/api/search")
def api_search() -> Response:
    """The same answer as JSON: the matching models, best first, with their verdicts."""
    text = _asked()
    if not text:
        return Response(
            "q, the model to look for, is required\n", 400, content_type="text/plain; charset=utf-8"
        )
    try:
        limit = min(50, max(1, int(request.args.get("limit", 8))))
    except ValueError:
        return Response("limit is a number\n", 400, content_type="text/plain; charset=utf-8")
    return jsonify({"query": text, "matches": answers(text, limit)})
