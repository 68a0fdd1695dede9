"""The assessment writer (openness.assess.store.Writer): a run judging models again writes
what differs, keeps every requirement assessment a stored assertion links to, and leaves
the assessments graph as it was when nothing changed."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
import pytest
from conftest import copy_of
from support.provenance import made
from test_assessment_engine import Stopped, _relicense

from openness.assess import setwise
from openness.assess import store as store_module
from openness.assess.run import Batch, assess, subjects
from openness.assess.store import Writer, stopped_runs
from openness.namespaces import PREFIX_LINE, Graphs
from openness.store import GraphStore

A = Graphs.ASSESSMENTS
HAS_PART = ox.NamedNode("http://purl.org/dc/terms/hasPart")

NS = {
    "type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "earl": "http://www.w3.org/ns/earl#",
    "og": "https://w3id.org/openness-graph/ns#",
}


def _graph(store: GraphStore) -> set[ox.Triple]:
    return set(store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[A]))


def _parts(triples: set[ox.Triple]) -> set[ox.NamedNode | ox.BlankNode]:
    return {t.object for t in triples if t.predicate == HAS_PART}  # type: ignore[misc]


def _broken(triples: set[ox.Triple]) -> set[ox.NamedNode | ox.BlankNode]:
    """The requirement assessments an assertion links to that are not whole: typed, naming
    a requirement, with a typed result that has an outcome (read in Python: as one SPARQL
    query with NOT EXISTS it took minutes)."""
    about: dict[ox.NamedNode | ox.BlankNode, set[str]] = {}
    for t in triples:
        about.setdefault(t.subject, set()).add(t.predicate.value)
        if t.predicate.value == NS["type"]:
            about[t.subject].add(t.object.value)
    earl, og = NS["earl"], NS["og"]
    part = {NS["type"], og + "Assessment", earl + "Assertion", earl + "test", earl + "result"}
    result = {NS["type"], earl + "TestResult", earl + "outcome"}
    return {
        p
        for p in _parts(triples)
        if not part <= about.get(p, set())
        or not result <= about.get(ox.NamedNode(f"{p.value}/result"), set())
    }


def _result_links(triples: set[ox.Triple]) -> set[tuple[ox.NamedNode, ox.NamedNode]]:
    """(assessment, result) for each assessment of a model."""
    about_a_model = {t.subject for t in triples if t.predicate.value == NS["earl"] + "subject"}
    return {
        (t.subject, t.object)  # type: ignore[misc]
        for t in triples
        if t.predicate.value == NS["earl"] + "result" and t.subject in about_a_model
    }


def _orphans(triples: set[ox.Triple]) -> set[ox.NamedNode | ox.BlankNode]:
    """Requirement assessments (assertions about no model) that no assertion links to."""
    asserted = {t.subject for t in triples if t.predicate.value == NS["earl"] + "result"}
    about_a_model = {t.subject for t in triples if t.predicate.value == NS["earl"] + "subject"}
    return asserted - about_a_model - _parts(triples)


def _but_runs(
    triples: set[ox.Triple],
) -> set[ox.Triple | tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]]:
    """The triples but those about runs, every run named alike (a triple naming one is its
    subject and predicate): what a run judging the same again must leave as it found it.
    (The triples kept as they are, not each made anew with the run renamed: ~3 times less
    CPU over the bundled assessments' ~130 000 triples.)"""
    kind, run = ox.NamedNode(NS["type"]), ox.NamedNode(NS["og"] + "AssessmentRun")
    runs = {t.subject for t in triples if t.predicate == kind and t.object == run}
    return {
        (t.subject, t.predicate) if t.object in runs else t
        for t in triples
        if t.subject not in runs
    }


def _forced(store: GraphStore, models: list[str] | None) -> list[dict[str, list[ox.Triple]]]:
    """Judge ``models`` (all: None) again as `openness assess --all` does, in batches;
    returns what each of the writer's writes added, by graph."""
    added: list[dict[str, list[ox.Triple]]] = []
    write = store.write

    def spy(**kwargs: object) -> int:
        added.append({g: list(t) for g, t in (kwargs.get("add") or {}).items()})  # type: ignore[union-attr]
        kwargs["add"] = added[-1]
        return write(**kwargs)  # type: ignore[arg-type]

    store.write = spy  # type: ignore[method-assign]
    try:
        writer = Writer(store, started=dt.datetime.now(dt.UTC))
        writer.finish(assess(store, None, models, force=True, sink=writer))
    finally:
        del store.write
    return added


def test_a_forced_run_leaves_the_assessments_as_they_were_and_adds_no_stored_part(
    everything,
) -> None:
    store = copy_of(everything[0])
    before = _graph(store)
    parts = _parts(before)
    assert len(parts) > 1_000
    added = _forced(store, None)
    after = _graph(store)
    assert _but_runs(after) == _but_runs(before)  # the same verdicts, parts and links
    assert len(added) > 2  # (judged in several batches)
    # What was written again is only what a new run changes: the assessments' links to
    # the run (their shared results, with their ranks, stay). A triple
    # written otherwise than the store gives it back (the decimal "50.0", which Oxigraph
    # stores as "50") would be compared as different and written again by every run.
    kind, run = ox.NamedNode(NS["type"]), ox.NamedNode(NS["og"] + "AssessmentRun")
    runs = {t.subject for t in after if t.predicate == kind and t.object == run}
    # (and the software: the assertor, and the release that ran the run)
    tools = {
        t.object
        for t in after
        if t.predicate.value
        in (NS["earl"] + "assertedBy", "http://www.w3.org/ns/prov#wasAssociatedWith")
    }
    # (each union made once: made for each triple, it was most of the test's own time)
    software = runs | tools
    rewritten = {
        t.predicate.value for w in added for t in w.get(A, []) if t.subject not in software
    }
    assert rewritten == {"http://www.w3.org/ns/prov#wasGeneratedBy"}
    # No triple of a result or requirement assessment the store held was written again.
    results = {t.object for t in before if t.predicate.value == NS["earl"] + "result"}
    assert len(results) > len(parts)  # (the assessments' results and the parts')
    judged = parts | results
    again = [t for w in added for t in w.get(A, []) if t.subject in judged]
    assert again == []
    assert _broken(after) == set()


def test_no_requirement_assessment_a_stored_assertion_links_to_is_missing_after_a_forced_run(
    everything,
) -> None:
    store = copy_of(everything[0])
    everyone = sorted(subjects(store))
    (olmo,) = [m for m, s in subjects(store).items() if s.name == "OLMo-7B"]
    held = _parts(_graph(store))
    # OLMo-7B's MOF record is relicensed: judged again, it needs requirement assessments
    # the store does not hold, and stops linking some that other models still link to.
    store.update(_relicense(olmo))
    some = sorted({olmo, *everyone[::30]})
    added = _forced(store, some)
    after = _graph(store)
    linked = _parts(after)
    assert linked - held  # new ones were needed...
    new = {t.subject for w in added for t in w.get(A, [])}
    assert linked - held <= new  # ...and written
    assert _broken(after) == set()
    assert _orphans(after) == set()  # those none links to any more: gone
    assert held - linked  # (some were left behind)


def _fine_tunes(store: GraphStore) -> dict[str, set[str]]:
    """The models each base model is an ancestor of (fair4ml:fineTunedFrom, followed)."""
    out: dict[str, set[str]] = {}
    for r in store.query(
        "SELECT DISTINCT ?b ?m WHERE { ?m fair4ml:fineTunedFrom+ ?b FILTER (?m != ?b) }"
    ).rows():
        out.setdefault(r["b"].value, set()).add(r["m"].value)
    return out


def _aspects_of(store: GraphStore, base: str) -> set[ox.Triple]:
    """What the derived graph says about the aspects named under ``base`` (<base>/aspect/…)."""
    return set(
        store.query(
            "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o "
            f'FILTER (STRSTARTS(STR(?x), "{base}/aspect/")) }}',
            default_graphs=[setwise.DERIVED],
        )
    )


def test_a_shared_aspect_no_model_links_to_any_more_loses_its_derived_facts(
    everything, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = copy_of(everything[0])
    # The nodes looked at named one an operation: what each finds is collected all the same.
    monkeypatch.setattr(store_module, "NAMED_CHUNK", 1)
    tunes = _fine_tunes(store)
    leaf = {m for ms in tunes.values() for m in ms} - set(tunes)  # fine-tunes of nothing
    # A base with one fine-tune, and one with several: each loses one fine-tune (a leaf).
    alone = next(b for b, ms in sorted(tunes.items()) if len(ms) == 1 and ms <= leaf)
    shared = next(b for b, ms in sorted(tunes.items()) if len(ms) > 2 and ms & leaf)
    (one,) = tunes[alone]
    other = sorted(tunes[shared] & leaf)[0]
    kept = _aspects_of(store, shared)
    assert _aspects_of(store, alone) and kept
    for m, b in ((one, alone), (other, shared)):
        store.update(
            PREFIX_LINE + f"DELETE WHERE {{ GRAPH ?g {{ <{m}> fair4ml:fineTunedFrom <{b}> }} }}"
        )
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    run = assess(store, sink=writer)
    assert {one, other} <= set(run.models)  # judged again: no longer fine-tunes of them
    writer.finish(run)
    assert _aspects_of(store, alone) == set()  # no model names its aspects any more
    assert _aspects_of(store, shared) == kept  # the other fine-tunes still do
    # A model gone: what only it linked to goes with its assessments, found from its links
    # (one of its results made its own, as no other model's verdict shares it).
    graph = _graph(store)
    link = ox.NamedNode(NS["earl"] + "result")
    mine, r = next(
        (a, r)
        for a, r in sorted(_result_links(graph))
        if a.value.endswith("/" + one.rsplit("/", 1)[1])
    )
    own = ox.NamedNode("https://w3id.org/openness-graph/id/result/gone-own")
    store.write(
        remove={A: [ox.Triple(mine, link, r)]},
        add={
            A: [
                ox.Triple(mine, link, own),
                *(ox.Triple(own, t.predicate, t.object) for t in graph if t.subject == r),
            ]
        },
    )
    # Derived labels no run told of (a store whose history is not known): runs that name
    # what they unlinked leave them, a model gone or every model judged again; the end of
    # a run completing a stopped one, which never told, sweeps the whole graphs.
    stale = ox.NamedNode(next(iter(kept)).subject.value.replace("/aspect/", "/stale-aspect/"))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.write(add={setwise.DERIVED: [ox.Triple(stale, label, ox.Literal("left behind"))]})
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{one}> ?p ?o }} }}")
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    run = assess(store, sink=writer)
    writer.finish(run)
    assert one not in run.present
    after = _graph(store)
    assert own not in {t.subject for t in after} and mine not in {t.subject for t in after}
    assert _orphans(after) == set() and _broken(after) == set()
    assert _aspects_of(store, shared) == kept
    stale_left = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{stale.value}> ?p ?o }}"
    assert store.count(stale_left)
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    writer.finish(assess(store, force=True, sink=writer))
    assert writer.replaced and store.count(stale_left)
    stopping = Writer(store, started=dt.datetime.now(dt.UTC))

    def stop_after_one(batch: Batch) -> None:
        if stopping.written:
            raise Stopped
        stopping(batch)

    with pytest.raises(Stopped):
        assess(store, force=True, batch=2, sink=stop_after_one)
    assert stopped_runs(store) == [stopping.run]
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    writer.finish(assess(store, sink=writer))
    assert stopped_runs(store) == [] and not store.count(stale_left)
    assert _aspects_of(store, shared) == kept


def test_a_first_assessment_ends_without_collecting_and_leaves_nothing_to_collect(built) -> None:
    store = copy_of(built)
    models = sorted(subjects(store))[::40]
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    run = assess(store, None, models, sink=writer)
    assert run.models == models and not writer.replaced
    updates: list[str] = []
    update = store._update  # noqa: SLF001

    def spy(sparql: str, **kwargs: object) -> None:
        updates.append(sparql)
        update(sparql, **kwargs)  # type: ignore[arg-type]

    store._update = spy  # type: ignore[method-assign]  # noqa: SLF001
    try:
        writer.finish(run)
    finally:
        del store._update
    # It only added: its end writes the run and the ranks, and looks at no derived fact.
    assert updates and not any(f"GRAPH <{setwise.DERIVED}>" in u for u in updates)
    triples = _graph(store)
    assert not _orphans(triples) and not _broken(triples)
    # What a sweep of the whole derived graph would remove, there is none of.
    derived = "CONSTRUCT WHERE { ?s ?p ?o }"
    held = set(store.query(derived, default_graphs=[setwise.DERIVED]))
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    again = assess(store, None, models, force=True, sink=writer)
    writer.finish(again)  # replaced every model: collects, the whole derived graph swept
    assert writer.replaced
    assert set(store.query(derived, default_graphs=[setwise.DERIVED])) == held


def test_a_run_given_models_reads_and_drops_only_what_concerns_them(
    everything, monkeypatch
) -> None:
    from openness.assess import run as running
    from openness.assess.run import stored_fingerprints

    store = copy_of(everything[0])
    given, gone, elsewhere = sorted(subjects(store))[:3]
    for m in (gone, elsewhere):  # two models leave the store; their assessments stay
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{m}> ?p ?o }} }}")
    monkeypatch.setattr(running, "SCOPE_CHUNK", 1)  # a query a model
    asked: list[str] = []
    query = store.query

    def spy(sparql: str, **kwargs: object) -> object:
        asked.append(sparql)
        return query(sparql, **kwargs)  # type: ignore[arg-type]

    store.query = spy  # type: ignore[method-assign]
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    run = assess(store, None, [gone, given], force=True, sink=writer)
    writer.finish(run)
    del store.query
    assert run.models == [given] and run.present == {given}
    # The records and the stored fingerprints were read for the given models, one a query.
    reads = [q for q in asked if "og:fingerprint ?fp" in q or "og:sourceId ?id" in q]
    assert reads and all(q.count("VALUES ?m {") == 1 for q in reads)
    assert {q.count(f"<{given}>") + q.count(f"<{gone}>") for q in reads} == {1}
    assessed = stored_fingerprints(store)
    assert given in assessed and gone not in assessed  # a model given and gone: dropped
    assert elsewhere in assessed  # gone but not given: left to a run over every model
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    writer.finish(assess(store, sink=writer))
    assert elsewhere not in stored_fingerprints(store)


def test_a_run_judging_some_definitions_keeps_what_a_full_run_stored_and_judges_the_missing(
    everything,
) -> None:
    from openness.assess.definitions import definitions

    store = copy_of(everything[0])
    one, other = sorted(definitions())[:2]
    model = sorted(subjects(store))[0]
    # A full run stored every verdict: judging one definition again finds nothing changed,
    # and neither does the full run after it.
    run = assess(store, [one], [model], sink=Writer(store, started=dt.datetime.now(dt.UTC)))
    assert run.models == [] and run.kept == 1
    run = assess(store, None, [model])
    assert run.models == [] and run.kept == 1
    # A verdict never stored (here: removed) is judged by a run of its definition alone.
    store.update(
        PREFIX_LINE + f"DELETE WHERE {{ GRAPH <{Graphs.ASSESSMENTS}> {{ ?a og:definitionId "
        f'"{other}" ; earl:subject <{model}> ; ?p ?o }} }}'
    )
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    run = assess(store, [other], [model], sink=writer)
    writer.finish(run)
    assert run.models == [model]
    assert {d for d, _ in run.outcomes} == {other}
    assert assess(store, None, [model]).kept == 1


RANK = ox.NamedNode("https://w3id.org/openness-graph/ns#rank")
SCORE = ox.NamedNode("https://w3id.org/openness-graph/ns#score")


@pytest.mark.parametrize("given", [False, True], ids=["all", "given"])
def test_a_run_judging_one_model_again_collects_what_it_unlinked_and_writes_only_changed_ranks(
    everything, given: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = copy_of(everything[0])
    # Given models, the nodes looked at are named one an operation: all are still collected.
    chunk = 1 if given else store_module.NAMED_CHUNK
    monkeypatch.setattr(store_module, "NAMED_CHUNK", chunk)
    (olmo,) = [m for m, s in subjects(store).items() if s.name == "OLMo-7B"]
    # (Each state of the assessments graph read once: a read is ~1 CPU s.)
    graph = _graph(store)
    held = _parts(graph)
    # One of OLMo-7B's results made its own: a copy no other model links to (its results,
    # named by their content, are each shared with models judged alike).
    progressing = {t.subject for t in graph if t.predicate.value == NS["og"] + "progress"}
    mine = "/" + olmo.rsplit("/", 1)[1]
    olmos, r = next(
        (a, r) for a, r in _result_links(graph) if a.value.endswith(mine) and r not in progressing
    )
    own = ox.NamedNode("https://w3id.org/openness-graph/id/result/olmo-own")
    link = ox.NamedNode(NS["earl"] + "result")
    store.write(
        remove={A: [ox.Triple(olmos, link, r)]},
        add={
            A: [
                ox.Triple(olmos, link, own),
                *(ox.Triple(own, t.predicate, t.object) for t in graph if t.subject == r),
            ]
        },
    )
    store.update(_relicense(olmo))
    # Two stored ranks gone wrong (one changed, one lost): the run puts them right.
    now = _graph(store)
    scored = sorted(t.subject for t in now if t.predicate == SCORE)
    ranked = {t.subject: t.object for t in now if t.predicate == RANK}
    assert len(ranked) == len(scored) > 100
    wrong, lost = scored[0], scored[1]
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    store.write(
        remove={A: [ox.Triple(wrong, RANK, ranked[wrong]), ox.Triple(lost, RANK, ranked[lost])]},
        add={A: [ox.Triple(wrong, RANK, ox.Literal("999", datatype=integer))]},
    )
    updates: list[str] = []
    update = store._update  # noqa: SLF001

    def spy(sparql: str, **kwargs: object) -> None:
        updates.append(sparql)
        update(sparql, **kwargs)  # type: ignore[arg-type]

    # Judged again alone: the others kept, or not looked at (given, as by a Hub re-sync).
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    run = assess(store, None, [olmo] if given else None, sink=writer)
    assert olmo in run.models and bool(run.kept) != given
    store._update = spy  # type: ignore[method-assign]  # noqa: SLF001
    try:
        writer.finish(run)
    finally:
        del store._update
    after = _graph(store)
    assert held - _parts(after)  # OLMo-7B no longer links some requirement assessments...
    assert _orphans(after) == set() and _broken(after) == set()  # ...which are gone
    # Nor its own result, which nothing links to once it was judged again; and no result is
    # left that nothing links to.
    assert own not in {t.subject for t in after}
    results = {t.subject for t in after if t.object.value == NS["earl"] + "TestResult"}
    assert results == {r for _, r in _result_links(after)} | {
        ox.NamedNode(f"{p.value}/result") for p in _parts(after)
    }
    # The sweeps looked at those only, not at every requirement assessment or derived node.
    assert any("VALUES ?part" in u for u in updates)
    named = sum(u.count("VALUES ?res") for u in updates)
    # Each named node's results and progress are deleted by two operations of its chunk.
    assert named == 2 if chunk > 1 else named > 2
    assert not any("?part a og:Assessment" in u and "VALUES ?part" not in u for u in updates)
    assert not any("SELECT DISTINCT ?x" in u and "VALUES ?x" not in u for u in updates)
    # Every scored result has its one rank again; the end wrote OLMo-7B's and the two.
    ranks = {t.subject: t.object for t in after if t.predicate == RANK}
    assert sorted(ranks) == sorted(t.subject for t in after if t.predicate == SCORE)
    assert ranks[wrong] == ranked[wrong] and ranks[lost] == ranked[lost]
    written = sum(u.count(f"{RANK}") for u in updates)
    assert 2 <= written < len(ranked) / 10


def test_an_assessment_run_names_its_release_and_the_graphs_it_read_and_made(
    everything,
) -> None:
    """The run that last judged models is associated with this software at its version and
    used the graphs the shapes read; the assessments and derived graphs, which no source
    says, are each said to be made by it from those graphs."""
    store = everything[0]
    read = {*setwise.dataset(store)}
    assert {Graphs.IDENTITY, Graphs.SHAPES, Graphs.ONTOLOGY, Graphs.source("mof")} <= read
    for graph in (A, setwise.DERIVED):
        (run,) = made(store, graph)
        assert run.kind == NS["og"] + "AssessmentRun"
        assert run.used == read and run.derived_from == read
