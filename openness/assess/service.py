"""The assessment as the commands and the server run it: pick models, assess, store, and
say what came out."""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, partial
from typing import Any

import pyoxigraph as ox

from openness.assess.run import Assessment, assess, in_background
from openness.assess.store import Writer
from openness.ingest.runner import tqdm_progress
from openness.names import NameIndex, normalized
from openness.namespaces import ID, OG, PROV, RDF, SCHEMA, Graphs, mint
from openness.store import GraphStore


def resolve_models(
    store: GraphStore,
    ids: Sequence[str],
    names: Callable[[], NameIndex] | None = None,
    withdrawn: Callable[[], Mapping[str, set[str]]] | None = None,
) -> list[str]:
    """Model IRIs for what users call models: an IRI or its id (a retired one's: the model
    it is now; a source record's: its model), a name, or a source's own id (a former Hub id
    of a repository that moved included). What names no model is an error naming the
    models called most like it (from the index ``names`` gives, asked only then: a server
    keeps one, made from every name; else one made for it); a withdrawn model's IRI or id,
    or its last name where no living model has it (from what ``withdrawn`` gives: a server
    keeps it, else read for it), one saying so."""
    out = []
    for given in ids:
        # Each name looked up as the literal the sources write (a plain string): an index
        # lookup, where comparing STR() of every name read them all (10 489 models: 19-32 s).
        rows = store.query(
            """SELECT DISTINCT ?m WHERE {
                 { ?m schema:name ?x } UNION { ?r og:sourceId ?x . ?m og:hasRecord ?r }
                 UNION { ?m og:huggingFaceRepo ?x }
                 UNION { ?r og:formerHubId ?x . ?m og:hasRecord ?r }
                 ?m a og:Model }""",
            substitutions={"x": ox.Literal(given)},
        ).rows()
        if not rows:
            rows = _named_by_iri(store, given)
        if not rows:
            index = cache(names or partial(NameIndex.of, store))
            named = withdrawn or partial(withdrawn_names, store)
            if gone := withdrawn_named(store, given, named, index):
                raise LookupError(withdrawal(tombstone(store, gone))["message"])
            raise LookupError(
                f"no model called {given!r} (give its IRI or id, name or a source id)"
                + did_you_mean(index(), given)
            )
        out += [r["m"].value for r in rows]
    return out


def _named_by_iri(store: GraphStore, given: str) -> list[dict[str, Any]]:
    """The model an IRI names — itself, the one a retired IRI is now, or the one a source
    record's IRI is of (a former Hub id's record: the current one's; one its source has
    again, not linked yet: the one it was of) — given whole or as its
    id (the last part of a model IRI, as the API's routes and the suggestions of
    :func:`did_you_mean` name it); a withdrawn model's (its IRI, its record's, a former Hub
    id's) is an error saying so, as is a removed record's."""
    for iri in (given, f"{ID}model/{given}"):
        if not _is_iri(iri):
            continue
        node = ox.NamedNode(iri)
        rows = store.query("SELECT ?m WHERE { ?m a og:Model }", substitutions={"m": node}).rows()
        if not rows:  # a retired IRI: the model it is now
            rows = store.query(
                "SELECT ?m WHERE { ?retired og:supersededBy ?m . ?m a og:Model }",
                substitutions={"retired": node},
            ).rows()
        # A record's; a retired one's that is no record again; or one its source has again
        # (a deleted Hub repository listed again) before the identity step links it, live
        # as the server answers it, not removed: the model it was of (or that model's
        # successor), which that step gives it back.
        if not rows:
            rows = store.query(
                """SELECT DISTINCT ?m WHERE {
                     { ?m og:hasRecord ?given }
                     UNION { ?given og:supersededBy/^og:hasRecord ?m
                             FILTER NOT EXISTS { ?given a og:SourceRecord } }
                     UNION { ?given a og:SourceRecord ; og:formerRecordOf/og:supersededBy? ?m
                             FILTER NOT EXISTS { ?linked og:hasRecord ?given } }
                     ?m a og:Model }""",
                substitutions={"given": node},
            ).rows()
        if rows:
            return rows
        # A withdrawn model's IRI, a former Hub id's pointing at it, or a record it had.
        withdrawn = store.query(
            """SELECT ?t WHERE { ?t a og:WithdrawnModel .
                 { ?given og:supersededBy? ?t } UNION { ?t og:formerRecord ?given } }
               ORDER BY ?t LIMIT 1""",
            substitutions={"given": node},
        ).rows()
        if withdrawn:
            raise LookupError(withdrawal(tombstone(store, withdrawn[0]["t"].value))["message"])
        if gone := tombstone(store, iri):  # a record its source no longer has
            raise LookupError(withdrawal(gone)["message"])
    return []


# What the identity graph keeps of an IRI no longer issued (a tombstone): a model's whose
# records are all gone, a record's that its source no longer has.
WITHDRAWN_MODEL, WITHDRAWN_RECORD = OG + "WithdrawnModel", OG + "WithdrawnRecord"
TOMBSTONES = (WITHDRAWN_MODEL, WITHDRAWN_RECORD)


def tombstone(store: GraphStore, iri: str) -> list[ox.Triple]:
    """The tombstone of an IRI whose model or record is gone (og:WithdrawnModel: its last
    name, when it was withdrawn, its records; og:WithdrawnRecord: when it was removed, the
    model it was of — in the identity graph), or none."""
    node = ox.NamedNode(iri)  # a CONSTRUCT's template takes no substitutions
    kinds = " ".join(f"<{kind}>" for kind in TOMBSTONES)
    return list(
        store.query(
            f"""CONSTRUCT {{ {node} ?p ?o }} WHERE {{ GRAPH <{Graphs.IDENTITY}> {{
                  VALUES ?kind {{ {kinds} }} {node} a ?kind ; ?p ?o }} }}"""
        )
    )


def withdrawal(tombstone: Iterable[ox.Triple]) -> dict[str, Any]:
    """What a withdrawn model's tombstone says: its IRI's last ``name``, the day it was
    ``withdrawn``, its ``formerRecords``, and a ``message`` saying so; a removed record's:
    the day it was ``withdrawn``, the model it was a record of (``recordOf``, or None) and
    a ``message``."""
    said: dict[str, list[str]] = {}
    iri = ""
    for t in tombstone:
        iri = t.subject.value
        said.setdefault(t.predicate.value, []).append(t.object.value)
    day = min(said.get(PROV + "invalidatedAtTime", ["an unknown day"]))[:10]
    if WITHDRAWN_RECORD in said.get(RDF + "type", []):
        model = min(said.get(OG + "formerRecordOf", [""])) or None
        return {
            "withdrawn": day,
            "recordOf": model,
            "message": f"{iri} was a source record{f' of the model {model}' if model else ''}, "
            f"removed on {day}: its source no longer has it. The IRI answers again if the "
            "source has the record again",
        }
    name = min(said.get(SCHEMA + "name", [iri]))
    return {
        "name": name,
        "withdrawn": day,
        "formerRecords": sorted(said.get(OG + "formerRecord", [])),
        "message": f"{iri} was the model {name!r}, withdrawn on {day}: no source describes it "
        "any more. The IRI stays its own: it answers again if one of its records comes back, "
        "and is given to no other model",
    }


# No live resource's types: what a tombstone is typed aside.
_TOMBSTONE_KINDS = ", ".join(f"<{kind}>" for kind in TOMBSTONES)


def successor(store: GraphStore, iri: str) -> str | None:
    """What a retired IRI is now (og:supersededBy), or None: a model's (merged into it, or
    a former Hub id of its repository), a Hub record's or a dataset's (a former id). None
    too where the IRI is a live resource of its own (of a type, a tombstone's aside),
    whatever a graph says of it: a new Hub repository created under a former id is its
    record, not the moved one's."""
    rows = store.query(
        f"""SELECT ?m WHERE {{ <{iri}> og:supersededBy ?m
              FILTER NOT EXISTS {{ <{iri}> a ?kind FILTER (?kind NOT IN ({_TOMBSTONE_KINDS})) }}
            }}"""
    ).rows()
    return rows[0]["m"].value if rows else None


def withdrawn_names(store: GraphStore) -> dict[str, set[str]]:
    """The withdrawn models by last name, normalized as the name index matches."""
    named: dict[str, set[str]] = {}
    rows = store.query("SELECT ?m ?name WHERE { ?m a og:WithdrawnModel ; schema:name ?name }")
    for r in rows.rows():
        named.setdefault(normalized(r["name"].value), set()).add(r["m"].value)
    return named


def withdrawn_named(
    store: GraphStore,
    name: str,
    withdrawn: Callable[[], Mapping[str, set[str]]],
    names: Callable[[], NameIndex],
) -> str | None:
    """The one withdrawn model whose last name is ``name`` (case and punctuation aside, as
    the name index matches: ``withdrawn`` gives :func:`withdrawn_names`), where no living
    model is so called (``names`` gives the index of living names, made only then): a
    removed Hub repository's id names its tombstone, not, by likeness, a neighbour, and so
    does its id before a rename. The commands and the web answer alike."""
    key = normalized(name)
    if not key:
        return None
    found = None
    if "/" in name:  # a Hub id: its model's IRI, retired for the new id of a renamed one
        iri: str | None = mint("model", name)
        seen: set[str] = set()
        while iri and iri not in seen and found is None:
            found = iri if tombstone(store, iri) else None
            seen.add(iri)
            iri = successor(store, iri)
    if found is None:
        named = withdrawn().get(key, set())
        found = next(iter(named)) if len(named) == 1 else None
    return found if found and not names().exact(name) else None


def did_you_mean(names: NameIndex, given: str) -> str:
    """'; did you mean' and the three models called most like ``given``, or nothing."""
    near = names.search(given, limit=3)
    return "; did you mean " + ", ".join(f"{m.name} ({m.id})" for m in near) if near else ""


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return ":" in value


def resolve_model(store: GraphStore, given: str) -> str:
    """The one model ``given`` names (see :func:`resolve_models`); a name several models
    share is an error listing them, not the first of them."""
    found = resolve_models(store, [given])
    if len(found) > 1:
        raise LookupError(
            f"{given!r} names {len(found)} models: {', '.join(sorted(found))}; give one's IRI"
        )
    return found[0]


# Models judged again that the summary line names; more are named only when asked for
# (each on a line of its own), as a whole build's are not.
FEW_MODELS = 10


def _called(store: GraphStore, models: Sequence[str]) -> dict[str, str]:
    """What each of ``models`` (IRIs) is called: its IRI where it has no name."""
    values = " ".join(f"<{m}>" for m in models)
    rows = store.query(
        f"SELECT ?m (MIN(STR(?n)) AS ?name) WHERE {{ VALUES ?m {{ {values} }} "
        "OPTIONAL { ?m schema:name ?n } } GROUP BY ?m"
    ).rows()
    return {r["m"].value: (r["name"] or r["m"]).value for r in rows}


def _names(store: GraphStore, models: Sequence[str]) -> list[str]:
    return sorted(_called(store, models).values())


def model_options(store: GraphStore, models: Sequence[str]) -> list[str]:
    """``-m MODEL`` for each of ``models`` (IRIs), sorted, shell-quoted: its name where
    the name gives that model alone (:func:`resolve_models`), else its IRI."""
    called = _called(store, models)
    words = [n if resolve_models(store, [n]) == [m] else m for m, n in called.items()]
    return [f"-m {shlex.quote(w)}" for w in sorted(words)]


def run_assessment(
    store: GraphStore,
    ids: Sequence[str] | None,
    models: Sequence[str] | None,
    *,
    echo: Callable[[str], None],
    force: bool = False,
    verbose: bool = False,
) -> Assessment:
    """Assess the models whose evidence changed (all with ``force``), store the verdicts,
    and say what came out: which models were judged again when they are few (up to
    FEW_MODELS), or ``verbose``."""
    writer = Writer(store, started=dt.datetime.now(dt.UTC))
    with in_background(writer) as sink:
        # A run of more than one batch judges them in a worker process (one a spare core).
        run = assess(
            store, ids, models, force=force, progress=tqdm_progress, sink=sink, workers=None
        )
    writer.finish(run)
    counts = run.outcomes
    judged, defs = len(run.models), len(run.definitions)
    few = judged <= FEW_MODELS
    names = _names(store, run.models) if run.models and (few or verbose) else []
    echo(
        f"assessed {judged} model{'s' * (judged != 1)} against {defs} "
        f"definition{'s' * (defs != 1)} with {run.engine} in {run.seconds:.1f}s "
        f"({run.kept} unchanged, kept)" + (f": {', '.join(names)}" if names and few else "")
    )
    for d in run.definitions:
        if run.models:
            echo(
                f"  {d.id:<16} passed {counts[(d.id, 'passed')]:>4}   failed "
                f"{counts[(d.id, 'failed')]:>4}   cannot tell {counts[(d.id, 'cantTell')]:>4}"
                + (f"   rated {counts[(d.id, 'inapplicable')]:>4}" if not d.passes_models else "")
            )
    if run.dropped:
        echo(
            "dropped the verdicts against definitions the shapes files no longer declare: "
            + ", ".join(run.dropped)
        )
    if names and not few:
        echo("judged again:")
        for name in names:
            echo(f"  {name}")
    return run
