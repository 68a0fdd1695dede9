"""History and transparency on the web: the parts of pages that read dated verdicts and
the FMTI, each answered by its named query (queries/*.rq), never by SPARQL of its own."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint

from openness.named_queries import catalogue
from openness.server.context import get_store

bp = Blueprint("history", __name__)


def named_rows(name: str, **params: str) -> list[dict[str, str]]:
    """The rows of the named query ``name`` with ``params`` bound, as plain strings."""
    query = catalogue()[name]
    rows = get_store().query(query.text, substitutions=query.bindings(params)).rows()
    return [
        {k: v.value for k, v in row.items() if isinstance(v, ox.Literal | ox.NamedNode)}
        for row in rows
    ]


def transparency(organization: str | None) -> list[dict[str, Any]]:
    """The FMTI scores of an organization (an IRI), oldest edition first."""
    if not organization:
        return []
    return named_rows("organization-transparency", organization=organization)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    # Templates of other blueprints include ours with one line; these give them the data.
    return {"fmti_scores": transparency}
