"""Invariants over random architecture configs (hypothesis)."""
import sympy
from hypothesis import given, settings, strategies as st

from flopdocs.structure import params
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import parse
from flopdocs.conventions import seed
from flopdocs.config.keys import DIMENSIONS, KNOBS
from flopdocs.structure.tree import walk

KNOWN_SYMBOLS = set(DIMENSIONS.values()) | set(KNOBS.values())


@st.composite
def configs(draw):
    n_heads = draw(st.sampled_from([1, 2, 4, 8]))
    d_head = draw(st.integers(1, 16))
    data = dict(name="random", l=draw(st.integers(1, 64)), d_model=n_heads * d_head,
                d_ff=draw(st.integers(1, 128)), n_vocab=draw(st.integers(1, 1000)),
                n_layers=draw(st.integers(1, 4)), n_heads=n_heads)
    arch = draw(st.sampled_from(["decoder", "encoder", "encoder-decoder"]))
    data["architecture"] = arch
    data["n_kv_heads"] = draw(st.sampled_from([k for k in (1, 2, 4, 8) if n_heads % k == 0]))
    if draw(st.booleans()):
        data["d_head"] = draw(st.integers(1, 16))
    data["ffn"] = draw(st.sampled_from(["relu", "gelu", "swiglu", "geglu"]))
    data["norm"] = draw(st.sampled_from(["layernorm", "rmsnorm"]))
    data["position"] = draw(st.sampled_from(["learned", "sinusoidal", "rope", "alibi", "relative", "t5-relative", "none"]))
    if data["position"] == "t5-relative" and draw(st.booleans()):
        data["relative_buckets"] = draw(st.integers(4, 64))
    for key in ("attn_bias", "attn_out_bias", "ffn_bias"):
        data[key] = draw(st.booleans())
    data["lm_head"] = draw(st.booleans())
    if data["lm_head"]:
        data["tie_embeddings"] = draw(st.booleans())
    if draw(st.booleans()):
        data["n_experts"] = draw(st.integers(1, 8))
        data["experts_per_token"] = draw(st.integers(1, data["n_experts"]))
        if draw(st.booleans()):
            data["d_ff_expert"] = draw(st.integers(1, 64))
    if arch == "encoder-decoder":
        for key in ("l_src", "l_tgt"):
            data[key] = draw(st.integers(1, 64))
        for key in ("n_encoder_layers", "n_decoder_layers"):
            data[key] = draw(st.integers(1, 3))
    elif draw(st.booleans()):
        data["window"] = draw(st.integers(1, 80))
    return parse(data, "<random>")


@settings(max_examples=150, deadline=None)
@given(configs())
def test_random_configs_evaluate_to_ints_that_match_the_symbolic_total(cfg):
    a = analyse(cfg, "seed")
    assert all(type(n.value) is int and n.value >= 0 for _, n in walk(a.tree) if n.is_leaf)
    assert a.total > 0
    # the symbolic tree evaluates to the same total as its symbolic sum
    reps = {k: sympy.Integer(v) for k, v in cfg.dims.items()}
    assert sympy.expand(a.symbolic.total).xreplace(reps) == a.total
    # ... and stays symbolic: only the model's dimensions appear in it
    assert a.symbolic.total.free_symbols <= KNOWN_SYMBOLS


@settings(max_examples=150, deadline=None)
@given(configs())
def test_random_configs_params(cfg):
    p = analyse(cfg, "seed").params
    assert all(type(n.value) is int and n.value >= 0 for _, n in walk(p.tree) if n.is_leaf)
    assert type(p.total) is int and 0 <= p.non_embedding <= p.total
    assert 0 < p.active <= p.total
    moe = cfg.knob("n_experts") is not None
    assert (p.active < p.total) == (moe and cfg.knob("experts_per_token") < cfg.knob("n_experts"))
    # the parameter tree is the cost tree's nodes around the weights its leaves declare
    cost = seed.build(cfg)
    declared = {w.name for _, n in walk(cost) for w in n.weights}
    assert {n.name for _, n in walk(p.tree) if not n.is_leaf} <= {n.name for _, n in walk(cost)}
    assert {n.name for _, n in walk(p.tree) if n.is_leaf} <= declared


@settings(max_examples=60, deadline=None)
@given(configs(), st.integers(1, 5))
def test_n_sequences_multiplies_flops_not_params(cfg, n):
    more = cfg.with_values({"N": n}, "<t>")
    assert analyse(more, "seed").total == n * analyse(cfg, "seed").total
    assert analyse(more, "seed").params.total == analyse(cfg, "seed").params.total
