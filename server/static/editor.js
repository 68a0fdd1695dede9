// The SPARQL editor: YASGUI (vendor/yasgui, installed by `make` from the npm registry)
// against this server's endpoint. Completion comes from this graph only (YASGUI's own asks
// services on the web), IRIs we mint open here, and the address bar holds the query that
// last ran.
(function () {
  if (typeof Yasgui === "undefined") {
    // The server has the file but the browser did not load it: say so, not a blank page.
    const missing = document.createElement("p");
    missing.setAttribute("role", "alert");
    missing.className = "error";
    missing.textContent = "The editor's script (YASGUI) did not load; reload the page.";
    document.getElementById("yasgui").replaceWith(missing);
    return;
  }
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const Yasqe = Yasgui.Yasqe;
  const previousKeyword = (yasqe) => {
    const token = yasqe.getCompleteToken();
    const previous = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
    return previous && previous.string ? previous.string.toUpperCase() : "";
  };
  const ours = {
    "graph-prefixes": ["prefixes", Object.keys(config.prefixes).sort()
      .map((p) => `${p}: <${config.prefixes[p]}>`)],
    "graph-classes": ["class", config.classes],
    "graph-properties": ["property", config.properties],
    "named-graphs": ["class", config.graphs, (yasqe) =>
      ["GRAPH", "FROM", "NAMED"].includes(previousKeyword(yasqe))],
  };
  for (const [name, [base, list, position]] of Object.entries(ours)) {
    const fork = { name, bulk: true, get: list, persistenceId: null };
    if (position) fork.isValidCompletionPosition = position;
    Yasqe.forkAutocompleter(base, fork, false);
  }
  const completers = ["variables", ...Object.keys(ours)];

  // The query of the page's address (?query=…) wins over the stored tabs.
  const fromUrl = new URLSearchParams(location.search).get("query");
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    populateFromUrl: false,
    yasqe: { value: config.defaultQuery, autocompleters: completers },
    // the views of editor-views.js after the table, the raw response last
    yasr: { prefixes: config.prefixes, pluginOrder: ["table", "chart", "graph", "response"] },
  });
  // A query from elsewhere (a link, a named query) may use the prefixes the endpoint
  // declares without declaring them; declared, the editor can check and complete it.
  function load(text) {
    const yasqe = yasgui.getTab().getYasqe();
    yasqe.setValue(text);
    const declared = yasqe.getPrefixesFromQuery();
    const used = {};
    for (const m of text.matchAll(/(?<![\w<-])([A-Za-z][\w-]*):(?!\/)/g)) {
      if (config.prefixes[m[1]] && !(m[1] in declared)) used[m[1]] = config.prefixes[m[1]];
    }
    if (Object.keys(used).length) yasqe.addPrefixes(used);
  }
  if (fromUrl) {
    // A shared query opens in a tab of its own, unless this tab already holds it or
    // holds nothing but the example.
    const current = yasgui.getTab().getQuery().trim();
    if (current !== fromUrl.trim() && current !== config.defaultQuery.trim()) yasgui.addTab(true);
    load(fromUrl);
  }

  // Permalinks: the query that ran is the page's address.
  yasgui.on("query", (_yasgui, tab) => {
    const url = new URL(location.href);
    url.searchParams.set("query", tab.getQuery());
    url.hash = "";
    history.replaceState(null, "", url);
  });

  // An answer arrives without a page load: a screen reader hears it (its count, or why the
  // query failed) from a status region that stays on the page; YASR draws its own anew
  // with each answer, and a live region added with its text is not announced.
  const status = document.getElementById("query-status");
  yasgui.on("queryResponse", (_yasgui, tab) => tab.getYasr().once("drawn", (yasr) => {
    const error = yasr.resultsEl.querySelector(".errorResult");
    const ask = yasr.resultsEl.querySelector(".booleanResult"); // an ASK's True or False
    const chip = yasr.headerEl.querySelector(".yasr_response_chip").textContent;
    status.textContent = error // the message, not the header's "Try query…" button
      ? "The query failed: " + [...error.children].slice(1).map((e) => e.innerText).join(" ")
      : ask ? `${ask.textContent} (${chip})` : chip;
  }));

  // IRIs this project mints dereference on this server: results link here.
  const rewrite = (root) => root.querySelectorAll(`a[href^="${config.base}"]`).forEach((a) => {
    a.href = config.root + a.getAttribute("href").slice(config.base.length);
  });
  // YASGUI leaves some of its controls without a name for screen readers.
  const names = {
    ".CodeMirror textarea": () => "SPARQL query",
    "input.autocomplete": () => "SPARQL endpoint",
    "a[role=tab] input": () => "Name of the tab",
    ".selector select": (e) => "Results format for " + e.previousElementSibling.textContent,
    "select.tableSizer": () => "Results per page",  // beside a "Page size" text, not a label
    "table.dataTable": () => "Query results",  // no caption: a screen reader says "table"
    // the row numbers' column, whose header is empty: its cells were said with no column
    "table.dataTable th[data-dt-column='0']:has(.dt-column-title:empty)": () => "Row",
    // "✖", said as "heavy multiplication x": its title is not its name
    "button.clearEndpointBtn": () => "Clear the endpoint",
    "ul.autocompleteList": () => "SPARQL endpoints",
  };
  const label = (root) => Object.entries(names).forEach(([selector, name]) => {
    root.querySelectorAll(selector).forEach((e) => {
      if (!e.hasAttribute("aria-label")) e.setAttribute("aria-label", name(e));
    });
  });
  const container = document.getElementById("yasgui");
  // The endpoint field and its list of endpoints (YASGUI's autocompleter marks the endpoint
  // the arrow keys highlight by a class alone): the ARIA Authoring Practices' combobox with
  // a listbox, so a screen reader says the list is open and which endpoint is highlighted.
  // An option's children are presentational, and a "✖" inside one would be a control in a
  // control (axe's nested-interactive): the option is the endpoint's text beside its "✖",
  // and the "✖" leaves the Tab order and the accessibility tree, Shift+Delete (below)
  // standing for it from the keyboard, the mouse still pressing it.
  const lists = (root) => root.querySelectorAll("ul.autocompleteList:not([role])");
  let made = 0;
  const combobox = (root) => lists(root).forEach((list) => {
    const input = list.closest(".autocompleteWrapper").querySelector("input.autocomplete");
    list.id = `endpoint-list-${++made}`;
    list.setAttribute("role", "listbox");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    const follow = () => {
      let highlighted = null;
      [...list.children].filter((item) => item.matches("li")).forEach((item, i) => {
        const option = item.firstElementChild; // the endpoint's text, a "✖" after it
        item.setAttribute("role", "none");
        option.id = `${list.id}-${i}`;
        option.setAttribute("role", "option");
        const selected = item.classList.contains("autoComplete_selected");
        option.setAttribute("aria-selected", String(selected));
        if (selected) highlighted = option;
        item.querySelectorAll("button.removeItem").forEach((button) => {
          button.tabIndex = -1;
          button.setAttribute("aria-hidden", "true");
        });
      });
      input.setAttribute("aria-expanded", String(!!list.querySelector("li")));
      if (highlighted) input.setAttribute("aria-activedescendant", highlighted.id);
      else input.removeAttribute("aria-activedescendant");
    };
    follow();
    // YASGUI draws the list anew as it is typed in and moves the class with the arrow keys
    new MutationObserver(follow).observe(list, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class"],
    });
  });
  label(container);
  combobox(container);
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((node) => {
    if (node.nodeType !== 1) return;
    rewrite(node.parentNode || node);
    label(node.parentNode || node);
    combobox(node.parentNode || node);
  }))).observe(container, { childList: true, subtree: true });

  // YASGUI's "✖" beside an endpoint of the history removes it on a mouse press alone. The
  // ARIA Authoring Practices' combobox pattern keeps the focus in the field while the arrow
  // keys highlight an option of its list: a key on the highlighted option, then. The
  // Practices name no key for removing an option, and the field's own keys (Delete deletes
  // text) are to be left to it; Shift+Delete is the key browsers' address bars take for
  // removing the highlighted entry of their history, and only with an endpoint highlighted
  // is it taken from the field (where it cuts the text, on some systems).
  const removes = (e) => e instanceof Element && e.matches(".autocompleteList .removeItem");
  const field = (e) => e instanceof Element && e.matches("input.autocomplete");
  const press = (button) => button.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
  container.addEventListener("keydown", (event) => {
    if (!field(event.target) || event.key !== "Delete" || !event.shiftKey) return;
    const wrapper = event.target.closest(".autocompleteWrapper");
    const button = wrapper.querySelector(".autocompleteList .autoComplete_selected .removeItem");
    if (!button) return;
    event.preventDefault();
    press(button);
    // the list drawn anew without it: YASGUI's autocompleter keeps the list's length and
    // highlighted item from when it drew it, and the arrow keys would step past its end
    event.target.dispatchEvent(new Event("input"));
  });
  // Removed (by the key or the mouse), an endpoint leaves the list with the focus elsewhere,
  // in the field: the status region says so (seen before YASGUI's own handler stops the
  // press going further).
  container.addEventListener("mousedown", (event) => {
    if (!removes(event.target)) return;
    const endpoint = event.target.previousElementSibling.textContent;
    status.textContent = `${endpoint} removed from the endpoint history.`;
  }, true);

  document.getElementById("example").addEventListener("change", (event) => {
    const text = config.queries[event.target.value];
    if (text) load(text);
  });
  window.yasgui = yasgui;  // for the console, and for the page tests
})();
