"""The ``corrected`` convention: the seed's rules, with its counting slips fixed.

Same tree, same names, same 2 FLOPs per multiply-add; it counts every leaf as the
structure does, so three counts differ from the seed (each documented on its layer's
page):

- LayerNorm: the seed counts the per-row steps (divide by m, μ², the subtraction,
  the square root) n = d_model times, and X − μ only n times; there is one mean and
  one variance per position, so these are counted m = l times and X − μ m·n times.
- PositionWiseFFN: the seed adds each bias once per layer; it is added to every
  position, l·d_ff and l·d_out FLOPs.
- Softmax: the seed omits the division of each exponential by its row's sum; it is
  counted ('/ sum', one FLOP per score).
"""
from __future__ import annotations

from .rules import builder

NAME = "corrected"
SUMMARY = (
    "The seed's convention with its slips fixed: LayerNorm's per-position steps are "
    "counted once per position (l), not once per feature (d_model), and X − μ once per "
    "element; the FFN biases are added at every position (l·d_ff and l·d_model); the "
    "softmax's division by the row sum is counted. Everything else is counted as the seed does."
)

#: No rule: every leaf as the structure counts it.
RULES: dict = {}

build = builder(RULES)
