// The Calculator page (templates/calculator.md.j2). It reads the fields, checks them as
// flopdocs checks a config (flopdocs/keys.py, checks.py, config.py), finds the program
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

  // -- checks, as flopdocs checks a config file ------------------------------------------

  function shown(v) { return "'" + (v.length > 40 ? v.slice(0, 37) + "..." : v) + "'"; }

  function parseValue(k, raw) {  // -> {value} or {error}
    if (k.type === "int") {
      if (/^-[0-9]+$/.test(raw)) { return { error: "must be at least 1, got " + raw }; }
      if (!/^[0-9]+$/.test(raw)) { return { error: "must be a whole number, got " + shown(raw) }; }
      var n = BigInt(raw);
      if (n < 1n) { return { error: "must be at least 1, got " + raw }; }
      if (n > BigInt(DATA.maxInt)) { return { error: "must be at most 2**53 = " + DATA.maxInt }; }
      return { value: n };
    }
    if (k.type === "bool") {
      if (raw !== "true" && raw !== "false") { return { error: "must be true or false, got " + shown(raw) }; }
      return { value: raw === "true" };
    }
    if (k.choices.indexOf(raw) < 0) { return { error: "must be one of " + k.choices.join(", ") + ", got " + shown(raw) }; }
    return { value: raw };
  }

  // The defaults KEYS computes from other keys (each key marked "derived" in index.js).
  var DERIVED = {
    n_kv_heads: function (get) { return get("n_heads"); },
    d_head: function (get) { return get("d_model") % get("n_heads") === 0n ? get("d_model") / get("n_heads") : null; },
    max_positions: function (get) {
      if (get("architecture") !== "encoder-decoder") { return get("l"); }
      return get("l_src") > get("l_tgt") ? get("l_src") : get("l_tgt");
    },
    attn_out_bias: function (get) { return get("attn_bias"); },
    tie_embeddings: function (get) { return get("architecture") === "encoder"; },
    lm_head: function (get) { return get("architecture") !== "encoder"; },
    pooler: function (get) { return get("architecture") === "encoder" && !get("lm_head"); },
    lm_head_transform: function (get) { return get("architecture") === "encoder"; },
    d_ff_expert: function (get) { return get("n_experts") !== null ? get("d_ff") : null; },
    n_encoder_layers: function (get) { return get("n_layers"); },
    n_decoder_layers: function (get) { return get("n_layers"); },
    l_src: function (get) { return get("l"); },
    l_tgt: function (get) { return get("l"); }
  };

  function getter(given) {
    return function get(key) {
      if (Object.prototype.hasOwnProperty.call(given, key)) { return given[key]; }
      var k = KEY[key];
      if (k.derived) { return DERIVED[key](get); }
      if (k.default === null || k.default === undefined) { return null; }
      return k.type === "int" ? BigInt(k.default) : k.default;
    };
  }

  // -> {given, errors}: each value checked by its type, then the rules across keys
  // (flopdocs/config.py _check_across, _check_positions).
  function check(raw) {
    var given = {}, errors = {};
    DATA.keys.forEach(function (k) {
      if (!Object.prototype.hasOwnProperty.call(raw, k.name)) {
        if (k.required) { errors[k.name] = "missing required key"; }
        return;
      }
      var r = parseValue(k, raw[k.name]);
      if (r.error) { errors[k.name] = r.error; } else { given[k.name] = r.value; }
    });
    if (Object.keys(errors).length) { return { given: given, errors: errors }; }
    var fail = function (key, text) { if (!errors[key]) { errors[key] = text; } };
    var get = getter(given), arch = get("architecture"), heads = get("n_heads");
    if (!("d_head" in given) && get("d_model") % heads !== 0n) {
      fail("d_model", get("d_model") + " is not divisible by n_heads=" + heads +
           " (d_k = d_model / n_heads must be a whole number; or give d_head)");
    }
    if ("n_kv_heads" in given && (given.n_kv_heads > heads || heads % given.n_kv_heads !== 0n)) {
      fail("n_kv_heads", given.n_kv_heads + " must divide n_heads=" + heads +
           " (each key/value head serves a whole group of query heads)");
    }
    if ("n_experts" in given) {
      if (!("experts_per_token" in given)) { fail("experts_per_token", "missing: required with n_experts (top-k routing)"); }
      else if (given.experts_per_token > given.n_experts) {
        fail("experts_per_token", given.experts_per_token + " is more than n_experts=" + given.n_experts);
      }
    } else {
      ["experts_per_token", "d_ff_expert"].forEach(function (key) {
        if (key in given) { fail(key, "needs n_experts (a dense model has no experts)"); }
      });
    }
    if (arch !== "encoder-decoder") {
      DATA.keys.forEach(function (k) {
        if (k.only === "encoder-decoder" && k.name in given) { fail(k.name, "only applies to architecture encoder-decoder, not " + arch); }
      });
    } else if ("window" in given) {
      fail("window", "sliding-window attention is not modelled for architecture encoder-decoder");
    }
    if ("max_positions" in given && get("position") === "learned") {
      (arch === "encoder-decoder" ? ["l_src", "l_tgt"] : ["l"]).forEach(function (key) {
        if (get(key) > given.max_positions) {
          fail(key, key + "=" + get(key) + " is more than max_positions=" + given.max_positions +
               " (the learned position table's rows: the longest input the model takes)");
        }
      });
    }
    if (given.tie_embeddings === true && !get("lm_head")) { fail("tie_embeddings", "there is no LM head to tie (lm_head is false)"); }
    return { given: given, errors: errors };
  }

  // The structure (flopdocs/config.py Config.arch), as the key of the programs' table.
  function structure(get) {
    var a = {
      architecture: get("architecture"), ffn: get("ffn"), norm: get("norm"), position: get("position"),
      attn_bias: get("attn_bias"), attn_out_bias: get("attn_out_bias"), ffn_bias: get("ffn_bias"),
      tie_embeddings: get("tie_embeddings"), lm_head: get("lm_head"),
      gqa: get("n_kv_heads") !== get("n_heads"),
      explicit_d_head: get("d_head") * get("n_heads") !== get("d_model"),
      windowed: get("window") !== null && get("window") < get("l"),
      moe: get("n_experts") !== null,
      expert_width: get("n_experts") !== null && get("d_ff_expert") !== get("d_ff"),
      token_types: get("token_types") !== null, pooler: get("pooler"),
      lm_head_transform: get("lm_head_transform") && get("lm_head")
    };
    return JSON.stringify(DATA.archFields.map(function (f) { return f in a ? a[f] : "?" + f; }));
  }

  function command(raw) {
    var parts = ["flopdocs report seed-512"];
    DATA.keys.forEach(function (k) {
      if (Object.prototype.hasOwnProperty.call(raw, k.name)) { parts.push("--set " + k.name + "=" + raw[k.name]); }
    });
    return parts.join(" ");
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

  // -- a Hugging Face config.json (flopdocs/hf.py, the fields read from KEYS) -----------

  function hfFields(key, type) {
    var family = type === "gpt2" || type === "bert" ? type : "llama";
    var names = KEY[key].hf[family] || (type === "bert" ? KEY[key].hf.llama : null);
    return names || [];
  }

  function fromHf(hf) {
    if (hf === null || typeof hf !== "object" || Array.isArray(hf)) { throw new Error("expected a JSON object"); }
    var type = hf.model_type;
    if (DATA.modelTypes.indexOf(type) < 0) {
      throw new Error("model_type: " + JSON.stringify(type) + " is not supported (supported: " + DATA.modelTypes.join(", ") + ")");
    }
    var kinds = hf.layer_types;
    if (Array.isArray(kinds) && new Set(kinds.map(String)).size > 1) { throw new Error("layer_types: layers of different kinds are not modelled"); }
    var has = function (n) { return Object.prototype.hasOwnProperty.call(hf, n) && hf[n] !== null; };
    var field = function (key, fallback) {
      var names = hfFields(key, type);
      for (var j = 0; j < names.length; j++) { if (has(names[j])) { return String(hf[names[j]]); } }
      if (fallback === undefined) { throw new Error((names[0] || key) + ": missing (needed for " + type + ")"); }
      return fallback;
    };
    var flag = function (name, fallback) { return has(name) ? hf[name] === true : fallback; };
    var out = {};
    ["l", "d_model", "n_vocab", "n_layers", "n_heads"].forEach(function (k) { out[k] = field(k); });
    if (type === "gpt2") {
      if (hf.add_cross_attention) { throw new Error("add_cross_attention: GPT-2 with cross-attention is not modelled"); }
      var act = has("activation_function") ? String(hf.activation_function) : "gelu_new";
      if (act !== "relu" && act.indexOf("gelu") !== 0) { throw new Error("activation_function: " + act + " is not supported (relu, gelu*)"); }
      out.d_ff = field("d_ff", null) || String(4n * BigInt(out.d_model));
      out.max_positions = out.l;
      out.ffn = act === "relu" ? "relu" : "gelu";
      out.attn_bias = "true";
      out.tie_embeddings = String(flag("tie_word_embeddings", true));
      return out;
    }
    out.d_ff = field("d_ff");
    if (type === "bert") {
      var hact = has("hidden_act") ? String(hf.hidden_act) : "gelu";
      if (["relu", "gelu", "gelu_new", "gelu_python"].indexOf(hact) < 0) { throw new Error("hidden_act: " + hact + " is not supported (relu, gelu*)"); }
      if (has("position_embedding_type") && hf.position_embedding_type !== "absolute") { throw new Error("position_embedding_type: not modelled (absolute)"); }
      if (hf.is_decoder || hf.add_cross_attention) { throw new Error("is_decoder: BERT as a decoder is not modelled"); }
      out.max_positions = out.l;
      out.architecture = "encoder";
      out.ffn = hact === "relu" ? "relu" : "gelu";
      out.attn_bias = "true";
      out.token_types = field("token_types", "2");
      return out;
    }
    var lact = has("hidden_act") ? String(hf.hidden_act) : "silu";
    if (lact === "silu" || lact === "swish") { out.ffn = "swiglu"; }
    else if (lact.indexOf("gelu") === 0) { out.ffn = "geglu"; }
    else { throw new Error("hidden_act: " + lact + " is not supported (silu, gelu*)"); }
    var kv = field("n_kv_heads", out.n_heads);
    if (kv !== out.n_heads) { out.n_kv_heads = kv; }
    var headDim = field("d_head", null);
    if (headDim !== null) { out.d_head = headDim; }
    out.norm = "rmsnorm"; out.position = "rope";
    if (type === "qwen2") { out.attn_bias = "true"; out.attn_out_bias = "false"; }
    else if (type === "llama" && flag("attention_bias", false)) { out.attn_bias = "true"; }
    out.ffn_bias = String(type === "llama" && flag("mlp_bias", false));
    if (flag("tie_word_embeddings", false)) { out.tie_embeddings = "true"; }
    if (type === "mixtral") { out.n_experts = field("n_experts"); out.experts_per_token = field("experts_per_token"); }
    var window = field("window", null);
    if (type === "mistral" && !Object.prototype.hasOwnProperty.call(hf, "sliding_window")) { window = "4096"; }
    if ((type === "mistral" || type === "mixtral") && window !== null) { out.window = window; }
    if (type === "qwen2" && flag("use_sliding_window", false) && window !== null) {
      var first = has("max_window_layers") ? Number(hf.max_window_layers) : 28;
      if (first === 0) { out.window = window; }
      else if (first < Number(out.n_layers)) { throw new Error("max_window_layers: sliding-window attention on some layers only is not modelled"); }
    }
    return out;
  }

  function readHf() {
    var msg = ROOT.querySelector("#fd-calc-msg-hf"), data;
    try { data = JSON.parse(ROOT.querySelector("#fd-calc-hf").value); }
    catch (e) { msg.textContent = "not JSON: " + e.message; return Promise.resolve({ errors: { hf: msg.textContent } }); }
    try { var values = fromHf(data); }
    catch (e) { msg.textContent = e.message; return Promise.resolve({ errors: { hf: msg.textContent } }); }
    msg.textContent = "read: the fields below hold it";
    return api.fill(values, "");
  }
  api.fromHf = fromHf;
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
    api.ready = load("index.js").then(function () { start(root); return LAST; });
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
