"""MixtureOfExperts: router, softmax, k experts per token, weighted sum; all vs active parameters."""
from flopdocs.counting.analysis import analyse
from flopdocs.config.arch import Arch
from flopdocs.config.config import parse
from flopdocs.conventions import applied
from flopdocs.structure.layers.moe import mixture_of_experts
from flopdocs.structure.params import parameter_tree
from flopdocs.config.symbols import d_ff, d_model, experts_per_token, l, n_experts
from flopdocs.structure.tree import evaluate, to_dict

SWIGLU = Arch(ffn="swiglu", ffn_bias=False, moe=True)
DIMS = {l: 2, d_model: 4, d_ff: 3, n_experts: 4, experts_per_token: 2}


def test_counts_by_hand():
    t = evaluate(applied(mixture_of_experts(l, d_model, d_ff, n_experts, experts_per_token, arch=SWIGLU)), DIMS)
    got = to_dict(t)
    assert got["router"] == 64                                         # 2 * l2 * d4 * E4
    assert got["Softmax"] == {"x - max(x)": 8, "e^x": 8, "sum": 8}      # l2 * E4 each
    # one expert: gate 2*2*4*3 = 48, up 48, gate*up 2*3 = 6, down 48 -> 150; k = 2 of them
    assert got["Experts"] == {"X * W_gate": 96, "X * W_up": 96, "gate * up": 12, "* W_down": 96}
    assert t["Experts"].times == 2
    assert got["weighted sum"] == 24                                   # l2 * d4 * (2k - 1 = 3)
    assert t.total == 64 + 24 + 300 + 24 == 412


def test_params_total_and_active():
    moe = mixture_of_experts(l, d_model, d_ff, n_experts, experts_per_token, arch=SWIGLU)
    total = evaluate(parameter_tree(moe), DIMS)
    active = evaluate(parameter_tree(moe, active=True), DIMS)
    assert to_dict(total) == {"W_router": 16, "Experts": {"W_gate": 48, "W_up": 48, "W_down": 48}}
    # router 4*4 = 16; one expert 3 * 4*3 = 36
    assert total.total == 16 + 4 * 36 == 160
    assert active.total == 16 + 2 * 36 == 88


def test_mixtral_active_params():
    cfg = parse(dict(name="m", l=4096, d_model=4096, d_ff=14336, n_vocab=32000, n_layers=32,
                     n_heads=32, n_kv_heads=8, ffn="swiglu", norm="rmsnorm", position="rope",
                     ffn_bias=False, n_experts=8, experts_per_token=2), "<t>")
    p = analyse(cfg, "seed").params
    assert p.total == 46_702_792_704
    # 6 idle experts of 3 * 4096 * 14336 = 176,160,768 each, in 32 layers: 33,822,867,456
    assert p.active == 46_702_792_704 - 32 * 6 * 176_160_768 == 12_879_925_248


def test_d_ff_expert_and_dense_equivalence():
    base = dict(name="t", l=8, d_model=16, d_ff=64, n_vocab=10, n_layers=2, n_heads=4)
    dense = analyse(parse(base, "<t>"), "seed")
    # one expert, chosen always, as wide as the dense FFN: the dense FFN plus router,
    # softmax (1 logit) and a weighted sum of one output (l*d multiplies)
    one = analyse(parse({**base, "n_experts": 1, "experts_per_token": 1}, "<t>"), "seed")
    router = 2 * 8 * 16 * 1
    softmax = 3 * 8 * 1
    mix = 8 * 16 * 1
    assert one.total == dense.total + 2 * (router + softmax + mix)
    assert one.params.total == dense.params.total + 2 * 16  # a 16 x 1 router per layer
    narrow = analyse(parse({**base, "n_experts": 4, "experts_per_token": 2, "d_ff_expert": 32}, "<t>"), "seed")
    e = narrow.tree["Blocks", "MixtureOfExperts", "Experts"]
    # two experts of width 32 per token: 2 * (2*8*16*32 * 2) plus the seed's biases once each
    assert e["* W1"].value == 2 * 2 * (2 * 8 * 16 * 32)
