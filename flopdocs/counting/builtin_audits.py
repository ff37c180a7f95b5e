"""The built-in audits: our own transcriptions of frameworks' published FLOPs formulas.

Each :class:`Builtin` is data (where the formula was read: repository, file, commit; the
conventions it claims; the public issue it explains; the mapping of its argument names to
flopdocs' config keys) and one small function written here from the published formula,
as plain Python, so ``flopdocs audit --builtin NAME`` runs it through the same engine as a
user's file (:mod:`flopdocs.counting.audit`).  Where the source's code cannot run on
symbols (a loop over the layers), the transcription says what it fixes and why.

Nothing here counts or compares; the formulas are never evaluated on import.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flopdocs.counting.formula_source import Target
from flopdocs.counting.zero_estimators import deepspeed_zero2, deepspeed_zero3
from flopdocs.errors import ConfigError


# -- the transcriptions (each cited by its Builtin below) -----------------------------------

def megatron_2023(args, batch_size):
    """NVIDIA/Megatron-LM megatron/training.py @2748e7c7d4, num_floating_point_operations:
    FLOPs per global batch, forward and backward, f = 4h written into the 60."""
    if not args.group_query_attention:
        num_query_groups = args.num_attention_heads
    else:
        num_query_groups = args.num_query_groups
    return (60 * batch_size * args.seq_length * args.num_layers * args.hidden_size * args.hidden_size
            * (1 + (num_query_groups / (5 * args.num_attention_heads))
               + (args.seq_length / (5 * args.hidden_size))
               + (args.padded_vocab_size / (10 * args.num_layers * args.hidden_size))))


def megatron(args, batch_size):
    """NVIDIA/Megatron-LM megatron/training/training.py @d98e8a64, num_floating_point_operations,
    its standard-attention branch (no MLA, no linear attention, no MTP): FLOPs per global
    batch.  The source builds its MoE layer pattern in a loop over the layers
    (``moe_layer_freq``); here every layer of a MoE model is a MoE layer (freq 1)."""
    tokens = batch_size * args.seq_length
    seqlen_squared_sum = batch_size * args.seq_length ** 2
    ffn_expansion = 3 if args.swiglu else 2
    query_groups = args.num_query_groups if args.group_query_attention else args.num_attention_heads
    if args.num_experts is None:
        dense_layers, moe_layers, routed_to = args.num_layers, 0, 0
    else:
        dense_layers, moe_layers, routed_to = 0, args.num_layers, args.moe_router_topk
    moe_ffn = args.moe_ffn_hidden_size if args.moe_ffn_hidden_size is not None else args.ffn_hidden_size
    shared_ffn = args.moe_shared_expert_intermediate_size or 0
    q = args.kv_channels * args.num_attention_heads
    k = v = args.kv_channels * query_groups
    attn_proj = 3 * 2 * (args.hidden_size * (q + k + v) + q * args.hidden_size)  # per token per layer
    attn_core = 3 * 2 * q / 2 * 2  # QK^T and AV, causal half, per (token, key) per layer
    return (tokens * (3 * 2 * args.hidden_size * (
                args.ffn_hidden_size * ffn_expansion * dense_layers
                + moe_ffn * routed_to * ffn_expansion * moe_layers
                + shared_ffn * ffn_expansion * moe_layers)
            + attn_proj * args.num_layers
            + 3 * 2 * args.hidden_size * args.padded_vocab_size)
            + seqlen_squared_sum * attn_core * args.num_layers)


def nanogpt(num_params, wpe_params, n_layer, n_head, n_embd, block_size):
    """karpathy/nanoGPT model.py @f08abb45, GPT.estimate_mfu's flops_per_token, with N from
    get_num_params(non_embedding=True): every parameter but the position table."""
    N = num_params - wpe_params
    L, H, Q, T = n_layer, n_head, n_embd // n_head, block_size
    return 6 * N + 12 * L * H * Q * T


def torchtitan(num_params, tok_embeddings_params, model_config, seq_len):
    """pytorch/torchtitan torchtitan/utils.py @699a4115, get_num_flop_per_token, with
    num_params = get_num_params(model, exclude_embedding=True) (the token table left out)."""
    num_params = num_params - tok_embeddings_params
    l, h, q, t = (model_config.n_layers, model_config.n_heads,
                  model_config.dim // model_config.n_heads, seq_len)
    return 6 * num_params + 12 * l * h * q * t


def maxtext(config, causal=True):
    """AI-Hypercomputer/maxtext src/maxtext/utils/maxtext_utils.py @e591f30c,
    calculate_tflops_training_per_device, default decoder block (no MoE, window, MLA or
    MTP): per device per step, in FLOPs (the source divides by 10**12 to print TFLOPs).
    ``causal=False``: the form before PR #1988 (@33339821, MaxText/maxtext_utils.py), the
    same terms with the attention not halved."""
    B, T = config.per_device_batch_size, config.max_target_length
    activations = 2 if config.gated_mlp else 1  # len(config.mlp_activations)
    ffn1 = 2 * B * T * config.mlp_dim * config.emb_dim * activations
    ffn2 = 2 * B * T * config.mlp_dim * config.emb_dim
    qkv = 2 * B * T * config.emb_dim * (config.num_query_heads + 2 * config.num_kv_heads) * config.head_dim
    noncausal_attention = 4 * B * T ** 2 * config.num_query_heads * config.head_dim
    projection = 2 * B * T * config.emb_dim * config.num_query_heads * config.head_dim
    causal_attention = noncausal_attention / 2 if causal else noncausal_attention
    embedding = 2 * B * T * config.emb_dim * config.vocab_size
    learnable = ((ffn1 + ffn2) * config.num_decoder_layers
                 + (qkv + projection) * config.num_decoder_layers + embedding) * 3
    attention = causal_attention * config.num_decoder_layers * 3
    return (learnable + attention) * config.gradient_accumulation_steps


def maxtext_2025(config):
    """MaxText before PR #1988 (issue #1972): see :func:`maxtext`."""
    return maxtext(config, causal=False)


def olmo_core(num_params, d_model, vocab_size, n_layers, n_heads, seq_len):
    """allenai/OLMo-core src/olmo_core/nn/transformer/config.py @5d4593ac,
    TransformerConfig.num_flops_per_token (before PR #511)."""
    num_non_embedding_params = num_params - d_model * vocab_size
    n, h, q, t = n_layers, n_heads, d_model // n_heads, seq_len
    return 6 * num_non_embedding_params + 12 * n * h * q * t


def llm_foundry(params, wte_params, tie_word_embeddings, n_layers, d_model, bs, msl):
    """mosaicml/llm-foundry llmfoundry/models/mpt/modeling_mpt.py @dd89aba7,
    ComposerMPTCausalLM.flops_per_batch with n_active_params (mpt_get_active_params: the
    token table left out unless it is tied)."""
    n_active_params = params if tie_word_embeddings else params - wte_params
    params_flops_per_seq = 2 * n_active_params * msl
    attn_flops_per_seq = n_layers * 2 * 2 * (d_model * (msl ** 2))
    return (params_flops_per_seq + attn_flops_per_seq) * 3 * bs


def hf_transformers(params, word_embedding_params, position_embedding_params, batch_size,
                    sequence_length):
    """huggingface/transformers src/transformers/modeling_utils.py @040ba146,
    ModuleUtilsMixin.floating_point_ops: 6 · input_ids.numel() · num_parameters(
    exclude_embeddings=True) (every nn.Embedding weight left out: a tied LM head too)."""
    tokens = batch_size * sequence_length
    return 6 * tokens * (params - word_embedding_params - position_embedding_params)


# -- the data ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Builtin:
    name: str
    title: str
    function: Callable
    source: str  # repository, file, commit, function
    conventions: tuple[str, ...]  # the conventions it claims to follow
    issue: str  # the public issue it explains
    mapping: tuple[str, ...]  # --arg items
    per: str  # token | sequence | batch
    latex: str  # the formula as the source writes it, in its own letters
    mode: str = "training"

    def target(self) -> Target:
        f = self.function
        return Target(function=f, where=f"builtin {self.name}", filename=f.__code__.co_filename)


_MEGATRON_ARGS = ("args.group_query_attention=gqa", "args.num_query_groups=n_kv_heads",
                  "args.num_attention_heads=n_heads", "args.hidden_size=d_model",
                  "args.seq_length=l", "args.num_layers=n_layers", "args.padded_vocab_size=n_vocab",
                  "batch_size=N")

_MAXTEXT_ARGS = ("config.per_device_batch_size=N", "config.max_target_length=l", "config.emb_dim=d_model",
                 "config.num_query_heads=n_heads", "config.num_kv_heads=n_kv_heads", "config.head_dim=d_head",
                 "config.mlp_dim=d_ff", "config.gated_mlp=gated", "config.num_decoder_layers=n_layers",
                 "config.vocab_size=n_vocab", "config.gradient_accumulation_steps=1")

AUDITS: dict[str, Builtin] = {b.name: b for b in (
    Builtin("megatron", "Megatron-LM num_floating_point_operations (2026)", megatron,
            "NVIDIA/Megatron-LM, megatron/training/training.py, commit d98e8a64ddf34856e74b24714e3bedb2f5a39553, "
            "num_floating_point_operations (standard attention; causal halving since 8873b55d6a)",
            ("megatron", "flopdocs"),
            "NVIDIA/Megatron-LM PR #3280 (open): sliding-window and chunked attention ignored, the "
            "score term is always the full causal s²/2",
            _MEGATRON_ARGS + ("args.kv_channels=d_head", "args.ffn_hidden_size=d_ff", "args.swiglu=gated",
                              "args.num_experts=n_experts", "args.moe_router_topk=experts_per_token",
                              "args.moe_ffn_hidden_size=d_ff_expert",
                              "args.moe_shared_expert_intermediate_size=none"),
            "batch",
            r"6 B s \left[ L\,h\,(2 n_h d + 2 g d) + h\,f\,c\,L + h V \right] + 6 B s^2 L\, n_h d / 2"),
    Builtin("megatron-2023", "Megatron-LM num_floating_point_operations (2023)", megatron_2023,
            "NVIDIA/Megatron-LM, megatron/training.py, commit 2748e7c7d4 (2023-11-28), "
            "num_floating_point_operations", ("megatron", "flopdocs"),
            "NVIDIA/Megatron-LM PR #682: ffn_hidden_size (and SwiGLU) ignored, f = 4h written "
            "into the constant 60",
            _MEGATRON_ARGS, "batch",
            r"60 B s L h^2 \left(1 + \frac{g}{5 n_h} + \frac{s}{5h} + \frac{V}{10 L h}\right)"),
    Builtin("nanogpt", "nanoGPT estimate_mfu", nanogpt,
            "karpathy/nanoGPT, model.py, commit f08abb45bd2285627d17da16daea14dda7e7253e, "
            "GPT.estimate_mfu and get_num_params", ("palm", "flopdocs"),
            "karpathy/nanoGPT#456: the attention term 12·L·H·Q·T counts every query-key pair; "
            "Kaplan's 6 would halve it",
            ("num_params=params", "wpe_params=params_position", "n_layer=n_layers", "n_head=n_heads",
             "n_embd=d_model", "block_size=l"), "token",
            r"6 N + 12 L H Q T,\quad Q = \lfloor n_{embd} / H \rfloor,\ N = P - P_{wpe}"),
    Builtin("torchtitan", "torchtitan get_num_flop_per_token", torchtitan,
            "pytorch/torchtitan, torchtitan/utils.py, commit 699a41158feab3069c45c74e2ed5213d7d3c2cc3, "
            "get_num_flop_per_token (num_params without tok_embeddings, PR #280)", ("palm", "flopdocs"),
            "pytorch/torchtitan PR #4300: a sliding window ignored (MFU above 100 %); PR #4366: half "
            "the attention counted (flux)",
            ("num_params=params", "tok_embeddings_params=params_word_embedding",
             "model_config.n_layers=n_layers", "model_config.n_heads=n_heads", "model_config.dim=d_model",
             "seq_len=l"), "token",
            r"6 (P - V h) + 12\, l\, h\, q\, t,\quad q = \lfloor dim / h \rfloor"),
    Builtin("maxtext", "MaxText calculate_tflops_training_per_device", maxtext,
            "AI-Hypercomputer/maxtext, src/maxtext/utils/maxtext_utils.py, commit "
            "e591f30cbbf217ed67ef71263ec0538239f9c3b8, calculate_tflops_training_per_device "
            "(causal halving since a4c01726)", ("megatron", "flopdocs"),
            "AI-Hypercomputer/maxtext#1972: full attention counted without its causal half (fixed "
            "by PR #1988; this is the fixed form)",
            _MAXTEXT_ARGS, "batch",
            r"3 \left[ L (2BT h (n_q + 2 n_{kv}) d + 2BT h n_q d + 2BT h f (a+1)) + 2BT h V "
            r"+ L \cdot 2 B T^2 n_q d \right]"),
    Builtin("maxtext-2025", "MaxText calculate_tflops_training_per_device (before PR #1988)", maxtext_2025,
            "AI-Hypercomputer/maxtext, MaxText/maxtext_utils.py, commit "
            "33339821e96327d25613ace9d28c7a8789698586 (the parent of a4c01726, PR #1988), "
            "calculate_tflops_training_per_device", ("megatron", "flopdocs"),
            "AI-Hypercomputer/maxtext#1972: full attention counted without its causal half, while "
            "local attention was counted over its window: 2x the score FLOPs",
            _MAXTEXT_ARGS, "batch",
            r"3 \left[ L (2BT h (n_q + 2 n_{kv}) d + 2BT h n_q d + 2BT h f (a+1)) + 2BT h V "
            r"+ L \cdot 4 B T^2 n_q d \right]"),
    Builtin("olmo-core", "OLMo-core num_flops_per_token", olmo_core,
            "allenai/OLMo-core, src/olmo_core/nn/transformer/config.py, commit "
            "5d4593aca6e7c14b3b0a9a7f040dc1b7fdfe6bb8, TransformerConfig.num_flops_per_token (before PR #511)",
            ("palm", "flopdocs"),
            "allenai/OLMo-core#475: sliding windows ignored and every expert of a MoE counted "
            "(fixed by PR #511)",
            ("num_params=params", "d_model=d_model", "vocab_size=n_vocab", "n_layers=n_layers",
             "n_heads=n_heads", "seq_len=l"), "token",
            r"6 (P - d V) + 12\, n\, h\, q\, t,\quad q = \lfloor d / h \rfloor"),
    Builtin("llm-foundry", "llm-foundry MPT flops_per_batch", llm_foundry,
            "mosaicml/llm-foundry, llmfoundry/models/mpt/modeling_mpt.py, commit "
            "dd89aba7918048bb0513c51d4b0cd9d9646bf1eb, ComposerMPTCausalLM.flops_per_batch", ("palm", "flopdocs"),
            "no public issue found: every query-key pair counted (no causal half), sliding_window_size "
            "ignored, the batch's padded length used",
            ("params=params", "wte_params=params_word_embedding", "tie_word_embeddings=tie_embeddings",
             "n_layers=n_layers", "d_model=d_model", "bs=N", "msl=l"), "batch",
            r"3 B \left(2 N_{active} s + 4 L\, d\, s^2\right)"),
    Builtin("hf-transformers", "Hugging Face transformers floating_point_ops", hf_transformers,
            "huggingface/transformers, src/transformers/modeling_utils.py, commit "
            "040ba146759afc625c77f49d04982bb54873995f, ModuleUtilsMixin.floating_point_ops", ("6N", "flopdocs"),
            "no public issue found: attention scores left out, and a tied LM head left out with the "
            "embedding (its docstring's condition 12·d_model ≪ l is Kaplan's reversed)",
            ("params=params", "word_embedding_params=params_word_embedding",
             "position_embedding_params=params_position", "batch_size=N", "sequence_length=l"),
            "batch", r"6 \cdot (B s) \cdot N_{\text{non-embedding}}"),
    Builtin("deepspeed-zero2", "DeepSpeed estimate_zero2_model_states_mem_needs", deepspeed_zero2,
            "deepspeedai/DeepSpeed, deepspeed/runtime/zero/stage_1_and_2.py, commit "
            "edaa7221267243c7be7fb49c5d5f5c4fb97b4641, estimate_zero2_model_states_mem_needs "
            "(no offload: the GPU bytes)", ("flopdocs",),
            "deepspeedai/DeepSpeed#4076 (what its bytes a parameter mean) and PR #5099 (its 16-bit "
            "weights and gradients were 4 bytes each until 2024): 18 bytes a parameter partitioned, an "
            "fp32 gradient copy beside the ZeRO paper's 2 + 12",
            ("total_params=params", "num_gpus_per_node=devices", "num_nodes=1", "cpu_offload=false"),
            "device", r"2 \Psi + \left\lfloor 18 \Psi / N_d \right\rfloor", mode="zero2-states"),
    Builtin("deepspeed-zero3", "DeepSpeed estimate_zero3_model_states_mem_needs", deepspeed_zero3,
            "deepspeedai/DeepSpeed, deepspeed/runtime/zero/stage3.py, commit "
            "32d51a1840abf9e3907109c3b5fd0c9a47cbcae3, estimate_zero3_model_states_mem_needs "
            "(no offload: the GPU bytes; largest_layer_params taken as the word embedding, the "
            "largest module of a dense language model)", ("flopdocs",),
            "deepspeedai/DeepSpeed#4076 (its 18 bytes a parameter asked about) and #4527 (memory "
            "above the estimate): 18 bytes a parameter partitioned, and 4 of the largest layer "
            "gathered in 16 bits with its gradient",
            ("total_params=params", "largest_layer_params=params_word_embedding",
             "num_gpus_per_node=devices", "num_nodes=1", "cpu_offload=false", "cpu_offload_params=false"),
            "device", r"4 P_{max} + \left\lfloor 18 \Psi / N_d \right\rfloor", mode="zero3-states"),
)}


def get(name: str) -> Builtin:
    try:
        return AUDITS[name]
    except KeyError:
        raise ConfigError(f"unknown built-in audit {name!r} (known: {', '.join(AUDITS)})",
                          origin="--builtin") from None
