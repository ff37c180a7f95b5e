"""BERT's heads (Devlin et al. 2019; Hugging Face BertPooler, BertPredictionHeadTransform).

The pooler turns the first token's vector into the sequence's; the masked-LM head's
transform (dense, activation, LayerNorm) runs before the projection to the vocabulary.
"""
from flopdocs.structure.ops import elementwise, matmul, weight
from flopdocs.config.symbols import d_model, l
from flopdocs.structure.tree import rename
from flopdocs.structure.layers import layer
from flopdocs.structure.layers.layer_norm import layer_norm


@layer(
    "Pooler",
    example=lambda: (d_model,),
    summary="One dense layer and a tanh on the first token's final vector (BERT's [CLS]).",
    computation=(r"p = \tanh(X_{0} W_P + b_P): (1 \times d_{model})(d_{model} \times d_{model})",),
    notes=("Config key pooler (default: true for an encoder without an LM head, as "
           "Hugging Face's BertModel; BertForMaskedLM has none).",
           "One row, so 2·d_model² FLOPs per sequence for the product; the tanh is not "
           "counted (activations are not, as in the FFN).",
           "Parameters: W_P (d_model × d_model) and b_P (d_model)."),
)
def pooler(d_model):
    return [matmul("X_0 * W_P", 1, d_model, d_model, role="head",
                   weights=weight("W_P", d_model, d_model)),
            elementwise("+ b_P", 1, d_model, role="head", weights=weight("b_P", d_model))]


@layer(
    "LMHeadTransform",
    example=lambda: (l, d_model),
    summary="BERT's masked-LM transform: dense, activation, LayerNorm, on every position.",
    computation=(
        r"H = X W_T + b_T: (l \times d_{model})(d_{model} \times d_{model})",
        r"H \leftarrow \mathrm{LayerNorm}(\mathrm{gelu}(H)): (l \times d_{model})",
    ),
    notes=("Config key lm_head_transform (default: true for architecture encoder): runs "
           "before ProjectToVocab, which then adds its bias '+ b_LM' (n_vocab parameters); "
           "the projection's matrix is the word embedding (tie_embeddings, default true "
           "for an encoder).",
           "The activation is not counted, as in the FFN.",
           "Parameters: W_T (d_model × d_model), b_T (d_model), γ and β (d_model each)."),
)
def lm_head_transform(l, d_model):
    return [matmul("* W_T", l, d_model, d_model, role="head", weights=weight("W_T", d_model, d_model)),
            elementwise("+ b_T", l, d_model, role="head", weights=weight("b_T", d_model)),
            rename(layer_norm(l, d_model), "LayerNorm_T")]
