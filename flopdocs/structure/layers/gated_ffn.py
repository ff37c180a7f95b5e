"""Gated feed-forward network (Shazeer 2020, "GLU Variants Improve Transformer", eq. 6).

SwiGLU: (swish(X W_gate) ⊙ X W_up) W_down; GeGLU the same with gelu.
"""
from flopdocs.structure.ops import elementwise, matmul, weight
from flopdocs.config.symbols import d_ff, d_model, l
from flopdocs.structure.layers import layer

BIAS_NOTE = "Added once per token: one add per element."


@layer(
    "GatedFFN",
    example=lambda: (l, d_model, d_ff, d_model),
    summary="Three linear maps: a gate and an up projection multiplied elementwise, then a down projection.",
    computation=(
        r"G = \mathrm{act}(X W_{gate}): (l \times d_{in})(d_{in} \times d_{ff})",
        r"U = X W_{up}: (l \times d_{in})(d_{in} \times d_{ff})",
        r"H = G \odot U: (l \times d_{ff})",
        r"Y = H W_{down}: (l \times d_{ff})(d_{ff} \times d_{out})",
    ),
    notes=(
        "Config key ffn: swiglu (act = swish/SiLU; LLaMA, Mistral, PaLM) or geglu "
        "(act = gelu; Gemma, T5 v1.1). Three d_in × d_ff matrices instead of two, and one "
        "elementwise product 'gate * up' (l · d_ff FLOPs). Models keep the cost of a "
        "4·d_model FFN by shrinking d_ff to about 8/3 · d_model (LLaMA: 11008 for 4096).",
        "As in the seed's PositionWiseFFN the activation itself is not counted.",
        "Config key ffn_bias: gated FFNs are usually bias-free (set ffn_bias: false); with "
        "biases, '+ b_gate', '+ b_up' and '+ b_down' are counted once per token "
        "(l · width), not once per layer as the seed counts PositionWiseFFN's biases.",
        "Parameters: W_gate, W_up (d_in × d_ff each), W_down (d_ff × d_out), and the biases "
        "when present.",
    ),
)
def gated_ffn(l, d_in, d_ff, d_out, *, bias=False):
    def project(name, rows, d_from, d_to, w, keeps=None):
        steps = [matmul(name, rows, d_from, d_to, role="ffn", weights=weight(f"W_{w}", d_from, d_to),
                        saves=keeps)]
        if bias:
            steps.append(elementwise(f"+ b_{w}", rows, d_to, role="ffn", note=BIAS_NOTE,
                                     weights=weight(f"b_{w}", d_to)))
        return steps

    return [
        *project("X * W_gate", l, d_in, d_ff, "gate"),
        *project("X * W_up", l, d_in, d_ff, "up", 0),  # the same input as the gate, kept there
        # keeps the activation's input and output and the up projection (3·l·d_ff)
        elementwise("gate * up", l, d_ff, role="ffn", inputs=2, saves=3 * l * d_ff,
                    note="The gate multiplies the up projection, element by element."),
        *project("* W_down", l, d_ff, d_out, "down"),
    ]
