// A small SPARQL editor: highlighting, prefix completion, results as a table or a bar
// chart, CSV download. It runs queries against /sparql.
(function () {
  const query = document.getElementById("query");
  const highlight = document.getElementById("highlight");
  const status = document.getElementById("status");
  const table = document.getElementById("results");
  const chart = document.getElementById("chart");
  const view = document.getElementById("view");
  const prefixes = query.dataset.prefixes.split(" ");
  const KEYWORDS = /\b(SELECT|CONSTRUCT|DESCRIBE|ASK|WHERE|PREFIX|BASE|OPTIONAL|FILTER|UNION|MINUS|GRAPH|SERVICE|BIND|VALUES|GROUP|BY|ORDER|HAVING|LIMIT|OFFSET|DISTINCT|AS|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|NOT|EXISTS|IN|ASC|DESC|a)\b/g;
  let last = null;

  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  function paint() {
    const tokens = /(#[^\n]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(<[^<>\s]*>)|([?$]\w+)|([^#"'<?$]+|.)/g;
    let html = "", m;
    while ((m = tokens.exec(query.value)) !== null) {
      if (m[1]) html += `<span class="cmt">${escape(m[1])}</span>`;
      else if (m[2]) html += `<span class="str">${escape(m[2])}</span>`;
      else if (m[3]) html += `<span class="iri">${escape(m[3])}</span>`;
      else if (m[4]) html += `<span class="var">${escape(m[4])}</span>`;
      else html += escape(m[5]).replace(KEYWORDS, '<span class="kw">$1</span>');
    }
    highlight.innerHTML = html + "\n";
    highlight.scrollTop = query.scrollTop;
  }
  query.addEventListener("input", paint);
  query.addEventListener("scroll", () => { highlight.scrollTop = query.scrollTop; });

  query.addEventListener("keydown", (event) => {
    if (event.key === "Tab") {  // complete a prefix name before the cursor
      const before = query.value.slice(0, query.selectionStart);
      const word = (before.match(/[A-Za-z][\w-]*$/) || [""])[0];
      const match = word && prefixes.find((p) => p.startsWith(word) && p !== word);
      if (match) {
        event.preventDefault();
        query.setRangeText(match.slice(word.length) + ":", query.selectionStart,
                           query.selectionEnd, "end");
        paint();
      }
    }
    if (event.ctrlKey && event.key === "Enter") run();
  });

  document.getElementById("example").addEventListener("change", (event) => {
    const option = event.target.selectedOptions[0];
    if (option && option.dataset.query) { query.value = option.dataset.query; paint(); }
  });
  document.getElementById("download").addEventListener("click", (event) => {
    event.target.href = "/sparql?format=csv&query=" + encodeURIComponent(query.value);
  });
  view.addEventListener("change", () => last && show(last));

  function show(data) {
    table.tHead.innerHTML = "";
    table.tBodies[0].innerHTML = "";
    chart.innerHTML = "";
    const vars = data.head.vars, rows = data.results.bindings;
    const value = (b, v) => (b[v] ? b[v].value : "");
    const numeric = vars.find((v) => rows.length && rows.every((b) => !isNaN(parseFloat(value(b, v)))));
    if (view.value === "chart" && numeric) {
      table.hidden = true; chart.hidden = false;
      const label = vars.find((v) => v !== numeric) || numeric;
      const max = Math.max(...rows.map((b) => parseFloat(value(b, numeric))), 1);
      chart.setAttribute("width", 760);
      chart.setAttribute("height", 24 * rows.length + 4);
      rows.forEach((b, i) => {
        const n = parseFloat(value(b, numeric));
        chart.insertAdjacentHTML("beforeend",
          `<text x="0" y="${24 * i + 16}">${escape(value(b, label)).slice(0, 40)}</text>` +
          `<rect class="bar" x="300" y="${24 * i + 4}" height="16" width="${400 * n / max}"></rect>` +
          `<text x="${306 + 400 * n / max}" y="${24 * i + 16}">${n}</text>`);
      });
      return;
    }
    table.hidden = false; chart.hidden = true;
    const head = table.tHead.insertRow();
    vars.forEach((v) => { const th = document.createElement("th"); th.scope = "col"; th.textContent = v; head.appendChild(th); });
    rows.forEach((b) => {
      const row = table.tBodies[0].insertRow();
      vars.forEach((v) => { row.insertCell().textContent = value(b, v); });
    });
  }

  async function run() {
    status.textContent = "running…";
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: query.value,
    });
    const text = await response.text();
    if (!response.ok) { status.textContent = "error " + response.status + ": " + text; return; }
    const data = JSON.parse(text);
    if ("boolean" in data) { status.textContent = "answer: " + data.boolean; return; }
    last = data;
    show(data);
    status.textContent = data.results.bindings.length + " results";
  }
  document.getElementById("run").addEventListener("click", run);
  paint();
})();
