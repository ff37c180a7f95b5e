"""What a table counts, and the reference every row equals.

:class:`Counting` is a way of counting (a convention, a mode and its flags);
:func:`summary` compiles, once per structure and counting, the counts a row shows: the
mode's trees (a training tree; a prefill over ``P`` tokens; a decode step scoring
``keys`` keys; ``G`` decode steps summed from each leaf's values at 1 and 2 keys) as
polynomials in the config's keys and the mode's numbers (:data:`MODE_ARGS`).
:func:`reference_row` is the same row by the reference path
(:class:`~flopdocs.counting.analysis.Analysis`), what every row equals.  A closed-form convention
is not compiled: its rows are the reference's.  Nothing here reads files or writes rows
(:mod:`flopdocs.cli.table`) or walks a grid (:mod:`flopdocs.counting.sweep`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import sympy

from flopdocs import conventions
from flopdocs.counting import memory, memory_rows, modes
from flopdocs.structure import params as _params
from flopdocs.config import symbols as S
from flopdocs.counting.analysis import Analysis, analyse, check, exclusions, refuse, symbolic_tree
from flopdocs.config.arch import Arch
from flopdocs.compile.codegen import Program, compile_exprs
from flopdocs.compile.compiled import tree_exprs
from flopdocs.config.config import Config
from flopdocs.config.keys import BY_NAME, DIMENSION_KEYS, KEYS, KNOB_ORDER, key_of
from flopdocs.counting.modes import Options
from flopdocs.structure.roles import ROLES
from flopdocs.structure.tree import Node, leaves

#: Every dimension and architecture key, in the key table's order.
KEY_COLUMNS = (*DIMENSION_KEYS, *KNOB_ORDER)
COUNT_COLUMNS = ("params_total", "params_non_embedding", "params_active", "total", "per_token",
                 *(f"share_{r}" for r in ROLES))


#: The mode's own numbers a row shows (resolved per row: the prompt defaults to l, ...).
MODE_COLUMNS = {"prefill": ("prompt",), "decode": ("context",), "generate": ("prompt", "generate")}
#: The symbols a mode's programs take beyond the config's keys, and the names of their values.
PROMPT, STEPS, KEYS_SUMMED, FULL_SUMMED = (sympy.Symbol(n, integer=True, positive=True)
                                           for n in ("P", "G", "K", "K_full"))
MODE_ARGS = {S.keys: "keys", S.keys_full: "keys_full", PROMPT: "prompt", STEPS: "generate",
             KEYS_SUMMED: "keys_summed", FULL_SUMMED: "keys_full_summed"}


@dataclass(frozen=True)
class Counting:
    """How a table counts: a convention, a mode and the flags (:class:`~flopdocs.counting.modes.Options`).
    Checked when made (:func:`flopdocs.counting.analysis.check`): one line for a mode the convention
    does not define, or a flag it does not take."""

    convention: str = conventions.DEFAULT
    mode: str = "forward"
    options: Options = Options()

    def __post_init__(self) -> None:
        check(self.convention, self.mode, self.options)

    @property
    def module(self):
        return conventions.get(self.convention)

    @property
    def compiled(self) -> bool:
        """A tree convention's rows are compiled; a closed form's come from the reference."""
        return conventions.is_tree(self.module)

    @property
    def labels(self) -> dict[str, Any]:
        """The columns every row shares: the convention, the mode and the flags that apply
        (JSON's ``rules`` but the mode's numbers, which are :attr:`mode_columns`)."""
        shown = self.options.shown(self.mode, self.compiled)
        roles = exclusions(self.module, self.options)
        return {"convention": self.convention, "mode": self.mode,
                **{k: v for k, v in shown.items() if k in ("scores", "macs", "recompute")},
                **({"exclude": ",".join(roles)} if roles else {})}

    @property
    def mode_columns(self) -> tuple[str, ...]:
        return MODE_COLUMNS.get(self.mode, ())

    def positions(self, names: tuple[str, ...]) -> Callable[[tuple], int | None]:
        """A row's mode numbers (``names``) -> the positions its KV cache holds before the
        window: prefill P, decode C + 1, generate P + G (as Analysis.cache_positions)."""
        at = {n: i for i, n in enumerate(names)}
        if self.mode == "prefill":
            return lambda v: v[at["prompt"]]
        if self.mode == "decode":
            return lambda v: v[at["context"]] + 1
        if self.mode == "generate":
            return lambda v: v[at["prompt"]] + v[at["generate"]]
        return lambda v: None

    def check_row(self, config: Config) -> None:
        """The one-line error for a row this counting cannot count (read from ``config``:
        only what the mode needs, since a sweep tabulates this over the axes it reads)."""
        numbered = self.mode in MODE_COLUMNS  # a prompt or a context, checked against positions
        refuse(config, self.convention, self.mode, self.options.resolved(config, self.mode) if numbered else None)

    def structure(self, config: Config) -> Any:
        """What a row's program depends on beyond its numbers: the structure of each tree
        the mode evaluates (a prefill's windows are those of its prompt)."""
        arch, window = config.arch, config.get("window")
        if self.mode not in ("prefill", "decode", "generate"):
            return arch
        prompt = self.options.resolved(config, self.mode).prompt
        prefill = replace(arch, windowed=window is not None and window < prompt)
        decode = replace(arch, windowed=window is not None)  # as flopdocs.counting.analysis builds it
        return {"prefill": prefill, "decode": decode, "generate": (prefill, decode)}[self.mode]

    def mode_values(self, config: Config) -> dict[str, int]:
        """A row's values of the mode's numbers and of :data:`MODE_ARGS`."""
        o = self.options.resolved(config, self.mode)
        if self.mode == "prefill":
            return {"prompt": o.prompt}
        if self.mode == "decode":
            return {"context": o.context, "keys": modes.decode_keys(config, o.context),
                    "keys_full": o.context + 1}
        if self.mode == "generate":
            return {"prompt": o.prompt, "generate": o.generate,
                    "keys_summed": modes.sum_keys(config, o.prompt, o.generate),
                    "keys_full_summed": modes.sum_keys(config, o.prompt, o.generate, window=None)}
        return {}

    def analyse(self, config: Config) -> Analysis:
        return analyse(config, self.convention, self.mode, self.options)

    def tree(self, arch: Arch) -> Node:
        """The symbolic tree of one sequence in the forward or a training mode."""
        if self.mode not in ("forward", "training", "training-recompute"):
            raise ValueError(f"mode {self.mode}: its counts are not one tree in the config's keys")
        return symbolic_tree(self.module, arch, self.mode, self.options)

    def outputs(self, structure: Any) -> tuple[dict[str, list], Any, list]:
        """A structure's symbolic counts: each role's leaf values (one sequence), the tokens
        counted and every expression the reference checks is whole."""
        conv, o, mode = self.module, self.options, self.mode
        by_role: dict[str, list] = {r: [] for r in ROLES}

        def forward(arch: Arch) -> Node:
            return conv.build(arch=arch, scores=o.scores, macs=o.macs)

        left_out = exclusions(conv, o)

        def add(tree: Node, value=lambda v: v) -> None:
            for _, leaf in leaves(tree):
                if leaf.role not in left_out:
                    by_role[leaf.role].append(value(leaf.value))

        if mode in ("forward", "training", "training-recompute"):
            tree = self.tree(structure)
            add(tree)
            return by_role, tokens(structure), tree_exprs(tree)
        first = structure[0] if mode == "generate" else structure
        encoder_decoder = first.encoder_decoder
        # the prompt: an encoder-decoder's target tokens, after its l_src source tokens
        checks, prompt = [], {S.l_tgt if encoder_decoder else S.l: PROMPT}
        source = S.l_src if encoder_decoder else 0
        if mode in ("prefill", "generate"):
            tree = forward(first)
            add(tree, lambda v: _sub(v, prompt))
            checks += [_sub(e, prompt) for e in tree_exprs(tree)]
        if mode == "prefill":
            return by_role, source + PROMPT, checks
        step = conv.build(arch=structure if mode == "decode" else structure[1], decode=True,
                          scores=o.scores, macs=o.macs)
        if mode == "decode":  # one new token scoring ``keys`` keys
            add(step, lambda v: _sub(v, {S.l: 1}))
            return by_role, sympy.Integer(1), [_sub(e, {S.l: 1}) for e in tree_exprs(step)]
        # G steps, each leaf a + b·keys: G·a + b·Σ keys, from its values at 1 and 2 keys,
        # as flopdocs.counting.modes.decode_sum sums them
        # (and c·Σ keys_full: a global block's, in a stack with local ones)
        one, two = {S.l: 1, S.keys: 1}, {S.l: 1, S.keys: 2}
        if not any(S.keys_full in e.free_symbols for e in tree_exprs(step) if isinstance(e, sympy.Basic)):
            checks += [_sub(e, at) for e in tree_exprs(step) for at in (one, two)]
            add(step, lambda v: STEPS * (2 * _sub(v, one) - _sub(v, two))
                + (_sub(v, two) - _sub(v, one)) * KEYS_SUMMED)
            return by_role, source + PROMPT + STEPS, checks
        one, two = {**one, S.keys_full: 1}, {**two, S.keys_full: 1}
        full = {S.l: 1, S.keys: 1, S.keys_full: 2}
        checks += [_sub(e, at) for e in tree_exprs(step) for at in (one, two, full)]

        def summed(v):
            a, b, c = _sub(v, one), _sub(v, two), _sub(v, full)
            return STEPS * (3 * a - b - c) + (b - a) * KEYS_SUMMED + (c - a) * FULL_SUMMED
        add(step, summed)
        return by_role, source + PROMPT + STEPS, checks


def _sub(value: Any, at: dict) -> Any:
    return value.xreplace(at) if isinstance(value, sympy.Basic) else value


@dataclass(frozen=True)
class Summary:
    """One structure's counts, compiled: ``program.function(*args)`` returns each role's
    FLOPs for one sequence (in ROLES order: they sum to the total), the parameters (total,
    non-embedding, active) and the tokens per sequence, or None when the reference must
    answer (a value it checks is not whole)."""

    program: Program
    keys: tuple[str, ...]  # the config key (or the mode's value, MODE_ARGS) of each argument
    #: Where the program divides: its checks alone (None: not whole somewhere), and its
    #: arguments' keys; a table runs it over every row before writing the first.
    checker: Program | None = None
    checker_keys: tuple[str, ...] = ()

    @property
    def function(self) -> Callable[..., tuple[int, ...] | None]:
        return self.program.function


def tokens(arch: Arch) -> Any:
    """Tokens one sequence's forward pass processes (as ``Config.tokens``), symbolically."""
    return S.l_src + S.l_tgt if arch.encoder_decoder else S.l


@lru_cache(maxsize=None)
def summary(counting: Counting, structure: Any) -> Summary:
    """The compiled counts of a structure, once per structure and counting; after the
    tokens, what the memory columns need (:func:`flopdocs.counting.memory_rows.row_exprs`)."""
    by_role, counted, checks = counting.outputs(structure)
    arch = structure[0] if isinstance(structure, tuple) else structure
    extra = memory_rows.row_exprs(arch, memory.settings(counting.options, counting.mode), counting.mode)
    return _compile(structure, [sympy.Add(*v) if v else 0 for v in by_role.values()], counted, checks,
                    extra)


@lru_cache(maxsize=None)
def every_leaf(counting: Counting, arch: Arch) -> Summary:
    """As :func:`summary`, but the FLOPs are every leaf's, in the tree's pre-order (the
    site's calculator shows the whole breakdown): ``len(leaves)`` values, then the
    parameters (total, non-embedding, active) and the tokens per sequence.  The forward
    and training modes (a tree in the config's keys only)."""
    tree = counting.tree(arch)
    return _compile(arch, [leaf.value for _, leaf in leaves(tree)], tokens(arch), tree_exprs(tree))


@lru_cache(maxsize=None)
def every_decode_leaf(convention: str, arch: Arch) -> Summary:
    """As :func:`every_leaf`, for one decode step (one new token, ``l`` = 1) of a tree
    convention: every leaf's FLOPs in the cached ``keys`` it scores (:data:`MODE_ARGS`), the
    parameters, and 1 token.  ``arch`` is the decode structure (windowed when a window is
    given: :func:`flopdocs.counting.analysis.analyse`)."""
    step = conventions.get(convention).build(arch=arch, decode=True)
    one = {S.l: 1}
    return _compile(arch, [_sub(leaf.value, one) for _, leaf in leaves(step)], sympy.Integer(1),
                    [_sub(e, one) for e in tree_exprs(step)])


def _compile(structure: Any, flops: list, counted: Any, checks: list, extra: list = ()) -> Summary:
    p = _params.symbolic(structure[0] if isinstance(structure, tuple) else structure)
    outputs = [*flops, p.total, p.non_embedding, p.active, counted, *extra]
    checks = checks + (tree_exprs(p.tree) if p.tree is not None else [])
    order = [*(k.symbol for k in KEYS if k.symbol is not None), *MODE_ARGS]
    program = compile_exprs(outputs, checks, order=order)
    checker = compile_exprs([], [*outputs, *checks], order=order) if program.divides else None
    return Summary(program=program, keys=_keys(program), checker=checker,
                   checker_keys=() if checker is None else _keys(checker))


def _keys(program: Program) -> tuple[str, ...]:
    return tuple(MODE_ARGS.get(s) or key_of(s) for s in program.symbols)


def columns(counting: Counting) -> tuple[str, ...]:
    return ("name", *counting.labels, *KEY_COLUMNS, *counting.mode_columns, *COUNT_COLUMNS,
            *memory_rows.COLUMNS)


def reference_row(config: Config, counting: Counting) -> dict[str, Any]:
    """A row by the reference path (:class:`~flopdocs.counting.analysis.Analysis`): what every
    row equals.  Raises the reference's error for a config it cannot evaluate."""
    a = counting.analyse(config)
    total = a.total
    return {"name": config.name, **counting.labels, **_key_values(config),
            **{c: getattr(a.options, c) for c in counting.mode_columns},
            "params_total": a.params.total, "params_non_embedding": a.params.non_embedding,
            "params_active": a.params.active, "total": total, "per_token": a.per_token,
            **{f"share_{r}": None if a.by_role is None else a.by_role[r] / total for r in ROLES},
            **{c: v for c, v in zip(memory_rows.COLUMNS, a.memory.as_dict().values())}}


def _key_values(config: Config) -> dict[str, Any]:
    """Every key column's value: the config's, defaults filled in; None where it does not apply."""
    architecture = config.get("architecture")
    return {k: config.get(k) if BY_NAME[k].only in (None, architecture) else None for k in KEY_COLUMNS}
