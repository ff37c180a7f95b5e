"""The ``seed`` convention: the origin notebook's counts, reproduced exactly.

Its keys, nesting and arithmetic are a contract (see the notebook's In [3]-[18]):
2 FLOPs per multiply-add; the embedding addition, scaling, mask, three softmax steps,
LayerNorm as the seed writes it, residuals and the LM head are counted; biases of
the FFN once per layer, not per token; no backward pass.

The seed's three slips are its rules below, on the leaves they concern; every other
leaf is counted as the structure counts it (the architecture keys' layers, which the
seed does not have, included: e.g. RMSNorm row by row, new biases once per token).
"""
from __future__ import annotations

from flopdocs.conventions.rules import Drop, Recount, builder

NAME = "seed"
TITLE = "The seed notebook"
CITATION = "the flopdocs seed notebook (In [3]-[18]), reproduced exactly"
MODES = ("forward", "training", "training-recompute", "prefill", "decode", "generate")
SUMMARY = (
    "The seed notebook's convention: a matrix product (m×k)(k×n) costs 2·m·k·n FLOPs "
    "(one multiply and one add per multiply-add); elementwise additions, the attention "
    "scaling and mask, the softmax's subtraction, exponential and sum, LayerNorm's "
    "elementwise steps and the two residual additions per block are counted once per "
    "element; LayerNorm's per-row steps (the divisions, μ², the subtraction, X − μ, the "
    "square root) d_model times, as the seed does; the FFN biases once per layer; lookups, "
    "activations, the softmax's final division and the backward pass are not counted."
)

_VECTOR = "once per entry of the vector"

#: (layer, leaf) -> how the seed counts it.  Shapes are the operand's: LayerNorm's
#: (m rows, n features), a bias's (l positions, width).
RULES = {
    # 1. LayerNorm: the per-row steps n = d_model times, X − μ only n times.
    ("LayerNorm", "mean(x)"): Recount(lambda m, n: m * n + n,
                                      "Element-wise add (m·n), then a divide over the resulting vector (n)."),
    ("LayerNorm", "/ m"): Recount(lambda m, n: n, f"Divide the sums: {_VECTOR}."),
    ("LayerNorm", "mean_x**2"): Recount(lambda m, n: n, f"Square the mean: {_VECTOR}."),
    ("LayerNorm", "m - mean_x**2"): Recount(lambda m, n: n, f"Subtract the squared mean: {_VECTOR}."),
    ("LayerNorm", "numerator"): Recount(lambda m, n: n, f"x − mean_x, counted {_VECTOR} (n)."),
    ("LayerNorm", "denominator"): Recount(lambda m, n: 2 * n,
                                          "sqrt(var_x + eps): an add, then a square root (2·n)."),
    # 2. PositionWiseFFN: each bias added once per layer, not at every position.
    **{("PositionWiseFFN", bias): Recount(lambda rows, width: width,
                                          "The seed adds the bias vector once, one add per entry, "
                                          "not once per position.")
       for bias in ("+ b1", "+ b2")},
    # 3. Softmax: the division by the row sum is not counted.
    ("Softmax", "/ sum"): Drop("The seed omits the division of each exponential by its row's sum."),
}

build = builder(RULES)
