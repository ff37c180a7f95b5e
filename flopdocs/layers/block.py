"""A pre-norm transformer block: attention and FFN sub-layers with residuals (seed In [33])."""
from ..ops import elementwise
from ..symbols import d_ff, d_model, l, n_heads
from ..tree import rename, repeat
from . import layer
from .layer_norm import layer_norm
from .multi_head_attention import multi_head_attention
from .position_wise_ffn import position_wise_ffn


@layer(
    "Block",
    example=lambda: (l, d_model, d_ff, n_heads),
    summary="X + MultiHeadAttention(LayerNorm(X)), then X + PositionWiseFFN(LayerNorm(X)).",
    computation=(
        r"X \leftarrow X + \mathrm{MultiHeadAttention}(\mathrm{LayerNorm}(X)): (l \times d_{model})",
        r"X \leftarrow X + \mathrm{PositionWiseFFN}(\mathrm{LayerNorm}(X)): (l \times d_{model})",
    ),
    notes=("Each block has two LayerNorms and two residual additions.",
           r"Attention uses d_k = d_v = d_model / n_heads."),
)
def block(l, d_model, d_ff, n_heads):
    return [
        rename(repeat(layer_norm(l, d_model), 2), "LayerNorms"),
        elementwise("ResidualConnections", l, d_model, per_element=2,
                    note="Two residual additions per block."),
        multi_head_attention(l, l, d_model / n_heads, d_model / n_heads, d_model, n_heads),
        position_wise_ffn(l, d_model, d_ff, d_model),
    ]
