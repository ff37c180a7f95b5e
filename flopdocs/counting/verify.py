"""``flopdocs verify``: our matmul FLOPs and parameters beside PyTorch's, for the same model.

The Hugging Face class of a config is built from a config object on the ``meta`` device
(no weights, no memory), with eager attention (SDPA on CPU counts 0 FLOPs in
``torch.utils.flop_counter.FlopCounterMode``).  One forward over one sequence of ``l``
tokens (``training``: and the backward of the sum of its outputs) is counted by
FlopCounterMode, which counts matrix products only; we compare it with our
``by_kind["matmul"]`` under the default convention (``--scores dense``: what a masked
dense kernel computes).  Parameters: the sum of the unique tensors' ``numel()``.

Mixtral's experts: Hugging Face's eager experts pick each expert's tokens with
``nonzero`` (data-dependent, impossible on ``meta``) and its grouped path is not counted
by FlopCounterMode; so each experts module runs the eager path's matmuls with the
l·k (token, expert) pairs dealt round-robin: the products depend only on how many pairs
there are, not on which.

T5: transformers 5 always ties T5's LM head to the shared embedding (its
``tie_word_embeddings: false`` now only turns off the output scaling); the T5 v1.1
checkpoints have their own ``lm_head.weight``, as transformers 4 built them, so an untied
config gets its own (meta) LM head matrix.  Needs ``pip install 'flopdocs[verify]'`` (torch, transformers).
"""
from __future__ import annotations

import json
import re
import types
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flopdocs.base.text import aligned
from flopdocs.config.arch import OLDER_FIELDS, Arch
from flopdocs.counting.analysis import analyse
from flopdocs.counting.verify_moe import counted_as, round_robin_experts, zoo_class
from flopdocs.config.config import Config, ConfigError
from flopdocs.structure.tree import walk

INSTALL = ("verify needs PyTorch and transformers: pip install torch==2.13.0 (the CPU build) "
           "then pip install 'flopdocs[verify]'")
#: our roles and PyTorch's module names, grouped into the parts the table shows
PARTS = ("attention", "ffn", "head", "lm-head", "other")
_OURS = {"attention-projection": "attention", "attention-scores": "attention",
         "attention-values": "attention", "position": "attention", "ffn": "ffn", "router": "ffn",
         "head": "head", "lm-head": "lm-head"}
_THEIRS = ((r"pooler|predictions\.transform", "head"), (r"lm_head|predictions\.decoder", "lm-head"),
           (r"attn|attention|Attention", "attention"),
           (r"mlp|moe|experts|feed_forward|intermediate|\.output\b|ffn|DenseReluDense", "ffn"))
_T5_FFN = {"relu": "relu", "gelu": "gelu", "geglu": "gated-gelu", "swiglu": "gated-silu"}


def torch_modules():
    """(torch, transformers), or a one-line ConfigError saying how to install them."""
    try:
        import torch
        import transformers
    except ImportError:
        raise ConfigError(INSTALL) from None
    return torch, transformers


def hf_class(cfg: Config) -> tuple[str, dict[str, Any]]:
    """The Hugging Face model class and config fields of our config's structure: the
    families below, else the newer ones :mod:`flopdocs.counting.verify_zoo` matches."""
    from flopdocs.counting.verify_zoo import hf_class as newer

    a, v, k = cfg.arch, cfg.values, cfg.get
    found = zoo_class(cfg)  # the mixture-of-experts and latent-attention classes
    if found is not None:
        return found
    if a != dataclasses.replace(a, **{f.name: f.default for f in dataclasses.fields(Arch)
                                      if f.name not in OLDER_FIELDS}):
        found = newer(cfg)
        if found is None:
            raise ConfigError(f"{cfg.name}: no Hugging Face class has this structure", origin=cfg.origin)
        return found
    common = dict(vocab_size=v["n_vocab"], hidden_size=v["d_model"], num_hidden_layers=v["n_layers"],
                  num_attention_heads=v["n_heads"], intermediate_size=v["d_ff"])
    if a.architecture == "encoder" and a.position == "learned" and a.norm == "layernorm" \
            and not a.gated and a.attn_bias and a.attn_out_bias and a.ffn_bias and a.token_types \
            and a.pooler != a.lm_head and a.lm_head_transform == a.lm_head and a.tie_embeddings:
        return ("BertForMaskedLM" if a.lm_head else "BertModel",
                dict(common, model_type="bert", max_position_embeddings=k("max_positions"),
                     type_vocab_size=k("token_types"), hidden_act="gelu" if a.ffn == "gelu" else "relu"))
    if a.architecture == "decoder" and a.position == "learned" and a.norm == "layernorm" \
            and not a.gated and a.attn_bias and a.attn_out_bias and a.ffn_bias \
            and not (a.gqa or a.explicit_d_head or a.moe or a.windowed):
        return ("GPT2LMHeadModel" if a.lm_head else "GPT2Model",
                dict(model_type="gpt2", vocab_size=v["n_vocab"], n_embd=v["d_model"],
                     n_layer=v["n_layers"], n_head=v["n_heads"], n_inner=v["d_ff"],
                     n_positions=k("max_positions"), tie_word_embeddings=a.tie_embeddings,
                     activation_function="gelu_new" if a.ffn == "gelu" else "relu"))
    if a.architecture == "decoder" and a.position == "rope" and a.norm == "rmsnorm" and a.gated \
            and a.lm_head and not (a.groups or a.mla or a.shared_expert or a.router_bias or a.sinks):
        fields = dict(common, num_key_value_heads=k("n_kv_heads"), head_dim=k("d_head"),
                      max_position_embeddings=v["l"], tie_word_embeddings=a.tie_embeddings,
                      hidden_act="silu" if a.ffn == "swiglu" else "gelu_pytorch_tanh")
        if a.moe:
            if not (a.attn_bias or a.windowed or a.ffn_bias):
                return "MixtralForCausalLM", dict(fields, model_type="mixtral", sliding_window=None,
                                                  intermediate_size=k("d_ff_expert"),
                                                  num_local_experts=k("n_experts"),
                                                  num_experts_per_tok=k("experts_per_token"))
        elif a.attn_bias and not a.attn_out_bias and not a.windowed and not a.ffn_bias:
            return "Qwen2ForCausalLM", dict(fields, model_type="qwen2")
        elif a.windowed and not (a.attn_bias or a.ffn_bias):
            return "MistralForCausalLM", dict(fields, model_type="mistral", sliding_window=k("window"))
        elif not a.windowed and a.attn_bias == a.attn_out_bias:
            return "LlamaForCausalLM", dict(fields, model_type="llama", attention_bias=a.attn_bias,
                                            mlp_bias=a.ffn_bias)
    if a.architecture == "encoder-decoder" and a.t5_bias and a.norm == "rmsnorm" and a.lm_head \
            and not (a.attn_bias or a.attn_out_bias or a.ffn_bias or a.gqa or a.moe):
        return "T5ForConditionalGeneration", dict(
            model_type="t5", vocab_size=v["n_vocab"], d_model=v["d_model"], d_kv=k("d_head"),
            d_ff=v["d_ff"], num_layers=k("n_encoder_layers"), num_decoder_layers=k("n_decoder_layers"),
            num_heads=v["n_heads"], relative_attention_num_buckets=k("relative_buckets"),
            feed_forward_proj=_T5_FFN[a.ffn], tie_word_embeddings=a.tie_embeddings)
    found = newer(cfg)
    if found is None:
        raise ConfigError(f"{cfg.name}: no Hugging Face class has this structure (verify knows GPT-2, "
                          "BERT, Llama, Mistral, Mixtral, Qwen2, T5 and the types import-hf reads)",
                          origin=cfg.origin)
    return found


def build(cfg: Config, device: str = "meta"):
    """The Hugging Face model of ``cfg`` on ``device`` (the meta device: no memory), eager attention."""
    torch, transformers = torch_modules()
    name, fields = hf_class(cfg)
    model_type = fields.pop("model_type")
    hf_config = transformers.AutoConfig.for_model(model_type, **fields)
    with torch.device(device):
        model = getattr(transformers, name)._from_config(hf_config, attn_implementation="eager")
    for module in model.modules():
        if type(module).__name__.endswith("Experts") and hasattr(module, "gate_up_proj") \
                and type(module).__name__ != "Llama4TextExperts":  # Llama 4's run every expert
            module.forward = types.MethodType(round_robin_experts, module)
    if model_type in ("t5", "umt5") and not cfg.arch.tie_embeddings:  # see the module's docstring
        model.lm_head.weight = torch.nn.Parameter(torch.empty_like(model.lm_head.weight))
    return name, model


@dataclass(frozen=True)
class Check:
    model: str  # the Hugging Face class
    mode: str
    ours: dict[str, int]  # part -> matmul FLOPs
    theirs: dict[str, int]
    params: tuple[int, int]  # (ours, PyTorch's)
    notes: tuple[str, ...] = ()  # what the class computes beyond the model's own count

    @property
    def total(self) -> tuple[int, int]:
        return sum(self.ours.values()), sum(self.theirs.values())


def _part(module: str) -> str:
    for pattern, part in _THEIRS:
        if re.search(pattern, module):
            return part
    return "other"


def inputs(cfg: Config) -> dict[str, int]:
    """The model's token inputs and their lengths: ``l``, or l_src source and l_tgt target tokens."""
    if cfg.is_encoder_decoder:
        return {"input_ids": cfg.get("l_src"), "decoder_input_ids": cfg.get("l_tgt")}
    return {"input_ids": cfg.values["l"]}


def torch_counts(model, lengths: dict[str, int], mode: str) -> dict[str, int]:
    """FlopCounterMode's FLOPs of one sequence (``lengths``: each input's tokens), by part."""
    torch, _ = torch_modules()
    from torch.utils.flop_counter import FlopCounterMode

    ids = {name: torch.zeros((1, n), dtype=torch.long, device="meta") for name, n in lengths.items()}
    if "decoder_input_ids" in ids:
        ids["use_cache"] = False
    counter = FlopCounterMode(display=False)
    with counter:
        out = model(**ids)
        if mode == "training":
            tensors = [t for t in out.values() if isinstance(t, torch.Tensor) and t.is_floating_point()]
            sum(t.sum() for t in tensors).backward()
    counts = {name: sum(ops.values()) for name, ops in counter.get_flop_counts().items()}
    parts = dict.fromkeys(PARTS, 0)
    if mode == "forward":  # the shallowest module of each part (the backward's attribution
        # to modules is not reliable: FlopCounterMode tracks it by hooks; totals only)
        named = {n: _part(n) for n in counts if n != "Global"}
        for n, part in named.items():
            if part != "other" and not any(n.startswith(a + ".") and named[a] != "other" for a in named):
                parts[part] += counts[n]
    parts["other"] = counter.get_total_flops() - sum(parts.values())
    if counter.get_total_flops() == 0:
        raise ConfigError("FlopCounterMode counted 0 FLOPs (is attention eager?)")
    return parts


def our_counts(cfg: Config, mode: str) -> dict[str, int]:
    a = analyse(cfg, mode=mode)
    parts = dict.fromkeys(PARTS, 0)
    for _, n in walk(a.tree):
        if n.is_leaf and n.kind == "matmul":
            parts[_OURS.get(n.role, "other")] += int(n.value)
    return parts


def verify(cfg: Config, mode: str = "forward") -> Check:
    if mode not in ("forward", "training"):
        raise ConfigError(f"--mode {mode}: verify counts forward or training")
    if cfg.n_sequences != 1:
        cfg = cfg.with_values({"N": 1}, cfg.origin)
    name, model = build(cfg)
    theirs = torch_counts(model, inputs(cfg), mode)
    params = sum(p.numel() for p in model.parameters())
    from flopdocs.structure.params import parameters

    counted, note = counted_as(cfg, name)
    return Check(name, mode, our_counts(counted, mode), theirs, (parameters(cfg).total, params),
                 () if note is None else (note,))


def add_parser(sub) -> None:
    """The ``verify`` sub-command (kept here: cli.py stays argument parsing of the rest)."""
    v = sub.add_parser("verify", help="our matmul FLOPs and parameters beside PyTorch's "
                                      "(needs pip install 'flopdocs[verify]')")
    v.add_argument("model", nargs="?", help="a catalogue name or a YAML config path")
    v.add_argument("--hf", metavar="PATH", help="a Hugging Face config.json")
    v.add_argument("--mode", default="forward", choices=("forward", "training"))
    v.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a dimension, e.g. --set n_layers=2 (repeatable)")
    v.add_argument("--record", metavar="JSON", help="add PyTorch's counts to this fixtures file")
    v.set_defaults(func=command)


def command(args) -> str:
    from flopdocs.config import hf
    from flopdocs.config.inputs import apply_sets, resolve

    if (args.model is None) == (args.hf is None):
        raise ConfigError("verify: give a model (name or YAML path) or --hf PATH/config.json, not both")
    cfg = apply_sets(hf.load(args.hf) if args.hf is not None else resolve(args.model), args.set)
    torch_modules()
    check = verify(cfg, args.mode)
    if args.record:
        key = args.model or "hf:" + Path(args.hf).parent.name
        record(Path(args.record), " ".join([key, *args.set]), check)
    return table(cfg, check)


def table(cfg: Config, check: Check) -> str:
    torch, transformers = torch_modules()
    tokens = (f"{cfg.get('l_src')} source and {cfg.get('l_tgt')} target tokens" if cfg.is_encoder_decoder
              else f"{cfg.tokens} tokens")
    head = (f"{cfg.name}: {check.mode}, one sequence of {tokens}; {check.model} on the meta "
            f"device, eager attention (PyTorch {torch.__version__}, transformers "
            f"{transformers.__version__}, FlopCounterMode: matmul FLOPs)")
    rows = [("part", "flopdocs", "PyTorch", "difference")]
    for part in PARTS if check.mode == "forward" else ():
        ours, theirs = check.ours[part], check.theirs[part]
        if ours or theirs:
            rows.append((part, f"{ours:,}", f"{theirs:,}", f"{ours - theirs:+,}"))
    (o, t), (po, pt) = check.total, check.params
    rows += [("total matmul", f"{o:,}", f"{t:,}", f"{o - t:+,}"),
             ("parameters", f"{po:,}", f"{pt:,}", f"{po - pt:+,}")]
    if check.mode == "training":
        head += "; the backward's split by module is not reliable in FlopCounterMode: totals only"
    lines = [head, *aligned(rows, right=(1, 2, 3))]
    if cfg.arch.windowed:
        lines.append("window: both count what a masked dense kernel computes (every l × l score); "
                     "`report --scores exact` counts only the band")
    if check.model.startswith("T5") and not cfg.arch.tie_embeddings:
        lines.append("T5 untied (v1.1): its own LM head matrix, as the checkpoints have (transformers 5 "
                     "ties T5's always; only the output scaling follows tie_word_embeddings)")
    lines += check.notes
    if cfg.arch.moe and not check.notes:
        lines.append("experts: Hugging Face's eager experts' products, the l·k token-expert pairs "
                     "dealt round-robin (routing is data-dependent; the products depend on the count)")
    lines.append("difference: 0" if o == t and po == pt else "difference: NOT ZERO")
    return "\n".join(lines) + "\n"


def record(path: Path, key: str, check: Check) -> None:
    """Add ``check``'s PyTorch counts to the fixtures file (sorted keys, one file)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[f"{key} {check.mode}"] = {"model": check.model, "matmul": check.total[1],
                                   "params": check.params[1]}
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
