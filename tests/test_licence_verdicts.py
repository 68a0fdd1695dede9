"""Issue 10, category 4: what the licence table means for verdicts, on named models."""

from __future__ import annotations

import dataclasses
import functools
import html
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from click.testing import CliRunner
from conftest import copy_of
from rdflib.namespace import DCTERMS

from openness.assess import program, reference, setwise
from openness.assess.definitions import OGNS, definition, shapes_graph
from openness.assess.grade import RequirementVerdict
from openness.assess.run import assess
from openness.assess.service import resolve_models
from openness.assess.validate import Validation, validate_description
from openness.cli import cli
from openness.ingest.licenses import default_resolver
from openness.resources import ontology_dir, sources_dir
from openness.server import create_app

EARL = rdflib.Namespace("http://www.w3.org/ns/earl#")

# The requirement of each definition that asks for the licence of the final parameters.
WEIGHTS_LICENCE = {
    "osaid-1.0": "osaid-1.0.P-terms",
    "owd-0.3": "owd-0.3.1-free-redistribution",
    "fsf-ml-2024": "fsf-ml-2024.parameters",
    "eu-aia-foss": "eu-aia-foss.licence-freedoms",
    "dpg-std-ai-2025": "dpg-std-ai-2025.2-ai-weights",
    "mof-1.0": "mof-1.0.c3.params-final",
}


# Components of the bundled OLMo-7B record, by their description there (the first of two
# so described: the final parameters).
WEIGHTS = "Trained model parameters, weights and biases"
TRAINING_CODE = "Code used for training the model"
DATASETS = "Training, validation and testing datasets used for the model"


def _olmo_with_weights_record(licence: str, on: str = WEIGHTS) -> str:
    """The bundled OLMo-7B record (MOF YAML) with its final parameters (or the component
    described ``on``) under ``licence``."""
    text = (sources_dir() / "mof" / "models" / "OLMo-7B.yml").read_text(encoding="utf-8")
    component = f"      description: '{on}'\n"
    changed = text.replace(component, component + f"      license: '{licence}'\n", 1)
    assert changed != text
    return changed


def _validate_olmo_with_weights_under(
    licence: str, *, on: str = WEIGHTS, reports: bool = False, evidence: bool = False
) -> Validation:
    """The bundled OLMo-7B record with its final parameters (or the component described
    ``on``) under ``licence``, validated."""
    changed = _olmo_with_weights_record(licence, on).encode()
    return validate_description(changed, "OLMo-7B.yml", reports=reports, evidence=evidence)


def _weights_licence_requirements(licence: str) -> dict[str, RequirementVerdict]:
    """Each definition's weights-licence requirement, judged on that record."""
    return {
        v.definition: r
        for v in _validate_olmo_with_weights_under(licence).verdicts
        for r in v.requirements
        if r.id == WEIGHTS_LICENCE.get(v.definition)
    }


def _olmo_with_weights_under(licence: str) -> dict[str, str]:
    """The outcome of each definition's weights-licence requirement on that record."""
    return {d: r.outcome for d, r in _weights_licence_requirements(licence).items()}


def test_cc0_weights_pass_every_weights_licence_requirement() -> None:
    """Ambiguity A-1 accepts CC0-1.0 for parameters: every definition's weights-licence
    requirement passes, where a non-commercial licence fails them."""
    assert _olmo_with_weights_under("CC0-1.0") == dict.fromkeys(WEIGHTS_LICENCE, "passed")
    assert _olmo_with_weights_under("CC-BY-NC-4.0") == dict.fromkeys(WEIGHTS_LICENCE, "failed")


@pytest.fixture(scope="module")
def fsf(built):
    """FSF verdicts of models whose code is under a vendor licence without an FSF flag."""
    store = copy_of(built)
    models = resolve_models(store, ["gemma-7b", "Qwen1.5-7B", "OLMo-7B"])
    return {v.name: v for v in assess(store, ["fsf-ml-2024"], models).verdicts}


@pytest.mark.parametrize("name,licence", [("gemma-7b", "gemma"), ("Qwen1.5-7B", "tongyi-qianwen")])
def test_a_vendor_licence_on_the_software_fails_fsf(fsf, name: str, licence: str) -> None:
    """A licence that restricts use is evidence against freedom 0, FSF flag or not: the
    Gemma terms and the Tongyi Qianwen licence carry none, and refute the software
    requirement (it could not be told before)."""
    v = fsf[name]
    assert v.outcome == "failed"
    software = next(r for r in v.requirements if r.id == "fsf-ml-2024.software")
    assert software.outcome == "failed"
    assert any(licence in r and "restricts use" in r for r in software.reasons), software.reasons


def test_free_software_still_passes_fsf(fsf) -> None:
    assert fsf["OLMo-7B"].outcome == "passed", fsf["OLMo-7B"].reasons


def test_pyshacl_refutes_the_vendor_licensed_software_too(built) -> None:
    """The reference engine, on gemma-7b's evidence alone, gives the same refutation."""
    (model,) = resolve_models(built, ["gemma-7b"])
    results = reference.results(
        reference.report(reference.to_rdflib(reference.evidence(built, model)))
    )
    refuted = {r.message for r in results if r.severity == "Violation" and "FSF-libre" in r.message}
    assert refuted == {
        "mof record 'gemma-7b': Inference code is under 'gemma', not FSF-libre, which restricts use"
    }


@pytest.mark.parametrize(
    "name,licence",
    [
        ("StableVicuna-13B", "Meta Community License"),
        ("OPT-IML-Max-30B", "OPT-IML 175B License Agreement"),
        ("Instella-3B-Instruct", "Research-only RAIL-M5"),
        ("LTX-2.3-22B-Distilled", "LTX-2 Community License Agreement"),
        ("SkyReels-V2-T2V-14B-720P", "Skywork Terms and Conditions"),
    ],
)
def test_curated_ai_licences_refute_the_open_weight_definition(built, name, licence) -> None:
    """Licence strings that were unresolved now resolve to AI licences with their ODRL
    restrictions, so the Index's end-model licence fails the Open Weight Definition's
    licence clauses (it could not tell before)."""
    store = copy_of(built)
    (model,) = resolve_models(store, [name])
    (v,) = assess(store, ["owd-0.3"], [model]).verdicts
    assert v.outcome == "failed"
    redistribution = next(r for r in v.requirements if r.id == "owd-0.3.1-free-redistribution")
    assert redistribution.outcome == "failed"
    assert any(licence in r and "restricts use" in r for r in redistribution.reasons)


@pytest.mark.parametrize(
    "expression,outcome",
    [
        ("(MIT OR Apache-2.0) AND CC-BY-4.0", "passed"),
        ("MIT OR (Apache-2.0 AND CC-BY-4.0)", "passed"),
        ("MIT OR CC-BY-NC-4.0", "passed"),  # the licensee may take MIT
        ("MIT AND CC-BY-NC-4.0", "failed"),  # both apply
        ("(MIT OR Apache-2.0) AND CC-BY-NC-4.0", "failed"),
        ("CC-BY-NC-4.0 OR (Apache-2.0 AND CC-BY-NC-4.0)", "failed"),  # every option restricts
    ],
)
def test_an_expression_is_judged_by_its_structure(expression: str, outcome: str) -> None:
    """Under OR the licensee picks one member, under AND every member applies: a weights
    licence expression passes when some way of complying with it is open, and fails when
    every way restricts use (it used to give 'sources disagree' within one record). The
    Model Openness Tool accepts licence ids only, never an expression (its RULES.md §2)."""
    outcomes = _olmo_with_weights_under(expression)
    assert outcomes.pop("mof-1.0") == "failed"
    assert outcomes == dict.fromkeys(set(WEIGHTS_LICENCE) - {"mof-1.0"}, outcome)


def test_pyshacl_judges_expressions_by_their_options_too() -> None:
    """The reference engine's report on the same records: nothing on the licence where the
    licensee can choose MIT, violations naming it where CC-BY-NC-4.0 applies as well."""

    def naming(licence: str) -> list[reference.Result]:
        (report,) = _validate_olmo_with_weights_under(licence, reports=True).reports.values()
        return [
            r
            for r in reference.results(reference.to_rdflib(report))
            if f"'{licence}'" in r.message and "/mof-1.0#" not in r.shape  # ids only, above
        ]

    assert naming("MIT OR CC-BY-NC-4.0") == []
    refuted = naming("MIT AND CC-BY-NC-4.0")
    assert refuted and all(r.severity == "Violation" for r in refuted)


def _reasons_on_weights_under(licence: str) -> dict[str, list[str]]:
    """The reasons each definition's weights-licence requirement gives on that record."""
    return {d: r.reasons for d, r in _weights_licence_requirements(licence).items()}


def test_each_definition_says_how_it_read_a_choice_of_licences() -> None:
    """'Apache-2.0 OR CC-BY-NC-4.0' fails MOF and passes the definitions that let the
    licensee pick an alternative: MOF's reason says the tool matched the expression whole
    and took no alternative (it said only 'not an open licence in the tool's list'), and
    where every alternative restricts use the others' reasons say so of each."""
    mof = "mof record 'OLMo-7B': Model parameters (Final) under '{}', not an open licence in the tool's list: the tool matches an SPDX expression whole, as one licence id"  # noqa: E501
    either = "Apache-2.0 OR CC-BY-NC-4.0"
    assert _reasons_on_weights_under(either)["mof-1.0"] == [
        mof.format(either) + ", and takes none of its OR alternatives"
    ]
    both = "MIT AND CC-BY-NC-4.0"  # an expression too, but no choice in it
    assert _reasons_on_weights_under(both)["mof-1.0"] == [mof.format(both)]
    neither = "CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0"
    reasons = _reasons_on_weights_under(neither)
    assert reasons.pop("mof-1.0") == [
        mof.format(neither) + ", and takes none of its OR alternatives"
    ]
    assert reasons == dict.fromkeys(
        reasons,
        [
            f"mof record 'OLMo-7B': the final parameters are under '{neither}', which restricts"
            " use under each of its OR alternatives"
        ],
    )
    assert set(reasons) == set(WEIGHTS_LICENCE) - {"mof-1.0"}


@functools.cache
def _findings_under(licence: str, on: str = WEIGHTS) -> frozenset[str]:
    """The findings' words on the licence of the component described ``on``, given
    ``licence``: pySHACL runs the shapes' rules in place on the description's evidence.
    Its rules alone (the findings are theirs: a validation adds none to the data graph),
    each query parsed once a process, and each record once (cached): a validation parsing
    its queries anew took ~20 CPU s."""
    validated = _validate_olmo_with_weights_under(licence, on=on, evidence=True)
    data = reference.to_rdflib(validated.evidence)
    with reference.parsed_queries_cached():
        pyshacl.shacl_rules(data, shacl_graph=shapes_graph(), inplace=True)
    return frozenset(str(d) for d in data.objects(None, OGNS.detail) if f"'{licence}'" in d)


def test_the_finding_for_a_choice_of_licences_says_the_licensee_may_choose() -> None:
    """A passed requirement gives no reason; the finding it passed on (stored in
    graph/derived) says how the expression was read."""
    licence = "Apache-2.0 OR CC-BY-NC-4.0"
    assert (
        f"mof record 'OLMo-7B': the final parameters are under '{licence}', one of whose OR"
        " alternatives, accepted, the licensee may choose"
    ) in _findings_under(licence)


def test_the_code_findings_say_how_a_choice_of_licences_was_read() -> None:
    """The code's licence rule says a choice (OR) as the weights' does: approved under the
    alternative the licensee may choose, or under none of them."""
    either = "Apache-2.0 OR CC-BY-NC-4.0"
    assert _findings_under(either, TRAINING_CODE) >= {
        f"mof record 'OLMo-7B': Training code is under '{either}', {kind} under one of its OR"
        " alternatives, which the licensee may choose"
        for kind in ("OSI-approved", "FSF-libre")
    }
    neither = "CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0"
    assert _findings_under(neither, TRAINING_CODE) >= {
        f"mof record 'OLMo-7B': Training code is under '{neither}', not {kind} under any of its"
        " OR alternatives, each of which restricts use"
        for kind in ("OSI-approved", "FSF-libre")
    }


def test_the_restriction_findings_say_each_alternative_restricts() -> None:
    """'Licence A OR B restricts use' read as if the licensee had no choice: the rules on
    use restrictions and on the Open Weight Definition's clauses say, as the licence rules
    do, that each OR alternative restricts, or that one the licensee may choose does not."""
    neither = "CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0"
    assert _findings_under(neither) >= {
        f"mof record 'OLMo-7B': licence '{neither}' restricts use under each of its OR"
        " alternatives",
        f"mof record 'OLMo-7B': '{neither}' restricts fields of use under each of its OR"
        " alternatives",
    }
    either = "Apache-2.0 OR CC-BY-NC-4.0"
    assert (
        f"mof record 'OLMo-7B': '{either}' does not restrict fields of use under one of its OR"
        " alternatives, which the licensee may choose"
    ) in _findings_under(either)


def test_the_data_findings_say_how_a_choice_of_licences_was_read() -> None:
    """The data's licence rule says a choice (OR) as the weights' does: one alternative
    accepted, which the licensee may choose, or every one restricting use."""
    either = "Apache-2.0 OR CC-BY-NC-4.0"
    assert (
        f"mof record 'OLMo-7B': Datasets under '{either}', one of whose OR alternatives,"
        " accepted, the licensee may choose"
    ) in _findings_under(either, DATASETS)
    neither = "CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0"
    assert (
        f"mof record 'OLMo-7B': Datasets under '{neither}', which restricts use under each of"
        " its OR alternatives"
    ) in _findings_under(neither, DATASETS)


def _olmo_listing_weights_under(*licences: str) -> ox.Store:
    """The bundled OLMo-7B record listing its final parameters once under each of
    ``licences``, each listing with a licence statement of its own (its own path), and so
    a finding of its own: its evidence and the rules' facts (pySHACL's), in a store."""
    text = _olmo_with_weights_record("Apache-2.0")
    listed = text[text.index("    -\n      name: 'Model parameters (Final)'") :]
    listed = listed[: listed.index("    -\n", 1)]
    copies = "".join(
        f"{listed.replace('Apache-2.0', licence)}"
        f"      license_path: 'https://example.org/LICENSE-{i}'\n"
        for i, licence in enumerate(licences)
    )
    text = text.replace(listed, copies, 1)
    validated = validate_description(text.encode(), "OLMo-7B.yml", evidence=True)
    data = reference.to_rdflib(validated.evidence)
    with reference.parsed_queries_cached():
        pyshacl.shacl_rules(data, shacl_graph=shapes_graph(), inplace=True)
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _counted(where: str, at: int, store: ox.Store, query: str) -> tuple[list, int]:
    """The solutions of ``query`` (which holds ``where``) and how many times a function
    called at index ``at`` of ``where`` was evaluated."""
    asked: list[None] = []

    def ask() -> ox.Literal:
        asked.append(None)
        return ox.Literal(True)

    counted = f"{where[:at]} BIND (<urn:asked>() AS ?asked) {where[at:]}"
    solutions = store.query(
        query.replace(where, counted), custom_functions={ox.NamedNode("urn:asked"): ask}
    )
    return [tuple(t.value for t in s) for s in solutions], len(asked)


def test_whether_a_records_licences_restrict_use_is_asked_once_a_record() -> None:
    """checks#UnrestrictedReleaseRule finds the final parameters under an open licence
    unrestricted when no licence of their record restricts use. Oxigraph asked that beside
    each final-parameters component, walking all the record's components each time:
    quadratic (20 000 components: 109 s of a validation's 169, docs/measurements.md). Counted
    through a function the question calls, on the rule's solutions for a record listing its
    final parameters 5 times, each under a licence statement of its own: asked once, for
    the one record (no timing: the count is what grew)."""
    store = _olmo_listing_weights_under(*["Apache-2.0"] * 5)
    (rule,) = (r for r in program.rules() if r.iri.endswith("#UnrestrictedReleaseRule"))
    question = rule.where.rindex("NOT EXISTS {", 0, rule.where.index("og:restrictsUse true"))
    query = f"{rule.prefixes}\nSELECT ?s WHERE {{ ?this a <{rule.target}> .\n{rule.where}\n}}"
    solutions, asked = _counted(rule.where, question + len("NOT EXISTS {"), store, query)
    assert len(set(solutions)) == 5
    assert asked == 1


def _constraint(name: str) -> program.Constraint:
    (found,) = (c for c in program.constraints() if c.iri.endswith(f"#{name}"))
    return found


def test_sources_that_disagree_are_reported_once_a_sentence_not_once_a_pair_of_findings() -> None:
    """og:ConflictingEvidenceConstraint joins a model's findings for a check with its findings
    against it. A record listing its final parameters many times, some under a licence that
    restricts use, has one finding a listing, and the join gave a solution for every pair:
    2 000 listings, 100 of them under the Gemma terms, 1.33 million results and 1.35 GB of
    memory to validate (docs/measurements.md). Each side is now its sentences, once each: on
    a record listing the final parameters 5 times under Apache-2.0 and 5 times under the
    Gemma terms, each shape using the constraint gives each of its sentences once (25 times
    each before; no timing: the count is what grew). og:RefutedConstraint, which looks for
    a finding for beside each finding against, joined them likewise: 25 pairs a shape, 5
    now (one for each finding against)."""
    store = _olmo_listing_weights_under(*["Apache-2.0"] * 5, *["gemma"] * 5)
    conflicting = _constraint("ConflictingEvidenceConstraint")
    results = store.query(setwise.constraint_query(conflicting, None))
    said = [(shape, value) for _, shape, value in (tuple(t.value for t in s) for s in results)]
    assert (
        "sources disagree: mof record 'OLMo-7B': the final parameters are under"
        " 'Apache-2.0'; but mof record 'OLMo-7B': the final parameters are under 'gemma',"
        " which restricts use"
    ) in {value for _, value in said}
    assert len(said) == len(set(said))
    refuted = _constraint("RefutedConstraint")
    # The join's solutions, before the filter keeps those with no finding for: on OSAID's
    # parameters-terms shape alone (its check is the one both sides speak to).
    (terms,) = (s for s in refuted.shapes if s[0].endswith("osaid-1.0#ParametersTermsShape"))
    query = setwise.constraint_query(dataclasses.replace(refuted, shapes=(terms,)), None)
    paired = store.query(query.replace("FILTER (!BOUND(?for))", ""))
    assert len(list(paired)) == 5


def test_a_passed_requirement_shows_the_finding_it_passed_on(tmp_path: Path) -> None:
    """Stored weights under 'Apache-2.0 OR CC-BY-NC-4.0' fail MOF with a reason and pass
    OSAID, whose passed requirement gave no word why: its finding, stored in graph/derived,
    was shown neither on the model page nor by `openness explain`. Both now give it: the
    page under the verdict's "why" (a section of passed requirements), explain as the
    model's finding on the check the passed requirement checks (og:checks, at the
    requirement's IRI)."""
    licence = "Apache-2.0 OR CC-BY-NC-4.0"
    read = (
        f"mof record 'OLMo-7B': the final parameters are under '{licence}', one of whose OR"
        " alternatives, accepted, the licensee may choose"
    )
    models = tmp_path / "mof" / "models"
    models.mkdir(parents=True)
    (models / "OLMo-7B.yml").write_text(_olmo_with_weights_record(licence), encoding="utf-8")
    store = ["--store", str(tmp_path / "store")]
    judged = ["-d", "osaid-1.0", "-d", "mof-1.0"]
    for command in (
        ["ingest", "spdx", "curated"],  # the licences' facts, read by the checks
        ["ingest", "mof", "--from", str(tmp_path / "mof")],
        ["assess", "-m", "OLMo-7B", *judged],
    ):
        result = CliRunner().invoke(cli, [*store, *command], catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)

    explained = CliRunner().invoke(cli, [*store, "explain", "OLMo-7B", *judged])
    assert explained.exit_code == 0, explained.output
    graph = rdflib.Graph().parse(data=explained.stdout, format="turtle")
    (terms,) = (
        iri
        for iri, r in definition("osaid-1.0").requirements.items()
        if r.id == WEIGHTS_LICENCE["osaid-1.0"]
    )
    found = graph.query(
        """SELECT ?read WHERE {
             ?a og:definitionId "osaid-1.0" ; earl:result/dcterms:hasPart ?part .
             ?part earl:test ?req ; earl:result/earl:outcome earl:passed .
             ?model og:finding ?f .
             ?f og:aboutCheck ?check ; og:supports true ; og:detail ?read }""",
        initNs={"og": OGNS, "earl": EARL, "dcterms": DCTERMS},
        initBindings={
            "req": rdflib.URIRef(terms),
            "check": shapes_graph().value(rdflib.URIRef(terms), OGNS.checks),
        },
    )
    assert read in {str(row.read) for row in found}

    page = create_app({"STORE_LOCATION": str(tmp_path / "store"), "TESTING": True})
    text = html.unescape(page.test_client().get("/models/allenai--olmo-7b").text)
    assert 'href="#passed-osaid-1.0"' in text  # the passed verdict's "why"
    section = text[text.index('<details id="passed-osaid-1.0"') :]
    assert read in section[: section.index("</details>")]
    assert f"Model parameters (Final) under '{licence}', not an open licence" in text  # MOF's


def test_a_conjunction_with_a_restrictive_licence_fails_instead_of_disagreeing(built) -> None:
    """BLOOMZ-P3's Index record: 'Apache-2.0 and BigScience RAIL License v1.0' is both
    licences at once, so its weights fail OSAID's terms on the RAIL licence's restrictions;
    before, the Apache half and the RAIL half were taken as two sources disagreeing."""
    store = copy_of(built)
    (model,) = resolve_models(store, ["BLOOMZ-P3"])
    (v,) = assess(store, ["osaid-1.0"], [model]).verdicts
    terms = next(r for r in v.requirements if r.id == "osaid-1.0.P-terms")
    assert terms.outcome == "failed"
    # (its base model's licence, inherited, is a reason too)
    assert (
        "osai-index record 'bloomz': the final parameters are under "
        "'Apache-2.0 and BigScience RAIL License v1.0', which restricts use"
    ) in terms.reasons


def test_the_code_licence_the_index_note_names_is_the_training_codes(built) -> None:
    """Audit s53 § 1: the licence the Index's licences note names for the code is read as
    the training code's (shapes/evidence.ttl, ev:IndexCodeLicence), not the rating. The
    AudioLDM record rates its licences open and names 'Code: CC-BY-NC-SA-4.0': evidence
    against an OSI-approved and a free code licence, so AudioLDM2's code licence fails on it,
    where it said 'no evidence: Training code'. ChatMusician's 'Code: MIT' is evidence for:
    that reason is gone and the finding names the licence and the record. So is CascadeV's
    'AGPL-3.0 license' (GitHub's label, AGPL-3.0-only): it was 'no licence the licence list
    knows'."""
    store = copy_of(built)
    models = resolve_models(store, ["AudioLDM2", "ChatMusician", "CascadeV"])
    run = assess(store, ["osaid-1.0", "fsf-ml-2024"], models)
    reasons = {(v.name, r.id): (r.outcome, r.reasons) for v in run.verdicts for r in v.requirements}
    against = "osai-index record 'AudioLDM': Training code is under 'CC-BY-NC-SA-4.0', not "
    assert reasons["AudioLDM2", "osaid-1.0.C-licence"] == (
        "failed",
        [against + "OSI-approved, which restricts use"],
    )
    outcome, said = reasons["AudioLDM2", "fsf-ml-2024.software"]
    assert outcome == "failed" and against + "FSF-libre, which restricts use" in said
    outcome, said = reasons["ChatMusician", "osaid-1.0.C-licence"]
    assert outcome == "cantTell" and not any("Training code" in r for r in said), said
    assert "no evidence: Inference code (the code is under OSI-approved licences)" in said
    found = "osai-index record 'ChatMusician': Training code is under 'MIT', OSI-approved"
    assert any(found.encode() in line for line in run.derived.lines)
    for requirement, kind in (
        ("osaid-1.0.C-licence", "OSI-approved"),
        ("fsf-ml-2024.software", "FSF-libre"),
    ):
        said = reasons["CascadeV", requirement][1]  # cannot tell still, on other code
        assert not any("Training code" in r for r in said), said
        found = f"osai-index record 'CascadeV': Training code is under 'AGPL-3.0 license', {kind}"
        assert any(found.encode() in line for line in run.derived.lines)


def test_no_evidence_says_what_a_record_that_lists_no_component_named(built) -> None:
    """A licence no check can judge is named in the 'no evidence' reason with its record. The
    Index lists no components: its Licenses note names the code's licence ('Code: Aquila
    License'), its end-model licence the weights', and a rule gives the record the component
    (shapes/evidence.ttl). The reason said "osai-index record 'AquilaChat' lists it under
    'Aquila License'", a listing the record does not have; it now says where the string
    stands and what it is the licence of."""
    store = copy_of(built)
    names = ["AquilaChat2-70B-Expr", "AltDiffusion", "Airoboros-DPO-110B-3.3"]
    models = resolve_models(store, names)
    run = assess(store, ["osaid-1.0"], models)
    reasons = {(v.name, r.id): r.reasons for v in run.verdicts for r in v.requirements}
    code = "no evidence: Training code (the code is under OSI-approved licences); "
    assert (
        code + "the Licenses note of osai-index record 'AquilaChat' gives the code's licence as "
        "'Aquila License', which is no licence the licence list knows"
    ) in reasons["AquilaChat2-70B-Expr", "osaid-1.0.C-licence"]
    assert (
        code + "the Licenses note of osai-index record 'AltDiffusion' gives the code's licence "
        "as 'unlicensed', which says there is none"
    ) in reasons["AltDiffusion", "osaid-1.0.C-licence"]
    assert (
        "no evidence: Model parameters (Final) (the final parameters are under an open "
        "licence); osai-index record 'airoboros' gives the end model's licence as 'Purposely "
        "left ambiguous', which names no licence"
    ) in reasons["Airoboros-DPO-110B-3.3", "osaid-1.0.P-terms"]
    said = [r for v in run.verdicts for req in v.requirements for r in req.reasons]
    assert not [r for r in said if "osai-index record" in r and "lists it" in r]


def test_licences_stated_without_an_expression_apply_together() -> None:
    """A hand-written description (ontology/examples/open-model.ttl, which passes OSAID)
    whose weights name two licences without an expression: both apply, so the
    non-commercial one fails the weights' terms."""
    text = (ontology_dir() / "examples" / "open-model.ttl").read_text(encoding="utf-8")
    weights = "ex:weights a og:Component ;"
    changed = text.replace(weights, f"{weights} og:licenseStatement ex:weightsLicence ;", 1)
    changed += (
        'ex:weightsLicence a og:LicenseStatement ; og:licenseString "Apache-2.0, CC-BY-NC-4.0" ;'
        " og:resolvesTo spdx:Apache-2.0, spdx:CC-BY-NC-4.0 .\n"
    )
    (v,) = validate_description(changed.encode(), "open-model.ttl", ["osaid-1.0"]).verdicts
    terms = next(r for r in v.requirements if r.id == "osaid-1.0.P-terms")
    assert terms.outcome == "failed"
    assert terms.reasons == [
        "user record 'Tiny Open LM': the final parameters are under "
        "'Apache-2.0, CC-BY-NC-4.0', which restricts use"
    ]


@pytest.mark.parametrize(
    "text,resolved",
    [
        ("BSD-3", "https://spdx.org/licenses/BSD-3-Clause"),
        ("bsd", "https://w3id.org/openness-graph/id/license/bsd"),
        ("BSD", "https://w3id.org/openness-graph/id/license/bsd"),
        ("gfdl", "https://w3id.org/openness-graph/id/license/gfdl"),
        (
            "DIALOGUE MODEL AND DATA EVALUATION LICENSE AGREEMENT",
            "https://w3id.org/openness-graph/id/license/ntt-dialogue-evaluation",
        ),
        ("Upstage Solar License", "https://w3id.org/openness-graph/id/license/upstage-solar"),
        ("Apache", "https://w3id.org/openness-graph/id/license/apache"),
    ],
)
def test_licence_strings_left_unresolved_before_are_curated(text: str, resolved: str) -> None:
    (licence,) = default_resolver().resolve(text).licenses
    assert licence.iri == resolved


@pytest.mark.parametrize(
    "text",
    ["Modified MIT", "Modified MIT License", "Baichuan-7B License", "NexusFlow community license"],
)
def test_licence_strings_whose_terms_are_not_known_stay_unresolved(text: str) -> None:
    """'Modified MIT (License)' names three vendors' texts (Kimi K2.5's, Devstral 2's,
    MiniMax-M2.5's), which a string cannot tell apart; the others'
    terms were not read: they stay listed in queries/unresolved-licences.rq."""
    assert default_resolver().resolve(text).kind == "unresolved"


def test_the_ntt_evaluation_licence_fails_every_weights_licence_requirement() -> None:
    """NTT's dialogue models are licensed for evaluation only, not for commercial use."""
    licence = "DIALOGUE MODEL AND DATA EVALUATION LICENSE AGREEMENT"
    assert _olmo_with_weights_under(licence) == dict.fromkeys(WEIGHTS_LICENCE, "failed")


def test_weights_under_the_gfdl_of_no_stated_version_are_free_but_not_osi_approved() -> None:
    outcomes = _olmo_with_weights_under("gfdl")
    assert outcomes["fsf-ml-2024"] == "passed"  # every GFDL version is FSF-libre
    assert outcomes["osaid-1.0"] == "passed"  # an open-data licence, as GFDL-1.3


def test_an_apache_licence_of_no_stated_version_beside_cc_by_is_free_and_not_refused() -> None:
    """The Index's Omnilingual ASR record: 'Apache and CC-BY-4.0'. Every Apache version is
    FSF-libre, so FSF's weights requirement passes; OSI approved 1.1 and 2.0 but not 1.0, so
    OSAID cannot tell, and CC-BY-4.0 (not OSI-approved, but an open-data licence, A-1) is no
    evidence that the pair is refused (it was: 'not an accepted licence')."""
    resolution = default_resolver().resolve("Apache and CC-BY-4.0")
    assert resolution.expression == "LicenseRef-apache AND CC-BY-4.0"
    outcomes = _olmo_with_weights_under("Apache and CC-BY-4.0")
    assert outcomes["fsf-ml-2024"] == "passed"
    assert outcomes["osaid-1.0"] == outcomes["owd-0.3"] == "cantTell"


def test_the_upstage_solar_licence_is_apache_with_a_naming_duty() -> None:
    """Solar Open 100B's licence prohibits no use (section 4(e) asks derived models to carry
    the 'Solar' brand) but is not OSI-approved: OSAID's weights terms fail on that, not on a
    restriction."""
    v = next(
        v
        for v in _validate_olmo_with_weights_under("Upstage Solar License").verdicts
        if v.definition == "osaid-1.0"
    )
    (terms,) = [r for r in v.requirements if r.id == WEIGHTS_LICENCE["osaid-1.0"]]
    assert terms.outcome == "failed"
    assert any(
        "'Upstage Solar License', which is not an accepted licence" in r for r in terms.reasons
    ), terms.reasons
    assert not any("restricts use" in r for r in terms.reasons)


def test_a_requirement_passed_on_no_finding_says_so(tmp_path: Path) -> None:
    """A requirement whose check passes where nothing read counts against it (no source
    records the absence of what it refuses) has no finding to show: under 'What the passed
    requirements read' it stood with nothing beneath it (119 models of the bundled graph),
    where the section says each shows the findings it passed on."""
    store = ["--store", str(tmp_path / "store")]
    for command in (
        ["ingest", "spdx", "curated", "mof"],
        ["assess", "-m", "OLMo-7B", "-d", "g7-openness-2026"],
    ):
        result = CliRunner().invoke(cli, [*store, *command], catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
    page = create_app({"STORE_LOCATION": str(tmp_path / "store"), "TESTING": True})
    text = html.unescape(page.test_client().get("/models/allenai--olmo-7b").text)
    section = text[text.index('<details id="passed-g7-openness-2026"') :]
    items = section[: section.index("</details>")].split('<li><span class="passed badge">')[1:]
    assert items and all("<li" in item for item in items), items  # each with words under it
    assert any("no finding: nothing read counts against it" in item for item in items), items
