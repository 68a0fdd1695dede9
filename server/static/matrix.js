// Sorting and searching the conformance matrix; arrow keys move between cells.
(function () {
  const table = document.getElementById("matrix");
  const body = table.tBodies[0];
  table.querySelectorAll("th button[data-sort]").forEach((button) => {
    button.addEventListener("click", () => {
      const col = Number(button.dataset.sort);
      const numeric = button.dataset.numeric === "1";
      const descending = button.getAttribute("aria-sort") === "ascending";
      table.querySelectorAll("th button").forEach((b) => b.removeAttribute("aria-sort"));
      button.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
        const order = numeric ? (parseFloat(x) || -1) - (parseFloat(y) || -1) : x.localeCompare(y);
        return descending ? -order : order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
  document.getElementById("search").addEventListener("input", (event) => {
    const needle = event.target.value.toLowerCase();
    Array.from(body.rows).forEach((row) => {
      row.hidden = !row.cells[0].textContent.toLowerCase().includes(needle);
    });
  });
  body.addEventListener("keydown", (event) => {
    const cell = event.target.closest("td, th");
    if (!cell) return;
    const row = cell.parentElement;
    const moves = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
    const move = moves[event.key];
    if (!move) return;
    const rows = Array.from(body.rows).filter((r) => !r.hidden);
    const r = rows[rows.indexOf(row) + move[0]];
    const target = r && r.cells[cell.cellIndex + move[1]];
    if (target) {
      event.preventDefault();
      (target.querySelector("a") || target).focus();
    }
  });
})();
