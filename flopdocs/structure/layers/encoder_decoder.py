"""An encoder-decoder transformer (Vaswani et al. 2017; T5, Raffel et al. 2020)."""
from flopdocs.config.arch import Arch
from flopdocs.config.symbols import (d_ff, d_model, l_src, l_tgt, n_buckets, n_decoder_layers,
                                     n_encoder_layers, n_heads, n_vocab)
from flopdocs.structure.tree import node, rename, repeat
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.block import block, final_norm_name, norm
from flopdocs.structure.layers.decoder_block import decoder_block
from flopdocs.structure.layers.embeddings import embeddings
from flopdocs.structure.layers.relative_position_bias import relative_position_bias
from flopdocs.structure.layers.transformer import embedding_norm_name, lm_head, table_rows

_VASWANI = Arch(architecture="encoder-decoder", position="sinusoidal", tie_embeddings=True)


@layer(
    "EncoderDecoder",
    example=lambda: (l_src, l_tgt, d_model, d_ff, n_vocab, n_encoder_layers, n_decoder_layers,
                     n_heads),
    summary="Encode the source with bidirectional blocks; decode the target with causal blocks that also attend to the encoding; project to the vocabulary.",
    computation=(
        r"E = \mathrm{Embeddings}(\text{source}): (l_{src} \times d_{model})",
        r"E \leftarrow \mathrm{Block}(E), \quad n_{enc} \text{ times, no mask}; \quad E \leftarrow \mathrm{LayerNorm}(E)",
        r"X = \mathrm{Embeddings}(\text{target}): (l_{tgt} \times d_{model})",
        r"X \leftarrow \mathrm{DecoderBlock}(X, E), \quad n_{dec} \text{ times}; \quad X \leftarrow \mathrm{LayerNorm}(X)",
        r"\text{logits} = X W_{LM}: (l_{tgt} \times d_{model})(d_{model} \times n_{vocab})",
    ),
    notes=(
        "Config key architecture: encoder-decoder, with n_encoder_layers and "
        "n_decoder_layers (default n_layers each) and l_src and l_tgt (source and target "
        "tokens per sequence, default l each). These four keys are errors with any other "
        "architecture; window is not modelled for encoder-decoder models.",
        "One forward pass over one (source, target) pair, as in training with teacher "
        "forcing: the encoder runs once over l_src tokens and the decoder over l_tgt.",
        "Source and target share one vocabulary and one word embedding X_word (Vaswani et "
        "al. section 3.4; T5), counted once, in the encoder's Embeddings; with "
        "tie_embeddings the LM head is that matrix too. Learned positions have a table per "
        "stack, max_positions × d_model each.",
        "T5 (Raffel et al. 2020) is position: t5-relative, norm: rmsnorm, no biases "
        "(attn_bias and ffn_bias false), d_head its d_kv: each stack has its own "
        "RelativePositionBias, and with tie_embeddings (T5 v1.0) the decoder output is "
        "multiplied by d_model^-1/2 before the LM head ('X / sqrt(d_model)', l_tgt · d_model); "
        "T5 v1.1 (ffn: geglu, Hugging Face's gated-gelu) does not tie, nor scale.",
        "Serving (modes prefill, decode, generate): a prefill is this forward pass over l_src "
        "source tokens and a prompt of P target tokens, and fills the caches; a decode step "
        "is the Decoder alone over one new target token, its self-attention scoring the "
        "cached target keys and its cross-attention the l_src cached source keys and values "
        "(no Encoder, no cross K and V projection), then the LM head.",
    ),
)
def encoder_decoder(l_src, l_tgt, d_model, d_ff, n_vocab, n_enc, n_dec, n_heads, *,
                    arch: Arch = _VASWANI, keys=None):
    """``keys``: one decode step of ``l_tgt`` new target tokens whose self-attention
    scores ``keys`` cached keys: the decoder only, over the cached encoder K and V."""
    decoder = node("Decoder", [
        embeddings(l_tgt, d_model, n_vocab, position=arch.position, word_tied_to="X_word",
                   rows=table_rows(arch)),
        *_embedding_norm(l_tgt, d_model, arch),
        *_bias(l_tgt, l_tgt if keys is None else keys, arch, n_dec),
        rename(norm(l_tgt, d_model, arch), final_norm_name(arch)),
        rename(repeat(decoder_block(l_tgt, l_src, d_model, d_ff, n_heads, arch=arch, keys=keys), n_dec),
               "Blocks"),
    ])
    head = lm_head(l_tgt, d_model, n_vocab, arch) if arch.lm_head else []
    if keys is not None:
        return [decoder, *head]
    encoder = node("Encoder", [
        embeddings(l_src, d_model, n_vocab, position=arch.position, rows=table_rows(arch)),
        *_embedding_norm(l_src, d_model, arch),
        *_bias(l_src, l_src, arch, n_enc),
        rename(norm(l_src, d_model, arch), final_norm_name(arch)),
        rename(repeat(block(l_src, d_model, d_ff, n_heads, arch=arch, mask=False), n_enc), "Blocks"),
    ])
    return [encoder, decoder, *head]


def _embedding_norm(rows, d_model, arch: Arch) -> list:
    """A stack's norm after its embeddings (BART's layernorm_embedding), if it has one."""
    return [rename(norm(rows, d_model, arch), embedding_norm_name(arch))] if arch.embedding_norm else []


def _bias(n_q, n_k, arch: Arch, layers=1) -> list:
    """A stack's T5 bias table, if it has one."""
    if not arch.t5_bias:
        return []
    table = relative_position_bias(n_q, n_k, n_buckets, n_heads)
    return [repeat(table, layers) if arch.bias_every_layer else table]
