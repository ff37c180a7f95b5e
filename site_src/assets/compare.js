// Sortable tables (class "fd-sortable"): click a header to sort by its column, again to
// reverse. Cells sort by their data-sort value: numerically when both are numbers, else
// in natural order ("Llama 2 7B" before "Llama 2 70B").
(function () {
  var natural = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  function value(row, i) {
    var cell = row.children[i];
    return cell ? (cell.getAttribute("data-sort") || cell.textContent) : "";
  }
  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) { return x - y; }
    return natural.compare(a, b);
  }
  function setup(root) {
    (root || document).querySelectorAll("table.fd-sortable:not([data-fd-sortable])").forEach(function (table) {
      table.setAttribute("data-fd-sortable", "");
      var headers = table.querySelectorAll("thead th");
      headers.forEach(function (th, i) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "fd-sort";
        while (th.firstChild) { button.appendChild(th.firstChild); }
        th.appendChild(button);
        th.setAttribute("aria-sort", "none");
        button.addEventListener("click", function () {
          var up = th.getAttribute("aria-sort") !== "ascending";
          headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
          th.setAttribute("aria-sort", up ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var c = compare(value(a, i), value(b, i));
            return up ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function (doc) { setup(doc && doc.body); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  } else {
    setup(document);
  }
})();
