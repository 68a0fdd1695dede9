"""From validation results to verdicts, for any definition: requirement outcomes, levels and
progress where the definition declares levels, its score where it declares a score query.
What each definition asks for is read from its shapes (openness.assess.definitions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openness.assess.definitions import Definition
from openness.assess.setwise import Result

PASSED, FAILED, CANT_TELL = "passed", "failed", "cantTell"
# A requirement of a graded definition above the lowest level not reached: not judged.
UNTESTED = "untested"
# A model rated by a definition that passes or fails none (og:passesModels false).
INAPPLICABLE = "inapplicable"


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
    outcome: str
    level: str | None = None  # the level's label
    level_iri: str | None = None
    score: float | None = None
    in_scope: bool = True
    progress: dict[str, float] | None = None  # level label -> percentage
    level_outcomes: dict[str, str] | None = None  # level label -> passed/failed/cantTell
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
            "rank": None,  # a verdict judged alone is ranked among no other
            "inScope": self.in_scope,
            "progress": self.progress,
            "levelOutcomes": self.level_outcomes,
            "reasons": self.reasons,
            "reasonOutcomes": reason_outcomes(
                self.reasons, {r.id: r.outcome for r in self.requirements}, self.outcome
            ),
            "records": self.records,
        }


def reason_outcomes(
    reasons: Iterable[str], requirements: Mapping[str, str], outcome: str
) -> list[str]:
    """The outcome of each reason's requirement (a reason is "<requirement id>: why", and
    ``requirements`` the outcome by requirement id), in order: a failed verdict's reasons
    also name what cannot be told, which did not make it fail. A reason about no
    requirement (the one source a definition reads is silent) is the verdict's own."""
    return [requirements.get(r.partition(": ")[0], outcome) for r in reasons]


@dataclass(frozen=True)
class Subject:
    """A model as the grader needs it: name and the records judged."""

    model: str
    name: str
    records: tuple[tuple[str, str, str], ...]  # (record IRI, source notation, source id)


def combine(outcomes: Iterable[str]) -> str:
    """Failed if anything failed, else cannot tell if anything could not be told."""
    outcomes = list(outcomes)
    if FAILED in outcomes:
        return FAILED
    return CANT_TELL if CANT_TELL in outcomes else PASSED


def requirement_verdicts(d: Definition, results: Iterable[Result]) -> list[RequirementVerdict]:
    by_req: dict[str, list[Result]] = {}
    for r in results:
        req = d.shapes.get(r.shape)
        if req:
            by_req.setdefault(req, []).append(r)
    out = []
    for iri, req in d.requirements.items():
        found = by_req.get(iri, [])
        failed = [r.message for r in found if r.severity == "Violation"]
        unsure = [r.message for r in found if r.severity == "Warning"]
        outcome = FAILED if failed else CANT_TELL if unsure else PASSED
        out.append(
            RequirementVerdict(req.id, iri, req.label, outcome, sorted(set(failed or unsure)))
        )
    return sorted(out, key=lambda r: r.id)


def grade(
    d: Definition,
    subject: Subject,
    results: Iterable[Result],
    *,
    in_scope: bool = True,
    score: float | None = None,
) -> Verdict:
    """The verdict of one model against one definition from its validation results."""
    verdict = Verdict(
        subject.model,
        subject.name,
        d.id,
        PASSED,
        records=[
            {"source": s, "id": i} for _, s, i in sorted(subject.records, key=lambda r: r[1:])
        ],
        evidence=sorted(r for r, _, _ in subject.records),
    )
    if not in_scope:
        verdict.outcome, verdict.in_scope = CANT_TELL, False
        verdict.reasons = [d.without_source_reason]
        return verdict
    verdict.requirements = requirement_verdicts(d, results)
    verdict.outcome = combine(r.outcome for r in verdict.requirements)
    verdict.reasons = _reasons(verdict.requirements, lambda r: True)
    if d.levels:
        _levels(verdict, d)
    if not d.passes_models:
        verdict.outcome = INAPPLICABLE
    if score is not None:
        verdict.score = round(score, 4)
    return verdict


def _reasons(reqs: list[RequirementVerdict], counts: Any) -> list[str]:
    return [
        f"{r.id}: {reason}"
        for r in reqs
        if r.outcome != PASSED and counts(r)
        for reason in r.reasons
    ]


def progress(d: Definition, passed: set[str]) -> dict[str, float]:
    """Progress towards each level (level IRI -> percentage, unrounded).

    A level counts its own requirements and those of lower levels. A requirement that
    og:standsInFor a failed one counts for it on the levels below its own; from its own
    level up, the failed one is no longer counted. A level's progress is 0 until the level
    below is reached.
    """
    out: dict[str, float] = {}
    cumulative: set[str] = set()
    below = 100.0
    stand_ins = {
        r.iri: r.stands_in_for
        for r in d.requirements.values()
        if r.stands_in_for and r.iri in passed and r.stands_in_for not in passed
    }
    for level in d.levels:
        cumulative |= {r.iri for r in d.requirements.values() if r.level == level}
        counted = set(cumulative)
        credit = 0
        for stand_in, failed in stand_ins.items():
            if failed in counted:
                if stand_in in counted:
                    counted.discard(failed)
                else:
                    credit += 1
        share = (len(passed & counted) + credit) / len(counted) * 100 if counted else 100.0
        out[level] = 0.0 if below < 100 else min(100.0, share)
        below = out[level]
    return out


def stand_ins(d: Definition, outcomes: dict[str, str]) -> dict[str, str]:
    """Requirement IRI -> the passed requirement standing in for it: it does not count."""
    return {
        r.stands_in_for: r.iri
        for r in d.requirements.values()
        if r.stands_in_for and outcomes.get(r.iri) == PASSED
    }


def level_outcomes(d: Definition, outcomes: dict[str, str]) -> dict[str, str]:
    """Each level's outcome (level IRI -> passed, failed or cantTell): the requirements of
    the level and of every lower one combined, those another stands in for left out; a
    level above one not reached has that level's outcome (it is not reached for the same
    reasons, as its progress is 0 until the level below is reached).

    The same levels are reached as by progress() reaching 100%; a level not reached is
    failed when a requirement counted for it failed, and cannot be told otherwise.
    """
    skip = stand_ins(d, outcomes)
    counted: list[str] = []
    out: dict[str, str] = {}
    below = PASSED
    for level in d.levels:
        counted += [
            outcomes[r.iri]
            for r in d.requirements.values()
            if r.level == level and r.iri not in skip and r.iri in outcomes
        ]
        out[level] = below = combine(counted) if below == PASSED else below
    return out


def _levels(verdict: Verdict, d: Definition) -> None:
    outcomes = {r.iri: r.outcome for r in verdict.requirements}
    passed = {iri for iri, o in outcomes.items() if o == PASSED}
    reached = progress(d, passed)
    verdict.progress = {d.level_labels[lv]: round(p, 1) for lv, p in reached.items()}
    tiers = level_outcomes(d, outcomes)
    verdict.level_outcomes = {d.level_labels[lv]: o for lv, o in tiers.items()}
    top = [lv for lv in d.levels if tiers[lv] == PASSED]
    verdict.level_iri = top[-1] if top else None
    verdict.level = d.level_labels[top[-1]] if top else None
    # The definition is met when its lowest level is; three-valued like that level.
    verdict.outcome = tiers[d.levels[0]]
    following = d.levels[len(top)] if len(top) < len(d.levels) else None
    _as_graded(verdict, d, stand_ins(d, outcomes), following)
    # What keeps the model from the next level: the failed or untold requirements of it.
    verdict.reasons = _reasons(
        verdict.requirements, lambda r: d.requirements[r.iri].level == following
    )


def _as_graded(
    verdict: Verdict, d: Definition, skip: dict[str, str], following: str | None
) -> None:
    """The requirement outcomes the level and progress were computed from (issue 10,
    category 6), so that no explanation contradicts the level: a requirement another
    stands in for is met through it, and a requirement of a level above the lowest one not
    reached was not judged (that level's progress is 0 whatever it says)."""
    above = set(d.levels[d.levels.index(following) + 1 :]) if following else set()
    for r in verdict.requirements:
        if r.iri in skip and r.outcome != PASSED:
            # Named by its label, as the pages name requirements (its id is the IRI's).
            by = d.requirements[skip[r.iri]].label
            r.outcome = PASSED
            r.reasons = [f"met by '{by}', which stands in for it ({why})" for why in r.reasons]
        elif d.requirements[r.iri].level in above:
            r.outcome = UNTESTED
            r.reasons = [f"not judged: {d.level_labels[following]} is not reached"]
