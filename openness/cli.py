"""The ``openness`` command: one function per command, each a thin wrapper over a plain one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import math
import multiprocessing
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import click
import pyoxigraph as ox
from click.core import ParameterSource

from openness import __version__
from openness.assess.definitions import DefinitionError, definitions, worded_reason
from openness.assess.program import RuleError
from openness.assess.report import (
    SYMBOL,
    as_csv,
    as_json,
    as_markdown,
    by_outcome,
    open_washing,
    published_vs_computed,
    score_text,
    verdict_rows,
)
from openness.assess.service import (
    FEW_MODELS,
    model_options,
    resolve_model,
    resolve_models,
    run_assessment,
)
from openness.assess.store import stopped_runs
from openness.assess.validate import (
    BYTES_A_TRIPLE,
    INPUT_FORMATS,
    TooLarge,
    UnknownFormat,
    UnreadableInput,
    memory_needed,
    validate_description,
)
from openness.history import VERDICT_HISTORY, build_verdict_history, dated_anew
from openness.ingest.identity import identity_current, is_behind
from openness.ingest.records import IngestContext, source_version
from openness.ingest.report import IngestReport, RecordError
from openness.ingest.runner import SOURCES as SOURCE_NAMES
from openness.ingest.runner import StrictFailure, ingest_all, tqdm_progress
from openness.ingest.snapshots import (
    HISTORY_SOURCES,
    Snapshot,
    dating,
    ingest_history,
    ingest_snapshot,
    link_snapshot_records,
)
from openness.named_queries import NamedQuery, QueryFileError, first_column, load, run_named
from openness.namespaces import PREFIXES, Graphs
from openness.resources import ProjectNotFound, queries_dir
from openness.stats import HEADLINES, collect_stats, held_words
from openness.store import (
    GRAPH_FORMATS,
    IN_MEMORY,
    RESULT_FORMATS,
    UPDATE_TIMEOUT,
    EmbeddedStore,
    GraphStore,
    StoreError,
    default_location,
    holders,
    open_store,
)
from openness.store import dump as dumps
from openness.store.compaction import compacted_when_grown
from openness.store.errors import Refused, Unanswerable
from openness.store.sparql_text import refusal
from openness.turtle import turtle
from openness.vocabularies import (
    ensure_vocabularies,
    load_vocabularies,
    shapes_behind,
    shapes_current,
)


def _echo(message: str) -> None:
    """Tell the user what a command is doing (on stderr: stdout holds its answer)."""
    click.echo(message, err=True)


class StoreOptions:
    """The store options of the command group, opened lazily by the command that needs it."""

    def __init__(
        self,
        location: str | None,
        endpoint: str | None,
        update: str | None,
        gsp: str | None,
        timeout: float = 60.0,
        update_timeout: float = UPDATE_TIMEOUT,
    ) -> None:
        self.location, self.endpoint, self.update, self.gsp = location, endpoint, update, gsp
        self.timeout, self.update_timeout = timeout, update_timeout
        self.beside_server = False  # --force: write while a server serves the store

    def open(
        self, *, read_only: bool = False, creates: bool = False, held: bool = False
    ) -> GraphStore:
        """The store; unless the command ``creates`` one, it must exist. A store on disk is
        held while it is open (openness.store.holders), unless this process ``held`` it
        already: by a command that writes alone, refused while a server or another command
        holds it; by one that reads beside servers and other readers, refused while a
        command writes it."""
        if not creates:
            self.require_built()
        holder = None
        if not held and self.folder() is not None:
            command = click.get_current_context().info_name
            holder = f"`openness {command}` (pid {os.getpid()})"
        try:
            return self._open(read_only, holder)
        except holders.StoreBusy as e:
            if not e.served:
                raise
            if not self.beside_server:
                raise holders.StoreBusy(
                    f"{e} (or give --force to write while it serves: it goes on serving the "
                    "store as it was, which Oxigraph leaves undefined while another process "
                    "writes it)",
                    served=True,
                ) from e
            _echo(f"warning: {e}; writing all the same (--force)")
            return self._open(read_only, None)

    def _open(self, read_only: bool, holder: str | None) -> GraphStore:
        return open_store(
            self.location,
            endpoint=self.endpoint,
            update_endpoint=self.update,
            store_endpoint=self.gsp,
            read_only=read_only,
            holder=holder,
            timeout=self.timeout,
            update_timeout=self.update_timeout,
        )

    def folder(self) -> Path | None:
        """The folder of the embedded store on disk; None for a remote engine or memory."""
        if self.endpoint or self.location == IN_MEMORY:
            return None
        return Path(self.location) if self.location else default_location()

    def no_file(self) -> None:
        """Stop when the store named is a file: no store is one (read as a folder, it
        ended in a traceback)."""
        where = self.folder()
        if where is not None and where.exists() and not where.is_dir():
            raise click.ClickException(f"{where} is no folder: --store names a store's folder")

    def require_built(self) -> None:
        """Stop when the store named (or the default one) does not exist: a command that
        reads it would create an empty store and report an empty graph, or fail on
        RocksDB's own error, read only; and nothing is held (or written) in a folder that
        holds no store."""
        where = self.folder()
        if where is None:
            return
        self.no_file()
        if not _is_store(where):
            hint = "" if self.location else ", or name one with --store DIR or OPENNESS_STORE"
            raise click.ClickException(
                f"no store at {where}: build it with 'openness build' ('make build' in the "
                f"checkout){hint}"
            )


def _is_store(folder: Path) -> bool:
    """Whether ``folder`` holds a store: RocksDB's ``CURRENT`` (the name of the store's
    manifest), which it writes when it makes the store and which no store is without. A
    folder holding other files (or only the lock and names a holder left) holds none."""
    return (folder / "CURRENT").is_file()


def _beside_server(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    opts = ctx.find_object(StoreOptions)  # the group's, made before a command's options
    if opts is not None:
        opts.beside_server = value


# --force, for the commands that write the graph (see StoreOptions.open).
force_option = click.option(
    "--force",
    "beside_server",
    is_flag=True,
    expose_value=False,
    callback=_beside_server,
    help="Write even while `openness serve` serves the store: it goes on serving the store as "
    "it was when it started, until started again.",
)


pass_store = click.make_pass_decorator(StoreOptions)


class _Commands(click.Group):
    """The commands, with a store that cannot be reached or did not answer in time, a
    bundled file that cannot be read (the snapshots' manifest), a shapes file that
    declares a definition wrongly or no ontology/ folder found (a broken install), said in
    one line (``Error: ...``, exit 1), as other errors are, not as a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (StoreError, RecordError, DefinitionError, ProjectNotFound) as e:
            raise click.ClickException(str(e)) from e
        except TimeoutError as e:
            raise click.ClickException(
                f"{e} (give a remote engine longer with --remote-timeout, or "
                "--remote-update-timeout for updates)"
            ) from e


class Seconds(click.FloatRange):
    """A number of seconds from ``minimum`` to a week: a timer or deadline set from
    ``inf``, ``nan`` or a number past what a timer takes (1e300) failed with a traceback,
    as the server started or, worse, as it stopped; a week is past any wait one means."""

    name = "seconds"

    def __init__(self, minimum: float) -> None:
        super().__init__(minimum, 7 * 24 * 3600)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):  # (it compares false with the range's ends, so passed it)
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="openness")
@click.option(
    "--store",
    "location",
    envvar="OPENNESS_STORE",
    metavar="DIR",
    help="Directory of the embedded store [env OPENNESS_STORE; default var/store in the "
    "project's folder, the checkout or OPENNESS_HOME; installed from a wheel, "
    "$XDG_DATA_HOME/openness-graph/store, ~/.local/share/openness-graph/store by default].",
)
@click.option(
    "--endpoint",
    envvar="OPENNESS_ENDPOINT",
    metavar="URL",
    help="Use a remote SPARQL 1.1 engine: its query endpoint (it wins over --store; named "
    "by the environment, over OPENNESS_STORE only) [env OPENNESS_ENDPOINT].",
)
@click.option(
    "--update-endpoint",
    envvar="OPENNESS_UPDATE_ENDPOINT",
    metavar="URL",
    help="Its update endpoint [env OPENNESS_UPDATE_ENDPOINT; default: sibling 'update' of "
    "--endpoint].",
)
@click.option(
    "--store-endpoint",
    envvar="OPENNESS_STORE_ENDPOINT",
    metavar="URL",
    help="Its Graph Store Protocol endpoint [env OPENNESS_STORE_ENDPOINT; default: sibling "
    "'store'].",
)
@click.option(
    "--remote-timeout",
    type=Seconds(0.1),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="How long one query to the remote engine may take (a whole-graph rule can be slow).",
)
@click.option(
    "--remote-update-timeout",
    type=Seconds(0.1),
    default=UPDATE_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for one update of the remote engine: the SPARQL Protocol cannot "
    "cancel an update, so one abandoned may still be applied.",
)
@click.option(
    "--shapes",
    "own_shapes",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, resolve_path=True),
    envvar="OPENNESS_SHAPES",
    metavar="DIR",
    help="A folder of shapes files of your own (repeatable): its definitions are read beside "
    "the bundled ones, by every command and the server [env OPENNESS_SHAPES, folders "
    "separated as in PATH].",
)
@click.pass_context
def cli(
    ctx: click.Context,
    location: str | None,
    endpoint: str | None,
    update_endpoint: str | None,
    store_endpoint: str | None,
    remote_timeout: float,
    remote_update_timeout: float,
    own_shapes: tuple[str, ...],
) -> None:
    """Openness Graph: is this AI model open — by which definition, and why not?"""
    # Through the environment, which the server's workers, its query processes and the
    # assessment's worker inherit: each reads the definitions itself.
    if own_shapes:
        os.environ["OPENNESS_SHAPES"] = os.pathsep.join(own_shapes)
    else:
        os.environ.pop("OPENNESS_SHAPES", None)
    # The command line before the environment: a store given by --store is not overridden
    # by an engine named only in OPENNESS_ENDPOINT (an engine given by --endpoint wins).
    from_command_line = ctx.get_parameter_source("location") is ParameterSource.COMMANDLINE
    if from_command_line and ctx.get_parameter_source("endpoint") is ParameterSource.ENVIRONMENT:
        endpoint = update_endpoint = store_endpoint = None
    ctx.obj = StoreOptions(
        location, endpoint, update_endpoint, store_endpoint, remote_timeout, remote_update_timeout
    )


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_store
def stats(opts: StoreOptions, fmt: str) -> None:
    """Triples per named graph and counts of models, datasets, organizations, licences,
    computed verdicts (one a model and definition) and published ones."""
    store = opts.open(read_only=True)
    try:
        numbers = collect_stats(store)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(numbers, indent=2, sort_keys=True))
        return
    click.echo(f"{'triples':<20}{numbers['triples']}")
    for key, label in HEADLINES.items():
        click.echo(f"{label:<20}{numbers[key]}")
    for source, held in numbers["holds"].items():
        click.echo(f"source {source:<13}{held_words(held)}")
    click.echo("named graphs:")
    for graph, n in sorted(numbers["graphs"].items()):
        click.echo(f"  {n:>9}  {graph}")


@cli.command()
@click.argument("query_or_file")
@click.option(
    "--format",
    "fmt",
    default="csv",
    show_default=True,
    type=click.Choice(["csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]),
    help="Results format (SELECT/ASK) or RDF format (CONSTRUCT/DESCRIBE).",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter of a query file (?_NAME required, ?__NAME optional), "
    "as /queries/<name>?NAME=VALUE does; repeatable.",
)
@pass_store
def query(opts: StoreOptions, query_or_file: str, fmt: str, params: tuple[str, ...]) -> None:
    """Run a SPARQL query given inline, as a file path or by the name of a named query
    (models-passing for queries/models-passing.rq, as /queries/<name>); our usual prefixes
    are declared.

    A query that does not parse, calls a function the engine does not have, or that a
    remote engine refuses (answers an error), exits with status 2 and the engine's message.
    """
    path = Path(query_or_file)
    # A name as /queries/<name> gives it (read as SPARQL, 'expected CONSTRUCT'), wherever
    # the command runs from; a file of that name here comes first.
    a_name = re.fullmatch(r"[A-Za-z0-9][\w-]*", query_or_file) is not None
    if a_name and not path.exists():
        catalogued = queries_dir() / f"{query_or_file}.rq"
        path = catalogued if catalogued.is_file() else path
    named: NamedQuery | None = None
    given: dict[str, str] = {}
    if path.suffix in {".rq", ".sparql"} or (len(query_or_file) < 256 and path.is_file()):
        named, given = _query_file(path, params)
    elif params:
        raise click.UsageError(
            "--param binds the parameters of a query file or a named query, not of inline text"
        )
    store = opts.open(read_only=True)
    text = query_or_file
    try:
        if named:  # a file answers as the server answers a named query
            text = _bound(named, given, store)
            result = named.answer(store, text)
        else:
            result = store.query(text)
        target = RESULT_FORMATS if result.kind != "graph" else GRAPH_FORMATS
        if fmt not in target:
            wanted = "an RDF format" if result.kind == "graph" else "a results format"
            raise click.UsageError(
                f"a {result.kind} result needs {wanted}: {', '.join(sorted(target))}"
            )
        sys.stdout.buffer.write(result.serialize(target[fmt]))
    except SyntaxError as e:
        known = f"; {query_or_file!r} is no named query ({queries_dir()})" if a_name else ""
        _echo(f"error: {refusal(text, e)}{known}")
        sys.exit(2)
    except (Unanswerable, Refused) as e:
        if isinstance(e, Refused) and not e.final:
            raise  # the store failing, not the query: said as any command says it
        _echo(f"error: {refusal(text, e)}")
        sys.exit(2)
    finally:
        store.close()


def _query_file(path: Path, params: tuple[str, ...]) -> tuple[NamedQuery, dict[str, str]]:
    """A query file and the ``--param`` values, each the name of one of its parameters and
    every required one given or defaulted (no store is needed to tell; their values are
    checked as they are bound: :func:`_bound`)."""
    try:
        named = load(path, catalogued=False)
    except OSError as e:
        raise click.ClickException(f"cannot read {path}: {e.strerror}") from e
    except QueryFileError as e:
        raise click.ClickException(str(e)) from e
    given = {}
    for param in params:
        name, sep, value = param.partition("=")
        if not sep:
            raise click.UsageError(f"--param {param!r}: write it as NAME=VALUE")
        if name in given:  # (the last was taken, where /queries/<name> took the first)
            raise click.UsageError(f"{path.name} takes one value of {name}, not several")
        given[name] = value
    known = [p.name for p in named.parameters]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise click.UsageError(
            f"{path.name} has no parameter {', '.join(unknown)}; "
            f"its parameters: {', '.join(known) or 'none'}"
        )
    try:
        named.require(given)
    except KeyError as e:
        raise click.UsageError(f"{e.args[0]}: give it with --param NAME=VALUE") from e
    return named, given


def _bound(named: NamedQuery, given: dict[str, str], store: GraphStore) -> str:
    """The text of ``named`` with the ``--param`` values ``given`` bound, checked as
    /queries/<name> checks them (:meth:`NamedQuery.sparql`): a malformed value or one
    outside an enumerated parameter's values (which ran the query, answering nothing) is
    refused (a required one missing was, before the store was opened: :func:`_query_file`)."""
    try:
        return named.sparql(given, named.enumerations(partial(first_column, store)))
    except ValueError as e:
        raise click.UsageError(f"{named.path.name}: bad parameter value: {e}") from e


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["nq", "trig"]), default="nq", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@pass_store
def export(opts: StoreOptions, fmt: str, output: Path | None) -> None:
    """Export the whole dataset with its named graphs."""
    store = opts.open(read_only=True)
    try:
        # Written as read, never held whole; a file only once whole (and standard output
        # given nothing) — an export failing half-way leaves no file that looks complete.
        if output and output.exists() and not output.is_file():
            # /dev/stdout, a pipe (`-o >(gzip > x.gz)`): nothing to rename into place
            with output.open("wb") as f:
                store.export_into(f, GRAPH_FORMATS[fmt])
        elif output:  # through a symbolic link, its file: the link stays
            with dumps.written_whole(output.resolve()) as f:
                store.export_into(f, GRAPH_FORMATS[fmt])
        else:
            with tempfile.TemporaryFile(prefix="openness-export-") as spool:
                store.export_into(spool, GRAPH_FORMATS[fmt])
                spool.seek(0)
                shutil.copyfileobj(spool, sys.stdout.buffer)
    finally:
        store.close()


@cli.command()
@force_option
@pass_store
def dump(opts: StoreOptions) -> None:
    """Write the whole dataset, every named graph, as gzipped N-Quads beside the store,
    where `openness serve` offers it (/dump/openness.nq.gz) and its DCAT catalogue
    describes it (/catalog). Build writes it, and the commands that write the graph keep
    a store's dump current."""
    store = opts.open()
    try:
        if not _on_disk(store):
            raise click.ClickException(
                "a remote engine's data are dumped by the engine (or `openness export`): "
                "only a store on disk keeps a dump beside it"
            )
        _write_dump(store)
    finally:
        store.close()


def _on_disk(store: GraphStore) -> bool:
    return isinstance(store, EmbeddedStore) and store.path is not None


def _write_dump(store: EmbeddedStore) -> None:
    written = dumps.write(store)
    _echo(
        f"the whole dataset: {written.quads} quads in {written.graphs} named graphs, "
        f"{written.size} bytes gzipped, in {written.path}"
    )


def _dump_kept(store: GraphStore) -> None:
    """After a command that may have written the graph: the dump beside a store that
    keeps one written again when its writes made it outdated — not when it wrote nothing
    (an assessment with no model to judge), which would rewrite the whole dataset."""
    if _on_disk(store) and dumps.folder(store.path).exists():
        _dump_current(store)


def _dump_is_current(store: EmbeddedStore) -> bool:
    """Whether a dump beside ``store`` holds what it holds."""
    try:
        dumps.current(store, dumps.folder(store.path))
    except dumps.NoDump:
        return False
    return True


def _dump_current(store: EmbeddedStore) -> None:
    """The dump beside ``store`` written when none holds what it holds."""
    if not _dump_is_current(store):
        _write_dump(store)


@cli.command()
@force_option
@pass_store
def init(opts: StoreOptions) -> None:
    """Load (or reload) the ontology and concept schemes, and the definitions' shapes (with
    --shapes, yours too), into their named graphs (`assess` loads the shapes itself when
    their files changed)."""
    store = opts.open(creates=True)
    try:
        n = load_vocabularies(store)
        _echo(f"ontology and concept schemes: {n} triples")
        _dump_kept(store)
    finally:
        store.close()


@cli.command()
@click.argument("sources", nargs=-1, type=click.Choice(list(SOURCE_NAMES)))
@click.option(
    "--from",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Read this folder (in the source's own layout) instead of the bundled one.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on any skipped record or field.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="mof, osai-index with --from: store the folder as the source's snapshot of this date "
    "(its own named graph); the current state is left as it is.",
)
@click.option(
    "--release",
    help="--as-of: the upstream commit or tag of the snapshot [default: the commit SOURCE.md "
    "names].",
)
@click.option(
    "--live",
    is_flag=True,
    help="hf: sync from the Hugging Face Hub's listing into the store (resumes an interrupted "
    "run; later runs fetch what changed), then re-assess the models that changed.",
)
@click.option("--author", help="hf --live: only this Hub namespace's models.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    help="hf --live: stop after about this many models; the next run goes on from there.",
)
@click.option(
    "--endpoint",
    "hub_endpoint",
    metavar="URL",
    help="hf --live: Hub API base URL [default: https://huggingface.co or $HF_ENDPOINT].",
)
@click.option(
    "--reconcile",
    is_flag=True,
    help="hf --live: also list every model to find removed and renamed repositories.",
)
@click.option(
    "--no-assess",
    is_flag=True,
    help="hf --live: re-link identities but leave the re-assessment to a later run.",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=500,
    show_default=True,
    help="hf --live: models per listing page, each stored in one transaction.",
)
@force_option
@pass_store
def ingest(
    opts: StoreOptions,
    sources: tuple[str, ...],
    folder: Path | None,
    strict: bool,
    as_of: dt.datetime | None,
    release: str | None,
    live: bool,
    author: str | None,
    limit: int | None,
    hub_endpoint: str | None,
    reconcile: bool,
    no_assess: bool,
    page_size: int,
) -> None:
    """Ingest SOURCES (all bundled ones by default) into their named graphs, then link
    the records of one real model to one entity. Ends with a summary per source."""
    names = list(sources) or None
    if folder and (not names or len(names) != 1):
        raise click.UsageError("--from reads one source's folder: name exactly one SOURCE")
    if live:
        if names != ["hf"] or folder:
            raise click.UsageError("--live applies to the hf source: openness ingest hf --live")
        # Imported here: the Hub's client (huggingface_hub, httpx2) costs every other
        # command ~0.2 CPU s at import.
        from huggingface_hub.errors import HfHubHTTPError

        from openness.ingest.hf_live import HubUnreachable, NotAListing, sync_hub

        store = _ingest_store(opts)
        try:
            _identity_current(store)  # the sync updates it, from what it holds
            with compacted_when_grown(store, _echo):
                report = sync_hub(
                    store,
                    endpoint=hub_endpoint,
                    author=author,
                    limit=limit,
                    reconcile=reconcile,
                    assess=not no_assess,
                    page_size=page_size,
                    progress=True,
                    echo=_echo,
                )
            if not no_assess:
                _history_behind(store)
            _dump_kept(store)
        except (HubUnreachable, HfHubHTTPError, NotAListing) as e:
            raise click.ClickException(
                f"hf --live: {str(e).splitlines()[0]}; what was stored is kept, "
                "and the next run goes on from there"
            ) from e
        except KeyboardInterrupt:
            # click's own word is "Aborted!", which tells nothing of the pages stored.
            click.echo(
                "\nhf --live: interrupted; what was stored is kept, and the next run goes "
                "on from there",
                err=True,
            )
            sys.exit(130)
        finally:
            store.close()
        _echo(report.summary())
        return
    if as_of:
        _ingest_snapshot(opts, names, folder, as_of.date(), release, strict)
        return

    def work(store: GraphStore) -> list[IngestReport]:
        reports = ingest_all(
            store,
            names,
            folder=folder,
            strict=strict,
            ctx=IngestContext(progress=tqdm_progress),
            # dated as each is stored: a later source may stop the run
            stored=dating(store, names or list(SOURCE_NAMES), folder),
        )
        if store.query("ASK { ?r a og:SnapshotRecord }"):  # today's models were re-linked
            reports.append(link_snapshot_records(store))
        return reports

    _run_ingest(opts, work)


def _ingest_store(opts: StoreOptions) -> GraphStore:
    """The store to ingest into, holding the vocabularies (loaded first into a store that
    has none: without them no record would be linked to a model)."""
    store = opts.open(creates=True)
    try:
        loaded = ensure_vocabularies(store)
    except BaseException:
        store.close()
        raise
    if loaded:
        _echo(
            f"the store had no vocabularies: loaded the ontology, concept schemes and "
            f"shapes first ({loaded} triples)",
        )
    return store


def _run_ingest(opts: StoreOptions, work: Callable[[GraphStore], list[IngestReport]]) -> None:
    """Run an ingest on the store and print its reports; a strict failure exits 1 with
    nothing of that source stored, a source that cannot be read is a clear error."""
    store = _ingest_store(opts)
    try:
        with compacted_when_grown(store, _echo):
            reports = work(store)
        for report in reports:
            _echo(report.summary())
        _dump_kept(store)
    except StrictFailure as e:
        _echo(e.report.summary())
        _echo(f"error: {e}; nothing of {e.report.source} was stored")
        sys.exit(1)
    except RecordError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()


def _ingest_snapshot(
    opts: StoreOptions,
    names: list[str] | None,
    folder: Path | None,
    date: dt.date,
    release: str | None,
    strict: bool,
) -> None:
    if not folder or not names or names[0] not in HISTORY_SOURCES:
        raise click.UsageError(
            f"--as-of stores one folder as a dated snapshot: openness ingest "
            f"{{{','.join(HISTORY_SOURCES)}}} --from DIR --as-of DATE"
        )
    snap = Snapshot(names[0], date, release or source_version(folder), folder)

    def work(store: GraphStore) -> list[IngestReport]:
        _identity_current(store)  # the snapshot's records are linked to today's models
        ctx = IngestContext(progress=tqdm_progress)
        return [ingest_snapshot(store, snap, strict=strict, ctx=ctx), link_snapshot_records(store)]

    _run_ingest(opts, work)
    _echo(f"`openness history` computes the verdicts as of {date} and the other dates")


@cli.command()
@click.option(
    "--if-missing",
    is_flag=True,
    help="Do nothing when the store already holds assessments (a build ran to its end).",
)
@force_option
@pass_store
def build(opts: StoreOptions, if_missing: bool) -> None:
    """Build the default graph from the bundled data: vocabularies and shapes, every
    source and its dated snapshots, then the assessments and the verdicts as of each
    snapshot date; last, in a store on disk, the whole dataset's dump (see `dump`)."""
    if if_missing and _built(opts):
        _echo("the store is already built; nothing to do")
        return
    store = opts.open(creates=True)
    try:
        # Assessments are written last but for their history, so their graph marks a
        # build past its ingests; a build interrupted before it is redone from the start,
        # one interrupted later is completed (_COMPLETION).
        if if_missing and Graphs.ASSESSMENTS in store.graph_sizes():
            ran = []
            for step in _COMPLETION:
                if step.needed(store):
                    step.run(store)
                    ran.append(step)
            if not ran:
                _echo("the store is already built; nothing to do")
            # Laid out for reading as a full build leaves it, once its writes are done.
            if any(step.writes for step in ran):
                store.optimize()
            return
        n = load_vocabularies(store)
        _echo(f"ontology and concept schemes: {n} triples")
        for summary in ingest_all(store, ctx=IngestContext(progress=tqdm_progress)):
            _echo(summary.summary().splitlines()[0])
        run_assessment(store, None, None, echo=_echo)
        _history(store)
        # What is served is read, not written, from now on: its files laid out for that.
        store.optimize()
        if _on_disk(store):
            _write_dump(store)
    finally:
        store.close()


def _history(store: GraphStore) -> None:
    """Store the bundled snapshots, then the verdicts as of each snapshot date."""
    for summary in ingest_history(store, ctx=IngestContext(progress=tqdm_progress)):
        _echo(summary.summary().splitlines()[0])
    build_verdict_history(store, echo=_echo)


def _identity_current(store: GraphStore) -> None:
    """Compute the identity graph again, and the snapshots' links to today's models, when a
    source was stored after it was last computed: an ingest of several sources stopped
    between a source's write and the identity's (ingest.identity.identity_behind)."""
    report = identity_current(store)
    if report is None:
        return
    _echo("an ingest stopped before linking the records it stored: linking them again")
    _echo(report.summary().splitlines()[0])
    if store.query("ASK { ?r a og:SnapshotRecord }"):
        link_snapshot_records(store)


def _shapes_current(store: GraphStore) -> None:
    """Load the shapes graph again when it is behind the shapes files (another --shapes
    folder, a definition changed), saying so: the commands that judge read the files, the
    named queries, pages and evidence the graph."""
    said = shapes_current(store)
    if said:
        _echo(said)


def _shapes_assessed(store: GraphStore) -> None:
    """The shapes graph loaded from the shapes files read now, and the models judged with
    them (what `assess` does; the verdicts of unchanged definitions are kept)."""
    _shapes_current(store)
    run_assessment(store, None, None, echo=_echo)


@dataclasses.dataclass(frozen=True)
class _Step:
    """What `build --if-missing` completes of a store a build left with its assessments
    stored: whether it is ``needed``, what is ``said`` before it is done, and how it is
    ``done``."""

    needed: Callable[[GraphStore], bool]
    said: str | None  # None: the step says what it does itself
    done: Callable[[GraphStore], object]
    writes: bool = True  # False: it writes beside the store, not in it (the dump)

    def run(self, store: GraphStore) -> None:
        if self.said is not None:
            _echo(f"the store is already built; {self.said}")
        self.done(store)


# In order: each step's question is asked when the steps before it are done, and all of
# them, read only, by _built, which finds nothing to do where none is needed.
_COMPLETION = (
    # An ingest of several sources stopped between a source's write and the identity's.
    _Step(is_behind, None, _identity_current),
    # A store built before the vocabulary summary existed (or written by other tools)
    # would list only the declared terms in vocabulary-in-use.rq.
    _Step(
        lambda s: not s.described(),
        "describing the vocabulary the graph uses (once)",
        lambda s: s.describe(),
    ),
    # The shapes files are not those the store loaded (another --shapes folder, a
    # definition changed): `make serve` with OPENNESS_SHAPES serves them, judged.
    _Step(lambda s: shapes_behind(s) is not None, None, _shapes_assessed),
    _Step(
        lambda s: bool(stopped_runs(s)),
        "the last assessment was interrupted: completing it",
        lambda s: run_assessment(s, None, None, echo=_echo),
    ),
    # A store built from sources (not one assessed from data of its own) has a history.
    _Step(
        lambda s: (
            VERDICT_HISTORY not in s.graph_sizes() and bool(s.query("ASK { ?r a og:SourceRecord }"))
        ),
        "adding its history",
        _history,
    ),
    # A store built before dumps were, or written since.
    _Step(
        lambda s: _on_disk(s) and not _dump_is_current(s),
        None,  # the dump written says where
        _write_dump,
        writes=False,
    ),
)


def _built(opts: StoreOptions) -> bool:
    """Whether the store holds all a build writes (_COMPLETION), asked read only, so that
    `make serve` beside a server of the same store, which refuses a command that writes,
    finds nothing to do without writing."""
    folder = opts.folder()
    opts.no_file()
    if folder is not None and not _is_store(folder):
        return False
    with closing(opts.open(read_only=True)) as store:
        if Graphs.ASSESSMENTS not in store.graph_sizes():
            return False
        return not any(step.needed(store) for step in _COMPLETION)


def _history_behind(store: GraphStore) -> None:
    """Say so when today's verdicts of some models differ from the last the verdict
    history holds (queries/history-behind.rq): it is computed by build and history only."""
    if not store.query(f"ASK {{ GRAPH <{VERDICT_HISTORY}> {{ ?s ?p ?o }} }}"):
        return
    behind = {row["model"].value for row in run_named(store, "history-behind")}
    if not behind:
        return
    # A few models' timelines are computed again in seconds; every model's takes minutes.
    if len(behind) <= FEW_MODELS and not dated_anew(store):
        hint = f"`openness history {' '.join(model_options(store, list(behind)))}` computes theirs"
    else:
        hint = "`openness history` computes it"
    _echo(
        f"the verdict history is behind today's verdicts of {len(behind)} "
        f"model{'s' * (len(behind) != 1)} (queries/history-behind.rq): {hint} again"
    )


# -d/--definition ID and -m/--model ID, repeatable, for the commands that judge or explain.
definitions_option = click.option(
    "--definition",
    "-d",
    "ids",
    multiple=True,
    metavar="ID",
    help="Only this definition (repeatable) [default: all].",
)
models_option = click.option(
    "--model",
    "-m",
    "models",
    multiple=True,
    metavar="ID",
    help="Only this model: its IRI, a record's IRI, its name or a source's id for it (repeatable).",
)


@cli.command()
@models_option
@force_option
@pass_store
def history(opts: StoreOptions, models: tuple[str, ...]) -> None:
    """Compute the verdicts as of each snapshot date again, from the snapshots and today's
    records and verdicts in the store (what build does last): after an ingest or an
    assessment changed today's verdicts, or a snapshot was added with --as-of."""
    store = opts.open()
    try:
        _identity_current(store)
        _shapes_current(store)  # it judges with the files, as assess does
        if not store.query("ASK { ?r a og:SnapshotRecord }"):
            raise click.ClickException(
                "the store holds no dated snapshot: add one with "
                "`openness ingest SOURCE --from DIR --as-of DATE`"
            )
        iris = resolve_models(store, list(models)) if models else None
        build_verdict_history(store, iris, echo=_echo)
        _dump_kept(store)
    except LookupError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()


def _iri(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``value`` if it is an absolute IRI (or not given); else the option is refused (a
    click callback)."""
    if value is None:
        return None
    try:
        ox.NamedNode(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an absolute IRI", param=param) from None
    return value


def _base_iri(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``value`` if the IRIs minted under it can be answered at their paths (or not given);
    else the option is refused (a click callback)."""
    from openness.server.context import NotABaseIri, base_iri

    if value is None:
        return None
    try:
        return base_iri(value)
    except NotABaseIri as e:
        raise click.BadParameter(str(e), param=param) from None


def _public_url(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``value`` if it is an http(s) URL the server can be served at (or not given); else
    the option is refused (a click callback)."""
    from openness.server.public_url import NotAPublicUrl, public_url

    if value:
        try:
            public_url(value)
        except NotAPublicUrl as e:
            raise click.BadParameter(str(e), param=param) from None
    return value or None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, envvar="PORT", type=int)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1),
    help="Worker processes (one when updates are enabled).",
)
@click.option(
    "--query-timeout",
    default=30.0,
    show_default=True,
    type=Seconds(0.1),
    help="Seconds from a request's arrival after which its query is stopped and answered with 503.",
)
@click.option(
    "--query-processes",
    default=3,
    show_default=True,
    type=click.IntRange(1),
    help="Query processes per worker; one client may use all but one of them.",
)
@click.option(
    "--query-queue",
    default=16,
    show_default=True,
    type=click.IntRange(0),
    help="Queries that may wait for a query process, per worker; past that, 503 at once.",
)
@click.option(
    "--client-limit",
    default=8,
    show_default=True,
    type=click.IntRange(1),
    help="Queries one client address may have running or waiting, per worker; past "
    "that, 429 at once.",
)
@click.option(
    "--threads",
    default=128,
    show_default=True,
    type=click.IntRange(1),
    help="Threads per worker that answer requests (each request is read in full first).",
)
@click.option(
    "--max-connections",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="Open connections per worker, slow ones included; more wait to be accepted.",
)
@click.option(
    "--read-timeout",
    default=30.0,
    show_default=True,
    type=Seconds(0.1),
    help="Seconds a client has to send its whole request (headers and body).",
)
@click.option(
    "--stop-grace",
    default=5.0,
    show_default=True,
    type=Seconds(0),
    help="Seconds the queries under way when the server is stopped (SIGTERM) may go on "
    "before they are stopped and answered 503.",
)
@click.option(
    "--drain",
    default=0.0,
    show_default=True,
    type=Seconds(0),
    help="Seconds a server told to stop (SIGTERM) goes on taking new requests, saying it is "
    "not ready (/health/ready 503) and closing each connection after its answer, before "
    "it stops accepting: behind a load balancer, longer than its readiness checks' "
    "interval times the failures it waits for.",
)
@click.option(
    "--keep-alive",
    default=2,
    show_default=True,
    type=click.IntRange(0),
    metavar="SECONDS",
    help="Seconds an idle connection is kept open for the client's next request; behind a "
    "load balancer that keeps its connections, longer than its idle timeout.",
)
@click.option(
    "--proxy-hops",
    default=0,
    show_default=True,
    envvar="OPENNESS_PROXY_HOPS",
    type=click.IntRange(0),
    help="Reverse proxies in front of the server: a client's address (the request log, "
    "--client-limit) is then read from the X-Forwarded-For they add. Leave at 0 without "
    "a proxy: any client can write that header [env OPENNESS_PROXY_HOPS].",
)
@click.option(
    "--public-url",
    envvar="OPENNESS_PUBLIC_URL",
    metavar="URL",
    callback=_public_url,
    help="The address clients reach the server at behind a proxy (https://graph.example.org, "
    "or under a path: https://example.org/openness): the links it writes about itself (its "
    "pages' links, the SPARQL endpoint in VoID and the catalogue, feeds, badges) name it "
    "instead of --host and --port [env OPENNESS_PUBLIC_URL].",
)
@click.option(
    "--max-result-bytes",
    default=50 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help="Larger results are refused with 413.",
)
@click.option(
    "--shacl-max-data-triples",
    default=300_000,
    show_default=True,
    type=click.IntRange(1),
    help="The SHACL service, and the validation of a posted description, validate at most "
    "this many data triples (413 past it).",
)
@click.option(
    "--shacl-max-shapes-triples",
    default=10_000,
    show_default=True,
    type=click.IntRange(1),
    help="The SHACL service reads at most this many shapes triples (413 past it).",
)
@click.option(
    "--shacl-max-memory",
    default=1024,
    show_default=True,
    type=click.IntRange(1),
    help="MB of memory one SHACL validation may add to its query process (413 past it).",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let queries call other endpoints with SERVICE (off: no outbound requests).",
)
@click.option(
    "--update-token",
    metavar="TOKEN",
    envvar="OPENNESS_UPDATE_TOKEN",
    help="Enable /update and writes to /store for 'Authorization: Bearer TOKEN' [env "
    "OPENNESS_UPDATE_TOKEN, which keeps it out of the process list].",
)
@click.option(
    "--open-update", is_flag=True, help="Enable updates without a token (local experiments only)."
)
@click.option(
    "--base-iri",
    metavar="IRI",
    callback=_base_iri,
    help="Prefix of the IRIs the data mints, ending in '/', answered at their paths here "
    "[default: https://w3id.org/openness-graph/].",
)
@click.option(
    "--publisher",
    metavar="IRI",
    callback=_iri,
    help="Who publishes this deployment's dataset, in the DCAT catalogue (/catalog): an "
    "agent's IRI, e.g. its ROR or Wikidata IRI [default: the vocabulary's creator].",
)
@click.option(
    "--publisher-name", metavar="NAME", help="The publisher's name (foaf:name), with --publisher."
)
@pass_store
def serve(
    opts: StoreOptions,
    host: str,
    port: int,
    workers: int,
    query_timeout: float,
    query_processes: int,
    query_queue: int,
    client_limit: int,
    threads: int,
    max_connections: int,
    read_timeout: float,
    stop_grace: float,
    drain: float,
    keep_alive: int,
    proxy_hops: int,
    public_url: str | None,
    max_result_bytes: int,
    shacl_max_data_triples: int,
    shacl_max_shapes_triples: int,
    shacl_max_memory: int,
    allow_service: bool,
    update_token: str | None,
    open_update: bool,
    base_iri: str | None,
    publisher: str | None,
    publisher_name: str | None,
) -> None:
    """Serve the graph over HTTP with gunicorn: the web pages, the SPARQL 1.1 Protocol,
    named queries, the conformance API and dereferenceable IRIs.

    A store on disk is held while the server runs (by this process, for the workers it
    starts), so that the commands that write it are refused meanwhile: the server reads
    the store as it was when it started (openness.store.holders)."""
    if publisher_name and not publisher:
        raise click.UsageError("--publisher-name names the agent --publisher gives: give both")
    updates = bool(update_token) or open_update
    folder = opts.folder()
    if folder is not None:
        opts.require_built()
    # An IPv6 address in brackets, as a URL and gunicorn's bind write one ('::1:8000' is
    # no address to either).
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    _can_listen(host, port)
    if folder is not None:
        server = f"`openness serve` (pid {os.getpid()}) on http://{host}:{port}/"
        # Released when the command's context closes, once the server has stopped.
        click.get_current_context().with_resource(
            holders.hold(folder, server, writes=updates, serves=True)
        )
    # The server reads the definitions from the files, the shapes graph from the store:
    # served apart, a definition has a page but no /shapes nor models-passing. Only said,
    # read only, as the checks below: a store held by a server is not written, and a server
    # started by new code beside a store not yet judged with it (an upgrade) still serves
    # what was judged (`make serve` loads and judges first).
    behind = _asked_apart(opts, shapes_behind)
    if behind:
        _echo(
            f"warning: {behind}: the pages and the API may name definitions the store's "
            "shapes graph lacks until `assess` with the same --shapes (or `build "
            "--if-missing`) loads them and judges with them"
        )
    # A remote engine is never missing as a folder is, so one never built (or the wrong
    # one) would be served empty, ready and silent; its pages would only say 'no model'.
    if opts.endpoint and not _asked_apart(opts, _has_assessments):
        _echo(
            f"warning: the engine at {opts.endpoint} holds no assessments (no build has run "
            "to its end there): the pages and the API will find no model until "
            f"'openness --endpoint {opts.endpoint} build'"
        )
    # Asked of the store read only, and only said: serving writes nothing, and an ingest
    # stopped before its end leaves the mark until the next one.
    elif _asked_apart(opts, is_behind):
        _echo(
            "warning: a source was stored after the records were last linked to models "
            "(an ingest stopped before its end): the pages may name records "
            "a source no longer holds until 'openness ingest' or 'openness assess' links "
            "them again"
        )
    from openness.server import create_app
    from openness.server.public_url import NotAPublicUrl
    from openness.server.serve import run_server

    if open_update and not update_token:
        _echo(
            "warning: --open-update lets anyone who can reach this server change the graph",
        )
    if updates and workers > 1:
        _echo("updates are enabled: serving with one worker, which writes")
        workers = 1
    config = {
        "STORE_LOCATION": opts.location,
        "ENDPOINT": opts.endpoint,
        "UPDATE_ENDPOINT": opts.update,
        "STORE_ENDPOINT": opts.gsp,
        "STORE_HELD": folder is not None,
        "QUERY_TIMEOUT": query_timeout,
        "QUERY_PROCESSES": query_processes,
        "QUERY_QUEUE": query_queue,
        "CLIENT_LIMIT": client_limit,
        "PROXY_HOPS": proxy_hops,
        "PUBLIC_URL": public_url,
        "MAX_RESULT_BYTES": max_result_bytes,
        "SHACL_MAX_DATA_TRIPLES": shacl_max_data_triples,
        "SHACL_MAX_SHAPES_TRIPLES": shacl_max_shapes_triples,
        "SHACL_MAX_MEMORY": shacl_max_memory * 1024**2,
        "ALLOW_SERVICE": allow_service,
        "UPDATE_ENABLED": updates,
        "UPDATE_TOKEN": update_token,
        "BASE_IRI": base_iri,
        "PUBLISHER": publisher,
        "PUBLISHER_NAME": publisher_name,
    }
    try:
        app = create_app(config)
    except NotAPublicUrl as e:  # a path the server's own routes begin with
        raise click.BadParameter(str(e), param_hint="'--public-url'") from None
    _echo(
        f"serving on http://{host}:{port}/ (SPARQL at /sparql)"
        + (f", reached at {public_url}" if public_url else "")
    )
    run_server(
        app,
        host=host,
        port=port,
        workers=workers,
        timeout=int(query_timeout) + 30,
        threads=threads,
        max_connections=max_connections,
        read_timeout=read_timeout,
        stop_grace=stop_grace,
        drain=drain,
        keep_alive=keep_alive,
    )


def _can_listen(host: str, port: int) -> None:
    """Stop at once where the server could not listen: gunicorn, given an address in use,
    retries for five seconds, logging each try, after `serve` has said it serves there.
    Bound as gunicorn binds it, then let go: ``host`` an IPv6 address in brackets
    (`[::1]`, as its bind takes one), SO_REUSEADDR, and IPV6_V6ONLY left as the system
    has it (``::`` takes IPv4 too, where the system does)."""
    address = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as trial:
            trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            trial.bind((address, port))
    except OSError as e:
        why = "the address is in use" if e.errno == errno.EADDRINUSE else e.strerror or str(e)
        raise click.ClickException(
            f"cannot serve on {host}:{port}: {why} (give another --port; with make serve, PORT=…)"
        ) from e


_Answer = TypeVar("_Answer")


def _asked_apart(opts: StoreOptions, question: Callable[[GraphStore], _Answer]) -> _Answer:
    """``question(store)`` of the store read only, asked in a child process that opens the
    store and ends, for a process that forks afterwards (gunicorn's arbiter forks the
    server's workers). Opening a store on disk starts RocksDB's background threads, which a
    fork does not copy: a worker forked after them joined them as it exited (RocksDB's exit
    handler) and crashed there (SIGSEGV), or, where their memory was in use again, waited
    until gunicorn killed it 30 s later, the store held meanwhile."""
    fork = multiprocessing.get_context("fork")  # quick: `openness serve` has no other thread
    with ProcessPoolExecutor(1, mp_context=fork) as child:
        try:
            return child.submit(_ask, opts, question).result()
        except BrokenProcessPool as e:  # killed, or crashed in RocksDB
            raise click.ClickException(
                f"the store at {opts.folder()} could not be read: the process reading it "
                f"ended ({e})"
            ) from e


def _has_assessments(store: GraphStore) -> bool:
    return Graphs.ASSESSMENTS in store.graph_names()  # no count of every triple


def _ask(opts: StoreOptions, question: Callable[[GraphStore], _Answer]) -> _Answer:
    with closing(opts.open(read_only=True, held=True)) as store:
        return question(store)


def _definition_ids(ids: tuple[str, ...]) -> list[str] | None:
    known = list(definitions())
    for d in ids:
        if d not in known:
            raise click.BadParameter(f"{d!r}; known: {', '.join(known)}", param_hint="--definition")
    return list(ids) or None


@cli.command()
@definitions_option
@models_option
@click.option("--all", "force", is_flag=True, help="Judge every model again, changed or not.")
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help=f"Name every model judged again (up to {FEW_MODELS} are named anyway).",
)
@force_option
@pass_store
def assess(
    opts: StoreOptions, ids: tuple[str, ...], models: tuple[str, ...], force: bool, verbose: bool
) -> None:
    """(Re)compute and store the verdicts of models against openness definitions. Only
    models whose evidence (or the shapes) changed since their stored verdicts are judged
    again, unless --all; those judged again are named when few, or -v."""
    wanted = _definition_ids(ids)
    store = opts.open()
    try:
        _identity_current(store)
        _shapes_current(store)
        iris = resolve_models(store, list(models)) if models else None
        with compacted_when_grown(store, _echo):
            run_assessment(store, wanted, iris, echo=_echo, force=force, verbose=verbose)
        _history_behind(store)
        _dump_kept(store)
    except LookupError as e:
        raise click.ClickException(str(e)) from e
    except RuleError as e:
        raise click.ClickException(f"{e}; the stored verdicts are unchanged") from e
    finally:
        store.close()


@cli.command()
@click.argument("model")
@pass_store
def evidence(opts: StoreOptions, model: str) -> None:
    """Print the data graph (Turtle) a SHACL engine needs to judge MODEL with the shapes of
    shapes/: run any engine with SHACL-SPARQL and SHACL-AF rules on it."""
    # pySHACL takes ~0.7 CPU s to import: only the commands that run it load it.
    from openness.assess.reference import evidence as evidence_triples

    store = opts.open(read_only=True)
    try:
        iri = resolve_model(store, model)
        click.echo(turtle(evidence_triples(store, iri), PREFIXES).decode(), nl=False)
    except LookupError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()


@cli.command()
@click.argument("model")
@definitions_option
@pass_store
def explain(opts: StoreOptions, model: str, ids: tuple[str, ...]) -> None:
    """Print MODEL's stored verdicts (EARL assertions: outcome, level, score, reasons), each
    with its sh:ValidationReport (og:validationReport), made by pySHACL from its evidence,
    as Turtle.

    The report's sh:conforms is SHACL's, false while any result remains; the verdict beside
    it may still pass the model (a stand-in met, a lower level reached) or rate it, and
    the report names it (og:validationReportOf) for a reader of the report alone. A
    passed requirement gives no reason: the findings it passed on (og:finding, as the
    model page shows them, queries/model-passed-findings.rq) are printed too."""
    from openness.assess.explain import explanation  # pySHACL, as in evidence

    wanted = _definition_ids(ids) or list(definitions())
    store = opts.open(read_only=True)
    try:
        iri = resolve_model(store, model)
        triples = explanation(store, iri, wanted)
        sys.stdout.buffer.write(turtle(triples, PREFIXES))
    except LookupError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()


@cli.command()
@click.option("--definition", "-d", "definition_id", metavar="ID", help="Only this definition.")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json", "csv"]), default="md", show_default=True
)
@pass_store
def report(opts: StoreOptions, definition_id: str | None, fmt: str) -> None:
    """Print the stored verdicts: a matrix with published-vs-computed and open-washing
    sections (md), one object per model and definition (json), or a table (csv)."""
    if definition_id:
        _definition_ids((definition_id,))
    store = opts.open(read_only=True)
    try:
        rows = verdict_rows(store, definition_id)
        if fmt == "json":
            click.echo(as_json(rows))
        elif fmt == "csv":
            click.echo(as_csv(rows), nl=False)
        else:
            click.echo(
                as_markdown(rows, published_vs_computed(store), open_washing(store)), nl=False
            )
    finally:
        store.close()


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@definitions_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "ttl", "evidence"]),
    default="text",
    show_default=True,
)
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    help="The description's format, as its suffix would say it [default: the suffix of "
    "its --name where that names a format, else the file's].",
)
@click.option(
    "--name",
    metavar="NAME",
    help="The name the description is judged under: its models' IRIs are minted from it "
    "and its content, messages and a MOF file's record name it, and its suffix, where it "
    "names a format, tells the format [default: the file's name; standard input's is stdin].",
)
@click.option(
    "--max-data-triples",
    type=click.IntRange(1),
    help="Refuse (exit 2) a description of more than this many distinct triples, saying "
    f"how much memory it would take (~{BYTES_A_TRIPLE / 1000:g} KB a triple; more with "
    "--format ttl, whose pySHACL reports the estimate leaves out) [default: "
    "none; a posted one's is `openness serve --shacl-max-data-triples`].",
)
@click.option(
    "--with-store",
    is_flag=True,
    help="Read from the store (--store, --endpoint) each base model the description names "
    "(og:baseModelName, a MOF file's base_model) but does not describe, when the name names "
    "one of its models: its fine-tunes inherit from the stored model's evidence, and a "
    "warning names each model read [default: the description is judged alone, and needs no "
    "store].",
)
@pass_store
def validate(
    opts: StoreOptions,
    file: Path,
    ids: tuple[str, ...],
    fmt: str,
    input_format: str | None,
    name: str | None,
    max_data_triples: int | None,
    with_store: bool,
) -> None:
    """Validate your own model description (MOF YAML, or Turtle / JSON-LD in our ontology)
    without storing it; a FILE of - is standard input, read in its --input-format or as its
    --name's suffix says (`openness validate - --name x.ttl < x.ttl` prints what
    `openness validate x.ttl` does). Exit 0 if
    every definition passed, 1 if one failed, 3 if none failed and one cannot tell, 2 if
    unreadable or refused (--max-data-triples); a definition that rates (the Index), or
    reads only a source the description is not a record of, counts for none of them.

    --format ttl prints, as `openness explain` does of a stored model, each verdict an
    EARL assertion linked (og:validationReport) to its definition's sh:ValidationReport,
    made by pySHACL (seconds of CPU a model), which names its assertion back
    (og:validationReportOf): sh:conforms is SHACL's, not the verdict (G7's 'cannot tell'
    may hold a higher level's violations, the tool's a report that conforms), the
    assertion's earl:outcome is. --format evidence prints the data graph the
    shapes judge the description on (as `openness evidence` prints a stored model's), for
    any other SHACL engine: the description as written is none. Both, and the JSON, name
    the description's models and verdicts under urn:openness:description:<digest>/, a
    digest of its --name and content: never a stored model's IRIs, the same every run."""
    wanted = _definition_ids(ids)
    stdin = str(file) == "-"
    name = name or ("stdin" if stdin else file.name)
    # A name's suffix tells the format only when it is a format's ('llama-3.1' is no
    # format '.1'); else a file's own suffix does, as without --name.
    told = Path(name).suffix.lower().removeprefix(".") in INPUT_FORMATS
    if stdin and input_format is None and not told:
        raise click.UsageError(
            f"standard input (-) needs --input-format ({', '.join(INPUT_FORMATS)}) "
            "or a --name with its suffix"
        )
    suffix = f".{input_format}" if input_format else None if told or stdin else file.suffix
    store = opts.open(read_only=True) if with_store else None
    try:
        data = sys.stdin.buffer.read() if stdin else file.read_bytes()
        run = validate_description(
            data,
            name,
            wanted,
            reports=fmt == "ttl",
            evidence=fmt == "evidence",
            suffix=suffix,
            max_triples=max_data_triples,
            graph=store,
        )
    except OSError as e:  # (names the file)
        _echo(f"error: cannot read {file}: {e.strerror or e}")
        sys.exit(2)
    except TooLarge as e:  # (the user's own file: what it would take, and how to judge it)
        _echo(
            f"error: {e.name}: {e.triples} triples, more than --max-data-triples "
            f"{e.limit}; judging it would take about "
            f"{-(-memory_needed(e.triples) // 2**20)} MB of memory"
            # pySHACL's reports (rdflib graphs of the evidence) are not in the estimate.
            + (", and more for --format ttl's pySHACL reports" if fmt == "ttl" else "")
            + ": raise --max-data-triples, or leave it out, to judge it"
        )
        sys.exit(2)
    except UnknownFormat as e:  # (the name's suffix, which --input-format stands in for)
        _echo(f"error: cannot read {e}; or say its format with --input-format")
        sys.exit(2)
    except UnreadableInput as e:  # (names the file, and the record and field or line)
        _echo(f"error: cannot read {e}")
        sys.exit(2)
    finally:
        if store is not None:
            store.close()
    for warning in run.warnings:  # left out of what is judged: say so before the verdicts
        _echo(f"warning: {warning}")
    if fmt == "json":
        click.echo(json.dumps([v.as_json() for v in run.verdicts], indent=2, ensure_ascii=False))
    elif fmt in ("ttl", "evidence"):
        triples = run.evidence or [t for model in run.reports.values() for t in model]
        sys.stdout.buffer.write(turtle(triples, PREFIXES))
    else:
        for v in run.verdicts:
            level = f" ({v.level})" if v.level else ""
            score = f" score {score_text(v.score)}" if v.score is not None else ""
            progress = "".join(f", {k} {p}%" for k, p in (v.progress or {}).items())
            click.echo(f"{v.name} — {v.definition}: {v.outcome}{level}{score}{progress}")
            # Worded and marked as the /validate page words them: a failed verdict's
            # reasons also name what cannot be told, which did not make it fail.
            for outcome, reason in by_outcome(v.as_json()):
                click.echo(f"    {SYMBOL[outcome]} — {worded_reason(reason)}")
    known = definitions()
    # Only what the definitions judge: not the Index's rating, nor a definition that reads
    # one source's records (the tool's classes) on a description that is none of them.
    judged = {v.outcome for v in run.verdicts if known[v.definition].passes_models and v.in_scope}
    sys.exit(1 if "failed" in judged else 3 if judged - {"passed"} else 0)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="openness")


if __name__ == "__main__":
    main()
