"""The model's dimensions, defined once, with the seed's LaTeX names.

Every symbol is a positive integer: sympy can then simplify ``d_model / n_heads *
n_heads`` to ``d_model`` and the printer keeps the seed's names (``d_{model}``).
"""
from __future__ import annotations

from sympy import Symbol


def _dim(latex: str) -> Symbol:
    return Symbol(latex, integer=True, positive=True)


l = _dim("l")  # tokens per sequence
d_model = _dim(r"d_{model}")  # width of the residual stream
d_ff = _dim(r"d_{ff}")  # hidden width of the position-wise FFN
n_vocab = _dim(r"n_{vocab}")  # vocabulary size
n_layers = _dim(r"n_{layers}")  # number of blocks
n_heads = _dim(r"n_{heads}")  # attention heads
N = _dim("N")  # number of sequences (the seed's multiplier)

# Display-only: the per-head key/value width of a layer's derivation page.
d_k = _dim("d_k")
d_v = _dim("d_v")

#: config key -> symbol, in the order the seed's signatures use.
DIMENSIONS: dict[str, Symbol] = {
    "l": l,
    "d_model": d_model,
    "d_ff": d_ff,
    "n_vocab": n_vocab,
    "n_layers": n_layers,
    "n_heads": n_heads,
}

#: the short names of the seed's In [19], for display: d, f, v, h, n.
SHORT: dict[Symbol, Symbol] = {
    d_model: _dim("d"),
    d_ff: _dim("f"),
    n_vocab: _dim("v"),
    n_heads: _dim("h"),
    n_layers: _dim("n"),
}


def symbol(key: str) -> Symbol:
    """The symbol of a config key (``"d_model"`` -> ``d_{model}``)."""
    if key == "N":
        return N
    return DIMENSIONS[key]


def key_of(sym: Symbol) -> str:
    """The config key of a symbol (inverse of :func:`symbol`)."""
    for key, s in {**DIMENSIONS, "N": N}.items():
        if s == sym:
            return key
    raise KeyError(sym)
