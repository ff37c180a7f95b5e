"""A routed mixture-of-experts FFN (Shazeer et al. 2017; Fedus et al. 2022; Mixtral, Jiang et al. 2024)."""
from flopdocs.config.arch import Arch
from flopdocs.structure.ops import count, elementwise, matmul, weight
from flopdocs.config.symbols import d_ff, d_ff_shared, d_model, experts_per_token, l, n_experts
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
        "Config key d_ff_shared (DeepSeek, Qwen2-MoE, GLM-4.5, Llama 4): a SharedExpert, "
        "one more FFN of the model's kind and width d_ff_shared that every token passes "
        "through, its output added ('+ shared', l·d_model adds); DeepSeek's n_shared_experts "
        "experts of width moe_intermediate_size are one FFN n_shared_experts times as wide "
        "(the same FLOPs and parameters). shared_expert_gate (Qwen2-MoE): the shared output "
        "times sigmoid(X W_shared_gate), a d_model × 1 projection (2·l·d_model FLOPs, d_model "
        "parameters), l sigmoids and l·d_model multiplies.",
        "Config key router_bias (gpt-oss): '+ b_router', n_experts parameters and l·n_experts "
        "adds. DeepSeek-V3's e_score_correction_bias is a buffer (not a parameter) used only "
        "to choose the experts: its l·n_experts adds are not counted, nor is DeepSeek's "
        "sigmoid scoring or group-limited choice (comparisons, as the top-k).",
        "The experts' biases (gpt-oss: gate_up_proj_bias, down_proj_bias) are ffn_bias: true.",
        "Llama 4's Hugging Face class runs every expert on every token (scores 0 for the "
        "unselected): what it computes is this layer with experts_per_token = n_experts "
        "(flopdocs verify counts it so and says so); the model's own count keeps the top k.",
    ),
)
def mixture_of_experts(l, d_model, d_expert, n_experts, k, *, arch: Arch = _SWIGLU):
    steps = [matmul("router", l, d_model, n_experts, role="router",
                    weights=weight("W_router", d_model, n_experts))]
    if arch.router_bias:
        steps.append(elementwise("+ b_router", l, n_experts, role="router",
                                 note="gpt-oss: a bias on every router logit.",
                                 weights=weight("b_router", n_experts)))
    steps += [
        softmax(l, n_experts, role="router"),
        rename(repeat(expert(l, d_model, d_expert, arch), k, copies=n_experts), "Experts"),
        count("weighted sum", l * d_model * (2 * k - 1),
              "Mix the k expert outputs: k multiplies and k − 1 adds per element (l·d_model·(2k − 1)).",
              role="router", kind="elementwise", shape=(l, d_model)),
    ]
    if arch.shared_expert:
        steps.append(rename(expert(l, d_model, d_ff_shared, arch), "SharedExpert"))
        if arch.shared_expert_gate:
            steps += [
                matmul("X * W_shared_gate", l, d_model, 1, role="router",
                       weights=weight("W_shared_gate", d_model, 1)),
                elementwise("sigmoid", l, role="router", kind="transcendental",
                            note="Qwen2-MoE: one gate value per token."),
                elementwise("shared * gate", l, d_model, role="router"),
            ]
        steps.append(elementwise("+ shared", l, d_model, role="router",
                                 note="The shared expert's output added to the routed experts' mix."))
    return steps


def expert(l, d_model, d_expert, arch: Arch):
    if arch.gated:
        return gated_ffn(l, d_model, d_expert, d_model, bias=arch.ffn_bias)
    return position_wise_ffn(l, d_model, d_expert, d_model, bias=arch.ffn_bias, activation=arch.ffn)
