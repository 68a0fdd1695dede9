"""Models by what people call them: every name of every model (the named query
``model-names``: a release's own name, Hub repository ids, the sources' record ids and
names, family names), matched loosely with rapidfuzz, so that "llama 2", "lama2 7b" or
"meta-llama/Llama-2-7b-hf" all find Llama-2-7B. The search page and the lookups' "did you
mean" read the same index."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rapidfuzz import fuzz, process, utils

from openness.named_queries import catalogue
from openness.namespaces import ID
from openness.store import GraphStore

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


def normalized(name: str) -> str:
    """A name as the index matches it: case and punctuation aside."""
    return utils.default_process(name)


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
        self.keys = [normalized(alias) for _, _, alias in self.rows]
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
        query = normalized(text)
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
            return (-m.score, -fuzz.ratio(query, normalized(m.name)), m.name)

        return sorted(best.values(), key=closeness)[:limit]

    def exact(self, text: str) -> set[str]:
        """The models with a name that is ``text`` (case and punctuation aside)."""
        return set(self.named.get(normalized(text), ()))

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

    @classmethod
    def of(cls, store: GraphStore) -> NameIndex:
        """The index of every name ``store``'s models have: text, which a name or alias
        given as a triple term (RDF 1.2) is not — what was typed matched its ``<<( … )>>``
        (a model's IRI in it) and showed it as the model's name."""
        rows = store.query(catalogue()["model-names"].text).rows()
        return cls(
            [
                (r["model"].value, r["name"].value, r["alias"].value, r["kind"].value)
                for r in rows
                if not isinstance(r["name"], ox.Triple) and not isinstance(r["alias"], ox.Triple)
            ]
        )
