"""Croissant JSON-LD dataset descriptions (``*.json``), as the Hugging Face Hub serves them.

Relative ``@id``s are resolved against the URL the description was published at, as JSON-LD
resolves them against a document's URL, where the folder's ``origins.yaml`` lists it (the
bundled files: mlcommons/croissant's, at a commit; a user's: the Hub's
``/api/datasets/<id>/croissant``, say), so a file set or field is the node of that name in
the published document; a description not listed has a base of its own, under its record's
IRI. Two descriptions never collide. schema.org is kept on ``https://``; the Hub's RAI-like
keys under ``cr:`` are repeated under ``rai:``. Each description is linked
(``foaf:primaryTopic``) to the dataset it describes, with its licence resolved, and
(``prov:wasDerivedFrom``) to the document it was published as, where that is known; each
node that document names under its URL (a file set, a record set, a field) is
``rdfs:isDefinedBy`` it, as the shapes graph's nodes are by their shapes document, which is
how a reader (the server's description of the resource) tells them from the other IRIs
outside our namespace the description links to.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox

from openness.ingest.rdf import Triples
from openness.ingest.records import IngestContext, add_dataset, add_license
from openness.ingest.report import Fields, IngestReport, RecordError, RecordIds, yaml_entries
from openness.namespaces import CR, DCAT, FOAF, OG, PROV, RAI, RDFS, SCHEMA, mint, url_folder

NAME = "croissant"
ORIGINS = "origins.yaml"
ORIGIN_FIELDS = ("file", "url")
_HTTP_SCHEMA = "http://schema.org/"
_CHOOSEALICENSE = re.compile(r"^https?://choosealicense\.com/licenses/([^/]+)/?$")
# Keys the Hub writes under cr: that Croissant RAI defines under rai:.
RAI_ALIASES = ("dataBiases", "dataCollection", "personalSensitiveInformation")


Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _https(term: Term) -> Term:
    if isinstance(term, ox.NamedNode) and term.value.startswith(_HTTP_SCHEMA):
        return ox.NamedNode("https://schema.org/" + term.value[len(_HTTP_SCHEMA) :])
    return term


def load_origins(folder: Path, report: IngestReport) -> dict[str, str]:
    """The URL each description in ``folder`` was published at, by file name, as the
    folder's ``origins.yaml`` lists them (none without one). An entry that is no mapping,
    has a field we do not know, lacks the file or a URL, or names a file another entry named
    first, or a URL whose relative ids resolve where another's do, is left out, named in
    ``report``: its description keeps a base of its own. An entry may name a file the folder
    lacks (a copy holding some of the files)."""
    path = folder / ORIGINS
    origins: dict[str, str] = {}
    ids = RecordIds()
    for i, entry in enumerate(yaml_entries(path)):
        fields = Fields(report, path.name, f"#{i}")
        where = f"{path.name} #{i}"
        try:
            keys = fields.of(fields.entry(entry, ORIGIN_FIELDS, named_by="file"))
            name, url = keys.required("file"), _base(keys.url("url", required=True), fields)
            ids.claim(name, where, record=name)
            # Two descriptions whose relative ids resolve under one folder (one URL twice, or
            # two documents published side by side) would name one node each 'repo',
            # 'parquet-files' …, and describe it twice as one.
            ids.claim(_folder(url, fields), where, record=name)
        except RecordError as e:
            report.skip(e)
            continue
        origins[name] = url
    return origins


def _folder(url: str, fields: Fields) -> str:
    """Where the relative ids of the description published at ``url`` resolve: a URL with no
    authority (a URN) has none of its own, and would resolve them where every other such
    URL does (``urn:x:a``'s 'repo' is ``urn:repo``, as ``urn:x:b``'s)."""
    folder = url_folder(url)
    if folder is None:
        raise RecordError(
            fields.file,
            f"{url!r} is no URL with a folder its relative ids would resolve under",
            record=fields.record,
            field="url",
        )
    return folder


def _base(url: str | None, fields: Fields) -> str:
    """``url`` (required, so not None) where the JSON-LD parser takes it as a base IRI."""
    try:
        return ox.NamedNode(url or "").value
    except ValueError as e:
        raise RecordError(fields.file, f"not an IRI: {e}", record=fields.record, field="url") from e


def _description(
    path: Path,
    out: Triples,
    report: IngestReport,
    ctx: IngestContext,
    ids: RecordIds,
    origin: str | None,
) -> None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise RecordError(path.name, f"malformed JSON: {e}") from e
    if not isinstance(doc, dict):
        raise RecordError(path.name, "not a JSON-LD object")
    node = mint("croissant", path.stem)
    ids.claim(node, path.name)
    doc = {**doc, "@id": node}
    base = origin or node + "/"
    try:
        triples = [
            q.triple
            for q in ox.parse(json.dumps(doc).encode(), ox.RdfFormat.JSON_LD, base_iri=base)
        ]
    except SyntaxError as e:
        raise RecordError(path.name, f"not valid JSON-LD: {e}") from e
    for t in triples:
        out.extend([ox.Triple(t.subject, _https(t.predicate), _https(t.object))])
        if t.predicate.value in {CR + k for k in RAI_ALIASES}:
            out.extend(
                [ox.Triple(t.subject, ox.NamedNode(RAI + t.predicate.value[len(CR) :]), t.object)]
            )
    fields = Fields(report, path.name)
    keys = fields.of(doc)
    distribution = doc.get("distribution")
    # JSON-LD writes one value as itself, several as a list.
    items = distribution if isinstance(distribution, list) else [distribution]
    urls = [
        fields.of(item, f"distribution[{i}]").text("contentUrl")
        for i, item in enumerate(items)
        if isinstance(item, dict)
    ]
    stated, files = _dataset_repo(keys.text("url")), _files_repo(urls)
    copied = bool(
        stated
        and files
        and ctx.renames.current("dataset", stated).lower()
        != ctx.renames.current("dataset", files).lower()
    )
    if copied:
        # The files are what is described; a url (and the name, text and licence beside
        # it) that names another dataset was copied from that one's description
        # (prism-alignment's says MNIST, licensed as MNIST is), and following it would make
        # two datasets one.
        fields.wrong(
            "url",
            f"the url names the Hub dataset {stated} but the files come from {files}: "
            f"described as {files}, without the name and licence given beside that url",
        )
    repo = files or stated
    if repo:
        dataset = add_dataset(out, repo, ctx.renames)
    else:
        dataset = mint("dataset", "croissant", path.stem)
        out.types(dataset, DCAT + "Dataset", SCHEMA + "Dataset")
    out.link(node, FOAF + "primaryTopic", dataset)
    out.add(node, OG + "sourceFile", path.name)
    if origin:  # the document its nodes are named against, for a reader to fetch
        out.link(node, PROV + "wasDerivedFrom", origin)
        # The document's own nodes are those named under its folder (load_origins keeps only
        # URLs with one): an absolute @id elsewhere (a Hub page's) is not defined by it.
        folder = url_folder(origin)
        for s in dict.fromkeys(t.subject for t in triples):
            if isinstance(s, ox.NamedNode) and folder and s.value.startswith(folder):
                out.link(s, RDFS + "isDefinedBy", origin)
    if copied:
        return
    out.add(dataset, SCHEMA + "name", keys.text("name"))
    text = keys.text("license")
    if text and text.strip():
        match = _CHOOSEALICENSE.match(text.strip())
        add_license(
            out,
            dataset,
            text,
            ctx.resolver,
            source=NAME,
            resolve_as=match.group(1) if match else None,
            warn=lambda m: fields.wrong("license", m),
        )


def _dataset_repo(url: str | None) -> str | None:
    """The Hub dataset id in a dataset URL (``…/datasets/owner/name`` or ``…/datasets/name``)."""
    if not url:
        return None
    match = re.match(r"^https?://huggingface\.co/datasets/(.+?)/?$", url.strip())
    return match.group(1) if match else None


def _files_repo(urls: list[str | None]) -> str | None:
    """The Hub dataset the description's files come from (its FileObjects' ``contentUrl``
    on the Hub), when they all come from one; None otherwise.

    >>> _files_repo(["https://huggingface.co/datasets/rajpurkar/squad/tree/refs%2Fconvert%2Fparquet"])
    'rajpurkar/squad'
    >>> _files_repo(["https://huggingface.co/datasets/mnist", None])
    'mnist'
    """
    repos = set()
    for url in urls:
        match = re.match(r"^https?://huggingface\.co/datasets/([^/?#]+)(?:/([^/?#]+))?", url or "")
        if match:
            owner, name = match.groups()
            # A one-part id (the Hub's legacy root datasets) is followed by tree/, resolve/...
            plain = name is None or name in ("tree", "resolve", "blob", "raw")
            repos.add(owner if plain else f"{owner}/{name}")
    return repos.pop() if len(repos) == 1 else None


def ingest(folder: Path, out: Triples, report: IngestReport, ctx: IngestContext) -> None:
    files = sorted(folder.glob("*.json"))
    origins = load_origins(folder, report)
    ids = RecordIds()
    for path in ctx.progress(files, len(files), "Croissant"):
        report.read += 1
        try:
            _description(path, out, report, ctx, ids, origins.get(path.name))
            report.ingested += 1
        except RecordError as e:
            report.skip(e)
