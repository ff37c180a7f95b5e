"""Whose FLOPs: every convention pinned to its source, the modes, the counting flags, MFU."""
import json
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings, strategies as st

from flopdocs import conventions
from flopdocs.counting.analysis import analyse
from flopdocs.config.catalogue import find, models
from flopdocs.cli.main import main
from flopdocs.config.config import ConfigError, parse
from flopdocs.counting.modes import MODES, Options
from flopdocs.structure.tree import leaves


def test_kaplan_gpt2_xl_per_token_forward():
    # Kaplan et al. 2020, Table 1, GPT-2 XL (48 layers, d_model 1600, d_ff 6400, 25 heads of
    # 64 so d_attn 1600, n_ctx 1024, vocab 50257): embed 4·1600 = 6,400; QKV 2·48·1600·3·1600
    # = 737,280,000; mask 2·48·1024·1600 = 157,286,400; project 2·48·1600·1600 = 245,760,000;
    # feedforward 2·48·2·1600·6400 = 1,966,080,000; de-embed 2·1600·50257 = 160,822,400
    a = analyse(find("gpt-2-xl"), "kaplan")
    assert a.per_token == 6_400 + 737_280_000 + 157_286_400 + 245_760_000 + 1_966_080_000 \
        + 160_822_400 == 3_267_235_200
    assert a.total == 1024 * 3_267_235_200
    # training: the backward twice the forward (section 2.1)
    assert analyse(find("gpt-2-xl"), "kaplan", "training").per_token == 3 * 3_267_235_200


def test_6n_gpt3_175b_on_300b_tokens():
    # GPT-3 175B: 174,604,259,328 parameters counted from the structure (the paper's 175B);
    # 6 · 174,604,259,328 · 300e9 = 3.1429e23 FLOPs, the paper's 3.14e23
    a = analyse(find("gpt-3-175b"), "6N", "training")
    assert a.per_token == 6 * 174_604_259_328
    total = a.per_token * 300 * 10**9
    assert total == 314_287_666_790_400_000_000_000
    assert f"{total:.2e}" == "3.14e+23"


def test_megatron_eq_3_for_its_table_1_1t_row():
    # Narayanan et al. 2021, Table 1, 1T: h 25,600, l 128 layers (160 heads), s 2048,
    # V 51,200, batch B 3072. Eq. 3: 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h))
    # = 96·B·s·l·h² + 16·B·s²·l·h + 6·B·s·h·V
    # = 50,665,495,807,918,080,000 + 675,539,944,105,574,400 + 49,478,023,249,920,000
    # = 51,390,513,775,273,574,400 FLOPs per iteration (5.14e19)
    cfg = parse({"name": "Megatron 1T", "l": 2048, "d_model": 25600, "d_ff": 4 * 25600,
                 "n_vocab": 51200, "n_layers": 128, "n_heads": 160, "N": 3072}, "<t>")
    a = analyse(cfg, "megatron", "training-recompute")
    assert a.total == 51_390_513_775_273_574_400
    B, s, L, h, V = 3072, 2048, 128, 25600, 51200
    assert a.total == 96 * B * s * L * h**2 * (1 + Fraction(s, 6 * h) + Fraction(V, 16 * L * h))
    # without recomputation: the layers three times, not four; the logits three times
    assert analyse(cfg, "megatron", "training").total == 72 * B * s * L * h**2 + 12 * B * s**2 * L * h \
        + 6 * B * s * h * V


def test_palm_540b_per_training_token():
    # PaLM Appendix B: 6·P + 12·L·H·Q·T, P every parameter (540,363,018,240 from the
    # structure, the paper's 540.35B), L 118, H 48, Q 256, T 2048:
    # 6·540,363,018,240 = 3,242,178,109,440; 12·118·48·256·2048 = 35,634,806,784
    a = analyse(find("palm-540b"), "palm", "training")
    assert a.per_token == 3_242_178_109_440 + 35_634_806_784 == 3_277_812_916_224
    assert analyse(find("palm-540b"), "palm").per_token * 3 == a.per_token


def test_mfu_reproduces_palms_46_2_percent(capsys):
    # 3,277,812,916,224 FLOPs/token · 238,300 tokens/s / (6,144 · 275e12 FLOP/s) = 0.4623
    code = main(["mfu", "palm-540b", "--tokens-per-second", "238300", "--accelerator", "tpu-v4",
                 "--devices", "6144", "--convention", "palm"])
    out = capsys.readouterr().out
    assert code == 0
    first = out.splitlines()[4].split()
    assert first[:2] == ["palm", "*"] and first[2] == "3,277,812,916,224" and first[3] == "46.2%"
    # every other convention beside it: 6N leaves out the attention term (45.7%)
    assert "6N" in out and "45.7%" in out and "kaplan" in out and "megatron" in out


def test_every_catalogue_model_every_mode_every_convention_counts_or_refuses_in_one_line():
    for cfg in models():
        for name in conventions.CONVENTIONS:
            for mode in MODES:
                try:
                    a = analyse(cfg, name, mode)
                except ConfigError as e:
                    assert "\n" not in str(e) and str(e)
                    continue
                assert type(a.total) is int and a.total > 0 and a.per_token > 0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 32), st.integers(1, 2048), st.integers(1, 4096),
       st.integers(1, 6), st.sampled_from(["relu", "swiglu"]), st.sampled_from(["learned", "rope", "alibi"]),
       st.sampled_from([None, 1, 2]))
def test_training_is_three_forwards_for_the_matmuls(heads, d_k, length, width, layers, ffn, pos, kv):
    data = {"name": "r", "l": length, "d_model": heads * d_k, "d_ff": width, "n_vocab": 1000,
            "n_layers": layers, "n_heads": heads, "ffn": ffn, "position": pos}
    if kv is not None and heads % kv == 0:
        data["n_kv_heads"] = kv
    cfg = parse(data, "<t>")
    forward, training = analyse(cfg), analyse(cfg, mode="training")
    assert training.by_kind["matmul"] == 3 * forward.by_kind["matmul"]
    # elementwise and transcendental steps once more, sums not at all
    assert training.by_kind["elementwise"] == 2 * forward.by_kind["elementwise"]
    assert training.by_kind["reduction"] == forward.by_kind["reduction"]
    full = analyse(cfg, mode="training-recompute")
    assert full.total == training.total + forward.total
    selective = analyse(cfg, mode="training-recompute", options=Options(recompute="selective"))
    core = sum(forward.by_role[r] for r in ("attention-scores", "attention-softmax", "attention-values"))
    assert selective.total == training.total + core


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 16), st.integers(2, 512), st.integers(0, 3000),
       st.sampled_from([None, 64, 1024]), st.sampled_from(["learned", "rope", "relative"]))
def test_decode_is_a_one_token_forward_plus_the_extra_keys(heads, d_k, length, context, window, pos):
    """decode(C) = forward of a 1-token sequence + C·(the cost of one more key): each of the
    score, scale, mask, softmax and value steps grows by one column per head per key."""
    data = {"name": "r", "l": length, "d_model": heads * d_k, "d_ff": 64, "n_vocab": 100,
            "n_layers": 2, "n_heads": heads, "position": pos}
    if window is not None:
        data["window"] = window
    if pos == "learned":  # a learned table's rows hold every position the cache reaches
        data["max_positions"] = 4096
    cfg = parse(data, "<t>")
    one_token = analyse(cfg.with_values({"l": 1}, "<t>")).total
    decode = lambda c: analyse(cfg, mode="decode", options=Options(context=c))
    per_key = decode(1).total - decode(0).total
    keys = context + 1 if window is None else min(context + 1, window)
    assert decode(0).total == one_token
    assert decode(context).total == one_token + (keys - 1) * per_key
    # the KV cache: 2 · layers · n_kv · d_head · keys · 2 bytes
    assert decode(context).kv_cache_bytes == 2 * 2 * heads * d_k * keys * 2


def test_generate_is_prefill_plus_every_decode_step():
    cfg = parse({"name": "g", "l": 64, "d_model": 32, "d_ff": 64, "n_vocab": 100, "n_layers": 2,
                 "n_heads": 4, "window": 20}, "<t>")
    o = Options(prompt=10, generate=15)
    got = analyse(cfg, mode="generate", options=o)
    steps = sum(analyse(cfg, mode="decode", options=Options(context=c)).total for c in range(10, 25))
    assert got.total == analyse(cfg, mode="prefill", options=Options(prompt=10)).total + steps
    assert got.tokens == 25
    assert got.kv_cache_bytes == 2 * 2 * 4 * 8 * 20 * 2  # capped at the window


def test_llama_2_7b_kv_cache_at_4k():
    # 2 (K and V) · 32 layers · 32 heads · 128 · 4096 positions · 2 bytes = 2 GiB
    a = analyse(find("llama-2-7b"), mode="decode", options=Options(context=4095))
    assert a.kv_cache_bytes == 2 * 32 * 32 * 128 * 4096 * 2 == 2**31


def test_scores_exact_and_half_and_macs():
    cfg = find("seed-512")
    dense, exact = analyse(cfg, "seed"), analyse(cfg, "seed", options=Options(scores="exact"))
    half = analyse(cfg, "seed", options=Options(scores="half"))
    # per head the causal mask admits 512·513/2 = 131,328 of 262,144 pairs; per pair the seed
    # counts 2·64 (QKᵀ) + 5 (scale, mask, softmax) + 2·64 (PV) = 261 FLOPs; 6 layers · 8 heads
    saved = 6 * 8 * (262_144 - 131_328) * 261
    assert dense.total - exact.total == saved == 1_638_862_848
    assert dense.total - half.total == 6 * 8 * 131_072 * 261
    macs = analyse(cfg, "seed", options=Options(macs=True))
    assert dense.total - macs.total == dense.by_kind["matmul"] // 2
    # an encoder has no causal mask: exact is dense
    bert = find("bert-base")
    assert analyse(bert, options=Options(scores="exact")).total == analyse(bert).total


def test_json_has_mode_rules_per_token_and_kv_cache(capsys):
    assert main(["report", "llama-2-7b", "--mode", "decode", "--context", "4095", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "decode" and data["convention"] == "flopdocs"
    assert data["rules"] == {"scores": "dense", "macs": False, "context": 4095, "dtype_bytes": 2}
    assert data["kv_cache_bytes"] == 2**31 and data["per_token"] == data["total"]
    assert main(["report", "palm-540b", "--convention", "palm", "--mode", "training", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["per_token"] == 3_277_812_916_224 and data["rules"] == {} and data["by_role"] is None
    assert list(data["breakdown"]) == ["forward", "backward"]


def test_the_old_name_corrected_is_the_flopdocs_convention():
    assert conventions.get("corrected") is conventions.get("flopdocs")
    assert analyse(find("seed-512"), "corrected").convention == "flopdocs"
    assert conventions.DEFAULT == "flopdocs" and analyse(find("seed-512")).total == 51_279_076_352
