"""Exact parameter counts: GPT-2 small and Llama-2-7B as their checkpoints, the seed by hand."""
import pytest
import sympy

from flopdocs.structure import params
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.config.catalogue import find
from flopdocs.config.config import ConfigError, parse
from flopdocs.conventions import seed
from flopdocs.structure.tree import leaves, names, walk


def test_gpt2_small_exact():
    p = analyse(find("gpt-2-small"), "seed").params
    # X_word 50257*768 = 38,597,376; X_pos 1024*768 = 786,432 (tied head: counted once)
    # block: LayerNorms 2*(768+768) = 3,072; attention 4*768^2 + 4*768 = 2,362,368;
    #        FFN 2*768*3072 + 3072 + 768 = 4,722,432  -> 7,087,872, x 12 = 85,054,464
    # final LayerNorm 1,536
    assert p.total == 38_597_376 + 786_432 + 85_054_464 + 1_536 == 124_439_808
    assert p.non_embedding == 85_054_464 + 1_536 == 85_056_000
    assert p.active == p.total
    assert "W_LM" not in names(p.tree)  # tied: a use of X_word, counted there
    assert "W_LM" in names(analyse(find("llama-2-7b"), "seed").params.tree)  # untied


def test_llama_2_7b_exact():
    p = analyse(find("llama-2-7b"), "seed").params
    # X_word and the untied LM head: 2 * 32000*4096 = 262,144,000
    # block: RMSNorms 2*4096 = 8,192; attention 4*4096^2 = 67,108,864;
    #        SwiGLU 3*4096*11008 = 135,266,304 -> 202,383,360, x 32 = 6,476,267,520
    # final RMSNorm 4,096
    assert p.total == 262_144_000 + 6_476_267_520 + 4_096 == 6_738_415_616
    assert p.non_embedding == 6_476_271_616


def test_seed_512_by_hand():
    p = analyse(find("seed-512"), "seed").params
    # X_word 30000*512 = 15,360,000, X_pos 512*512 = 262,144, LM head 15,360,000,
    # 6 x (2048 + 4*512^2 + 2*512*4096 + 4096 + 512) = 6 x 5,249,536 = 31,497,216, final 1,024
    assert p.total == 2 * 15_360_000 + 262_144 + 31_497_216 + 1_024 == 62_480_384


def test_param_tree_uses_the_cost_tree_names():
    cfg = find("gpt-2-small")
    cost, ps = seed.build(cfg), params.symbolic(cfg.arch).tree
    cost_names = names(cost)
    weights = {w.name for _, n in walk(cost) for w in n.weights}
    for path, node in walk(ps):  # nodes named like the cost tree's, leaves like its weights
        assert node.name in (weights if node.is_leaf else cost_names), path
    assert ps.keys() == ["Embeddings", "LayerNorm_Final", "Blocks"]
    assert ps["Blocks"].keys() == ["LayerNorms", "MultiHeadAttention", "PositionWiseFFN"]
    assert ps["Blocks", "MultiHeadAttention"].keys() == ["W_Q", "b_Q", "W_K", "b_K", "W_V", "b_V",
                                                         "W_O", "b_O"]


def test_params_are_ints_and_symbolic_before():
    cfg = find("mixtral-8x7b")
    sym = params.symbolic(cfg.arch)
    assert isinstance(sym.total, sympy.Expr) and not sym.total.is_number
    p = analyse(cfg, "seed").params
    assert all(type(n.value) is int for _, n in leaves(p.tree))
    assert type(p.total) is int and type(p.active) is int and type(p.non_embedding) is int
    assert p.total == int(sympy.expand(sym.total).xreplace({k: sympy.Integer(v) for k, v in cfg.dims.items()}))


def _decoders():
    from flopdocs.config.catalogue import models
    # (not latent attention: its scores are qk_nope + qk_rope wide, its values v_head_dim, and it
    # decompresses keys and values per position, which this closed form does not write)
    return [c for c in models() if c.knob("architecture") == "decoder" and not c.arch.windowed
            and not c.arch.mla]


@pytest.mark.parametrize("cfg", _decoders(), ids=lambda c: c.name)
def test_forward_flops_are_2_per_weight_per_token_plus_attention(cfg):
    # The closed form (Kaplan et al. 2020, table 1; nanoGPT's 6N + 12LHQT without the
    # backward pass): each weight used by a token costs one multiply-add (2 FLOPs), and
    # attention adds 4 * n_layers * l^2 * (n_heads * d_head) per sequence (QK^T and AV,
    # the causal mask not exploited; Transformer-XL's QR^T a third 2 * ...), plus the
    # seed's 5 elementwise steps per score (scale, mask, 3 softmax). Lookups are not
    # multiplies: drop X_word and X_pos; a tied head multiplies by X_word once more.
    # Norms, residuals and the rest stay under 0.5%.
    a = analyse(cfg, "seed")
    l, d, v, n, h = (cfg[k] for k in ("l", "d_model", "n_vocab", "n_layers", "n_heads"))
    weights = a.params.active - v * d - (l * d if cfg.knob("position") == "learned" else 0)
    if cfg.knob("tie_embeddings"):
        weights += v * d
    score_matmuls = 6 if cfg.knob("position") == "relative" else 4
    per_score = score_matmuls * cfg.knob("d_head")
    if cfg.knob("kv_lora_rank"):  # latent attention: q·k over d_nope + d_rope, the values d_v wide
        per_score = 2 * (cfg.knob("qk_nope_head_dim") + cfg.knob("qk_rope_head_dim")) + 2 * cfg.knob("v_head_dim")
    closed = 2 * l * weights + n * l * l * h * (per_score + 5)
    assert abs(a.total - closed) / a.total < 0.005


def test_closed_forms_for_the_seed_by_hand():
    # seed-512: N_non-embedding = 31,498,240 (tests/test_cli.py); n_layers·l·d_attn = 6·512·512
    # Kaplan: 2·31,498,240 + 2·1,572,864 = 62,996,480 + 3,145,728 = 66,142,208
    # PaLM/nanoGPT: weights multiplied = 62,480,384 - 30000·512 (X_word) - 512·512 (X_pos)
    #   = 46,858,240; 2·46,858,240 + 4·1,572,864 = 93,716,480 + 6,291,456 = 100,007,936
    a = analyse(find("seed-512"), "seed")
    assert a.closed_forms() == {"kaplan": 66_142_208, "palm": 100_007_936}
    assert a.per_token == 51_248_964_096 // 512 == 100_095_633  # 0.09% over PaLM's form
    ed = analyse(find("transformer-base"), "seed")
    assert ed.closed_forms() is None  # attention over l_src and l_tgt: no closed form here


def test_cross_check_is_worded_from_each_models_structure():
    from flopdocs.conventions.closed_forms import kaplan_n, wording

    gpt2, bert = analyse(find("gpt-2-small")), analyse(find("bert-base"))
    # Kaplan's own N: 2 · 768 · 12 · (2 · 768 + 3072) = 84,934,656; ours has biases and norms
    assert kaplan_n(gpt2.config) == 84_934_656
    assert wording(gpt2)["our_n"] == 85_056_000
    assert "leaves out the LM head" in wording(gpt2)["head"]
    assert "causal mask's zero half" in wording(gpt2)["mask"]
    assert "no LM head" in wording(bert)["head"] and "no causal mask" in wording(bert)["mask"]
    assert "pooler" in wording(bert)["n_extra"]


def test_parameters_do_not_depend_on_the_runs_length():
    gpt2 = find("gpt-2-small")
    for l in (1, 128, 1024):
        assert analyse(gpt2.with_values({"l": l}, "<t>")).params.total == 124_439_808
    with pytest.raises(ConfigError, match="l=2048 is more than max_positions=1024"):
        gpt2.with_values({"l": 2048}, "<t>")


def test_only_a_learned_table_bounds_the_input():
    # config.config.position_rows: the rows bound l (and a prompt, a cache) only when learned
    gpt2 = find("gpt-2-small")  # learned, max_positions 1024
    sinusoidal = gpt2.with_values({"position": "sinusoidal", "l": 2048}, "<t>")
    assert sinusoidal["l"] == 2048
    assert analyse(sinusoidal, mode="prefill", options=Options(prompt=4096)).per_token > 0
    with pytest.raises(ConfigError, match="--prompt 1025: more than max_positions=1024"):
        analyse(gpt2, mode="prefill", options=Options(prompt=1025))
