"""What the pages say of the sources' licences, read from their HTML: the catalogue's
licence of each source graph, and the sources a chart's credit line names."""

from __future__ import annotations

import re

import rdflib
from flask.testing import FlaskClient
from rdflib.namespace import DCTERMS

from openness.namespaces import Graphs


def data_catalogue(client: FlaskClient) -> rdflib.Graph:
    """The catalogue (/catalog) as RDF."""
    return rdflib.Graph().parse(
        data=client.get("/catalog", headers={"Accept": "text/turtle"}).text, format="turtle"
    )


def catalogued_licences(client: FlaskClient) -> dict[str, list[str]]:
    """Each source's licences (by the source's id), as the catalogue states its graph's
    dcterms:license, sorted."""
    stated: dict[str, list[str]] = {}
    for graph, licence in data_catalogue(client).subject_objects(DCTERMS.license):
        if str(graph).startswith(Graphs.source("")):
            stated.setdefault(str(graph).removeprefix(Graphs.source("")), []).append(str(licence))
    return {source: sorted(licences) for source, licences in stated.items()}


def credited(html: str) -> dict[str, list[str]]:
    """The sources the first credit line in ``html`` names, each with the licences it
    links, sorted."""
    line = html.split('<p class="muted credit">', 1)[1].split("</p>", 1)[0]
    return {
        source: sorted(re.findall(r'class="licence" href="([^"]+)"', part))
        for source, part in re.findall(r'data-source="([^"]+)">(.*?)</span>', line, re.S)
    }


def cited(html: str) -> tuple[str, list[str]]:
    """What the first "To cite" line in ``html`` gives: the address or IRI to cite and the
    times it gives (their ``datetime``)."""
    line = html.split('class="muted cite"', 1)[1].split("</span>", 1)[0]
    address = re.search(r"<code>([^<]+)</code>", line)
    assert address, line
    return address[1], re.findall(r'<time datetime="([^"]+)">', line)


def source_rows(html: str) -> dict[str, list[str]]:
    """The home page's sources table: each row's cells (their HTML) by the source's id."""
    table = html.split('<h2 id="sources">', 1)[1].split("</table>", 1)[0]
    return {
        source: re.findall(r"<td>(.*?)</td>", cells)
        for source, cells in re.findall(r'<tr data-source="([^"]+)">(.*?)</tr>', table)
    }
