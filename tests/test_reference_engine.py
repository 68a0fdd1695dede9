"""The reference engine's pySHACL runs, one after another and at once in a process: the
parsed queries they share, and that nothing of one data graph reaches another's report."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import rdflib
import rdflib.plugins.sparql.processor
from rdflib.compare import isomorphic

from openness.assess import reference
from openness.assess.definitions import definitions
from openness.assess.run import subjects
from openness.store import GraphStore


@pytest.fixture(scope="module")
def graphs(built: GraphStore) -> list[rdflib.Graph]:
    """The evidence graphs of two bundled models far apart in the list."""
    models = sorted(subjects(built))[::60][:2]
    return [reference.to_rdflib(reference.evidence(built, m)) for m in models]


def _alone(data: rdflib.Graph, ids: list[str] | None) -> rdflib.Graph:
    """pySHACL's report on ``data``, parsed queries aside nothing kept of any run."""
    return reference.report(data, ids)


# A hang guard: ~10 pySHACL runs of ~1-3 CPU s each.
@pytest.mark.timeout(900)
def test_a_report_after_others_is_the_one_given_alone(
    graphs: list[rdflib.Graph],
) -> None:
    """Two models' evidence validated in turn, with every definition's shapes and with one
    definition's, then at once in two threads: each report is the one given on that graph
    first (the same graph, blank nodes aside). Parsed queries shared by threads gave wrong
    reports (rdflib keeps an evaluation's bindings on the parsed query)."""
    one = [next(iter(definitions()))]
    jobs = [(g, ids) for ids in (None, one) for g in graphs]
    alone = [_alone(g, ids) for g, ids in jobs]
    assert len({len(r) for r in alone}) > 1  # the graphs' reports differ
    in_turn = [reference.report(g, ids) for g, ids in jobs + jobs[:1]]
    for i, r in enumerate(in_turn):
        assert isomorphic(r, alone[i % len(jobs)]), f"report {i} in turn"
    with ThreadPoolExecutor(2) as pool:
        threaded = list(pool.map(lambda job: reference.report(*job), jobs[:2]))
    for i, r in enumerate(threaded):
        assert isomorphic(r, alone[i]), f"report {i} in threads"


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The queries parsed from now on, by the caching processor or by rdflib's own."""
    parsed: list[str] = []
    for module in (reference, rdflib.plugins.sparql.processor):
        done = module.translateQuery

        def counted(query, *args, done=done, **kwargs):  # type: ignore[no-untyped-def]
            translated = done(query, *args, **kwargs)
            parsed.append(translated.algebra.name)  # the query's form: AskQuery, SelectQuery
            return translated

        monkeypatch.setattr(module, "translateQuery", counted)
    return parsed


def _in_a_thread(work) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(1) as pool:  # a thread of its own, ended after
        pool.submit(work).result()


def test_parsed_queries_serve_a_new_thread_and_are_kept_as_many_as_runs_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kept a thread, parsed queries were parsed again by each new thread (a server's
    thread lanes start one a task: ~4 CPU s each) and kept by every thread of a server's
    pool (~7.6 MB each, up to 128 threads a worker): a run's set is returned as it ends,
    and the next run, in whatever thread, takes it."""
    monkeypatch.setattr(reference, "_pool", [])
    parsed = _parses(monkeypatch)

    def run() -> None:
        with reference.parsed_queries_cached():
            rdflib.Graph().query("ASK { ?s ?p ?o }")

    for _ in range(3):
        _in_a_thread(run)
    assert len(parsed) == 1 and len(reference._pool) == 1


def test_a_run_ending_in_another_thread_leaves_this_runs_queries_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rdflib's processor was put back as any run ended, while another thread's run went
    on: that run's queries were parsed anew from then on (~20 CPU s a validation)."""
    monkeypatch.setattr(reference, "_pool", [])
    parsed = _parses(monkeypatch)
    graph = rdflib.Graph()
    with reference.parsed_queries_cached():
        graph.query("ASK { ?s ?p ?o }")

        def other() -> None:
            with reference.parsed_queries_cached():
                rdflib.Graph().query("SELECT * { ?s ?p ?o }")

        _in_a_thread(other)
        graph.query("ASK { ?s ?p ?o }")
    assert parsed == ["AskQuery", "SelectQuery"]
