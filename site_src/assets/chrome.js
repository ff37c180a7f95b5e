// Material's chrome, named for assistive technology: each code block's tools a landmark
// name of its own, a scrollable block of math reached by the keyboard (it can take focus).
// Not the search dialog's name: setting it stops Material's search answering.
(function () {
  "use strict";
  function name() {
    document.querySelectorAll(".md-typeset th:empty").forEach(function (th) {  // a table column without a title
      th.textContent = "notes";
    });
    document.querySelectorAll("nav.md-code__nav").forEach(function (nav, i) {  // one landmark name each
      if (!nav.getAttribute("aria-label")) { nav.setAttribute("aria-label", "code block " + (i + 1) + " tools"); }
    });
    document.querySelectorAll(".md-typeset .arithmatex, .md-typeset .fd-compare, .md-typeset__scrollwrap")
      .forEach(function (el) {
        if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
      });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(name); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", name); } else { name(); }
  window.addEventListener("load", name);
})();
