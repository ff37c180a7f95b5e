// Material's chrome, named for assistive technology: its search dialog has no accessible
// name (axe-core: aria-dialog-name), and a scrollable block of math is reached by the
// keyboard only when it can take focus (scrollable-region-focusable).
(function () {
  "use strict";
  function name() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.getAttribute("aria-label")) { search.setAttribute("aria-label", "Search"); }
    document.querySelectorAll(".md-typeset .arithmatex, .md-typeset .fd-compare, .md-typeset__scrollwrap")
      .forEach(function (el) {
        if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
      });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(name); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", name); } else { name(); }
  window.addEventListener("load", name);
})();
