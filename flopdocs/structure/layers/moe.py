"""A routed mixture-of-experts FFN (Shazeer et al. 2017; Fedus et al. 2022; Mixtral, Jiang et al. 2024)."""
from flopdocs.config.arch import Arch
from flopdocs.structure.ops import count, matmul, weight
from flopdocs.config.symbols import d_ff, d_model, experts_per_token, l, n_experts
from flopdocs.structure.tree import rename, repeat
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.gated_ffn import gated_ffn
from flopdocs.structure.layers.position_wise_ffn import position_wise_ffn
from flopdocs.structure.layers.softmax import softmax

_SWIGLU = Arch(ffn="swiglu", ffn_bias=False, moe=True)


@layer(
    "MixtureOfExperts",
    example=lambda: (l, d_model, d_ff, n_experts, experts_per_token),
    summary="A router scores every expert for each token; the token goes through its top-k experts' FFNs, whose outputs are mixed by the router's weights.",
    computation=(
        r"R = X W_{router}: (l \times d_{model})(d_{model} \times n_{experts})",
        r"P = \mathrm{softmax}(R): (l \times n_{experts}), \quad \text{keep the top } k_{experts} \text{ per row}",
        r"Y_t = \textstyle\sum_{e \in \mathrm{top}(t)} P_{te} \, \mathrm{FFN}_e(X_t): \text{each token through } k_{experts} \text{ FFNs}",
    ),
    notes=(
        "Config keys n_experts (an int ≥ 1), experts_per_token (the top-k, 1 ≤ k ≤ "
        "n_experts, required with n_experts) and d_ff_expert (one expert's hidden width, "
        "default d_ff). Without n_experts the FFN is dense. Every block's FFN is routed "
        "(as in Mixtral); the experts are the model's FFN kind (ffn, ffn_bias).",
        "FLOPs per forward pass: the router matmul (2 · l · d_model · n_experts), the "
        "seed's softmax over the router logits, each token's k experts — counted as k "
        "full FFNs over the l tokens, which is exact whatever the routing (every token "
        "goes through exactly k experts) — and the weighted sum of the k outputs, "
        "k multiplies and k − 1 adds per element of d_model. Choosing the top k "
        "(comparisons) is not counted, like the softmax's max.",
        "Parameters: the router W_router (d_model × n_experts, no bias) and n_experts "
        "copies of the expert FFN. The total counts every expert; the active count (per "
        "token) counts k of them: total − (n_experts − k) · (one expert) per layer.",
    ),
)
def mixture_of_experts(l, d_model, d_expert, n_experts, k, *, arch: Arch = _SWIGLU):
    return [
        matmul("router", l, d_model, n_experts, role="router",
               weights=weight("W_router", d_model, n_experts)),
        softmax(l, n_experts, role="router"),
        rename(repeat(expert(l, d_model, d_expert, arch), k, copies=n_experts), "Experts"),
        count("weighted sum", l * d_model * (2 * k - 1),
              "Mix the k expert outputs: k multiplies and k − 1 adds per element (l·d_model·(2k − 1)).",
              role="router", kind="elementwise", shape=(l, d_model)),
    ]


def expert(l, d_model, d_expert, arch: Arch):
    if arch.gated:
        return gated_ffn(l, d_model, d_expert, d_model, bias=arch.ffn_bias)
    return position_wise_ffn(l, d_model, d_expert, d_model, bias=arch.ffn_bias, activation=arch.ffn)
