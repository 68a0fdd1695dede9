// Sorting and searching the conformance matrix. The table is one tab stop (a roving
// tabindex): arrow keys move between cells, Home/End along a row, Enter follows a link.
(function () {
  const table = document.getElementById("matrix");
  const body = table.tBodies[0];
  // What receives focus in a cell: its link, or the cell itself.
  const target = (cell) => cell.querySelector("a") || cell;
  let current = null;
  function rove(cell, focus) {
    if (current) target(current).tabIndex = -1;
    current = cell;
    target(cell).tabIndex = 0;
    if (focus) {
      target(cell).focus();
      // focus() leaves a cell the table's edge cuts as it is (Chromium): shown whole, with
      // its focus ring (the table's scroll-padding), wherever the arrow keys lead.
      cell.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }
  Array.from(body.rows).forEach((row) => Array.from(row.cells).forEach((cell) => {
    target(cell).tabIndex = -1;
  }));
  if (body.rows.length) rove(body.rows[0].cells[0], false);

  // A cell sorts by what it shows: the words only a screen reader is given (whose verdict,
  // on what) would order alike outcomes by model, reversed in a descending sort.
  const shown = (cell) => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll(".sr-only").forEach((e) => e.remove());
    return copy.textContent.trim();
  };
  table.querySelectorAll("th button[data-sort]").forEach((button) => {
    button.addEventListener("click", () => {
      const col = Number(button.dataset.sort);
      const numeric = button.dataset.numeric === "1";
      // aria-sort belongs on the column header (the th), not on the button in it.
      const header = button.closest("th");
      const descending = header.getAttribute("aria-sort") === "ascending";
      table.querySelectorAll("th[aria-sort]").forEach((th) => th.removeAttribute("aria-sort"));
      header.setAttribute("aria-sort", descending ? "descending" : "ascending");
      // Each row's key read once, not in every comparison (a clone of its cell each time).
      const keyed = Array.from(body.rows, (row) => {
        const words = shown(row.cells[col]);
        return { row, key: numeric ? parseFloat(words) || -1 : words };
      });
      keyed.sort((a, b) => {
        const order = numeric ? a.key - b.key : a.key.localeCompare(b.key);
        return descending ? -order : order;
      });
      keyed.forEach(({ row }) => body.appendChild(row));
    });
  });
  // "llama 2" finds Llama-2-7B: case, dashes and slashes do not count (the server's
  // _matching in pages.py is the same, for the export).
  const normal = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  // A row is found by its model's name or one of its Hugging Face ids (data-hub).
  const names = (row) => [row.cells[0].textContent, ...(row.dataset.hub || "").split(" ")];
  const search = document.getElementById("search");
  const exported = document.getElementById("export");
  function find() {
    const needle = normal(search.value);
    Array.from(body.rows).forEach((row) => {
      row.hidden = !names(row).some((name) => normal(name).includes(needle));
    });
    // The export holds what is shown: the search goes with the link.
    const url = new URL(exported.href);
    if (needle) url.searchParams.set("search", search.value);
    else url.searchParams.delete("search");
    exported.href = url.pathname + url.search;
  }
  search.addEventListener("input", find);
  find();  // a search the browser restored (back, reload) applies too
  body.addEventListener("focusin", (event) => {
    const cell = event.target.closest("td, th");
    if (cell && cell !== current) rove(cell, false);
  });
  body.addEventListener("keydown", (event) => {
    const cell = event.target.closest("td, th");
    if (!cell) return;
    const rows = Array.from(body.rows).filter((r) => !r.hidden);
    const r = rows.indexOf(cell.parentElement);
    const c = cell.cellIndex, last = cell.parentElement.cells.length - 1;
    const moves = {
      ArrowRight: [r, c + 1], ArrowLeft: [r, c - 1], ArrowDown: [r + 1, c], ArrowUp: [r - 1, c],
      Home: [r, 0], End: [r, last],
    };
    const move = moves[event.key];
    const next = move && rows[move[0]] && rows[move[0]].cells[move[1]];
    if (next) {
      event.preventDefault();
      rove(next, true);
    }
  });
})();
