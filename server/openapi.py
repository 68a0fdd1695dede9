"""The OpenAPI description of the HTTP interface, at /openapi.json."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from openness import __version__
from openness.assess.definitions import definitions
from openness.assess.report import VERDICT_KEYS
from openness.server import history, queries
from openness.server.api import LEVELS, OUTCOMES
from openness.server.negotiation import API, PROBLEM
from openness.server.openapi_site import (
    DEFINITION_ID,
    FORMAT,
    MODEL_ID,
    MODEL_NAMED,
    MODEL_OR_NAME,
    NO_FORMAT,
    NOT_OFFERED,
    PATHS,
    RDF,
    RESULTS,
    or_no_format,
    param,
    plain,
)

bp = Blueprint("openapi", __name__)


FORM = {"application/x-www-form-urlencoded": {}}
SHACL_INPUT = ("text/turtle", "application/n-triples", "application/ld+json")
SHACL_FORM = {
    "type": "object",
    "required": ["shapes"],
    "properties": {
        "shapes": {"type": "string", "description": "the shapes graph"},
        "data": {"type": "string", "description": "the data graph (default: a stored graph)"},
        "shapes-format": {"enum": list(SHACL_INPUT), "description": "of a form field"},
        "data-format": {"enum": list(SHACL_INPUT), "description": "of a form field"},
    },
}
# The model's producer (the conformance matrix and a model): null where the graph does not
# know it, its name or its kind.
ORGANIZATION = {
    "organization": {"type": ["string", "null"], "format": "uri"},
    "organizationName": {"type": ["string", "null"]},
    "organizationKind": {"type": ["string", "null"]},
}
VERDICT = {
    "type": "object",
    "required": list(VERDICT_KEYS),
    "properties": {
        "model": {"type": "string", "format": "uri"},
        "name": {"type": ["string", "null"]},
        "definition": {"type": "string"},
        "outcome": {"enum": ["passed", "failed", "cantTell", "inapplicable"]},
        "level": {"enum": [*LEVELS, None]},
        "score": {"type": ["number", "null"]},
        "progress": {"type": ["object", "null"], "additionalProperties": {"type": "number"}},
        "levelOutcomes": {
            "type": ["object", "null"],
            "description": "each level of a graded definition, lowest first: passed, failed "
            "or cantTell (the level reached is the highest passed)",
            "additionalProperties": {"enum": ["passed", "failed", "cantTell"]},
        },
        "reasons": {"type": "array", "items": {"type": "string"}},
        "reasonOutcomes": {
            "type": "array",
            "description": "the outcome of each reason's requirement, in the order of "
            "reasons (a failed verdict's reasons also name what cannot be told); a reason "
            "about no requirement has the verdict's outcome",
            # A reason about no requirement takes the verdict's outcome: any of them.
            "items": {"enum": ["passed", "failed", "cantTell", "inapplicable"]},
        },
        "records": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"source": {"type": "string"}, "id": {"type": "string"}},
            },
        },
        "inScope": {
            "type": "boolean",
            "description": "false when the definition reads one source only and the model "
            "has no record there",
        },
        "rank": {
            "type": ["integer", "null"],
            "description": "the model's rank by score on a scored definition, 1 the best",
        },
        **ORGANIZATION,
    },
}
# A verdict on a posted description, with what the reader left out of it.
VALIDATED = {
    **VERDICT,
    "required": [*VERDICT["required"], "warnings"],
    "properties": {
        **VERDICT["properties"],
        "model": {
            "type": "string",
            "format": "uri",
            "description": "the description's own IRI for the model, in a namespace named by "
            "a digest of the description (urn:openness:description:<digest>/model/…), never "
            "a stored model's; the RDF answer's earl:subject",
        },
        "warnings": {
            "type": "array",
            "items": {"type": "string"},
            "description": "what the reader left out of the description (an unknown component, "
            "a value of the wrong kind), naming the file, record and field; the same for every "
            "verdict on it",
        },
    },
}
MODEL = {
    "type": "object",
    "required": ["model", "name", "records", "verdicts"],
    "properties": {
        "model": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "family": {"type": ["string", "null"], "format": "uri"},
        "familyName": {"type": ["string", "null"]},
        **ORGANIZATION,
        "records": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "record": {"type": "string", "format": "uri"},
                    "source": {"type": "string"},
                    "id": {"type": "string", "description": "the record's id in its source"},
                },
            },
        },
        "verdicts": {"type": "array", "items": {"$ref": "#/components/schemas/Verdict"}},
    },
}
CHANGES_TO_PASS = {
    "type": "object",
    "required": ["definition", "label", "outcome", "inScope", "changes"],
    "properties": {
        "definition": {"type": "string"},
        "label": {"type": "string"},
        "outcome": {"enum": ["failed", "cantTell"]},
        "inScope": {"type": "boolean"},
        "needsRecordIn": {
            "type": ["string", "null"],
            "description": "the one source the definition reads, when it has no record of the "
            "model there",
        },
        "reasons": {"type": "array", "items": {"type": "string"}},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "requirement": {"type": "string", "format": "uri"},
                    "id": {"type": "string"},
                    "label": {"type": "string"},
                    "outcome": {"enum": ["failed", "cantTell"]},
                    "change": {"type": "string", "description": "what the requirement asks for"},
                    "alternative": {
                        "type": ["string", "null"],
                        "description": "what may stand in for it",
                    },
                    "now": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
# /api/search's answer: the models named like the text, each with its verdicts as the
# search page lists them (those of the definitions listed).
SEARCH_VERDICT = {
    "type": "object",
    "required": ["definition", "label", "outcome", "words", "level", "score", "why", "rates"],
    "properties": {
        "definition": {"type": "string"},
        "label": {"type": "string"},
        "outcome": {"enum": ["passed", "failed", "cantTell", "inapplicable"]},
        "words": {"type": "string", "description": "the outcome in words ('passes')"},
        "level": {"enum": [*LEVELS, None]},
        "score": {"type": ["number", "null"]},
        "why": {
            "type": ["string", "null"],
            "description": "the first reason it is not passed (of a failed requirement if any)",
        },
        "rates": {
            "type": "boolean",
            "description": "true for a definition that rates models by score rather than "
            "passing or failing them: its outcome is inapplicable with a score when it "
            "rated the model, cantTell with a null score when it could not; listed apart "
            "on the page",
        },
    },
    # What the description says, checked: a rating passes or fails no model.
    "if": {"properties": {"rates": {"const": True}}},
    "then": {
        "anyOf": [
            {"properties": {"outcome": {"const": "inapplicable"}, "score": {"type": "number"}}},
            {"properties": {"outcome": {"const": "cantTell"}, "score": {"type": "null"}}},
        ]
    },
}
SEARCH = {
    "type": "object",
    "required": ["query", "matches"],
    "properties": {
        "query": {"type": "string", "description": "q as read (at most 200 characters)"},
        "matches": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["model", "id", "name", "matched", "score", "page", "verdicts"],
                "properties": {
                    "model": {"type": "string", "format": "uri"},
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "matched": {"type": "string", "description": "the name that matched"},
                    "score": {"type": "number", "description": "how close it is (0-100)"},
                    "page": {"type": "string", "description": "the model's page"},
                    "verdicts": {
                        "type": "array",
                        "description": "a verdict of a definition this server no longer "
                        "lists (a store judged before it was taken out) is left out",
                        "items": SEARCH_VERDICT,
                    },
                },
            },
        },
    },
}
# An error of the API (RFC 9457 problem details: server.app.api_problem); text/plain to a
# client asking text alone.
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "about:blank: the status says what it is"},
        "title": {"type": "string", "description": "the status's phrase ('Not Found')"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "what was wrong, and what to ask instead"},
    },
}
PROBLEM_CONTENT = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}, "text/plain": {}}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before asking again",
        "schema": {"type": "integer"},
    }
}
# What any route of the API may answer beside its own errors: the guard's (README, "Under
# load") and the store's.
API_ERRORS = {
    "429": {
        "description": "This client already has its limit of queries running or waiting",
        "headers": RETRY_AFTER,
    },
    "503": {
        "description": "The server is busy, the store could not answer (both with "
        "Retry-After), or the request ran past the time limit (without: narrow it)",
        "headers": RETRY_AFTER,
    },
    "default": {"description": "Any other error (405 with Allow, 413, 500)"},
}
DEFINITION = param("definition", "query", "A definition id: " + ", ".join(definitions()))
SVG = {"image/svg+xml": {}}


def _badge(missing: str) -> dict[str, Any]:
    """A badge route's answers; ``missing``: what its 404, a badge too, says."""
    return {
        "200": {"description": "The badge", "content": SVG},
        "303": {"description": "The badge under the model's own id"},
        "304": {"description": "Not modified (If-None-Match)"},
        "404": {"description": f"{missing} (as a badge)", "content": SVG},
    }


# JSON-LD 1.1 § 9: the profile parameter asks for a document form.
QUERY_ANSWER = (
    "Results or a graph; a graph's JSON-LD expanded, or compacted by the prefixes the "
    'resources are when Accept asks application/ld+json;profile="'
    'http://www.w3.org/ns/json-ld#compacted" (the Content-Type names the profile given)'
)
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Openness Graph",
        "version": __version__,
        "description": "Is this AI model open — by which definition, and why not? "
        "Verdicts with evidence, SPARQL, and SHACL validation.",
    },
    "components": {
        "schemas": {
            "Verdict": VERDICT,
            "ValidatedVerdict": VALIDATED,
            "Model": MODEL,
            "Problem": PROBLEM_SCHEMA,
        }
    },
    "paths": {
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 query (or the service description without one)",
                "parameters": [
                    param("query", "query", "The query"),
                    param("default-graph-uri", "query", "Default graph"),
                    param("named-graph-uri", "query", "Named graph"),
                    FORMAT,
                ],
                "responses": {
                    "200": {"description": QUERY_ANSWER, "content": {**RESULTS, **RDF}},
                    "400": plain("Malformed query or bad request"),
                    "406": NOT_OFFERED,
                    "413": plain("Result over the size limit"),
                    "503": plain("Query stopped at the time limit"),
                },
            },
            "post": {
                "summary": "SPARQL 1.1 query by form or directly",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {},
                        "application/sparql-query": {},
                    }
                },
                "responses": {
                    "200": {"description": QUERY_ANSWER, "content": {**RESULTS, **RDF}},
                    "400": plain("Malformed query or bad request"),
                },
            },
        },
        "/queries": {
            "get": {
                "summary": "The named queries",
                "parameters": [FORMAT],
                "responses": {
                    "200": {
                        "description": "The catalogue",
                        "content": {"application/json": {}, "text/html": {}},
                    },
                    "400": plain(NO_FORMAT),
                    "406": NOT_OFFERED,
                },
            }
        },
        "/queries/{name}": {
            method: {
                "summary": "Run a named query; its parameters come from the " + where,
                "parameters": [param("name", "path", "The query's file name", True), FORMAT],
                **({"requestBody": {"content": FORM}} if method == "post" else {}),
                "responses": {
                    "200": {"description": "Results (a page for a browser)", "content": RESULTS},
                    "400": or_no_format(
                        "A parameter is unknown or missing, or a value malformed or not one "
                        "of its parameter's values (each query's own path names them)"
                    ),
                    "404": plain("No such query"),
                    "406": NOT_OFFERED,
                    **(
                        {"415": plain("The body is not a URL-encoded form")}
                        if method == "post"
                        else {}
                    ),
                },
            }
            for method, where in (("get", "query string"), ("post", "form"))
        },
        "/api/conformance": {
            "get": {
                "summary": "The conformance matrix, filtered and paginated",
                "parameters": [
                    DEFINITION,
                    param("organization", "query", "Producer IRI or name"),
                    param(
                        "kind",
                        "query",
                        "Producer kind: company, academic, non-profit, government, collaboration",
                    ),
                    param("outcome", "query", "The outcome", schema={"enum": list(OUTCOMES)}),
                    param("level", "query", "The level reached", schema={"enum": LEVELS}),
                    param("page", "query", "1-based page", schema={"type": "integer"}),
                    param(
                        "per_page",
                        "query",
                        "Items per page (at most 1000)",
                        schema={"type": "integer"},
                    ),
                    FORMAT,
                ],
                "responses": {
                    "200": {
                        "description": "A page of verdicts",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["total", "page", "per_page", "items"],
                                    "properties": {
                                        "total": {"type": "integer"},
                                        "page": {"type": "integer"},
                                        "per_page": {"type": "integer"},
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Verdict"},
                                        },
                                    },
                                }
                            },
                            **RDF,
                        },
                    },
                    "400": or_no_format(
                        "Unknown definition, outcome or level, or page or per_page not a number"
                    ),
                    "406": NOT_OFFERED,
                },
            }
        },
        "/api/search": {
            "get": {
                "summary": "Is X open? The models named like the text, with their verdicts",
                "parameters": [
                    param("q", "query", "a model as people call it (typos are fine)", True),
                    param(
                        "limit",
                        "query",
                        "at most this many models (1-50, default 8)",
                        schema={"type": "integer"},
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The matches, best first",
                        "content": {"application/json": {"schema": SEARCH}},
                    },
                    "400": plain("q is missing or limit is not a number"),
                },
            }
        },
        "/api/models/{model_id}": {
            "get": {
                "summary": "A model, its records in every source, and its verdicts",
                "parameters": [MODEL_OR_NAME, FORMAT],
                "responses": {
                    "200": {
                        "description": "The model",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Model"}},
                            **RDF,
                        },
                    },
                    "400": plain(NO_FORMAT),
                    **MODEL_NAMED,
                    "406": NOT_OFFERED,
                },
            }
        },
        "/api/models/{model_id}/conformance": {
            "get": {
                "summary": (
                    "The model's verdicts; as RDF, the EARL assertions, each linking its "
                    "SHACL report (og:validationReport), which names it back "
                    "(og:validationReportOf: its earl:outcome is the verdict, not sh:conforms)"
                ),
                "parameters": [MODEL_OR_NAME, DEFINITION, FORMAT],
                "responses": {
                    "200": {
                        "description": "Verdicts",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Verdict"},
                                }
                            },
                            **RDF,
                        },
                    },
                    "400": or_no_format("Unknown definition"),
                    **MODEL_NAMED,
                    "406": NOT_OFFERED,
                },
            }
        },
        "/api/models/{model_id}/changes-to-pass": {
            "get": {
                "summary": "What it would take the model to pass each definition it does not",
                "description": "For each definition not passed, the smallest set of changes "
                "that would make the model pass it: one per requirement not passed that the "
                "verdict needs (for a graded definition, those of its lowest level), in the "
                "words of the requirement's shape, with why it is not passed now.",
                "parameters": [MODEL_OR_NAME],
                "responses": {
                    "200": {
                        "description": "One item per definition not passed",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": CHANGES_TO_PASS}
                            }
                        },
                    },
                    **MODEL_NAMED,
                },
            }
        },
        "/badges/{model_id}/{definition_id}.svg": {
            "get": {
                "summary": "A badge of the model's verdict on one definition, for a model card",
                "description": "An SVG in the shields style, linking to the model's page "
                "(at what it would take to pass, when it does not). Another name of one "
                "model is redirected (303) to the badge under the model's id.",
                "parameters": [MODEL_ID, DEFINITION_ID],
                "responses": _badge("No such model or definition"),
            }
        },
        "/badges/{model_id}.svg": {
            "get": {
                "summary": "A badge naming the definitions the model passes",
                "parameters": [MODEL_ID],
                "responses": _badge("No such model"),
            }
        },
        "/api/validate": {
            "post": {
                "summary": "Validate your own model description without storing it",
                "description": "As JSON, one verdict per model and definition, with what "
                "the reader left out of the description (warnings); as RDF (by Accept), "
                "each verdict an EARL assertion linked (og:validationReport, and back: "
                "og:validationReportOf) to the sh:ValidationReport of its definition's "
                "shapes, made by pySHACL (seconds "
                "of CPU a model), as a stored model's conformance is, and stating the "
                "warnings (og:readerWarning). The description is judged alone, unless "
                "with-store is true.",
                "parameters": [
                    DEFINITION,
                    FORMAT,
                    param(
                        "with-store",
                        "query",
                        "true: a base model the description names (og:baseModelName) but "
                        "does not describe is read from the graph, when the name names one "
                        "of its models, and its fine-tunes inherit from that model's stored "
                        "evidence (a warning names each model read); false (the default): "
                        "the description is judged alone, the same whatever the graph holds",
                        schema={"type": "boolean", "default": False},
                    ),
                    param(
                        "Content-Disposition",
                        "header",
                        "A raw body's name, as a multipart form's part gives its file's: "
                        "'inline; filename=my-model.ttl' (folders left out). Messages name "
                        "the description by it, its models' IRIs are minted from it and its "
                        "content, and it names a MOF file's record, as `openness validate "
                        "--name` does; the Content-Type still tells the format. Default: "
                        "description.<suffix> (.ttl for text/turtle, .yml for YAML, …)",
                    ),
                ],
                "requestBody": {
                    "content": {
                        "text/turtle": {},
                        "application/ld+json": {},
                        "application/yaml": {},
                        "multipart/form-data": {},
                    }
                },
                "responses": {
                    "200": {
                        "description": "One verdict per model and definition",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/ValidatedVerdict"},
                                }
                            },
                            **RDF,
                        },
                    },
                    "400": or_no_format("Unreadable description"),
                    "406": NOT_OFFERED,
                    "413": plain("Description over the size limit"),
                    "415": plain("A body of a media type that is no description's"),
                },
            }
        },
        "/api/shacl": {
            "post": {
                "summary": "Validate posted data, or a stored graph, against posted SHACL shapes",
                "description": "Shapes (SHACL Core and SHACL-AF) run in memory under the "
                "server's time and size limits. Posted data is validated as written (its "
                "literals are not canonicalised). SERVICE and FROM in the shapes' SPARQL "
                "are refused (SERVICE is allowed with --allow-service); remote JSON-LD "
                "contexts and owl:imports are never fetched. A JSON-LD key of the shapes or "
                "the data that no @context term maps, which expansion drops, is named on "
                "the report (og:readerWarning).",
                "parameters": [
                    param("graph", "query", "a stored graph's IRI to validate (default: all)"),
                    FORMAT,
                ],
                "requestBody": {
                    "description": "The shapes as the body (data: a stored graph), or the "
                    "shapes and the data as form fields",
                    "content": {
                        **{m: {} for m in SHACL_INPUT},
                        "multipart/form-data": {"schema": SHACL_FORM},
                        "application/x-www-form-urlencoded": {"schema": SHACL_FORM},
                    },
                },
                "responses": {
                    "200": {"description": "The sh:ValidationReport", "content": RDF},
                    "400": or_no_format(
                        "The shapes or data do not parse, cannot be used, or reach out"
                    ),
                    "404": plain("No such graph"),
                    "406": NOT_OFFERED,
                    "413": plain(
                        "The shapes, the data, the report or the memory used are over the limits"
                    ),
                    "503": plain("The validation did not finish within the time limit"),
                },
            }
        },
    },
}


OPENAPI["paths"].update(history.OPENAPI_PATHS)
OPENAPI["paths"].update(PATHS)
# /query is another name of /sparql (some clients expect it).
OPENAPI["paths"]["/query"] = OPENAPI["paths"]["/sparql"]


def operation_id(method: str, path: str) -> str:
    """A name for the operation a client generator gives its method, made of the method and
    the path's words (``get /api/models/{model_id}/conformance``:
    ``getApiModelsModelIdConformance``): unique as the paths are, and the same while the
    path is."""
    words = re.findall(r"[A-Za-z0-9]+", path)
    return method + "".join(w[0].upper() + w[1:] for w in words or ["root"])


def _operation(method: str, path: str, op: dict[str, Any]) -> dict[str, Any]:
    """``op`` with its operationId; under the API, its errors also as problem details and
    the guard's and the store's besides (a copy: /query shares /sparql's objects)."""
    op = {"operationId": operation_id(method, path), **op}
    if path.startswith(f"{API}/"):
        responses = {
            status: (
                {**answer, "content": PROBLEM_CONTENT}
                if status >= "4" and set(answer.get("content", {})) == {"text/plain"}
                else answer
            )
            for status, answer in op["responses"].items()
        }
        extra = {s: {**a, "content": PROBLEM_CONTENT} for s, a in API_ERRORS.items()}
        # A status the route describes itself (/api/shacl's 503) is the shared one too: its
        # description first, the shared one's headers (Retry-After) kept.
        both = {
            s: {
                **extra[s],
                **answer,
                "description": f"{answer['description']}. {extra[s]['description']}",
            }
            for s, answer in responses.items()
            if s in extra
        }
        op["responses"] = {**extra, **responses, **both}
    return op


@bp.get("/openapi.json")
def openapi() -> Response:
    # Each named query's parameters and values are read from its file and the store.
    named, listed = queries.openapi_paths()
    # The paths are under the public URL's path (--public-url), which a client resolves
    # this relative server against this document's address to reach.
    servers = [{"url": request.script_root or "/"}]
    paths = {
        path: {method: _operation(method, path, op) for method, op in ops.items()}
        for path, ops in {**OPENAPI["paths"], **named}.items()
    }
    response = jsonify({**OPENAPI, "servers": servers, "paths": paths})
    return queries.uncached_unless(listed, response)
