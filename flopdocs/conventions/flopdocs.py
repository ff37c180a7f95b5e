"""The ``flopdocs`` convention (formerly ``corrected``): every leaf counted as the structure
counts it, which is the seed's accounting with its three slips fixed.

Same tree, same names, same 2 FLOPs per multiply-add; three counts differ from the seed
(each on the errata page and its layer's page):

- LayerNorm: the seed counts the per-row steps (divide by m, μ², the subtraction,
  the square root) n = d_model times, and X − μ only n times; there is one mean and
  one variance per position, so these are counted m = l times and X − μ m·n times.
- PositionWiseFFN: the seed adds each bias once per layer; it is added to every
  position, l·d_ff and l·d_out FLOPs.
- Softmax: the seed omits the division of each exponential by its row's sum; it is
  counted ('/ sum', one FLOP per score).
"""
from __future__ import annotations

from flopdocs.conventions.rules import builder

NAME = "flopdocs"
TITLE = "flopdocs"
CITATION = "this site: every operation of the tree, derived on its layer's page"
MODES = ("forward", "training", "training-recompute", "prefill", "decode", "generate")
SUMMARY = (
    "Every operation of the tree, counted as it is computed: 2 FLOPs per multiply-add, one "
    "per elementwise step, one add per element reduced; LayerNorm's per-position steps once "
    "per position, the FFN biases at every position, the softmax's division counted "
    "(the seed's three slips fixed). The backward pass and the other modes are counted leaf "
    "by leaf (the Modes page)."
)

#: No rule: every leaf as the structure counts it.
RULES: dict = {}

build = builder(RULES)
