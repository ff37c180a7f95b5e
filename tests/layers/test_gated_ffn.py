"""GatedFFN (SwiGLU/GeGLU): three matrices and the elementwise gate."""
from flopdocs.structure.layers.gated_ffn import gated_ffn
from flopdocs.structure.params import parameter_tree
from flopdocs.config.symbols import d_ff, d_model, l
from flopdocs.structure.tree import evaluate, to_dict

DIMS = {l: 3, d_model: 4, d_ff: 5}


def test_counts_by_hand():
    t = evaluate(gated_ffn(l, d_model, d_ff, d_model), DIMS)
    assert to_dict(t) == {
        "X * W_gate": 120,  # 2 * l3 * d4 * f5
        "X * W_up": 120,
        "gate * up": 15,    # l3 * f5
        "* W_down": 120,    # 2 * 3 * 5 * 4
    }
    assert t.total == 375


def test_biases_once_per_token():
    t = evaluate(gated_ffn(l, d_model, d_ff, d_model, bias=True), DIMS)
    got = to_dict(t)
    assert got["+ b_gate"] == got["+ b_up"] == 15  # l3 * f5 (per token, not once)
    assert got["+ b_down"] == 12                    # l3 * d4
    assert t.total == 375 + 15 + 15 + 12 == 417
    assert list(got) == ["X * W_gate", "+ b_gate", "X * W_up", "+ b_up", "gate * up",
                         "* W_down", "+ b_down"]


def test_params_by_hand():
    assert evaluate(parameter_tree(gated_ffn(l, d_model, d_ff, d_model)), DIMS).total == 60  # 3 * 4*5
    # + b_gate 5 + b_up 5 + b_down 4
    biased = evaluate(parameter_tree(gated_ffn(l, d_model, d_ff, d_model, bias=True)), DIMS)
    assert to_dict(biased) == {"W_gate": 20, "b_gate": 5, "W_up": 20, "b_up": 5, "W_down": 20, "b_down": 4}
    assert biased.total == 74


def test_llama_7b_ffn_per_layer():
    # LLaMA 7B: 3 * 4096 * 11008 = 135,266,304 parameters per layer
    p = evaluate(parameter_tree(gated_ffn(l, d_model, d_ff, d_model)), {d_model: 4096, d_ff: 11008})
    assert p.total == 135_266_304
