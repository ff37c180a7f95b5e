"""Heterogeneous stacks (issue 21): groups of identical blocks from window_layers,
dense_layers and nope_layers; each group's count is a whole block's count times its size."""
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from flopdocs.config import symbols as S
from flopdocs.config.arch import layout
from flopdocs.config.config import parse
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.counting.rows import Counting, reference_row
from flopdocs.cli.table import sweeps
from flopdocs.errors import ConfigError
from flopdocs.structure.build import structure
from flopdocs.structure.params import parameters
from flopdocs.structure.tree import evaluate

BASE = dict(name="t", l=64, d_model=64, d_ff=96, n_vocab=50, n_layers=12, n_heads=4,
            position="rope", norm="rmsnorm", ffn="swiglu", ffn_bias=False)


def cfg(**over):
    return parse({**BASE, **over}, "<t>")


def sizes(c):
    tree = evaluate(structure(c.arch), c.dims)
    return {n.name: n.times for n in tree if n.name.startswith("Blocks")}


def test_groups_and_their_sizes():
    # Gemma 3: 5 local of every 6; the global ones n_layers − n_local
    assert sizes(cfg(window=16, window_layers=10)) == {"Blocks, local": 10, "Blocks, global": 2}
    # DeepSeek-V3: dense first, MoE after
    moe = dict(n_experts=8, experts_per_token=2, d_ff_expert=32)
    assert sizes(cfg(**moe, dense_layers=3)) == {"Blocks, dense": 3, "Blocks, MoE": 9}
    # Llama 4 Maverick: half dense, the dense ones local, every 4th NoPE (and global)
    assert sizes(cfg(**moe, dense_layers=6, window=16, window_layers=9, nope_layers=3)) == {
        "Blocks, dense, local, RoPE": 6, "Blocks, MoE, local, RoPE": 3, "Blocks, MoE, global, NoPE": 3}
    # a count of 0 < k < n splits; all of them is the homogeneous stack, named Blocks
    assert sizes(cfg(window=16, window_layers=12)) == {"Blocks": 12}
    assert cfg(window=16).arch.groups == () and cfg().arch.groups == ()


def test_group_sizes_stay_symbols():
    a = cfg(window=16, window_layers=10).arch
    sizes_ = [n.times for n in structure(a) if n.name.startswith("Blocks")]
    assert sizes_ == [S.n_local, S.n_layers - S.n_local]
    total = structure(a).total
    assert {S.n_local, S.n_layers} <= total.free_symbols
    # collecting by a variable still works (the crossover reads the same expansion)
    assert sympy.expand(sympy.collect(sympy.expand(total), S.l) - total) == 0


def test_layout_puts_ties_on_the_first_split_and_drops_empty_groups():
    groups = layout(8, {"dense_layers": 4, "window_layers": 4})
    assert [(g.start, g.end) for g in groups] == [("0", "dense_layers"), ("dense_layers", "n_layers")]
    assert [g.name for g in groups] == ["Blocks, dense, local", "Blocks, MoE, global"]
    assert layout(8, {"dense_layers": None, "window_layers": 8}) == ()


def _whole(c, mode="forward", options=None):
    a = analyse(c, "flopdocs", mode, options)
    return a.total, a.params.total, a.params.active


def _block(over, mode="forward", options=None):
    """One block's FLOPs and parameters, as the difference of 2- and 1-layer stacks."""
    two = _whole(cfg(**{**over, "n_layers": 2}), mode, options)
    one = _whole(cfg(**{**over, "n_layers": 1}), mode, options)
    return tuple(x - y for x, y in zip(two, one))


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 9), data=st.data(), split=st.sampled_from(["window", "dense", "nope"]),
       mode=st.sampled_from(["forward", "training"]), scores=st.sampled_from(["dense", "exact"]))
def test_a_split_stack_counts_as_its_groups_of_blocks(n, data, split, mode, scores):
    """Whole-stack FLOPs and parameters = the stack of one kind + k blocks of the other kind."""
    k = data.draw(st.integers(1, n - 1))
    options = Options(scores=scores)
    moe = dict(n_experts=4, experts_per_token=2, d_ff_expert=32)
    over, have, lack = {
        "window": ({"window": 16, "window_layers": k}, {"window": 16}, {}),
        "dense": ({**moe, "dense_layers": k}, {}, moe),
        "nope": ({"nope_layers": k}, {"position": "none"}, {}),
    }[split]
    mixed = _whole(cfg(**over, n_layers=n), mode, options)
    rest = _whole(cfg(**lack, n_layers=n - k), mode, options)
    blocks = _block(have, mode, options)
    assert mixed == tuple(r + k * b for r, b in zip(rest, blocks))


def test_decode_scores_per_group_and_generate_sums_the_steps():
    """A decode step: local blocks score min(C + 1, w) keys, global ones C + 1; generate
    is the exact sum of its steps; the KV cache holds min(C + 1, w) in a local block."""
    c = cfg(window=8, window_layers=7, n_kv_heads=2)
    context = 30
    step = analyse(c, "flopdocs", "decode", Options(context=context)).total
    local = analyse(cfg(window=8, n_kv_heads=2), "flopdocs", "decode", Options(context=context)).total
    full = analyse(cfg(n_kv_heads=2), "flopdocs", "decode", Options(context=context)).total
    # one block of each: their difference per block is (full − local) / n_layers
    assert (full - local) % 12 == 0
    assert step == local + 5 * (full - local) // 12
    steps = [analyse(c, "flopdocs", "decode", Options(context=10 + i)).total for i in range(25)]
    prefill = analyse(c, "flopdocs", "prefill", Options(prompt=10)).total
    assert analyse(c, "flopdocs", "generate", Options(prompt=10, generate=25)).total == prefill + sum(steps)
    kv = analyse(c, "flopdocs", "decode", Options(context=context)).kv_cache_bytes
    assert kv == 2 * 2 * 16 * (7 * 8 + 5 * 31) * 2  # 2·n_kv·d_head·(7·w + 5·(C + 1))·bytes


@pytest.mark.parametrize("mode,options", [
    ("forward", Options()), ("training", Options(scores="exact")), ("decode", Options(context=20)),
    ("generate", Options(prompt=9, generate=30)), ("prefill", Options(prompt=5)),
])
def test_table_rows_equal_the_reference(mode, options):
    from flopdocs.counting.grid import parse_grid
    base = cfg(window=8, window_layers=5, n_experts=4, experts_per_token=2, dense_layers=2)
    axes = [parse_grid("window_layers=3,12"), parse_grid("l=16,64")]
    counting = Counting("flopdocs", mode, options)
    (sweep,) = sweeps([base], axes, {}, counting)
    for (wl, l), row in zip([(3, 16), (3, 64), (12, 16), (12, 64)], sweep.rows()):
        assert row == reference_row(cfg(window=8, window_layers=wl, l=l, n_experts=4,
                                        experts_per_token=2, dense_layers=2), counting)


@pytest.mark.parametrize("over,message", [
    ({"window_layers": 3}, "window_layers: needs window"),
    ({"window": 8, "window_layers": 13}, "window_layers: 13 is more than n_layers=12"),
    ({"dense_layers": 3}, "dense_layers: needs n_experts"),
    ({"n_experts": 4, "experts_per_token": 1, "dense_layers": 12},
     "dense_layers: 12 must be fewer than n_layers=12 (with every FFN dense, give no n_experts)"),
    ({"position": "learned", "nope_layers": 2}, "nope_layers: needs position: rope"),
    ({"nope_layers": 12}, "must be fewer than n_layers=12 (with no rotary embedding, use position: none)"),
    ({"architecture": "encoder-decoder", "nope_layers": 2}, "not modelled for architecture encoder-decoder"),
])
def test_bad_counts_are_one_line(over, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        cfg(**over)
    assert "\n" not in str(e.value)


def test_parameters_of_a_split_stack():
    moe = dict(n_experts=4, experts_per_token=2, d_ff_expert=32)
    c = cfg(**moe, dense_layers=3)
    p = parameters(c)
    # a dense block's FFN: 3·d·d_ff; an MoE block's: router d·E + E experts of 3·d·d_e
    dense_ffn, moe_ffn = 3 * 64 * 96, 64 * 4 + 4 * 3 * 64 * 32
    homogeneous = parameters(cfg(**moe))
    assert p.total - homogeneous.total == 3 * (dense_ffn - moe_ffn)
    assert p.active - homogeneous.active == 3 * (dense_ffn - (64 * 4 + 2 * 3 * 64 * 32))
