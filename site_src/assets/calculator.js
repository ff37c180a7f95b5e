// The Calculator page (templates/calculator.md.j2). It reads the fields, checks them as
// flopdocs checks a config (calculator-checks.js; a pasted config.json: calculator-hf.js), finds the program
// of the config's structure and shows its exact counts. The programs are not written
// here: flopdocs build generates them from the cost trees (flopdocs/site/calculator.py
// writes assets/calculator/index.js and one s-<hash>.js per structure, loaded as
// <script> elements, so the page works from file:// too). Every count is a BigInt;
// whatever a reader typed reaches the page through textContent, never as HTML.
(function () {
  "use strict";
  var script = document.currentScript;
  var BASE = (script && script.src ? script.src : "").replace(/[^\/]*$/, "") + "calculator/";
  var DATA = null, KEY = {}, PROGRAMS = {}, LOADING = {}, ROOT = null, SEQ = 0, LAST = Promise.resolve();
  // from calculator-checks.js and calculator-hf.js, once they and index.js are loaded
  var check, getter, structure, command, DERIVED, fromHf;

  var api = window.flopdocsCalculator = {
    data: function (d) {
      DATA = d;
      d.keys.forEach(function (k) { KEY[k.name] = k; });
    },
    define: function (id, keys, tree, groups, f) {
      PROGRAMS[id] = { keys: keys, tree: tree, groups: groups, f: f };
    },
    // The fields as a map (empty ones left out) and the model picked.
    fields: function () { return readFields(); },
    // Fill the fields (a map of key -> text; every other field emptied) and count: a
    // promise of the shown result (the tests drive the page through this, as a reader would).
    fill: function (values, model) {
      setFields(values, model || "");
      return update();
    },
    settled: function () { return LAST; }
  };

  function load(file) {
    if (!LOADING[file]) {
      LOADING[file] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = BASE + file;
        s.onload = resolve;
        s.onerror = function () { delete LOADING[file]; reject(new Error(file + " could not be loaded")); };
        document.head.appendChild(s);
      });
    }
    return LOADING[file];
  }

  // -- the fields ----------------------------------------------------------------------

  function inputs() { return ROOT.querySelectorAll("[data-key]"); }

  function readFields() {
    var out = {};
    inputs().forEach(function (el) {
      var v = el.value.trim();
      if (el.getAttribute("data-key") !== "model" && v !== "") { out[el.getAttribute("data-key")] = v; }
    });
    return out;
  }

  function setFields(values, model) {
    inputs().forEach(function (el) {
      var key = el.getAttribute("data-key");
      var v = key === "model" ? model : (Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : "");
      if (el.tagName === "SELECT" && v !== "" &&
          !Array.prototype.some.call(el.options, function (o) { return o.value === v; })) {
        var o = document.createElement("option");  // a value the list does not offer: kept, so it is checked
        o.value = v; o.textContent = v;
        el.appendChild(o);
      }
      el.value = v;
    });
  }

  // -- counting ------------------------------------------------------------------------

  function count(prog, get) {
    var args = prog.keys.map(get);
    if (args.some(function (a) { return a === null; })) { return null; }
    var out = prog.f.apply(null, args);
    if (out === null) { return null; }
    var n = get("N"), leaves = [], i = 0;
    (function walk(t, path) {
      if (t.c) { t.c.forEach(function (c) { walk(c, path.concat([c.n])); }); }
      else { leaves.push({ path: path, kind: t.k, role: t.r, value: out[i++] * n }); }
    })(prog.tree, []);
    var perSequence = out.slice(0, i).reduce(function (s, v) { return s + v; }, 0n);
    var by = function (field, names) {
      var sums = names.map(function () { return 0n; });
      leaves.forEach(function (l) { sums[l[field]] += l.value; });
      return names.map(function (name, j) { return [name, sums[j]]; });
    };
    return {
      total: perSequence * n, per_token: perSequence / out[i + 3], leaves: leaves,
      params: { total: out[i], non_embedding: out[i + 1], active: out[i + 2] },
      by_role: by("role", DATA.roles), by_kind: by("kind", DATA.kinds)
    };
  }

  // -- showing -------------------------------------------------------------------------

  function digits(v) { return v.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  function share(part, whole) {
    if (whole === 0n) { return "–"; }
    return (Number(part * 10000n / whole) / 100).toFixed(2) + "%";
  }

  function rows(body, items, total) {  // items: [label, value, depth, path or null]
    body.textContent = "";
    items.forEach(function (it) {
      var tr = document.createElement("tr");
      var name = document.createElement("td"), value = document.createElement("td"), pct = document.createElement("td");
      name.textContent = it[0];
      name.style.paddingLeft = (0.6 + it[2] * 0.9) + "em";
      value.textContent = digits(it[1]);
      value.setAttribute("data-value", it[1].toString());
      pct.textContent = share(it[1], total);
      if (it[3]) { tr.setAttribute("data-path", JSON.stringify(it[3])); }
      tr.appendChild(name); tr.appendChild(value); tr.appendChild(pct);
      body.appendChild(tr);
    });
  }

  // The tree's rows (each node: its total), subtrees at `groups` collapsed to one row.
  function treeRows(prog, leaves, groups) {
    var out = [], i = 0, collapsed = {};
    groups.forEach(function (p) { collapsed[JSON.stringify(p)] = true; });
    (function walk(t, path) {
      var start = out.length, sum = 0n, isGroup = collapsed[JSON.stringify(path)];
      if (!t.c) { sum = leaves[i++].value; }
      else {
        if (path.length) { out.push(null); }
        t.c.forEach(function (c) { sum += walk(c, path.concat([c.n])); });
        if (isGroup) { out.length = start + 1; }
      }
      if (path.length) { out[start] = [t.n, sum, path.length - 1, (!t.c || isGroup) ? path : null]; }
      return sum;
    })(prog.tree, []);
    return out;
  }

  function clear() {
    ROOT.querySelectorAll("[data-out]").forEach(function (el) { el.textContent = "–"; el.removeAttribute("data-value"); });
    ["by_role", "by_kind", "grouped", "breakdown"].forEach(function (id) {
      ROOT.querySelector("#fd-calc-" + id).textContent = "";
    });
  }

  function show(prog, r) {
    ROOT.querySelectorAll("[data-out]").forEach(function (el) {
      var path = el.getAttribute("data-out").split("."), v = r;
      path.forEach(function (p) { v = v[p]; });
      el.textContent = digits(v);
      el.setAttribute("data-value", v.toString());
    });
    var at = function (id) { return ROOT.querySelector("#fd-calc-" + id); };
    rows(at("by_role"), r.by_role.map(function (x) { return [x[0], x[1], 0, [x[0]]]; }), r.total);
    rows(at("by_kind"), r.by_kind.map(function (x) { return [x[0], x[1], 0, [x[0]]]; }), r.total);
    rows(at("grouped"), treeRows(prog, r.leaves, prog.groups), r.total);
    rows(at("breakdown"), treeRows(prog, r.leaves, []), r.total);
  }

  function messages(errors, status) {
    ROOT.querySelectorAll("[data-msg]").forEach(function (el) {
      el.textContent = errors[el.getAttribute("data-msg")] || "";
    });
    ROOT.querySelector("#fd-calc-status").textContent = status || "";
    ROOT.querySelectorAll("[data-key]").forEach(function (el) {
      if (errors[el.getAttribute("data-key")]) { el.setAttribute("aria-invalid", "true"); }
      else { el.removeAttribute("aria-invalid"); }
    });
  }

  function remember(raw) {
    var q = new URLSearchParams();
    var model = ROOT.querySelector("#fd-calc-model").value;
    if (model) { q.set("model", model); }
    Object.keys(raw).forEach(function (k) { q.set(k, raw[k]); });
    try { history.replaceState(history.state, "", "#" + q.toString()); } catch (e) { /* a sandboxed frame */ }
  }

  function update() {
    var seq = ++SEQ, raw = readFields();
    remember(raw);
    var c = check(raw);
    if (Object.keys(c.errors).length) {
      clear();
      messages(c.errors, "Fix the fields marked: nothing is counted until every field is valid.");
      LAST = Promise.resolve({ errors: c.errors });
      return LAST;
    }
    var get = getter(c.given), id = DATA.structures[structure(get)];
    if (!id) {
      clear();
      messages({ architecture: "this combination of architecture keys is not compiled into the page" },
               "Not compiled into this page: count it with " + command(raw));
      LAST = Promise.resolve({ uncompiled: command(raw) });
      return LAST;
    }
    LAST = load("s-" + id + ".js").then(function () {
      if (seq !== SEQ) { return LAST; }  // a later edit is being counted
      var prog = PROGRAMS[id], r = count(prog, get);
      if (r === null) {
        clear();
        messages({}, "A count is not a whole number for these dimensions (flopdocs report refuses them too).");
        return { inexact: true };
      }
      messages({}, "");
      show(prog, r);
      return { structure: id };
    }, function (e) {
      clear();
      messages({}, e.message);
      return { failed: e.message };
    });
    return LAST;
  }

  function readHf() {
    var msg = ROOT.querySelector("#fd-calc-msg-hf"), values;
    try { values = fromHf.read(ROOT.querySelector("#fd-calc-hf").value); }  // calculator-hf.js: import-hf's rules
    catch (e) {
      msg.textContent = (e instanceof SyntaxError ? "not JSON: " : "") + e.message;
      return Promise.resolve({ errors: { hf: msg.textContent } });
    }
    msg.textContent = "read: the fields below hold it";
    return api.fill(values, "");
  }
  api.fromHf = function (hf) { return fromHf(hf); };
  api.readHfText = function (text) { return fromHf.read(text); };
  api.readHf = readHf;

  // -- start ---------------------------------------------------------------------------

  function model(slug) {
    return DATA.models.filter(function (m) { return m.slug === slug; })[0] || null;
  }

  function restore() {
    var q = new URLSearchParams(location.hash.replace(/^#/, "")), values = {}, given = false;
    q.forEach(function (v, k) {
      given = true;
      if (k !== "model" && (KEY[k])) { values[k] = v; }
    });
    if (!given) {  // nothing shared: a catalogue model to start from
      var first = model("llama-3-8b") || DATA.models[0];
      setFields(first ? first.config : {}, first ? first.slug : "");
      return;
    }
    var slug = q.get("model");
    setFields(values, slug && model(slug) ? slug : "");
  }

  function start(root) {
    ROOT = root;
    var missing = DATA.keys.filter(function (k) { return k.derived && !DERIVED[k.name]; });
    if (missing.length) {  // the keys changed and this file did not: say so, count nothing
      ROOT.querySelector("#fd-calc-status").textContent = "The calculator does not know the default of " +
        missing.map(function (k) { return k.name; }).join(", ") + ": use flopdocs report.";
      return;
    }
    restore();
    ROOT.querySelector("form").addEventListener("input", function (e) {
      if (e.target.id === "fd-calc-hf" || e.target.id === "fd-calc-model") { return; }
      var picked = ROOT.querySelector("#fd-calc-model"), m = model(picked.value);
      if (m && JSON.stringify(readFields()) !== JSON.stringify(m.config)) { picked.value = ""; }  // edited: your own now
      update();
    });
    ROOT.querySelector("#fd-calc-model").addEventListener("change", function (e) {
      var m = model(e.target.value);
      if (m) { setFields(m.config, m.slug); }
      update();
    });
    ROOT.querySelector("#fd-calc-hf-read").addEventListener("click", readHf);
    update();
  }

  function setup(doc) {
    var root = (doc || document).querySelector ? (doc || document).querySelector("#fd-calc") : null;
    if (!root || root.getAttribute("data-fd-calc")) { return; }
    root.setAttribute("data-fd-calc", "");
    api.ready = Promise.all([load("index.js"), load("../calculator-checks.js"), load("../calculator-hf.js")])
      .then(function () {
        var parts = window.flopdocsCalculatorParts, c = parts.checks(DATA, KEY);
        check = c.check; getter = c.getter; structure = c.structure; command = c.command; DERIVED = c.DERIVED;
        fromHf = parts.hf(DATA, KEY);
        start(root);
        return LAST;
      });
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { setup(document); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  } else {
    setup(document);
  }
})();
