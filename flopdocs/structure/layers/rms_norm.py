"""RMS normalisation (Zhang & Sennrich 2019, eq. 4): scale by the root mean square, no centring."""
from flopdocs.structure.ops import count, elementwise, reduction, weight
from flopdocs.structure.tree import IO
from flopdocs.config.symbols import d_model, l
from flopdocs.structure.layers import layer


@layer(
    "RMSNorm",
    example=lambda: (l, d_model),
    summary="Divide each position by the root mean square of its entries, then scale by γ.",
    computation=(
        r"r = \sqrt{\textstyle\sum_j X_{ij}^2 / n + \epsilon}: (m \times 1)",
        r"Y = \gamma \odot X / r: (m \times n)",
    ),
    notes=(
        "Config key norm: rmsnorm (LLaMA, Mistral, Gopher); the default layernorm keeps "
        "the seed's LayerNorm. Called as RMSNorm(m=l, n=d_model): m rows of width n.",
        "Counted row by row, correctly (unlike the seed's LayerNorm, which counts its "
        "per-row steps n times): squares and their sum (m·n each), then per row a divide "
        "by n, an add of ε and a square root (3·m), then a divide by r and a multiply by γ "
        "per element (2·m·n): 4·m·n + 3·m in all.",
        "Parameters: γ (n); there is no β and no mean.",
        "Gemma's RMSNorm scales by (1 + γ) with γ initialised at zero: the same count "
        "(the 1 + γ is a vector of n, not counted per row) and the same parameters.",
    ),
)
def rms_norm(m, n, *, width=None):
    """``width``: γ's size when it is not ``n`` (a per-head norm whose heads each have a γ)."""
    return [
        elementwise("X**2", m, n, role="norm", saves=m * n),  # keeps X (eager: pow keeps its input)
        reduction("sum", m, n, role="norm"),
        count("/ n + eps", 2 * m, "Per row: divide the sum by n, add ε (2·m).", role="norm",
              kind="elementwise", shape=(m, n), io=IO(reads=m, writes=m)),
        count("sqrt", m, "Per row: one square root (m).", role="norm", kind="transcendental",
              shape=(m, n), io=IO(reads=m, writes=m, saved=m)),  # keeps 1/rms (eager rsqrt)
        elementwise("X / rms", m, n, role="norm", note="Divide every element by its row's root mean square.",
                    io=IO(reads=m * n + m, writes=m * n)),  # its operands are kept already
        elementwise("gamma * x", m, n, role="norm", note="Scale every element by γ.",
                    weights=weight("gamma", n if width is None else width), saves=m * n),  # keeps the normalised X (γ's gradient)
    ]
