"""Time on an accelerator: a roofline per leaf, the plan of a training run, and whether a
model fits.

- **Roofline** (Williams et al. 2009): a leaf takes max(FLOPs / peak, bytes / bandwidth),
  its FLOPs the true count (the structure's, whatever the convention), its bytes what it
  reads and writes (:class:`~flopdocs.structure.tree.IO`) at the activation dtype for
  N sequences, plus its weights once per pass (the batch shares them); leaves run one
  after another; ``devices`` split FLOPs and bytes evenly (tensor parallelism, no
  communication counted).  Attention reads the KV cache per query head, as an eager
  kernel that repeats the grouped K and V does (a fused GQA kernel reads n_kv heads).
- **Decode's compute-bound batch**: a step of B sequences is compute-bound from the
  smallest B with B·F / peak ≥ (B·A + W) / bandwidth, F the FLOPs, A the activation bytes
  (KV cache reads included) of one sequence's step and W the weight bytes:
  B* = ⌈W·peak / (F·bandwidth − A·peak)⌉, none when F·bandwidth ≤ A·peak.
- **Plan**: training FLOPs per token (each convention) × tokens = compute; wall time =
  compute / (devices · peak · MFU); device-hours = wall time · devices; cost =
  device-hours · price.
- **Fit**: serving fits when the weights and the KV cache fit in the devices' memory less
  the reserve; training when weights, gradients, optimizer states (ZeRO-3 over the
  devices) and one micro-batch's activations fit in one device's memory less the reserve.

Nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import ceil, floor

import sympy

from flopdocs import conventions
from flopdocs.config.arch import Arch
from flopdocs.counting import memory, modes, parallel
from flopdocs.counting.accelerators import ACCELERATORS, Accelerator
from flopdocs.errors import ConfigError
from flopdocs.structure.build import structure
from flopdocs.structure.tree import as_expr, walk

#: What fit leaves free of each device's memory: allocator, workspaces, CUDA context.
RESERVE = Fraction(1, 10)


def compute_peak(chip: Accelerator, dtype: str) -> float:
    """Dense FLOP/s of the matrix products at ``dtype``: the sheet's peak for it (fp32 at
    the FP32 peak, int8 at the int8 one); weight-only int4 computes in the chip's training
    format; a format the chip has no units for (fp8 on an A100) runs at that format too."""
    want = chip.dtype if dtype == "int4" else dtype
    try:
        return chip.peak(want).dense
    except KeyError:
        return chip.dense


def accelerator(name: str) -> Accelerator:
    chip = ACCELERATORS.get(name)
    if chip is None:
        raise ConfigError(f"unknown accelerator {name!r} (known: {', '.join(ACCELERATORS)})",
                          origin="--accelerator")
    return chip


@lru_cache(maxsize=None)
def _leaf_exprs(arch: Arch, decode: bool) -> tuple[tuple[str, str, object, object, object], ...]:
    """(name, role, FLOPs, activation elements moved, weight elements read) per leaf."""
    out = []
    for path, n in walk(structure(arch, decode)):
        if n.is_leaf:
            out.append(("/".join(path), n.role, n.value, n.io.reads + n.io.writes, n.io.weight_reads))
    return tuple(out)


@dataclass(frozen=True)
class Leaf:
    name: str
    role: str
    flops: int
    bytes: int
    seconds: float

    @property
    def intensity(self) -> float | None:
        return self.flops / self.bytes if self.bytes else None


@dataclass(frozen=True)
class Time:
    seconds: float  # the roofline: every leaf at its own bound
    compute_seconds: float  # all FLOPs at peak
    memory_seconds: float  # all bytes at the bandwidth
    flops: int
    bytes: int
    leaves: tuple[Leaf, ...]
    compute_bound_batch: int | None = None  # decode only
    decode: bool = False

    @property
    def intensity(self) -> float | None:
        """FLOPs per byte moved; None where no bytes are counted (training is timed at peak
        FLOP/s), never an infinity JSON cannot hold."""
        return self.flops / self.bytes if self.bytes else None

    @property
    def by_role(self) -> dict[str, dict]:
        """FLOPs, bytes, arithmetic intensity and roofline seconds of each role's leaves."""
        out: dict[str, dict] = {}
        for x in self.leaves:
            r = out.setdefault(x.role, {"flops": 0, "bytes": 0, "seconds": 0.0})
            r["flops"] += x.flops
            r["bytes"] += x.bytes
            r["seconds"] += x.seconds
        for r in out.values():
            r["intensity"] = r["flops"] / r["bytes"] if r["bytes"] else None
        return out

    def as_dict(self) -> dict:
        out = {"seconds": self.seconds, "compute_seconds": self.compute_seconds,
               "memory_seconds": self.memory_seconds, "flops": self.flops, "bytes": self.bytes,
               "intensity": self.intensity}
        if self.leaves:
            out["by_role"] = self.by_role
        if self.decode:
            out["compute_bound_batch"] = self.compute_bound_batch
        return out


def _value(expr, reps) -> int:
    r = as_expr(expr).xreplace(reps)
    if not r.is_Integer:
        raise ConfigError(f"evaluates to {r}, not a whole number")
    return int(r)


def roofline(config, dims: dict, decode: bool, s: memory.Settings, chip: Accelerator,
             devices: int = 1) -> Time:
    """One forward (or decode step) of N sequences at ``dims``, leaf by leaf."""
    reps = {k: sympy.Integer(v) for k, v in dims.items()}
    n = config.n_sequences
    act, wb = memory.dtype_bytes(s.dtype), memory.dtype_bytes(s.dtype)
    peak, bw = compute_peak(chip, s.dtype) * devices, chip.bandwidth_bytes_per_s * devices
    leaves, flops_total, bytes_total, a_total, w_total, f_one = [], 0, 0, 0, 0, 0
    for name, role, f, a, w in _leaf_exprs(config.arch, decode):
        fl, ae, we = _value(f, reps), _value(a, reps), _value(w, reps)
        moved = ceil(n * ae * act + we * wb)
        secs = max(n * fl / peak, moved / bw)
        leaves.append(Leaf(name, role, n * fl, moved, secs))
        flops_total += n * fl
        bytes_total += moved
        f_one += fl
        a_total += ae * act
        w_total += we * wb
    batch = None
    if decode:
        gap = Fraction(f_one) * Fraction(chip.bandwidth_bytes_per_s) - Fraction(a_total) * Fraction(compute_peak(chip, s.dtype))
        if gap > 0:
            batch = max(1, ceil(Fraction(w_total) * Fraction(compute_peak(chip, s.dtype)) / gap))
    return Time(sum(x.seconds for x in leaves), flops_total / peak, bytes_total / bw, flops_total,
                bytes_total, tuple(leaves), batch, decode)


def of_analysis(a, chip: Accelerator, devices: int = 1) -> Time | None:
    """The roofline time of an analysis's mode: forward and prefill one pass, decode one
    step; training its FLOPs at peak (compute-bound); generate: none (see prefill and
    decode)."""
    cfg, o, mode = a.config, a.options, a.mode
    s = memory.settings(o, mode)
    if mode == "decode":
        return roofline(cfg, modes.decode_dims(cfg, o.context), True, s, chip, devices)
    if mode == "prefill":
        return roofline(cfg, modes.prompt_config(cfg, o.prompt).dims, False, s, chip, devices)
    if mode == "forward":
        return roofline(cfg, cfg.dims, False, s, chip, devices)
    if mode.startswith("training"):
        secs = a.total / (compute_peak(chip, s.dtype) * devices)
        return Time(secs, secs, 0.0, a.total, 0, ())
    return None


# -- plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    convention: str
    per_token: Fraction | None
    flops: float | None
    seconds: float | None
    device_hours: float | None
    cost: float | None
    refused: str = ""


def plan(cfg, tokens: float, chip: Accelerator, devices: int, mfu: float, price: float | None,
         dtype: str = "bf16", first: str = conventions.DEFAULT) -> list[PlanRow]:
    from flopdocs.counting.analysis import analyse

    peak = Fraction(compute_peak(chip, dtype)) * devices * Fraction(mfu)
    names = [conventions.get(first).NAME] + [n for n in conventions.CONVENTIONS
                                              if n != conventions.get(first).NAME]
    out = []
    for name in names:
        try:
            a = analyse(cfg, name, "training")
        except ConfigError as e:
            out.append(PlanRow(name, None, None, None, None, None, e.reason))
            continue
        per_token = Fraction(a.total, a.tokens * cfg.n_sequences)
        compute = per_token * Fraction(tokens)
        secs = compute / peak
        hours = secs * devices / 3600
        out.append(PlanRow(name, per_token, float(compute), float(secs), float(hours),
                           None if price is None else float(hours * Fraction(price))))
    return out


# -- fit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    capacity: int  # bytes usable: devices · memory · (1 − reserve)
    weights: int
    serving_fits: bool
    kv_positions: int  # batch × context the KV cache can hold beside the weights (0: none)
    per_device_states: int  # training: weights, gradients, optimizer under ZeRO-3
    activations_per_sequence: int
    training_fits: bool
    micro_batch: int  # largest sequences of l tokens per device (0: does not fit)


def fit(cfg, chip: Accelerator, devices: int, s: memory.Settings) -> Fit:
    per_device = floor(chip.memory_bytes * (1 - RESERVE))
    capacity = per_device * devices
    w = memory.weight_bytes(cfg, s.dtype)
    per_position = memory.kv_cache_bytes(cfg, 1, s.kv, sequences=1)
    room = capacity - w
    positions = max(0, room // per_position) if per_position else 0
    whole = memory.footprint(cfg, "training", s)
    states = parallel.per_device(whole, parallel.Parallel(data=devices, zero=3))
    state_bytes = states.weights + states.gradients + states.optimizer
    act = memory.activation_bytes(cfg, s, sequences=1)
    micro = max(0, (per_device - state_bytes) // act) if act else 0
    return Fit(capacity, w, room > 0, positions, state_bytes, act, micro >= 1, micro)
