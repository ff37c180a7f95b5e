// The version selector keeps the page: choosing another version opens this page in that
// version (same path under its root, anchor kept), or that version's home when it has no
// such page, saying so there. Material's own lookup reads the target version's sitemap,
// whose addresses (use_directory_urls: false: .../0.2/index.html) it does not match, so it
// always lands on the home; this runs first (a capturing listener) and Material's does not.
// The versions and their roots are Material's (versions.json, flopdocs/site/versions.py).
(function () {
  "use strict";
  var KEY = "flopdocs-version-missing";

  function root() {  // this version's root: Material's config "base", from this page
    var el = document.getElementById("__config");
    var base = el ? JSON.parse(el.textContent).base : ".";
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest(".md-version a[href]") : null;
    if (!a || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) { return; }
    ev.preventDefault();
    ev.stopImmediatePropagation();
    var home = new URL(a.href, location.href), here = root();
    var rel = location.pathname.indexOf(here.pathname) === 0 ? location.pathname.slice(here.pathname.length) : "";
    var page = new URL(rel || "index.html", home);
    page.hash = location.hash;
    if (location.protocol === "file:") { location.href = page.href; return; }
    fetch(page.href, { method: "HEAD" }).then(function (r) {
      if (r.ok) { location.href = page.href; return; }
      try { sessionStorage.setItem(KEY, JSON.stringify({ page: rel, version: a.textContent.trim() })); } catch (e) { /* storage off */ }
      location.href = home.href;
    }, function () { location.href = home.href; });
  }, true);

  function note() {  // on the home a switch landed on: which page the version does not have
    var raw = null;
    try { raw = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { return; }
    if (!raw) { return; }
    var missing = JSON.parse(raw), article = document.querySelector("article");
    if (!article) { return; }
    var p = document.createElement("p");
    p.className = "fd-version-note";
    p.setAttribute("role", "status");
    p.textContent = "Version " + missing.version + " has no page " + missing.page + ": this is its home.";
    article.insertBefore(p, article.firstChild);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", note); } else { note(); }
})();
