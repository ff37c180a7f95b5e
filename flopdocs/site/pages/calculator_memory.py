"""The Calculator's memory and fit: one compiled program per structure, and the rules' data.

What a structure keeps is a polynomial in the config's keys, read from the same
declarations ``flopdocs report`` and ``flopdocs table`` read
(:func:`flopdocs.counting.memory_rows.row_exprs`: the kept elements under each attention
kernel and recomputation rule, Adafactor's factored moment, the KV cache's numbers per
position; :func:`flopdocs.counting.memory.symbolic_parameters`: the routed experts'
parameters for expert parallelism).  :func:`program` compiles them into one BigInt
program per structure (:data:`OUTPUTS` names its values, in order), as the FLOPs are.

:func:`rules` is the data the page turns those elements into bytes with, read from
:mod:`flopdocs.counting.memory`, :mod:`flopdocs.counting.parallel` and
:mod:`flopdocs.counting.timing`: each dtype's bytes as a fraction, the optimizer's fp32
states, the master copy's rule, the index bytes, fit's reserve, the accelerators' memory.
The combining itself (round each term up once, add; split per device; fit) is the page's
``memory`` function in ``site_src/assets/calculator.js``, as
:func:`flopdocs.counting.memory_rows.row_columns`, :func:`flopdocs.counting.parallel.per_device`
and :func:`flopdocs.counting.timing.fit` do it; ``tests/test_site_calculator.py`` holds
every figure to ``flopdocs report --format json`` and to :func:`~flopdocs.counting.timing.fit`.

Nothing here writes files or renders Markdown (:mod:`flopdocs.site.pages.calculator`).
"""
from __future__ import annotations

import itertools
from dataclasses import fields
from typing import Any

import sympy

from flopdocs.compile.codegen import compile_exprs
from flopdocs.compile.codegen_js import javascript
from flopdocs.config.arch import Arch
from flopdocs.config.keys import KEYS, key_of
from flopdocs.counting import memory, memory_rows, parallel, timing
from flopdocs.counting.accelerators import ACCELERATORS
from flopdocs.counting.modes import Options
from flopdocs.structure.params import symbolic

#: (attention, recompute) pairs, in the order of the program's training outputs.
TRAINING = tuple(itertools.product(memory.ATTENTION, memory.RECOMPUTE))
#: What each training pair gives (memory_rows.row_exprs's first four), and the rest.
KEPT = ("kept", "fp32", "index", "factored")
OUTPUTS = (*(f"{att}/{rec}/{x}" for att, rec in TRAINING for x in KEPT),
           "kv", "kv_full", "kv_fixed", "params", "expert_params", "expert_factored")


def outputs(a: Arch) -> list[Any]:
    """The symbolic values :data:`OUTPUTS` names, for one sequence of ``a``."""
    out: list[Any] = []
    for att, rec in TRAINING:
        s = memory.Settings(attention=att, recompute=rec, optimizer="adafactor")
        out += memory_rows.row_exprs(a, s, "training")[:len(KEPT)]
    out += memory_rows.row_exprs(a, memory.Settings(), "decode")[len(KEPT):]
    out += [symbolic(a).total, memory.symbolic_parameters(a, parallel.EXPERTS),
            memory.adafactor_elements(a, parallel.EXPERTS)]
    assert len(out) == len(OUTPUTS)
    return [sympy.sympify(x) for x in out]


def program(a: Arch) -> dict[str, Any]:
    """One structure's memory program: its argument keys and its BigInt source."""
    prog = compile_exprs(outputs(a), [], order=[k.symbol for k in KEYS if k.symbol is not None])
    return {"keys": [key_of(x) for x in prog.symbols], "source": javascript(prog.code)}


def _fraction(f) -> list[int]:
    return [f.numerator, f.denominator]


def rules() -> dict[str, Any]:
    """The page's memory data: the choices and defaults of each field (Options'), the
    bytes of each dtype, the optimizers' fp32 moments, the master copy per weight dtype,
    the index bytes, the parallel flags' range, fit's reserve and each accelerator's memory."""
    defaults = {f.name: f.default for f in fields(Options)}
    return {
        "outputs": list(OUTPUTS), "training": [list(p) for p in TRAINING],
        "dtypes": {d: _fraction(b) for d, b in memory.DTYPES.items()},
        "defaults": {k: defaults[k] for k in ("dtype", "optimizer", "attention")},
        "optimizers": list(memory.OPTIMIZERS), "attention": list(memory.ATTENTION),
        "moments": dict(memory.MOMENT_BYTES), "index": memory.INDEX_BYTES,
        "master": {d: memory.master_bytes(memory.Settings(dtype=d)) for d in memory.DTYPES},
        "zero": [0, 3], "reserve": _fraction(timing.RESERVE),
        "accelerators": {x.name: str(x.memory_bytes) for x in ACCELERATORS.values()},
    }
