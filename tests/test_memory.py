"""Memory from the tree: the rules of counting/memory.py, each pinned with its arithmetic."""
import pytest
from hypothesis import given, settings, strategies as st

from flopdocs.config.config import parse
from flopdocs.counting import memory, parallel
from flopdocs.errors import ConfigError
from flopdocs.structure.build import structure
from flopdocs.structure.params import parameters

GPT = dict(name="gpt-like", l=64, d_model=32, d_ff=128, n_vocab=50, n_layers=3, n_heads=4,
           ffn="gelu", attn_bias=True, max_positions=64)
LLAMA = dict(name="llama-like", l=16, d_model=32, d_ff=88, n_vocab=50, n_layers=2, n_heads=4,
             n_kv_heads=2, ffn="swiglu", norm="rmsnorm", position="rope", ffn_bias=False)


def _block_saved(cfg) -> int:
    """Elements one block keeps for one sequence, from the tree."""
    blocks = structure(cfg.arch)["Blocks"]
    return memory.evaluate(memory.io_sum(blocks).saved, cfg.dims) // cfg["n_layers"]


@pytest.mark.parametrize("s,h,a", [(64, 32, 4), (2048, 4096, 32), (7, 12, 3)])
def test_korthikanti_reconciled_with_the_tree(s, h, a):
    """Korthikanti et al. 2022, eq. 1: 34sbh + 5as²b bytes a layer in 16-bit training.
    The tree's eager block at 2 bytes (b = 1, d_ff = 4h, gelu) keeps 32sbh + 2as²b + 8sb:
    Korthikanti adds dropout: two masks of sbh bytes (attention output, MLP output), the
    attention-probability mask (as²b) and the dropped-out probabilities (2as²b), and leaves
    out the norms' mean and 1/σ (2 · 2 · sb elements, 8sb bytes)."""
    cfg = parse(dict(GPT, l=s, d_model=h, d_ff=4 * h, n_heads=a, max_positions=s), "<gpt>")
    tree = 2 * _block_saved(cfg)
    assert tree == 32 * s * h + 2 * a * s * s + 8 * s
    assert tree + 2 * s * h + 3 * a * s * s - 8 * s == parallel.korthikanti_layer(s, 1, h, a)
    # selective recompute drops the probabilities: 34sbh (their section 4.2)
    sel = memory.symbolic_saved(cfg.arch, "eager", "selective")[0]
    full_eager = memory.symbolic_saved(cfg.arch, "eager", "none")[0]
    dropped = memory.evaluate(full_eager - sel, cfg.dims)
    assert dropped == a * s * s * cfg["n_layers"]
    assert 2 * (_block_saved(cfg) - a * s * s) + 2 * s * h - 8 * s == parallel.korthikanti_layer(s, 1, h, a, "selective")
    assert parallel.korthikanti_layer(s, 1, h, a, "full") == 2 * s * h


def test_optimizer_rules():
    cfg = parse(LLAMA, "<llama>")
    p = parameters(cfg).total
    bf16 = memory.Settings(dtype="bf16")
    # AdamW in mixed precision: fp32 master + two fp32 moments = 12 bytes (ZeRO's K = 12)
    assert memory.optimizer_bytes(cfg, bf16) == 12 * p
    assert memory.optimizer_bytes(cfg, memory.Settings(dtype="fp32")) == 8 * p  # no master copy
    assert memory.optimizer_bytes(cfg, memory.Settings(optimizer="sgd")) == 8 * p
    # Adafactor: r + c per matrix, n per vector. Per block: W_Q 32x32, W_K, W_V 32x16,
    # W_O 32x32, W_gate, W_up 32x88, W_down 88x32, two gammas of 32; plus X_word 50x32,
    # the final gamma 32, W_LM 32x50
    block = (64 + 48 + 48 + 64) + 3 * 120 + 2 * 32
    factored = 2 * block + 82 + 32 + 82
    assert memory.optimizer_bytes(cfg, memory.Settings(optimizer="adafactor")) == 4 * p + 4 * factored


def test_weights_by_dtype():
    cfg = parse(LLAMA, "<llama>")
    p = parameters(cfg).total
    assert memory.weight_bytes(cfg, "fp32") == 4 * p
    assert memory.weight_bytes(cfg, "bf16") == memory.weight_bytes(cfg, "fp16") == 2 * p
    assert memory.weight_bytes(cfg, "fp8") == memory.weight_bytes(cfg, "int8") == p
    # int4: half a byte plus one fp16 scale (2 bytes) per 128 weights: 33/64 byte, rounded up
    assert memory.weight_bytes(cfg, "int4") == -(-33 * p // 64)


def test_kv_cache_gqa_and_window():
    cfg = parse(dict(LLAMA, N=3), "<llama>")
    # 2 (K, V) x 2 layers x 2 kv heads x 8 (d_head) x 100 positions x 3 sequences x 2 bytes
    assert memory.kv_cache_bytes(cfg, 100, "bf16") == 2 * 2 * 2 * 8 * 100 * 3 * 2
    assert memory.kv_cache_bytes(cfg, 100, "int4") == -(-(2 * 2 * 2 * 8 * 100 * 3) * 33 // 64)
    windowed = parse(dict(LLAMA, window=10), "<w>")
    assert memory.kv_cache_bytes(windowed, 100, "bf16") == memory.kv_cache_bytes(windowed, 10, "bf16")


def test_fused_attention_keeps_a_log_sum_exp_not_the_probabilities():
    cfg = parse(GPT, "<gpt>")
    eager = memory.activation_bytes(cfg, memory.Settings(dtype="bf16"))
    fused = memory.activation_bytes(cfg, memory.Settings(dtype="bf16", attention="fused"))
    l, h, n = 64, 4, 3
    assert eager - fused == n * (2 * h * l * l - 4 * h * l)


def test_full_recompute_keeps_each_block_input():
    cfg = parse(GPT, "<gpt>")
    full = memory.activation_bytes(cfg, memory.Settings(dtype="bf16", recompute="full"))
    outside = memory.activation_bytes(cfg, memory.Settings(dtype="bf16")) \
        - 2 * 3 * _block_saved(cfg)
    assert full == outside + 2 * 3 * 64 * 32


def test_per_device_zero_stages():
    m = memory.Memory(weights=200, gradients=200, optimizer=1200, activations=90, kv_cache=None)
    assert parallel.per_device(m, parallel.Parallel(data=8, zero=1)).as_dict() == dict(
        weights=200, gradients=200, optimizer=150, activations=90, kv_cache=None, total=640)
    assert parallel.per_device(m, parallel.Parallel(data=8, zero=3)).total == 25 + 25 + 150 + 90
    assert parallel.per_device(m, parallel.Parallel(tensor=2, pipeline=2)).total == 50 + 50 + 300 + 45


@pytest.mark.parametrize("settings,flag", [
    (memory.Settings(dtype="fp64"), "--dtype"), (memory.Settings(kv_dtype="int2"), "--kv-dtype"),
    (memory.Settings(optimizer="lion"), "--optimizer"), (memory.Settings(attention="paged"), "--attention"),
    (memory.Settings(recompute="some"), "--recompute")])
def test_bad_settings_one_line(settings, flag):
    with pytest.raises(ConfigError) as e:
        settings.checked()
    assert e.value.origin == flag and "\n" not in str(e.value)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 9), l=st.integers(1, 40))
def test_activations_linear_in_sequences(n, l):
    one = parse(dict(LLAMA, l=l), "<a>")
    many = parse(dict(LLAMA, l=l, N=n), "<b>")
    s = memory.Settings(dtype="fp16")
    assert memory.activation_bytes(many, s) == n * memory.activation_bytes(one, s)


def test_recompute_layers_keeps_what_full_keeps():
    """--recompute layers (checkpointed blocks, the conventions' mode) keeps each block's
    input between forward and backward, as full does."""
    cfg = parse(LLAMA, "<llama>")
    full = memory.activation_bytes(cfg, memory.Settings(recompute="full"))
    assert memory.activation_bytes(cfg, memory.Settings(recompute="layers")) == full
    assert full < memory.activation_bytes(cfg, memory.Settings(recompute="selective")) \
        < memory.activation_bytes(cfg, memory.Settings())


# -- expert parallelism ------------------------------------------------------------------

MOE = dict(LLAMA, name="moe-like", n_experts=8, experts_per_token=2)


def test_expert_states_are_the_experts_parameters():
    cfg = parse(MOE, "<moe>")
    # 2 layers · 8 experts · 3 matrices of 32 × 88 (gate, up, down) = 135,168 parameters
    experts = 2 * 8 * 3 * 32 * 88
    e = parallel.expert_states(cfg, memory.Settings())
    assert (e.weights, e.gradients, e.optimizer) == (2 * experts, 2 * experts, 12 * experts)
    assert parameters(cfg).total - experts == parameters(parse(dict(LLAMA, d_ff=1), "<x>")).total \
        - 2 * 3 * 32 + 2 * 32 * 8  # the dense rest: no FFN, plus each layer's 32 × 8 router
    assert parallel.expert_states(parse(LLAMA, "<dense>"), memory.Settings()).weights == 0
    # Adafactor's factored moment of the experts: 48 matrices, 32 + 88 numbers each
    ada = parallel.expert_states(cfg, memory.Settings(optimizer="adafactor")).optimizer
    assert ada == 4 * experts + 4 * 48 * (32 + 88)


@pytest.mark.parametrize("zero", [0, 1, 2, 3])
def test_per_device_expert_parallelism(zero):
    cfg = parse(MOE, "<moe>")
    s = memory.Settings()
    m, e = memory.footprint(cfg, "training", s), parallel.expert_states(cfg, s)
    par = parallel.Parallel(data=8, tensor=2, zero=zero, expert=4)
    got = parallel.per_device(m, par, e)
    # the experts split t·e = 8 ways and ZeRO over d / e = 2; the rest t = 2 ways and ZeRO over 8
    for term, stage in (("weights", 3), ("gradients", 2), ("optimizer", 1)):
        rest, own = getattr(m, term) - getattr(e, term), getattr(e, term)
        expect = -(-rest // (2 * (8 if zero >= stage else 1))) + -(-own // (8 * (2 if zero >= stage else 1)))
        assert getattr(got, term) == expect, term
    assert got.activations == -(-m.activations // 2)
    # e = 1 (or no expert states) is the split without expert parallelism
    plain = parallel.Parallel(data=8, tensor=2, zero=zero)
    assert parallel.per_device(m, plain, e) == parallel.per_device(m, plain)
    # ZeRO-3 with e = d: every state is split d·t ways either way (up to the rounding)
    full = parallel.per_device(m, parallel.Parallel(data=4, zero=3, expert=4), e)
    assert abs(full.total - parallel.per_device(m, parallel.Parallel(data=4, zero=3)).total) <= 3


@pytest.mark.parametrize("par, message", [
    (parallel.Parallel(data=8, expert=3), "3 must divide the data-parallel degree (8) and n_experts (8)"),
    (parallel.Parallel(data=16, expert=16), "16 must divide the data-parallel degree (16) and n_experts (8)"),
    (parallel.Parallel(expert=0), "--ep: must be a whole number at least 1, got 0"),
    (parallel.Parallel(zero=4), "--zero: must be 0, 1, 2 or 3, got 4"),
])
def test_bad_parallel_one_line(par, message):
    with pytest.raises(ConfigError) as e:
        parallel.check(parse(MOE, "<moe>"), par)
    assert message in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="expert parallelism needs experts"):
        parallel.check(parse(LLAMA, "<dense>"), parallel.Parallel(data=2, expert=2))
