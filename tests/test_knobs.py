"""Architecture knobs: defaults reproduce the seed; every key validated; one-line exit-2 errors."""
import pytest

from flopdocs.counting.analysis import analyse
from flopdocs.config.arch import SEED
from flopdocs.cli.main import main
from flopdocs.config.config import ConfigError, parse
from flopdocs.conventions import applied, seed
from flopdocs.structure.layers.transformer import transformer
from flopdocs.config.symbols import d_ff, d_model, l, n_heads, n_layers, n_vocab

BASE = dict(name="Seed 512", l=512, d_model=512, d_ff=4096, n_vocab=30000, n_layers=6, n_heads=8)

#: Every knob set explicitly to its default value.
DEFAULTS = dict(architecture="decoder", n_kv_heads=8, d_head=64, ffn="relu", norm="layernorm",
                position="learned", attn_bias=False, attn_out_bias=False, ffn_bias=True,
                tie_embeddings=False, lm_head=True, window=512)


def test_seed_512_total_pinned():
    # In [44]: 51,248,964,096 (the arithmetic is in tests/test_seed.py)
    assert analyse(parse(BASE, "<t>"), "seed").total == 51_248_964_096


def test_default_knobs_give_the_identical_symbolic_tree():
    fresh = applied(transformer(l, d_model, d_ff, n_vocab, n_layers, n_heads), "seed")  # built anew
    assert seed.build(parse(BASE, "<t>")) == fresh
    assert parse(BASE, "<t>").arch == SEED
    explicit = parse({**BASE, **DEFAULTS}, "<t>")
    assert explicit.arch == SEED
    assert seed.build(explicit) == fresh
    assert analyse(explicit, "seed").total == 51_248_964_096


def test_gelu_costs_what_relu_does():
    # the activation is not counted (seed convention): the same FLOPs, leaf by leaf; only
    # what is kept for backward differs (gelu keeps its input too: l·d_ff more per block)
    from flopdocs.structure.tree import leaves, to_dict

    gelu, relu = seed.build(parse({**BASE, "ffn": "gelu"}, "<t>")), seed.build(parse(BASE, "<t>"))
    assert to_dict(gelu) == to_dict(relu)
    kept = {p: n.io.saved - r.io.saved for (p, n), (_, r) in zip(leaves(gelu), leaves(relu))}
    assert {p: v for p, v in kept.items() if v != 0} == {("Blocks", "PositionWiseFFN", "* W2"): n_layers * l * d_ff}


def test_swiglu_block_by_hand():
    a = analyse(parse({**BASE, "ffn": "swiglu", "ffn_bias": False}, "<t>"), "seed")
    g = a.tree["Blocks", "GatedFFN"]
    # 6 layers x (3 matmuls 2*512*512*4096 = 2,147,483,648 each + gate*up 512*4096 = 2,097,152)
    assert g.total == 6 * (3 * 2_147_483_648 + 2_097_152)
    # it replaces PositionWiseFFN: 6 x (2 * 2,147,483,648 + 4096 + 512)
    assert a.total == 51_248_964_096 - 6 * (2 * 2_147_483_648 + 4608) + g.total


def test_rmsnorm_replaces_every_layernorm():
    a = analyse(parse({**BASE, "norm": "rmsnorm"}, "<t>"), "seed")
    assert {"RMSNorms", "RMSNorm_Final"} <= set(a.tree["Blocks"].keys()) | set(a.tree.keys())
    # RMSNorm(512, 512) = 4*512*512 + 3*512 = 1,050,112; seed LayerNorm = 6*512*512 + 7*512 = 1,576,448
    # 13 norms (2 per block x 6 + final)
    assert a.total == 51_248_964_096 - 13 * (1_576_448 - 1_050_112)
    # params: 13 x (γ only): 13 * 512 fewer
    assert a.params.total == analyse(parse(BASE, "<t>"), "seed").params.total - 13 * 512


def test_gqa_halves_k_and_v():
    a = analyse(parse({**BASE, "n_kv_heads": 2}, "<t>"), "seed")
    att = a.tree["Blocks", "GroupedQueryAttention"]
    # K*WK per layer: 2 * 512 * 512 * (64 * 2) = 67,108,864; 6 layers
    assert att["K * WK"].value == att["V * WV"].value == 6 * 67_108_864
    assert att["Q * WQ"].value == 6 * 268_435_456  # 2 * 512^3
    # params: W_K and W_V shrink from 512x512 to 512x128: 2 * 6 * (262144 - 65536) fewer
    assert a.params.total == 62_480_384 - 2 * 6 * (262_144 - 65_536)


def test_tied_embeddings_and_lm_head():
    untied = analyse(parse(BASE, "<t>"), "seed").params
    tied = analyse(parse({**BASE, "tie_embeddings": True}, "<t>"), "seed").params
    assert untied.total - tied.total == 30000 * 512
    enc = analyse(parse({**BASE, "architecture": "encoder", "pooler": False}, "<t>"), "seed")
    assert "ProjectToVocab" not in enc.tree.keys()
    # no LM head: 2 * 512 * 512 * 30000 fewer FLOPs; no mask: 6 layers x 8 heads x 512^2 fewer
    assert enc.total == 51_248_964_096 - 15_728_640_000 - 6 * 8 * 512 * 512
    with_head = analyse(parse({**BASE, "architecture": "encoder", "lm_head": True,
                               "lm_head_transform": False}, "<t>"), "seed")
    assert with_head.total == enc.total + 15_728_640_000


def test_attn_bias_and_attn_out_bias():
    a = analyse(parse({**BASE, "attn_bias": True}, "<t>"), "seed")
    m = a.tree["Blocks", "MultiHeadAttention"]
    assert m["+ b_Q"].value == m["+ b_O"].value == 6 * 512 * 512  # per token
    q = analyse(parse({**BASE, "attn_bias": True, "attn_out_bias": False}, "<t>"), "seed")
    assert "+ b_O" not in q.tree["Blocks", "MultiHeadAttention"].keys()
    assert a.params.total - q.params.total == 6 * 512


def test_ffn_bias_false():
    a = analyse(parse({**BASE, "ffn_bias": False}, "<t>"), "seed")
    assert a.tree["Blocks", "PositionWiseFFN"].keys() == ["* W1", "* W2"]
    assert a.total == 51_248_964_096 - 6 * (4096 + 512)


def test_set_overrides_knobs(capsys):
    code = main(["report", "seed-512", "--set", "n_kv_heads=2", "--set", "ffn=swiglu",
                 "--set", "tie_embeddings=true", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert '"n_kv_heads": 2' in out and '"ffn": "swiglu"' in out


BAD = [
    ("n_kv_heads", 3, "n_kv_heads: 3 must divide n_heads=8"),
    ("n_kv_heads", 16, "n_kv_heads: 16 must divide n_heads=8"),
    ("n_kv_heads", 0, "n_kv_heads: must be at least 1"),
    ("n_kv_heads", "2", "n_kv_heads: must be a whole number, got '2'"),
    ("d_head", 0, "d_head: must be at least 1"),
    ("d_head", 64.0, "d_head: must be a whole number"),
    ("ffn", "swish", "ffn: must be one of relu, gelu, swiglu, geglu, got 'swish'"),
    ("ffn", True, "ffn: must be one of"),
    ("norm", "batchnorm", "norm: must be one of layernorm, rmsnorm"),
    ("position", "rotary", "position: must be one of learned, sinusoidal, rope, alibi, relative, t5-relative, none"),
    ("relative_buckets", 32, "relative_buckets: only applies to position t5-relative (T5's bias table), not learned"),
    ("relative_buckets", 0, "relative_buckets: must be at least 1"),
    ("architecture", "decoder-only", "architecture: must be one of decoder, encoder, encoder-decoder"),
    ("attn_bias", "yes", "attn_bias: must be true or false, got 'yes'"),
    ("attn_out_bias", 1, "attn_out_bias: must be true or false, got 1"),
    ("ffn_bias", 0, "ffn_bias: must be true or false"),
    ("tie_embeddings", "true", "tie_embeddings: must be true or false, got 'true'"),
    ("lm_head", None, "lm_head: must be true or false, got None"),
    ("n_experts", -1, "n_experts: must be at least 1"),
    ("experts_per_token", 2, "experts_per_token: needs n_experts"),
    ("d_ff_expert", 1024, "d_ff_expert: needs n_experts"),
    ("window", 0, "window: must be at least 1"),
    ("window", True, "window: must be a whole number"),
    ("l_src", 128, "l_src: only applies to architecture encoder-decoder"),
    ("n_decoder_layers", 6, "n_decoder_layers: only applies to architecture encoder-decoder"),
    ("params_published", 1.5e9, "params_published: must be a whole number"),
    ("params_published", 0, "params_published: must be at least 1"),
    ("notes", 42, "notes: must be a string"),
]


def _yaml(data):
    lines = []
    for k, v in data.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif v is None:
            v = "null"
        elif isinstance(v, str):
            v = f"'{v}'"
        lines.append(f"{k}: {v}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("key, value, message", BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_bad_knob_one_line_exit_2(capsys, tmp_path, key, value, message):
    p = tmp_path / "bad.yaml"
    p.write_text(_yaml({**BASE, key: value}))
    code = main(["report", str(p)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert f"{p}: {message}" in err


@pytest.mark.parametrize("extra, message", [
    ({"n_experts": 8}, "experts_per_token: missing: required with n_experts"),
    ({"n_experts": 2, "experts_per_token": 3}, "experts_per_token: 3 is more than n_experts=2"),
    ({"architecture": "encoder-decoder", "window": 16}, "window: sliding-window attention is not modelled"),
    ({"lm_head": False, "tie_embeddings": True}, "tie_embeddings: there is no LM head to tie"),
    ({"architecture": "encoder", "tie_embeddings": True}, "tie_embeddings: there is no LM head to tie"),
    ({"n_heads": 7}, "d_model: 512 is not divisible by n_heads=7"),
])
def test_cross_key_checks(extra, message):
    with pytest.raises(ConfigError) as e:
        parse({**BASE, **extra}, "m.yaml")
    assert str(e.value).startswith("m.yaml: ") and message in str(e.value)
    assert "\n" not in str(e.value)


def test_d_head_allows_indivisible_d_model():
    # 7 heads of 64 on d_model 512: explicit d_head, so no divisibility needed
    cfg = parse({**BASE, "n_heads": 7, "d_head": 64}, "<t>")
    a = analyse(cfg, "seed")
    assert a.tree["Blocks", "MultiHeadAttention", "Q * WQ"].value == 6 * 2 * 512 * 512 * 448


def test_bad_set_of_enum(capsys):
    code = main(["report", "seed-512", "--set", "ffn=mlp"])
    _, err = capsys.readouterr()
    assert code == 2 and "ffn: must be one of" in err and err.count("\n") == 1


def test_encoder_decoder_per_token_counts_source_and_target_tokens():
    # an encoder-decoder reads l_src source tokens and l_tgt target tokens per sequence:
    # per token is the sequence's total over l_src + l_tgt = 100 + 28 = 128, not over l
    base = dict(name="ed", l=64, d_model=64, d_ff=256, n_vocab=1000, n_layers=2, n_heads=4,
                architecture="encoder-decoder", l_src=100, l_tgt=28)
    cfg = parse(base, "ed.yaml")
    a = analyse(cfg, "seed")
    assert cfg.tokens == 128
    assert a.per_token == a.per_sequence.total // 128
    # a decoder's tokens are its l
    dec = parse({k: v for k, v in base.items() if k not in ("architecture", "l_src", "l_tgt")}, "d.yaml")
    assert dec.tokens == 64 and analyse(dec, "seed").per_token == analyse(dec, "seed").per_sequence.total // 64
