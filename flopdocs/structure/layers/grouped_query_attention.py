"""Grouped-query attention (Ainslie et al. 2023): n_kv key/value heads shared by groups of queries."""
from flopdocs.config.symbols import d_head, d_model, l, n_heads, n_kv_heads
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.multi_head_attention import attention_steps


@layer(
    "GroupedQueryAttention",
    example=lambda: (l, l, d_head, d_head, d_model, n_heads, n_kv_heads),
    summary="Multi-head attention whose n_heads query heads share n_kv key/value heads, n_heads / n_kv each.",
    computation=(
        r"Q = X W_Q: (n_q \times d_{model})(d_{model} \times d_k n_{heads})",
        r"K = X W_K: (n_k \times d_{model})(d_{model} \times d_k n_{kv})",
        r"V = X W_V: (n_k \times d_{model})(d_{model} \times d_v n_{kv})",
        r"\mathrm{head}_i = \mathrm{Attention}(Q_i, K_{g(i)}, V_{g(i)}), \quad g(i) = \lceil i \, n_{kv} / n_{heads} \rceil,\ i = 1 \ldots n_{heads}",
        r"\mathrm{Concat}(\mathrm{head}_1, \ldots) W_O: (n_q \times d_v n_{heads})(d_v n_{heads} \times d_{model})",
    ),
    notes=(
        "Config key n_kv_heads (an int ≥ 1 dividing n_heads; default n_heads, which is "
        "ordinary MultiHeadAttention and leaves the tree as the seed's). n_kv_heads = 1 is "
        "multi-query attention (Shazeer 2019; PaLM).",
        "Only the K and V projections shrink, to n_kv/n_heads of their multi-head cost and "
        "parameters; every query head still scores its own n_q × n_k matrix against its "
        "group's keys, so the per-head attention is counted n_heads times, as in "
        "multi-head attention. The KV cache (not part of a forward FLOP count) holds "
        "2 · n_kv · d_k numbers per token per layer instead of 2 · n_heads · d_k.",
        "d_k = d_v = d_head, or d_model / n_heads when d_head is not given. Biases, "
        "rope, alibi and window apply as in MultiHeadAttention.",
    ),
)
def grouped_query_attention(n_q, n_k, d_k, d_v, d_model, n_heads, n_kv_heads, **options):
    return attention_steps(n_q, n_k, d_k, d_v, d_model, n_heads, n_kv_heads, **options)
