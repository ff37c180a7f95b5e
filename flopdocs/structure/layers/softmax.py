"""Softmax over the last axis of an ``m × n`` matrix (seed In [7])."""
from flopdocs.structure.ops import elementwise, reduction
from flopdocs.config.symbols import l
from flopdocs.structure.layers import layer


@layer(
    "Softmax",
    example=lambda: (l, l),
    summary="Row-wise softmax of the attention scores, stabilised by subtracting the row maximum.",
    computation=(
        r"x - \max(x): (m \times n)",
        r"e^{x}: (m \times n)",
        r"\textstyle\sum_j e^{x_j}: (m \times n) \to (m \times 1)",
    ),
    notes=(
        "The seed counts the subtraction, the exponential and the sum, one FLOP per "
        "element each; the row maximum and the final division by the sum are not counted.",
        "The corrected convention also counts the division of every exponential by its "
        "row's sum ('/ sum', m·n): 4·m·n in all. The row maximum (comparisons) is not "
        "counted in either.",
    ),
)
def softmax(m, n, *, role="attention-softmax"):
    """``role``: attention-softmax over scores, or router over a mixture's expert logits."""
    return [
        elementwise("x - max(x)", m, n, role=role),
        elementwise("e^x", m, n, role=role, kind="transcendental"),
        reduction("sum", m, n, role=role),
        elementwise("/ sum", m, n, role=role, note="Normalise: divide every exponential by its row's sum.",
                    saves=m * n),  # eager softmax keeps its output
    ]
