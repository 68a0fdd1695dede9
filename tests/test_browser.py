"""The web pages in real headless Chromium (Debian's, driven by Playwright): the home page,
the matrix, model pages, a query run from the editor, a validation, accessibility basics,
and axe-core's WCAG 2.1 AA rules on a page of every kind. .ci/run installs Chromium;
elsewhere these tests are skipped when it is missing."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pyoxigraph as ox
import pytest
from playwright.sync_api import expect
from support.live import serving

from openness.assess.definitions import definitions
from openness.assess.service import resolve_models
from openness.history import build_verdict_history
from openness.ingest.identity import rebuild_identity
from openness.ingest.records import owned_triples
from openness.ingest.snapshots import ingest_history, manifest
from openness.named_queries import catalogue
from openness.namespaces import Graphs, mint
from openness.resources import ontology_dir, sources_dir
from openness.server import create_app
from openness.server.public_url import PublicOrigin
from openness.store import EmbeddedStore

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(reported: Path, tmp_path_factory: pytest.TempPathFactory):
    """The reported models' store with what the pages of the other kinds show: a verdict
    history (OLMo-7B's, as of the Model Openness Tool's first snapshot and today's: ~10 s
    where every snapshot took ~40) and a withdrawn model (Chinchilla, whose one record the
    tool dropped, as an ingest drops it)."""
    location = tmp_path_factory.mktemp("site") / "store"
    shutil.copytree(reported, location)
    store = EmbeddedStore(location)
    mof = [s for s in manifest() if s.source == "mof"]
    ingest_history(store, [mof[0], next(s for s in mof if s.current)])
    build_verdict_history(store, resolve_models(store, ["OLMo-7B"]))
    dropped, graph = mint("record", "mof", "Chinchilla"), Graphs.source("mof")
    store.write(remove={graph: owned_triples(store, [dropped], graph)})
    rebuild_identity(store)
    store.close()
    app = create_app({"STORE_LOCATION": str(location)})
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "chromium is missing: apt-get install chromium"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


# What Chromium logs when the page's Content-Security-Policy refused something.
REFUSED = "Content Security Policy"


@contextmanager
def watched(browser) -> Iterator[tuple[sync_api.Page, list[str]]]:
    """A page in a context of its own, and what the server's Content-Security-Policy refused
    it (what Chromium logged), filled in as it goes; the context is closed after."""
    context = browser.new_context()
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: REFUSED in message.text and refused.append(message.text))
    try:
        yield page, refused
    finally:
        context.close()


@pytest.fixture
def page(browser):
    """A page whose visits end with nothing refused by the server's Content-Security-Policy:
    a refusal is a script, style or request a page needs that the policy broke."""
    with watched(browser) as (page, refused):
        yield page
    assert refused == []


def test_home_page_shows_the_headline_chart(page, site: str) -> None:
    page.goto(site)
    assert page.title() == "Openness Graph"
    # A bar for each definition that passes or fails models; the one that only rates (the
    # Index) says so instead of drawing a 0% bar.
    passing = [d for d in definitions().values() if d.passes_models]
    chart = page.get_by_role("group", name="Share of assessed models that pass each definition")
    assert chart.locator("rect.bar").count() == len(passing)
    assert chart.locator("text.rated").count() == len(definitions()) - len(passing)
    # each label is a link to its definition, reachable as one
    assert chart.get_by_role("link").count() == len(definitions())
    assert "passes none by design" in page.locator("svg text.rated").first.text_content()
    labels = chart.text_content()
    assert all(d.label in labels for d in definitions().values())


def test_matrix_sorts_searches_and_moves_by_keyboard(page, site: str) -> None:
    page.goto(site + "matrix")
    rows = page.locator("#matrix tbody tr")
    assert rows.count() >= 6
    page.get_by_role("button", name="Index score").click()
    page.get_by_role("button", name="Index score").click()  # descending: best first
    first = rows.nth(0).locator("th").inner_text()
    assert first  # sorted without error
    # The column header says how it is sorted, to assistive technology.
    sorted_by = page.locator("#matrix thead th[aria-sort]")
    assert sorted_by.count() == 1 and sorted_by.get_attribute("aria-sort") == "descending"
    assert "Index score" in sorted_by.inner_text()
    page.fill("#search", "olmo")
    visible = [r for r in rows.all() if r.is_visible()]
    assert [r.locator("th").inner_text() for r in visible] == ["OLMo-7B"]
    page.fill("#search", "")
    page.fill("#search", "llama 2")  # dashes do not count
    visible = [r.locator("th").inner_text() for r in rows.all() if r.is_visible()]
    assert visible == ["Llama-2-7B"]
    page.fill("#search", "")
    page.locator("#matrix thead").get_by_role("link", name="OSAID 1.0").click()
    page.wait_for_url("**/definitions/**")  # the title is read once the page is there
    page.wait_for_load_state()
    assert page.title().startswith("OSAID 1.0")
    page.go_back()
    # one tab stop for the whole table; arrow keys move within it
    stops = page.evaluate(
        "Array.from(document.querySelectorAll('#matrix tbody *'))"
        ".filter((e) => e.tabIndex >= 0).length"
    )
    assert stops == 1
    page.locator("#matrix tbody [tabindex='0']").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.closest('td, th').cellIndex") == 2


def test_model_page_for_olmo(page, site: str) -> None:
    page.goto(site + "models/allenai--olmo-7b")
    assert page.locator("h1").inner_text() == "OLMo-7B"
    verdicts = page.locator("#verdicts").inner_text()
    assert "OSAID 1.0" in verdicts and "passed" in verdicts and "Class I" in verdicts
    # one bar per level of each graded definition (MOF's three classes, the G7's four labels)
    levels = sum(len(d.levels) for d in definitions().values())
    assert page.locator("#verdicts progress").count() == levels == 7
    assert page.get_by_role("heading", name="Model Openness Tool — record “OLMo-7B”").count() == 1


def test_model_page_for_llama_2_says_why_not(page, site: str) -> None:
    page.goto(site + "models/llama-2-7b")
    page.locator("#why-osaid-1\\.0").evaluate("d => { d.open = false; }")  # a reader folded it
    row = page.locator("#verdicts tr", has_text="OSAID 1.0")
    row.get_by_role("link", name="why").click()  # leads to the reasons, opened (model.js)
    assert page.locator("details[open]:target summary").inner_text() == "Why not: OSAID 1.0"
    assert "Llama 2 Community License" in page.locator("main").inner_text()


def test_a_why_link_shows_the_reasons_without_a_script(browser, site: str) -> None:
    """Without JavaScript, following 'why' lands on reasons one can read, not on a closed
    disclosure whose reasons are hidden."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "models/llama-2-7b")
        row = page.locator("#verdicts tr", has_text="OSAID 1.0")
        row.get_by_role("link", name="why").click()
        assert page.url.endswith("#why-osaid-1.0")
        reasons = page.locator(":target li", has_text="Llama 2 Community License")
        assert reasons.first.is_visible()
    finally:
        context.close()


def test_a_source_statement_leads_to_the_requirement_it_decided(page, site: str) -> None:
    """On Meta-Llama-3-70B-Instruct's page, the Hub's gating opens onto the requirements
    it was evidence against; following one lands on that requirement's row."""
    page.goto(site + "models/meta-llama--meta-llama-3-70b-instruct")
    hub = page.locator("section.source", has_text="Hugging Face Hub")
    gated = hub.locator("dd", has=page.locator("details.used-by")).filter(has_text="Approval")
    gated.locator("summary").click()
    item = gated.locator("li", has_text="evidence against").first
    assert item.locator(".badge").inner_text() == "failed"
    link = item.get_by_role("link")
    target = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_url(f"**#{target}")
    row = page.locator(":target")
    assert row.get_attribute("id") == target and row.is_visible()


def test_opening_a_model_iri_shows_its_page(page, site: str) -> None:
    page.goto(site + "id/model/llama-2-7b")
    assert page.locator("h1").inner_text() == "Llama-2-7B"
    assert page.locator("#verdicts tbody tr").count() == len(definitions())
    page.get_by_role("link", name="Turtle").first.click()
    assert "og:hasRecord" in page.locator("body").inner_text()


def test_a_validation_from_the_validate_page(page, site: str) -> None:
    page.goto(site + "validate")
    page.fill("#description", (ontology_dir() / "examples" / "open-model.ttl").read_text())
    page.get_by_role("button", name="Validate", exact=True).click()
    result = page.locator("#result").inner_text()
    assert "Tiny Open LM" in result and "OSAID 1.0" in result and "passed" in result


def test_pasting_a_mof_yaml_validates_it_and_keeps_it(page, site: str) -> None:
    text = (sources_dir() / "mof" / "models" / "OLMo-7B.yml").read_text(encoding="utf-8")
    page.goto(site + "validate")
    page.fill("#description", text)  # the format is left to be recognised
    page.get_by_role("button", name="Validate", exact=True).click()
    # Waited for (up to a minute): counted at once, the answer might not be shown yet.
    expect(page.get_by_text("Read as MOF YAML.")).to_have_count(1, timeout=60_000)
    result = page.locator("#result").inner_text()
    assert "OLMo-7B" in result and "MOF 1.0" in result and "cantTell" not in result
    assert page.input_value("#description").strip() == text.strip()


def test_every_form_control_has_a_label_and_outcomes_have_contrast(page, site: str) -> None:
    for path in ("matrix", "editor", "validate"):
        page.goto(site + path)
        unlabeled = page.evaluate("""Array.from(document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')).filter(
            (e) => !(e.id && document.querySelector(`label[for="${e.id}"]`))
                   && !e.getAttribute("aria-label")).map((e) => e.outerHTML)""")
        assert unlabeled == [], path
    page.goto(site + "matrix")
    cells = page.evaluate("""Array.from(document.querySelectorAll(
        'td.passed, td.failed, td.cantTell')).slice(0, 50).map((td) => {
            const s = getComputedStyle(td); return [s.color, s.backgroundColor]; })""")
    assert min(contrast(fg, bg) for fg, bg in cells) >= 4.5


def test_the_disagreements_table_has_contrast_in_every_shade(page) -> None:
    """The definitions page's table of disagreements shades a cell by its count, the count
    a link: in every shade the link's colour has 4.5:1 against the cell (WCAG 1.4.3) — the
    link blue on the second shade had 4.1:1. Drawn with the site's stylesheet, each shade
    present, whichever the data give."""
    css = (Path(__file__).resolve().parents[1] / "server" / "static" / "style.css").read_text()
    cells = "".join(f'<td class="heat-{n}"><a href="#x">{n}</a></td>' for n in range(5))
    page.set_content(f'<style>{css}</style><table class="heat"><tr>{cells}</tr></table>')
    shades = page.evaluate("""Array.from(document.querySelectorAll('.heat td')).map((td) =>
        [td.className, getComputedStyle(td.querySelector('a')).color,
         getComputedStyle(td).backgroundColor])""")
    assert len(shades) == 5
    for shade, fg, bg in shades:
        bg = "rgb(255, 255, 255)" if bg == "rgba(0, 0, 0, 0)" else bg  # the page's white
        assert contrast(fg, bg) >= 4.5, (shade, fg, bg)


def contrast(one: str, other: str) -> float:
    """The contrast ratio of two CSS colours as computed styles give them (``rgb(r, g, b)``),
    as WCAG 2.1 defines it."""

    def luminance(colour: str) -> float:
        channels = [float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_stands_out_on_white_and_on_the_outcomes(page, site: str) -> None:
    """The focus ring has one colour of 3:1 or more against the white page and one against
    each outcome's cell (WCAG 1.4.11): the amber ring alone had 1.9:1 on white."""
    page.goto(site + "matrix")
    page.locator("#matrix tbody [tabindex='0']").focus()
    ring = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineColor, ...(s.boxShadow.match(/rgba?\\([^)]*\\)/g) || [])]; })()""")
    backgrounds = page.evaluate("""['passed', 'failed', 'cantTell'].map((o) =>
        getComputedStyle(document.querySelector('td.' + o)).backgroundColor)""")
    for background in ["rgb(255, 255, 255)", *backgrounds]:
        assert max(contrast(c, background) for c in ring) >= 3, (ring, background)


def test_the_focus_ring_is_whole_at_a_scrolling_tables_edge(page, site: str) -> None:
    """The focus ring of a cell or link the arrow keys move to in the matrix, which scrolls
    inside its own box at 400 px, is drawn whole: the box clips what is drawn outside it,
    and the ring's outer amber band (a box-shadow) was cut off where the focus scrolled the
    cell to the box's edge."""
    page.set_viewport_size({"width": 400, "height": 720})
    page.goto(site + "matrix")
    page.locator("#matrix tbody [tabindex='0']").focus()
    clipped = []
    for key in ["ArrowRight"] * 12 + ["Home", "ArrowDown", "End", "ArrowLeft", "Home"]:
        page.keyboard.press(key)
        clipped += page.evaluate(
            """(key) => { const e = document.activeElement, s = getComputedStyle(e);
              const table = e.closest('table');
              const lengths = s.boxShadow.replace(/rgba?\\([^)]*\\)/g, '').match(/-?[\\d.]+px/g);
              const spread = lengths && !s.boxShadow.includes('inset') ? parseFloat(lengths[3]) : 0;
              const reach = Math.max(
                spread, parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset));
              const box = e.getBoundingClientRect(), edge = table.getBoundingClientRect();
              const left = edge.left + table.clientLeft, top = edge.top + table.clientTop;
              const cut = box.left - reach < left - 0.5 || box.top - reach < top - 0.5
                || box.right + reach > left + table.clientWidth + 0.5
                || box.bottom + reach > top + table.clientHeight + 0.5;
              return cut ? [`${key}: ${e.tagName} ${e.textContent.trim().slice(0, 20)}: ring
                ${box.left - reach}–${box.right + reach}, box ${left}–${left + table.clientWidth}`]
                : []; }""",
            key,
        )
    assert not clipped, clipped


def test_the_over_time_chart_lines_stand_out_on_the_page(page, site: str) -> None:
    """Each line of the passing-over-time chart, and its swatch in the key, has 3:1 or more
    against the page's background (WCAG 1.4.11): Okabe–Ito's yellow had 1.3:1, its orange
    and sky blue 2.2–2.3:1."""
    page.goto(site)
    colours = page.evaluate("""[...document.querySelectorAll('.line-chart .series path')]
        .map((e) => getComputedStyle(e).stroke).concat([...document.querySelectorAll(
        '.legend .swatch')].map((e) => getComputedStyle(e).backgroundColor))""")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert len(colours) >= 2 * 2, colours  # lines and swatches are drawn (two definitions or more)
    # A transparent body shows the canvas, white
    page_colour = "rgb(255, 255, 255)" if background == "rgba(0, 0, 0, 0)" else background
    weak = {c: round(contrast(c, page_colour), 2) for c in colours if contrast(c, page_colour) < 3}
    assert not weak, weak


def test_asking_whether_llama_2_is_open(page, site: str) -> None:
    """The answer lists the definitions that pass or fail a model under the count of them,
    and below it, apart, the one that rates models and passes none by design (the Index),
    as the page is laid out: the test counted every row together, and would have passed
    with the Index's row back among those counted."""
    page.goto(site + "matrix")  # the box is on every page
    page.get_by_label("Is it open?").fill("llama 2")
    page.keyboard.press("Enter")
    answer = page.locator("section.answer")
    assert answer.locator("h2").inner_text().startswith("Llama-2-7B")
    judging = sorted(d.label for d in definitions().values() if d.passes_models)
    rating = sorted(d.label for d in definitions().values() if not d.passes_models)
    lists, rated = answer.locator("ul.verdicts"), answer.locator("p.rated")
    expect(lists).to_have_count(2)
    assert sorted(lists.nth(0).locator("li > a").all_inner_texts()) == judging
    assert sorted(lists.nth(1).locator("li > a").all_inner_texts()) == rating
    counted = re.search(
        r"It passes (?:none of |all |\d+ of )(\d+) definitions that pass or fail",
        answer.locator("p.summary").inner_text(),
    )
    assert counted and int(counted[1]) == len(judging)
    said = rated.inner_text()
    assert all(label in said for label in rating) and "none by design" in said
    # Shown in that order, one under the other: counted rows, the sentence, rated rows.
    boxes = [e.bounding_box() for e in (lists.nth(0), rated, lists.nth(1))]
    assert all(box and box["height"] > 0 for box in boxes)
    assert [
        upper["y"] + upper["height"] <= lower["y"] for upper, lower in itertools.pairwise(boxes)
    ] == [True] * 2
    answer.get_by_role("link", name="Llama-2-7B", exact=True).click()
    assert page.locator("h1").inner_text() == "Llama-2-7B"
    page.goto(site + "models/allenai/OLMo-7B")  # a name as the Hub gives it
    assert page.url.endswith("/models/allenai--olmo-7b")
    assert page.locator("h1").inner_text() == "OLMo-7B"


def test_the_other_models_verdicts_say_whose_they_are(page, site: str) -> None:
    """A screen reader lists a page's buttons by name: each other model's disclosure of its
    verdicts says whose they are: on "llama" seven said "Verdicts" and the badges, if any,
    and nothing of whose."""
    page.goto(site + "search?q=llama")
    others = page.locator("ul.others > li")
    models = others.evaluate_all("(li) => li.map((e) => e.querySelector('a').textContent)")
    summaries = [n["name"] for n in accessibility_tree(page) if n["role"] == "DisclosureTriangle"]
    assert len(models) > 1
    pairs = zip(summaries, models, strict=True)  # one disclosure to each model
    assert [s for s, m in pairs if not s.startswith(f"Verdicts on {m}")] == []


def test_no_page_scrolls_sideways_at_400_pixels(page, site: str) -> None:
    page.set_viewport_size({"width": 400, "height": 800})
    for path in (
        "",
        "matrix",
        "matrix?by=requirements&definition=mof-1.0",  # MOF's fourteen requirements
        "definitions",
        "models/llama-2-7b",
        "models/allenai--olmo-7b",  # progress bars of seven levels, a wide combined badge
        "models/meta-llama--meta-llama-3-70b-instruct",
        "search?q=llama",
        "validate",
        "editor",
        "queries",
        "ns",
        "id/org/meta",
    ):
        page.goto(site + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 400, path
        assert page.locator("header nav").is_visible(), path
        assert page.locator("link[href$='style.css']").count() == 1, path


def test_a_models_verdicts_fit_400_pixels(page, site: str) -> None:
    """At 400 px the verdicts table holds every outcome, level and progress bar in view
    (the level column goes under each verdict) instead of cutting them at its edge."""
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(site + "models/allenai--olmo-7b")
    outside = page.evaluate(
        "Array.from(document.querySelectorAll('#verdicts td, #verdicts progress'))"
        ".filter((e) => e.getBoundingClientRect().right > 400).length"
    )
    assert outside == 0
    assert page.locator("#verdicts progress").first.is_visible()


def run_query(page, text: str) -> None:
    """Type a query into the editor as a person would, and run it."""
    page.locator(".CodeMirror:visible").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.locator(".yasqe_queryButton").click()


def test_a_query_typed_in_the_editor_shows_results_with_local_links(page, site: str) -> None:
    page.goto(site + "editor")
    run_query(page, "SELECT ?m WHERE { ?m a og:Model ; schema:name ?n } ORDER BY ?n LIMIT 3")
    page.wait_for_selector(".yasr_response_chip:has-text('3 results')")
    assert "PREFIX og:" in page.locator(".CodeMirror:visible").inner_text()  # declared as typed
    links = page.locator(".yasr tbody a")
    assert links.count() == 3
    assert links.first.get_attribute("href").startswith("/id/model/")
    assert "query=" in page.url  # the address holds the query that ran
    run_query(page, "SELECT ?m WHERE { ?m a og:Model ")  # does not parse
    page.wait_for_selector(".yasr:has-text('does not parse')")
    assert page.locator(".yasr tbody a").count() == 0  # the old result is gone


def test_a_construct_permalink_opens_and_runs(page, site: str) -> None:
    query = "CONSTRUCT { ?m schema:name ?n } WHERE { ?m a og:Model ; schema:name ?n } LIMIT 4"
    page.goto(site + "editor?" + urlencode({"query": query}))
    assert "CONSTRUCT" in page.locator(".CodeMirror:visible").inner_text()
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(".yasr_response_chip:has-text('4 results')")
    header = page.locator(".yasr thead").inner_text()
    assert "subject" in header and "object" in header
    page.select_option("#example", "definitions")  # a named query as an example
    assert "og:OpennessDefinition" in page.locator(".CodeMirror:visible").inner_text()


def test_the_editor_completes_this_graphs_terms(page, site: str) -> None:
    page.goto(site + "editor")
    page.locator(".CodeMirror:visible").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT * WHERE { ?m a og:Mod")
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    assert "og:Model" in hints.inner_text().split()
    page.keyboard.press("Escape")
    page.keyboard.type("el . GRAPH <https://w3id.org/openness-graph/graph/ass")
    page.keyboard.press("Control+Space")
    hints.wait_for()
    assert hints.inner_text().split() == ["<https://w3id.org/openness-graph/graph/assessments>"]


def test_the_editor_says_how_to_leave_the_query_and_that_way_leaves_it(page, site: str) -> None:
    """In the query Tab indents, as YASGUI's editor has it: the page tells a keyboard user
    that Esc, then Tab, leaves it (WCAG 2.1.2, no keyboard trap), and that way does."""
    page.goto(site + "editor")
    assert "Esc, then Tab, leaves it" in page.locator("main p").first.inner_text()
    in_query = "document.activeElement.matches('.CodeMirror textarea')"
    page.locator(".CodeMirror:visible").click()
    page.keyboard.press("Tab")
    assert page.evaluate(in_query)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not page.evaluate(in_query)


def test_the_editor_says_a_querys_answer_to_a_screen_reader(page, site: str) -> None:
    """The answer comes without a page load: a live region that was on the page before it
    (one added with its text is not announced) says how many results, an ASK's answer, or
    why the query failed."""
    page.goto(site + "editor")

    def said(words: str) -> list[str]:
        """What the live regions read, once one of them reads ``words``."""
        page.wait_for_function(
            "(w) => [...document.querySelectorAll('[aria-live], [role=status]')]"
            ".some((e) => e.textContent.includes(w))",
            arg=words,
        )
        return [n["text"] for n in accessibility_tree(page) if n.get("live") == "polite"]

    assert [n for n in accessibility_tree(page) if n.get("live") == "polite"]
    run_query(page, "SELECT ?m WHERE { ?m a og:Model } LIMIT 3")
    assert any(text.startswith("3 results") for text in said("3 results"))
    run_query(page, "SELECT ?m WHERE { ?m a og:Model ")  # does not parse
    assert any("does not parse" in text for text in said("The query failed"))
    run_query(page, "ASK { ?m a og:Model }")  # its answer is neither a count nor a table
    assert any(text.startswith("True (Response") for text in said("True"))


def test_the_editors_buttons_are_named_in_words(page, site: str) -> None:
    """A screen reader says a button by its name: each of the editor's, YASGUI's too, has a
    word in it, none a symbol alone (YASGUI's "✖" that clears the endpoint was said as
    "heavy multiplication x")."""
    page.goto(site + "editor")
    run_query(page, "SELECT ?m WHERE { ?m a og:Model } LIMIT 3")
    page.wait_for_selector(".yasr_response_chip:has-text('3 results')")
    buttons = [n["name"] for n in accessibility_tree(page) if n["role"] == "button"]
    assert buttons and [name for name in buttons if not re.search(r"[a-z]", name, re.I)] == []


def test_the_editors_results_say_each_columns_name(page, site: str) -> None:
    """A screen reader says a cell's column header as it moves along a row: each header of
    YASR's results table has a name, its row numbers' too (named by editor.js)."""
    page.goto(site + "editor")
    run_query(page, "SELECT ?m ?n WHERE { ?m a og:Model ; schema:name ?n } LIMIT 3")
    page.wait_for_selector(".yasr_response_chip:has-text('3 results')")
    headers = [n["name"] for n in accessibility_tree(page) if n["role"] == "columnheader"]
    assert len(headers) == 3 and headers[0].strip(), headers
    assert [name.split()[0] for name in headers[1:]] == ["m", "n"]  # the variables' own


ASKED = ["https://example.org/sparql", "https://example.com/other/sparql"]


def ask_endpoints(page, site: str) -> sync_api.Locator:
    """The editor, its endpoint history holding the endpoints ``ASKED`` (typed in its
    endpoint field, Enter after each): the field."""
    page.goto(site + "editor")
    field = page.locator("input.autocomplete:visible")
    for endpoint in ASKED:
        field.fill(endpoint)
        field.press("Enter")
    return field


def shown_endpoints(page) -> list[str]:
    """The endpoints the endpoint field's list shows, in order."""
    return page.eval_on_selector_all(
        ".autocompleteList li", "(ls) => ls.map((l) => l.firstChild.textContent)"
    )


def listed_endpoints(page, field: sync_api.Locator) -> list[str]:
    """Open the endpoint field's list (emptied, it shows the whole history and this server's
    endpoint), with the focus in the field: the endpoints it lists, in order."""
    field.fill("")
    page.wait_for_selector(".autocompleteList li", state="attached")
    list_settled(page)  # drawn whole: read mid-draw, under load, its order was not the list's
    return shown_endpoints(page)


def focused_name(page) -> str:
    """The focused element's name given by editor.js (its tag name if it has none)."""
    return page.evaluate("(({ activeElement: e }) => e.ariaLabel ?? e.tagName)(document)")


def list_settled(page) -> int:
    """How many endpoints the field's list shows once what a focus or key set going in the
    page (YASGUI's list is drawn after a zero-delay timer and a promise) has run."""
    return page.evaluate(
        """() => new Promise((done) => setTimeout(() => requestAnimationFrame(() =>
             done(document.querySelectorAll('.autocompleteList li').length))))"""
    )


def endpoint_combobox(page) -> dict:
    """What Chromium's accessibility tree says of the endpoint field (its role, name,
    ``expanded``, …), and, from the page, the option its ``aria-activedescendant`` names
    (its role and text, or None) and the listbox its ``aria-controls`` names (its role)."""
    fields = [n for n in accessibility_tree(page) if n["name"] == "SPARQL endpoint"]
    assert len(fields) == 1, fields
    return fields[0] | page.evaluate(
        """() => {
             const field = [...document.querySelectorAll("input.autocomplete")]
               .find((e) => e.offsetParent);  // the shown tab's
             const of = (e) => e && {role: e.getAttribute("role"), text: e.textContent};
             return {
               active: of(document.getElementById(field.getAttribute("aria-activedescendant"))),
               controls: of(document.getElementById(field.getAttribute("aria-controls"))),
             };
           }"""
    )


def test_the_endpoint_field_says_which_endpoint_the_arrow_keys_highlight(page, site: str) -> None:
    """The endpoint field and its list are the ARIA Authoring Practices' combobox with a
    listbox: the field is a combobox (its list collapsed or expanded) controlling a listbox
    named for what it lists, whose options are the endpoints; the arrow keys move the field's
    active descendant, the option selected, with the highlight YASGUI draws (a class alone
    before), also once Shift+Delete removed one; the list closed, nothing is active. The
    "✖" beside each endpoint is out of the tree (the option's text is the endpoint's alone)."""
    field = ask_endpoints(page, site)
    closed = endpoint_combobox(page)
    assert (closed["role"], closed.get("expanded"), closed["active"]) == ("combobox", False, None)
    assert closed["controls"]["role"] == "listbox"
    endpoints = listed_endpoints(page, field)
    opened = endpoint_combobox(page)
    assert (opened.get("expanded"), opened["active"]) == (True, None)
    tree = accessibility_tree(page)
    assert [n["name"] for n in tree if n["role"] == "listbox"] == ["SPARQL endpoints"]
    # (the page's other options are the named queries' select)
    assert [n["name"] for n in tree if n["role"] == "option" and n["name"] in endpoints] == (
        endpoints
    )
    for endpoint in endpoints:
        field.press("ArrowDown")
        assert endpoint_combobox(page)["active"] == {"role": "option", "text": endpoint}
        tree = accessibility_tree(page)
        selected = [n["name"] for n in tree if n["role"] == "option" and n.get("selected")]
        assert [name for name in selected if name in endpoints] == [endpoint]
        # the "✖" the highlighted endpoint shows is not in the tree (nor in the option)
        buttons = [n["name"] for n in tree if n["role"] == "button" and n["text"] == "✖"]
        assert buttons == ["Clear the endpoint"]
    field.press("ArrowUp")  # the last but one: an endpoint of the history
    field.press("Shift+Delete")
    assert list_settled(page) == len(endpoints) - 1
    field.press("ArrowUp")  # the list drawn anew: the last again
    assert endpoint_combobox(page)["active"] == {"role": "option", "text": endpoints[-1]}
    page.keyboard.press("Escape")  # YASGUI's: the list closes
    assert list_settled(page) == 0
    closed = endpoint_combobox(page)
    assert (closed["expanded"], closed["active"]) == (False, None)


def test_the_endpoint_lists_remove_buttons_are_out_of_the_tab_order(page, site: str) -> None:
    """Shift+Delete removes the highlighted endpoint with the focus in the field, as the
    combobox pattern keeps it; the "✖" beside it, a control inside an option, leaves the Tab
    order (Tab from the field goes on past the list, which closes). The mouse still presses
    it: the endpoint goes for good (a reload does not bring it back), the status region
    says so, and the endpoint in use stays."""
    errors: list[Exception] = []
    page.on("pageerror", lambda error: errors.append(error))
    field = ask_endpoints(page, site)
    chosen = page.evaluate("yasgui.getTab().getEndpoint()")  # the last one asked
    assert set(ASKED) < set(listed_endpoints(page, field))
    field.press("ArrowDown")
    field.press("Tab")
    assert focused_name(page) == "Clear the endpoint"  # the field's own "✖", past the list
    assert list_settled(page) == 0
    endpoints = listed_endpoints(page, field)
    field.press("ArrowDown")  # the first: its "✖" is shown
    removed = endpoints[0]
    page.locator(".autocompleteList .autoComplete_selected .removeItem").click()
    assert page.inner_text("#query-status") == f"{removed} removed from the endpoint history."
    assert removed not in listed_endpoints(page, field)
    assert page.evaluate("yasgui.getTab().getEndpoint()") == chosen
    assert errors == []
    page.reload()
    assert removed not in listed_endpoints(page, field)


def test_every_endpoint_of_the_history_is_removed_from_the_keyboard(page, site: str) -> None:
    """The arrow keys highlight an endpoint of the list with the focus in the field (the
    combobox pattern); Shift+Delete there removes the highlighted endpoint from the history,
    whichever it is, keeps the focus and what is typed in the field, and leaves the list open
    with the others, and the status region says what went; the editor's help says the key.
    The endpoint in use stays; a reload does not bring the removed back."""
    errors: list[Exception] = []
    page.on("pageerror", lambda error: errors.append(error))
    field = ask_endpoints(page, site)
    key_help = "Shift+Delete removes the endpoint the arrow keys chose from the history"
    assert key_help in page.locator("main p").first.inner_text()
    chosen = page.evaluate("yasgui.getTab().getEndpoint()")
    for endpoint in ASKED:
        endpoints = listed_endpoints(page, field)
        for _ in range(endpoints.index(endpoint) + 1):
            field.press("ArrowDown")
        highlighted = ".autocompleteList .autoComplete_selected"
        assert page.locator(highlighted).inner_text().startswith(endpoint)
        field.press("Shift+Delete")
        assert focused_name(page) == "SPARQL endpoint"
        assert field.input_value() == ""  # the key removed no text
        left = [e for e in endpoints if e != endpoint]
        assert list_settled(page) == len(left)  # the list stays open, without it
        assert shown_endpoints(page) == left
        # said to a screen reader, whose focus stayed in the field
        assert page.inner_text("#query-status") == f"{endpoint} removed from the endpoint history."
        field.press("ArrowUp")  # the arrow keys go over the list as it is now
        assert page.locator(highlighted).inner_text().startswith(left[-1])
    # with no endpoint highlighted, Shift+Delete is the field's: no endpoint goes
    endpoints = listed_endpoints(page, field)
    field.press("Shift+Delete")
    assert listed_endpoints(page, field) == endpoints
    assert page.evaluate("yasgui.getTab().getEndpoint()") == chosen
    assert errors == []
    page.reload()
    assert not set(ASKED) & set(listed_endpoints(page, field))


def test_a_permalink_opens_beside_the_work_in_progress(page, site: str) -> None:
    page.goto(site + "editor")
    run_query(page, "SELECT ?d WHERE { ?d a og:OpennessDefinition }")  # kept by the browser
    page.wait_for_selector(".yasr_response_chip:has-text('results')")
    page.goto(site + "editor?" + urlencode({"query": "ASK { ?m a og:Model }"}))
    tabs = page.get_by_role("tab")
    assert tabs.count() == 2
    assert "ASK" in page.locator(".CodeMirror:visible").inner_text()
    tabs.first.click()
    assert "OpennessDefinition" in page.locator(".CodeMirror:visible").inner_text()


def test_a_failing_model_shows_what_it_would_take_to_pass(page, site: str) -> None:
    page.goto(site + "models/llama-2-7b")
    row = page.locator("#verdicts tr", has_text="MOF 1.0")
    row.get_by_role("link", name="what it would take").click()
    assert page.url.endswith("#to-pass-mof-1.0")
    changes = page.locator("#to-pass-mof-1\\.0 ol.changes li")
    assert changes.count() >= 1
    text = changes.all_inner_texts()
    # the weights are under Llama 2's community licence: relicensing them is one change
    assert any("Model parameters (Final) must be released" in t and "Llama 2" in t for t in text)
    assert page.locator("#to-pass-osaid-1\\.0").is_visible()


def test_a_badge_from_the_model_page_leads_back_to_the_evidence(page, site: str) -> None:
    page.goto(site + "models/llama-2-7b")
    badges = page.locator("#badges")
    markdown = badges.locator("code", has_text="osaid-1.0.svg").inner_text()
    svg_url = markdown.split("](")[1].split(")")[0]  # what a model card would embed
    assert badges.locator(f"img[src='{svg_url}']").evaluate("i => i.naturalWidth") > 0
    page.goto(svg_url)
    assert "OSAID 1.0" in page.locator("svg").text_content()
    page.locator("a").first.click()
    page.wait_for_url("**/models/llama-2-7b#to-pass-osaid-1.0")
    assert page.locator("#to-pass-osaid-1\\.0 ol.changes li").count() >= 1


def test_the_guided_form_gives_verdicts_as_it_is_filled_in(page, site: str) -> None:
    page.goto(site + "validate")
    page.get_by_label("Name").fill("Form LM")
    page.get_by_label("Model architecture: released?").select_option("yes")
    page.get_by_label("Model architecture: licence").fill("Apache-2.0")
    page.get_by_label("Model parameters (Final): released?").select_option("yes")
    page.get_by_label("Model parameters (Final): licence").fill("CC-BY-NC-4.0")
    # no button pressed: the verdicts follow what is typed
    page.wait_for_selector("#result:has-text('CC-BY-NC-4.0')", timeout=60_000)
    result = page.locator("#result").inner_text()
    assert "Form LM" in result and "MOF 1.0" in result and "failed" in result
    assert "cantTell" not in result and "mof-1.0." not in result  # labels, not ids
    # the verdicts stay in view beside the field being typed in, the details further down
    bar = page.locator("#verdict-bar")
    assert "MOF 1.0: failed" in bar.inner_text()
    box, height = bar.bounding_box(), page.viewport_size["height"]
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= height
    assert page.get_by_label("Model parameters (Final): licence").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download it").click()
    written = Path(download.value.path()).read_text(encoding="utf-8")
    assert "name: Form LM" in written and "license: CC-BY-NC-4.0" in written
    page.get_by_role("button", name="Validate this description").click()  # without script too
    assert page.get_by_label("Model parameters (Final): licence").input_value() == "CC-BY-NC-4.0"
    assert "Form LM" in page.locator("#result").inner_text()


def test_the_guided_forms_verdicts_are_said_to_a_screen_reader(page, site: str) -> None:
    """The guided form's verdicts come without a page load: a live region that was on the
    page before them says them (one put in with its text is not announced), and says the
    verdicts alone, not the MOF YAML and the reasons that come with them."""
    page.goto(site + "validate")
    said = live_regions_from_the_start(page)
    page.get_by_label("Name").fill("Form LM")
    page.get_by_label("Model parameters (Final): released?").select_option("yes")
    page.wait_for_selector("#verdict-bar:has-text('Form LM')", timeout=60_000)
    assert any(s.startswith("Verdicts on Form LM:") and "MOF 1.0: " in s for s in said())
    assert not any("name: Form LM" in s for s in said())  # the YAML


def test_the_guided_form_says_what_it_left_out_to_a_screen_reader(page, site: str) -> None:
    """What the guided form left out of what is judged comes with its verdicts, in the
    outcome validate.js puts in: the status region that says the verdicts says how many
    things were left out too (the note's own region is put in with its text, unannounced)."""
    page.goto(site + "validate")
    said = live_regions_from_the_start(page)
    page.get_by_label("Name").fill("Form LM")
    page.get_by_label("Model parameters (Final): released?").select_option("yes")
    page.get_by_label("Model parameters (Final): licence").fill("No Such Licence At All")
    page.wait_for_selector("#left-out", timeout=60_000)
    left_out = page.locator("#left-out li").count()
    things = "thing" if left_out == 1 else "things"
    assert any(
        s.startswith("Verdicts on Form LM:") and f"{left_out} {things} left out of what" in s
        for s in said()
    )


def test_the_guided_forms_left_out_count_is_said_once(page, site: str) -> None:
    """The guided form's status region says the verdicts and how many things were left out;
    the note that lists them is not a live region too (one put in with its text is said by
    some screen readers, and then the count was said twice, the list with it)."""
    page.goto(site + "validate")
    page.get_by_label("Name").fill("Form LM")
    page.get_by_label("Model parameters (Final): released?").select_option("yes")
    page.get_by_label("Model parameters (Final): licence").fill("No Such Licence At All")
    page.wait_for_selector("#left-out", timeout=60_000)
    page.wait_for_function("document.getElementById('verdicts-said').textContent")
    # Chromium marks a live region's root alone (its "text" reads what it holds).
    regions = [
        n["text"] for n in accessibility_tree(page) if n.get("live") in ("polite", "assertive")
    ]
    said = [r for r in regions if "left out" in r.lower()]
    assert len(said) == 1 and said[0].startswith("Verdicts on Form LM:"), said


def live_regions_from_the_start(page) -> Callable[[], list[str]]:
    """Mark the page's live regions now; what is returned reads what the marked ones say
    later (a live region put in with its text is not announced, so the others are not)."""
    page.evaluate(
        "document.querySelectorAll('[aria-live], [role=status]')"
        ".forEach((e) => { e.dataset.fromTheStart = 'yes'; })"
    )
    return lambda: page.evaluate(
        "[...document.querySelectorAll('[aria-live], [role=status]')]"
        ".filter((e) => e.dataset.fromTheStart).map((e) => e.textContent)"
    )


def test_trying_a_relicensing_from_the_model_page(page, site: str) -> None:
    page.goto(site + "models/llama-2-7b")
    # Until the form's page has loaded: its rows are counted at once, not waited for (on a
    # loaded machine none was found, the page not parsed yet).
    with page.expect_navigation():
        page.get_by_role("link", name="Try changes in the validation form").click()
    owd = page.locator("#result tr", has_text="OWD 0.3")
    expect(owd.locator("td.failed")).to_have_count(1, timeout=60_000)
    page.get_by_label("Model parameters (Final): licence").fill("Apache-2.0")  # relicense
    page.wait_for_selector("#result tr:has-text('OWD 0.3') td.passed", timeout=60_000)


def test_what_is_typed_before_the_script_runs_is_validated(page, site: str) -> None:
    """On a slow page the form can be typed in before validate.js listens for input."""
    page.route("**/validate.js", lambda route: route.abort())
    page.goto(site + "validate?from=llama-2-7b")
    page.get_by_label("Model parameters (Final): licence").fill("Apache-2.0")
    assert page.locator("#result tr:has-text('OWD 0.3') td.failed").count() == 1
    page.unroute("**/validate.js")
    page.add_script_tag(url=site + "static/validate.js")
    page.wait_for_selector("#result tr:has-text('OWD 0.3') td.passed", timeout=60_000)


def test_a_fine_tune_shows_what_it_inherits_and_leads_to_its_base(page, site: str) -> None:
    page.goto(site + "models/m-a-p--chatmusician")
    inherited = page.locator("section.inherited")
    finding = inherited.locator("li", has_text="'Llama 2 Community License', which restricts")
    finding.locator("summary").first.click()
    requirement = finding.locator("details li", has_text="evidence against").first
    assert requirement.locator(".badge").inner_text() == "failed"
    inherited.get_by_role("link", name="Llama-2-7B", exact=True).click()
    assert page.locator("h1").inner_text() == "Llama-2-7B"


def test_the_matrix_shows_a_definitions_requirements_as_columns(page, site: str) -> None:
    """Index-style: one click turns the columns into OSAID's requirements, each cell the
    model's outcome on one; a header leads to the requirement on the definition's page."""
    osaid = next(d for d in definitions().values() if d.label == "OSAID 1.0")
    page.goto(site + "matrix")
    page.locator("#columns").get_by_role("link", name="OSAID 1.0").click()
    headers = page.locator("#matrix thead th").all_inner_texts()
    assert [h.rstrip(" ↕") for h in headers[2:]] == [r.label for r in osaid.requirements.values()]
    rows = page.locator("#matrix tbody tr")
    olmo = rows.filter(has=page.locator("th", has_text=re.compile("^OLMo-7B$")))

    def shown(cells) -> list[str]:
        """Each cell's shown text: the words a screen reader alone is given follow a break."""
        return [t.split("\n", 1)[0] for t in cells.all_inner_texts()]

    assert set(shown(olmo.locator("td"))) == {"passed"}  # it passes OSAID 1.0
    llama = rows.filter(has=page.locator("th", has_text=re.compile("^Llama-2-7B$"))).locator("td")
    assert shown(llama)[0] == "failed" and "failed" in shown(llama)[1:]
    page.fill("#search", "llama 2")  # the search and the keyboard work as before
    assert [
        r.locator("th").inner_text()
        for r in page.locator("#matrix tbody tr").all()
        if r.is_visible()
    ] == ["Llama-2-7B"]
    first = next(iter(osaid.requirements.values()))
    page.locator("#matrix thead").get_by_role("link", name=first.label, exact=True).click()
    page.wait_for_url(f"**/definitions/{osaid.id}#{first.id}")
    assert page.locator(":target").is_visible()
    page.go_back()
    page.locator("#columns").get_by_role("link", name="one per definition").click()
    assert "OWD 0.3" in page.locator("#matrix thead").inner_text()


def test_each_matrix_cell_says_whose_verdict_it_is_and_on_what(page, site: str) -> None:
    """A matrix cell's link is named by its outcome, its row's model and its column's
    definition (and requirement), as Chromium's accessibility tree gives it: a screen
    reader's list of links read "passed" ×32 leading to as many verdicts. The shown outcome
    starts the name (WCAG 2.5.3), and sorting goes by what is shown."""
    osaid = definitions()["osaid-1.0"]
    for path in ("matrix", f"matrix?by=requirements&definition={osaid.id}"):
        page.goto(site + path)
        cells = page.evaluate(
            """Array.from(document.querySelectorAll("#matrix td a")).map((a) => {
                 const td = a.closest("td"), shown = a.cloneNode(true);
                 shown.querySelectorAll(".sr-only").forEach((e) => e.remove());
                 const header = (i) => td.closest("table").tHead.rows[0].cells[i]
                   .querySelector("a").textContent;
                 return {shown: shown.textContent, model: td.parentElement.cells[0].textContent,
                         column: header(td.cellIndex), definition: header(1)};
               })"""
        )
        names = accessible_names(page, "#matrix td a")
        assert len(names) == len(cells) > 20
        for name, cell in zip(names, cells, strict=True):
            assert name.startswith(cell["shown"]), (name, cell)
            assert cell["model"] in name and cell["column"] in name, (name, cell)
            assert "\n" not in name and " :" not in name, name  # said as one phrase
            if "by=" in path:
                assert cell["definition"] in name, (name, cell)
        assert len(set(names)) == len(names)  # each leads to its own verdict


def test_the_matrix_column_headers_say_their_label_once(page, site: str) -> None:
    """A screen reader says a cell's column header as it moves along a row: a header of the
    matrix is named by its label alone, not by all it holds (its label's link and its sort
    button, which said the label twice: "OSAID 1.0 Sort by OSAID 1.0"), on both matrices;
    the sort buttons keep their names."""
    osaid = definitions()["osaid-1.0"]
    for path in ("matrix", f"matrix?by=requirements&definition={osaid.id}"):
        page.goto(site + path)
        labels = page.eval_on_selector_all(
            "#matrix thead th", "(ths) => ths.map((th) => (th.querySelector('a') || th).innerText)"
        )
        assert accessible_names(page, "#matrix thead th") == labels
        linked = page.eval_on_selector_all(
            "#matrix thead th a", "(as) => as.map((a) => a.innerText)"
        )
        assert len(linked) > 1
        sorts = accessible_names(page, "#matrix thead th a ~ button")
        assert sorts == [f"Sort by {label}" for label in linked]


def test_the_matrix_sorts_by_what_a_cell_shows(page, site: str) -> None:
    """Sorting by a definition orders the rows by the outcome shown, and rows of one outcome
    keep the order they had (here by model), ascending or descending: the words a screen
    reader alone is given in a cell (whose verdict, on what) are not sorted on."""
    page.goto(site + "matrix")
    page.get_by_role("button", name="model", exact=True).click()
    by_osaid = page.get_by_role("button", name="Sort by OSAID 1.0")
    column = int(by_osaid.get_attribute("data-sort"))
    for _ in range(2):  # ascending, then descending
        by_osaid.click()
        rows = page.evaluate(
            """(c) => Array.from(document.querySelectorAll("#matrix tbody tr"))
                 .map((tr) => [tr.cells[c].className, tr.cells[0].textContent.trim()])""",
            column,
        )
        runs: dict[str, list[str]] = {}
        for outcome, model in rows:
            runs.setdefault(outcome, []).append(model)
        assert len(runs) > 1 and any(len(models) > 1 for models in runs.values())
        assert all(models == sorted(models, key=str.casefold) for models in runs.values()), runs


def test_the_matrix_search_finds_hub_ids_and_the_export_keeps_what_it_finds(
    page, site: str
) -> None:
    """The table's search box matches a model's Hugging Face id as well as its name, and the
    export link then gives the rows shown, by definition or by requirement alike."""

    def shown() -> list[str]:
        rows = page.locator("#matrix tbody tr").all()
        return [r.locator("th").inner_text() for r in rows if r.is_visible()]

    def exported() -> list[str]:
        href = page.locator("#export").get_attribute("href")
        text = page.request.get(site.rstrip("/") + href).text()
        return sorted(r[1] for r in list(csv.reader(io.StringIO(text)))[1:])

    page.goto(site + "matrix")
    page.fill("#search", "allenai/OLMo-7B")
    assert shown() == ["OLMo-7B"]
    assert set(exported()) == {"OLMo-7B"}
    page.fill("#search", "llama 2")
    assert shown() == ["Llama-2-7B"] and set(exported()) == {"Llama-2-7B"}
    page.fill("#search", "")
    assert len(set(exported())) == len(shown()) > 1
    page.goto(site + "matrix?by=requirements&definition=osaid-1.0")
    page.fill("#search", "tiiuae/falcon")
    assert shown() == exported() == ["Falcon-40B"]


def test_the_editor_draws_a_chart_and_a_graph(page, site: str) -> None:
    """A SELECT with a count as bars, one per row; a CONSTRUCT as nodes and edges whose
    IRIs open their pages here."""
    count = (
        "SELECT ?d (COUNT(?a) AS ?n) WHERE { GRAPH <https://w3id.org/openness-graph/graph/"
        "assessments> { ?a og:definitionId ?d } } GROUP BY ?d ORDER BY ?d"
    )
    page.goto(site + "editor?" + urlencode({"query": count}))
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(f".yasr_response_chip:has-text('{len(definitions())} results')")
    page.get_by_role("button", name="Shows Chart view").click()
    chart = page.locator("svg.results-chart")
    expect(chart.locator("rect.bar")).to_have_count(len(definitions()), timeout=60_000)
    assert set(chart.locator("text").all_text_contents()) >= set(definitions())
    graph = "CONSTRUCT { ?m schema:name ?n } WHERE { ?m a og:Model ; schema:name ?n } LIMIT 5"
    page.goto(site + "editor?" + urlencode({"query": graph}))
    page.locator(".yasqe_queryButton:visible").click()
    page.wait_for_selector(".yasr_response_chip:visible:has-text('5 results')")
    page.locator(".yasr_btn.select_graph:visible").click()
    drawn = page.locator("svg.results-graph:visible")
    expect(drawn.locator("circle")).to_have_count(10, timeout=60_000)
    expect(drawn.locator("line")).to_have_count(5, timeout=60_000)
    model = drawn.locator("a").first
    name = model.locator("title").text_content()  # the model's IRI
    model.click()
    page.wait_for_url("**/id/model/**")
    assert name.endswith(page.url.split("/id/", 1)[1])
    assert page.locator("#verdicts").is_visible()


def test_a_named_query_example_runs_with_its_parameters(page, site: str) -> None:
    """An example whose parameter is a model opens with the default model written in and
    named in a comment, and runs (unbound, it read every model's evidence and ran past the
    time limit)."""
    query = catalogue()["model-evidence-use"]
    default = next(p.default for p in query.parameters if p.name == "model")
    page.goto(site + "editor")
    page.select_option("#example", query.name)
    text = page.evaluate("yasgui.getTab().getQuery()")  # the whole query, not the lines drawn
    assert f"model = {default}" in text and f"<{default}>" in text
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(".yasr_response_chip:has-text('results')")
    assert page.locator(".yasr tbody tr").count() > 0


def test_a_javascript_link_the_data_gives_runs_nothing(browser) -> None:
    """The editor's graph view linked each IRI a CONSTRUCT gives as it is, so a
    ``javascript:`` IRI held by the graph (from a source, or an update) was a link; clicked,
    it ran its script on this server's page. It links such an IRI to /resource?iri= now,
    as the pages do, and the pages' Content-Security-Policy refuses to run a javascript:
    link (script-src 'self') whatever link slips past those filters (one put in the page
    here)."""
    script = "javascript:document.body.dataset.ran=1"
    graph = f"<urn:x:s> <urn:x:p> <{script}> ."
    store = EmbeddedStore(None)
    store.write(add={"urn:x:g": [q.triple for q in ox.parse(graph, ox.RdfFormat.TURTLE)]})
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    context = browser.new_context()
    try:
        page = context.new_page()
        with serving(create_app({"STORE": store})) as url:
            page.goto(url + "editor?" + urlencode({"query": query}))
            page.locator(".yasqe_queryButton").click()
            page.wait_for_selector(".yasr_response_chip:has-text('1 result')")
            page.locator(".yasr_btn.select_graph:visible").click()
            page.evaluate("""addEventListener("securitypolicyviolation",
                (e) => { document.body.dataset.refused = e.effectiveDirective; }, true)""")
            node = page.locator("svg.results-graph a", has_text="javascript")
            assert parse_qs(urlsplit(node.get_attribute("href")).query) == {"iri": [script]}
            # A javascript: link in the page, as if some markup slipped one in.
            page.evaluate(
                """(script) => { const a = document.createElement("a");
                   a.href = script; a.id = "slipped"; a.textContent = "slipped";
                   document.body.prepend(a); }""",
                script,
            )
            page.locator("#slipped").click()
            # The click either ran the script or was refused: wait for one or the other (by
            # selector: a waited-for expression is eval'd, which the policy refuses too).
            body = page.wait_for_selector("body[data-ran], body[data-refused]")
            ran, refused = body.get_attribute("data-ran"), body.get_attribute("data-refused")
            assert ran is None and refused.startswith("script-src"), (ran, refused)
    finally:
        context.close()


def test_served_under_a_path_the_pages_and_the_editor_stay_under_it(page, reported: Path) -> None:
    """Served under a path (--public-url …/openness), the editor asked the SPARQL endpoint
    and linked the IRIs it shows from the root, which the proxy in front does not route:
    its query, its table's and its graph's links and the pages' own links stay under the
    path. The server is asked under the path, as a proxy passing requests as sent asks."""
    app = create_app({"STORE_LOCATION": str(reported)})
    with serving(app) as url:
        # The public URL names the port the server was given, known once it serves.
        app.wsgi_app = PublicOrigin(app.wsgi_app, url + "openness")
        under = url + "openness/"
        page.goto(under)
        with page.expect_navigation():
            page.get_by_role("link", name="Conformance matrix", exact=True).click()
        assert page.url == under + "matrix"
        models = "SELECT ?m WHERE { ?m a og:Model } LIMIT 3"
        page.goto(under + "editor?" + urlencode({"query": models}))
        page.locator(".yasqe_queryButton").click()
        page.wait_for_selector(".yasr_response_chip:has-text('3 results')")
        links = page.locator(".yasr tbody a[href^='/openness/id/model/']")
        expect(links).to_have_count(3, timeout=60_000)
        graph = "CONSTRUCT { ?m schema:name ?n } WHERE { ?m a og:Model ; schema:name ?n } LIMIT 5"
        page.goto(under + "editor?" + urlencode({"query": graph}))
        page.locator(".yasqe_queryButton:visible").click()
        page.wait_for_selector(".yasr_response_chip:visible:has-text('5 results')")
        page.locator(".yasr_btn.select_graph:visible").click()
        model = page.locator("svg.results-graph:visible a").first
        expect(model).to_have_count(1, timeout=60_000)
        with page.expect_navigation():
            model.click()
        assert page.url.startswith(under + "id/model/"), page.url
        assert page.locator("#verdicts").is_visible()


def test_a_definition_page_leads_to_the_models_it_judges(page, site: str) -> None:
    page.goto(site + "definitions/osaid-1.0")
    # Until the new page has loaded: the rows are read at once, not waited for (on a loaded
    # machine they were read from a page still being parsed, and none was found).
    with page.expect_navigation():
        page.get_by_role("link", name="the models passing it").click()
    names = [r.locator("th").inner_text() for r in page.locator("#matrix tbody tr").all()]
    assert names == ["OLMo-7B"]  # of the models the tests assess, the one passing OSAID
    page.go_back()
    page.get_by_role("link", name="every model's outcome on each requirement").click()
    assert page.locator("#matrix caption").inner_text().endswith("requirements of OSAID 1.0")


# --- axe-core: WCAG 2.1 A and AA on one page of every kind ------------------------------

# axe-core, the npm package package.json lists for the tests only (devDependencies): `make`
# installs it with YASGUI and copies it nowhere the server serves it from.
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# What YASGUI draws itself is third-party markup; editor.js names its unnamed controls and
# style.css mends its colours, but what only a change to YASGUI's files would mend, the audit
# reports and the test leaves out: each axe rule, and the elements it may find there.
YASGUI_OWN = {
    # Its tab list (role="tablist") also holds the "add a tab" button, which a tablist may
    # not own; YASGUI inserts each new tab before that button's box, so the box cannot be
    # moved out of the list from here.
    "aria-required-children": "#yasgui .tabsList",
}


def axe(page, rules: list[str] | None = None) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as shown now (or those of the
    given ``rules`` only): each rule's id, its impact and the elements (a CSS selector each,
    and whether it is one of YASGUI's own that the test leaves out)."""
    if page.evaluate("typeof axe") == "undefined":
        # As a file of the page's origin: the pages' policy refuses an inline script. The
        # test answers the request; the server has no such file.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        page.route(f"{origin}/axe.min.js", lambda route: route.fulfill(path=AXE))
        page.add_script_tag(url=f"{origin}/axe.min.js")
    chosen = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_21_AA}
    # Only the violations are read: axe names every element each rule passed or could not
    # tell on as well, unless told not to, which was most of its time on the larger pages.
    return page.evaluate(
        """(a) => axe.run(document, {runOnly: a.chosen, resultTypes: ["violations"]}).then((r) =>
             r.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => {
               const e = document.querySelector(n.target[0]);
               return {target: n.target.join(" "),
                       yasgui: v.id in a.yasgui && !!e?.closest(a.yasgui[v.id])};
             })})))""",
        {"chosen": chosen, "yasgui": YASGUI_OWN},
    )


def every_kind_of_page(page, site: str) -> Iterator[str]:
    """Show one page of each kind the server has, in turn, and yield its name: the history's
    parts are on the home page (the chart), a definition's (its chart) and OLMo-7B's (its
    verdicts over time); the editor and the validation page also once they show results, and
    the editor with its endpoint list open, an endpoint highlighted."""
    osaid = definitions()["osaid-1.0"]
    requirement = next(iter(osaid.requirements.values())).iri
    for name, path in {
        "home": "",
        "matrix": "matrix",
        "matrix by requirement": f"matrix?by=requirements&definition={osaid.id}",
        "definitions": "definitions",
        "definition": f"definitions/{osaid.id}",
        "requirement": requirement.split("/openness-graph/", 1)[1],
        "model passing": "models/allenai--olmo-7b",
        "model failing": "models/llama-2-7b",
        "fine-tune": "models/m-a-p--chatmusician",
        "search": "search?q=llama",
        "named queries": "queries",
        "named query": "queries/models-passing",
        "organization": "id/org/meta",
        "licence": "resource?" + urlencode({"iri": "https://spdx.org/licenses/Apache-2.0"}),
        "ontology": "ns",
        "catalogue": "catalog",
        "VoID": ".well-known/void",
        "graph": "graph/assessments",
        "404 IRI": "id/org/no-such-organization",
        "404 model": "models/no-such-model",
        "404 route": "no-such-page",
        "405 method": "update",  # a route that takes POST alone, asked by GET
        "410 model": "models/chinchilla",
        "410 record": "id/record/mof/chinchilla",
        "editor": "editor",
        "validate": "validate",
        "validate, from a model": "validate?from=llama-2-7b",  # the guided form's verdicts
    }.items():
        page.goto(site + path)
        yield name
    page.goto(site + "editor")
    run_query(page, "SELECT ?m ?n WHERE { ?m a og:Model ; schema:name ?n } LIMIT 3")
    page.wait_for_selector(".yasr_response_chip:has-text('3 results')")
    yield "editor, results"
    run_query(page, "SELECT ?d (COUNT(?a) AS ?n) WHERE { ?a og:definitionId ?d } GROUP BY ?d")
    page.wait_for_selector(".yasr_response_chip:has-text('results')")
    page.locator(".yasr_btn.select_chart").click()
    page.wait_for_selector("svg.results-chart")
    yield "editor, chart"
    run_query(
        page, "CONSTRUCT { ?m schema:name ?n } WHERE { ?m a og:Model ; schema:name ?n } LIMIT 3"
    )
    page.locator(".yasr_btn.select_graph:visible").click()
    page.wait_for_selector("svg.results-graph")
    yield "editor, graph"
    page.goto(site + "validate")
    page.fill("#description", (ontology_dir() / "examples" / "open-model.ttl").read_text())
    page.get_by_role("button", name="Validate", exact=True).click()
    page.wait_for_selector("#result")
    yield "validate, validated"
    # last: the endpoints asked stay in the browser's storage
    field = ask_endpoints(page, site)
    listed_endpoints(page, field)
    field.press("ArrowDown")  # an endpoint of the history, its "✖" shown
    yield "editor, endpoint list"


def accessibility_tree(page) -> list[dict]:
    """What Chromium gives a screen reader for the page (its accessibility tree, through the
    DevTools protocol): each node it does not ignore, as its role, its accessible name, its
    properties (``level``, ``live``, …) and ``text``, what its subtree reads."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    by_id = {n["nodeId"]: n for n in nodes}

    def text(node: dict) -> str:
        if node["role"]["value"] == "StaticText":
            return node.get("name", {}).get("value", "")
        return " ".join(text(by_id[c]) for c in node.get("childIds", []) if c in by_id).strip()

    return [
        {
            "role": n["role"]["value"],
            "name": n.get("name", {}).get("value", ""),
            "text": text(n),
            **{p["name"]: p["value"].get("value") for p in n.get("properties", [])},
        }
        for n in nodes
        if not n.get("ignored")
    ]


def accessible_names(page, selector: str) -> list[str]:
    """The accessible name Chromium computes for each element the CSS ``selector`` finds,
    in the document's order (its accessibility tree, through the DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        return [
            cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})[
                "nodes"
            ][0]
            .get("name", {})
            .get("value", "")
            for node in found["nodeIds"]
        ]
    finally:
        cdp.detach()


# What a screen reader says by its name alone: a control, a gauge, a picture.
NAMED_BY_THEIR_NAME = set(
    "button checkbox combobox image listbox meter progressbar radio searchbox slider"
    " spinbutton switch textbox".split()
)

# The rules whose outcome changes with the width of the screen: where tables scroll, and
# the colours of what a narrow layout moves (the other rules read the markup alike).
BY_LAYOUT = ["scrollable-region-focusable", "color-contrast"]


@pytest.fixture(scope="module")
def shown(browser, site: str) -> dict[str, dict]:
    """Every kind of page shown once for the four tests below, which each read a page of
    every kind (~30, and the Chromium walk was most of each test's time): per page, as it
    was shown, the roles and names of its accessibility tree's nodes, its links (name,
    place) and axe-core's critical or serious violations of ours (``None`` without axe),
    folded parts open, wide and 400 px wide. Nothing on the way refused by the policy."""
    with watched(browser) as (page, refused):
        found = {}
        for name in every_kind_of_page(page, site):
            tree = [(n["role"], n["name"]) for n in accessibility_tree(page)]
            links = page.evaluate(
                """Array.from(document.querySelectorAll("a[href]"))
                     .map((a) => [a.textContent + [...a.querySelectorAll("img")].map((i) => i.alt),
                                  a.href])
                     .map(([name, href]) => [name.replace(/\\s+/g, " ").trim(), href])"""
            )
            found[name] = {"tree": tree, "links": links, "violations": audit(page, name)}
    assert refused == []
    return found


def audit(page, name: str) -> list[str] | None:
    """axe-core's critical or serious violations of ours on the page, its folded parts open,
    wide and 400 px wide; the parts are folded again after, as the page showed them."""
    if not AXE.exists():
        return None
    page.evaluate(
        """() => { window.foldedForAxe = [...document.querySelectorAll("details")]
                     .filter((d) => !d.open);
                   window.foldedForAxe.forEach((d) => { d.open = true; }); }"""
    )
    found = []
    try:
        for width, rules in ((1280, None), (400, BY_LAYOUT)):
            page.set_viewport_size({"width": width, "height": 720})
            for v in axe(page, rules):
                ours = [n["target"] for n in v["nodes"] if not n["yasgui"]]
                if ours and v["impact"] in ("critical", "serious"):
                    found.append(
                        f"{name} at {width} px: {v['impact']} {v['id']} ({len(ours)}): "
                        + ", ".join(ours[:3])
                    )
    except sync_api.Error as e:
        # Told as the page's violation: the WCAG test fails, not the walk the others read.
        found.append(f"{name}: axe failed: {e}")
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.evaluate("() => window.foldedForAxe.forEach((d) => { d.open = false; })")
    return found


def test_an_axe_that_fails_is_a_violation_of_the_page(page, site: str) -> None:
    """axe-core failing on a page (an error of its own, or a file that does not load) was
    an error of the walk, which errored the four tests that read it: it is that page's
    violation now, for the WCAG test alone to fail on, and the page is shown wide again."""
    if not AXE.exists():
        pytest.skip("axe-core is missing: `make editor` installs it (npm ci)")
    page.goto(site)
    page.evaluate("() => { window.axe = {run: () => Promise.reject(new Error('broken'))}; }")
    found = audit(page, "home")
    assert len(found) == 1 and found[0].startswith("home: axe failed: ") and "broken" in found[0]
    assert page.viewport_size == {"width": 1280, "height": 720}


@pytest.mark.timeout(900)  # a hang guard: the first pays the walk, ~4 min at load 8–10
def test_every_table_has_a_name_a_screen_reader_says(shown: dict[str, dict]) -> None:
    """A screen reader says a table's name as it enters it and lists the page's tables by
    name: each of ours has one, its caption or the heading above it, and so has YASGUI's
    results table (named by editor.js)."""
    unnamed = [
        name
        for name, seen in shown.items()
        for role, label in seen["tree"]
        if role in ("table", "grid") and not label.strip()
    ]
    assert unnamed == []


@pytest.mark.timeout(900)  # a hang guard: the first pays the walk, ~4 min at load 8–10
def test_every_control_gauge_and_picture_has_a_name(shown: dict[str, dict]) -> None:
    """Chromium's accessibility tree names every control, meter, progress bar and image
    (a chart, a badge) on every kind of page: without one a screen reader says "meter 37"
    and nothing of what is measured (the FMTI scores' meters had none)."""
    unnamed = [
        (name, role)
        for name, seen in shown.items()
        for role, label in seen["tree"]
        if role in NAMED_BY_THEIR_NAME and not label.strip()
    ]
    assert unnamed == []


@pytest.mark.timeout(900)  # a hang guard: the first pays the walk, ~4 min at load 8–10
def test_links_of_the_same_name_lead_to_the_same_place(shown: dict[str, dict]) -> None:
    """A screen reader lists a page's links by name: on a model page and the matrix, links
    that read alike go to one place, so none is a run of "why", "what it would take", "[1]",
    a definition's name or a matrix cell's "passed" leading to different places."""
    alike = {}
    for page in ("model failing", "fine-tune", "matrix"):
        places: dict[str, set[str]] = {}
        for name, href in shown[page]["links"]:
            places.setdefault(name, set()).add(href)
        alike |= {f"{page}: {name}": len(p) for name, p in places.items() if len(p) > 1}
    assert alike == {}


@pytest.mark.timeout(900)  # a hang guard: the first pays the walk, ~4 min at load 8–10
def test_no_page_has_a_critical_or_serious_wcag_violation(shown: dict[str, dict]) -> None:
    """axe-core finds no critical or serious WCAG 2.1 A/AA violation on any kind of page,
    its folded parts (details) open, wide and 400 px wide (where tables scroll), in what
    the pages are made of here (docs/audit-accessibility.md: what it found, YASGUI's own,
    and what it cannot check)."""
    if not AXE.exists():
        message = "axe-core is missing: `make editor` installs it (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    found = [v for seen in shown.values() for v in seen["violations"]]
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)
