"""Memory from the tree beside PyTorch's own counters, on random small configs.

Each Hugging Face class is built on CPU at small width (fp32, eager attention, eval mode
so dropout keeps nothing) and measured:

- weights: the ``nbytes`` of its distinct parameters (fp32, and again in bf16);
- activations: the distinct storages saved for backward during one forward
  (``torch.autograd.graph.saved_tensors_hooks``; parameters left out), equal to ours
  except for what Hugging Face computes once per forward and keeps for every layer or
  sequence: the rotary tables cos and sin (2 · l · d_head fp32 numbers, which no leaf
  of ours keeps: our RotaryEmbedding is per layer) and GPT-2's position ids (l int64, one
  row for the batch): the difference is pinned exactly;
- KV cache: the ``nbytes`` of a DynamicCache's keys and values after a prefill (a
  sliding-window layer keeps w − 1 positions between steps, one fewer than a step reads);
- optimizer: ``torch.optim.AdamW``'s state after one step: its two moments are ours (8
  bytes a parameter in fp32, no master copy); torch adds one fp32 ``step`` scalar per
  parameter tensor (4 bytes each), not counted by us: pinned exactly.
"""
import random

import pytest

from flopdocs.config.config import parse
from flopdocs.counting import memory
from flopdocs.counting.verify import hf_class
from flopdocs.structure.params import parameters

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_verify import _random  # noqa: E402

FAMILIES = ("gpt2", "llama", "mistral", "qwen2")
FP32 = memory.Settings(dtype="fp32")


def _config(family, seed, batch):
    d = _random(family, random.Random(seed))
    if family == "gpt2":
        d["ffn"] = "relu"  # gelu maps to HF's gelu_new, a Python formula keeping many tensors
    d["N"] = batch
    return d, parse(d, f"<random {family} {seed}>")


def _model(cfg):
    name, fields = hf_class(cfg)
    model_type = fields.pop("model_type")
    hf = transformers.AutoConfig.for_model(model_type, **fields)
    torch.manual_seed(0)
    return getattr(transformers, name)._from_config(hf, attn_implementation="eager").eval()


def _saved_bytes(model, ids) -> int:
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    seen = {}

    def pack(x):
        s = x.untyped_storage()
        if s.data_ptr() not in params:
            seen.setdefault(s.data_ptr(), s.nbytes())
        return x

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda x: x):
        model(ids, use_cache=False)
    return sum(seen.values())


def _shared(d, cfg) -> int:
    """What Hugging Face keeps once per batch: GPT-2's position ids (l int64), a rope
    model's cos and sin tables (l · d_head fp32 each, one row for the batch)."""
    if d.get("position") != "rope":
        return 8 * d["l"]
    return 2 * d["l"] * cfg.get("d_head") * 4


@pytest.mark.parametrize("family", FAMILIES)
def test_weights_activations_kv_cache_and_adamw_equal_pytorch(family):
    for seed in range(3):
        d, cfg = _config(family, seed, batch=1 + seed % 2)
        model = _model(cfg)
        unique = {p.untyped_storage().data_ptr(): p for p in model.parameters()}
        assert sum(p.nbytes for p in unique.values()) == memory.weight_bytes(cfg, "fp32"), d

        ids = torch.randint(0, d["n_vocab"], (cfg.n_sequences, d["l"]))
        theirs = _saved_bytes(model, ids)
        assert theirs - memory.activation_bytes(cfg, FP32) == _shared(d, cfg), d

        with torch.no_grad():
            cache = model(ids, use_cache=True).past_key_values
        kv = sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)
        # a sliding-window cache keeps w - 1 positions between steps (the next token's own
        # K and V make the w its query scores); ours holds what a step reads: min(P, w)
        # (with w = 1 Hugging Face keeps every position: its slice [-(w - 1):] is [-0:])
        held = d["l"] if d.get("window", 1) == 1 else min(d["l"], d["window"] - 1)
        # K and V, every layer, n_kv heads of d_head, each position held, N sequences, fp32
        assert kv == 2 * d["n_layers"] * cfg.get("n_kv_heads") * cfg.get("d_head") * held * cfg.n_sequences * 4, d
        if held == min(d["l"], d.get("window", d["l"])):  # where the held positions are ours
            assert kv == memory.kv_cache_bytes(cfg, d["l"], "fp32"), d

        optimiser = torch.optim.AdamW(model.parameters())
        model(ids, use_cache=False)[0].sum().backward()
        optimiser.step()
        state = optimiser.state.values()
        moments = sum(s["exp_avg"].nbytes + s["exp_avg_sq"].nbytes for s in state)
        steps = sum(s["step"].nbytes for s in state)
        assert moments == memory.optimizer_bytes(cfg, FP32) == 8 * parameters(cfg).total
        assert steps == 4 * len(unique)  # torch's step scalars: the stated difference

        assert sum(p.nbytes for p in {p.untyped_storage().data_ptr(): p for p in
                                      model.to(torch.bfloat16).parameters()}.values()) \
            == memory.weight_bytes(cfg, "bf16")
