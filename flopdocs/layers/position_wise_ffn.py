"""Position-wise feed-forward network: relu(X W1 + b1) W2 + b2 (seed In [11])."""
from ..ops import count, matmul
from ..symbols import d_ff, d_model, l
from . import layer


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
        "(l·d_ff and l·d_out); the ReLU is not counted.",
    ),
)
def position_wise_ffn(l, d_in, d_ff, d_out):
    return [
        matmul("* W1", l, d_in, d_ff),
        count("+ b1", d_ff, "The seed adds the bias vector once: d_ff FLOPs."),
        matmul("* W2", l, d_ff, d_out),
        count("+ b2", d_out, "The seed adds the bias vector once: d_out FLOPs."),
    ]
