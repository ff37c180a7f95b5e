"""Memory in bytes, exact for the definitions stated here, read from the tree's leaves.

Every leaf declares the elements it reads, writes and keeps for the backward pass
(:class:`~flopdocs.structure.tree.IO`, declared once per op in :mod:`flopdocs.structure.ops`);
this module multiplies them by the run's dtypes and adds the states a training run keeps.
The definitions (each term of :class:`Memory`):

- ``weights``: every parameter (:mod:`flopdocs.structure.params`, a tied table once) at the
  weight dtype; int4 is 4 bits a weight plus one fp16 scale per group of 128 weights
  (GPTQ, Frantar et al. 2023, and AWQ's group size; zero-points not counted): 33/64 byte;
- ``gradients`` (training): one per parameter at the weight dtype (ZeRO paper,
  Rajbhandari et al. 2020, section 3: 2Ψ bytes in fp16 mixed precision);
- ``optimizer`` (training), with an fp32 master copy of the weights (4 bytes each)
  whenever the weights are not fp32 (Micikevicius et al. 2018, mixed precision):
  ``adamw``: two fp32 moments (Loshchilov & Hutter 2019; ZeRO's K = 12 with the master
  copy); ``sgd``: one fp32 momentum buffer; ``adafactor``: the factored second moment,
  r + c fp32 numbers for an r × c matrix and n for a vector, no first moment (Shazeer &
  Stern 2018, sections 3 and 4, β₁ = 0);
- ``activations`` (training): the distinct tensors an eager implementation keeps for the
  backward pass, leaf by leaf, at the activation dtype, plus the token (and position) ids
  as int64; with ``attention="fused"`` each head keeps one fp32 log-sum-exp per query
  instead of its n_q × n_k probabilities (FlashAttention, Dao et al. 2022, Algorithm 2);
  with recompute ``selective`` the probabilities are not kept (Korthikanti et al. 2022,
  section 4.2), with ``full`` only each block's input is (section 4.1);
- ``kv_cache`` (prefill, decode, generate): K and V of every layer for the positions the
  mode holds, at the KV dtype: 2 · n_layers · n_kv · d_head · positions · N, positions
  capped by a window; an encoder-decoder's decoder layers hold their self-attention's
  target positions and their cross-attention's l_src source positions:
  2 · n_dec · n_kv · d_head · (positions + l_src) · N (Hugging Face's EncoderDecoderCache).

What it does not count: an allocator's rounding and fragmentation, kernels' workspaces,
communication buffers, the logits and the loss (the measured tensors are a forward's,
tests/test_torch_memory.py), mixed-precision casts (a bf16 model's fp32 softmax or norm
statistics: the definition is a model run at one activation dtype).  Nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import ceil
from typing import Any

import sympy

from flopdocs.config.arch import Arch
from flopdocs.counting import modes
from flopdocs.errors import ConfigError
from flopdocs.structure.build import structure
from flopdocs.structure.tree import IO, Node, as_expr, walk

#: Bytes per element of each dtype (int4: 4 bits and an fp16 scale per 128 weights).
DTYPES: dict[str, Fraction] = {
    "fp32": Fraction(4), "bf16": Fraction(2), "fp16": Fraction(2), "fp8": Fraction(1),
    "int8": Fraction(1), "int4": Fraction(1, 2) + Fraction(2, 128),
}
INDEX_BYTES = 8  # int64 token and position ids
#: fp32 optimizer states per parameter, beside the master copy (Adafactor's are factored).
MOMENT_BYTES = {"adamw": 8, "sgd": 4, "adafactor": 0}
OPTIMIZERS = ("adamw", "sgd", "adafactor")
ATTENTION = ("eager", "fused")
RECOMPUTE = ("none", "selective", "full", "layers")  # layers: as full (each block's input kept)
#: Roles whose kept tensors are the n_q × n_k probabilities (dropped by selective recompute).
SCORE_ROLES = frozenset({"attention-softmax"})


def dtype_bytes(name: str, flag: str = "--dtype") -> Fraction:
    if name not in DTYPES:
        raise ConfigError(f"must be one of {', '.join(DTYPES)}, got {name!r}", origin=flag)
    return DTYPES[name]


def check(optimizer: str, attention: str = "eager") -> None:
    if optimizer not in OPTIMIZERS:
        raise ConfigError(f"must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}", origin="--optimizer")
    if attention not in ATTENTION:
        raise ConfigError(f"must be one of {', '.join(ATTENTION)}, got {attention!r}", origin="--attention")


# -- symbolic sums over the tree ---------------------------------------------------------


def io_sum(tree: Node, keep=lambda leaf: True) -> IO:
    """The leaves' IO summed (symbolic), over the leaves ``keep`` accepts."""
    parts = [n.io for _, n in walk(tree) if n.is_leaf and keep(n)]
    return IO(*(sympy.Add(*[getattr(p, f) for p in parts]) for f in
                ("reads", "weight_reads", "writes", "saved", "saved_index")))


@lru_cache(maxsize=None)
def symbolic_io(arch: Arch, decode: bool = False) -> IO:
    """One sequence's forward, summed: elements read, written and kept."""
    return io_sum(structure(arch, decode))


@lru_cache(maxsize=None)
def symbolic_saved(arch: Arch, attention: str, recompute: str) -> tuple[Any, Any, Any]:
    """(elements kept at the activation dtype, fp32 elements kept, indices kept) for one
    sequence's forward under the attention kernel and the recompute rule."""
    tree = structure(arch)
    if recompute in ("full", "layers"):
        # each block keeps only its input (Korthikanti et al. 2022, section 4.1), what its
        # first leaf (the first norm) reads, plus what is outside the blocks (embeddings,
        # final norm, LM head); an encoder-decoder's stacks each so
        stacks = [n for _, n in walk(tree) if n.name in _STACKS]
        inside = sympy.Add(*[io_sum(s).saved for s in stacks])
        inputs = sympy.Add(*[s.times * sympy.Mul(*_first_leaf(s).op.shapes[0]) for s in stacks])
        return (sympy.expand(io_sum(tree).saved - inside + inputs), sympy.Integer(0),
                io_sum(tree).saved_index)
    drop = recompute == "selective" or attention == "fused"
    total = io_sum(tree)
    scores = io_sum(tree, lambda n: n.role in SCORE_ROLES) if drop else IO()
    lse = 0
    if attention == "fused" and recompute != "selective":
        # one fp32 log-sum-exp per query and head: the rows of each softmax
        lse = sympy.Add(*[n.io.writes / n.op.shapes[0][-1] for _, n in walk(tree)
                          if n.is_leaf and n.role in SCORE_ROLES and n.name == "/ sum"])
    return sympy.expand(total.saved - scores.saved), sympy.expand(lse), total.saved_index


_STACKS = ("Blocks", "EncoderBlocks", "DecoderBlocks")


def _first_leaf(t: Node) -> Node:
    while not t.is_leaf:
        t = t.children[0]
    return t


def evaluate(expr: Any, dims: dict) -> int:
    r = as_expr(expr).xreplace({s: sympy.Integer(v) for s, v in dims.items()})
    if not r.is_Integer:
        raise ValueError(f"evaluates to {r}, not a whole number")
    return int(r)


@lru_cache(maxsize=None)
def adafactor_elements(arch: Arch, within: str | None = None) -> Any:
    """Adafactor's factored second moment: r + c for every r × c matrix, n for a vector
    (a tensor of more dimensions is factored over its last two, Shazeer & Stern 2018);
    ``within``: only the weights below nodes of that name (the ``Experts``)."""
    out = []

    def rec(t: Node, factor: Any, inside: bool = within is None) -> None:
        factor = factor * t.param_copies if not t.is_leaf else factor
        inside = inside or t.name == within
        if t.is_leaf:
            for w in t.weights:
                if w.tied_to is None and inside:
                    shape = w.shape
                    size = shape[0] if len(shape) == 1 else sympy.Mul(*shape[:-2], shape[-2] + shape[-1])
                    out.append(factor * size)
            return
        for c in t.children:
            rec(c, factor, inside)

    rec(structure(arch), 1)
    return sympy.Add(*out)


# -- the footprint -----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The dtypes and the training rules memory is counted under."""

    dtype: str = "bf16"  # weights and activations
    kv_dtype: str | None = None  # default: dtype
    optimizer: str = "adamw"
    attention: str = "eager"
    recompute: str = "none"

    @property
    def kv(self) -> str:
        return self.kv_dtype or self.dtype

    def checked(self) -> "Settings":
        dtype_bytes(self.dtype)
        dtype_bytes(self.kv, "--kv-dtype")
        check(self.optimizer, self.attention)
        if self.recompute not in RECOMPUTE:
            raise ConfigError(f"must be one of {', '.join(RECOMPUTE)}, got {self.recompute!r}",
                              origin="--recompute")
        return self


@dataclass(frozen=True)
class Memory:
    weights: int
    gradients: int | None
    optimizer: int | None
    activations: int | None
    kv_cache: int | None

    @property
    def total(self) -> int:
        return sum(v for v in (self.weights, self.gradients, self.optimizer, self.activations,
                               self.kv_cache) if v is not None)

    def as_dict(self) -> dict[str, int | None]:
        return {"weights": self.weights, "gradients": self.gradients, "optimizer": self.optimizer,
                "activations": self.activations, "kv_cache": self.kv_cache, "total": self.total}


def _bytes(elements: int, per: Fraction) -> int:
    return ceil(elements * per)


@lru_cache(maxsize=None)
def symbolic_parameters(arch: Arch, within: str) -> Any:
    """The parameters below the nodes named ``within`` (``Experts``), symbolic."""
    from flopdocs.structure.params import symbolic
    tree = symbolic(arch).tree
    return sympy.Add(*[n.value for path, n in walk(tree) if n.is_leaf and within in path] if tree else [])


def parameters(config, within: str | None = None) -> int:
    """Every parameter, or (``within``) those below the nodes of that name (``Experts``)."""
    from flopdocs.structure.params import parameters as counted
    if within is None:
        return counted(config).total
    return evaluate(symbolic_parameters(config.arch, within), config.dims)


def weight_bytes(config, dtype: str, within: str | None = None) -> int:
    return _bytes(parameters(config, within), dtype_bytes(dtype))


def master_bytes(s: Settings) -> int:
    """The fp32 master copy's bytes per parameter: 4 unless the weights are fp32."""
    return 0 if s.dtype == "fp32" else 4


def optimizer_bytes(config, s: Settings, within: str | None = None) -> int:
    p = parameters(config, within)
    out = (master_bytes(s) + MOMENT_BYTES[s.optimizer]) * p
    if s.optimizer == "adafactor":
        out += 4 * evaluate(adafactor_elements(config.arch, within), config.dims)
    return out


def activation_bytes(config, s: Settings, sequences: int | None = None) -> int:
    """Bytes kept for backward by ``sequences`` sequences (default N) of l tokens."""
    kept, fp32, index = symbolic_saved(config.arch, s.attention, s.recompute)
    n = config.n_sequences if sequences is None else sequences
    dims = config.dims
    per = _bytes(evaluate(kept, dims), dtype_bytes(s.dtype)) + 4 * evaluate(fp32, dims) \
        + INDEX_BYTES * evaluate(index, dims)
    return n * per


def kv_elements(config, positions: int, sequences: int | None = None) -> int:
    """Numbers every layer caches for ``positions`` (a window holding at most w), N
    sequences: :func:`flopdocs.counting.modes.kv_cache_bytes` at one byte a number, the
    one declaration of what a layer caches."""
    n = config.n_sequences if sequences is None else sequences
    return modes.kv_cache_bytes(config, positions, 1) // config.n_sequences * n


def kv_cache_bytes(config, positions: int, dtype: str, sequences: int | None = None) -> int:
    """:func:`kv_elements` at the KV dtype."""
    return _bytes(kv_elements(config, positions, sequences), dtype_bytes(dtype, "--kv-dtype"))


def settings(options, mode: str) -> Settings:
    """The memory settings of :class:`flopdocs.counting.modes.Options`; recompute applies in
    training-recompute mode only."""
    return Settings(dtype=options.dtype, kv_dtype=options.kv_dtype, optimizer=options.optimizer,
                    attention=options.attention,
                    recompute=options.recompute if mode == "training-recompute" else "none")


def footprint(config, mode: str, s: Settings, positions: int | None = None) -> Memory:
    """The memory of ``mode``: training keeps gradients, optimizer states and activations;
    the inference modes the KV cache of ``positions`` (prefill P, decode C + 1, generate
    P + G); the forward pass only the weights."""
    w = weight_bytes(config, s.dtype)
    if mode.startswith("training"):
        grads = weight_bytes(config, s.dtype)
        return Memory(w, grads, optimizer_bytes(config, s), activation_bytes(config, s), None)
    if mode in ("prefill", "decode", "generate") and positions is not None:
        return Memory(w, None, None, None, kv_cache_bytes(config, positions, s.kv))
    return Memory(w, None, None, None, None)


def of(a) -> Memory:
    """The memory of an analysis (:class:`flopdocs.counting.analysis.Analysis`): its mode, its
    options' settings, its KV cache positions."""
    try:
        return footprint(a.config, a.mode, settings(a.options, a.mode), a.cache_positions)
    except ValueError as e:
        raise ConfigError(str(e), origin=a.config.origin) from None


def rules(a) -> dict:
    """What :func:`of` assumes (JSON's ``memory_rules``)."""
    s = settings(a.options, a.mode)
    return {"dtype": s.dtype, "kv_dtype": s.kv, "optimizer": s.optimizer, "attention": s.attention,
            "recompute": s.recompute}
