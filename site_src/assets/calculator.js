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
  var DATA = null, KEY = {}, PROGRAMS = {}, FORMULAS = {}, LOADING = {}, ROOT = null, SEQ = 0, LAST = Promise.resolve();
  var UNKNOWN = null, LAST_HASH = null;
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
    formula: function (id, f) { FORMULAS[id] = f; },
    // The fields as a map (empty ones left out) and the model picked.
    fields: function () { return readFields(); },
    // Fill the fields (a map of key -> text; every other field emptied) and count: a
    // promise of the shown result (the tests drive the page through this, as a reader would).
    fill: function (values, model, options) {
      UNKNOWN = null;
      setFields(values, model || "");
      setOptions(options || {});
      return update();
    },
    // Go to an address (#model=...&mode=...) as a reader pasting it would.
    open: function (hash) {
      location.hash = hash;
      restore();
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
  // A count is a tree of one sequence ({n, c} or a leaf {n, k, r, v}), built from the
  // generated programs as flopdocs/counting/analysis.py builds it for each mode (the
  // backward's multiples by kind, what selective recomputation keeps, the parts' names:
  // index.js, from flopdocs/counting/modes.py), then multiplied by N.

  var OPTIONS = ["convention", "mode", "recompute", "prompt", "context", "generate",
                 "tokens", "accelerator", "devices", "mfu",
                 "dtype", "kv_dtype", "optimizer", "attention", "dp", "tp", "pp", "ep", "zero"];
  var PARALLEL = ["dp", "tp", "pp", "ep", "zero"];

  function run(prog, get, values) {  // -> {tree, params, tokens} or null (a value is not whole); values: the outputs
    var args = prog.keys.map(get);
    if (args.some(function (a) { return a === null; })) { return null; }
    var out = prog.f.apply(null, args);
    if (out === null || values) { return out; }
    var i = 0;
    var tree = (function walk(t) {
      if (t.c) { return { n: t.n, c: t.c.map(walk) }; }
      return { n: t.n, k: DATA.kinds[t.k], r: DATA.roles[t.r], v: out[i++] };
    })(prog.tree);
    return { tree: tree, params: { total: out[i], non_embedding: out[i + 1], active: out[i + 2] }, tokens: out[i + 3] };
  }

  function mapLeaves(t, f) {
    if (t.c) {
      var c = t.c.map(function (x) { return mapLeaves(x, f); }).filter(function (x) { return x !== null; });
      return c.length ? { n: t.n, c: c } : null;
    }
    return f(t);
  }

  function leavesOf(t, path, out) {
    out = out || []; path = path || [];
    if (t.c) { t.c.forEach(function (c) { leavesOf(c, path.concat([c.n]), out); }); }
    else { out.push({ path: path, leaf: t }); }
    return out;
  }

  function part(name, t) { return { n: name, c: t.c }; }

  function training(fwd, mode, how) {  // flopdocs.counting.modes.training
    var parts = [part("forward", fwd)];
    if (mode === "training-recompute") {
      var again = how === "full" ? fwd : mapLeaves(fwd, function (l) {
        return DATA.selective.indexOf(l.r) >= 0 ? l : null;
      });
      if (again) { parts.push(part("recompute", again)); }
    }
    parts.push(part("backward", mapLeaves(fwd, function (l) {
      return { n: l.n, k: l.k, r: l.r, v: BigInt(DATA.backward[l.k]) * l.v };
    })));
    return { n: fwd.n, c: parts };
  }

  function sumKeys(get, first, steps) {  // flopdocs.counting.modes.sum_keys
    var lo = first + 1n, hi = first + steps, w = get("window");
    if (w === null || hi <= w) { return (lo + hi) * steps / 2n; }
    if (lo >= w) { return w * steps; }
    return (lo + w - 1n) * (w - lo) / 2n + w * (hi - w + 1n);
  }

  function decodeKeys(get, context) {
    var w = get("window");
    return w === null || context + 1n < w ? context + 1n : w;
  }

  function withValues(get, values) {
    return function (k) { return Object.prototype.hasOwnProperty.call(values, k) ? values[k] : get(k); };
  }

  // A structure's program: its own (the grid's), else its pieces, each chosen by the
  // fields it depends on (index.js "pieces", from flopdocs/site/pieces.py), or undefined.
  function entry(table, conv, g, over) {
    var sig = structure(g, over), id = table.forward[sig];
    if (id) { return id; }
    var T = DATA.pieces, values = JSON.parse(sig), v = {}, out = [];
    if (!T.programs[conv]) { return undefined; }
    DATA.archFields.forEach(function (f, i) { v[f] = values[i]; });
    for (var i = 0; i < T.order.length; i++) {
      var c = T.choices[i][JSON.stringify(T.depends[i].map(function (f) { return v[f]; }))];
      if (c === undefined) { return undefined; }
      if (c !== null) { out.push([T.order[i], T.programs[conv][c]]); }
    }
    return { pieces: out };
  }

  function idsOf(e) { return typeof e === "string" ? [e] : e.pieces.map(function (p) { return p[1]; }); }

  // Run an entry: a structure's program, or its pieces put together under their paths.
  function runEntry(e, g) {
    if (typeof e === "string") { return run(PROGRAMS[e], g); }
    var root = { n: "model", c: [] }, params = { total: 0n, non_embedding: 0n, active: 0n };
    for (var i = 0; i < e.pieces.length; i++) {
      var r = run(PROGRAMS[e.pieces[i][1]], g), node = root;
      if (r === null) { return null; }
      e.pieces[i][0].slice(0, -1).forEach(function (name) {
        var c = node.c.filter(function (x) { return x.n === name && x.c; })[0];
        if (!c) { c = { n: name, c: [] }; node.c.push(c); }
        node = c;
      });
      node.c.push(r.tree);
      Object.keys(params).forEach(function (k) { params[k] += r.params[k]; });
    }
    var tokens = g("architecture") === "encoder-decoder" ? g("l_src") + g("l_tgt") : g("l");  // rows.tokens
    return { tree: root, params: params, tokens: tokens };
  }

  // The programs a count needs: {role: entry}; an entry undefined when the page has none.
  function plan(c, get, o) {
    var conv = DATA.conventions[o.convention], treeConv = conv.tree ? o.convention : DATA.convention;
    var table = DATA.structures[treeConv], need = {}, P = prompted(get, o);
    if (!conv.tree) { return { forward: entry(table, treeConv, get) }; }  // a closed form reads the parameters
    if (o.mode === "prefill" || o.mode === "generate") {
      need.prefill = entry(table, treeConv, P);
      need.params = entry(table, treeConv, get);
    } else {
      need.forward = entry(table, treeConv, get);
    }
    if (o.mode === "decode" || o.mode === "generate") {
      need.decode = (table.decode || {})[structure(get, { windowed: get("window") !== null })];
    }
    return need;
  }

  // the config over the prompt (modes.prompt_config: an encoder-decoder's prompt is its target)
  function prompted(get, o) {
    return withValues(get, get("architecture") === "encoder-decoder" ? { l_tgt: o.prompt } : { l: o.prompt });
  }

  function formArch(get) { return get("architecture") === "encoder-decoder" ? "encoder-decoder" : "decoder"; }

  // flopdocs.conventions.formula.tree: the closed form's compiled terms (index.js "formulas")
  function formulaTree(o, get, params) {
    var F = DATA.formulas[o.convention].forms[formArch(get)];
    var terms = function (part, n, scale) {
      var P = F.programs[part], g = withValues(get, { params_total: params.total, n: n,
        params_non_embedding: params.non_embedding, params_active: params.active });
      var args = P.keys.map(g);
      if (args.some(function (a) { return a === null; })) { return null; }
      var vals = FORMULAS[P.id].apply(null, args), leave = DATA.formulas[o.convention].exclude;
      return vals && vals.map(function (v, j) {
        return { n: P.terms[j].name, k: P.terms[j].kind, r: P.terms[j].role, v: (scale || 1n) * v };
      }).filter(function (t) { return leave.indexOf(t.r) < 0; });  // the roles it leaves out (formula.kept)
    };
    var root = DATA.conventions[o.convention].title, s;
    var tokens = formArch(get) === "encoder-decoder" ? get("l_src") + get("l_tgt") : get("l");
    if (o.mode === "forward" || o.mode === "training" || o.mode === "training-recompute") {
      s = terms("sequence", tokens);
      if (!s) { return null; }
      if (o.mode === "forward") { return { tree: { n: root, c: s }, tokens: tokens }; }
      var parts = [{ n: "forward", c: s }];
      if (o.mode === "training-recompute") {
        var again = terms("recompute-" + o.recompute, tokens);
        if (again === null) { return null; }
        if (again.length) { parts.push({ n: "recompute", c: again }); }
      }
      parts.push({ n: "backward", c: terms("sequence", tokens, BigInt(F.backward)) });
      return { tree: { n: root, c: parts }, tokens: tokens };
    }
    if (o.mode === "prefill") {
      s = terms("sequence", o.prompt);
      return s && { tree: { n: root, c: s }, tokens: o.prompt };
    }
    if (o.mode === "decode") {
      s = terms("token", o.context + 1n);
      return s && { tree: { n: root, c: s }, tokens: 1n };
    }
    var first = o.prompt + 1n, steps = o.generate, one = terms("token", 1n), two = terms("token", 2n);
    var pre = terms("sequence", o.prompt);
    if (!one || !two || !pre) { return null; }
    var totalCtx = steps * first + steps * (steps - 1n) / 2n;  // formula.decode_sum
    var dec = one.map(function (t, j) {
      var b = two[j].v - t.v;
      return { n: t.n, k: t.k, r: t.r, v: steps * (t.v - b) + b * totalCtx };
    });
    return { tree: { n: root, c: [{ n: "prefill", c: pre }, { n: "decode", c: dec }] },
             tokens: o.prompt + o.generate };
  }

  // One count: {tree (per sequence), params, tokens} or null (not whole), from loaded programs.
  function evaluate(need, o, get) {
    var conv = DATA.conventions[o.convention], P = prompted(get, o);
    var fwd = need.forward ? runEntry(need.forward, get) : null;
    var params = fwd ? fwd.params : need.params ? (runEntry(need.params, get) || {}).params : null;
    if (!params) { return null; }
    if (!conv.tree) {
      var f = formulaTree(o, get, params);
      return f && { tree: f.tree, params: params, tokens: f.tokens };
    }
    if (o.mode === "forward") { return fwd; }
    if (o.mode === "training" || o.mode === "training-recompute") {
      return { tree: training(fwd.tree, o.mode, o.recompute), params: params, tokens: fwd.tokens };
    }
    var pre = need.prefill ? runEntry(need.prefill, P) : null;
    if (o.mode === "prefill") { return pre && { tree: pre.tree, params: params, tokens: pre.tokens }; }  // l_src + P
    // a step scoring `keys` keys (a split stack's global layers: `full`, uncapped; rows.MODE_ARGS)
    var step = function (keys, full) {
      return run(PROGRAMS[need.decode], withValues(get, { keys: keys, keys_full: full }));
    };
    if (o.mode === "decode") {
      var d = step(decodeKeys(get, o.context), o.context + 1n);
      return d && { tree: d.tree, params: params, tokens: 1n };
    }
    // G steps, each leaf a + b·keys (+ c·keys_full): from its values at 1 and 2 keys (and
    // at 2 uncapped keys), as flopdocs.counting.rows sums them
    var one = step(1n, 1n), two = step(2n, 1n), wide = step(1n, 2n);
    if (!pre || !one || !two || !wide) { return null; }
    var total = sumKeys(get, o.prompt, o.generate), j = 0;
    var totalFull = sumKeys(withValues(get, { window: null }), o.prompt, o.generate);
    var b = leavesOf(two.tree), c = leavesOf(wide.tree);
    var steps = mapLeaves(one.tree, function (l) {
      var slope = b[j].leaf.v - l.v, slopeFull = c[j++].leaf.v - l.v;
      return { n: l.n, k: l.k, r: l.r,
               v: o.generate * (l.v - slope - slopeFull) + slope * total + slopeFull * totalFull };
    });
    return { tree: { n: pre.tree.n, c: [part("prefill", pre.tree), part("decode", steps)] },
             params: params, tokens: pre.tokens + o.generate };
  }

  function summarise(r, get, groups) {
    var n = get("N"), all = leavesOf(r.tree);
    var tree = mapLeaves(r.tree, function (l) { return { n: l.n, k: l.k, r: l.r, v: l.v * n }; });
    var perSequence = all.reduce(function (s, x) { return s + x.leaf.v; }, 0n);
    var by = function (field, names) {
      if (all.some(function (x) { return x.leaf[field] === null || x.leaf[field] === undefined; })) { return null; }
      var sums = {};
      names.forEach(function (name) { sums[name] = 0n; });
      all.forEach(function (x) { sums[x.leaf[field]] += x.leaf.v * n; });
      return names.map(function (name) { return [name, sums[name]]; });
    };
    return { total: perSequence * n, per_token: perSequence / r.tokens, tokens: r.tokens * n,
             tree: tree, groups: groups, params: r.params,
             by_role: by("r", DATA.roles), by_kind: by("k", DATA.kinds) };
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
  function treeRows(tree, groups) {
    var out = [], collapsed = {};
    groups.forEach(function (p) { collapsed[JSON.stringify(p)] = true; });
    (function walk(t, path) {
      var start = out.length, sum = 0n, isGroup = collapsed[JSON.stringify(path)];
      if (!t.c) { sum = t.v; }
      else {
        if (path.length) { out.push(null); }
        t.c.forEach(function (c) { sum += walk(c, path.concat([c.n])); });
        if (isGroup) { out.length = start + 1; }
      }
      if (path.length) { out[start] = [t.n, sum, path.length - 1, (!t.c || isGroup) ? path : null]; }
      return sum;
    })(tree, []);
    return out;
  }

  function clear() {
    ROOT.querySelectorAll("[data-out], [data-run], [data-mem], [data-mem-device], [data-fit]").forEach(function (el) {
      el.textContent = "–"; el.removeAttribute("data-value");
    });
    ROOT.querySelector("#fd-calc-memory-note").textContent = "";
    ["by_role", "by_kind", "grouped", "breakdown"].forEach(function (id) {
      ROOT.querySelector("#fd-calc-" + id).textContent = "";
    });
  }

  function show(r, o) {
    ROOT.querySelectorAll("[data-out]").forEach(function (el) {
      var path = el.getAttribute("data-out").split("."), v = r;
      path.forEach(function (p) { v = v[p]; });
      el.textContent = digits(v);
      el.setAttribute("data-value", v.toString());
    });
    var at = function (id) { return ROOT.querySelector("#fd-calc-" + id); };
    var byRows = function (id, list, what) {
      if (list) { rows(at(id), list.map(function (x) { return [x[0], x[1], 0, [x[0]]]; }), r.total); }
      else {
        at(id).textContent = "";
        var tr = document.createElement("tr"), td = document.createElement("td");
        td.colSpan = 3; td.textContent = "not given: the " + o.convention + " terms mix " + what;
        tr.appendChild(td); at(id).appendChild(tr);
      }
    };
    byRows("by_role", r.by_role, "roles");
    byRows("by_kind", r.by_kind, "kinds");
    rows(at("grouped"), treeRows(r.tree, r.groups), r.total);
    rows(at("breakdown"), treeRows(r.tree, []), r.total);
    showRun(r, o);
  }

  // -- compute for a token count, and its time on N devices ------------------------------

  function showRun(r, o) {
    var out = function (key, text, value) {
      var el = ROOT.querySelector('[data-run="' + key + '"]');
      if (!el) { return; }
      el.textContent = text;
      if (value !== undefined) { el.setAttribute("data-value", value); } else { el.removeAttribute("data-value"); }
    };
    if (o.tokens === null) { ["flops", "seconds", "time", "device_hours"].forEach(function (k) { out(k, "–"); }); return; }
    // the mode's FLOPs per token, exactly: total / (tokens per sequence × N), times D tokens
    var flops = r.total * o.tokens / r.tokens, exact = (r.total * o.tokens) % r.tokens === 0n;
    out("flops", (exact ? "" : "≈ ") + digits(flops) + " (" + Number(flops).toExponential(3) + ")", flops.toString());
    var acc = DATA.accelerators.filter(function (a) { return a.name === o.accelerator; })[0];
    if (!acc || o.devices === null || o.mfu === null) { ["seconds", "time", "device_hours"].forEach(function (k) { out(k, "–"); }); return; }
    var seconds = Number(flops) / (Number(o.devices) * acc.dense * o.mfu / 100);
    out("seconds", seconds.toPrecision(6), String(seconds));
    out("time", duration(seconds));
    out("device_hours", (seconds * Number(o.devices) / 3600).toPrecision(6), String(seconds * Number(o.devices) / 3600));
  }

  function duration(s) {
    if (s < 120) { return s.toPrecision(3) + " s"; }
    if (s < 7200) { return (s / 60).toPrecision(3) + " min"; }
    if (s < 3 * 86400) { return (s / 3600).toPrecision(3) + " h"; }
    if (s < 3 * 365.25 * 86400) { return (s / 86400).toPrecision(3) + " days"; }
    return (s / (365.25 * 86400)).toPrecision(3) + " years";
  }

  function messages(errors, status, info) {
    ROOT.querySelectorAll("[data-msg]").forEach(function (el) {
      el.textContent = errors[el.getAttribute("data-msg")] || "";
    });
    var st = ROOT.querySelector("#fd-calc-status");
    st.textContent = status || "";
    st.classList.toggle("fd-calc-info", !!info);
    ROOT.querySelectorAll("[data-key], [data-opt]").forEach(function (el) {
      var k = el.getAttribute("data-key") || el.getAttribute("data-opt");
      if (errors[k]) { el.setAttribute("aria-invalid", "true"); }
      else { el.removeAttribute("aria-invalid"); }
    });
  }

  // -- memory and fit --------------------------------------------------------------------
  // The elements come from the structure's generated memory program (index.js "memory":
  // flopdocs/site/pages/calculator_memory.py, from flopdocs.counting.memory_rows.row_exprs);
  // the bytes per element, the optimizer's states, the reserve from the same index. Here they
  // are only combined, each term rounded up once, as flopdocs.counting.memory_rows.row_columns,
  // flopdocs.counting.parallel.per_device and flopdocs.counting.timing.fit combine them.

  // the memory fields (memory.Settings.checked, parallel.check: their words)
  function checkMemory(raw, o, errors, get) {
    var M = DATA.memory, names = Object.keys(M.dtypes);
    o.dtype = raw.dtype || M.defaults.dtype; o.kv_dtype = raw.kv_dtype || null;
    o.optimizer = raw.optimizer || M.defaults.optimizer; o.attention = raw.attention || M.defaults.attention;
    [["dtype", o.dtype, names], ["kv_dtype", o.kv_dtype, names], ["optimizer", o.optimizer, M.optimizers],
     ["attention", o.attention, M.attention]].forEach(function (x) {
      if (x[1] !== null && x[2].indexOf(x[1]) < 0) { errors[x[0]] = "must be one of " + x[2].join(", ") + ", got '" + x[1] + "'"; }
    });
    o.parallel = null;
    if (!PARALLEL.some(function (k) { return raw[k] !== undefined; })) { return; }
    var par = { dp: 1n, tp: 1n, pp: 1n, ep: 1n, zero: 0n };
    PARALLEL.forEach(function (k) {
      if (raw[k] === undefined) { return; }
      var r = whole(raw[k], k === "zero" ? 0 : 1);
      if (r.error) { errors[k] = r.error; } else { par[k] = r.value; }
    });
    if (!errors.zero && par.zero > BigInt(M.zero[1])) { errors.zero = "must be 0, 1, 2 or 3, got " + par.zero; }
    if (!errors.ep && !errors.dp && par.ep > 1n) {
      var experts = get("n_experts");
      if (experts === null || experts === undefined) {
        errors.ep = "expert parallelism needs experts (n_experts), got --ep " + par.ep;
      } else if (par.dp % par.ep !== 0n || experts % par.ep !== 0n) {
        errors.ep = par.ep + " must divide the data-parallel degree (" + par.dp + ") and n_experts (" + experts + ")";
      }
    }
    o.parallel = par;
  }

  function up(a, b) { return (a + b - 1n) / b; }  // ⌈a / b⌉ of non-negative BigInts

  function bytesAt(elements, dtype) {  // memory._bytes: ⌈elements × bytes⌉, once
    var f = DATA.memory.dtypes[dtype];
    return up(elements * BigInt(f[0]), BigInt(f[1]));
  }

  // {terms, device, fit} of one config (null: a value is not whole), from the program's values
  function memoryOf(vals, o, get) {
    var M = DATA.memory, at = function (name) { return vals[M.outputs.indexOf(name)]; };
    var training = o.mode === "training" || o.mode === "training-recompute";
    var n = get("N"), P = at("params"), kvType = o.kv_dtype || o.dtype;
    var kept = function (rec, what) { return at(o.attention + "/" + rec + "/" + what); };
    var states = function (p, factored) {  // memory.optimizer_bytes: master copy, moments, Adafactor's
      return BigInt(M.master[o.dtype] + M.moments[o.optimizer]) * p + (o.optimizer === "adafactor" ? 4n * factored : 0n);
    };
    var perSequence = function (rec) {  // memory.activation_bytes of one sequence
      return bytesAt(kept(rec, "kept"), o.dtype) + 4n * kept(rec, "fp32") + BigInt(M.index) * kept(rec, "index");
    };
    var w = bytesAt(P, o.dtype), t = { weights: w, gradients: null, optimizer: null, activations: null, kv_cache: null };
    if (training) {
      t.gradients = w;
      t.optimizer = states(P, at(o.attention + "/none/factored"));
      t.activations = n * perSequence(o.mode === "training-recompute" ? o.recompute : "none");
    }
    var positions = { prefill: o.prompt, decode: o.context + 1n, generate: o.prompt + o.generate }[o.mode];
    if (positions !== undefined) {  // Analysis.cache_positions; a window caps its layers' positions
      var w8 = get("window"), capped = w8 !== null && w8 !== undefined && w8 < positions ? w8 : positions;
      t.kv_cache = bytesAt((at("kv") * capped + at("kv_full") * positions + at("kv_fixed")) * n, kvType);
    }
    var sum = function (m) {
      return Object.keys(m).reduce(function (s, k) { return m[k] === null ? s : s + m[k]; }, 0n);
    };
    t.total = sum(t);
    var device = null, par = o.parallel;
    if (par) {  // parallel.per_device
      var mp = par.tp * par.pp, split = function (v, ways) { return v === null ? null : up(v, ways); };
      var shard = function (m, ways, data) {
        return [split(m[0], ways * (par.zero >= 3n ? data : 1n)), split(m[1], ways * (par.zero >= 2n ? data : 1n)),
                split(m[2], ways * (par.zero >= 1n ? data : 1n))];
      };
      var whole3 = [t.weights, t.gradients, t.optimizer], dense = shard(whole3, mp, par.dp);
      if (training && par.ep > 1n) {  // the routed experts' states: e ways more, ZeRO over dp / e
        var ew = bytesAt(at("expert_params"), o.dtype), ex = [ew, ew, states(at("expert_params"), at("expert_factored"))];
        var rest = whole3.map(function (v, i) { return v - ex[i]; }), own = shard(ex, mp * par.ep, par.dp / par.ep);
        dense = shard(rest, mp, par.dp).map(function (v, i) { return v + own[i]; });
      }
      device = { weights: dense[0], gradients: dense[1], optimizer: dense[2],
                 activations: split(t.activations, par.tp), kv_cache: split(t.kv_cache, mp) };
      device.total = sum(device);
    }
    var fit = null, chip = o.accelerator && M.accelerators[o.accelerator];
    if (chip) {  // timing.fit: serving (weights, KV cache) and training (ZeRO-3 states, a micro-batch)
      var devices = o.devices === null ? 1n : o.devices, r = M.reserve;
      var perDevice = BigInt(chip) * BigInt(r[1] - r[0]) / BigInt(r[1]), capacity = perDevice * devices;
      var perPosition = bytesAt(at("kv") + at("kv_full") + at("kv_fixed"), kvType), room = capacity - w;
      var opt = states(P, at(o.attention + "/none/factored")), stateBytes = 2n * up(w, devices) + up(opt, devices);
      var act = perSequence("none"), spare = perDevice - stateBytes;
      var micro = act > 0n && spare > 0n ? spare / act : 0n;
      fit = { capacity: capacity, weights: w, serving_fits: room > 0n,
              kv_positions: perPosition > 0n && room > 0n ? room / perPosition : 0n,
              per_device_states: stateBytes, activations_per_sequence: act,
              training_fits: micro >= 1n, micro_batch: micro };
    }
    return { terms: t, device: device, fit: fit };
  }

  function gigabytes(v) {  // a reading aid beside the exact bytes: MB, GB or TB (decimal)
    var unit = [["TB", 1e12], ["GB", 1e9], ["MB", 1e6]].filter(function (u) { return Number(v) >= u[1]; })[0];
    if (!unit) { return ""; }
    var x = Number(v) / unit[1];
    return " (" + (x >= 100 ? digits(BigInt(Math.round(x))) : x.toPrecision(3)) + " " + unit[0] + ")";
  }

  function showMemory(m) {
    var put = function (attr, values, big) {
      ROOT.querySelectorAll("[" + attr + "]").forEach(function (el) {
        var v = values ? values[el.getAttribute(attr)] : null;
        if (v === null || v === undefined) { el.textContent = "–"; el.removeAttribute("data-value"); return; }
        el.setAttribute("data-value", String(v));
        el.textContent = typeof v === "boolean" ? (v ? "yes" : "no") : digits(v) + (big ? gigabytes(v) : "");
      });
    };
    put("data-mem", m && m.terms, true);
    put("data-mem-device", m && m.device, true);
    put("data-fit", m && m.fit, false);
  }

  // -- the counting options (convention, mode and its numbers, tokens and devices) -------

  function readOptions() {
    var out = {};
    ROOT.querySelectorAll("[data-opt]").forEach(function (el) {
      var v = el.value.trim();
      if (v !== "") { out[el.getAttribute("data-opt")] = v; }
    });
    return out;
  }

  function setOptions(values) {
    ROOT.querySelectorAll("[data-opt]").forEach(function (el) {
      var k = el.getAttribute("data-opt"), v = Object.prototype.hasOwnProperty.call(values, k) ? values[k] : "";
      if (el.tagName === "SELECT") {
        if (v === "") { v = el.getAttribute("data-default") || ""; }
        if (!Array.prototype.some.call(el.options, function (x) { return x.value === v; })) {
          var x = document.createElement("option"); x.value = v; x.textContent = v; el.appendChild(x);
        }
      }
      el.value = v;
    });
  }

  function whole(raw, least) {  // -> {value} or {error}, as flopdocs.counting.modes.check words it
    if (!/^-?[0-9]+$/.test(raw)) { return { error: "must be a whole number, got '" + raw + "'" }; }
    var n = BigInt(raw);
    if (n < BigInt(least) || n > BigInt(DATA.maxInt)) { return { error: "must be from " + least + " to 2**53, got " + raw }; }
    return { value: n };
  }

  // -> {o, errors}: the options checked, the mode's defaults filled in (Options.resolved)
  function checkOptions(raw, get, archName) {
    var errors = {}, o = { convention: raw.convention || DATA.convention, mode: raw.mode || "forward",
                           recompute: raw.recompute || "full", tokens: null, devices: null, mfu: null,
                           accelerator: raw.accelerator || "" };
    var conv = DATA.conventions[o.convention];
    if (!conv) { errors.convention = "unknown convention '" + o.convention + "' (known: " + Object.keys(DATA.conventions).join(", ") + ")"; return { o: o, errors: errors }; }
    if (DATA.modes.indexOf(o.mode) < 0) { errors.mode = "must be one of " + DATA.modes.join(", ") + ", got '" + o.mode + "'"; }
    else if (conv.modes.indexOf(o.mode) < 0) {
      errors.mode = "the " + o.convention + " convention does not define mode " + o.mode + " (it defines " + conv.modes.join(", ") + ")";
    }
    if (DATA.recompute.indexOf(o.recompute) < 0) { errors.recompute = "must be one of " + DATA.recompute.join(", ") + ", got '" + o.recompute + "'"; }
    var length = archName === "encoder-decoder" ? get("l_tgt") : get("l");  // Options.resolved: the target's
    [["prompt", 1, length], ["context", 0, length - 1n], ["generate", 1, 1n]].forEach(function (x) {
      if (raw[x[0]] === undefined) { o[x[0]] = x[2]; return; }
      var r = whole(raw[x[0]], x[1]);
      if (r.error) { errors[x[0]] = r.error; } else { o[x[0]] = r.value; }
    });
    if (raw.tokens !== undefined) {
      var m = /^([0-9]+)(?:\.([0-9]+))?(?:e([0-9]+))?$/i.exec(raw.tokens);
      if (!m) { errors.tokens = "must be a whole number of tokens (2000000000000 or 2e12), got '" + raw.tokens + "'"; }
      else {
        var frac = m[2] || "", exp = Number(m[3] || 0) - frac.length;
        var digitsText = (m[1] + frac).replace(/^0+(?=.)/, "");
        if (exp < 0 && !/^0*$/.test(digitsText.slice(digitsText.length + exp))) { errors.tokens = "must be a whole number of tokens, got '" + raw.tokens + "'"; }
        else {
          o.tokens = exp < 0 ? BigInt(digitsText.slice(0, digitsText.length + exp) || "0") : BigInt(digitsText) * 10n ** BigInt(exp);
          if (o.tokens < 1n) { errors.tokens = "must be at least 1 token"; }
        }
      }
    }
    if (raw.devices !== undefined) {
      var d = whole(raw.devices, 1);
      if (d.error) { errors.devices = d.error; } else { o.devices = d.value; }
    }
    if (raw.mfu !== undefined) {
      var f = Number(raw.mfu);
      if (!/^[0-9]+(\.[0-9]+)?$/.test(raw.mfu) || !(f > 0 && f <= 100)) { errors.mfu = "must be a percentage above 0 and at most 100, got '" + raw.mfu + "'"; }
      else { o.mfu = f; }
    }
    if (o.accelerator && !DATA.accelerators.some(function (a) { return a.name === o.accelerator; })) {
      errors.accelerator = "unknown accelerator '" + o.accelerator + "'";
    }
    checkMemory(raw, o, errors, get);
    if (Object.keys(errors).length) { return { o: o, errors: errors }; }
    // what the mode or the convention cannot count (flopdocs.counting.analysis.refuse)
    var why = null;
    if (archName === "encoder-decoder" && ["prefill", "decode", "generate"].indexOf(o.mode) >= 0 && !conv.tree) {
      why = "mode " + o.mode + " of an encoder-decoder is counted by the tree conventions, not by " + o.convention + "'s closed form";
    } else if (archName === "encoder" && (o.mode === "decode" || o.mode === "generate")) {
      why = "mode " + o.mode + ": an encoder does not generate tokens one at a time";
    } else if (!conv.tree) {
      var refuses = DATA.formulas[o.convention].refuses;
      why = archName === "encoder-decoder" ? refuses.encoder_decoder : get("n_experts") !== null ? refuses.moe : null;
    }
    if (why) { errors.mode = why; }
    return { o: o, errors: errors };
  }

  function positionsProblem(given, get, o) {  // analysis._check_mode_positions
    // a learned table's rows: given, or their default (l), as Config.get reads them
    var rows = get("position") === "learned" ? get("max_positions") : null, used = null;
    if (rows === null || rows === undefined) { return null; }
    if (o.mode === "prefill" || o.mode === "generate") { used = [o.prompt, "--prompt " + o.prompt]; }
    if (o.mode === "decode") { used = [o.context + 1n, "--context " + o.context + " and the new token (" + (o.context + 1n) + " positions)"]; }
    return used && used[0] > rows ? used[1] + ": more than max_positions=" + rows : null;
  }

  function remember(raw, opts) {
    var q = new URLSearchParams();
    var model = ROOT.querySelector("#fd-calc-model").value;
    if (model) { q.set("model", model); }
    OPTIONS.forEach(function (k) {
      var el = ROOT.querySelector('[data-opt="' + k + '"]');
      if (opts[k] !== undefined && !(el && el.getAttribute("data-default") === opts[k])) { q.set(k, opts[k]); }
    });
    var base = model && modelOf(model) ? modelOf(model).config : {};
    Object.keys(raw).forEach(function (k) { if (base[k] !== raw[k]) { q.set(k, raw[k]); } });
    Object.keys(base).forEach(function (k) { if (!(k in raw)) { q.set(k, ""); } });
    try { history.replaceState(history.state, "", "#" + q.toString()); } catch (e) { /* a sandboxed frame */ }
    LAST_HASH = location.hash;
  }

  function refuse(errors, status, result) {
    clear();
    messages(errors, status);
    LAST = Promise.resolve(result);
    return LAST;
  }

  function update() {
    var seq = ++SEQ, raw = readFields(), opts = readOptions();
    remember(raw, opts);
    if (UNKNOWN) { return refuse({}, UNKNOWN, { unknown: UNKNOWN }); }
    var c = check(raw);
    if (Object.keys(c.errors).length) {
      return refuse(c.errors, "Fix the fields marked: nothing is counted until every field is valid.", { errors: c.errors });
    }
    var get = getter(c.given), k = checkOptions(opts, get, get("architecture"));
    if (!Object.keys(k.errors).length) {
      var pos = positionsProblem(c.given, get, k.o);
      if (pos) { k.errors[k.o.mode === "decode" ? "context" : "prompt"] = pos; }
    }
    if (Object.keys(k.errors).length) {
      return refuse(k.errors, "Not counted: see the options marked.", { errors: k.errors });
    }
    var o = k.o, need = plan(c, get, o), entries = Object.keys(need).map(function (x) { return need[x]; });
    if (!DATA.conventions[o.convention].tree && !DATA.formulas[o.convention].forms[formArch(get)]) {
      entries.push(undefined);  // a closed form the page cannot compile for this architecture
    }
    if (entries.some(function (e) { return !e; })) {
      return refuse({ architecture: "this combination of architecture keys is not compiled into the page" },
                    "Not compiled into this page: count it with " + command(raw, o), { uncompiled: command(raw, o) });
    }
    clear();  // nothing of the previous config stays while this one loads
    var ids = [].concat.apply([], entries.map(idsOf)), kept = DATA.memory.programs[structure(get)];
    LAST = Promise.all(ids.concat(kept ? [kept] : []).map(function (id) { return load("s-" + id + ".js"); })).then(function () {
      if (seq !== SEQ) { return LAST; }  // a later edit is being counted
      var r = evaluate(need, o, get);
      if (r === null) {
        clear();
        messages({}, "A count is not a whole number for these dimensions (flopdocs report refuses them too).");
        return { inexact: true };
      }
      var groups = o.mode === "forward" && DATA.conventions[o.convention].tree && typeof need.forward === "string"
        ? PROGRAMS[need.forward].groups : [];
      var m = kept ? run(PROGRAMS[kept], get, true) : null;
      if (kept && m === null) {
        clear();
        messages({}, "A count is not a whole number for these dimensions (flopdocs report refuses them too).");
        return { inexact: true };
      }
      messages({}, "");
      show(summarise(r, get, groups), o);
      showMemory(m && memoryOf(m, o, get));
      ROOT.querySelector("#fd-calc-memory-note").textContent = kept ? "" :
        "This structure is put together from pieces; its memory is not compiled into the page: " + command(raw, o) + " counts it.";
      return { structure: ids[0], pieces: ids.length > entries.length };
    }, function (e) {
      clear();
      messages({}, e.message);
      return { failed: e.message };
    });
    return LAST;
  }

  function badPaste(msg, text) {  // a paste that cannot be read: no earlier numbers stay
    msg.textContent = text;
    msg.classList.remove("fd-calc-info");
    clear();
    ROOT.querySelector("#fd-calc-status").textContent = "The pasted config.json was not read: nothing is counted.";
    LAST = Promise.resolve({ errors: { hf: text } });
    return LAST;
  }

  function readHf() {
    var msg = ROOT.querySelector("#fd-calc-msg-hf"), values;
    try { values = fromHf.read(ROOT.querySelector("#fd-calc-hf").value); }  // calculator-hf.js: import-hf's rules
    catch (e) { return badPaste(msg, (e instanceof SyntaxError ? "not JSON: " : "") + e.message); }
    msg.textContent = "read: the fields below hold it";
    msg.classList.add("fd-calc-info");
    return api.fill(values, "");
  }
  api.fromHf = function (hf) { return fromHf(hf); };
  api.readHfText = function (text) { return fromHf.read(text); };
  api.readHf = readHf;

  // -- start ---------------------------------------------------------------------------

  function modelOf(slug) {
    return DATA.models.filter(function (m) { return m.slug === slug; })[0] || null;
  }

  // The address: model=SLUG (its config), any config key as KEY=VALUE on top of it (an empty
  // value: the key left out), and the options (convention, mode, prompt, tokens, ...).
  function restore() {
    var q = new URLSearchParams(location.hash.replace(/^#/, "")), values = {}, opts = {}, given = false;
    UNKNOWN = null;
    q.forEach(function (v, k) {
      given = true;
      if (OPTIONS.indexOf(k) >= 0) { opts[k] = v; }
    });
    if (!given) {  // nothing shared: a catalogue model to start from
      var first = modelOf("llama-3-8b") || DATA.models[0];
      setFields(first ? first.config : {}, first ? first.slug : "");
      setOptions({});
      return;
    }
    var slug = q.get("model"), m = slug ? modelOf(slug) : null;
    if (slug && !m) {
      UNKNOWN = "No catalogue model is called '" + slug + "' (the list above has every one): nothing is counted.";
    }
    if (m) { Object.keys(m.config).forEach(function (k) { values[k] = m.config[k]; }); }
    q.forEach(function (v, k) {
      if (KEY[k]) { if (v === "") { delete values[k]; } else { values[k] = v; } }
    });
    setFields(values, m ? slug : "");
    setOptions(opts);
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
      UNKNOWN = null;
      var picked = ROOT.querySelector("#fd-calc-model"), m = modelOf(picked.value);
      if (m && JSON.stringify(readFields()) !== JSON.stringify(m.config)) { picked.value = ""; }  // edited: your own now
      update();
    });
    ROOT.querySelector("#fd-calc-model").addEventListener("change", function (e) {
      UNKNOWN = null;
      var m = modelOf(e.target.value);
      if (m) { setFields(m.config, m.slug); }
      update();
    });
    ROOT.querySelector("#fd-calc-hf-read").addEventListener("click", readHf);
    window.addEventListener("hashchange", function () {
      if (location.hash !== LAST_HASH) { restore(); update(); }
    });
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
