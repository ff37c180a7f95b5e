"""Embeddings: word plus position embedding (seed In [5])."""
from flopdocs.structure.ops import count, elementwise, weight
from flopdocs.structure.tree import IO
from flopdocs.config.symbols import d_model, l, max_positions, n_token_types, n_vocab
from flopdocs.structure.layers import layer


@layer(
    "Embeddings",
    example=lambda: (l, d_model, n_vocab),
    summary="Look up each token's word vector and add its position vector.",
    computation=(r"X = X_{word} + X_{pos}: (l \times d_{model}) + (l \times d_{model})",),
    notes=("The lookups are gathers, not arithmetic: only the addition is counted.",
           r"The vocabulary size does not enter: a lookup costs no FLOPs.",
           "Config key position: learned (default, the seed's X_word + X_pos: a learned "
           "max_positions × d_model table, max_positions ≥ l) or sinusoidal "
           "(Vaswani et al.: a fixed table, no parameters) add a position vector. rope, "
           "alibi, relative and t5-relative encode positions inside attention (RotaryEmbedding, "
           "'+ alibi', Transformer-XL's 'R * W_R', T5's RelativePositionBias) and none "
           "has no positions: the embedding is then a lookup only, shown as 'X_word' with "
           "0 FLOPs.",
           "Config key token_types (BERT's type_vocab_size, default none): a third table, "
           "token_types × d_model, added to every position ('+ X_type', l · d_model FLOPs).",
           "Parameters: X_word (n_vocab × d_model, shared with the LM head when "
           "tie_embeddings is true) and, for learned positions, X_pos (max_positions × "
           "d_model: the model's longest input, config key max_positions, not the run's l).",
           "Config key position_offset (OPT: 2; RoBERTa: padding_idx + 1 = 2): the learned "
           "table has max_positions + position_offset rows (l_max + l_offset), the first "
           "l_offset never used; the count is unchanged.",
           "Config key embedding_scale (Gemma): the embedding is multiplied by √d_model, "
           "'X * sqrt(d_model)', one multiply per element (l · d_model); no parameters.",),
)
def embeddings(l, d_model, n_vocab, *, position="learned", word_tied_to=None, rows=max_positions,
               token_types=False, scale=False):
    """``rows``: the learned position table's rows (the model's longest input, not ``l``).
    ``word_tied_to``: the word table is the one of that name declared elsewhere (an
    encoder-decoder's decoder shares the encoder's)."""
    word = weight("X_word", n_vocab, d_model, tied_to=word_tied_to)
    types = []
    if token_types:
        types = [elementwise("+ X_type", l, d_model, role="embedding",
                             note="BERT: add each token's segment vector (token_types rows).",
                             weights=weight("X_type", n_token_types, d_model),
                             io=IO(reads=l * d_model, weight_reads=l * d_model, writes=l * d_model,
                                   saved_index=l))]
    if scale:
        types.append(elementwise("X * sqrt(d_model)", l, d_model, role="embedding",
                                 note="Gemma: scale every embedding by √d_model."))
    if position in ("learned", "sinusoidal"):
        tables = (word, weight("X_pos", rows, d_model)) if position == "learned" else (word,)
        # gathers l rows of each table and keeps the token ids (position ids, when kept, are
        # one row for the batch, not per sequence: not a leaf's, see counting/memory.py)
        io = IO(weight_reads=len(tables) * l * d_model, writes=l * d_model, saved_index=l)
        return [elementwise("X_word + X_pos", l, d_model, role="embedding", weights=tables, io=io), *types]
    return [*types, count("X_word", 0, "A lookup: no arithmetic (positions, if any, enter in attention).",
                  role="embedding", kind="lookup", weights=word,
                  io=IO(weight_reads=l * d_model, writes=l * d_model, saved_index=l))]
