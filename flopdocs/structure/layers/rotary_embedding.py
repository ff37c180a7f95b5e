"""Rotary position embedding (RoPE; Su et al. 2021, eq. 34): rotate q and k by position."""
from flopdocs.structure.ops import elementwise
from flopdocs.config.symbols import d_k, l, n_heads, n_kv_heads
from flopdocs.structure.layers import layer


@layer(
    "RotaryEmbedding",
    example=lambda: (l, l, d_k, n_heads, n_kv_heads),
    summary="Rotate each query and key vector, pair by pair, by an angle proportional to its position.",
    computation=(
        r"q' = q \odot \cos\theta_{pos} + \mathrm{rotate\_half}(q) \odot \sin\theta_{pos}: (n_q \times n_{heads} d_k)",
        r"k' = k \odot \cos\theta_{pos} + \mathrm{rotate\_half}(k) \odot \sin\theta_{pos}: (n_k \times n_{kv} d_k)",
    ),
    notes=(
        "Config key position: rope. Counted as the efficient form of Su et al. (eq. 34): "
        "two multiplies and one add per element of q and of k, 3 FLOPs each; the cos/sin "
        "tables depend only on the position and are precomputed (lookups), and "
        "rotate_half is a permutation with a sign flip (no FLOPs).",
        "Only q and k are rotated, in every attention layer; values are not. With "
        "grouped-query attention k has n_kv heads, so rotating k costs n_kv/n_heads of "
        "rotating q. RoPE has no parameters and the Embeddings layer then has no "
        "position addition.",
        "Config key rotary_dim (partial rotary: GPT-J's rotary_dim, GPT-NeoX's and Phi's "
        "d_head · partial_rotary_factor): only d_rot of each head's d_k channels rotate, so "
        "d_k becomes d_rot above; the rest pass through (a concatenation, no FLOPs).",
    ),
)
def rotary_embedding(n_q, n_k, d_k, n_heads, n_kv_heads):
    return [
        elementwise("rotate q", n_q, n_heads * d_k, per_element=3, role="position",
                    note="q·cos + rotate_half(q)·sin: 2 multiplies and 1 add per element."),
        elementwise("rotate k", n_k, n_kv_heads * d_k, per_element=3, role="position",
                    note="k·cos + rotate_half(k)·sin: 2 multiplies and 1 add per element."),
    ]
