"""Memory per device under parallelism, and Korthikanti et al. 2022's per-layer closed form.

The footprint itself is :mod:`flopdocs.counting.memory`'s; this module only splits it
(each rule cited in :func:`per_device`) and states the paper's activation formula, which
tests/test_memory.py reconciles with the tree.  Nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from flopdocs.counting.memory import Memory, Settings, optimizer_bytes, weight_bytes
from flopdocs.errors import ConfigError

#: The subtree whose weights expert parallelism distributes (the routed experts).
EXPERTS = "Experts"


#: The ZeRO stages (Rajbhandari et al. 2020): 0 (none) to 3.
ZERO_STAGES = (0, 1, 2, 3)


@dataclass(frozen=True)
class Parallel:
    """Data (d), tensor (t), pipeline (p) and expert (e) parallel degrees and the ZeRO
    stage; the e expert-parallel ranks are carved out of the d data-parallel ones."""

    data: int = 1
    tensor: int = 1
    pipeline: int = 1
    zero: int = 0
    expert: int = 1


def expert_states(config, s: Settings) -> Memory:
    """The routed experts' own weights, gradients and optimizer states (training, bytes):
    what :func:`per_device` splits by the expert-parallel degree."""
    w = weight_bytes(config, s.dtype, EXPERTS)
    return Memory(w, w, optimizer_bytes(config, s, EXPERTS), None, None)


def check(config, par: Parallel) -> None:
    """One-line errors: e divides d (its ranks are data-parallel ranks) and the experts
    (each rank holds n_experts / e of them), Megatron-LM's constraints."""
    for name, value in (("--dp", par.data), ("--tp", par.tensor), ("--pp", par.pipeline), ("--ep", par.expert)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"must be a whole number at least 1, got {value!r}", origin=name)
    if par.zero not in ZERO_STAGES:
        *most, last = map(str, ZERO_STAGES)
        raise ConfigError(f"must be {', '.join(most)} or {last}, got {par.zero!r}", origin="--zero")
    if par.expert == 1:
        return
    experts = config.get("n_experts")
    if experts is None:
        raise ConfigError(f"expert parallelism needs experts (n_experts), got --ep {par.expert}", origin="--ep")
    if par.data % par.expert or experts % par.expert:
        raise ConfigError(f"{par.expert} must divide the data-parallel degree ({par.data}) and "
                          f"n_experts ({experts})", origin="--ep")


def of_analysis(a, par: Parallel) -> Memory:
    """An analysis's memory (:func:`flopdocs.counting.memory.of`) on one device under
    ``par`` (checked: :func:`check`), the experts' states apart in training."""
    from flopdocs.counting import memory

    check(a.config, par)
    experts = None
    if a.mode.startswith("training") and par.expert > 1:
        experts = expert_states(a.config, memory.settings(a.options, a.mode))
    return per_device(a.memory, par, experts)


def per_device(m: Memory, par: Parallel, experts: Memory | None = None) -> Memory:
    """Bytes on one device.  Rules: tensor and pipeline parallelism split the weights and
    their states t·p ways (Megatron-LM, Shoeybi et al. 2019: every matrix split t ways;
    the norms, replicated, are taken as split too: an upper bound on the saving of at
    most 2·d_model per norm); ZeRO over the d data-parallel ranks (Rajbhandari et al.
    2020, figure 1) splits the optimizer states (stage 1), the gradients too (2) and the
    weights too (3); activations split t ways with sequence parallelism (Korthikanti et
    al. 2022, section 4.2.2), and with 1F1B pipelining the first stage keeps p
    micro-batches of its n_layers / p layers, the activations of one micro-batch of
    every layer (section 4.2.3); the KV cache splits t·p ways (heads and layers).

    Expert parallelism (``experts``: the routed experts' states, :func:`expert_states`):
    the e ranks of an expert-parallel group each hold n_experts / e whole experts (GShard,
    Lepikhin et al. 2021, section 2.2; Megatron-Core MoE, ``--expert-model-parallel-size``),
    carved out of the d data-parallel ranks, so the experts' weights, gradients and
    optimizer states split e ways more, and their ZeRO sharding is over the d / e ranks
    of the expert-data-parallel group that hold the same experts (DeepSpeed-MoE,
    Rajbhandari et al. 2022, section 5; Megatron-Core's expert data parallelism, expert
    tensor parallelism taken equal to t); the rest as above.  Every split is rounded up."""
    mp = par.tensor * par.pipeline

    def split(v, ways):  # symbolic (an audit's count): the exact quotient
        if v is None:
            return None
        return v / ways if isinstance(v, sympy.Basic) or isinstance(ways, sympy.Basic) else -(-v // ways)

    def states(m: Memory, ways: int, data: int) -> tuple:
        z = par.zero
        return (split(m.weights, ways * (data if z >= 3 else 1)),
                split(m.gradients, ways * (data if z >= 2 else 1)),
                split(m.optimizer, ways * (data if z >= 1 else 1)))

    dense = states(m, mp, par.data)
    if experts is not None and par.expert > 1:
        rest = Memory(*(None if a is None else a - (b or 0) for a, b in
                        zip((m.weights, m.gradients, m.optimizer), (experts.weights, experts.gradients,
                                                                    experts.optimizer))), None, None)
        own = states(experts, mp * par.expert, par.data // par.expert)
        dense = tuple(None if a is None else a + b for a, b in zip(states(rest, mp, par.data), own))
    return Memory(*dense, activations=split(m.activations, par.tensor), kv_cache=split(m.kv_cache, mp))


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
