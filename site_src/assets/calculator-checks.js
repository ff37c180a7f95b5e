// The Calculator's checks (site_src/assets/calculator.js loads this file): each field
// checked by its key's type, the rules across keys, the defaults KEYS computes from other
// keys, and the structure a config has, as flopdocs/checks.py, config.py and keys.py say.
// flopdocs/site/calculator.py's index.js gives the keys' data (types, choices, defaults);
// tests/test_site_calculator.py holds all of it to flopdocs report.
(window.flopdocsCalculatorParts = window.flopdocsCalculatorParts || {}).checks = function (DATA, KEY) {
  "use strict";
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
    relative_buckets: function (get) { return get("position") === DATA.t5.position ? BigInt(DATA.t5.buckets) : null; },
    attn_out_bias: function (get) { return get("attn_bias"); },
    tie_embeddings: function (get) { return get("architecture") === "encoder"; },
    lm_head: function (get) { return get("architecture") !== "encoder"; },
    pooler: function (get) { return get("architecture") === "encoder" && !get("lm_head"); },
    lm_head_transform: function (get) { return get("architecture") === "encoder"; },
    window_layers: function (get) { return get("window") !== null ? get("n_layers") : null; },
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
  // (flopdocs/config.py _check_across, _check_positions; T5's constants from index.js).
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
      ["experts_per_token", "d_ff_expert", "d_ff_shared", "shared_expert_gate", "router_bias"].forEach(function (key) {
        if (key in given && given[key] !== false) { fail(key, "needs n_experts (a dense model has no experts)"); }
      });
    }
    var latent = ["q_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "mla_absorb"];
    if (!("kv_lora_rank" in given)) {  // flopdocs/config/config.py _check_latent
      latent.forEach(function (key) {
        if (key in given && given[key] !== false) { fail(key, "needs kv_lora_rank (multi-head latent attention)"); }
      });
    } else {
      ["qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"].forEach(function (key) {
        if (!(key in given)) { fail(key, "missing: required with kv_lora_rank (multi-head latent attention)"); }
      });
      if (get("position") !== "rope") {
        fail("position", get("position") + ": multi-head latent attention (kv_lora_rank) needs position: rope");
      }
      ["n_kv_heads", "d_head", "attn_bias", "attn_out_bias", "attention_sinks"].forEach(function (key) {
        if (key in given && given[key] !== false) { fail(key, "does not apply to multi-head latent attention (kv_lora_rank)"); }
      });
      if (arch !== "decoder") { fail("kv_lora_rank", "multi-head latent attention is modelled for architecture decoder only"); }
    }
    if (given.shared_expert_gate === true && !("d_ff_shared" in given)) {
      fail("shared_expert_gate", "needs d_ff_shared (the shared expert it gates)");
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
    if ("relative_buckets" in given && get("position") !== DATA.t5.position) {
      fail("relative_buckets", "only applies to position " + DATA.t5.position + " (T5's bias table), not " + get("position"));
    } else if (given.relative_buckets < BigInt(DATA.t5.minBuckets)) {
      fail("relative_buckets", given.relative_buckets + " is fewer than " + DATA.t5.minBuckets +
           " (T5 halves the buckets per direction, then keeps half of those exact)");
    }
    [["window_layers", "window", null, "a sliding window", null],
     ["dense_layers", "n_experts", null, "experts", "with every FFN dense, give no n_experts"],
     ["nope_layers", "position", "rope", "rotary embeddings", "with no rotary embedding, use position: none"]
    ].forEach(function (s) {  // flopdocs/config/config.py _check_splits
      var key = s[0], n = given[key], need = get(s[1]);
      if (!(key in given)) { return; }
      if (need === null || (s[2] !== null && need !== s[2])) {
        fail(key, "needs " + (s[2] === null ? s[1] : s[1] + ": " + s[2]) + " (it counts the blocks with " + s[3] + ")");
      } else if (arch === "encoder-decoder") {
        fail(key, "blocks that differ are not modelled for architecture encoder-decoder");
      } else if (n > get("n_layers")) {
        fail(key, n + " is more than n_layers=" + get("n_layers"));
      } else if (n === get("n_layers") && s[4] !== null) {
        fail(key, n + " must be fewer than n_layers=" + get("n_layers") + " (" + s[4] + ")");
      }
    });
    // the block variants' rules (flopdocs/config/config.py _check_block_variants)
    var position = get("position");
    if (given.bias_every_layer === true && position !== DATA.t5.position) {
      fail("bias_every_layer", "only applies to position " + DATA.t5.position + ", not " + position);
    }
    if ("rotary_dim" in given) {
      if (position !== "rope") { fail("rotary_dim", "only applies to position rope, not " + position); }
      else if (get("d_head") !== null && given.rotary_dim > get("d_head")) {
        fail("rotary_dim", given.rotary_dim + " is more than d_head=" + get("d_head") + " (the rotated channels are part of a head)");
      }
    }
    if ("position_offset" in given && position !== "learned") {
      fail("position_offset", "only applies to position learned (a table's rows), not " + position);
    }
    if (get("norm_position") === "sandwich" && get("block") !== "sequential") {
      fail("norm_position", "sandwich norms are modelled for sequential blocks, not " + get("block"));
    }
    if (given.lm_head_bias === true && !get("lm_head")) { fail("lm_head_bias", "there is no LM head to add a bias to (lm_head is false)"); }
    else if (given.lm_head_bias === true && get("lm_head_transform")) { fail("lm_head_bias", "the masked-LM head (lm_head_transform) already has its bias"); }
    if (arch === "encoder-decoder") {
      ["block", "norm_position", "qk_norm"].forEach(function (key) {
        if (key in given && given[key] !== KEY[key].default) { fail(key, "is not modelled for architecture encoder-decoder"); }
      });
      ["attn_softcap", "logit_softcap", "embedding_scale", "residual_scale", "logit_scale"].forEach(function (key) {
        if (given[key] === true) { fail(key, "is not modelled for architecture encoder-decoder"); }
      });
    }
    if (given.tie_embeddings === true && !get("lm_head")) { fail("tie_embeddings", "there is no LM head to tie (lm_head is false)"); }
    return { given: given, errors: errors };
  }

  // A stack's groups of identical blocks (flopdocs/config/arch.py layout): each split's
  // blocks laid on one line of n_layers, first or last; a group per piece between the cuts,
  // as [[[split, has], ...], start, end] (flopdocs/site/calculator.py signature).
  function layout(get) {
    var n = get("n_layers"), kept = [], at = {}, points = [[0n, "0"], [n, "n_layers"]];
    DATA.splits.forEach(function (s) {
      var c = get(s[0]);
      if (c !== null && c > 0n && c < n) { kept.push(s); at[s[0]] = s[1] ? c : n - c; }
    });
    if (!kept.length) { return []; }
    kept.forEach(function (s) {  // a tie keeps the first split's name
      if (!points.some(function (p) { return p[0] === at[s[0]]; })) { points.push([at[s[0]], s[0]]); }
    });
    points.sort(function (x, y) { return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0; });
    var groups = [];
    for (var i = 0; i + 1 < points.length; i++) {
      var lo = points[i][0];
      groups.push([kept.map(function (s) { return [s[0], s[1] ? lo < at[s[0]] : lo >= at[s[0]]]; }),
                   points[i][1], points[i + 1][1]]);
    }
    return groups;
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
      shared_expert: get("d_ff_shared") !== null, shared_expert_gate: get("shared_expert_gate"),
      router_bias: get("router_bias"),
      sinks: get("attention_sinks"), mla: get("kv_lora_rank") !== null, q_lora: get("q_lora_rank") !== null, mla_absorb: get("mla_absorb"),
      token_types: get("token_types") !== null, pooler: get("pooler"),
      lm_head_transform: get("lm_head_transform") && get("lm_head"),
      groups: layout(get),
      block: get("block"), norm_position: get("norm_position"), qk_norm: get("qk_norm"),
      partial_rotary: get("rotary_dim") !== null && get("rotary_dim") !== get("d_head"),
      embedding_scale: get("embedding_scale"), embedding_norm: get("embedding_norm"),
      position_offset: get("position_offset") !== null, attn_softcap: get("attn_softcap"),
      logit_softcap: get("logit_softcap"), lm_head_bias: get("lm_head_bias") && get("lm_head"),
      residual_scale: get("residual_scale"), logit_scale: get("logit_scale") && get("lm_head"),
      bias_every_layer: get("bias_every_layer") && get("position") === DATA.t5.position
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


  return { check: check, getter: getter, structure: structure, command: command, DERIVED: DERIVED };
};
