// Render the pages' math with the KaTeX served by this site (no CDN).
// pymdownx.arithmatex (generic mode) wraps math in \( \) and \[ \] inside elements of
// class "arithmatex"; only those are rendered, so text a model's name or source puts
// on a page (escaped, but "\(" in the DOM all the same) is never typeset as math.
// Material's instant navigation swaps page content without a reload, so render again
// on every document$ emission; and on DOMContentLoaded too, because on file:// Material
// completes document$ without emitting. Each element is rendered once (data-fd-rendered).
(function () {
  function render(root) {
    (root || document).querySelectorAll(".arithmatex:not([data-fd-rendered])").forEach(function (element) {
      element.setAttribute("data-fd-rendered", "");
      renderMathInElement(element, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true }
        ],
        throwOnError: false
      });
    });
    widen(root);
  }
  // An inline formula wider than its paragraph (a phone) scrolls on its own, instead of
  // widening the page: it becomes an inline-block (class fd-wide) only then.
  function widen(root) {
    (root || document).querySelectorAll("span.arithmatex").forEach(function (element) {
      var parent = element.parentElement;
      if (parent && element.getBoundingClientRect().width > parent.clientWidth) {
        element.classList.add("fd-wide");
      }
    });
  }
  window.addEventListener("resize", function () { widen(document); });
  if (typeof document$ !== "undefined") {
    document$.subscribe(function (doc) { render(doc && doc.body); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(document); });
  } else {
    render(document);
  }
})();
