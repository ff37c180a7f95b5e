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
    # 64 so d_attn 1600, n_ctx 1024, vocab 50257): QKV 2·48·1600·3·1600 = 737,280,000; mask
    # 2·48·1024·1600 = 157,286,400; project 2·48·1600·1600 = 245,760,000; feedforward
    # 2·48·2·1600·6400 = 1,966,080,000. Total (Non-Embedding) C_forward = 2N + 2·n_layer·n_ctx·d_attn
    # with N = 2·1600·48·(2·1600 + 6400) = 1,474,560,000: 2,949,120,000 + 157,286,400
    a = analyse(find("gpt-2-xl"), "kaplan")
    assert a.per_token == 737_280_000 + 157_286_400 + 245_760_000 + 1_966_080_000 \
        == 2 * 1_474_560_000 + 157_286_400 == 3_106_406_400
    assert a.total == 1024 * 3_106_406_400
    # the Embed (4·1600 = 6,400) and De-embed (2·1600·50257 = 160,822,400) rows beside it
    assert a.excluded == {"embedding": 1024 * 6_400, "lm-head": 1024 * 160_822_400}
    whole = analyse(find("gpt-2-xl"), "kaplan", options=Options(exclude=()))
    assert whole.per_token == 3_106_406_400 + 6_400 + 160_822_400 == 3_267_235_200
    assert whole.excluded == {}
    # training: the backward twice the forward (section 2.1), C ≈ 6N without the context term
    assert analyse(find("gpt-2-xl"), "kaplan", "training").per_token == 3 * 3_106_406_400


def test_kaplan_gpt2_small_report_is_table_1s_non_embedding_total(capsys):
    # GPT-2 small: N = 2·768·12·(2·768 + 3072) = 84,934,656; C_forward = 2N + 2·12·1024·768
    # = 169,869,312 + 18,874,368 = 188,743,680 per token
    assert main(["report", "gpt-2-small", "--convention", "kaplan", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["per_token"] == 188_743_680 and data["rules"] == {"exclude": ["embedding", "lm-head"]}
    assert data["excluded"] == {"embedding": 1024 * 4 * 768, "lm-head": 1024 * 2 * 768 * 50257}
    assert main(["report", "gpt-2-small", "--convention", "kaplan"]) == 0
    out = capsys.readouterr().out
    assert "188,743,680" not in out and f"{1024 * 188_743_680:,}" in out
    assert f"lm-head {1024 * 2 * 768 * 50257:,}" in out


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


# -- every closed form's published terms, pinned (each coefficient and term is in a sum below) --

CHINCHILLA_A4 = [  # Hoffmann et al. 2022, Table A4: layers, d_model, ffw_size, heads, k/q size,
    # the printed FLOP ratio, and N as nanoGPT's scaling_laws.ipynb (chinchilla_params) counts it
    (10, 640, 2560, 10, 64, "1.03", 73_825_280, 929_877_196_800),
    (20, 1024, 4096, 16, 64, "1.10", 305_707_008, 4_135_248_199_680),
    (24, 1280, 5120, 10, 128, "1.08", 552_604_160, 7_353_453_772_800),
    (26, 1792, 7168, 14, 128, "1.04", 1_143_453_696, 14_670_316_437_504),
    (28, 2048, 8192, 16, 128, "1.03", 1_593_126_912, 20_220_437_594_112),
    (40, 3584, 14336, 28, 128, "0.99", 6_796_274_688, 83_021_046_743_040),
]


def _chinchilla(layers, d, ffw, heads, kq):
    return parse({"name": "A4", "l": 2048, "d_model": d, "d_ff": ffw, "n_vocab": 32000,
                  "n_layers": layers, "n_heads": heads, "d_head": kq}, "<t>")


def test_chinchilla_appendix_f_by_hand_73m():
    # Table A4's 73M row, seq 2048, vocab 32,000; per layer:
    #   K, Q, V   2·3·2048·640·(64·10)  =  5,033,164,800
    #   logits    2·2048·2048·640        =  5,368,709,120
    #   softmax   3·10·2048·2048         =    125,829,120
    #   reduction 2·2048·2048·640        =  5,368,709,120
    #   projection 2·2048·640·640        =  1,677,721,600
    #   dense     2·2048·(640·2560·2)    = 13,421,772,800  -> 30,995,906,560 per layer, ×10
    # embeddings = final logits = 2·2048·32000·640 = 83,886,080,000
    a = analyse(_chinchilla(10, 640, 2560, 10, 64), "chinchilla")
    assert a.total == 10 * 30_995_906_560 + 2 * 83_886_080_000 == 477_731_225_600
    assert analyse(_chinchilla(10, 640, 2560, 10, 64), "chinchilla", "training").total == 3 * 477_731_225_600


@pytest.mark.parametrize("layers, d, ffw, heads, kq, ratio, n, flops", CHINCHILLA_A4)
def test_chinchilla_table_a4_ratios_with_the_embedding_and_logits_left_out(layers, d, ffw, heads, kq,
                                                                           ratio, n, flops):
    # Table A4 prints FLOPs per sequence / 6ND only; it reproduces without the embedding and
    # final-logit rows (nanoGPT scaling_laws.ipynb, "per author correspondence"), D = 2048:
    # `flopdocs report ... --convention chinchilla --mode training --exclude embedding,lm-head`
    a = analyse(_chinchilla(layers, d, ffw, heads, kq), "chinchilla", "training",
                Options(exclude=("embedding", "lm-head")))
    assert a.total == flops  # nanoGPT's per-sequence training FLOPs, to the FLOP
    assert f"{a.total / (6 * n * 2048):.2f}" == ratio


def test_megatron_terms_are_section_5_1s():
    # one layer's forward 24·s·h² + 4·s²·h split as printed: QKV 6·s·h², QKᵀ 2·s²·h, scores × V
    # 2·s²·h, projection 2·s·h², MLP 16·s·h²; the logit layer 2·s·h·V (s 8, h 4, V 10, 1 layer)
    cfg = parse({"name": "m", "l": 8, "d_model": 4, "d_ff": 16, "n_vocab": 10, "n_layers": 1,
                 "n_heads": 1}, "<t>")
    a = analyse(cfg, "megatron")
    assert {r: v for r, v in a.by_role.items() if v} == {"attention-projection": 6 * 8 * 16 + 2 * 8 * 16, "attention-scores": 2 * 64 * 4,
                         "attention-values": 2 * 64 * 4, "ffn": 16 * 8 * 16, "lm-head": 2 * 8 * 4 * 10}


KORTHIKANTI = [  # Table 3 configs, Table 5 iteration time (selective recompute), MFU and HFU
    ("175B", 96, 12288, 96, 64, 64, "13.75", "51.4", "52.8"),
    ("530B", 128, 20480, 105, 280, 280, "37.83", "56.0", "57.0"),
    ("1T", 160, 25600, 128, 512, 512, "71.49", "56.3", "57.0"),
]


@pytest.mark.parametrize("name, heads, h, layers, gpus, batch, seconds, mfu, hfu", KORTHIKANTI)
def test_korthikanti_table_5_mfu_and_selective_hfu(name, heads, h, layers, gpus, batch, seconds, mfu, hfu):
    # Korthikanti et al. 2022: s 2048, V 51,200, A100 312 TFLOP/s; MFU from 72·B·L·s·h²(1 + s/(6h)
    # + V/(12hL)), HFU from 72·B·L·s·h²(1 + s/(3h) + V/(12hL)) (App. A). The 22B row (1.10 s)
    # gives 41.65 % and 43.81 % against the printed 41.5 % and 43.7 % (its time has 3 digits).
    from flopdocs.counting import mfu as mfu_module
    cfg = parse({"name": name, "l": 2048, "d_model": h, "d_ff": 4 * h, "n_vocab": 51200,
                 "n_layers": layers, "n_heads": heads, "N": batch}, "<t>")
    tokens_per_second = batch * 2048 / float(seconds)
    row = mfu_module.rows(cfg, tokens_per_second, 312e12, gpus, "megatron", "selective")[0]
    assert (f"{100 * row.mfu:.1f}", f"{100 * row.hfu:.1f}") == (mfu, hfu)
    B, s, L, V = batch, 2048, layers, 51200
    hardware = analyse(cfg, "megatron", "training-recompute", Options(recompute="selective")).total
    assert hardware == 72 * B * L * s * h**2 * (1 + Fraction(s, 3 * h) + Fraction(V, 12 * h * L))


def test_mt_nlg_30_2_percent_mfu():
    # PaLM §4.1 Table 3 / App. B: MT-NLG 530B (105 layers, h 20,480, 128 heads, s 2048, V 51,200,
    # tied, Narayanan's 529.6B) at 65.43K tokens/s on 2,240 A100s (312 TFLOP/s): 30.2 % with
    # attention (6·529,597,440,000... + 12·105·128·160·2048), 29.7 % without it (6N)
    from flopdocs.counting import mfu as mfu_module
    cfg = parse({"name": "MT-NLG", "l": 2048, "d_model": 20480, "d_ff": 81920, "n_vocab": 51200,
                 "n_layers": 105, "n_heads": 128, "max_positions": 2048, "tie_embeddings": True}, "<t>")
    rows = {r.convention: r for r in mfu_module.rows(cfg, 65430, 312e12, 2240, "palm")}
    assert f"{100 * rows['palm'].mfu:.1f}" == "30.2" and f"{100 * rows['6N'].mfu:.1f}" == "29.7"


def test_palm_540b_hfu_is_not_reproduced_by_full_or_selective():
    # PaLM's 57.8 % HFU rematerialises 75 % of the non-attention forward (App. B), a policy no
    # --recompute names; full recomputation of the tree is higher, selective lower
    from flopdocs.counting import mfu as mfu_module
    full = mfu_module.rows(find("palm-540b"), 238300, 275e12, 6144, "flopdocs", "full")[0]
    selective = mfu_module.rows(find("palm-540b"), 238300, 275e12, 6144, "flopdocs", "selective")[0]
    assert selective.hfu < 0.578 < full.hfu
    assert full.mfu < selective.hfu  # HFU is the recompute mode's, not the training count's


GPT3_D1 = {"gpt-3-small": (125, "2.25E+20"), "gpt-3-medium": (356, "6.41E+20"),
           "gpt-3-large": (760, "1.37E+21"), "gpt-3-xl": (1_320, "2.38E+21"),
           "gpt-3-2-7b": (2_650, "4.77E+21"), "gpt-3-6-7b": (6_660, "1.20E+22"),
           "gpt-3-13b": (12_850, "2.31E+22"), "gpt-3-175b": (174_600, "3.14E+23")}


@pytest.mark.parametrize("slug", GPT3_D1)
def test_gpt3_table_d1_totals(slug):
    # Brown et al. 2020, Table D.1: total train compute = 6 · Params · 300B tokens, from the
    # printed Params (M) column exactly; from our structure's parameters within 0.5 % (all but
    # XL, 1,315.7M against the printed 1,320M, also to the three printed digits)
    printed_m, total = GPT3_D1[slug]
    assert f"{6 * printed_m * 10**6 * 300 * 10**9:.2E}" == total
    a = analyse(find(slug), "6N", "training")
    assert a.per_token == 6 * a.params.active
    assert abs(a.per_token * 300 * 10**9 / float(total) - 1) < 0.005


def test_6n_counts_active_parameters_and_half_of_an_encoder_decoders():
    # GPT-3 App. D: "each active parameter". Mixtral 8x7B: 12,879,925,248 of 46,702,792,704
    # parameters are active per token; 6 · 12,879,925,248 = 77,279,551,488 per training token
    mixtral = analyse(find("mixtral-8x7b"), "6N", "training")
    assert mixtral.params.active == 12_879_925_248 and mixtral.per_token == 77_279_551_488
    # 77,279,551,488 · 1e6 tokens/s / (256 · 989e12) = 30.5 %, not the 110.7 % of every parameter
    from flopdocs.counting import mfu as mfu_module
    row = next(r for r in mfu_module.rows(find("mixtral-8x7b"), 1e6, 989e12, 256) if r.convention == "6N")
    assert f"{100 * row.mfu:.1f}" == "30.5"
    # T5 (Table D.1: 3 FLOPs per parameter per token, half active), per source + target token,
    # as the tree conventions count: t5-base 222,903,552 parameters, l_src = l_tgt = 512
    t5 = analyse(find("t5-base"), "6N", "training")
    assert t5.per_token == 3 * 222_903_552 and t5.tokens == 1024 == analyse(find("t5-base")).tokens


def test_recompute_layers_leaves_out_the_head_and_each_blocks_down_projection():
    # 2-layer Llama at l = 64 (d 32, d_ff 48, vocab 100, 4 heads of 8): full recomputation adds
    # the whole forward; checkpointing the layers adds their forward but the LM head
    # (2·64·32·100 = 409,600 FLOPs of matmul), the final norm, and each layer's down projection
    # (2·64·48·32 = 196,608 per layer), its residual addition (64·32 per layer)
    cfg = parse({"name": "c", "l": 64, "d_model": 32, "d_ff": 48, "n_vocab": 100, "n_layers": 2,
                 "n_heads": 4, "ffn": "swiglu", "norm": "rmsnorm", "position": "rope",
                 "ffn_bias": False}, "<t>")
    forward, training = analyse(cfg), analyse(cfg, mode="training")
    layers = analyse(cfg, mode="training-recompute", options=Options(recompute="layers"))
    final_norm = sum(n.value for _, n in leaves(forward.tree["RMSNorm_Final"]))
    assert layers.total - training.total == forward.total - 409_600 - final_norm \
        - 2 * 196_608 - 2 * 64 * 32 - forward.by_role["embedding"]


def test_every_recompute_mode_or_one_line():
    cfg = find("gpt-2-small")
    for name, conv in conventions.CONVENTIONS.items():
        for how in ("full", "selective", "layers"):
            try:
                a = analyse(cfg, name, "training-recompute", Options(recompute=how))
            except ConfigError as e:
                assert "\n" not in str(e) and ("recompute" in str(e) or "training-recompute" in str(e))
                continue
            assert a.rules["recompute"] == how
            assert a.total > analyse(cfg, name, "training").total


def test_exclude_is_one_line_when_a_term_mixes_roles_or_the_role_is_unknown():
    with pytest.raises(ConfigError, match="does not separate roles"):
        analyse(find("gpt-2-small"), "palm", options=Options(exclude=("embedding",))).total
    with pytest.raises(ConfigError, match="unknown role 'embeding'"):
        analyse(find("gpt-2-small"), options=Options(exclude=("embeding",)))
    with pytest.raises(ConfigError, match="tuple of roles"):
        analyse(find("gpt-2-small"), options=Options(exclude="embedding"))
    # leaving a role out of a tree convention: the total drops by exactly that role's FLOPs
    a = analyse(find("llama-2-7b"))
    b = analyse(find("llama-2-7b"), options=Options(exclude=("lm-head", "norm")))
    assert a.total - b.total == a.by_role["lm-head"] + a.by_role["norm"]
    assert b.excluded == {"lm-head": a.by_role["lm-head"], "norm": a.by_role["norm"]}


def test_mfu_says_so_beside_a_utilisation_above_100_or_below_0_1_percent(capsys):
    from flopdocs.counting.mfu import warning
    assert warning(1.107).startswith("above 100 %") and warning(0.0009).startswith("below 0.1 %")
    assert warning(0.5) == "" and warning(1.0) == "" and warning(0.001) == "" and warning(None) == ""
    # 6N's MFU of every parameter was 110.7 % here; counting all of them by hand shows the word
    assert main(["mfu", "mixtral-8x7b", "--tokens-per-second", "3000000", "--accelerator", "h100-sxm",
                 "--devices", "256"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("6N "))
    assert "91.6%" in row and "above" not in row
    assert main(["mfu", "gpt-2-small", "--tokens-per-second", "1", "--accelerator", "b200"]) == 0
    assert "below 0.1 %" in capsys.readouterr().out


def test_mfu_hfu_is_the_named_recompute_or_says_why(capsys):
    assert main(["mfu", "gpt-2-small", "--tokens-per-second", "100000", "--accelerator", "a100",
                 "--convention", "megatron", "--recompute", "layers"]) == 0
    out = capsys.readouterr().out
    assert "HFU (layers)" in out
    assert "megatron    no HFU: the megatron convention does not define --recompute layers" in out
    assert "kaplan      no HFU: this convention defines no recomputation" in out


@pytest.mark.parametrize("argv, message", [
    (["report", "gpt-2-small", "--exclude", "embeding"], "--exclude: unknown role 'embeding'"),
    (["report", "gpt-2-small", "--convention", "6N", "--exclude", "lm-head"], "does not separate roles"),
    (["report", "gpt-2-small", "--mode", "training-recompute", "--recompute", "some"], "must be one of full, selective, layers"),
    (["report", "gpt-2-small", "--convention", "megatron", "--mode", "training-recompute", "--recompute", "layers"],
     "the megatron convention does not define --recompute layers (it defines full, selective)"),
    (["mfu", "gpt-2-small", "--tokens-per-second", "1", "--accelerator", "a100", "--recompute", "x"],
     "--recompute: must be one of"),
    (["table", "gpt-2-small", "--exclude", "nope"], "--exclude: unknown role 'nope'"),
])
def test_recompute_and_exclude_errors_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_accelerators_have_cited_peaks_memory_and_bandwidth():
    from flopdocs.counting.accelerators import ACCELERATORS
    for name in ("v100", "tpu-v3", "h200", "b200", "mi300x", "mi325x", "tpu-v5e", "tpu-v5p", "tpu-v6e",
                 "gaudi3", "l40s", "a100", "h100-sxm", "tpu-v4"):
        chip = ACCELERATORS[name]
        assert chip.source and chip.memory_bytes > 10**10 and chip.bandwidth_bytes_per_s > 5 * 10**11
        assert all(p.sparse is None or p.sparse == 2 * p.dense or abs(p.sparse / p.dense - 2) < 0.03  # L40S: 362.05 and 733
                   for p in chip.peaks)
    # the figures MFU divides by and a memory helper reads, as the sheets print them
    assert ACCELERATORS["v100"].dense == 125e12 and ACCELERATORS["v100"].dtype == "fp16"
    assert ACCELERATORS["tpu-v4"].dense == 275e12 and ACCELERATORS["tpu-v3"].dense == 123e12
    assert ACCELERATORS["h100-sxm"].peak("fp8").sparse == 3958e12
    assert ACCELERATORS["h200"].memory_bytes == 141 * 10**9 and ACCELERATORS["h200"].bandwidth_bytes_per_s == 4.8e12
    assert ACCELERATORS["tpu-v3"].memory_bytes == 32 * 2**30
    with pytest.raises(KeyError, match="no fp8 peak"):
        ACCELERATORS["v100"].peak("fp8")


def test_the_api_takes_exclude_and_echoes_it():
    import flopdocs
    r = flopdocs.model("gpt-2-small", convention="chinchilla", mode="training",
                       options=Options(exclude=("embedding", "lm-head")))
    whole = flopdocs.model("gpt-2-small", convention="chinchilla", mode="training")
    assert r.total == whole.total - whole.by_role["embedding"] - whole.by_role["lm-head"]  # training: 3x each
    assert r.excluded == {"embedding": whole.by_role["embedding"], "lm-head": whole.by_role["lm-head"]}
    data = r.to_dict()
    assert data["rules"] == {"exclude": ["embedding", "lm-head"]} and data["excluded"] == r.excluded
    # Kaplan's own: its Embed row, 4·768 per token over 1,024 tokens
    assert flopdocs.model("gpt-2-small", convention="kaplan").excluded["embedding"] == 4 * 768 * 1024
