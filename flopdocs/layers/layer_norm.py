"""Layer normalisation, exactly as the seed counts it (seed In [13])."""
from ..ops import count, elementwise, parameters, reduction
from ..symbols import d_model, l
from ..tree import node
from . import layer


@layer(
    "LayerNorm",
    example=lambda: (l, d_model),
    params=lambda: layer_norm_params(d_model),
    summary=r"Normalise each position to zero mean and unit variance, then scale by γ and shift by β.",
    computation=(
        r"\mu = \textstyle\sum X / m",
        r"\sigma^2 = \textstyle\sum X^2 / m - \mu^2",
        r"Y = \gamma \cdot (X - \mu) / \sqrt{\sigma^2 + \epsilon} + \beta",
    ),
    notes=(
        "The seed is called as LayerNorm(m=l, n=d_model) and counts its per-row steps "
        "(the divisions by m, μ², the subtraction, the square root) n = d_model times. "
        "There is one mean and one variance per position, so they should be counted "
        "l times; and X − μ is an l × d_model elementwise op, not n. The seed's "
        "convention keeps its counts as printed; the corrected convention counts "
        "them per row: 7·m·n + 6·m in all (seed: 6·m·n + 7·n).",
        "Config key norm: layernorm (default) builds this layer; rmsnorm builds RMSNorm.",
        "Parameters: γ and β, d_model each.",
    ),
)
def layer_norm(m, n, *, corrected=False):
    """The seed's counts; ``corrected`` counts the per-row steps once per row (m)."""
    if corrected:
        return [
            count("mean(x)", m * n + m, "Sum each row (m·n adds), then one divide per row (m)."),
            _var_x(m, n, m, "row"),
            elementwise("numerator", m, n, note="x − mean_x: one subtraction per element (m·n)."),
            count("denominator", 2 * m, "sqrt(var_x + eps) per row: an add, then a square root (2·m)."),
            elementwise("gamma*(numerator/denominator)+beta", m, n, per_element=3,
                        note="After broadcasting: one divide, one multiply, one add per element."),
        ]
    return [
        count("mean(x)", m * n + n, "Element-wise add (m·n), then a divide over the resulting vector (n)."),
        _var_x(m, n, n, "entry of the vector"),
        count("numerator", n, "x − mean_x, counted once per entry of the vector (n)."),
        count("denominator", 2 * n, "sqrt(var_x + eps): an add, then a square root (2·n)."),
        elementwise("gamma*(numerator/denominator)+beta", m, n, per_element=3,
                    note="After broadcasting: one divide, one multiply, one add per element."),
    ]


def _var_x(m, n, per, unit):
    """The variance; its last three steps are counted ``per`` times (once per ``unit``)."""
    return node("var_x", [
        elementwise("X**2", m, n),
        reduction("sum", m, n),
        count("/ m", per, f"Divide the sums: once per {unit}."),
        count("mean_x**2", per, f"Square the mean: once per {unit}."),
        count("m - mean_x**2", per, f"Subtract the squared mean: once per {unit}."),
    ])


def layer_norm_params(n):
    """γ and β, one of each per feature (n = d_model)."""
    return node("LayerNorm", [parameters("gamma", n), parameters("beta", n)], layer="LayerNorm")
