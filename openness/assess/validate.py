"""Validate a model description a user supplies, without storing it.

Accepted: a Model Openness Tool YAML file, or Turtle / JSON-LD / N-Triples in our
ontology (og:SourceRecord nodes as the ingesters write them, or og:Model nodes described
directly). The description is judged with the same shapes as the graph, against the
bundled licence facts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from openness.assess import jsonld, terms
from openness.assess.definitions import definitions, shapes_graph
from openness.assess.evidence import own as own_evidence
from openness.assess.evidence import shared
from openness.assess.evidence import text as evidence_text
from openness.assess.grade import Verdict
from openness.assess.run import assess
from openness.assess.setwise import dataset, facts
from openness.assess.store import save
from openness.ingest.identity import base_keys, rebuild_identity
from openness.ingest.licenses import RESOLUTION, default_resolver
from openness.ingest.mof import license_table, read_record
from openness.ingest.organizations import held_organizations
from openness.ingest.rdf import Triples, iri
from openness.ingest.records import IngestContext, add_license, source_concept
from openness.ingest.report import IngestReport, RecordError
from openness.ingest.runner import ingest_source
from openness.namespaces import (
    DCTERMS,
    EARL,
    EV,
    FAIR4ML,
    ID,
    OG,
    PROV,
    RDF,
    SCHEMA,
    Graphs,
    short,
)
from openness.resources import sources_dir
from openness.store import EmbeddedStore, GraphStore
from openness.vocabularies import load_vocabularies

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}
MOF_SUFFIXES = {".yml", ".yaml"}
# A description's formats by name, as the suffixes that tell them (for a description whose
# name tells none: standard input, a file named otherwise).
INPUT_FORMATS = sorted(suffix.removeprefix(".") for suffix in (*MOF_SUFFIXES, *RDF_FORMATS))
# Where a description's own nodes are named (its models, records, verdicts, findings): not
# under the graph's /id/, whose IRIs name stored things and dereference, but in a namespace
# of its own, named by its content (see description_namespace).
DESCRIPTION = "urn:openness:description:"


class UnreadableInput(ValueError):
    """The file cannot be read as a model description; the message says why."""


class UnknownFormat(UnreadableInput):
    """The description's name (or the suffix given) names no format read here."""


class TooLarge(UnreadableInput):
    """The description holds more triples than the caller validates (a server's limit, the
    command's --max-data-triples): ``triples`` of ``name``, more than ``limit``."""

    def __init__(self, name: str, triples: int, limit: int) -> None:
        super().__init__(
            f"{name}: {triples} triples, more than the {limit} validated here "
            "(`openness validate` takes any size)"
        )
        self.name, self.triples, self.limit = name, triples, limit

    def __reduce__(self) -> tuple:  # raised in a query process, it crosses to the server's
        return (TooLarge, (self.name, self.triples, self.limit))


# A validation's peak memory, roughly: the interpreter, vocabularies and licences, and so
# much a distinct triple of the description (fitted to MOF files of 5 000 to 50 000
# components with licences of their own, docs/measurements.md).
BYTES_AT_LEAST = 120 * 2**20
BYTES_A_TRIPLE = 2_500


def memory_needed(triples: int) -> int:
    """Roughly the peak memory (bytes) of validating a description of ``triples`` distinct
    triples (without --format ttl, whose pySHACL reports take more)."""
    return BYTES_AT_LEAST + triples * BYTES_A_TRIPLE


def description_triples(
    data: bytes, name: str, warnings: list[str] | None = None, suffix: str | None = None
) -> list[ox.Triple]:
    """The triples of a description named ``name`` (its suffix tells the format, unless
    ``suffix`` is given: standard input, a file named otherwise); what the MOF reader left
    out of a YAML file (an unknown component, a value of the wrong kind) is added to
    ``warnings``, as ingesting the file would report it."""
    warnings = [] if warnings is None else warnings
    suffix = (suffix or Path(name).suffix).lower()
    if suffix in MOF_SUFFIXES:
        out, report = Triples(), IngestReport("user")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:  # (Python's words named neither the file nor a line)
            line = data.count(b"\n", 0, e.start) + 1
            raise UnreadableInput(
                f"{name}: not UTF-8 (byte 0x{data[e.start]:02x} on line {line}); "
                "save it as UTF-8, as YAML is read"
            ) from e
        try:
            read_record(text, name, out, report, IngestContext())
        except RecordError as e:
            raise UnreadableInput(str(e)) from e
        warnings += report.warnings
        _warn_unresolved(list(out), name, warnings)
        return list(out)
    fmt = RDF_FORMATS.get(suffix)
    if fmt is None:
        raise UnknownFormat(
            f"{name}: unknown format {suffix!r}; give a MOF YAML file "
            f"(.yml) or RDF ({', '.join(sorted(RDF_FORMATS))})"
        )
    document = _no_remote_context(data, name) if fmt == ox.RdfFormat.JSON_LD else None
    try:
        triples = [q.triple for q in ox.parse(data, fmt, base_iri=_base(name))]
    except SyntaxError as e:  # (its msg: str() adds the line the message names, again)
        raise UnreadableInput(f"{name}: {e.msg}") from e
    except ValueError as e:
        raise UnreadableInput(f"{name}: {e}") from e
    # How the messages name a node, built once for them all (its index with it).
    called = terms.Names(triples)
    # What JSON-LD expansion dropped first: the triples hold no trace of it.
    unread = (jsonld.dropped(document) if document is not None else []) + terms.unread(
        triples, called
    )
    warnings += [f"{name}: {message}" for message in unread]
    _warn_roleless(triples, name, warnings, called)
    _warn_unread_on_linking_models(triples, name, warnings, called)
    _warn_unknown_licences(triples, name, warnings)
    resolved = _resolved(triples, name, warnings)
    _warn_unresolved(resolved, name, warnings)
    return _as_records(resolved, name, unread)


def _no_remote_context(data: bytes, name: str) -> Any:
    """The JSON-LD document, parsed (None where it is no JSON: the parser says what is
    wrong, and where); refused when it would fetch a context, saying which: nothing is
    fetched, and the parser's own words ('No LoadDocumentCallback') named neither the
    context nor that."""
    try:
        document = json.loads(data)
        remote = jsonld.remote_contexts(document)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return None
    if remote:
        raise UnreadableInput(
            f"{name}: names a remote JSON-LD context ({remote[0]}), which is never fetched: "
            "put the context in the document"
        )
    return document


def _warn_roleless(
    triples: list[ox.Triple], name: str, warnings: list[str], called: terms.Names
) -> None:
    """Warn of a licence statement a model or record states without og:licenseRole: the
    evidence rules give a component without a licence of its own the record's licence for
    a role, so such a statement governs no component, which would pass unsaid."""
    typed = {
        t.subject
        for t in triples
        if t.predicate.value == RDF + "type"
        and t.object.value in (OG + "Model", OG + "SourceRecord")
    }
    roled = {t.subject: t.object.value for t in triples if t.predicate.value == OG + "licenseRole"}
    said = {t.subject: t.object.value for t in triples if t.predicate.value == OG + "licenseString"}
    read = _roles_read()
    for t in triples:
        # A text there is no statement at all, which terms.unread names.
        if (
            t.predicate.value != OG + "licenseStatement"
            or t.subject not in typed
            or isinstance(t.object, ox.Literal)
            or roled.get(t.object) in read
        ):
            continue
        if t.object in said:
            stated = f"the licence statement {said[t.object]!r}"
        elif isinstance(t.object, ox.BlankNode):
            stated = "a licence statement"
        else:
            stated = f"the licence statement {t.object}"
        role = roled.get(t.object)
        if role is None:
            warnings.append(
                f"{name}: {stated} of {called(t.subject)} has no "
                "og:licenseRole, so it governs no component (one without a licence of "
                "its own takes the record's licence for a role, e.g. 'distribution')"
            )
            continue
        like = difflib.get_close_matches(role, read, n=1)
        warnings.append(
            f"{name}: {stated} of {called(t.subject)} has the og:licenseRole {role!r}, "
            "which no evidence rule reads, so it governs no component (roles read: "
            + ", ".join(repr(r) for r in sorted(read))
            + ")"
            + (f"; did you mean {like[0]!r}?" if like else "")
        )


def _roles_read() -> frozenset[str]:
    """The licence roles the evidence rules give a component its record's licence for
    (the fallback steps' ev:role, shapes/evidence.ttl)."""
    role = rdflib.URIRef(EV + "role")
    return frozenset(str(o) for o in shapes_graph().objects(None, role))


# What a record states and a model node that links records may state too, where the
# evidence rules, which read a model's records, never read it.
_RECORDS_STATE = (OG + "component", OG + "licenseStatement")


def _warn_unread_on_linking_models(
    triples: list[ox.Triple], name: str, warnings: list[str], called: terms.Names
) -> None:
    """Warn of the components and licence statements stated on a model node that links its
    records (og:hasRecord): it is judged on those records, so what the node itself states
    is read nowhere, which passed unsaid (its verdicts read 'no evidence'). It is not made
    a record of its own: the records linked are where the user put the model's evidence,
    and a record made of the node would be judged beside them, a source they never named."""
    linking = {t.subject for t in triples if t.predicate.value == OG + "hasRecord"}
    models = {
        t.subject
        for t in triples
        if t.predicate.value == RDF + "type" and t.object.value == OG + "Model"
    }
    stated = dict.fromkeys(  # once each, in the file's order
        (t.subject, t.predicate.value)
        for t in triples
        if t.subject in linking & models and t.predicate.value in _RECORDS_STATE
    )
    for node, predicate in stated:
        warnings.append(
            f"{name}: {short(predicate)} of {called(node)} is not read: a model linking its "
            "records (og:hasRecord) is judged on them, so state it on one of its records"
        )


def _warn_unresolved(triples: list[ox.Triple], name: str, warnings: list[str]) -> None:
    """Warn of each licence string no known licence resolves: a definition cannot tell
    whether it is open, and the verdict would read 'no evidence' though a licence was
    given; the known licences spelt most like it are offered, never chosen."""
    unresolved = {
        t.subject
        for t in triples
        if t.predicate.value == OG + "resolution" and t.object.value == RESOLUTION + "unresolved"
    }
    strings = {
        t.object.value
        for t in triples
        if t.subject in unresolved and t.predicate.value == OG + "licenseString"
    }
    for text in sorted(strings):
        like = default_resolver().suggest(text)
        warnings.append(
            f"{name}: licence {text!r} is no licence the licence list knows (an SPDX "
            "identifier or expression, or a name of one), so no definition can tell whether "
            "it is open" + (f"; did you mean {' or '.join(like)}?" if like else "")
        )


def _warn_unidentified_bases(
    store: EmbeddedStore,
    name: str,
    warnings: list[str],
    *,
    graph_read: bool,
    ambiguous: dict[str, list[str]] | None = None,
) -> None:
    """Warn of each base model name (og:baseModelName) the identity step linked to no model
    of the description (nor, ``graph_read``, of the graph): unless the graph is read, a
    base it holds (Llama-2-7b) is not, and the reasons' 'names no model of the graph' would
    say the graph has no such model; what the fine-tune inherits can be told only of a base
    in the same file, or one read from the graph (--with-store). A name of several of the
    graph's models (``ambiguous``) is said to be, with a few of them."""
    ambiguous = ambiguous or {}
    for base in _unidentified(store):
        if base in ambiguous:
            models = ambiguous[base]
            listed = ", ".join(f"<{m}>" for m in models[:3]) + (", …" if len(models) > 3 else "")
            warnings.append(
                f"{name}: the base model {base!r} names no model of this description and "
                f"{len(models)} models of the graph ({listed}), so none is read and what a "
                "fine-tune inherits from it cannot be told: describe it in the same file "
                f"(an og:Model named {base!r}) to have it read"
            )
            continue
        if graph_read:
            warnings.append(
                f"{name}: the base model {base!r} names no model of this description nor "
                "one model of the graph, so what a fine-tune inherits from it cannot be "
                f"told: describe it in the same file (an og:Model named {base!r}) to have "
                "it read"
            )
            continue
        warnings.append(
            f"{name}: the base model {base!r} names no model of this description, which is "
            "judged alone (not with the graph's models), so what a fine-tune inherits from it "
            f"cannot be told: describe it in the same file (an og:Model named {base!r}), or "
            "read the graph's (`openness validate --with-store`, the API's with-store=true) "
            "to have it read"
        )


def _unidentified(store: EmbeddedStore) -> list[str]:
    """The base-model names the identity step linked to no model of the store."""
    rows = store.query(
        f"SELECT DISTINCT ?n WHERE {{ GRAPH <{Graphs.IDENTITY}> "
        f"{{ ?r <{OG}unidentifiedBaseModelName> ?n }} }} ORDER BY ?n"
    ).rows()
    return [row["n"].value for row in rows]


# Where the evidence of the stored models read (--with-store) is put in the scratch store:
# a source graph, so the engine reads it as it reads a model's evidence (setwise.facts).
STORED = Graphs.source("graph")


def _read_stored_bases(
    store: EmbeddedStore, graph: GraphStore, name: str, warnings: list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Link each base-model name the identity step found no model of the description for
    to the one model of ``graph`` it names, by the lookup keys the graph's identity step
    wrote (og:identityKey: a Hub repository's, else the name's), and put that model's
    evidence (ev:ModelEvidence, with its own bases', as the engine reads a stored model's)
    into the scratch store: the description's fine-tunes are then judged on their bases'
    stored evidence. A name of no or of several models is left unidentified: where an
    incremental identity update would pick one of several (the least IRI), a description's
    base is not guessed. Returns the models read, by the name that named them (each read
    is said in ``warnings``: the verdicts rest on more than the file), and the models of
    each name of several."""
    names = _unidentified(store)
    keys = {key for base in names for key in base_keys(base)}
    if not keys:
        return {}, {}
    found: dict[str, set[str]] = defaultdict(set)
    # By og:recordOf, which only a model is: a family has records too (og:hasRecord), so
    # a name of one model and its family would have been two.
    rows = graph.query(
        f"SELECT ?key ?m WHERE {{ VALUES ?key {{ {' '.join(str(ox.Literal(k)) for k in keys)} }}"
        f" ?r <{OG}identityKey> ?key ; <{OG}recordOf> ?m }}",
        default_graphs=[Graphs.IDENTITY],
    ).rows()
    for row in rows:
        found[row["key"].value].add(row["m"].value)
    read, ambiguous = {}, {}
    for base in names:
        # The repository's key first, as the identity step tries them.
        models = next((found[k] for k in base_keys(base) if found[k]), set())
        if len(models) == 1:
            read[base] = next(iter(models))
        elif models:
            ambiguous[base] = sorted(models)
    if not read:
        return {}, ambiguous
    for base, model in read.items():
        store.update(
            f"""DELETE {{ GRAPH <{Graphs.IDENTITY}> {{ ?r <{OG}unidentifiedBaseModelName> ?n }} }}
                INSERT {{ GRAPH <{Graphs.IDENTITY}> {{
                  ?m <{FAIR4ML}fineTunedFrom> <{model}> ; <{PROV}wasDerivedFrom> <{model}> }} }}
                WHERE {{ GRAPH <{Graphs.IDENTITY}> {{
                  ?r <{OG}unidentifiedBaseModelName> ?n ; <{OG}recordOf> ?m }}
                  FILTER (?n = {ox.Literal(base)}) }}"""
        )
        warnings.append(
            f"{name}: the base model {base!r} is read from the graph: <{model}>, judged on "
            "its stored evidence with this description"
        )
    lines = own_evidence(graph, facts(graph), sorted(set(read.values())))
    store.load(STORED, evidence_text(sorted(set().union(*lines.values()))))
    return read, ambiguous


def _warn_unknown_licences(triples: list[ox.Triple], name: str, warnings: list[str]) -> None:
    """Warn of each licence given by an IRI (og:resolvesTo, og:optionLicense) that is no
    licence the licence list knows: its terms are described nowhere the definitions read,
    so the verdicts read 'no evidence' without naming it, where the same licence given by
    its string is warned of (:func:`_warn_unresolved`)."""
    known = {lic.iri for lic in default_resolver().by_id.values()}
    given = dict.fromkeys(
        t.object.value
        for t in triples
        if t.predicate.value in (OG + "resolvesTo", OG + "optionLicense")
        and isinstance(t.object, ox.NamedNode)
    )
    for licence in given:
        if licence not in known:
            warnings.append(
                f"{name}: licence <{licence}> is no licence the licence list knows, so no "
                "definition can tell whether it is open (the definitions read the terms the "
                "graph describes of the licences it knows, and of this one none)"
            )


def _resolved(triples: list[ox.Triple], name: str, warnings: list[str]) -> list[ox.Triple]:
    """A licence statement given by its string alone (og:licenseString, without
    og:resolvesTo or og:licenseOption) given what an ingester makes of that string — its
    resolution, licences, options and terms — where it would govern nothing; the
    statement and everything said of it are kept, and what states it gets dcterms:license
    to each licence, as an ingest writes."""
    # Each read once: looked up in the triples a statement, a description of 1 000 models
    # took 6 CPU s here, and 15 more making its models records (the square of its size).
    strings: dict[ox.NamedNode | ox.BlankNode, list[str]] = defaultdict(list)
    resolved = set()
    stating: dict[ox.Term, set[ox.NamedNode | ox.BlankNode]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == OG + "licenseString":
            strings[t.subject].append(t.object.value)
        elif t.predicate.value in (OG + "resolvesTo", OG + "licenseOption"):
            resolved.add(t.subject)
        elif t.predicate.value == OG + "licenseStatement":
            stating[t.object].add(t.subject)
    out = list(triples)
    resolver = default_resolver()
    for stmt, given in strings.items():
        if stmt in resolved:
            continue
        if len(given) > 1:
            warnings.append(
                f"{name}: a licence statement with {len(given)} strings, read as {min(given)!r}"
            )
        made = Triples()
        add_license(
            made,
            _STATING,
            min(given),
            resolver,
            source="user",
            warn=lambda m: warnings.append(f"{name}: {m}"),
        )
        (placeholder,) = [t.object for t in made if t.predicate.value == OG + "licenseStatement"]
        licences = [
            t.object
            for t in made
            if t.subject == _STATING and t.predicate.value == DCTERMS + "license"
        ]
        for t in made:
            if t.subject == _STATING or (
                t.subject == placeholder and t.predicate.value in _SAID_BY_THE_USER
            ):
                continue
            out.append(
                ox.Triple(
                    stmt if t.subject == placeholder else t.subject,
                    t.predicate,
                    stmt if t.object == placeholder else t.object,
                )
            )
        out += [
            ox.Triple(x, ox.NamedNode(DCTERMS + "license"), lic)
            for x in stating[stmt]
            for lic in licences
        ]
    return out


# What add_license is given for a statement stated by the user, and the user's own words.
_STATING = ox.NamedNode("urn:x-openness:stating")
_SAID_BY_THE_USER = (OG + "licenseString", OG + "licenseRole")


def _as_records(triples: list[ox.Triple], name: str, unread: Sequence[str] = ()) -> list[ox.Triple]:
    """A model described directly becomes its own record, from the 'user' source; a
    description of none says why, with what ``unread`` found (a type in the wrong
    namespace). The identity step links the records into the models judged, as it links
    any source's: a description's og:Model node is left no og:Model, or it would be judged
    too (one linking records) and handed to another engine as a model without records
    (one described directly, in the printed evidence)."""

    records, models, linked = set(), [], set()
    names: dict[ox.NamedNode | ox.BlankNode, str] = {}
    for t in triples:
        if t.predicate.value == RDF + "type" and t.object.value == OG + "SourceRecord":
            records.add(t.subject)
        elif t.predicate.value == RDF + "type" and t.object.value == OG + "Model":
            models.append(t.subject)
        elif t.predicate.value == OG + "hasRecord":
            linked.add(t.subject)
        elif t.predicate.value == SCHEMA + "name" and isinstance(t.object, ox.Literal):
            names.setdefault(t.subject, t.object.value)  # a triple term (RDF 1.2) is no name
    if not records and not models:
        raise UnreadableInput(
            f"{name}: describes no og:Model or og:SourceRecord" + "".join(f"; {m}" for m in unread)
        )
    model = ox.NamedNode(OG + "Model")
    out = [t for t in triples if not (t.predicate.value == RDF + "type" and t.object == model)]
    for node in dict.fromkeys(models):
        if node in linked:
            continue
        records.add(node)
        label = names.get(node, node.value)
        out += [
            ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(OG + "SourceRecord")),
            ox.Triple(node, ox.NamedNode(OG + "source"), ox.NamedNode(source_concept("user"))),
            ox.Triple(node, ox.NamedNode(OG + "sourceId"), ox.Literal(label)),
        ]
    return _records_named(out, records, name)


def _base(name: str) -> str:
    """What the IRIs a description named ``name`` writes relative to resolve against: the
    name with what an IRI cannot hold percent-encoded (a space, ``#``), so a name that
    could be is kept as it was, and the IRIs minted from it with it.

    >>> _base("my model#2.ttl"), _base("Amber.yml")
    ('urn:openness:user:my%20model%232.ttl#', 'urn:openness:user:Amber.yml#')
    """
    return f"urn:openness:user:{re.sub(_NOT_IN_IRI, _percent, name)}#"


# What an IRI's path cannot hold (RFC 3987's ipchar and '/' and '?' can be): ASCII other
# than those, and a '%' that begins no percent-encoding.
_NOT_IN_IRI = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%\u0080-\U0010ffff]|%(?![0-9A-Fa-f]{2})")


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode())


def _records_named(
    triples: list[ox.Triple], records: set[ox.NamedNode | ox.BlankNode], name: str
) -> list[ox.Triple]:
    """``triples`` with each record written without an IRI (a JSON-LD node without @id, a
    Turtle [ … ]) given one in the file's namespace: the identity step links records by
    their IRIs. Numbered in the order the file gives them, the same file gets the same."""
    blank = dict.fromkeys(
        t.subject for t in triples if isinstance(t.subject, ox.BlankNode) and t.subject in records
    )
    named = {node: iri(f"{_base(name)}record-without-iri-{n}") for n, node in enumerate(blank, 1)}
    if not named:
        return triples
    return [
        ox.Triple(named.get(t.subject, t.subject), t.predicate, named.get(t.object, t.object))
        for t in triples
    ]


def description_namespace(data: bytes, name: str) -> str:
    """The namespace of the IRIs a description's own nodes get: named by a digest of its
    name (which tells its format, and names a MOF file's record) and content, so the same
    description gets the same IRIs in every run, and one judged never those of a stored
    model, nor another description's.

    >>> description_namespace(b"release:\\n  name: Amber\\n", "Amber.yml")
    'urn:openness:description:86796f7206f653e532371fa1/'
    """
    digest = hashlib.sha256(name.encode() + b"\0" + data).hexdigest()[:24]
    return f"{DESCRIPTION}{digest}/"


@dataclass(frozen=True)
class _Own:
    """Renames into a description's namespace the IRIs of ours that were minted for it
    (those the graph's vocabularies, shapes, licences, curated organizations, the tool and
    the stored evidence read with --with-store do not hold)."""

    namespace: str
    graphs: frozenset[str]
    # The stored models read (--with-store): the IRIs the rules mint under them (a
    # base's aspects) are the graph's.
    stored: tuple[str, ...] = ()

    def iri(self, value: str) -> str:
        if (
            value.startswith(ID)
            and value not in self.graphs
            and not any(value == m or value.startswith(m + "/") for m in self.stored)
        ):
            return self.namespace + value.removeprefix(ID)
        return value

    def term(self, term: ox.Term) -> ox.Term:
        return ox.NamedNode(self.iri(term.value)) if isinstance(term, ox.NamedNode) else term

    def triples(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        return [ox.Triple(self.term(t.subject), t.predicate, self.term(t.object)) for t in triples]

    def verdict(self, v: Verdict) -> Verdict:
        return dataclasses.replace(
            v, model=self.iri(v.model), evidence=[self.iri(e) for e in v.evidence]
        )


def _iris_of_ours(store: EmbeddedStore, graph: str | None = None) -> frozenset[str]:
    """The IRIs of ours the store uses (~150 in the vocabularies and licences, 25 ms), or
    ``graph`` does."""
    within = f"<{graph}>" if graph else "?g"
    rows = store.query(
        f"SELECT DISTINCT ?x WHERE {{ GRAPH {within} {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }} "
        f'FILTER (isIRI(?x) && STRSTARTS(STR(?x), "{ID}")) }}'
    ).rows()
    return frozenset(r["x"].value for r in rows)


@dataclass
class Validation:
    """The verdicts on the models a description holds, and on demand their SHACL reports."""

    verdicts: list[Verdict]
    # Per model, as `openness explain` prints a stored model's: each verdict an EARL
    # assertion linked (og:validationReport) to its definition's sh:ValidationReport.
    reports: dict[str, list[ox.Triple]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what the reader left out
    # On demand, the data graph the shapes judge the models on (`openness evidence`'s).
    evidence: list[ox.Triple] = field(default_factory=list)


def validate_description(
    data: bytes,
    name: str,
    ids: Sequence[str] | None = None,
    *,
    reports: bool = False,
    evidence: bool = False,
    max_triples: int | None = None,
    suffix: str | None = None,
    graph: GraphStore | None = None,
) -> Validation:
    """Judge the models a description holds against the definitions (default: all); with
    ``reports``, also each model's verdicts as EARL assertions, each with its definition's
    sh:ValidationReport from pySHACL (:func:`openness.assess.explain.explanation`); with
    ``evidence``, the data graph any SHACL engine judges them on with the shapes files (the
    description as written is none: the shapes read records, resolved licences, labels).
    A description of more than ``max_triples`` distinct triples is refused (:class:`TooLarge`)
    before it is judged: judging one peaks at :func:`memory_needed` (20 000 components
    with licences of their own, 240 000 triples: ~0.7 GB) and takes CPU time about linear
    in its size (docs/measurements.md). ``suffix``
    tells the format where ``name`` does not (as description_triples).

    The description is judged alone, unless ``graph`` is given: then a base model it names
    but does not describe is read from that store when the name names one of its models
    (:func:`_read_stored_bases`), and its fine-tunes inherit from it as a stored
    fine-tune would. Not by default: the same file would be judged differently as the
    store changes, and on the command line it would need a store."""
    warnings: list[str] = []
    # Each once (the MOF reader gives a component type's triples again for each time a
    # file lists it).
    triples = list(dict.fromkeys(description_triples(data, name, warnings, suffix)))
    if max_triples is not None and len(triples) > max_triples:
        raise TooLarge(name, len(triples), max_triples)
    store = EmbeddedStore(None)
    load_vocabularies(store)
    ingest_source(store, "spdx")
    table = Triples()  # the Model Openness Tool's licence table, which its definition reads
    license_table(sources_dir() / "mof", table, IngestReport("mof"))
    store.write(replace={Graphs.source("mof"): table})
    # A producer the curated organizations name keeps the graph's IRI (the identity step
    # and the reader took it from that index): a consumer follows it to the stored one.
    curated = frozenset(org.iri for org in held_organizations(store).known)
    own = _Own(description_namespace(data, name), _iris_of_ours(store) | curated)
    # Added in bulk, as a scratch store may be: written as a SPARQL update, its text and
    # parse held ~1.8 KB a triple (docs/measurements.md).
    store.extend(Graphs.source("user"), triples)
    # Not held through the judging: the triples of 50 000 components with licences of their
    # own (~600 000) held ~160 MB beside it (docs/measurements.md).
    del triples
    rebuild_identity(store)
    judged, ambiguous = None, {}
    if graph is not None:
        judged = [
            r["m"].value
            for r in store.query(
                f"SELECT ?m WHERE {{ GRAPH <{Graphs.IDENTITY}> {{ ?m a <{OG}Model> }} }}"
            ).rows()
        ]
        read, ambiguous = _read_stored_bases(store, graph, name, warnings)
        # Every IRI of the stored evidence read (its models', records', components') is
        # the graph's, as are those the rules mint under its models (a base's aspects).
        own = dataclasses.replace(
            own,
            graphs=own.graphs | _iris_of_ours(store, STORED),
            stored=tuple(sorted(set(read.values()))),
        )
    _warn_unidentified_bases(
        store, name, warnings, graph_read=graph is not None, ambiguous=ambiguous
    )
    # The description's models only: a stored base read is judged with them, not answered.
    run = assess(store, ids, judged)
    if not run.verdicts:
        raise UnreadableInput(
            f"{name}: no model to validate (a record needs og:source, og:sourceId and schema:name)"
        )
    # Judged under the IRIs the graph's steps mint, answered under the description's own.
    out = Validation([own.verdict(v) for v in run.verdicts], warnings=warnings)
    if evidence:
        from openness.assess.reference import evidence as evidence_of  # pySHACL, as below

        common = shared(store, dataset(store))
        made = {t for m in run.models for t in evidence_of(store, m, common)}
        out.evidence = sorted(own.triples(list(made)), key=str)
    if reports:
        # pySHACL and rdflib's SPARQL engine take ~0.7 CPU s to import: loaded by the
        # runs that ask for reports, not by every command and page that imports this.
        from openness.assess.explain import explanation

        # Stored in the scratch store, the verdicts are explained as a stored model's are:
        # the report beside its verdict, which may outweigh a result (a stand-in met) or
        # rest on no result (a definition that reads a source the description is none of).
        save(store, run, started=dt.datetime.now(dt.UTC))
        chosen = list(ids) if ids else list(definitions())
        out.reports = {
            own.iri(m): own.triples(_answered(explanation(store, m, chosen), warnings))
            for m in run.models
        }
    return out


def _answered(explained: list[ox.Triple], warnings: list[str]) -> list[ox.Triple]:
    """A description's explained verdicts as answered: each assertion states what the
    reader left out (og:readerWarning, the JSON's warnings). The run a stored assertion
    names (prov:wasGeneratedBy) is here this validation, named by its time and described
    only in the scratch store: left out, the same description gives the same graph."""
    kept = [t for t in explained if t.predicate.value != PROV + "wasGeneratedBy"]
    assertions = {t.subject for t in kept if t.predicate.value == EARL + "subject"}
    said = ox.NamedNode(OG + "readerWarning")
    return kept + [ox.Triple(a, said, ox.Literal(w)) for a in assertions for w in warnings]
