"""The newer Hugging Face families, tried as a user would: their own config files against PyTorch.

For each model type :mod:`flopdocs.config.hf_zoo` reads: transformers' default config
(``AutoConfig.for_model``: the original checkpoint's sizes) imports and gives ``numel``'s
parameter count at full size (meta device); a shrunk copy and random small configs (each
family's structural fields drawn at random) give FlopCounterMode's matmul FLOPs, forward
and training, and ``numel``, exactly, the class built from the very file we imported.
"""
import random

import pytest

from flopdocs.config import hf
from flopdocs.config.config import parse
from flopdocs.config.hf_zoo import READERS
from flopdocs.structure.params import parameters

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from flopdocs.counting.verify import hf_class, inputs, our_counts, torch_counts  # noqa: E402

TYPES = sorted(READERS)
WIDTH = ("hidden_size", "n_embd", "dim", "d_model")
HEADS = ("num_attention_heads", "n_head", "n_heads", "encoder_attention_heads", "decoder_attention_heads")
FFN = ("intermediate_size", "ffn_dim", "n_inner", "hidden_dim", "ffn_hidden_size", "encoder_ffn_dim",
       "decoder_ffn_dim")
LAYERS = ("num_hidden_layers", "n_layer", "n_layers", "encoder_layers", "decoder_layers")
POSITIONS = ("max_position_embeddings", "n_positions", "seq_length")


def _model(fields: dict, cfg):
    """The class the file builds, on the meta device, eager attention."""
    config = transformers.AutoConfig.for_model(**fields)
    auto = transformers.AutoModel if cfg.arch.architecture == "encoder" else transformers.AutoModelForCausalLM
    if cfg.arch.architecture == "encoder" and cfg.arch.lm_head:
        auto = transformers.AutoModelForMaskedLM
    if cfg.is_encoder_decoder:
        auto = transformers.AutoModelForSeq2SeqLM
    with torch.device("meta"):
        return auto.from_config(config, attn_implementation="eager")


def _import(fields: dict, lm_head: bool = False):
    data = hf.to_data(fields, f"<{fields['model_type']}>")
    if lm_head:
        data["lm_head"] = True
    return parse(data, f"<{fields['model_type']}>")


def _exact(fields: dict, lm_head: bool = False) -> None:
    cfg = _import(fields, lm_head)
    model = _model(fields, cfg)
    assert parameters(cfg).total == sum(p.numel() for p in model.parameters()), fields
    for mode in ("forward", "training"):
        ours = sum(our_counts(cfg, mode).values())
        theirs = sum(torch_counts(model, inputs(cfg), mode).values())
        assert ours == theirs, (mode, fields)


def _defaults(t: str) -> dict:
    return {k: v for k, v in transformers.AutoConfig.for_model(t).to_dict().items()
            if k not in ("transformers_version", "architectures")}


def _shrunk(t: str, rng: random.Random | None = None) -> dict:
    """The default config at a small width and depth (every width field the file has)."""
    r = rng or random.Random(0)
    f = _defaults(t)
    heads = r.choice([2, 4])
    head_dim = r.choice([8, 16])
    for k in WIDTH:
        if k in f:
            f[k] = heads * head_dim if "head_dim" not in f else r.choice([32, 48])
    if "word_embed_proj_dim" in f:  # OPT: no projection between the widths
        f["word_embed_proj_dim"] = f["hidden_size"]
    for k in HEADS:
        if k in f:
            f[k] = heads
    if f.get("head_dim") is not None:
        f["head_dim"] = head_dim
    for k in ("num_key_value_heads", "num_kv_heads"):
        if f.get(k) not in (None, 1):
            f[k] = r.choice([k for k in (1, 2, heads) if heads % k == 0])
    ffn = r.randint(8, 80)  # one width (BART's encoder and decoder alike)
    for k in FFN:
        if f.get(k) is not None:
            f[k] = ffn
    for k in LAYERS:
        if k in f:
            f[k] = r.randint(1, 2)
    for k in POSITIONS:
        if k in f:
            f[k] = r.randint(6, 20)
    if f.get("rotary_dim") is not None:
        f["rotary_dim"] = r.choice([4, head_dim])
    f["vocab_size"] = r.randint(50, 120)
    for k in ("pad_token_id", "bos_token_id", "eos_token_id"):  # ids inside the small vocabulary
        if isinstance(f.get(k), int) and f[k] >= f["vocab_size"]:
            f[k] = None
    for k in ("layer_types", "no_rope_layers"):  # one entry per (remaining) layer
        if isinstance(f.get(k), list):
            f[k] = f[k][:f["num_hidden_layers"]]
    return f


@pytest.mark.parametrize("t", TYPES)
def test_transformers_default_config_imports_with_numels_count(t):
    fields = _defaults(t)
    cfg = _import(fields)
    assert parameters(cfg).total == sum(p.numel() for p in _model(fields, cfg).parameters())


#: each family's structural fields, drawn at random (values the class accepts)
FLAGS = {
    "gpt_neox": {"use_parallel_residual": [True, False], "attention_bias": [True, False],
                 "hidden_act": ["gelu", "relu"], "tie_word_embeddings": [True, False]},
    "gptj": {"tie_word_embeddings": [True, False]},
    "opt": {"enable_bias": [True, False], "layer_norm_elementwise_affine": [True, False],
            "tie_word_embeddings": [True, False]},
    "bloom": {"tie_word_embeddings": [True, False]},
    "falcon": {"new_decoder_architecture": [True, False], "num_ln_in_parallel_attn": [1, 2],
               "multi_query": [True, False], "parallel_attn": [True, False], "bias": [True, False],
               "alibi": [True, False]},
    "phi": {"qk_layernorm": [True, False], "tie_word_embeddings": [True, False]},
    "phi3": {"sliding_window": [None, 3]},
    "olmo": {"attention_bias": [True, False]},
    "olmo2": {"attention_bias": [True, False]},
    "stablelm": {"use_qkv_bias": [True, False], "use_parallel_residual": [True, False]},
    "starcoder2": {"use_bias": [True, False], "sliding_window": [None, 3]},
    "granite": {"attention_bias": [True, False], "mlp_bias": [True, False]},
    "cohere": {"use_qk_norm": [True, False], "attention_bias": [True, False]},
    "gemma": {"attention_bias": [True, False]},
    "qwen3": {"attention_bias": [True, False], "tie_word_embeddings": [True, False]},
    "gpt_bigcode": {"multi_query": [True, False]},
    "roberta": {"pad_token_id": [1, 3], "type_vocab_size": [1, 2]},
    "xlm-roberta": {"pad_token_id": [1, 3], "type_vocab_size": [1, 2]},
    "distilbert": {},
    "bart": {"activation_function": ["gelu", "relu"]},
    "gemma2": {"attn_logit_softcapping": [None, 50.0], "final_logit_softcapping": [None, 30.0],
               "sliding_window": [3, 4096]},
    "gemma3_text": {"sliding_window": [3, 4096], "tie_word_embeddings": [True, False]},
    "smollm3": {"no_rope_layer_interval": [1, 2, 4], "tie_word_embeddings": [True, False]},
    "modernbert": {"norm_bias": [True, False], "attention_bias": [True, False], "mlp_bias": [True, False],
                   "local_attention": [4, 128]},
}
#: partial rotary, as each class reads it
ROTARY = ("gpt_neox", "phi", "phi3", "stablelm")


@pytest.mark.parametrize("t", TYPES)
def test_shrunk_and_random_small_configs_equal_pytorch(t):
    _exact(_shrunk(t))
    rng = random.Random(f"zoo {t}")
    for _ in range(2):
        fields = _shrunk(t, rng)
        fields.update({k: rng.choice(v) for k, v in FLAGS[t].items()})
        if t == "falcon" and fields["new_decoder_architecture"]:  # the fields it then reads
            fields.update(num_kv_heads=rng.choice([1, fields["num_attention_heads"]]), parallel_attn=True)
        elif t == "falcon":
            fields["num_ln_in_parallel_attn"] = None
        if t in ROTARY:
            fields["rope_parameters"] = dict(fields["rope_parameters"],
                                             partial_rotary_factor=rng.choice([0.25, 0.5, 1.0]))
        if t == "smollm3":  # the interval's own list
            fields["no_rope_layers"] = None
        if t in ("roberta", "xlm-roberta"):
            fields["max_position_embeddings"] += fields["pad_token_id"] + 1
        _exact(fields, lm_head=t in ("roberta", "xlm-roberta", "distilbert") and rng.random() < 0.5)


@pytest.mark.parametrize("t", ["gpt_neox", "falcon", "qwen3", "cohere", "roberta"])
def test_verify_builds_the_class_the_file_names(t):
    """``flopdocs verify`` finds the class from our config alone (``--set`` may change it):
    the file it writes reads back as the same structure, the class is the type's."""
    cfg = _import(_shrunk(t))
    name, fields = hf_class(cfg)
    assert fields["model_type"] == t and name == type(_model(fields, cfg)).__name__


@pytest.mark.parametrize("t", ["gemma2", "gemma3_text", "smollm3", "modernbert"])
def test_verify_finds_the_class_of_a_stack_of_two_kinds(t):
    """Local and global (or NoPE and RoPE) blocks: the class verify builds counts as the file's."""
    fields = _shrunk(t, random.Random(3))
    fields.update({"num_hidden_layers": 2, "sliding_window": 3, "max_position_embeddings": 12})
    if t == "smollm3":
        fields["no_rope_layers"] = [1, 0]
    elif t == "modernbert":
        fields.update(layer_types=["full_attention", "sliding_attention"], local_attention=4)
    else:
        fields["layer_types"] = ["sliding_attention", "full_attention"]
    cfg = _import(fields)
    name, built = hf_class(cfg)
    assert built["model_type"] == t
    model = _model(built, cfg)
    assert parameters(cfg).total == sum(p.numel() for p in model.parameters())
    assert sum(our_counts(cfg, "forward").values()) == sum(
        torch_counts(model, {"input_ids": cfg.values["l"]}, "forward").values())


def test_verify_finds_gpt_neox_with_full_rotary():
    """A partial_rotary_factor of 1 is written out: GPT-NeoX's own default is 0.25."""
    fields = _shrunk("gpt_neox")
    fields["rope_parameters"] = dict(fields["rope_parameters"], partial_rotary_factor=1.0)
    cfg = _import(fields)
    assert "rotary_dim" not in cfg.knobs and hf_class(cfg)[1]["model_type"] == "gpt_neox"


@pytest.mark.parametrize("t", ["mt5", "umt5"])
def test_mt5_and_umt5_defaults_and_shrunk_copies_equal_pytorch(t):
    """mT5 reads as T5; UMT5 has a bias table in every block (bias_every_layer): its default
    172,122,112 is mT5's 172,119,424 + (8 − 1) · 2 stacks · 32 buckets · 6 heads = 2,688 more."""
    fields = _defaults(t)
    cfg = parse(hf.to_data(fields, f"<{t}>"), t)
    with torch.device("meta"):
        model = transformers.AutoModelForSeq2SeqLM.from_config(transformers.AutoConfig.for_model(**fields))
    assert parameters(cfg).total == sum(p.numel() for p in model.parameters()) == {
        "mt5": 172_119_424, "umt5": 172_119_424 + 7 * 2 * 32 * 6}[t]
    small = dict(fields, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_decoder_layers=1, num_heads=4,
                 vocab_size=97, relative_attention_num_buckets=8)
    _exact(small)
    if t == "umt5":  # verify finds UMT5's class from our config alone
        assert hf_class(_import(small))[1]["model_type"] == "umt5"
