// Two result views the YASGUI build lacks, drawn as SVG here with nothing fetched from the
// web (its chart plugins load Google Charts): "Chart", bars of a SELECT's numeric column by
// its first other column, and "Graph", the nodes and edges of a CONSTRUCT's or DESCRIBE's
// triples, IRIs we mint linking to their pages here. Registered before editor.js makes
// the editor, which lists them after the table.
(function () {
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const NUMBER = /#(integer|decimal|double|float|int|long|short|byte|(non)?(Positive|Negative)Integer|nonNegativeInteger|positiveInteger|unsigned\w+)$/;
  const MAX_BARS = 100, MAX_TRIPLES = 300;

  function make(name, attributes, parent) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }
  // A term as people read it: prefixed name, or its text, cut to a length that fits.
  function short(term, length = 40) {
    if (!term) return "";
    let text = term.value;
    if (term.type === "uri" && text.startsWith(config.base)) {
      text = text.slice(config.base.length);  // an IRI we mint: its path here
    } else if (term.type === "uri") {
      const prefix = Object.entries(config.prefixes).find(([, ns]) => text.startsWith(ns));
      if (prefix) text = `${prefix[0]}:${text.slice(prefix[1].length)}`;
    } else if (term.type === "bnode") {
      text = "_:" + text;
    }
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }
  // Ours to its path here; another in a scheme a browser merely follows as it is; any
  // other (javascript:, which would run when clicked) to the page here that answers it.
  const href = (iri) => {
    if (iri.startsWith(config.base)) return config.root + iri.slice(config.base.length);
    const scheme = iri.slice(0, Math.max(iri.indexOf(":"), 0)).toLowerCase();
    return config.followed.includes(scheme) ? iri : `${config.resource}?${new URLSearchParams({ iri })}`;
  };
  function icon(text) {
    const span = document.createElement("span");
    span.textContent = text;
    span.setAttribute("aria-hidden", "true");
    return span;
  }
  function note(yasr, text) {
    const p = document.createElement("p");
    p.className = "view-note";
    p.textContent = text;
    yasr.resultsEl.appendChild(p);
  }

  class Chart {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = "Chart";
      this.priority = 1;  // never chosen by itself over the table
    }
    // The numeric column to draw and the column naming each bar, if the results have both.
    columns() {
      const results = this.yasr.results;
      if (!results || results.getType() === "ttl" || !results.getVariables()) return null;
      const variables = results.getVariables();
      const rows = results.getBindings() || [];
      const isNumber = (b) => b.type === "literal" && NUMBER.test(b.datatype || "");
      const value = variables.find((v) =>
        rows.some((r) => r[v]) && rows.every((r) => !r[v] || isNumber(r[v])));
      const label = variables.find((v) => v !== value);
      return value && label && rows.length ? { value, label, rows } : null;
    }
    canHandleResults() { return !!this.columns(); }
    getIcon() { return icon("▇"); }
    draw() {
      const { value, label, rows } = this.columns();
      const shown = rows.slice(0, MAX_BARS);
      const numbers = shown.map((r) => Number(r[value] ? r[value].value : 0));
      const most = Math.max(0, ...numbers) || 1;
      const line = 22, left = 280, right = 80, width = 760;
      const svg = make("svg", {
        class: "results-chart", role: "img", viewBox: `0 0 ${width} ${shown.length * line + 8}`,
        "aria-label": `${value} by ${label}`,
      });
      shown.forEach((row, i) => {
        const y = i * line + 4, length = ((width - left - right) * Math.max(0, numbers[i])) / most;
        make("text", { x: left - 8, y: y + 15, "text-anchor": "end" }, svg)
          .textContent = short(row[label]);
        make("rect", { class: "bar", x: left, y: y + 3, width: length, height: line - 8 }, svg);
        make("text", { x: left + length + 4, y: y + 15 }, svg).textContent = row[value]
          ? row[value].value : "";
      });
      this.yasr.resultsEl.appendChild(svg);
      if (rows.length > shown.length) note(this.yasr, `The first ${MAX_BARS} of ${rows.length} rows.`);
    }
  }

  class Graph {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = "Graph";
      this.priority = 1;
    }
    canHandleResults() {
      const results = this.yasr.results;
      return !!results && results.getType() === "ttl" && (results.getBindings() || []).length > 0;
    }
    getIcon() { return icon("⬡"); }
    draw() {
      const triples = this.yasr.results.getBindings();
      const shown = triples.slice(0, MAX_TRIPLES);
      const nodes = new Map();  // one node per term, placed on a circle
      const node = (term) => {
        const key = term.type + " " + term.value;
        if (!nodes.has(key)) nodes.set(key, { term, index: nodes.size });
        return nodes.get(key);
      };
      const edges = shown.map((t) => [node(t.subject), t.predicate, node(t.object)]);
      const radius = Math.max(160, nodes.size * 9), size = 2 * radius + 480;
      const at = (n) => {
        const angle = (2 * Math.PI * n.index) / nodes.size;
        return [size / 2 + radius * Math.cos(angle), size / 2 + radius * Math.sin(angle)];
      };
      // A group, not an img: an img's children are presentational, and its links to the
      // nodes' pages would be hidden from assistive technology.
      const svg = make("svg", {
        class: "results-graph", role: "group", viewBox: `0 0 ${size} ${size}`,
        "aria-label": `${nodes.size} nodes, ${edges.length} edges`,
      });
      for (const [s, p, o] of edges) {
        const [x1, y1] = at(s), [x2, y2] = at(o);
        const edge = make("line", { x1, y1, x2, y2, class: "edge" }, svg);
        make("title", {}, edge).textContent = `${short(s.term)} ${short(p)} ${short(o.term)}`;
      }
      for (const n of nodes.values()) {
        const [x, y] = at(n);
        const group = n.term.type === "uri"
          ? make("a", { href: href(n.term.value) }, svg) : make("g", {}, svg);
        make("circle", { cx: x, cy: y, r: 6, class: n.term.type }, group);
        const outward = x >= size / 2;
        make("text", { x: x + (outward ? 9 : -9), y: y + 4, "text-anchor": outward ? "start" : "end" },
          group).textContent = short(n.term, 32);
        make("title", {}, group).textContent = n.term.value;
      }
      this.yasr.resultsEl.appendChild(svg);
      if (triples.length > shown.length) {
        note(this.yasr, `The first ${MAX_TRIPLES} of ${triples.length} triples.`);
      }
    }
  }

  if (typeof Yasgui === "undefined") return;  // editor.js says that it did not load
  Yasgui.Yasr.registerPlugin("chart", Chart);
  Yasgui.Yasr.registerPlugin("graph", Graph);
})();
