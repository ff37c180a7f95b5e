"""Memory per device under parallelism, and Korthikanti et al. 2022's per-layer closed form.

The footprint itself is :mod:`flopdocs.counting.memory`'s; this module only splits it
(each rule cited in :func:`per_device`) and states the paper's activation formula, which
tests/test_memory.py reconciles with the tree.  Nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass

from flopdocs.counting.memory import Memory



@dataclass(frozen=True)
class Parallel:
    """Data (d), tensor (t) and pipeline (p) parallel degrees and the ZeRO stage."""

    data: int = 1
    tensor: int = 1
    pipeline: int = 1
    zero: int = 0


def per_device(m: Memory, par: Parallel) -> Memory:
    """Bytes on one device.  Rules: tensor and pipeline parallelism split the weights and
    their states t·p ways (Megatron-LM, Shoeybi et al. 2019: every matrix split t ways;
    the norms, replicated, are taken as split too: an upper bound on the saving of at
    most 2·d_model per norm); ZeRO over the d data-parallel ranks (Rajbhandari et al.
    2020, figure 1) splits the optimizer states (stage 1), the gradients too (2) and the
    weights too (3); activations split t ways with sequence parallelism (Korthikanti et
    al. 2022, section 4.2.2), and with 1F1B pipelining the first stage keeps p
    micro-batches of its n_layers / p layers, the activations of one micro-batch of
    every layer (section 4.2.3); the KV cache splits t·p ways (heads and layers).
    Every split is rounded up."""
    mp = par.tensor * par.pipeline

    def split(v, ways):
        return None if v is None else -(-v // ways)

    z = par.zero
    return Memory(
        weights=split(m.weights, mp * (par.data if z >= 3 else 1)),
        gradients=split(m.gradients, mp * (par.data if z >= 2 else 1)),
        optimizer=split(m.optimizer, mp * (par.data if z >= 1 else 1)),
        activations=split(m.activations, par.tensor),
        kv_cache=split(m.kv_cache, mp),
    )


# -- Korthikanti et al. 2022's closed form ---------------------------------------------------


def korthikanti_layer(s: int, b: int, h: int, a: int, recompute: str = "none") -> int:
    """Activation bytes one transformer layer keeps in 16-bit training (Korthikanti et al.
    2022, "Reducing Activation Recomputation in Large Transformer Models", eq. 1 and
    section 4): 34·s·b·h + 5·a·s²·b with no recompute; 34·s·b·h with selective
    recompute; 2·s·b·h (the layer's input) with full recompute.  s: sequence length,
    b: micro-batch, h: hidden size, a: attention heads."""
    if recompute == "full":
        return 2 * s * b * h
    if recompute == "selective":
        return 34 * s * b * h
    return 34 * s * b * h + 5 * a * s * s * b
