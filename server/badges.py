"""Badges to paste into a model card: a model's verdict on one definition, or on all of them,
as an SVG in the shields style that links to the evidence (the model page here).

The verdicts are read through ``verdict_rows`` only, and worded with the definitions' own
labels; pybadges2 draws the badge (its text widths are Verdana's, as shields measures).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, url_for
from pybadges2 import badge

from openness.assess.definitions import definitions
from openness.assess.report import verdict_rows
from openness.namespaces import ID
from openness.server.context import get_store
from openness.server.lookup import is_model
from openness.server.search import name_index
from openness.server.wording import outcome

bp = Blueprint("badges", __name__, url_prefix="/badges")

# The pages' colours for the three outcomes (white text on them passes WCAG AA).
GREY = "#555"
COLOURS = {"passed": "#0f6b2f", "failed": "#a4161a", "cantTell": "#7a4f00", "inapplicable": GREY}
# The badge shows the newest stored verdict; image proxies (GitHub's) must ask again.
CACHE = "no-cache"


def _svg(svg: str, status: int = 200) -> Response:
    response = Response(svg, status=status, content_type="image/svg+xml; charset=utf-8")
    response.headers["Cache-Control"] = CACHE
    if status == 200:
        response.add_etag()  # the app answers If-None-Match
    return response


def _not_found(what: str) -> Response:
    return _svg(badge(left_text="openness", right_text=f"no {what}", right_color=GREY), 404)


def _model(model_id: str, endpoint: str, **kwargs: str) -> str | Response:
    """The model's IRI; or the redirect to the badge under its own id when ``model_id`` is
    another name of one model (a Hub id, a typo); or a 'no model' badge."""
    iri = f"{ID}model/{model_id}"
    if is_model(iri):
        return iri
    found = name_index().resolve(model_id)
    if found is None:
        return _not_found("such model")
    canonical = found.removeprefix(ID + "model/")
    return redirect(url_for(endpoint, model_id=canonical, **kwargs), 303)


def page_link(model_id: str, verdict: dict[str, Any] | None = None) -> str:
    """Where a badge leads: the model page, at what it would take to pass a definition the
    model does not pass, else at its verdicts."""
    anchor = "verdicts"
    if (
        verdict is not None
        and verdict["outcome"] in ("failed", "cantTell")
        and definitions()[verdict["definition"]].passes_models  # one that rates has no pass
    ):
        anchor = f"to-pass-{verdict['definition']}"
    return url_for("pages.model", model_id=model_id, _external=True) + "#" + anchor


def snippets(model_id: str, verdicts: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The badges of a model's page, each with the Markdown that shows it in a model card:
    the combined badge first, then one per definition."""
    labels = {d.id: d.label for d in definitions().values()}
    out = [
        {
            "alt": "Openness Graph verdicts",
            "src": url_for("badges.combined_badge", model_id=model_id, _external=True),
            "href": page_link(model_id),
        }
    ]
    for v in verdicts:
        out.append(
            {
                "alt": f"{labels[v['definition']]}: {_value(v)}",
                "src": url_for(
                    "badges.definition_badge",
                    model_id=model_id,
                    definition_id=v["definition"],
                    _external=True,
                ),
                "href": page_link(model_id, v),
            }
        )
    for b in out:
        b["markdown"] = f"[![{b['alt']}]({b['src']})]({b['href']})"
    return out


def _value(verdict: dict[str, Any]) -> str:
    """An outcome as the badge words it: the level reached where the definition grades."""
    if verdict["outcome"] == "passed" and verdict["level"]:
        return verdict["level"]
    return outcome(verdict["outcome"])


@bp.get("/<model_id>/<definition_id>.svg")
def definition_badge(model_id: str, definition_id: str) -> Response:
    """The model's verdict on one definition."""
    d = definitions().get(definition_id)
    if d is None:
        return _not_found("such definition")
    iri = _model(model_id, ".definition_badge", definition_id=definition_id)
    if isinstance(iri, Response):
        return iri
    found = verdict_rows(get_store(), d.id, model=iri)
    if not found:
        return _svg(badge(left_text=d.label, right_text="not assessed", right_color=GREY))
    v = found[0]
    return _svg(
        badge(
            left_text=d.label,
            right_text=_value(v),
            right_color=COLOURS[v["outcome"]],
            whole_link=page_link(model_id, v),
            whole_title=f"{v['name'] or model_id}: {d.label} {_value(v)} (Openness Graph)",
        )
    )


@bp.get("/<model_id>.svg")
def combined_badge(model_id: str) -> Response:
    """The definitions the model passes, in one badge (green when it passes any, amber when
    none but some cannot be told, red when it fails them all)."""
    iri = _model(model_id, ".combined_badge")
    if isinstance(iri, Response):
        return iri
    verdicts = verdict_rows(get_store(), model=iri)
    if not verdicts:
        return _svg(badge(left_text="open by", right_text="not assessed", right_color=GREY))
    labels = {d.id: d.label for d in definitions().values()}
    passed = [v for v in verdicts if v["outcome"] == "passed"]
    if passed:
        text = " · ".join(
            labels[v["definition"]] + (f" {v['level']}" if v["level"] else "") for v in passed
        )
        colour = COLOURS["passed"]
    else:
        unsure = sum(v["outcome"] == "cantTell" for v in verdicts)
        text = f"none of {len(verdicts)}" + (f" ({unsure} can't tell)" if unsure else "")
        colour = COLOURS["cantTell" if unsure else "failed"]
    every = "; ".join(f"{labels[v['definition']]}: {_value(v)}" for v in verdicts)
    return _svg(
        badge(
            left_text="open by",
            right_text=text,
            right_color=colour,
            whole_link=page_link(model_id),
            whole_title=f"{verdicts[0]['name'] or model_id} — {every} (Openness Graph)",
        )
    )
