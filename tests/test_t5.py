"""T5 (Raffel et al. 2020): position t5-relative, its Hugging Face import, its catalogue entries.

The PyTorch cross-check (matmul FLOPs and parameters equal FlopCounterMode's) is in
tests/test_verify.py, with the other families.
"""
import json
from pathlib import Path

import pytest

from flopdocs.config import catalogue, hf
from flopdocs.counting.analysis import analyse
from flopdocs.cli.main import main
from flopdocs.config.config import ConfigError, parse
from flopdocs.structure.params import parameters
from flopdocs.structure.tree import walk

FIXTURES = Path(__file__).parent / "fixtures" / "hf"

#: a small T5 v1.0: d 8, 2 heads of 4, d_ff 16, 10 tokens of vocabulary, 1 + 2 blocks
SMALL = dict(name="t5 small", l=5, d_model=8, d_ff=16, n_vocab=10, n_layers=1, n_heads=2,
             architecture="encoder-decoder", n_decoder_layers=2, l_src=5, l_tgt=3,
             position="t5-relative", norm="rmsnorm", ffn_bias=False, tie_embeddings=True)


def _leaves(cfg, name):
    """(path, leaf) of every leaf called ``name`` in the forward tree."""
    return [(p, n) for p, n in walk(analyse(cfg, mode="forward").tree) if n.is_leaf and n.name == name]


def test_t5_base_params_pinned():
    # shared embedding 32128·768 = 24,674,304 (the LM head is the same matrix);
    # encoder block: W_Q, W_K, W_V, W_O 4·768² = 2,359,296, FFN wi, wo 2·768·3072 = 4,718,592,
    #   two RMSNorm γ 2·768 = 1,536: 7,079,424; ×12 = 84,953,088, + bias table 32·12 = 384
    #   + final γ 768 = 84,954,240;
    # decoder block: two attentions 4,718,592 + FFN 4,718,592 + three γ 2,304 = 9,439,488;
    #   ×12 = 113,273,856 + 384 + 768 = 113,275,008
    # 24,674,304 + 84,954,240 + 113,275,008 = 222,903,552 (T5ForConditionalGeneration's unique tensors)
    assert parameters(catalogue.find("t5-base")).total == 222_903_552
    assert parameters(hf.load(FIXTURES / "t5-base" / "config.json")).total == 222_903_552


def test_t5_large_params_pinned():
    # shared 32128·1024 = 32,899,072; encoder block 4·1024² + 2·1024·4096 + 2·1024 = 12,584,960,
    #   ×24 + 32·16 + 1024 = 302,040,576; decoder block 8·1024² + 2·1024·4096 + 3·1024
    #   = 16,780,288, ×24 + 512 + 1024 = 402,728,448; sum 737,668,096
    assert parameters(catalogue.find("t5-large")).total == 737_668_096
    assert parameters(hf.load(FIXTURES / "t5-large" / "config.json")).total == 737_668_096


def test_t5_v1_1_base_untied_gated():
    # google/t5-v1_1-base: gated-gelu FFN, 3·768·2048 = 4,718,592 per block (the same as
    # v1.0's 2·768·3072), and its own LM head: 222,903,552 + 32128·768 = 247,577,856
    cfg = hf.load(FIXTURES / "t5-v1_1-base" / "config.json")
    assert cfg.get("ffn") == "geglu" and cfg.get("tie_embeddings") is False
    assert parameters(cfg).total == 222_903_552 + 32128 * 768 == 247_577_856
    assert not _leaves(cfg, "X / sqrt(d_model)")  # v1.1 does not scale the decoder output


def test_t5_positions_keep_bert_masked_lm_head():
    """T5's rescaled tied head is T5's: BERT's masked-LM head with t5-relative positions keeps
    its transform and decoder bias, and is not rescaled."""
    cfg = catalogue.find("bert-base").with_values({"lm_head": True, "position": "t5-relative"}, "<test>")
    # BertForMaskedLM 109,514,298 − the learned position table 512·768 = 393,216
    # + the bias table 32·12 = 384: 109,121,466
    assert parameters(cfg).total == 109_514_298 - 512 * 768 + 32 * 12 == 109_121_466
    assert _leaves(cfg, "+ b_LM") and not _leaves(cfg, "X / sqrt(d_model)")


def test_t5_hf_mapping():
    path = FIXTURES / "t5-base" / "config.json"
    data = hf.to_data(json.loads(path.read_text()), str(path))
    assert data == {"name": "t5-base", "source": "Hugging Face config.json (model_type t5)",
                    "l": 512, "d_model": 768, "d_ff": 3072, "n_vocab": 32128, "n_layers": 12,
                    "n_heads": 12, "architecture": "encoder-decoder", "d_head": 64, "ffn": "relu",
                    "norm": "rmsnorm", "position": "t5-relative", "relative_buckets": 32,
                    "ffn_bias": False, "tie_embeddings": True}
    # T5Config's defaults for absent fields: n_positions 512, d_kv 64, 32 buckets, relu, tied;
    # d_kv is d_head even where n_heads · d_kv != d_model (t5-v1_1-xl: 32 · 64 = 2048, t5-11b 128 · 128)
    small = hf.to_data({"model_type": "t5", "d_model": 1024, "d_ff": 65536, "num_layers": 24,
                        "num_heads": 128, "d_kv": 128, "vocab_size": 32128,
                        "num_decoder_layers": 6, "feed_forward_proj": "gated-silu"}, "c.json")
    assert (small["l"], small["d_head"], small["relative_buckets"], small["ffn"],
            small["tie_embeddings"], small["n_decoder_layers"]) == (512, 128, 32, "swiglu", True, 6)
    assert parse(small, "c.json").arch.explicit_d_head


def test_t5_tree_by_hand():
    cfg = parse(SMALL, "<small>")
    # no score is divided by √d_k, in self- or cross-attention
    assert not _leaves(cfg, "/ sqrt(d_k)")
    # one bias table per stack: 2 lookups, no FLOPs; 32 buckets · 2 heads = 64 parameters each
    tables = _leaves(cfg, "bucket lookup")
    assert [p[0] for p, _ in tables] == ["Encoder", "Decoder"] and all(n.value == 0 for _, n in tables)
    bias_params = [(p[0], n.value) for p, n in walk(parameters(cfg).tree) if n.name == "W_bias"]
    assert bias_params == [("Encoder", 32 * 2), ("Decoder", 32 * 2)]
    # '+ position bias' in self-attention only, one add per score (leaves hold the repeated
    # count): encoder 1 layer · 2 heads · 5·5, decoder 2 layers · 2 heads · 3·3; cross has none
    a = analyse(cfg, mode="forward")
    bias = [(p, n) for p, n in walk(a.tree) if n.name == "+ position bias"]
    assert {p[0] for p, _ in bias} == {"Encoder", "Decoder"}
    assert not any("CrossAttention" in p for p, _ in bias)
    assert {p[0]: n.value for p, n in bias} == {"Encoder": 2 * 5 * 5, "Decoder": 2 * 2 * 3 * 3}
    assert a.tree["Encoder", "Blocks"].times == 1 and a.tree["Decoder", "Blocks"].times == 2
    # the tied head: the decoder output (3 × 8) scaled by d_model^-1/2 before ProjectToVocab
    (_, scale), = _leaves(cfg, "X / sqrt(d_model)")
    assert scale.value == 3 * 8


def test_scaling_is_what_t5_drops():
    # the same model with sinusoidal positions: each score is scaled (1 per score), no bias;
    # encoder 2 heads · 25 + decoder self 2 layers · 2 heads · 9 + cross 2·2·15 = 146 scalings
    t5 = analyse(parse(SMALL, "<t5>"), mode="forward")
    plain = analyse(parse(dict(SMALL, position="sinusoidal"), "<plain>"), mode="forward")
    scaled, biased = (sum(n.value for _, n in walk(t.tree) if n.name == name)
                      for t, name in ((plain, "/ sqrt(d_k)"), (t5, "+ position bias")))
    assert scaled == 2 * 25 + 2 * 2 * 9 + 2 * 2 * 15 == 146
    assert biased == 2 * 25 + 2 * 2 * 9 == 86
    # sinusoidal adds its positions to the embeddings (5·8 + 3·8); T5 scales the head's input (3·8)
    assert t5.total - plain.total == biased - scaled - (5 * 8 + 3 * 8) + 3 * 8
    assert t5.by_kind["matmul"] == plain.by_kind["matmul"]


@pytest.mark.parametrize("change, message", [
    ({"feed_forward_proj": "gated-tanh"}, "feed_forward_proj: 'gated-tanh' is not supported"),
    ({"feed_forward_proj": 3}, "feed_forward_proj: must be a string, got 3"),
    ({"relative_attention_num_buckets": 2},
     "relative_attention_num_buckets (relative_buckets): 2 is fewer than 4"),
    ({"relative_attention_num_buckets": "32"}, "relative_attention_num_buckets: must be a whole number"),
    ({"d_kv": 0}, "d_kv: must be at least 1, got 0"),
    ({"num_decoder_layers": -1}, "num_decoder_layers: must be at least 1, got -1"),
    ({"num_heads": None}, "num_heads: missing"),
    ({"tie_word_embeddings": "no"}, "tie_word_embeddings: must be true or false"),
    ({"is_decoder": True}, "is_decoder: a T5 stack alone is not modelled"),
    # an encoder alone (T5EncoderModel: 109,628,544 parameters for v1.1 base) is not counted as the whole model
    ({"is_encoder_decoder": False}, "T5EncoderModel (is_encoder_decoder: false) is not modelled"),
    ({"architectures": ["T5EncoderModel"]}, "T5EncoderModel (is_encoder_decoder: false) is not modelled"),
])
def test_bad_t5_configs_one_line_exit_2(capsys, tmp_path, change, message):
    base = json.loads((FIXTURES / "t5-base" / "config.json").read_text())
    p = tmp_path / "config.json"
    p.write_text(json.dumps({**base, **change}))
    code = main(["report", "--hf", str(p)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{p}: " in err and message in err, err


@pytest.mark.parametrize("argv, message", [
    (["report", "t5-base", "--mode", "decode", "--convention", "6N"],
     "mode decode of an encoder-decoder is counted by the tree conventions, not by 6N's closed form"),
    (["report", "t5-base", "--convention", "kaplan"], "counts a decoder-only model (no encoder-decoder)"),
    (["report", "t5-base", "--set", "relative_buckets=3"], "relative_buckets: 3 is fewer than 4"),
    (["report", "t5-base", "--set", "position=rope"], "relative_buckets: only applies to position t5-relative"),
])
def test_t5_refusals_one_line(capsys, argv, message):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err, err


def test_relative_buckets_only_with_t5_relative():
    with pytest.raises(ConfigError, match="only applies to position t5-relative"):
        parse(dict(SMALL, position="rope", relative_buckets=32), "<x>")
    assert parse(SMALL, "<x>").get("relative_buckets") == 32  # T5's default
    assert parse(dict(SMALL, position="rope"), "<x>").get("relative_buckets") is None


# -- serving: prefill, decode, generate ------------------------------------------------------

def _matmul(a) -> int:
    return sum(n.value for _, n in walk(a.tree) if n.is_leaf and n.kind == "matmul")


@pytest.mark.parametrize("context", [0, 3, 40])
def test_t5_decode_step_by_hand(context):
    """One decode step of SMALL: the decoder alone over one token, no cross K/V projection."""
    cfg = parse(SMALL, "<x>")
    from flopdocs.counting.modes import Options
    a = analyse(cfg, mode="decode", options=Options(context=context))
    keys = context + 1
    # per decoder layer (d 8, 2 heads of 4, d_ff 16): self Q, K, V 3·2·8·8 = 384, scores and
    # · V 2·(2·4·keys)·2 heads = 32·keys, W_O 128; cross Q 128, scores and · V over l_src 5:
    # 2·(2·4·5)·2 = 160, W_O 128 (K, V cached: none); FFN 2·2·8·16 = 512 -> 1440 + 32·keys;
    # two layers, and the LM head 2·8·10 = 160
    assert _matmul(a) == 2 * (1440 + 32 * keys) + 160
    assert a.tokens == 1
    assert not [p for p, n in walk(a.tree) if "Encoder" in p]
    cross = [n.name for p, n in walk(a.tree) if n.is_leaf and "CrossAttention" in p]
    assert "Q * WQ" in cross and "K * WK" not in cross and "V * WV" not in cross


def test_t5_prefill_is_the_forward_over_the_prompt_and_generate_sums_the_steps():
    from flopdocs.counting.modes import Options
    cfg = parse(SMALL, "<x>")
    prefill = analyse(cfg, mode="prefill", options=Options(prompt=2))
    assert prefill.total == analyse(parse(dict(SMALL, l_tgt=2), "<x>")).total
    assert prefill.tokens == 5 + 2  # l_src source and P target tokens
    assert analyse(cfg, mode="prefill").total == analyse(cfg).total  # P defaults to l_tgt
    g = analyse(cfg, mode="generate", options=Options(prompt=2, generate=4))
    steps = sum(analyse(cfg, mode="decode", options=Options(context=c)).total for c in (2, 3, 4, 5))
    assert g.total == prefill.total + steps
    assert g.tokens == 5 + 2 + 4


def test_t5_kv_cache_holds_self_and_cross_keys_and_values():
    from flopdocs.counting.modes import Options
    cfg = parse(dict(SMALL, N=3), "<x>")
    a = analyse(cfg, mode="prefill", options=Options(prompt=2))
    # 2 (K, V) · 2 decoder layers · 2 heads · 4 wide · (2 target + 5 source positions) · 3
    # sequences = 672 numbers, 2 bytes each in bf16
    assert a.memory.kv_cache == 2 * 2 * 2 * 4 * (2 + 5) * 3 * 2 == 1344
    assert a.kv_cache_bytes == 1344  # --dtype-bytes 2
    d = analyse(cfg, mode="decode", options=Options(context=6))
    assert d.memory.kv_cache == 2 * 2 * 2 * 4 * (7 + 5) * 3 * 2
    assert analyse(cfg, mode="generate", options=Options(prompt=2, generate=3)).memory.kv_cache \
        == 2 * 2 * 2 * 4 * (5 + 5) * 3 * 2


def test_t5_serving_json(capsys):
    assert main(["report", "t5-base", "--mode", "decode", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    # T5 base: 12 decoder layers, 12 heads of 64, l_src = l_tgt = 512: the cache of the
    # default context (511 + 1 target positions) and the 512 source positions, bf16
    assert d["memory"]["kv_cache"] == 2 * 12 * 12 * 64 * (512 + 512) * 2 == 37_748_736


def test_t5_v1_1_as_transformers_5_saves_it_is_untied():
    """transformers >= 5 saves flan-t5 / t5-v1_1 with tie_word_embeddings: true and
    scale_decoder_outputs: false (T5Config forces the tie, keeping the untied checkpoint's
    one difference as no scaling); it is read as the untied v1.1, 247,577,856 parameters,
    not the tied 222,903,552."""
    import json

    data = json.loads((FIXTURES / "t5-v1_1-base" / "config.json").read_text())
    saved = {**data, "tie_word_embeddings": True, "scale_decoder_outputs": False}
    cfg = parse(hf.to_data(saved, "<flan-t5-base>"), "<flan-t5-base>")
    assert cfg.get("tie_embeddings") is False and parameters(cfg).total == 247_577_856
    assert not _leaves(cfg, "X / sqrt(d_model)")
    tied = parse(hf.to_data({**saved, "scale_decoder_outputs": True}, "<t5>"), "<t5>")
    assert parameters(tied).total == 247_577_856 - 32128 * 768 == 222_903_552
