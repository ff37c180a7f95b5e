"""T5's relative position bias (Raffel et al. 2020, section 2.1): one bias table per stack.

This module builds the table's lookup only; the per-score addition is a step of each
attention head (``+ position bias``, :mod:`flopdocs.structure.layers.scaled_dot_product_attention`).
"""
from flopdocs.structure.ops import count, weight
from flopdocs.config.symbols import l, n_buckets, n_heads
from flopdocs.structure.layers import layer


@layer(
    "RelativePositionBias",
    example=lambda: (l, l, n_buckets, n_heads),
    summary="Look up one scalar per head for each (query, key) pair's bucket of relative distance, once per stack.",
    computation=(
        r"b_{ij} = \mathrm{bucket}(j - i): \{0 \ldots n_{buckets} - 1\}, \quad (n_q \times n_k)",
        r"B_{h,ij} = W_{bias}[b_{ij}, h]: (n_{heads} \times n_q \times n_k)",
        r"S_h \leftarrow Q_h K_h^{T} + B_h \text{ in every self-attention layer of the stack}",
    ),
    notes=(
        "Config key position: t5-relative, with relative_buckets (T5: 32, Hugging Face's "
        "relative_attention_num_buckets). Half the buckets are exact small distances, the "
        "rest logarithmic up to relative_attention_max_distance (which changes no count); "
        "the encoder's buckets are bidirectional, the decoder's causal.",
        "Computed once per stack (Hugging Face: only the first block of each stack has the "
        "table; the others reuse its output). The bucket indices are integer arithmetic "
        "on positions and the lookup a gather: no FLOPs. Each self-attention head then adds "
        "its bias to every score ('+ position bias', n_q · n_k per head per layer); "
        "cross-attention has no bias.",
        "Parameters: W_bias, relative_buckets × n_heads per stack (an encoder-decoder has "
        "two tables). The scores are not divided by √d_k (T5 folds the scale into W_Q's "
        "initialisation).",
    ),
)
def relative_position_bias(n_q, n_k, buckets, heads):
    return [count("bucket lookup", 0, "Bucket each (query, key) distance and look up each head's "
                  "bias: integer arithmetic and a gather, no FLOPs.", role="position",
                  kind="lookup", shape=(n_q, n_k), weights=weight("W_bias", buckets, heads))]
