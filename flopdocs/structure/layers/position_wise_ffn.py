"""Position-wise feed-forward network: relu(X W1 + b1) W2 + b2 (seed In [11])."""
from flopdocs.structure.ops import elementwise, matmul, weight
from flopdocs.config.symbols import d_ff, d_model, l
from flopdocs.structure.layers import layer


@layer(
    "PositionWiseFFN",
    example=lambda: (l, d_model, d_ff, d_model),
    summary="Two linear maps with a ReLU between them, applied to every position.",
    computation=(
        r"H = X W_1 + b_1: (l \times d_{in})(d_{in} \times d_{ff}) + (1 \times d_{ff})",
        r"Y = \mathrm{relu}(H) W_2 + b_2: (l \times d_{ff})(d_{ff} \times d_{out}) + (1 \times d_{out})",
    ),
    notes=(
        "The seed counts each bias once (d_ff and d_out FLOPs), not once per position "
        "(l·d_ff and l·d_out); the ReLU is not counted. The corrected convention counts "
        "them per position.",
        "Config key ffn: relu (default) or gelu (GPT-2, BERT, GPT-3) builds this layer; "
        "the activation is not counted either way, so gelu costs what relu does. swiglu "
        "and geglu build a GatedFFN instead.",
        "Config key ffn_bias (default true): with false, '+ b1' and '+ b2' are absent "
        "(and so are their parameters).",
        "Parameters: W1 (d_in × d_ff), b1 (d_ff), W2 (d_ff × d_out), b2 (d_out).",
    ),
)
def position_wise_ffn(l, d_in, d_ff, d_out, *, bias=True, activation="relu"):
    """``activation`` decides only what is kept for backward: relu keeps its output (the
    input of W2, kept once), gelu its input too."""
    """Each bias is added to every position's row."""
    def add_bias(name, width):
        return elementwise(name, l, width, role="ffn", note="Add the bias to every position's row.",
                           weights=weight(name[2:], width))

    steps = [matmul("* W1", l, d_in, d_ff, role="ffn", weights=weight("W1", d_in, d_ff))]
    if bias:
        steps.append(add_bias("+ b1", d_ff))
    # keeps its input, and gelu its own input too: (1 or 2)·l·d_ff
    kept = l * d_ff if activation == "relu" else 2 * l * d_ff
    steps.append(matmul("* W2", l, d_ff, d_out, role="ffn", weights=weight("W2", d_ff, d_out),
                        saves=kept))
    if bias:
        steps.append(add_bias("+ b2", d_out))
    return steps
