// The guided form's verdicts follow what is typed: a moment after the last change the form
// is posted as its button would post it, and the answer's outcome (the MOF YAML and the
// verdicts, worded by the server) takes the place of the one shown.
(() => {
  const form = document.getElementById("guided");
  if (!form) return;
  let timer;
  let pending;
  async function refresh() {
    if (!form.elements.namedItem("name").value.trim()) return; // the tool's files need a name
    if (pending) pending.abort();
    pending = new AbortController();
    try {
      const answer = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        signal: pending.signal,
      });
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.getElementById("outcome");
      const shown = document.getElementById("outcome");
      if (fresh && shown) shown.replaceWith(fresh);
      // A screen reader hears the verdicts from a status region that stays on the page (a
      // live region put in with its text is not announced; an error is an alert, which is).
      // What was left out of what is judged is counted after them: its note is put in too.
      const bar = fresh && fresh.querySelector("#verdict-bar");
      const left = fresh ? fresh.querySelectorAll("#left-out li").length : 0;
      document.getElementById("verdicts-said").textContent = bar
        ? [...bar.children].map((e) => e.textContent.trim()).join(", ").replace(":,", ":") +
          (left ? `. ${left} ${left === 1 ? "thing" : "things"} left out of what is judged.` : "")
        : "";
    } catch (e) {
      if (e.name !== "AbortError") throw e;
    }
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // What was typed while this script was still loading fired no event it could hear.
  const edited = (field) =>
    field.options
      ? [...field.options].some((option) => option.selected !== option.defaultSelected)
      : field.type === "checkbox" || field.type === "radio"
        ? field.checked !== field.defaultChecked
        : "defaultValue" in field && field.value !== field.defaultValue;
  if ([...form.elements].some(edited)) later();
})();
