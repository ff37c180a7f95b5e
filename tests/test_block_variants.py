"""The block variants' counts that PyTorch's FlopCounterMode cannot see (norms, scales, caps),
pinned on seed-512 (l = 512, d_model = 512, d_ff = 4096, n_vocab = 30000, 6 layers, 8 heads)
with the arithmetic beside each; their parameters are held to numel in test_verify_zoo.py."""
import pytest

from flopdocs.config import catalogue
from flopdocs.config.config import ConfigError
from flopdocs.counting.analysis import analyse
from flopdocs.structure.params import parameters
from flopdocs.structure.tree import walk

SEED = catalogue.find("seed-512")
L, D, V, LAYERS, HEADS = 512, 512, 30000, 6, 8


def _cfg(**sets):
    return SEED.with_values(sets, "<test>")


def _leaves(cfg, *path) -> dict:
    """Every leaf whose path ends with ``path``: path -> value."""
    return {p: int(n.value) for p, n in walk(analyse(cfg).tree) if n.is_leaf and p[-len(path):] == path}


def _one(cfg, *path) -> int:
    found = _leaves(cfg, *path)
    assert len(found) == 1, found
    return next(iter(found.values()))


def test_qk_norm_rows_per_head_or_over_the_width():
    rope = dict(norm="rmsnorm", position="rope")
    # width (OLMo 2): one row per token, 2 per-row FLOPs (÷n, +ε): 2·l·layers = 6,144
    assert _one(_cfg(**rope, qk_norm="width"), "q_norm", "/ n + eps") == 2 * L * LAYERS == 6_144
    # per head (Qwen3, Cohere): a row per token and head: 2·l·8·6 = 49,152
    assert _one(_cfg(**rope, qk_norm="head"), "q_norm", "/ n + eps") == 2 * L * HEADS * LAYERS == 49_152
    assert _one(_cfg(**rope, qk_norm="heads"), "q_norm", "/ n + eps") == 49_152
    base = parameters(_cfg(**rope)).total
    # γ: head shares d_head = 64 for q and for k; heads and width have 8·64 each
    assert parameters(_cfg(**rope, qk_norm="head")).total - base == 2 * 64 * LAYERS
    assert parameters(_cfg(**rope, qk_norm="heads")).total - base == 2 * 512 * LAYERS
    assert parameters(_cfg(**rope, qk_norm="width")).total - base == 2 * 512 * LAYERS


def test_parallel_and_sandwich_norms():
    base = parameters(SEED).total
    # a LayerNorm is γ and β (2·512); parallel-one-norm drops one per block, sandwich adds two
    assert parameters(_cfg(block="parallel-one-norm")).total == base - 2 * D * LAYERS
    assert parameters(_cfg(block="parallel")).total == base
    assert parameters(_cfg(norm_position="sandwich")).total == base + 2 * 2 * D * LAYERS
    assert parameters(_cfg(norm_position="post")).total == base
    # without β (Cohere): γ only; without parameters (OLMo): none; the last step 2 / 1 per element
    assert parameters(_cfg(norm="layernorm-no-bias")).total == base - D * (2 * LAYERS + 1)
    assert parameters(_cfg(norm="layernorm-no-params")).total == base - 2 * D * (2 * LAYERS + 1)
    final = _cfg(norm="layernorm-no-bias")
    assert _one(final, "LayerNorm_Final", "gamma*(numerator/denominator)") == 2 * L * D


def test_scales_caps_and_biases_count_once_per_element():
    rope = dict(position="rope")
    assert _one(_cfg(**rope, embedding_scale=True), "X * sqrt(d_model)") == L * D
    assert _one(_cfg(residual_scale=True), "* residual_multiplier") == 2 * L * D * LAYERS
    assert _one(_cfg(logit_scale=True), "* logit_scale") == L * V
    # soft-capping c·tanh(x / c): ÷ and × (2) plus tanh (1), per logit and per score per head
    assert _one(_cfg(logit_softcap=True), "ProjectToVocab") == 2 * L * D * V
    assert sum(_leaves(_cfg(logit_softcap=True), "tanh").values()) == L * V
    assert sum(_leaves(_cfg(attn_softcap=True), "/ c, * c").values()) == 2 * L * L * HEADS * LAYERS
    assert parameters(_cfg(lm_head_bias=True)).total == parameters(SEED).total + V
    # OPT's offset: the table has l_max + 2 rows, the count no more additions
    assert parameters(_cfg(position_offset=2)).total == parameters(SEED).total + 2 * D


def test_partial_rotary_rotates_d_rot_channels():
    # rotating q: 3 FLOPs per rotated channel per head and token: 3·l·8·16·6
    cfg = _cfg(position="rope", rotary_dim=16)
    assert _one(cfg, "RotaryEmbedding", "rotate q") == 3 * L * HEADS * 16 * LAYERS == 1_179_648


@pytest.mark.parametrize("sets, message", [
    ({"rotary_dim": 16}, "rotary_dim: only applies to position rope"),
    ({"position": "rope", "rotary_dim": 65}, "rotary_dim: 65 is more than d_head=64"),
    ({"position": "rope", "position_offset": 2}, "position_offset: only applies to position learned"),
    ({"norm_position": "sandwich", "block": "parallel"}, "norm_position: sandwich norms are modelled"),
    ({"lm_head": False, "lm_head_bias": True}, "lm_head_bias: there is no LM head"),
])
def test_variants_outside_their_layer_are_refused(sets, message):
    with pytest.raises(ConfigError, match=message):
        _cfg(**sets)
