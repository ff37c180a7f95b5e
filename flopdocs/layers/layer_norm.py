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
        r"X: (m \times n), \text{ one row per position}",
        r"\mu_i = \tfrac{1}{n} \textstyle\sum_j X_{ij}: (m \times 1)",
        r"\sigma^2_i = \tfrac{1}{n} \textstyle\sum_j X_{ij}^2 - \mu_i^2: (m \times 1)",
        r"Y_{ij} = \gamma_j \cdot (X_{ij} - \mu_i) / \sqrt{\sigma^2_i + \epsilon} + \beta_j: (m \times n)",
    ),
    notes=(
        "The seed is called as LayerNorm(m=l, n=d_model) and counts its per-row steps "
        "(the divisions by m, μ², the subtraction, the square root) n = d_model times. "
        "There is one mean and one variance per position, so they should be counted "
        "l times; and X − μ is an l × d_model elementwise op, not n. The seed's "
        "convention keeps its counts as printed; the corrected convention counts "
        "them per row: 7·m·n + 6·m in all (seed: 6·m·n + 7·n).",
        "Each row is normalised over its n = d_model entries, so the means divide by n. "
        "The seed names that step '/ m' (kept as the operation's name, as the seed's "
        "contract); the count does not depend on the divisor.",
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
