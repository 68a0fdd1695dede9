"""How the pages word verdicts for people: labels for definitions, requirements and
outcomes instead of their ids, and links that stay on this server for the IRIs we mint."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint
from markupsafe import Markup, escape

from openness.assess.definitions import definitions, worded_reason
from openness.assess.report import by_outcome, score_text
from openness.server.linked_data import page_links

bp = Blueprint("wording", __name__)

# "inapplicable": rated by a definition that passes or fails no model (og:passesModels false).
OUTCOMES = {
    "passed": "passed",
    "failed": "failed",
    "cantTell": "can't tell",
    "inapplicable": "rated",
    "untested": "not tested",  # a level above one that is not reached
}


@bp.app_template_filter("outcome")
def outcome(value: str) -> str:
    """``cantTell`` → "can't tell"."""
    return OUTCOMES.get(value, value)


@bp.app_template_filter("code_spans")
def code_spans(text: str) -> Markup:
    """A query file's description as HTML: its `backticked` names as code, the rest
    escaped (the descriptions are written as Markdown).

    >>> str(code_spans("the model `model` (<an IRI>)"))
    'the model <code>model</code> (&lt;an IRI&gt;)'
    """
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


@bp.app_template_filter("score")
def score(value: float | str) -> str:
    """A score, as precise on every page as in the reports (0.667, never 0.67)."""
    return score_text(value)


@bp.app_template_filter("instant")
def instant(value: str) -> str:
    """An xsd:dateTime to the minute, in UTC where it gives its offset (a remote store's
    times may have any), as written where it gives none: such a time is in no zone we know.

    >>> instant("2026-12-07T04:41:56.5+02:00")
    '2026-12-07 02:41 UTC'
    >>> instant("2026-12-07T04:41:56")
    '2026-12-07 04:41'
    """
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:  # what Python does not read (hour 24, a year past 9999): as written
        return value
    if t.tzinfo is None:
        return t.strftime("%Y-%m-%d %H:%M")
    return t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.app_template_filter("definition_label")
def definition_label(definition_id: str) -> str:
    d = definitions().get(definition_id)
    return d.label if d else definition_id


# A reason with its requirement's label in place of the requirement's id.
bp.add_app_template_filter(worded_reason, "reason")
# A verdict's reasons beside their requirements' outcomes, those failed first.
bp.add_app_template_filter(by_outcome, "by_outcome")


@bp.app_template_filter("local")
def local(iri: str) -> str:
    """Where a page links ``iri``: here for the IRIs we mint and those the graph describes
    (:func:`openness.server.linked_data.page_links`), else to itself."""
    return page_links([iri])[iri]
