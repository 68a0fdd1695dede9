"""From SHACL results to verdicts: requirement outcomes, the definition's outcome, and the
graded results of the Model Openness Tool and the European Open Source AI Index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openness.assess.definitions import Definition, mof_component_ids
from openness.assess.engine import Result
from openness.assess.view import ModelEvidence
from openness.namespaces import OG

PASSED, FAILED, CANT_TELL = "passed", "failed", "cantTell"
# Definitions judged from one source's record alone, as their own tools do, and what a
# model without such a record is told.
OWN_SOURCE = {"mof-1.0": "mof", "eu-osai-index": "osai-index"}
WITHOUT_RECORD = {
    "mof-1.0": "no Model Openness Tool record describes this model",
    "eu-osai-index": "the European Open Source AI Index does not rate this model",
}
# MOF component ids (mof.settings.yml) of each class's own requirements (RULES.md §3).
MOF_CLASS_III = (9, 10, 11, 12, 13, 14)
MOF_CLASS_II = (7, 8, 18, 19)
MOF_CLASS_I = (15, 16, 24, 21)
TECH_REPORT, RESEARCH_PAPER = 11, 21


@dataclass
class RequirementVerdict:
    id: str
    iri: str
    label: str
    outcome: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    """The verdict on one model against one definition."""

    model: str
    name: str
    definition: str
    version: str
    outcome: str
    level: str | None = None
    score: float | None = None
    rank: int | None = None
    progress: dict[str, float] | None = None
    reasons: list[str] = field(default_factory=list)
    records: list[dict[str, str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # IRIs of the records judged
    requirements: list[RequirementVerdict] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The object `openness report --format json` prints."""
        return {
            "model": self.model,
            "name": self.name,
            "definition": self.definition,
            "outcome": self.outcome,
            "level": self.level,
            "score": self.score,
            "progress": self.progress,
            "reasons": self.reasons,
            "records": self.records,
        }


def combine(outcomes: list[str]) -> str:
    """Failed if anything failed, else cannot tell if anything could not be told."""
    if FAILED in outcomes:
        return FAILED
    return CANT_TELL if CANT_TELL in outcomes else PASSED


def requirement_verdicts(definition: Definition, results: list[Result]) -> list[RequirementVerdict]:
    by_req: dict[str, list[Result]] = {}
    for r in results:
        req = definition.shapes.get(r.shape)
        if req:
            by_req.setdefault(req, []).append(r)
    out = []
    for iri, req in definition.requirements.items():
        found = by_req.get(iri, [])
        failed = [r.message for r in found if r.severity == "Violation"]
        unsure = [r.message for r in found if r.severity == "Warning"]
        outcome = FAILED if failed else CANT_TELL if unsure else PASSED
        out.append(
            RequirementVerdict(req.id, iri, req.label, outcome, sorted(set(failed or unsure)))
        )
    return sorted(out, key=lambda r: r.id)


def grade(definition: Definition, ev: ModelEvidence, results: list[Result]) -> Verdict:
    """The verdict of one model against one definition from its SHACL results."""
    records = [{"source": s, "id": i} for s, i in sorted(ev.records.values())]
    verdict = Verdict(
        ev.model,
        ev.name,
        definition.id,
        definition.version,
        PASSED,
        records=records,
        evidence=sorted(ev.records),
    )
    sources = {s for s, _ in ev.records.values()}
    own = OWN_SOURCE.get(definition.id)
    if own and own not in sources:
        return _without(verdict, WITHOUT_RECORD[definition.id])
    verdict.requirements = requirement_verdicts(definition, results)
    verdict.outcome = combine([r.outcome for r in verdict.requirements])
    verdict.reasons = [
        f"{r.id}: {reason}"
        for r in verdict.requirements
        if r.outcome != PASSED
        for reason in r.reasons
    ]
    if definition.id == "mof-1.0":
        _mof_class(verdict, definition)
    elif definition.id == "eu-osai-index":
        verdict.score = index_score(ev)
    return verdict


def _without(verdict: Verdict, reason: str) -> Verdict:
    verdict.outcome = CANT_TELL
    verdict.reasons = [reason]
    return verdict


def mof_progress(ok: set[int]) -> dict[str, float]:
    """The tool's three progress percentages (RULES.md §4), unrounded.

    >>> mof_progress({9, 10, 12, 13, 14, 21})["Class III"]
    100.0
    """
    stand_in = TECH_REPORT not in ok and RESEARCH_PAPER in ok
    p3 = min(100.0, (len(ok & set(MOF_CLASS_III)) + stand_in) / 6 * 100)
    p2 = 0.0 if p3 < 100 else (6 + len(ok & set(MOF_CLASS_II))) / 10 * 100
    total = 13 if stand_in else 14
    required = set(MOF_CLASS_III + MOF_CLASS_II + MOF_CLASS_I)
    p1 = 0.0 if p2 < 100 else min(100.0, len(ok & required) / total * 100)
    return {"Class I": p1, "Class II": p2, "Class III": p3}


def _mof_ids(definition: Definition) -> dict[str, int]:
    """Requirement id -> the tool's component id, through the component its check expects."""
    ids = mof_component_ids()
    return {r.id: ids[r.expects[0]] for r in definition.requirements.values()}


def _mof_class(verdict: Verdict, definition: Definition) -> None:
    mof_ids = _mof_ids(definition)
    ok = {mof_ids[r.id] for r in verdict.requirements if r.outcome == PASSED}
    progress = mof_progress(ok)
    verdict.progress = {k: round(v, 1) for k, v in progress.items()}
    level = next((c for c in ("Class I", "Class II", "Class III") if progress[c] == 100), None)
    verdict.level = level
    verdict.outcome = PASSED if level else FAILED
    # Reasons: what keeps the model from the next class (the paper standing in for the
    # technical report is no reason).
    blocking = {
        None: MOF_CLASS_III,
        "Class III": MOF_CLASS_II,
        "Class II": MOF_CLASS_I,
        "Class I": (),
    }[level]
    stand_in = TECH_REPORT not in ok and RESEARCH_PAPER in ok
    verdict.reasons = [
        f"{r.id}: {reason}"
        for r in verdict.requirements
        if mof_ids[r.id] in blocking
        and r.outcome != PASSED
        and not (stand_in and mof_ids[r.id] == TECH_REPORT)
        for reason in r.reasons
    ]


def index_score(ev: ModelEvidence) -> float | None:
    """The Index's score: the mean over the rated dimensions of open = 1, partial = 0.5,
    closed = 0 (the values are og:score on the rating concepts)."""
    values = {
        t.subject.value: float(t.object.value)
        for t in ev.triples
        if t.predicate.value == OG + "score"
    }
    ratings = [
        values[t.object.value]
        for t in ev.triples
        if t.predicate.value == OG + "ratingValue" and t.object.value in values
    ]
    return round(sum(ratings) / len(ratings), 4) if ratings else None


def rank(verdicts: list[Verdict]) -> None:
    """Rank scored verdicts by score, 1 the most open; ties share a rank."""
    scored = sorted((v for v in verdicts if v.score is not None), key=lambda v: -v.score)
    for i, v in enumerate(scored):
        v.rank = scored[i - 1].rank if i and scored[i - 1].score == v.score else i + 1
