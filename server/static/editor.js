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
    a.href = "/" + a.getAttribute("href").slice(config.base.length);
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
    // the endpoint list's "✖" beside each endpoint of its history: which one it removes
    "button.removeItem": (e) => "Remove endpoint " + e.previousElementSibling.textContent,
  };
  const label = (root) => Object.entries(names).forEach(([selector, name]) => {
    root.querySelectorAll(selector).forEach((e) => {
      if (!e.hasAttribute("aria-label")) e.setAttribute("aria-label", name(e));
    });
  });
  const container = document.getElementById("yasgui");
  label(container);
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((node) => {
    if (node.nodeType !== 1) return;
    rewrite(node.parentNode || node);
    label(node.parentNode || node);
  }))).observe(container, { childList: true, subtree: true });

  // YASGUI's "✖" beside an endpoint of the history removes it on a mouse press alone, and
  // the list closes as the endpoint field loses the focus: from the keyboard the button was
  // out of reach. The list stays open while Tab moves the focus from the field to the chosen
  // endpoint's "✖" (the one shown), Enter or Space there press it as the mouse does, and
  // the focus goes back to the field; Escape there closes the list.
  const removes = (e) => e instanceof Element && e.matches(".autocompleteList .removeItem");
  const field = (e) => e instanceof Element && e.matches("input.autocomplete");
  container.addEventListener("blur", (event) => {
    if (field(event.target) && removes(event.relatedTarget)) event.stopPropagation();
  }, true);
  let quiet = false; // the field's next focus is Escape's, from a "✖"
  const fieldOf = (e) => e.closest(".autocompleteWrapper").querySelector("input.autocomplete");
  const press = (button) => button.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
  container.addEventListener("keydown", (event) => {
    if (!removes(event.target) || !["Enter", " ", "Escape"].includes(event.key)) return;
    event.preventDefault(); // no click: the list would take it for choosing the endpoint
    const input = fieldOf(event.target);
    if (event.key === "Escape") {
      // Escape closes the list and the focus goes back to the field (the combobox
      // pattern's Escape), the field holding the endpoint in use, as a press elsewhere
      // leaves it; the field's focus would open the list again
      document.addEventListener("keyup", () => {
        document.dispatchEvent(new MouseEvent("mousedown"));
        quiet = true;
        input.focus();
      }, { once: true });
      return;
    }
    press(event.target);
    // back to the field once the key is up: YASGUI takes an Enter or Escape let go in the
    // field for its own (the endpoint typed there added to the history, or the field left)
    document.addEventListener("keyup", () => input.focus(), { once: true });
  });
  // The focus given back to the field by Escape does not open the list (YASGUI's
  // autocompleter opens it on the field's focusin: stopped before it reaches the field).
  container.addEventListener("focusin", (event) => {
    if (quiet && field(event.target)) event.stopPropagation();
    quiet = false;
  }, true);
  // Every endpoint's "✖" from the field itself. The ARIA Authoring Practices' combobox
  // pattern keeps the focus in the field while the arrow keys highlight an option of its
  // list (the list's options are not in the Tab order; the Tab above reaches the one "✖"
  // YASGUI shows, the highlighted endpoint's): a key on the highlighted option, then. The
  // Practices name no key for removing an option, and the field's own keys (Delete deletes
  // text) are to be left to it; Shift+Delete is the key browsers' address bars take for
  // removing the highlighted entry of their history, and only with an endpoint highlighted
  // is it taken from the field (where it cuts the text, on some systems).
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
  // Removed (by a key or the mouse), an endpoint leaves the list with the focus elsewhere,
  // in the field: the status region says so (seen before YASGUI's own handler stops the
  // press going further).
  container.addEventListener("mousedown", (event) => {
    if (!removes(event.target)) return;
    const endpoint = event.target.previousElementSibling.textContent;
    status.textContent = `${endpoint} removed from the endpoint history.`;
  }, true);
  // The focus leaving the "✖" for an element other than the field closes the list, as a
  // press elsewhere does. Not for no element: so the focus goes as YASGUI removes the
  // pressed button, and closing the list then broke its removing off (YASGUI's own field,
  // too, keeps the list open when the focus goes to no element).
  container.addEventListener("focusout", (event) => {
    if (removes(event.target) && event.relatedTarget && !field(event.relatedTarget)) {
      document.dispatchEvent(new MouseEvent("mousedown"));
    }
  });

  document.getElementById("example").addEventListener("change", (event) => {
    const text = config.queries[event.target.value];
    if (text) load(text);
  });
  window.yasgui = yasgui;  // for the console, and for the page tests
})();
