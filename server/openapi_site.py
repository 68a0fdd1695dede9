"""The parts of /openapi.json beyond the conformance API: the building blocks every path
uses, the SPARQL protocol's other routes (/query, /update, the Graph Store), the linked
data (/id, /ns, /shapes, VoID), the health check, and the pages people open in a browser.
tests/test_api_and_linked_data.py checks the description against the app's routes."""

from __future__ import annotations

from typing import Any

from openness.server.negotiation import RESOURCE_TYPES, RESULT_TYPES


def plain(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {}}}


def param(
    name: str,
    where: str,
    description: str,
    required: bool = False,
    schema: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


RDF = {
    m: {}
    for m in ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
}
RESULTS = {m: {} for m in RESULT_TYPES}
HTML = {"text/html": {}}
RESOURCE = {m: {} for m in RESOURCE_TYPES}
FORMAT = param(
    "format",
    "query",
    "A format by name or media type instead of Accept (also `output`, `results`); one "
    "naming no format is 400, which lists those there are",
)
# A route that negotiates answers a format= naming no format 400 (alone, or beside its
# other causes: or_no_format) and one fitting nothing it offers 406, each listing them.
NO_FORMAT = "format= names no format (the answer lists those there are)"
NOT_OFFERED = plain("No format offered fits the Accept header or format= (it lists them)")


def or_no_format(causes: str) -> dict[str, Any]:
    """The 400 of a route that negotiates and refuses ``causes`` too."""
    return plain(f"{causes}; or {NO_FORMAT}")


MODEL_ID = param("model_id", "path", "The last path segment of the model's IRI", True)
# A route of the API for one model (server.lookup.model_iri) takes another name of it too.
MODEL_OR_NAME = param(
    "model_id",
    "path",
    "The last path segment of the model's IRI; or its name or a source's id, a Hub "
    "repository's with its slash (allenai/OLMo-7B or allenai%2FOLMo-7B), redirected to the "
    "route under its id (a repository named as a route, someorg/history, is its model "
    "unless someorg is a model's own id)",
    True,
)
MODEL_NAMED = {
    "300": plain("A name several models have: their ids, one to choose"),
    "303": {"description": "Another name of one model: the same route under its id"},
    "404": plain("No such model; or, after a model's id or name, no route of it"),
    "410": {
        "description": "A withdrawn model's IRI (every record of it removed), or its last "
        "name where no living model has it (case and punctuation aside): its last name, "
        "the day it was withdrawn, its former records and the models now called so (JSON; "
        "its tombstone in an RDF format asked; text when neither is taken)",
        "content": {"application/json": {}, "text/turtle": {}, "text/plain": {}},
    },
}
DEFINITION_ID = param("definition_id", "path", "A definition id (see /definitions)", True)
UPDATE_AUTH = {
    "401": plain("The bearer token is missing or wrong"),
    "403": plain("Updates are off on this server"),
}


def _page(summary: str, *parameters: dict[str, Any], **responses: Any) -> dict[str, Any]:
    """A page for people (HTML), with its parameters and answers beyond 200."""
    return {
        "get": {
            "summary": summary,
            "parameters": list(parameters),
            "responses": {"200": {"description": "The page", "content": HTML}, **responses},
        }
    }


def _linked(
    summary: str, *parameters: dict[str, Any], more: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A resource that dereferences: RDF (Turtle for */*) by Accept or ``format``, HTML for
    a client naming it (a browser); ``more``: the other answers it may give."""
    return {
        "get": {
            "summary": summary,
            "parameters": [*parameters, FORMAT],
            "responses": {
                "200": {
                    "description": "Its description; of one the graph names without "
                    "describing it, the triples naming it, the first few hundred (then a "
                    "Link header to the query giving every one)",
                    "content": RESOURCE,
                },
                "400": plain(NO_FORMAT),
                "404": {
                    "description": "Nothing is said about it here (a page for a browser)",
                    "content": {**HTML, "text/plain": {}},
                },
                "406": NOT_OFFERED,
                **(more or {}),
            },
        }
    }


# What an IRI no longer issued answers: where it went, or that it is gone.
ISSUED_BEFORE = {
    "303": {
        "description": "A retired IRI (a merged model's, a Hub repository's former id's "
        "record or dataset): what it is now, the format asked kept"
    },
    "410": {
        "description": "A withdrawn model's or a removed source record's IRI: its tombstone "
        "(when, its last name or the model it was of) as RDF, a page, else text",
        "content": {**RESOURCE, "text/plain": {}},
    },
}


MATRIX_FILTERS = [
    param(
        "q",
        "query",
        "Part of a model's name or Hugging Face id (case, dashes and slashes do not count)",
    ),
    param(
        "definition",
        "query",
        "With outcome: keep the models with that outcome on it; with by: whose requirements",
    ),
    param("outcome", "query", "passed, failed, cantTell or inapplicable"),
    param("kind", "query", "Producer kind"),
    param("by", "query", "requirements: one column per requirement of the definition"),
]

GRAPH = param("graph", "query", "The named graph's IRI")

STORE = {
    "get": {
        "summary": "SPARQL 1.1 Graph Store Protocol: a named graph, or with ?default the union",
        "parameters": [GRAPH, param("default", "query", "The default graph (the union)"), FORMAT],
        "responses": {
            "200": {"description": "The graph", "content": RDF},
            "400": or_no_format("No graph named"),
            "404": plain("No such graph"),
            "406": NOT_OFFERED,
            "413": plain(
                "The graph is over the result size limit: where to get it instead (the "
                "dump of the whole dataset, the named graphs one at a time), also as Link"
            ),
        },
    },
    **{
        method: {
            "summary": summary + " (needs --update-token or --open-update)",
            "parameters": [GRAPH],
            **({"requestBody": {"content": RDF}} if method != "delete" else {}),
            "responses": {
                "201": {"description": "Created"},
                "204": {"description": "Done"},
                "400": plain("No graph named, or the body does not parse"),
                **UPDATE_AUTH,
                "404": plain("No such graph"),
                "415": plain("The body is not RDF"),
            },
        }
        for method, summary in (
            ("put", "Replace a named graph"),
            ("post", "Add to a named graph"),
            ("delete", "Drop a named graph"),
        )
    },
}

PATHS: dict[str, Any] = {
    "/update": {
        "post": {
            "summary": "SPARQL 1.1 update (needs --update-token or --open-update)",
            "parameters": [
                param("using-graph-uri", "query", "The update's default graph"),
                param("using-named-graph-uri", "query", "A named graph of the update"),
            ],
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {},
                    "application/sparql-update": {},
                }
            },
            "responses": {
                "204": {"description": "Done"},
                "400": plain("Malformed update, or one reaching other servers"),
                **UPDATE_AUTH,
            },
        }
    },
    "/store": STORE,
    "/.well-known/void": _linked(
        "VoID: the named graphs, their triple counts, sources and licences, the dump (Turtle "
        "for */*, a page for a browser)"
    ),
    "/catalog": _linked("The DCAT catalogue: the dataset, its distributions, the SPARQL service"),
    "/dump/openness.nq.gz": {
        "get": {
            "summary": "The whole dataset, every named graph, as gzipped N-Quads (written by "
            "openness build or dump); ETag (its SHA-256), Last-Modified and ranges",
            "responses": {
                "200": {"description": "The file", "content": {"application/gzip": {}}},
                "206": {"description": "A range of it", "content": {"application/gzip": {}}},
                "304": {"description": "Not modified"},
                "404": plain("No dump holds what the store holds: why, and what writes one"),
            },
        }
    },
    "/health": {
        "get": {
            "summary": "Liveness: whether the server process answers, and the state of its "
            "query processes; the store is not asked (see /health/ready)",
            "responses": {"200": {"description": "ok", "content": {"application/json": {}}}},
        }
    },
    "/health/ready": {
        "get": {
            "summary": "Readiness: whether the store answers a trivial query (ASK {}) within "
            "2 s, for a load balancer to stop sending traffic while a remote engine is down",
            "responses": {
                "200": {"description": "ready", "content": {"application/json": {}}},
                "503": {
                    "description": "not ready: the reason in words (the engine's address and "
                    "error go to the server's log); from the moment the server is told to "
                    "stop (SIGTERM), 'the server is stopping' with Retry-After",
                    "content": {"application/json": {}},
                },
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This description",
            "description": "The values of a named query's enumerated parameter are read "
            "from the store: while it cannot be read they are left out, the parameter saying "
            "so, and the answer is sent with Cache-Control: no-store, to be asked again.",
            "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}
            },
        }
    },
    "/id/model/{model_id}": _linked(
        "A model's IRI: in a browser its page, verdicts first",
        MODEL_ID,
        more={
            **ISSUED_BEFORE,
            "404": {
                "description": "No model has it and nothing is said about it here (text "
                "naming the three models called most like it); in a browser, that of no "
                "model, the models called most like it (a page)",
                "content": {**HTML, "text/plain": {}},
            },
        },
    ),
    "/id/{rest}": _linked(
        "Any IRI the graph mints (records, organizations, licences, definitions, assessments)",
        param("rest", "path", "The IRI's path after /id/", True),
        more=ISSUED_BEFORE,
    ),
    "/resource": _linked(
        "An IRI outside our namespace the graph describes (an SPDX licence, a Croissant "
        "description's file set): what the graph says of it, where pages link it",
        param("iri", "query", "The IRI", True, {"type": "string", "format": "uri"}),
        more={
            "303": {"description": "One we mint: its own path, the format asked kept"},
            "400": or_no_format("iri= names no absolute IRI"),
        },
    ),
    "/graph/{rest}": _linked(
        "A named graph's IRI: what the graph says of it (provenance); its triples are at "
        "/store?graph=IRI",
        param("rest", "path", "The graph IRI's path after /graph/", True),
    ),
    "/ns": _linked("The ontology: its documentation, or its Turtle"),
    "/ns/{rest}": _linked(
        "A concept of the vocabularies (component types, Index dimensions, ...)",
        param("rest", "path", "The concept's path after /ns/", True),
    ),
    "/shapes/{name}": _linked(
        "A definition's shapes", param("name", "path", "The shapes graph's name", True)
    ),
    "/": {
        "get": {
            "summary": "Home: what the graph holds and how many models pass each definition",
            "parameters": [FORMAT],
            "responses": {
                "200": {
                    "description": "The page, or its counts as JSON",
                    "content": {**HTML, "application/json": {}},
                },
                "400": plain(NO_FORMAT),
                "406": NOT_OFFERED,
            },
        }
    },
    "/favicon.ico": {
        "get": {
            "summary": "The site's icon",
            "responses": {"200": {"description": "SVG", "content": {"image/svg+xml": {}}}},
        }
    },
    "/search": _page(
        "Is X open? The models named like the text, one line per definition",
        param("q", "query", "a model as people call it (typos are fine)"),
    ),
    "/models/{model_id}": _page(
        "A model's page: verdicts, what it would take to pass, badges, the evidence",
        MODEL_ID,
        **{
            "303": {"description": "Another name of one model: its page"},
            "404": {"description": "No model: the closest names", "content": HTML},
        },
    ),
    "/matrix": _page("The conformance matrix", *MATRIX_FILTERS),
    "/matrix.csv": {
        "get": {
            "summary": "What the matrix shows with the same filters: its models' verdicts, "
            "or with by=requirements a line a model and a column a requirement",
            "parameters": [
                *MATRIX_FILTERS,
                param("search", "query", "What the table's search box holds: as q"),
            ],
            "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}},
        }
    },
    "/definitions": _page("Every definition, with how many models pass it"),
    "/definitions/{definition_id}": _page(
        "A definition: its requirements, how often each is not met, its shapes",
        DEFINITION_ID,
        **{"404": {"description": "No such definition: the list", "content": HTML}},
    ),
    "/validate": {
        **_page(
            "The validation form: a model component by component, or a description to paste",
            param("from", "query", "A model id: start from what the sources say about it"),
        ),
        "post": {
            "summary": "Judge the form's description (not stored)",
            "requestBody": {
                "content": {"application/x-www-form-urlencoded": {}, "multipart/form-data": {}}
            },
            "responses": {
                "200": {"description": "The verdicts", "content": HTML},
                "400": {"description": "Unreadable description", "content": HTML},
            },
        },
    },
    "/editor": _page(
        "The SPARQL editor (YASGUI)", param("query", "query", "A query to open (a permalink)")
    ),
}
