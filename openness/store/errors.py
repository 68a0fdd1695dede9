"""What a store raises: the store failing, a remote engine refusing, a query no engine
here can answer. Apart from the stores, so that reading SPARQL's text
(:mod:`openness.store.sparql_text`) can say each in words without importing a store."""

from __future__ import annotations


class StoreError(RuntimeError):
    """The store could not be opened, read or written (not a problem with the query)."""


class Refused(StoreError):
    """A remote engine answered a request with an error status (not a lost connection):
    ``words`` is its answer's text, trimmed, for a client to be told
    (:func:`openness.store.sparql_text.refusal`); the message adds the engine's address,
    for its operator's log. ``retry_after``: the seconds its Retry-After asked to wait,
    if it said (an engine busy or restarting, a 503's)."""

    def __init__(self, url: str, status: int, words: str, retry_after: float | None = None) -> None:
        # All as args: the error crosses from a query process by pickling whole.
        super().__init__(url, status, words, retry_after)
        self.url, self.status, self.words = url, status, words
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.url} answered {self.status}: {self.words}"

    @property
    def final(self) -> bool:
        """Whether the engine refused the request itself, and would refuse it again: not
        a status saying it cannot answer now (busy, restarting, or a proxy in front of it
        that could not reach it), after which the same request may be answered."""
        return self.status not in _NOT_NOW


class CutOff(Refused):
    """A remote engine answered only part of an answer, cut off at a row limit it is
    configured with (Virtuoso's ResultSetMaxRows), with status 200: refused all the same,
    and finally (asked again, it cuts the same). ``words`` say what was cut and what to
    set."""

    def __init__(self, url: str, words: str) -> None:
        super().__init__(url, 200, words)
        self.args = (url, words)  # as given, to be pickled whole (see Refused)

    def __str__(self) -> str:
        return f"{self.url} {self.words}"


# An engine busy (429) or unavailable (503), or a gateway in front of it that got no
# answer from it (502, 504).
_NOT_NOW = frozenset({429, 502, 503, 504})


class Unanswerable(ValueError):
    """A query that parses but calls a function the engine does not have (one of
    another engine's, as Virtuoso's ``bif:``, or a misspelled IRI): the request's fault, as
    a syntax error is, where the engine raised the error it raises for a store that fails."""
