"""Modes: which pass is counted, and the counting flags any tree convention can set.

- ``forward``: one forward pass over N sequences of l tokens;
- ``training``: forward + backward, the backward counted leaf by leaf from its kind
  (:data:`BACKWARD`): a matmul's backward is two matmuls (the gradients of both operands),
  2× its forward; an elementwise or transcendental step one multiply by its local
  derivative per element, 1×; a sum's gradient is a broadcast and a comparison's or a
  lookup's a selection, 0×;
- ``training-recompute``: plus what is recomputed (``--recompute``): ``full``, one more
  whole forward; ``selective``, only the attention-score leaves (Korthikanti et al. 2022:
  QKᵀ, softmax and the weighted sum of values); ``layers``, what activation checkpointing of
  the blocks runs (Hugging Face's ``gradient_checkpointing_enable()`` with PyTorch's
  non-reentrant checkpoint): each block's forward again, not the embeddings, final norm or
  LM head, and not the block's trailing down projection (its bias and the residual add
  after it), since nothing the backward saved needs its output: PyTorch stops recomputing
  once every saved tensor is back.  Counted with dropout 0: a dropout after the down
  projection saves a mask that needs it (and a mixture of experts' weighted mix saves
  each expert's output), so there the down projection is recomputed too;
- ``prefill``: the forward over a prompt of ``--prompt P`` tokens (default l);
- ``decode``: one new token per sequence whose queries score the KV cache of
  ``--context C`` tokens plus itself: min(C + 1, w) keys under a window w;
- ``generate``: prefill of P tokens, then ``--generate G`` decode steps, summed exactly.

An encoder-decoder's prefill is its forward over l_src source and P target tokens (default
l_tgt); its decode step the decoder alone over one target token, the cross-attention's K and
V read from the cache (as transformers' T5Attention with an EncoderDecoderCache).

Nothing here reads files or prints; :mod:`flopdocs.counting.analysis` puts it together.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sympy

from flopdocs.conventions.rules import SCORES
from flopdocs.structure.roles import ROLES
from flopdocs.errors import ConfigError, InputTypeError, shown
from flopdocs.config.keys import MAX_INT
from flopdocs.config.symbols import keys as cache_keys, keys_full, l as new_tokens
from flopdocs.structure.tree import Node, evaluate

MODES = ("forward", "training", "training-recompute", "prefill", "decode", "generate")
RECOMPUTE = ("full", "selective", "layers")
#: Blocks that ``--recompute layers`` recomputes -> the residual additions each has.
CHECKPOINTED = {"Block": 2, "DecoderBlock": 3}
#: FFN layers whose last matrix product (and what follows it) ``layers`` does not recompute.
TRAILING_FFN = ("PositionWiseFFN", "GatedFFN")
#: The backward pass as a multiple of the forward, by leaf kind (see the module's doc).
BACKWARD = {"matmul": 2, "elementwise": 1, "transcendental": 1, "reduction": 0,
            "comparison": 0, "lookup": 0}
#: What selective recomputation recomputes (Korthikanti et al. 2022, section 4.2).
SELECTIVE_ROLES = frozenset({"attention-scores", "attention-softmax", "attention-values"})


@dataclass(frozen=True)
class Options:
    """The counting flags and the mode's own numbers, as given (``None``: the default)."""

    scores: str = "dense"
    macs: bool = False
    recompute: str = "full"
    prompt: int | None = None
    context: int | None = None
    generate: int | None = None
    dtype_bytes: int = 2
    exclude: tuple[str, ...] | None = None  # roles left out; None: the convention's default
    # memory (flopdocs.counting.memory): not counting flags, not shown in ``rules``
    dtype: str = "bf16"  # weights and activations
    kv_dtype: str | None = None  # default: dtype
    optimizer: str = "adamw"
    attention: str = "eager"  # eager: the probabilities are kept; fused: a log-sum-exp

    def __post_init__(self) -> None:
        """Each field's type checked as a config value's is (one line, never counted as
        truthy: ``Options(macs="false")`` is refused, not a MAC count); the ranges are
        :func:`check`'s."""
        if type(self.macs) is not bool:
            raise InputTypeError(f"Options(macs=...): expected True or False, got {shown(self.macs)}")
        for name in ("scores", "recompute"):
            if not isinstance(getattr(self, name), str):
                raise InputTypeError(f"Options({name}=...): expected a name (str), got {shown(getattr(self, name))}")
        for name in ("prompt", "context", "generate", "dtype_bytes"):
            value = getattr(self, name)
            if value is not None and type(value) is not int:
                raise InputTypeError(f"Options({name}=...): expected a whole number (int), got {shown(value)}")

    def resolved(self, config, mode: str) -> "Options":
        """Defaults filled in from the config: the prompt is l (an encoder-decoder's
        target: l_tgt), the context one less, G 1."""
        length = config.get("l_tgt") if config.is_encoder_decoder else config["l"]
        prompt = self.prompt if self.prompt is not None else length
        context = self.context if self.context is not None else length - 1
        return replace(self, prompt=prompt, context=context,
                       generate=self.generate if self.generate is not None else 1)

    def shown(self, mode: str, tree_convention: bool) -> dict[str, Any]:
        """JSON's ``rules``: the flags that apply, and the mode's numbers."""
        out: dict[str, Any] = {}
        if tree_convention:
            out.update(scores=self.scores, macs=self.macs)
        if mode == "training-recompute":
            out["recompute"] = self.recompute
        if self.exclude:
            out["exclude"] = list(self.exclude)
        if mode in ("prefill", "generate"):
            out["prompt"] = self.prompt
        if mode == "decode":
            out["context"] = self.context
        if mode == "generate":
            out["generate"] = self.generate
        if mode in ("prefill", "decode", "generate"):
            out["dtype_bytes"] = self.dtype_bytes
        return out


def roles_of(text: str) -> tuple[str, ...]:
    """``--exclude``'s text: roles separated by commas; ``none`` leaves nothing out (checked
    by :func:`check`)."""
    return () if text.strip() == "none" else tuple(r.strip() for r in text.split(",") if r.strip())


def check(mode: str, options: Options) -> None:
    """One-line errors for a mode or flag outside its range."""
    if mode not in MODES:
        raise ConfigError(f"must be one of {', '.join(MODES)}, got {mode!r}", origin="--mode")
    if options.scores not in SCORES:
        raise ConfigError(f"must be one of {', '.join(SCORES)}, got {options.scores!r}", origin="--scores")
    if options.recompute not in RECOMPUTE:
        raise ConfigError(f"must be one of {', '.join(RECOMPUTE)}, got {options.recompute!r}",
                          origin="--recompute")
    if options.exclude is not None and not (isinstance(options.exclude, tuple)
                                            and all(isinstance(r, str) for r in options.exclude)):
        raise ConfigError(f"must be a tuple of roles, got {options.exclude!r}", origin="--exclude")
    for role in options.exclude or ():
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r} (roles: {', '.join(ROLES)})", origin="--exclude")
    for flag, value, least in (("--prompt", options.prompt, 1), ("--context", options.context, 0),
                               ("--generate", options.generate, 1), ("--dtype-bytes", options.dtype_bytes, 1)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"must be a whole number, got {value!r}", origin=flag)
        if not least <= value <= MAX_INT:
            raise ConfigError(f"must be from {least} to 2**53, got {value}", origin=flag)


def backward(tree: Node) -> Node:
    """The backward pass of a forward tree: each leaf × :data:`BACKWARD` of its kind."""
    if tree.is_leaf:
        return replace(tree, value=BACKWARD[tree.kind] * tree.value)
    return replace(tree, children=tuple(backward(c) for c in tree.children))


def without(tree: Node, roles) -> Node | None:
    """``tree`` without the leaves whose role is in ``roles`` (``--exclude``); ``None`` when
    nothing is left."""
    if tree.is_leaf:
        return None if tree.role in roles else tree
    kept = tuple(c for c in (without(c, roles) for c in tree.children) if c is not None)
    return replace(tree, children=kept) if kept else None


def recomputed(tree: Node, how: str) -> Node | None:
    """What recomputation runs again: the whole forward, its attention-score leaves, or
    each checkpointed block's forward but its trailing down projection (see the module's doc)."""
    if how == "full":
        return tree
    if how == "layers":
        return _checkpointed(tree, None)
    if tree.is_leaf:
        return tree if tree.role in SELECTIVE_ROLES else None
    kept = tuple(c for c in (recomputed(c, how) for c in tree.children) if c is not None)
    return replace(tree, children=kept) if kept else None


def _checkpointed(t: Node, block: str | None) -> Node | None:
    """``--recompute layers`` below ``t`` (inside the block ``block``, if any)."""
    if block is None and t.layer in CHECKPOINTED:
        block = t.layer
    if t.is_leaf:
        if block is None:
            return None
        if t.role == "residual":  # the last residual addition is not recomputed
            adds = CHECKPOINTED[block]
            return replace(t, value=sympy.expand(t.value * sympy.Rational(adds - 1, adds)))
        return t
    if t.layer == "MixtureOfExperts":  # the weighted mix saves each expert's output: all again
        return t
    if block is not None and t.layer in TRAILING_FFN:
        last = max(i for i, c in enumerate(t.children) if c.is_leaf and c.kind == "matmul")
        kept = t.children[:last]
    else:
        kept = t.children
    kept = tuple(c for c in (_checkpointed(c, block) for c in kept) if c is not None)
    return replace(t, children=kept) if kept else None


def training(forward: Node, mode: str, how: str) -> Node:
    """The training tree: ``forward``, ``recompute`` (with recomputation) and ``backward``."""
    parts = [Node(name="forward", children=forward.children, layer=forward.layer)]
    if mode == "training-recompute":
        again = recomputed(forward, how)
        if again is not None:
            parts.append(Node(name="recompute", children=again.children, layer=forward.layer))
    parts.append(Node(name="backward", children=backward(forward).children, layer=forward.layer))
    return Node(name=forward.name, children=tuple(parts))


def prompt_config(config, prompt: int):
    length = "l_tgt" if config.is_encoder_decoder else "l"  # an encoder-decoder's prompt: its target
    return config if prompt == config.get(length) else config.with_values({length: prompt}, config.origin)


def windowed(config, positions: int) -> int:
    """Of ``positions`` tokens, the ones attended to (and cached): all, or the last ``window``."""
    window = config.get("window")
    return positions if window is None else min(positions, window)


def decode_keys(config, context: int) -> int:
    """Keys one decode step scores: the cache of ``context`` tokens and the new one, capped
    by the window."""
    return windowed(config, context + 1)


def decode_dims(config, context: int) -> dict:
    """A decode step's values: one new token, the keys it scores (a global block of a stack
    with local ones: every cached key and itself)."""
    return {**config.dims, new_tokens: 1, cache_keys: decode_keys(config, context),
            keys_full: context + 1}


def decode_sum(tree: Node, config, first_context: int, steps: int) -> Node:
    """``steps`` decode steps from context ``first_context`` on, summed exactly: each leaf
    is linear in the keys scored, a + b·keys + c·keys_full (c: a global block's, 0 without
    one), so the sum is steps·a + b·Σ keys + c·Σ keys_full."""
    base = {**config.dims, new_tokens: 1}
    one = evaluate(tree, {**base, cache_keys: 1, keys_full: 1})
    two = evaluate(tree, {**base, cache_keys: 2, keys_full: 1})
    full = evaluate(tree, {**base, cache_keys: 1, keys_full: 2})
    total_keys = sum_keys(config, first_context, steps)
    total_full = sum_keys(config, first_context, steps, window=None)

    def combine(a: Node, b: Node, c: Node) -> Node:
        if a.is_leaf:
            slope, slope_full = b.value - a.value, c.value - a.value
            return replace(a, value=steps * (a.value - slope - slope_full) + slope * total_keys
                           + slope_full * total_full)
        return replace(a, children=tuple(combine(x, y, z) for x, y, z in zip(a.children, b.children, c.children)))

    return combine(one, two, full)


_CONFIG_WINDOW = object()


def sum_keys(config, first_context: int, steps: int, window: Any = _CONFIG_WINDOW) -> int:
    """Σ over the steps of the keys scored: min(c + 1, w) for c = first .. first + steps − 1
    (``window``: the config's unless given; ``None``: every key)."""
    lo, hi = first_context + 1, first_context + steps  # keys of the first and last step
    if window is _CONFIG_WINDOW:
        window = config.get("window")
    if window is None or hi <= window:
        return (lo + hi) * steps // 2
    if lo >= window:
        return window * steps
    below = (lo + window - 1) * (window - lo) // 2  # steps lo .. window - 1
    return below + window * (hi - window + 1)


def cached_per_token(config) -> int:
    """Numbers one layer caches per position: K and V, 2·n_kv_heads·d_head; multi-head
    latent attention's latent and shared rotary key, kv_lora_rank + qk_rope_head_dim."""
    if config.get("kv_lora_rank") is not None:
        return config.get("kv_lora_rank") + config.get("qk_rope_head_dim")
    return 2 * config.get("n_kv_heads") * config.get("d_head")


def kv_bytes_per_key(config, dtype_bytes: int) -> int:
    """Every layer's cache for one position of one sequence: n_layers (an encoder-decoder's
    n_dec) · :func:`cached_per_token` · bytes (a window caps it: :func:`kv_cache_bytes`)."""
    return _cache_layers(config) * cached_per_token(config) * dtype_bytes


def _cache_layers(config) -> int:  # every block, or an encoder-decoder's decoder blocks
    return config.get("n_decoder_layers") if config.is_encoder_decoder else config["n_layers"]


def kv_cache_bytes(config, keys: int, dtype_bytes: int) -> int:
    """Every layer's cache for ``keys`` positions (:func:`cached_per_token` each), a
    windowed layer holding min(keys, w) positions; × bytes × N.  An encoder-decoder's decoder
    layers also cache the cross-attention's K and V of the l_src source positions."""
    window, n_layers = config.get("window"), _cache_layers(config)
    local = n_layers if window is None else config.get("window_layers")
    held = local * (keys if window is None else min(keys, window)) + (n_layers - local) * keys
    held += n_layers * config.get("l_src") if config.is_encoder_decoder else 0
    return cached_per_token(config) * held * dtype_bytes * config.n_sequences
