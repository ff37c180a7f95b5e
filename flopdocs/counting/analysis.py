"""One model under one convention and mode: the evaluated tree and its views, as plain data."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from flopdocs import conventions
from flopdocs.counting import modes
from flopdocs.structure import params as _params
from flopdocs.config.arch import Arch
from flopdocs.config.config import Config, past_the_table
from flopdocs.conventions import formula
from flopdocs.errors import ConfigError
from flopdocs.structure.grouping import by, family_subtrees, group, group_paths
from flopdocs.compile.compiled import evaluate
from flopdocs.base.memo import by_identity
from flopdocs.counting.modes import Options
from flopdocs.structure.tree import Node, fractions, names, repeat

#: The grouping the seed's analysis uses (In [74], In [75]).
SEED_GROUPS = ("Embeddings", "LayerNorm_Final", "LayerNorms", "PositionWiseFFN",
               "ScaledDotProductAttention")


@dataclass(frozen=True)
class Analysis:
    config: Config
    convention: str
    symbolic: Node | None  # per sequence, in the dimensions' symbols (None: a closed form, generate)
    mode: str = "forward"
    options: Options = field(default_factory=Options)  # resolved: the mode's numbers filled in

    @property
    def module(self):
        return conventions.get(self.convention)

    @cached_property
    def _evaluated(self) -> tuple[Node, int]:
        """(the tree for one sequence, an ``int`` at every leaf; the tokens it processes)."""
        cfg, o, mode = self.config, self.options, self.mode
        try:
            if not conventions.is_tree(self.module):
                return formula.tree(self.module, cfg, self.params, mode, o)
            if mode == "prefill":
                prompted = modes.prompt_config(cfg, o.prompt)
                return evaluate(self.symbolic, prompted.dims), prompted.tokens
            if mode == "decode":
                return evaluate(self.symbolic, modes.decode_dims(cfg, o.context)), 1
            if mode == "generate":
                prefill = symbolic_tree(self.module, modes.prompt_config(cfg, o.prompt).arch, "forward", o)
                first = evaluate(prefill, modes.prompt_config(cfg, o.prompt).dims)
                steps = modes.decode_sum(_decode_symbolic(self.module, cfg, o), cfg, o.prompt, o.generate)
                return Node(name=first.name, children=(
                    Node(name="prefill", children=first.children, layer=first.layer),
                    Node(name="decode", children=steps.children, layer=steps.layer))), \
                    modes.prompt_config(cfg, o.prompt).tokens + o.generate
            return evaluate(self.symbolic, cfg.dims), cfg.tokens
        except ValueError as e:
            raise ConfigError(str(e), origin=cfg.origin) from None

    @property
    def per_sequence(self) -> Node:
        """The tree evaluated for one sequence: an ``int`` at every leaf."""
        return self._evaluated[0]

    @property
    def tokens(self) -> int:
        """Tokens one sequence processes in this mode (l; P; 1 for a decode step; P + G;
        an encoder-decoder's source tokens too, l_src, in a forward, prefill or generate)."""
        return self._evaluated[1]

    @cached_property
    def tree(self) -> Node:
        """The tree for all N sequences (the seed's ``N *`` multiplier)."""
        n = self.config.n_sequences
        return self.per_sequence if n == 1 else repeat(self.per_sequence, n)

    @property
    def total(self) -> int:
        return self.tree.total

    @property
    def per_token(self) -> int:
        """FLOPs per token the mode processes, rounded down: one sequence's total over its
        tokens (l, or l_src + l_tgt for an encoder-decoder, in a forward pass)."""
        return self.per_sequence.total // self.tokens

    @cached_property
    def params(self) -> _params.Params:
        """Exact parameter counts (total, non-embedding, active) and their tree."""
        return _params.parameters(self.config)

    @cached_property
    def by_kind(self) -> dict[str, int] | None:
        """FLOPs (all N sequences) by kind of arithmetic, summing to :attr:`total`; ``None``
        for a closed form whose terms mix kinds."""
        return _by(self.tree, "kind")

    @cached_property
    def by_role(self) -> dict[str, int] | None:
        """FLOPs (all N sequences) by role in the model, summing to :attr:`total`; ``None``
        for a closed form whose terms mix roles (PaLM's 6·P, Megatron's layers)."""
        return _by(self.tree, "role")

    @property
    def rules(self) -> dict:
        """The counting flags and mode numbers that apply (JSON's ``rules``)."""
        return self.options.shown(self.mode, conventions.is_tree(self.module))

    @cached_property
    def excluded(self) -> dict[str, int]:
        """FLOPs (all N sequences) of each role left out (``--exclude``, or the convention's
        own: Kaplan's embedding and de-embedding rows), shown beside the total."""
        roles = self.options.exclude
        if not roles:
            return {}
        whole = analyse(self.config, self.convention, self.mode, replace(self.options, exclude=()))
        by_role = whole.by_role or {}
        return {r: by_role.get(r, 0) for r in roles}

    @property
    def cache_positions(self) -> int | None:
        """Positions the KV cache holds: prefill P, decode C + 1, generate P + G (or None);
        an encoder-decoder's target positions (its cross-attention cache adds l_src)."""
        o = self.options
        return {"prefill": o.prompt, "decode": o.context + 1, "generate": o.prompt + o.generate}.get(self.mode)

    @property
    def kv_cache_bytes(self) -> int | None:
        """The KV cache at :attr:`cache_positions`, ``--dtype-bytes`` a number."""
        keys = self.cache_positions
        return None if keys is None else modes.kv_cache_bytes(self.config, keys, self.options.dtype_bytes)

    @cached_property
    def memory(self):
        """Bytes by term at the options' dtypes (:func:`flopdocs.counting.memory.of`)."""
        from flopdocs.counting import memory
        return memory.of(self)

    def closed_forms(self) -> dict[str, int] | None:
        """Per-token forward FLOPs by the usual closed forms (:mod:`flopdocs.conventions.closed_forms`),
        ``{key: value}``; ``None`` for an encoder-decoder."""
        from flopdocs.conventions.closed_forms import estimates

        records = estimates(self)
        return None if records is None else {r.key: r.value for r in records}

    @cached_property
    def grouped_default(self) -> Node:
        """The grouped analysis: every largest subtree of one role family collapsed (the
        embeddings, the norms, the FFN, each head's attention)."""
        return group_paths(self.tree, family_subtrees(self.tree))

    def default_groups(self) -> tuple[str, ...]:
        """The names of the subtrees the grouped analysis collapses, in tree order."""
        return tuple(dict.fromkeys(p[-1] for p in family_subtrees(self.tree)))

    def fractions(self, tree: Node | None = None) -> Node:
        return fractions(self.tree if tree is None else tree, of=self.total)

    def grouped(self, keys) -> Node:
        keys = list(keys)
        known = names(self.tree)
        for k in keys:
            if k not in known or k == self.tree.name:
                example = ", ".join(self.default_groups())
                raise ConfigError(f"{k}: no such node (e.g. {example})", origin="--group")
        return group(self.tree, keys)


def _by(tree: Node, attribute: str) -> dict[str, int] | None:
    try:
        return by(tree, attribute)
    except ValueError:  # a leaf without one: a closed form's mixed term
        return None


def exclusions(conv, o: Options) -> tuple[str, ...]:
    """The roles left out: ``--exclude``'s, else the convention's own (``EXCLUDE``:
    Kaplan's Table 1 total leaves out the embedding and de-embedding rows)."""
    return tuple(o.exclude) if o.exclude is not None else tuple(getattr(conv, "EXCLUDE", ()))


def recompute_modes(conv) -> tuple[str, ...]:
    """The ``--recompute`` choices a convention defines (none without training-recompute)."""
    if "training-recompute" not in conv.MODES:
        return ()
    return getattr(conv, "RECOMPUTE", modes.RECOMPUTE)


@by_identity
def _without(tree: Node, roles: tuple[str, ...]) -> Node:
    kept = modes.without(tree, frozenset(roles))
    return kept if kept is not None else Node(name=tree.name, children=(), layer=tree.layer)


def symbolic_tree(conv, arch: Arch, mode: str, o: Options) -> Node:
    """A tree convention's symbolic tree of one sequence in the forward or a training mode,
    made once per structure, mode and flags."""
    forward = conv.build(arch=arch, scores=o.scores, macs=o.macs)
    roles = exclusions(conv, o)
    if roles:
        forward = _without(forward, roles)
    if mode in ("training", "training-recompute"):
        return _training(forward, mode, o.recompute if mode == "training-recompute" else None)
    return forward


@by_identity
def _training(forward: Node, mode: str, recompute: str | None) -> Node:
    """:func:`modes.training`, made once per forward tree (a structure's, cached by its
    convention), so the compiled form of the training tree is made once too."""
    return modes.training(forward, mode, recompute)


def _decode_symbolic(conv, cfg: Config, o: Options) -> Node:
    arch = replace(cfg.arch, windowed=cfg.get("window") is not None)
    step = conv.build(arch=arch, decode=True, scores=o.scores, macs=o.macs)
    roles = exclusions(conv, o)
    return _without(step, roles) if roles else step


def check(convention: str, mode: str, options: Options) -> None:
    """One-line errors for a convention, mode and flags that cannot go together, whatever
    the model (:func:`analyse`; ``flopdocs table`` before its first row)."""
    from flopdocs.counting import memory

    conv = conventions.get(convention)
    modes.check(mode, options)
    memory.settings(options, mode).checked()
    if mode not in conv.MODES:
        raise ConfigError(f"the {conv.NAME} convention does not define mode {mode} "
                          f"(it defines {', '.join(conv.MODES)})", origin="--mode")
    if mode == "training-recompute" and options.recompute not in recompute_modes(conv):
        raise ConfigError(f"the {conv.NAME} convention does not define --recompute "
                          f"{options.recompute} (it defines {', '.join(recompute_modes(conv))})",
                          origin="--recompute")
    if not conventions.is_tree(conv) and (options.scores != "dense" or options.macs):
        raise ConfigError(f"--scores and --macs apply to the tree conventions, not to "
                          f"{conv.NAME} (a closed form)", origin="--convention")


def refuse(config: Config, convention: str, mode: str, options: Options | None = None) -> None:
    """One-line errors for a model the convention or the mode cannot count; with the mode's
    numbers (``options``, resolved), positions past a learned table's rows too."""
    conv = conventions.get(convention)
    if config.is_encoder_decoder and mode in ("prefill", "decode", "generate") and not conventions.is_tree(conv):
        raise ConfigError(f"mode {mode} of an encoder-decoder is counted by the tree conventions, "
                          f"not by {conv.NAME}'s closed form", origin=config.origin)
    if config.get("architecture") == "encoder" and mode in ("decode", "generate"):
        raise ConfigError(f"mode {mode}: an encoder does not generate tokens one at a time",
                          origin=config.origin)
    if not conventions.is_tree(conv):
        reason = conv.refuses(config)
        if reason:
            raise ConfigError(reason, origin=config.origin, field=conv.NAME)
    if options is not None:
        _check_mode_positions(config, mode, options)


def _check_mode_positions(config: Config, mode: str, o: Options) -> None:
    """A learned position table has ``max_positions`` rows (given, or its default: l): a
    prompt, or a cache and its new token, fits in it.  ``generate``'s prompt is checked,
    not the positions its decode steps feed after it (the default prompt, l, fills the
    table)."""
    if config.get("position") != "learned" or config.get("max_positions") is None:
        return
    used = {"prefill": (o.prompt, f"--prompt {o.prompt}"),
            "decode": (o.context + 1, f"--context {o.context} and the new token ({o.context + 1} positions)"),
            "generate": (o.prompt, f"--prompt {o.prompt}")}.get(mode)
    rows = config.get("max_positions")
    if used is not None and used[0] > rows:
        raise ConfigError(past_the_table(f"{used[1]}:", rows), origin=config.origin)


def analyse(config: Config, convention: str = conventions.DEFAULT, mode: str = "forward",
            options: Options | None = None) -> Analysis:
    """``config`` counted by ``convention`` in ``mode``; a one-line ConfigError when the
    convention does not define the mode, or cannot count this model."""
    conv = conventions.get(convention)
    options = options or Options()
    check(convention, mode, options)
    o = replace(options.resolved(config, mode), exclude=exclusions(conv, options))
    refuse(config, convention, mode, o)
    if not conventions.is_tree(conv):
        return Analysis(config=config, convention=conv.NAME, symbolic=None, mode=mode, options=o)
    if mode == "decode":
        symbolic = _decode_symbolic(conv, config, o)
    elif mode == "generate":
        symbolic = None
    elif mode == "prefill":
        symbolic = symbolic_tree(conv, modes.prompt_config(config, o.prompt).arch, "forward", o)
    else:
        symbolic = symbolic_tree(conv, config.arch, mode, o)
    return Analysis(config=config, convention=conv.NAME, symbolic=symbolic, mode=mode, options=o)
