"""Layer normalisation, counted row by row (seed In [13]; the seed's own counts are its
convention's rules, :mod:`flopdocs.conventions.seed`)."""
from flopdocs.structure.ops import count, elementwise, reduction, weight
from flopdocs.config.symbols import d_model, l
from flopdocs.structure.tree import IO, node
from flopdocs.structure.layers import layer


@layer(
    "LayerNorm",
    example=lambda: (l, d_model),
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
        "Config key norm: layernorm-no-bias drops β and its add (the last step is "
        "'gamma*(numerator/denominator)', 2 FLOPs per element; nanoGPT bias=False, Cohere, "
        "ModernBERT); layernorm-no-params drops γ too ('numerator/denominator', 1 FLOP per "
        "element; OLMo's F.layer_norm without weights). The other steps are unchanged.",
    ),
)
def layer_norm(m, n, *, params="gamma-beta", width=None):
    """One mean and one variance per row (m rows of n features).

    ``params``: the learned vectors (``gamma-beta``, ``gamma`` or ``none``); ``width``: their
    size when it is not ``n`` (a per-head norm whose every head has its own γ)."""
    return [
        count("mean(x)", m * n + m, "Sum each row (m·n adds), then one divide per row (m).",
              role="norm", kind="reduction", shape=(m, n),
              io=IO(reads=m * n, writes=m, saved=m * n + m)),  # eager layer_norm keeps X and μ
        node("var_x", [
            elementwise("X**2", m, n, role="norm"),
            reduction("sum", m, n, role="norm"),
            _per_row("/ m", m, n, "Divide the sums: once per row."),
            _per_row("mean_x**2", m, n, "Square the mean: once per row."),
            _per_row("m - mean_x**2", m, n, "Subtract the squared mean: once per row."),
        ]),
        elementwise("numerator", m, n, role="norm", note="x − mean_x: one subtraction per element (m·n)."),
        count("denominator", 2 * m, "sqrt(var_x + eps) per row: an add, then a square root (2·m).",
              role="norm", kind="transcendental", shape=(m, n),
              io=IO(reads=m, writes=m, saved=m)),  # and 1/σ
        _affine(m, n, params, n if width is None else width),
    ]


def _affine(m, n, params, width):
    if params == "gamma":
        return elementwise("gamma*(numerator/denominator)", m, n, per_element=2, role="norm",
                           note="After broadcasting: one divide, one multiply per element (no β).",
                           weights=weight("gamma", width))
    if params == "none":
        return elementwise("numerator/denominator", m, n, role="norm",
                           note="One divide per element (no γ, no β).")
    return elementwise("gamma*(numerator/denominator)+beta", m, n, per_element=3, role="norm",
                       note="After broadcasting: one divide, one multiply, one add per element.",
                       weights=(weight("gamma", width), weight("beta", width)))


def _per_row(name, m, n, note):
    return count(name, m, note, role="norm", kind="elementwise", shape=(m, n), io=IO(reads=m, writes=m))
