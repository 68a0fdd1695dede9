"""Licence strings resolve to known licences, or are recorded as unresolved."""

from __future__ import annotations

import pytest
from conftest import select

from openness.ingest.licenses import default_resolver


@pytest.mark.parametrize(
    "text,kind,ids",
    [
        ("Apache-2.0", "exact", ["Apache-2.0"]),
        ("apache-2.0", "case-insensitive", ["Apache-2.0"]),
        ("Apache 2.0", "alias", ["Apache-2.0"]),
        ("Apache License, Version 2.0", "alias", ["Apache-2.0"]),
        ("MIT License", "alias", ["MIT"]),
        ("CC BY-SA 4.0", "alias", ["CC-BY-SA-4.0"]),
        ("odc-by", "alias", ["ODC-By-1.0"]),  # a Hugging Face id
        ("llama3.1", "exact", ["llama3.1"]),
        ("Meta Llama 3 Community License Agreement", "alias", ["llama3"]),
        ("Gemma Terms of Use", "alias", ["gemma"]),
        ("CreativeML Open RAIL++-M License", "alias", ["openrail++"]),
        ("Apache-2.0 OR MIT", "expression", ["Apache-2.0", "MIT"]),
        (
            "Apache-2.0 and BigScience RAIL License v1.0",
            "expression",
            ["Apache-2.0", "bigscience-bloom-rail-1.0"],
        ),
        ("GPL-2.0-only WITH Classpath-exception-2.0", "expression", ["GPL-2.0-only"]),
        ("unlicensed", "none", []),
        ("Modified MIT License", "unresolved", []),
        ("Apache and CC-BY-4.0", "unresolved", []),  # one part does not resolve: no guess
        ("BSD-3", "unresolved", []),
        ("Undisclosed", "unresolved", []),
    ],
)
def test_resolution(text: str, kind: str, ids: list[str]) -> None:
    resolution = default_resolver().resolve(text)
    assert resolution.kind == kind
    assert [lic.id for lic in resolution.licenses] == ids
    assert resolution.text == text


def test_every_spdx_licence_and_ai_licence_is_a_licence(built) -> None:
    n = built.count("SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a og:License }")
    assert n >= 727
    ai = select(built, "SELECT ?id WHERE { ?l a og:AILicense ; dcterms:identifier ?id }")
    assert {
        "llama2",
        "llama3",
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "llama4",
        "gemma",
        "openrail",
        "bigscience-openrail-m",
        "openrail++",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
        "deepfloyd-if-license",
        "fair-noncommercial-research-license",
        "grok2-community",
        "apple-amlr",
    } <= {r["id"] for r in ai}


def test_fsf_libre_absent_means_unknown(built) -> None:
    rows = select(
        built,
        """SELECT ?fsf WHERE {
        OPTIONAL { spdx:0BSD expandedlicensing:isFsfLibre ?fsf } }""",
    )
    assert rows == [{}]  # SPDX states nothing for 0BSD: we state nothing either
    rows = select(built, "SELECT ?fsf WHERE { spdx:MIT expandedlicensing:isFsfLibre ?fsf }")
    assert rows == [{"fsf": "true"}]


def test_llama_restrictions_are_odrl(built) -> None:
    rows = select(
        built,
        """SELECT ?threshold WHERE {
        <https://w3id.org/openness-graph/id/license/llama2> odrl:prohibition/odrl:constraint ?c .
        ?c odrl:leftOperand og:monthlyActiveUsers ; odrl:rightOperand ?threshold }""",
    )
    assert rows == [{"threshold": "700000000"}]
    rows = select(
        built,
        """SELECT ?url WHERE {
        <https://w3id.org/openness-graph/id/license/gemma> og:licenseText ?url }""",
    )
    assert rows == [{"url": "https://ai.google.dev/gemma/terms"}]


def test_non_commercial_creative_commons_prohibits_commercial_use(built) -> None:
    nc = "ASK { spdx:CC-BY-NC-4.0 odrl:prohibition/odrl:action cc:CommercialUse }"
    assert bool(built.query(nc))
    assert not bool(built.query("ASK { spdx:CC-BY-4.0 odrl:prohibition ?p }"))


def test_hub_ids_are_aliases_of_spdx_licences(built) -> None:
    rows = select(built, 'SELECT ?l WHERE { ?l og:alias "apache-2.0" }')
    assert rows == [{"l": "https://spdx.org/licenses/Apache-2.0"}]
