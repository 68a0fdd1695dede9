"""One entity per real model: link the source records of all sources to model releases
and families, recomputed from the store after every ingest (the identity graph).

Records describe the same release when they name the same Hugging Face repository (its
former ids included), or else the same name (tokens in any order) from the same producer —
but never two records that name different repositories: the repository decides before the
name. A Hub link a source copied from another model (its name or size contradicts the link:
``CodeT5+-220M`` on ``codet5p-16b``) is not followed; it is kept, and a source conflict
records it (``openness.ingest.conflicts``). So are end-model and base-model names a source
swapped (the link names the base name). An Index record names its release by the Hub
repository nearer its end-model name of its system link and its end-model weights link, as
its ratings are the end model's (``osai_index``); the other link is a source conflict too.
A family (the Index's "system", OSI's "Pythia")
holds the releases whose name starts with the family's name. Base-model names become
``fair4ml:fineTunedFrom`` links when they name one release.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import TypeVar

import pyoxigraph as ox
import yaml

from openness.ingest.conflicts import (
    Conflict,
    Conflicts,
    claims_conflicts,
    weights_link_conflicts,
)
from openness.ingest.hf import NAME as HUB
from openness.ingest.organizations import OrganizationIndex, held_organizations
from openness.ingest.provenance import computed
from openness.ingest.published import Published, default_published
from openness.ingest.rdf import SpooledTriples, Triples, iri_values, literal
from openness.ingest.records import hub_page, source_concept
from openness.ingest.report import IngestReport
from openness.namespaces import EARL, FAIR4ML, FOAF, OG, PROV, SCHEMA, Graphs, mint
from openness.resources import sources_dir
from openness.store import GraphStore
from openness.vocabularies import entailment

T = TypeVar("T")
# Which record names a release best, when records disagree on spelling.
SOURCE_PRIORITY = {"mof": 0, "osai-index": 1, "curated": 2, "hf": 3}
# A parameter count in a name: 7b, 1.5B, 220m, 8x7b.
_SIZE = re.compile(r"^(\d+x)?\d+(\.\d+)?[bmk]$")
# Sizes named in words (BERT's, T5's, MusicGen's): like a count, they name one release.
_SIZE_WORDS = {"tiny", "mini", "small", "base", "medium", "large", "xl", "xxl"}
# A version token: v1, v2 ('v1.5' is 'v1' and '5').
_VERSION = re.compile(r"^v\d+$")
# Words many model names share, which say nothing about which model a name means.
_GENERIC = {
    "base",
    "instruct",
    "chat",
    "it",
    "hf",
    "sft",
    "dpo",
    "rlhf",
    "preview",
    "model",
    "lm",
    "llm",
    "large",
    "small",
    "medium",
    "mini",
    "tiny",
    "post",
    "pre",
    "trained",
    "beta",
    "alpha",
    "research",
    "final",
    "latest",
    "distill",
}


def tokens(name: str) -> tuple[str, ...]:
    """Lower-case alphanumeric tokens of a model name; '+' is read 'plus', which tells
    Command-R+ from Command-R.

    >>> tokens("Llama-2-70B-Chat")
    ('llama', '2', '70b', 'chat')
    >>> tokens("Command-R+")
    ('command', 'r', 'plus')
    """
    return tuple(t for t in re.split(r"[^a-z0-9]+", name.lower().replace("+", " plus ")) if t)


def link_contradiction(name: str, repo: str) -> str | None:
    """Why a Hub repository cannot be the release called ``name``, or None when it can.

    The name and the repository's own name must share a word (one may extend the other,
    as 'codet5' and 'codet5p'; '+' is read 'p'), and sizes both state must agree.

    >>> link_contradiction("CodeT5+-220M", "Salesforce/codet5p-16b")
    'the name says 220m, the Hub repository 16b'
    >>> link_contradiction("dbrx-instruct", "deepseek-ai/deepseek-moe-16b-base")
    'the name and the Hub repository share no word'
    >>> link_contradiction("CodeT5+-16B", "Salesforce/codet5p-16b") is None
    True
    """
    ours = tokens(name.replace("+", "p"))
    theirs = tokens(repo.rsplit("/", 1)[-1])
    size_ours = {t for t in ours if _SIZE.match(t)}
    size_theirs = {t for t in theirs if _SIZE.match(t)}
    words_ours = [t for t in ours if _is_word(t)]
    words_theirs = [t for t in theirs if _is_word(t)]
    if (
        words_ours
        and words_theirs
        and not any(
            a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)))
            for a in words_ours
            for b in words_theirs
        )
    ):
        return "the name and the Hub repository share no word"
    if size_ours and size_theirs and not size_ours & size_theirs:
        return (
            f"the name says {', '.join(sorted(size_ours))}, "
            f"the Hub repository {', '.join(sorted(size_theirs))}"
        )
    return None


def _is_word(token: str) -> bool:
    """A token that can tell models apart: not a size, a bare number or a generic word."""
    return not _SIZE.match(token) and not token.isdigit() and token not in _GENERIC


@dataclass(slots=True)  # a million of them at a Hub's scale
class Record:
    iri: str
    source: str
    name: str
    producer: str | None = None
    repos: set[str] = field(default_factory=set)  # lower-case Hub ids, former ones included
    family: str | None = None
    bases: list[str] = field(default_factory=list)
    # Lower-case former Hub ids: rare, so one shared empty set until there is one.
    former: frozenset[str] = frozenset()
    spelled: dict[str, str] = field(default_factory=dict)  # lower-case id -> as written, if not
    refused: dict[str, str] = field(default_factory=dict)  # link not followed -> why
    stated_name: str | None = None  # the name as the source wrote it, when it was swapped

    def name_keys(self, producer_words: dict[str, set[str]]) -> set[tuple]:
        """Keys under which this record names its release: its tokens in any order, also
        without a leading producer word ('Meta-Llama-3-8B' is 'Llama-3-8B' by Meta)."""
        toks = tokens(self.name)
        variants = {toks}
        if len(toks) > 1 and toks[0] in producer_words.get(self.producer or "", set()):
            variants.add(toks[1:])
        return {(tuple(sorted(v)), self.producer) for v in variants if v}

    @property
    def current_repos(self) -> list[str]:
        """The repositories the record links, former ids left out, as written."""
        return sorted(self.spelled.get(r, r) for r in self.repos - self.former)

    def check_links(self) -> None:
        """Stop following links the record's own name contradicts. A link its base-model
        name matches instead means the source swapped the two names: the base name is the
        release's, the stated name its base. Hub records name themselves: not checked."""
        if self.source == "hf":
            return
        for repo in sorted(self.repos - self.former):
            why = link_contradiction(self.name, repo)
            if why is None:
                continue
            swapped = next((b for b in self.bases if link_contradiction(b, repo) is None), None)
            if swapped and self.stated_name is None:
                self.stated_name = self.name
                self.bases = [self.name] + [b for b in self.bases if b != swapped]
                self.name = swapped
                continue
            self.refused[repo] = why
            self.repos.discard(repo)


def read_records(
    store: GraphStore, only: Sequence[str] | None = None, kind: str = OG + "SourceRecord"
) -> dict[str, Record]:
    """Every source record of the store, or those of ``only``; records of another ``kind``
    (a dated snapshot's, og:SnapshotRecord) when given."""
    if only is not None:
        records: dict[str, Record] = {}
        for at in range(0, len(only), 500):
            chosen = f"VALUES ?r {{ {iri_values(only[at : at + 500])} }}"
            records |= _read_records(store, chosen, kind)
        return records
    return _read_records(store, "", kind)


def _read_records(store: GraphStore, bound: str, kind: str) -> dict[str, Record]:
    solutions = store.query(
        f"""SELECT ?r ?source ?name ?producer ?repo ?former ?family ?base WHERE {{ {bound}
             ?r a <{kind}> ; og:source/skos:notation ?source ; schema:name ?name .
             FILTER (isLiteral(?name))
             OPTIONAL {{ ?r og:producer ?producer }}
             OPTIONAL {{ ?r og:huggingFaceRepo ?repo }}
             OPTIONAL {{ ?r og:formerHubId ?former }}
             OPTIONAL {{ ?r og:familyName ?family }}
             OPTIONAL {{ ?r og:baseModelName ?base }}
           }}"""
    )
    records: dict[str, Record] = {}
    # One string a source and a producer: a million records name a few thousand. Solution
    # by solution, not as rows: at a million Hub records, rows took ~0.6 GB.
    shared: dict[str, str] = {}
    for r, source, name, producer, repo, former, family, base in solutions:
        iri = r.value
        rec = records.get(iri)
        if rec is None:
            kind = shared.setdefault(source.value, source.value)
            rec = records[iri] = Record(iri, kind, name.value)
        if producer is not None:
            rec.producer = shared.setdefault(producer.value, producer.value)
        for linked in (repo, former):
            if linked is not None:
                written = linked.value
                lower = written.lower()
                rec.repos.add(lower)
                if written != lower:
                    rec.spelled[lower] = written
                if linked is former:
                    rec.former |= {lower}
        if family is not None:
            rec.family = family.value
        if base is not None and base.value not in rec.bases:
            rec.bases.append(base.value)
    return records


def identity_keys(rec: Record, words: dict[str, set[str]]) -> set[str]:
    """What a record is found by (``og:identityKey`` in the identity graph): its Hub
    repositories and name keys, under which it is matched to other records, and the keys its
    base-model names resolve by, and the repositories it links without following them. A
    re-sync finds the records a change concerns by these, instead of reading every record.

    >>> rec = Record("r", "hf", "a/Foo-7B", None, {"a/foo-7b"}, bases=["a/Bar"])
    >>> sorted(identity_keys(rec, {}))
    ['base-name:bar', 'base-repo:a/bar', 'name:7b a foo', 'repo:a/foo-7b']
    """
    keys = {"repo:" + repo for repo in rec.repos}
    # A link it does not follow: the record's conflict about it is made again with the
    # repository's records.
    keys |= {"refused-repo:" + repo for repo in rec.refused}
    keys |= {"name:" + " ".join(key) for key, _ in rec.name_keys(words)}
    keys |= {"base-" + key for base in rec.bases for key in base_keys(base)}
    return keys


def base_keys(base: str) -> list[str]:
    """The lookup keys of the records a base-model name may name, in the order
    :func:`_bases` tries them: a Hub id's repository first, then the name's key.

    >>> base_keys("meta-llama/Llama-2-7b-hf")
    ['repo:meta-llama/llama-2-7b-hf', 'name:2 7b hf llama']
    """
    repo = ["repo:" + base.lower()] if "/" in base else []
    return repo + ["name:" + " ".join(_base_key(base))]


def producer_words(orgs: OrganizationIndex) -> dict[str, set[str]]:
    words: dict[str, set[str]] = {}
    for org in orgs.known:
        for name in [org.name, org.short, *org.aliases]:
            if name and len(tokens(name)) == 1:
                words.setdefault(org.iri, set()).add(tokens(name)[0])
    return words


class _Clusters:
    """Union-find over records that refuses two merges: of two records of one source with
    different names (a source's own identity wins over a shared, often copy-pasted, link),
    and of records that name different Hub repositories (the repository wins over a name;
    such pairs are kept in ``apart``, for a conflict to say why one name is two models).

    A record is its own cluster until merged: only merged ones have a parent, and only
    merged clusters hold their names and repositories (at a Hub's scale, most records
    match no other, and a table of each record's would take ~0.7 KB a record)."""

    def __init__(self, records: dict[str, Record]) -> None:
        self.records = records
        self.apart: set[tuple[str, str]] = set()
        self.parent: dict[str, str] = {}
        self.names: dict[str, dict[str, set[str]]] = {}
        self.repos: dict[str, set[str]] = {}

    def find(self, x: str) -> str:
        root = x
        while (up := self.parent.get(root)) is not None:
            root = up
        while x != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def _names(self, root: str) -> dict[str, set[str]]:
        if root in self.names:
            return self.names[root]
        rec = self.records[root]
        return {rec.source: {rec.name}}

    def _repos(self, root: str) -> set[str]:
        return self.repos[root] if root in self.repos else self.records[root].repos

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        na, nb = self._names(ra), self._names(rb)
        if any(na[s] != nb[s] for s in na.keys() & nb.keys()):
            return False
        repos_a, repos_b = self._repos(ra), self._repos(rb)
        if repos_a and repos_b and not repos_a & repos_b:
            self.apart.add((min(a, b), max(a, b)))
            return False
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        self.names[root] = {s: na.get(s, set()) | nb.get(s, set()) for s in na.keys() | nb.keys()}
        self.repos[root] = repos_a | repos_b
        self.names.pop(child, None)
        self.repos.pop(child, None)
        return True


@dataclass
class Outside:
    """What an incremental identity step knows of the records it does not re-link: the
    models their base-model lookup keys (``identity_keys``) name, and the families every
    record names (in the order a full rebuild reads them)."""

    keys: dict[str, set[str]] = field(default_factory=dict)  # lookup key -> models
    families: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Issued:
    """The model IRIs the identity graph issued before (:func:`read_issued`), which keep
    denoting what they denoted: each with the records it denoted — a model's (og:hasRecord),
    a retired or withdrawn IRI's (og:formerRecord) — and the former Hub ids' IRIs, each with
    the model it points at (``aliases``: retired with no record of their own, see
    :func:`link`)."""

    denoted: dict[str, list[str]] = field(default_factory=dict)  # IRI -> its records
    aliases: dict[str, str] = field(default_factory=dict)  # IRI -> og:supersededBy
    models: set[str] = field(default_factory=set)  # the IRIs of models (not retired, withdrawn)
    # A model's producer (og:producer), asked only of the few a release may keep by
    # :func:`_rekeyed`: at a Hub's scale every model's would be a second table as large.
    producer: Callable[[str], str | None] = lambda iri: None
    # Models' Hub repositories (og:huggingFaceRepo), asked, as ``producer``, only of the few
    # a release may keep though it links no repository they are minted from (:func:`_strayed`).
    repos: Callable[[list[str]], dict[str, set[str]]] = lambda iris: {}
    # The IRIs earlier releases published (:func:`default_published`) the identity graph says
    # nothing of: each one a store upgraded from those releases issued (:func:`link`).
    published: dict[str, Published] = field(default_factory=dict)


@dataclass
class Linked:
    """The releases :func:`link` made: each record's model, each model's records and
    the IRI it was minted from (before a number told it from another release's); the
    retired IRIs, each with the model that now has its records (og:supersededBy); and the
    withdrawn ones, whose records are all gone, each with those records (for
    :func:`tombstones` to write)."""

    models: dict[str, str]
    members: dict[str, list[Record]]
    minted_from: dict[str, str]
    counts: dict[str, int]
    retired: dict[str, str] = field(default_factory=dict)
    withdrawn: dict[str, list[str]] = field(default_factory=dict)


def link(
    records: dict[str, Record],
    orgs: OrganizationIndex,
    out: Triples,
    families: list[tuple[str, str | None]] | None = None,
    conflicts: Conflicts | None = None,
    outside: Outside | None = None,
    releases: Callable[[str], str | None] | None = None,
    issued: Issued | None = None,
) -> Linked:
    """Cluster records into releases and families; write the entities to ``out`` and return
    the releases made (:class:`Linked`, with how many records each rule matched).
    ``families`` are further (name, producer) families named outside records (published
    verdicts). Links not followed and swapped names go to ``conflicts``. With ``outside``,
    ``records`` are some
    of the store's (whole clusters, with every record sharing a key with them): base-model
    names also resolve to the models of records outside them, and the families named are
    ``outside``'s. With ``releases`` (record IRI -> model IRI, or None), the records it names
    a model for are grouped into those models instead of as matched (the others as matched).

    A release is named by the IRI ``issued`` before to its records (:func:`_keep_issued`),
    else minted from its first Hub repository or its best record's name, numbered (``-2``)
    where that IRI is another's — never one issued before: a consumer's stored IRI keeps
    denoting the release it did, where minting alone moved it to another (a new record of
    the same name taking the plain IRI, a Hub link renaming its release). An issued IRI no
    release keeps whose records are still linked is retired: og:supersededBy the release
    holding most of them (a merge), with the records it denoted (og:formerRecord), which a
    later split gives it back by. So is the IRI of a Hub repository's former id, to the
    release linking it, and an IRI minted from a Hub repository that the release holding its
    records links under none of its ids, linking others (:func:`_strayed`): a release of
    that repository takes it back (:func:`_reclaimed`). An IRI whose records are all gone
    is withdrawn (``Linked.withdrawn``, a tombstone the callers write with
    :func:`tombstones`): no release is given it, a new one minted to it takes a number, and
    the release holding one of its records again gets it back; a former Hub id's IRI
    pointing at it keeps pointing at it, then too. A model whose source named its records
    anew is not withdrawn: the release minted to its IRI from a record of that source keeps
    it (:func:`_rekeyed`). (A former Hub id's IRI keeps its
    target while that is issued, when no record names the id any more; a target merged
    into another model, that one.) An IRI an earlier release published that the store did
    not issue (``issued.published``) is given as a store upgraded from that release, which
    issued it, gives it: to a release holding one of its records, or taken back as a
    retiring one is (:func:`_reclaimed`); a release holding none of them takes a number."""
    words = producer_words(orgs)
    for rec in records.values():
        rec.check_links()
    uf = _Clusters(records)
    how: dict[str, str] = {}
    for rule, shared in (
        ("hf-repo", _sharing(records, lambda rec: rec.repos, _repo_key_order)),
        ("name+producer", _sharing(records, lambda r: _name_keys(r, words), _name_key_order)),
    ):
        # Each key's first record (in IRI order) takes the others; keys in a fixed order,
        # as a merge refused (a source's two names, two repositories) depends on it.
        for _, iris in sorted(shared):
            other = iris[0]
            for iri in iris[1:]:
                if uf.find(other) != uf.find(iri) and uf.union(other, iri):
                    how.setdefault(iri, rule)
                    how.setdefault(other, rule)
    given = {iri: m for iri in records if releases and (m := releases(iri))}
    clusters: dict[str, list[Record]] = defaultdict(list)
    for rec in records.values():
        clusters[given.get(rec.iri) or uf.find(rec.iri)].append(rec)

    models: dict[str, str] = {}  # record IRI -> model IRI
    model_names: dict[str, list[Record]] = {}
    minted_from: dict[str, str] = {}
    for members in clusters.values():  # best record first
        members.sort(key=lambda r: (SOURCE_PRIORITY.get(r.source, 9), r.iri))
    renamed = _renamed_releases(clusters.values())
    ordered = sorted(clusters.values(), key=lambda m: min(r.iri for r in m))
    bases = [_minted(members) for members in ordered]
    issued = issued or Issued()
    kept = _keep_issued(ordered, bases, issued)
    kept |= _rekeyed(ordered, bases, kept, given, issued, records)
    used = set(given.values()) | set(kept.values())
    retiring = {
        iri
        for iri, denoted in issued.denoted.items()
        if iri not in used and any(r in records for r in denoted)
    }
    # An IRI an earlier release published is one a store upgraded from it issued: a release
    # whose Hub repository mints it takes it back as one of a retiring IRI, and a release
    # holding none of its records is not minted to it (it takes a number).
    listed = {iri: set(p.records) for iri, p in issued.published.items()}
    denoted = {iri: issued.denoted[iri] for iri in retiring}
    denoted |= {iri: sorted(rs) for iri, rs in listed.items() if any(r in records for r in rs)}
    reclaimed = _reclaimed(ordered, kept, given, denoted)
    kept |= reclaimed
    used |= set(reclaimed.values())
    retiring -= set(reclaimed.values())
    aliases = _former_ids(records)
    withdrawn = _withdrawn(records, issued, used | retiring | aliases.keys())
    # A former Hub id's IRI keeps pointing at the IRI it did while that is issued, when no
    # record names the id any more: a model withdrawn (the records naming the id went with
    # it), and so the model given that IRI back when its records return without the id.
    still = withdrawn.keys() | used | retiring
    kept_aliases = {a: m for a, m in issued.aliases.items() if m in still}
    used |= retiring | withdrawn.keys() | kept_aliases.keys()
    used |= issued.aliases.keys() & aliases.keys()
    for at, members in enumerate(ordered):
        base = bases[at]
        iri, n = kept.get(at) or given.get(members[0].iri) or base, 1
        while (
            (iri in used or (iri in listed and listed[iri].isdisjoint(m.iri for m in members)))
            and at not in kept
            and members[0].iri not in given
        ):
            n += 1  # two releases of one name from different producers
            iri = f"{base}-{n}"
        used.add(iri)
        model_names[iri] = members
        minted_from[iri] = base
        out.types(iri, OG + "Model")
        out.add(iri, SCHEMA + "name", renamed.get(id(members), members[0].name))
        producer = next((m.producer for m in members if m.producer), None)
        out.link(iri, OG + "producer", producer)
        for m in members:
            models[m.iri] = iri
            out.link(iri, OG + "hasRecord", m.iri)
            out.link(m.iri, OG + "recordOf", iri)
            out.add(m.iri, OG + "matchedBy", how.get(m.iri, "unique"))
            for key in sorted(identity_keys(m, words)):
                out.add(m.iri, OG + "identityKey", key)
        for repo_id in sorted({r for m in members for r in m.current_repos}):
            out.add(iri, OG + "huggingFaceRepo", repo_id)
            out.link(iri, FOAF + "page", hub_page("model", repo_id))
    retired = _retire(retiring, issued, models, out)
    for alias, rec in sorted(aliases.items()):
        if alias not in model_names and alias not in retiring:
            retired[alias] = models[rec]
            out.link(alias, OG + "supersededBy", models[rec])
    for alias, model in sorted(kept_aliases.items()):
        if alias not in aliases:
            # Straight at what a retiring model's IRI now is: no chain of retirements.
            retired[alias] = retired.get(model, model)
            out.link(alias, OG + "supersededBy", retired[alias])
    if conflicts is not None:
        _link_conflicts(records, models, conflicts)
        _name_conflicts(records, models, uf.apart, conflicts)
    _bases(records, models, model_names, words, out, outside.keys if outside else {})
    if outside is None:
        named = [(r.family, r.producer) for r in sorted(records.values(), key=lambda r: r.iri)]
        named = [(name, producer) for name, producer in named if name]
    else:
        named = outside.families
    n_families = _families(records, model_names, words, out, named, families or [])
    counts = defaultdict(int)
    for rec in records.values():
        counts[how.get(rec.iri, "unique")] += 1
    counts["models"] = len(model_names)
    counts["families"] = n_families
    return Linked(models, model_names, minted_from, dict(counts), retired, withdrawn)


def _minted(members: list[Record]) -> str:
    """The IRI a release is minted from: its first Hub repository's, else its best name's."""
    repo = next((r for m in members for r in m.current_repos), None)
    return mint("model", repo) if repo else mint("model", members[0].name)


def _keep_issued(clusters: list[list[Record]], bases: list[str], issued: Issued) -> dict[int, str]:
    """The IRI each release (by its place in ``clusters``) keeps of those ``issued`` before
    to its records: the one denoting most of them, then the one it holds the records of
    best (fewest records one has and the other lacks: a split release gets back its retired
    IRI), then the one it is minted from (``bases``), then the first. Each IRI to one
    release, the closest pairs first."""
    of: dict[str, list[str]] = defaultdict(list)
    for iri, denoted in issued.denoted.items():
        for record in denoted:
            of[record].append(iri)
    pairs = []
    for at, members in enumerate(clusters):
        common: dict[str, int] = defaultdict(int)
        for m in members:
            for iri in of.get(m.iri, ()):
                common[iri] += 1
        for iri, n in common.items():
            apart = len(issued.denoted[iri]) + len(members) - 2 * n
            pairs.append((-n, apart, iri != bases[at], iri, at))
    strayed = _strayed(clusters, [(iri, at) for *_, iri, at in pairs], issued)
    kept: dict[int, str] = {}
    taken: set[str] = set()
    for *_, iri, at in sorted(pairs):
        if at not in kept and iri not in taken and (iri, at) not in strayed:
            kept[at] = iri
            taken.add(iri)
    return kept


def _minted_from(members: list[Record]) -> set[str]:
    """The IRIs a release's Hub repositories, its records' former ids included, mint."""
    return {mint("model", repo) for m in members for repo in m.repos}


def _strayed(
    clusters: list[list[Record]], pairs: list[tuple[str, int]], issued: Issued
) -> set[tuple[str, int]]:
    """The (IRI, release) of ``pairs`` where the IRI, a model's, was minted from a Hub
    repository of that model, and the release links other Hub repositories but that one
    under none of its ids (its former ids are the renames the Hub's redirects recorded): a
    source now reads the records as another repository's, whose release is not the model
    the IRI named. Kept, the IRI would name that release here and the repository's in a
    store built afresh. A release linking no repository keeps any (a Hub link added, or a
    repository deleted, renames nothing)."""
    asked = [
        (iri, at)
        for iri, at in pairs
        if iri in issued.models
        and any(m.repos for m in clusters[at])
        and iri not in _minted_from(clusters[at])
    ]
    repos = issued.repos(sorted({iri for iri, _ in asked})) if asked else {}
    return {
        (iri, at)
        for iri, at in asked
        if any(mint("model", repo) == iri for repo in repos.get(iri, ()))
    }


def _reclaimed(
    clusters: list[list[Record]],
    kept: dict[int, str],
    given: dict[str, str],
    retiring: dict[str, list[str]],
) -> dict[int, str]:
    """The IRI each release (by its place in ``clusters``, as :func:`_keep_issued`) takes
    of those ``retiring`` (each with the records it denoted) that one of its Hub
    repositories mints, where no release holding the IRI's records links that repository:
    the IRI went with records a source now reads as another repository's
    (:func:`_strayed`), and comes to the repository it was minted from, as a store built
    afresh gives it."""
    at_of = {m.iri: at for at, members in enumerate(clusters) for m in members}
    out: dict[int, str] = {}
    for at, members in enumerate(clusters):
        if at in kept or members[0].iri in given:
            continue
        for repo in sorted({r for m in members for r in m.repos - m.former}):
            iri = mint("model", repo)
            if iri not in retiring or iri in out.values():
                continue
            holders = {at_of[r] for r in retiring[iri] if r in at_of}
            if not any(repo in m.repos for h in holders for m in clusters[h]):
                out[at] = iri
                break
    return out


def _rekeyed(
    clusters: list[list[Record]],
    bases: list[str],
    kept: dict[int, str],
    given: dict[str, str],
    issued: Issued,
    records: dict[str, Record],
) -> dict[int, str]:
    """The IRI each release keeps (by its place in ``clusters``, as :func:`_keep_issued`)
    that was a model's until now, whose records are all gone, where the release is minted
    to it (``bases``, or that numbered: ``-2``, a second release of the name) and has a
    record of a source one of those was of: that source named the model's records anew
    (MOF names a record by its file), which withdrew the model and gave the same release a
    number. A release minted from its name keeps one only of its producer: another's of
    that name is another model (records match by name and producer), even where its file
    came as the model's went. One already withdrawn is not taken back so."""
    out: dict[int, str] = {}
    taken = set(kept.values()) | set(given.values())
    for at, members in enumerate(clusters):
        if at in kept or members[0].iri in given:
            continue
        by_name = not any(m.current_repos for m in members)
        producer = next((m.producer for m in members if m.producer), None)
        sources = {mint("record", m.source) + "/" for m in members}
        for iri in _numbered(bases[at], issued):
            if iri in taken or iri not in issued.models:
                continue
            denoted = issued.denoted[iri]
            if any(r in records for r in denoted):
                continue  # the model's records are another release's now
            if not any(r.startswith(s) for r in denoted for s in sources):
                continue
            if by_name and issued.producer(iri) != producer:
                continue
            out[at] = iri
            taken.add(iri)
            break
    return out


def _numbered(base: str, issued: Issued) -> Iterator[str]:
    """``base`` and the IRIs numbered from it that were issued (``-2``, ``-3``, …: minted
    each where the ones before it were taken, so the first not issued ends them)."""
    yield base
    n = 2
    while (iri := f"{base}-{n}") in issued.denoted or iri in issued.aliases:
        yield iri
        n += 1


def _retire(
    retiring: set[str], issued: Issued, models: dict[str, str], out: Triples
) -> dict[str, str]:
    """Write each retired IRI's successor (the release holding most of its records that are
    left, the first of equals) and those records; returns IRI -> successor."""
    retired: dict[str, str] = {}
    for iri in sorted(retiring):
        left = sorted(r for r in issued.denoted[iri] if r in models)
        held: dict[str, int] = defaultdict(int)
        for record in left:
            held[models[record]] += 1
        retired[iri] = min(held, key=lambda m: (-held[m], m))
        out.link(iri, OG + "supersededBy", retired[iri])
        for record in left:
            out.link(iri, OG + "formerRecord", record)
    return retired


def _withdrawn(records: dict[str, Record], issued: Issued, taken: set[str]) -> dict[str, list[str]]:
    """The IRIs ``issued`` before that are not ``taken`` and none of whose records is left,
    each with the records it denoted. Not one whose Hub record moved (a present record's
    former id's record): its model is under the current id's IRI, not gone."""
    moved = {mint("record", rec.source, f) for rec in records.values() for f in rec.former}
    return {
        iri: sorted(denoted)
        for iri, denoted in sorted(issued.denoted.items())
        if iri not in taken and not any(r in records or r in moved for r in denoted)
    }


def tombstones(
    store: GraphStore,
    withdrawn: dict[str, list[str]],
    at: dt.datetime,
    out: Triples,
    named: dict[str, tuple[str, dt.datetime]] | None = None,
) -> dict[str, ox.Literal]:
    """Keep each IRI ``withdrawn`` (its model gone: no source describes it any more) as an
    og:WithdrawnModel in ``out``: its last name and when it was withdrawn
    (prov:invalidatedAtTime) as the identity graph said them if it was one already, else
    its name (a retired IRI: its model's) and ``at`` — or, for one the identity graph says
    nothing of, as ``named`` gives them (an IRI an earlier release published); and the
    records it denoted (og:formerRecord), which give it back to their model if they come
    back. Returns when each was withdrawn, as written."""
    days: dict[str, ox.Literal] = {}
    iris = sorted(withdrawn)
    said: dict[str, tuple[ox.Literal | None, ox.Literal | None]] = {}
    for start in range(0, len(iris), 500):
        chosen = f"VALUES ?iri {{ {iri_values(iris[start : start + 500])} }}"
        rows = store.query(
            f"""SELECT ?iri ?name ?when WHERE {{ {chosen}
                  OPTIONAL {{ ?iri prov:invalidatedAtTime ?when }}
                  OPTIONAL {{ ?iri schema:name ?own }}
                  OPTIONAL {{ ?iri og:supersededBy/schema:name ?then }}
                  BIND (COALESCE(?own, ?then) AS ?name) }} ORDER BY DESC(?name)""",
            default_graphs=[Graphs.IDENTITY],
        ).rows()
        # One row an IRI; the least name, were there several (rows in reverse order).
        said |= {r["iri"].value: (r.get("name"), r.get("when")) for r in rows}
    for iri in iris:
        name, when = said.get(iri, (None, None))
        given, day = (named or {}).get(iri, (None, at))
        out.types(iri, OG + "WithdrawnModel")
        out.add(iri, SCHEMA + "name", name or given)
        days[iri] = when or literal(day)
        out.add(iri, PROV + "invalidatedAtTime", days[iri])
        for record in withdrawn[iri]:
            out.link(iri, OG + "formerRecord", record)
    return days


def _published(
    store: GraphStore, linked: Linked, issued: Issued, out: Triples
) -> dict[str, tuple[str, dt.datetime]]:
    """Retire or withdraw each IRI an earlier release published that the store issued none
    of (``issued.published``) and no release took, as :func:`link` does an issued IRI
    no release keeps: one whose records a release holds is og:supersededBy the release
    holding most of them, with those records (:func:`_retire`), one whose records are all
    gone withdrawn (added to ``linked``, for :func:`tombstones`). A store built afresh so
    answers them as a store that issued them does, and a later run reads them as issued.
    Not before the store holds the whole of each source its records are of: a build
    ingests the sources one by one, and an IRI withdrawn before its records came would be
    given back to their model. Returns the withdrawn ones' last names and days, which the
    store cannot say."""
    known = linked.members.keys() | linked.retired.keys() | linked.withdrawn.keys()
    held = _held_sources(store)
    unknown = {
        iri: p for iri, p in issued.published.items() if iri not in known and p.sources <= held
    }
    left = {iri for iri, p in unknown.items() if any(r in linked.models for r in p.records)}
    denoted = {iri: list(unknown[iri].records) for iri in left}
    linked.retired |= _retire(left, Issued(denoted=denoted), linked.models, out)
    gone = sorted(unknown.keys() - left)
    linked.withdrawn |= {iri: sorted(unknown[iri].records) for iri in gone}
    return {iri: (unknown[iri].name, unknown[iri].on) for iri in gone}


def _held_sources(store: GraphStore) -> set[str]:
    """The sources the store holds the whole of, by name: each it holds a graph of that a
    run ingested from files (a snapshot: the bundled data or a folder given), and the Hub
    once a live sync of the whole Hub has finished a pass. One author's models, or a first
    pass under way, say nothing of the repositories not yet listed, and an IRI of theirs
    would be withdrawn (410) where a store that issued it and synced alike answers 404."""
    # Two queries, not a UNION with a BIND: Virtuoso answered that with a row binding none.
    ingested = store.query(
        f"""SELECT DISTINCT ?concept WHERE {{ GRAPH <{Graphs.PROVENANCE}> {{
              ?run a og:IngestionRun ; prov:used ?files .
              ?files og:source ?concept ; og:sourceFile ?folder }} }}"""
    ).rows()
    whole = {r["concept"].value.removeprefix(source_concept("")) for r in ingested}
    synced = store.query(
        f"""SELECT ?sync WHERE {{ GRAPH <{Graphs.HUB_SYNC}> {{
              ?sync a og:HubSync ; og:syncState/og:syncWatermark ?listed
              FILTER NOT EXISTS {{ ?sync og:syncScope ?author }} }} }} LIMIT 1"""
    ).rows()
    if synced:
        whole.add(HUB)
    return whole & {g.removeprefix(Graphs.source("")) for g in store.graph_names()}


def unissued_published(store: GraphStore) -> dict[str, Published]:
    """The IRIs earlier releases published (:func:`default_published`) the identity graph
    says nothing of."""
    listed = default_published()
    if not listed:
        return {}
    rows = store.query(
        f"SELECT DISTINCT ?iri WHERE {{ VALUES ?iri {{ {iri_values(sorted(listed))} }} "
        "?iri ?p ?o }",
        default_graphs=[Graphs.IDENTITY],
    )
    said = {iri.value for (iri,) in rows}
    return {iri: p for iri, p in listed.items() if iri not in said}


def published_pending(store: GraphStore) -> bool:
    """Whether an IRI an earlier release published waits for a rebuild to retire or
    withdraw it (:func:`_published`): the identity graph says nothing of it, and the store
    holds the whole of each source its records are of (:func:`_held_sources`; the list came
    with a release after the store's last rebuild, or a sync brought a source, or finished
    the Hub's first pass). Only a rebuild reads the whole store, as retiring one to the
    model holding its records and withdrawing one whose records are all gone need; a
    rebuild gives each one, so the next update is incremental."""
    waiting = unissued_published(store)
    if not waiting:  # every update asks; once a rebuild gave each listed IRI, no more is read
        return False
    held = _held_sources(store)
    return any(p.sources <= held for p in waiting.values())


def record_tombstones(
    store: GraphStore,
    candidates: Sequence[str],
    at: dt.datetime,
    out: Triples,
    named: dict[str, tuple[str, ox.Literal]] | None = None,
) -> set[str]:
    """Keep each of the record IRIs ``candidates`` that no source has any more (a source
    dropped the record, a Hub repository was deleted) as an og:WithdrawnRecord in ``out``,
    if the identity graph linked it to a model or kept it so: when the identity step found
    it gone (prov:invalidatedAtTime) and the model it was a record of (og:formerRecordOf),
    as the identity graph said them if it was one already, else ``at`` and its model — or,
    for one the identity graph says nothing of, the model and day ``named`` gives (a
    withdrawn model's record, :func:`gone_with`). Not one a source retired
    (og:supersededBy: a Hub repository's former id, which moved and answers 303), nor one
    never linked nor named. Returns those that are no record and were or are one, whose triples an
    update rewrites (a record again is rewritten with its links); asked by IRI,
    ``candidates`` at a time, never every record or tombstone."""
    named = named or {}
    handled: set[str] = set()
    for start in range(0, len(candidates), 500):
        chosen = f"VALUES ?r {{ {iri_values(candidates[start : start + 500])} }}"
        rows = store.query(
            f"""SELECT ?r ?model ?when ?was ?moved ?live WHERE {{ {chosen}
                  OPTIONAL {{ GRAPH <{Graphs.IDENTITY}> {{ ?r og:recordOf ?model }} }}
                  OPTIONAL {{ GRAPH <{Graphs.IDENTITY}> {{
                    ?r a og:WithdrawnRecord ; prov:invalidatedAtTime ?when
                    OPTIONAL {{ ?r og:formerRecordOf ?was }} }} }}
                  OPTIONAL {{ ?r og:supersededBy ?moved }}
                  OPTIONAL {{ ?r a og:SourceRecord BIND (true AS ?live) }}
                }} ORDER BY DESC(?model)""",
        ).rows()
        said = {r["r"].value: r for r in rows}  # one row a record, the least model's
        for iri, row in sorted(said.items()):
            linked = "model" in row or "when" in row
            if "live" in row or not (linked or iri in named):
                continue
            handled.add(iri)
            if "moved" in row:
                continue
            model, day = (None, literal(at)) if linked else named[iri]
            out.types(iri, OG + "WithdrawnRecord")
            out.add(iri, PROV + "invalidatedAtTime", row.get("when") or day)
            was = row.get("was") if "when" in row else row.get("model")
            out.link(iri, OG + "formerRecordOf", was.value if was else model)
    return handled


def gone_with(
    withdrawn: dict[str, list[str]], days: dict[str, ox.Literal]
) -> dict[str, tuple[str, ox.Literal]]:
    """Each record of the IRIs ``withdrawn`` (each withdrawn on its day of ``days``), with
    its IRI and that day: a record gone with its model, for :func:`record_tombstones` to
    keep as a store that linked it did where the identity graph says nothing of it — a
    record of an IRI an earlier release published, withdrawn in a store built afresh, or
    one a run killed between two writes of the identity graph left without its tombstone."""
    return {r: (iri, day) for iri, day in days.items() for r in withdrawn[iri]}


def withdrawn_records(store: GraphStore) -> list[str]:
    """The record IRIs the identity graph keeps as og:WithdrawnRecord."""
    rows = store.query(
        "SELECT ?r WHERE { ?r a og:WithdrawnRecord }", default_graphs=[Graphs.IDENTITY]
    )
    return [r.value for (r,) in rows]


def _former_ids(records: dict[str, Record]) -> dict[str, str]:
    """The IRI each former Hub id of the records would be minted (as a release linking it
    was, before its repository moved) -> the first record naming it."""
    out: dict[str, str] = {}
    for iri in sorted(r.iri for r in records.values() if r.former):
        for former in sorted(records[iri].former):
            out.setdefault(mint("model", former), iri)
    return out


def _repo_key_order(repo: str) -> str:
    return str(("hub", repo))


def _name_keys(rec: Record, words: dict[str, set[str]]) -> list[str]:
    return [" ".join(key) + "\x1f" + (producer or "") for key, producer in rec.name_keys(words)]


def _name_key_order(key: str) -> str:
    toks, producer = key.split("\x1f")
    return str((tuple(toks.split(" ")), producer or None))


def _sharing(
    records: dict[str, Record],
    keys_of: Callable[[Record], Iterable[str]],
    order: Callable[[str], str],
) -> list[tuple[str, list[str]]]:
    """The keys more than one record has, each with its records' IRIs sorted and with
    ``order(key)``, the string the keys are taken in order of. A key is one string, not a
    tuple of tokens: at a million records, each key's first record is held."""
    more = _repeated((key, rec.iri) for rec in records.values() for key in keys_of(rec))
    return [(order(key), sorted(iris)) for key, iris in more.items()]


def _repeated(pairs: Iterable[tuple[str, T]]) -> dict[str, list[T]]:
    """The keys of (key, value) pairs that come with more than one value (each value a
    distinct object), with their values in the order given. Only each key's first value is
    held for the keys that come once: at a Hub's scale, nearly all of them."""
    first: dict[str, T] = {}
    more: dict[str, list[T]] = {}
    for key, value in pairs:
        seen = first.setdefault(key, value)
        if seen is not value:
            more.setdefault(key, [seen]).append(value)
    return more


def _renamed_releases(clusters: Iterable[list[Record]]) -> dict[int, str]:
    """The releases not named as their best record (each cluster's first): where two
    releases would share a name but one names a Hub repository that says more (a record
    named 'DeepSeek-R1' linking DeepSeek-R1-0528), that one takes the repository's name, so
    that no two releases are told apart by id only. By ``id`` of the cluster."""
    shared = _repeated((" ".join(tokens(members[0].name)), members) for members in clusters)
    renamed = {}
    for same in shared.values():
        for members in same:
            repo = next((r for m in members for r in m.current_repos), None)
            if repo and tokens(repo.rsplit("/", 1)[-1]) != tokens(members[0].name):
                renamed[id(members)] = repo.rsplit("/", 1)[-1]
    return renamed


def _link_conflicts(records: dict[str, Record], models: dict[str, str], out: Conflicts) -> None:
    """Conflicts of the links not followed and of the names a source swapped."""
    refused = {repo for rec in records.values() for repo in rec.refused}
    owners: dict[str, list[Record]] = defaultdict(list)
    for rec in records.values():
        for repo in rec.repos & refused:
            owners[repo].append(rec)
    for rec in sorted(records.values(), key=lambda r: r.iri):
        model = models[rec.iri]
        for repo, why in sorted(rec.refused.items()):
            conflict = Conflict(model, OG + "huggingFaceRepo", f"{rec.source} record: {why}")
            conflict.claim(rec.iri, OG + "huggingFaceRepo", rec.spelled.get(repo, repo))
            conflict.claim(rec.iri, SCHEMA + "name", rec.name)
            for owner in sorted(owners.get(repo, []), key=lambda r: r.iri):
                conflict.about.add(models[owner.iri])
                conflict.claim(owner.iri, SCHEMA + "name", owner.name)
            out.add(conflict)
        if rec.stated_name:
            conflict = Conflict(
                model,
                SCHEMA + "name",
                f"{rec.source} record: the end-model name '{rec.stated_name}' and the base-model "
                f"name '{rec.name}' are swapped; the Hub link names '{rec.name}'",
            )
            conflict.claim(rec.iri, SCHEMA + "name", rec.stated_name)
            conflict.claim(rec.iri, OG + "baseModelName", rec.name)
            for repo in rec.current_repos:
                conflict.claim(rec.iri, OG + "huggingFaceRepo", repo)
            out.add(conflict)


def _name_conflicts(
    records: dict[str, Record],
    models: dict[str, str],
    apart: set[tuple[str, str]],
    out: Conflicts,
) -> None:
    """Conflicts of records that give one name (from one producer) to different Hub
    repositories: both are kept, as two releases, and the conflict names each record's name
    and link (a record named 'DeepSeek-R1' linking DeepSeek-R1-0528 beside one linking
    DeepSeek-R1)."""
    for a, b in sorted(apart):
        first, second = records[a], records[b]
        if models[a] == models[b]:
            continue
        conflict = Conflict(
            models[a],
            OG + "huggingFaceRepo",
            f"{first.source} record '{first.name}' and {second.source} record '{second.name}' "
            f"name one release but link different Hub repositories "
            f"({', '.join(first.current_repos)}; {', '.join(second.current_repos)}): "
            "kept as two releases",
        )
        conflict.about.add(models[b])
        for rec in (first, second):
            conflict.claim(rec.iri, SCHEMA + "name", rec.name)
            for repo in rec.current_repos:
                conflict.claim(rec.iri, OG + "huggingFaceRepo", repo)
        out.add(conflict)


def _base_key(base: str) -> tuple[str, ...]:
    """What a base-model name is looked up by among the releases' name keys."""
    return tuple(sorted(tokens(base.rsplit("/", 1)[-1])))


def _release_index(
    model_names: dict[str, list[Record]],
    words: dict[str, set[str]],
    wanted: set[tuple[str, ...]],
) -> dict[tuple[str, ...], set[str]]:
    """The releases of each name key that is ``wanted`` (those of all keys would take
    ~0.5 KB a release)."""
    index: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for model, members in model_names.items():
        for rec in members:
            for key, _ in rec.name_keys(words):
                if key in wanted:
                    index[key].add(model)
    return index


def _bases(
    records: dict[str, Record],
    models: dict[str, str],
    model_names: dict[str, list[Record]],
    words: dict[str, set[str]],
    out: Triples,
    outside: dict[str, set[str]],
) -> None:
    """A base-model name that names exactly one other release becomes a derivation link,
    unless curated as naming no model (:func:`not_model_names`). A
    Hub repository id with its namespace (the Hub's base_model) names the release that links
    that repository (its former ids included), else the release its repository name names;
    a bare name is never read as a Hub id ('GPT2' is an architecture, not the gpt2 repo).
    ``outside``: the models of records not given, by ``identity_keys`` lookup key."""
    bases = {base for rec in records.values() for base in rec.bases}
    index = _release_index(model_names, words, {_base_key(base) for base in bases})
    for key, found in outside.items():
        if key.startswith("name:"):
            index[tuple(key[5:].split(" "))] |= found
    named = {base.lower() for base in bases if "/" in base}
    repos = {
        r: model
        for model, members in model_names.items()
        for m in members
        for r in m.repos
        if r in named
    }
    for rec in records.values():
        for base in rec.bases:
            if base.strip().lower() in not_model_names():
                # Curated as no model's name even where a release is so called: the Model
                # Openness Tool gives 'GPT-3', a model of the graph, as an architecture.
                continue
            repo = repos.get(base.lower()) if "/" in base else None
            elsewhere = outside.get("repo:" + base.lower(), set()) if "/" in base else set()
            if repo is not None or elsewhere:
                # One repository is one release's; were it two (a source's records kept
                # apart), the first in IRI order, as a rebuild's last-written one can't be.
                candidates = {repo or min(elsewhere)} - {models[rec.iri]}
            else:
                candidates = index.get(_base_key(base), set()) - {models[rec.iri]}
            if len(candidates) == 1:
                target = next(iter(candidates))
                out.link(models[rec.iri], FAIR4ML + "fineTunedFrom", target)
                out.link(models[rec.iri], PROV + "wasDerivedFrom", target)
            elif not _names_itself(base, models[rec.iri], model_names, index):
                # The shapes decide what a base that names no single release means.
                out.add(rec.iri, OG + "unidentifiedBaseModelName", base)


# Words that make a release another model than the one its name extends: a fine-tune of it
# ('Llama-3.3-70B' for Llama-3.3-70B-Instruct). Without one, the longer name is a release of
# the shorter one's family ('OLMo' for OLMo-7B-Twin-2T-hf), and the base-model name the
# source gave is the family's, not a base model's.
_FINE_TUNE_WORDS = {
    "instruct", "inst", "chat", "it", "sft", "dpo", "rlhf", "rl", "reasoning", "think",
    "thinker", "distilled", "distill", "control", "tulu",
}  # fmt: skip


@cache
def not_model_names() -> frozenset[str]:
    """Base-model names sources give that name no model (an architecture, a licence, a
    family named as its own models' origin: data/sources/curated/base-model-names.yaml),
    lower-cased: no lineage is read from them."""
    path = sources_dir() / "curated" / "base-model-names.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(n.lower() for names in doc.values() for n in names)


def _names_itself(
    base: str,
    model: str,
    model_names: dict[str, list[Record]],
    index: dict[tuple[str, ...], set[str]],
) -> bool:
    """Whether a base-model name that names no other single release is no base at all: the
    release's own name or Hub repository, or its family's name ('OLMo' on OLMo-7B:
    ``_extends_as_family``).

    >>> names = {"m": [Record("r", "mof", "OLMo-7B-hf")]}
    >>> _names_itself("OLMo", "m", names, {}), _names_itself("OLMo-7B-Instruct", "m", names, {})
    (True, False)
    """
    key = _base_key(base)
    if model in index.get(key, set()):
        return True
    if "/" in base:
        # A Hub id names one repository, never a family: it is the release itself only
        # when the release links it ('FacebookAI/roberta-base' is deepset's base, not its family).
        return any(base.lower() in rec.repos for rec in model_names.get(model, []))
    ours = set(key)
    return bool(ours) and any(
        _extends_as_family(ours, set(tokens(rec.name))) for rec in model_names.get(model, [])
    )


def _extends_as_family(base: set[str], release: set[str]) -> bool:
    """Whether a release's name extends a base-model name as a member of its family does.
    A name that states a size ('OPT-30B', 'MusicGen-Melody-Large') names one release, which
    another extends only by versions and generic words ('Vicuna-13B-v1.5'); a word added
    makes it another model made from it ('OPT-IML-Max-30B'). A name without a size ('OLMo')
    is a family its releases extend by any word but a fine-tune word.

    >>> _extends_as_family({"olmo"}, {"olmo", "7b", "twin", "2t", "hf"})
    True
    >>> _extends_as_family({"opt", "30b"}, {"opt", "iml", "max", "30b"})
    False
    >>> _extends_as_family({"vicuna", "13b"}, {"vicuna", "13b", "v1", "5"})
    True
    """
    if not base <= release:
        return False
    added = release - base
    if added & _FINE_TUNE_WORDS:
        return False
    if not any(_SIZE.match(t) or t in _SIZE_WORDS for t in base):
        return True
    return all(not _is_word(t) or _VERSION.match(t) for t in added)


def _families(
    records: dict[str, Record],
    model_names: dict[str, list[Record]],
    words: dict[str, set[str]],
    out: Triples,
    by_records: list[tuple[str, str | None]],
    extra: list[tuple[str, str | None]],
) -> int:
    """Families named by records (the Index's systems, curated models: ``by_records``, in
    record IRI order), joined by every release whose name starts with the family name, from
    the same producer."""
    named: dict[tuple[str, ...], tuple[str, str | None]] = {}
    for name, producer in by_records:
        named.setdefault(tokens(name), (name, producer))
    for name, producer in sorted(extra, key=str):
        named.setdefault(tokens(name), (name, producer))
    family_iris: dict[tuple[str, ...], str] = {}
    for toks, (name, producer) in sorted(named.items()):
        iri = mint("family", name)
        family_iris[toks] = iri
        out.types(iri, OG + "ModelFamily")
        out.add(iri, SCHEMA + "name", name)
        out.link(iri, OG + "producer", producer)
    for rec in records.values():
        if rec.family and rec.source == "osai-index":  # the Index rates the system
            out.link(family_iris[tokens(rec.family)], OG + "hasRecord", rec.iri)
    # By first token: a name is of a family only if it starts with the family's name, and
    # a Hub's million releases are each compared with a few families, not with all.
    by_first: dict[str, list[tuple[int, tuple[str, ...], str | None]]] = defaultdict(list)
    for at, (fam, (_, producer)) in enumerate(named.items()):
        by_first[fam[0] if fam else ""].append((at, fam, producer))
    for model, members in model_names.items():
        best: tuple[str, ...] | None = None
        for rec in members:
            names = [tokens(rec.name)]
            if rec.family:
                names.append(tokens(rec.family))
            for toks in names:
                variants = [toks]
                if len(toks) > 1 and toks[0] in words.get(rec.producer or "", set()):
                    variants.append(toks[1:])
                for variant in variants:
                    start = by_first.get(variant[0], []) if variant else []
                    for _, fam, producer in sorted(start + by_first.get("", [])):
                        if (
                            variant[: len(fam)] == fam
                            and not _other_version(fam, variant)
                            and (
                                producer is None or rec.producer is None or producer == rec.producer
                            )
                            and (best is None or len(fam) > len(best))
                        ):
                            best = fam
        if best is not None:
            out.link(model, OG + "family", family_iris[best])
    return len(family_iris)


def _other_version(family: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Whether ``name`` continues the version number that ends ``family``'s name: Llama 3.2
    is not of the Llama 3 family (its tokens go on with '2'), Llama-3-8B is.

    >>> _other_version(("llama", "3"), ("llama", "3", "2", "1b"))
    True
    >>> _other_version(("llama", "3"), ("llama", "3", "8b"))
    False
    """
    following = name[len(family) : len(family) + 1]
    return bool(family and following and family[-1].isdigit() and following[0].isdigit())


def verdict_subjects(store: GraphStore, out: Triples, models: Sequence[str] | None = None) -> None:
    """Point published verdicts about a model or family at its entity (only at ``models``,
    when given)."""
    if models is not None:
        for at in range(0, len(models), 500):
            chosen = f"VALUES ?entity {{ {iri_values(models[at : at + 500])} }}"
            _verdict_subjects(store, out, f"{{ {chosen} ?entity schema:name ?n . }}")
        return
    families = "{ ?v og:familyName ?n . ?entity a og:ModelFamily ; schema:name ?n } UNION"
    _verdict_subjects(store, out, families)


def _verdict_subjects(store: GraphStore, out: Triples, families: str) -> None:
    rows = store.query(
        f"""SELECT ?v ?entity WHERE {{
             ?v a og:PublishedVerdict .
             {families}
             {{ ?v schema:name ?n . ?entity a og:Model ; schema:name ?n }}
             OPTIONAL {{ ?v og:producer ?p }}
             OPTIONAL {{ ?entity og:producer ?q }}
             FILTER (!BOUND(?p) || !BOUND(?q) || ?p = ?q)
           }}""",
        default_graphs=[Graphs.source("curated"), Graphs.IDENTITY],
    ).rows()
    for row in rows:
        out.link(row["v"].value, EARL + "subject", row["entity"].value)


def published_families(store: GraphStore) -> list[tuple[str, str | None]]:
    """The (name, producer) of the families published verdicts are about."""
    rows = store.query(
        """SELECT DISTINCT ?name ?producer WHERE {
             ?v a og:PublishedVerdict ; og:familyName ?name . OPTIONAL { ?v og:producer ?producer }
           }"""
    ).rows()
    return [(r["name"].value, r["producer"].value if "producer" in r else None) for r in rows]


def read_issued(
    store: GraphStore, records: Sequence[str] | None = None, models: Sequence[str] | None = None
) -> Issued:
    """The model IRIs the identity graph issued (:class:`Issued`); with ``records`` and
    ``models``, only those that denoted one of ``records`` and the former Hub ids' IRIs
    retired to one of ``models`` or of those."""
    issued = Issued(
        producer=partial(_producer, store),
        repos=partial(_repos, store),
        published=unissued_published(store),
    )
    for iri, record in _solutions(store, records, "?iri a og:Model ; og:hasRecord ?v"):
        issued.denoted.setdefault(iri.value, []).append(record.value)
        issued.models.add(iri.value)
    for iri, record in _solutions(store, records, "?iri og:formerRecord ?v"):
        issued.denoted.setdefault(iri.value, []).append(record.value)
    # Those pointing at a model withdrawn too (kept while it is).
    targets = None if models is None else sorted({*models, *issued.denoted})
    alias = "?iri og:supersededBy ?v FILTER NOT EXISTS { ?iri og:formerRecord ?any }"
    issued.aliases = {iri.value: v.value for iri, v in _solutions(store, targets, alias)}
    return issued


def _producer(store: GraphStore, model: str) -> str | None:
    """The producer the identity graph gives ``model`` (the least, were there several)."""
    rows = store.query(
        f"SELECT (MIN(STR(?p)) AS ?p) WHERE {{ <{model}> og:producer ?p }}",
        default_graphs=[Graphs.IDENTITY],
    ).rows()
    return rows[0]["p"].value if rows and "p" in rows[0] else None


def _repos(store: GraphStore, models: list[str]) -> dict[str, set[str]]:
    """The Hub repositories the identity graph gives each of ``models`` (og:huggingFaceRepo)."""
    out: dict[str, set[str]] = defaultdict(set)
    for repo, model in _solutions(store, models, "?v a og:Model ; og:huggingFaceRepo ?iri"):
        out[model.value].add(repo.value)
    return out


def _solutions(
    store: GraphStore, values: Sequence[str] | None, pattern: str
) -> Iterator[tuple[ox.NamedNode | ox.Literal, ox.NamedNode]]:
    """(?iri, ?v) of the identity graph's solutions of ``pattern``, ?v one of ``values``
    when given (asked 500 at a time). Solution by solution: at a million Hub records, rows
    would be a dictionary each."""
    chosen = (
        [None] if values is None else [values[at : at + 500] for at in range(0, len(values), 500)]
    )
    for some in chosen:
        bound = f"VALUES ?v {{ {iri_values(some)} }}" if some is not None else ""
        query = f"SELECT ?iri ?v WHERE {{ {bound} {pattern} }}"
        yield from store.query(query, default_graphs=[Graphs.IDENTITY])


def identity_behind(graph: str) -> Triples:
    """The mark that the identity graph is behind the source graph ``graph`` (written since
    the identity was last computed), for the provenance graph, in the source's own write:
    the identity is computed in other writes after it, and a run killed between them left
    it naming the records the source had dropped until the next ingest."""
    out = Triples()
    out.link(Graphs.IDENTITY, OG + "identityBehind", graph)
    return out


# The marks, removed in the identity's last write (the links and the conflicts are two).
_BEHIND = f"GRAPH <{Graphs.PROVENANCE}> {{ <{Graphs.IDENTITY}> <{OG}identityBehind> ?g }}"


def is_behind(store: GraphStore) -> bool:
    """Whether a source was written since the identity graph was last computed."""
    return bool(store.query(f"ASK {{ {_BEHIND} }}"))


def identity_current(store: GraphStore) -> IngestReport | None:
    """Compute the identity graph again if a source was written since it was last computed
    (:func:`identity_behind`): its report, or None when it was current."""
    return rebuild_identity(store) if is_behind(store) else None


def linked_by(started: dt.datetime, read: Sequence[str]) -> tuple[Triples, list[str]]:
    """The provenance of the identity graph, for its last write: linked by an
    og:IdentityRun from ``started`` to now, reading ``read`` (see :func:`computed`), which
    also wrote the entailed graph (each write of the identities keeps it)."""
    return computed(
        Graphs.IDENTITY, OG + "IdentityRun", started, read, "identity", also=[Graphs.ENTAILED]
    )


def rebuild_identity(
    store: GraphStore,
    orgs: OrganizationIndex | None = None,
    releases: Callable[[str], str | None] | None = None,
) -> IngestReport:
    """Recompute the identity graph from every source record in the store (the records
    ``releases`` names a model for grouped into that model, see :func:`link`), their
    producers known by ``orgs`` (by default the organizations the store holds)."""
    started = dt.datetime.now(dt.UTC)
    report = IngestReport("identity")
    records = read_records(store)
    report.read = len(records)
    out = SpooledTriples()  # on disk: at a million Hub models, ~10 million triples
    families = published_families(store)
    conflicts = Conflicts()
    # Records grouped as ``releases`` says are named by it (a dated state's, as today's).
    issued = read_issued(store) if releases is None else None
    try:
        linked = link(
            records,
            orgs or held_organizations(store),
            out,
            families,
            conflicts,
            None,
            releases,
            issued,
        )
        named = {} if issued is None else _published(store, linked, issued, out)
        days = tombstones(store, linked.withdrawn, started, out, named)
        if issued is not None:  # the records linked before, or kept as gone, no source has
            linked_before = {r for denoted in issued.denoted.values() for r in denoted}
            gone = (linked_before | set(withdrawn_records(store))) - records.keys()
            went = gone_with(linked.withdrawn, days)
            record_tombstones(store, sorted(gone | went.keys()), started, out, went)
        report.counts = linked.counts
        report.ingested = len(records)
        del records  # not needed to write: at 100 000 models, memory the write can use
        # Recomputed whole, written as what changed.
        store.update_graph(Graphs.IDENTITY, out.sorted())
    finally:
        out.close()
    sources = [g for g in store.graph_names() if g.startswith(Graphs.source(""))]
    graphs = [Graphs.IDENTITY, *sources, Graphs.ONTOLOGY]
    for found in (claims_conflicts(store, graphs), weights_link_conflicts(store, graphs)):
        for conflict in found.items:
            conflicts.add(conflict)
    extra = Triples()
    verdict_subjects(store, extra)
    report.counts["source conflicts"] = conflicts.write(extra)
    made, before = linked_by(started, graphs[1:])
    gone, entailed = entailment(store)
    store.write(
        remove={Graphs.ENTAILED: gone},
        add={Graphs.IDENTITY: extra, Graphs.PROVENANCE: made, Graphs.ENTAILED: entailed},
        before=before,
        after=[f"DELETE WHERE {{ {_BEHIND} }}"],
    )
    return report
