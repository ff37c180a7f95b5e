// The Calculator's reading of a Hugging Face config.json (site_src/assets/calculator.js
// loads this file): flopdocs/hf.py's mapping, the field names read from KEYS (index.js);
// every field's type by flopdocs/config/hf_values.py's one list (DATA.hfRules), checked on
// the pasted text's own number tokens (fromHf.read); tests/test_site_calculator.py compares
// it with flopdocs import-hf on every fixture and on every value import-hf refuses.
(window.flopdocsCalculatorParts = window.flopdocsCalculatorParts || {}).hf = function (DATA, KEY) {
  "use strict";
  // -- a Hugging Face config.json (flopdocs/hf.py, the fields read from KEYS) -----------

  function hfFields(key, type) {
    var family = DATA.hfFamilies.indexOf(type) >= 0 ? type : "llama";
    var names = KEY[key].hf[family] || (type === "bert" ? KEY[key].hf.llama : null);
    return names || [];
  }

  // -- the rules of flopdocs/config/hf_values.py (DATA.hfRules), as import-hf runs them ---

  var RULES = DATA.hfRules;

  function shown(v) {
    var t = typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? "a list" :
      v !== null && typeof v === "object" ? "a dict" : String(v);
    return t.length > 60 ? t.slice(0, 56) + "...'" : t;
  }

  // Every key given twice (at any depth, as flopdocs' JSON reader refuses it), a whole
  // number past Python's 4300 digits, and each top-level field's number as written
  // (JSON.parse has checked the syntax; it reads 4096.0 as 4096 and 2**53 + 1 as 2**53).
  function scan(text) {
    var numbers = {}, stack = [], key = null, i = 0, n = text.length;
    var STR = /"(?:[^"\\]|\\.)*"/y, NUM = /-?[0-9][0-9.eE+-]*/y;
    while (i < n) {
      var c = text.charAt(i), top = stack[stack.length - 1];
      if (c === '"') {
        STR.lastIndex = i;
        var s = STR.exec(text)[0];
        i += s.length;
        if (top && top.keys && top.wantKey) {
          key = JSON.parse(s);
          if (top.keys.has(key)) { throw new Error(key + ": given twice"); }
          top.keys.add(key); top.wantKey = false;
        }
        continue;
      }
      if (c === "-" || (c >= "0" && c <= "9")) {
        NUM.lastIndex = i;
        var m = NUM.exec(text)[0];
        i += m.length;
        if (/^-?[0-9]+$/.test(m) && m.replace("-", "").length > RULES.maxDigits) {
          throw new Error("a number is too long to read (more than " + RULES.maxDigits + " digits)");
        }
        if (stack.length === 1 && stack[0].keys) { numbers[key] = m; }
        continue;
      }
      if (c === "{") { stack.push({ keys: new Set(), wantKey: true }); }
      else if (c === "[") { stack.push({}); }
      else if (c === "}" || c === "]") { stack.pop(); }
      else if (c === "," && top && top.keys) { top.wantKey = true; }
      i++;
    }
    return numbers;
  }

  // Each field of RULES.kinds given (not null) is of its kind; a whole number checked on
  // its text where the paste gave it (numbers), else on the value.
  function checkValues(hf, numbers) {
    Object.keys(RULES.kinds).forEach(function (name) {
      if (!Object.prototype.hasOwnProperty.call(hf, name) || hf[name] === null) { return; }
      var kind = RULES.kinds[name], v = hf[name], ok, text = null;
      if (kind === "int" || kind === "int0") {
        text = typeof v !== "number" ? null : numbers ? numbers[name] : String(v);
        ok = typeof text === "string" && new RegExp("^(?:" + RULES.text[kind] + ")$").test(text) &&
          BigInt(text) <= BigInt(RULES.maxInt);
      } else if (kind === "bool") { ok = typeof v === "boolean"; }
      else if (kind === "str") { ok = typeof v === "string"; }
      else { ok = Array.isArray(v) && v.every(function (x) { return typeof x === "string"; }); }
      if (!ok) { throw new Error(name + ": must be " + RULES.expected[kind] + ", got " + (text || shown(v))); }
    });
  }

  function fromHf(hf, numbers) {
    if (hf === null || typeof hf !== "object" || Array.isArray(hf)) { throw new Error("expected a JSON object"); }
    var type = hf.model_type;
    if (DATA.modelTypes.indexOf(type) < 0) {
      throw new Error("model_type: " + JSON.stringify(type) + " is not supported by this page (it reads " +
                      DATA.modelTypes.join(", ") + "; flopdocs import-hf reads more)");
    }
    checkValues(hf, numbers);
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
    if (type === "t5") { return fromT5(hf, has, field, flag); }
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
      else if (first < Number(out.n_layers)) { out.window = window; out.window_layers = String(Number(out.n_layers) - first); }
    }
    return out;
  }

  // T5ForConditionalGeneration (hf.py _t5): feed_forward_proj by DATA.t5Ffn, T5Config's
  // defaults (DATA.t5Defaults) for absent fields.
  function fromT5(hf, has, field, flag) {
    var names = hfFields("ffn", "t5"), proj = has(names[0]) ? String(hf[names[0]]) : "relu";
    if (!Object.prototype.hasOwnProperty.call(DATA.t5Ffn, proj)) {
      throw new Error(names[0] + ": " + proj + " is not supported (" + Object.keys(DATA.t5Ffn).join(", ") + ")");
    }
    if (hf.is_decoder) { throw new Error("is_decoder: a T5 stack alone is not modelled"); }
    var classes = hf.architectures;
    if (hf.is_encoder_decoder === false ||
        (Array.isArray(classes) && classes.length === 1 && classes[0] === "T5EncoderModel")) {
      throw new Error("T5EncoderModel (is_encoder_decoder: false) is not modelled: flopdocs counts T5ForConditionalGeneration");
    }
    var out = {};
    ["d_model", "d_ff", "n_vocab", "n_layers", "n_heads"].forEach(function (k) { out[k] = field(k); });
    Object.keys(DATA.t5Defaults).forEach(function (k) { out[k] = field(k, String(DATA.t5Defaults[k])); });
    out.architecture = "encoder-decoder"; out.ffn = DATA.t5Ffn[proj]; out.norm = "rmsnorm";
    out.position = DATA.t5.position; out.ffn_bias = "false";
    out.tie_embeddings = String(flag(hfFields("tie_embeddings", "t5")[0], true));
    var decoder = field("n_decoder_layers", null);
    if (decoder !== null && decoder !== out.n_layers) { out.n_decoder_layers = decoder; }
    return out;
  }

  // A pasted config.json's text, read as flopdocs import-hf reads the file: at most
  // RULES.maxBytes of UTF-8, a leading byte-order mark dropped; a SyntaxError is not JSON.
  fromHf.read = function (text) {
    if (new TextEncoder().encode(text).length > RULES.maxBytes) {
      throw new Error("larger than 1 MiB (" + RULES.maxBytes + " bytes), too large for a config.json");
    }
    text = text.replace(/^\uFEFF/, "");
    var depth = 0, inString = false;  // nesting past RULES.maxDepth, before parsing (readers.json_depth)
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (inString) { if (c === "\\") { i++; } else if (c === '"') { inString = false; } }
      else if (c === '"') { inString = true; }
      else if (c === "{" || c === "[") {
        if (++depth > RULES.maxDepth) { throw new Error("malformed JSON: nested too deeply (more than " + RULES.maxDepth + " levels)"); }
      } else if (c === "}" || c === "]") { depth--; }
    }
    var data = JSON.parse(text);
    return fromHf(data, scan(text));
  };

  return fromHf;
};
