// A small SPARQL editor: run against /sparql, show results as a table, download CSV.
(function () {
  const query = document.getElementById("query");
  const status = document.getElementById("status");
  const table = document.getElementById("results");
  document.getElementById("example").addEventListener("change", (event) => {
    const option = event.target.selectedOptions[0];
    if (option && option.dataset.query) query.value = option.dataset.query;
  });
  document.getElementById("download").addEventListener("click", (event) => {
    event.target.href = "/sparql?format=csv&query=" + encodeURIComponent(query.value);
  });
  async function run() {
    status.textContent = "running…";
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: query.value,
    });
    const text = await response.text();
    table.tHead.innerHTML = "";
    table.tBodies[0].innerHTML = "";
    if (!response.ok) { status.textContent = "error " + response.status + ": " + text; return; }
    const data = JSON.parse(text);
    if ("boolean" in data) { status.textContent = "answer: " + data.boolean; return; }
    const vars = data.head.vars;
    const head = table.tHead.insertRow();
    vars.forEach((v) => { const th = document.createElement("th"); th.scope = "col"; th.textContent = v; head.appendChild(th); });
    data.results.bindings.forEach((b) => {
      const row = table.tBodies[0].insertRow();
      vars.forEach((v) => { row.insertCell().textContent = b[v] ? b[v].value : ""; });
    });
    status.textContent = data.results.bindings.length + " results";
  }
  document.getElementById("run").addEventListener("click", run);
  query.addEventListener("keydown", (event) => { if (event.ctrlKey && event.key === "Enter") run(); });
})();
