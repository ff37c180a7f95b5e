"""The whole decoder: embeddings, n_layers blocks, final norm, LM head (seed In [17])."""
from flopdocs.config.arch import SEED, Arch
from flopdocs.structure.ops import elementwise, matmul, weight
from flopdocs.config.symbols import (d_ff, d_model, keys_full, l, max_positions, n_buckets, n_heads,
                                     n_layers, n_vocab, position_offset)
from flopdocs.structure.tree import rename, repeat
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.block import block, final_norm_name, norm
from flopdocs.structure.layers.bert_heads import lm_head_transform, pooler
from flopdocs.structure.layers.embeddings import embeddings
from flopdocs.structure.layers.relative_position_bias import relative_position_bias


@layer(
    "Transformer",
    example=lambda: (l, d_model, d_ff, n_vocab, n_layers, n_heads),
    summary="Embed the tokens, run n_layers blocks, normalise, project to the vocabulary.",
    computation=(
        r"X = \mathrm{Embeddings}(\text{inputs}): (l \times d_{model})",
        r"X \leftarrow \mathrm{Block}(X), \quad n_{layers} \text{ times}",
        r"X \leftarrow \mathrm{LayerNorm}(X)",
        r"\text{logits} = X W_{LM}: (l \times d_{model})(d_{model} \times n_{vocab})",
    ),
    notes=("This is one forward pass over one sequence of l tokens; multiply by N for N sequences.",
           "Config key architecture: decoder (default, the seed: causal self-attention) or "
           "encoder (BERT: bidirectional self-attention, and no LM head unless lm_head: "
           "true); encoder-decoder builds an EncoderDecoder instead.",
           "Config key lm_head (default true, false for an encoder): with false the "
           "ProjectToVocab step and its parameters are absent.",
           "Config key tie_embeddings (default false): the LM head reuses the word "
           "embedding X_word (GPT-2, PaLM): ProjectToVocab still costs its FLOPs, but its "
           "n_vocab × d_model parameters are counted once, in Embeddings.",
           "Config keys window_layers, dense_layers, nope_layers (a heterogeneous stack): the "
           "blocks form groups of identical blocks, 'Blocks, local' and 'Blocks, global', "
           "'Blocks, dense' and 'Blocks, MoE', 'Blocks, NoPE' and 'Blocks, RoPE' (or, when two "
           "apply, 'Blocks, dense, local' and so on), each repeated by its count: n_local and "
           "n_layers − n_local, n_dense and n_layers − n_dense, n_layers − n_nope and n_nope. "
           "Which blocks have a trait does not change the counts, only how many do; the "
           "dense blocks are counted among the first (local, RoPE) ones.",
           "Decoding with local and global blocks: a local block scores min(C + 1, w) cached "
           "keys (n_keys), a global one all C + 1 (n_keys^full).",
           "Config key embedding_norm (BLOOM, BART): a norm after the embeddings "
           "('LayerNorm_Embedding'). Config key lm_head_bias (GPT-J, Phi): '+ b_LM' after the "
           "LM head (n_vocab parameters). Config key logit_softcap (Gemma 2): every logit "
           "becomes c·tanh(z / c): '/ c, * c' and 'tanh', 3 per logit. Config key logit_scale "
           "(Cohere, Granite): '* logit_scale', one multiply per logit.",
           "Parameters: Embeddings, the final norm, the LM head (absent when tied) and "
           "n_layers blocks; non-embedding parameters leave out the word and position "
           "tables and the LM head (Kaplan et al. 2020's N)."),
)
def transformer(l, d_model, d_ff, n_vocab, n_layers, n_heads, *, arch: Arch = SEED, keys=None):
    """``keys``: a decode step's attention scores that many cached keys (default: l)."""
    steps = [
        embeddings(l, d_model, n_vocab, position=arch.position, token_types=arch.token_types,
                   scale=arch.embedding_scale, rows=table_rows(arch)),
        rename(norm(l, d_model, arch), final_norm_name(arch)),
    ]
    if arch.embedding_norm:
        steps.insert(1, rename(norm(l, d_model, arch), embedding_norm_name(arch)))
    if arch.t5_bias:
        table = relative_position_bias(l, l if keys is None else keys, n_buckets, n_heads)
        steps.insert(1, repeat(table, n_layers) if arch.bias_every_layer else table)
    if arch.pooler:
        steps.append(pooler(d_model))
    if arch.lm_head:
        steps.extend(lm_head(l, d_model, n_vocab, arch))
    mask = arch.architecture != "encoder"
    if not arch.groups:
        steps.append(rename(repeat(block(l, d_model, d_ff, n_heads, arch=arch, mask=mask, keys=keys),
                                   n_layers), "Blocks"))
    for group in arch.groups:
        inner = group.arch(arch)
        # a decode step: a global block of a stack with windowed ones scores every cached key
        scored = keys_full if keys is not None and arch.windowed and not inner.windowed else keys
        steps.append(rename(repeat(block(l, d_model, d_ff, n_heads, arch=inner, mask=mask, keys=scored),
                                   group.size()), group.name))
    return steps


def table_rows(arch: Arch):
    """A learned position table's rows: l_max, plus the unused l_offset (OPT, RoBERTa)."""
    return max_positions + position_offset if arch.position_offset else max_positions


def embedding_norm_name(arch: Arch) -> str:
    return arch.norm_layer + "_Embedding"


def lm_head(rows, d_model, n_vocab, arch: Arch):
    """``ProjectToVocab``: its own matrix, or a use of the word embedding when tied;
    BERT's (``lm_head_transform``) after its transform, with a bias."""
    tied_to = "X_word" if arch.tie_embeddings else None
    project = matmul("ProjectToVocab", rows, d_model, n_vocab, role="lm-head",
                     weights=weight("W_LM", d_model, n_vocab, tied_to=tied_to))
    steps = [lm_head_transform(rows, d_model)] if arch.lm_head_transform else []
    if arch.rescaled_lm_head:
        steps.append(elementwise("X / sqrt(d_model)", rows, d_model, role="lm-head",
                                 note="T5 with a tied LM head: scale the decoder output by d_model^-1/2 "
                                      "before projecting with the embedding."))
    steps.append(project)
    if arch.lm_head_transform or arch.lm_head_bias:
        steps.append(elementwise("+ b_LM", rows, n_vocab, role="lm-head", weights=weight("b_LM", n_vocab)))
    if arch.logit_scale:
        steps.append(elementwise("* logit_scale", rows, n_vocab, role="lm-head",
                                 note="Cohere's logit_scale, Granite's 1 / logits_scaling: one multiply per logit."))
    if arch.logit_softcap:
        steps += [elementwise("/ c, * c", rows, n_vocab, per_element=2, role="lm-head",
                              note="Gemma 2's final_logit_softcapping c·tanh(z / c): a divide and a multiply per logit."),
                  elementwise("tanh", rows, n_vocab, role="lm-head", kind="transcendental",
                              note="Gemma 2's final soft-capping: one tanh per logit.")]
    return steps
