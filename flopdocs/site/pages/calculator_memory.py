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

import hashlib
import itertools
import json
from dataclasses import fields
from functools import lru_cache
from typing import Any

from flopdocs.compile.codegen import compile_exprs
from flopdocs.compile.codegen_js import javascript
from flopdocs.config.arch import Arch
from flopdocs.config.keys import KEYS, key_of
from flopdocs.counting import memory, memory_rows, parallel, timing
from flopdocs.counting.accelerators import ACCELERATORS
from flopdocs.counting.modes import Options
from flopdocs.structure.params import symbolic
from flopdocs.structure.tree import as_expr

#: (attention, recompute) pairs, in the order of the program's training outputs.
TRAINING = tuple(itertools.product(memory.ATTENTION, memory.RECOMPUTE))
#: What each training pair gives (memory_rows.row_exprs's first four), and the rest.
KEPT = ("kept", "fp32", "index", "factored")
OUTPUTS = (*(f"{att}/{rec}/{x}" for att, rec in TRAINING for x in KEPT),
           "kv", "kv_full", "kv_fixed", "params", "expert_params", "expert_factored")

#: Labels of the memory block's rows (``report --format json``'s "memory" keys:
#: :meth:`flopdocs.counting.memory.Memory.as_dict`) and of the fit answer's figures
#: (:class:`flopdocs.counting.timing.Fit`'s fields): a term added there fails the build here.
_MEMORY_LABELS = {"weights": "weights", "gradients": "gradients", "optimizer": "optimizer states",
                  "activations": "activations kept for the backward", "kv_cache": "KV cache", "total": "total"}
_FIT_LABELS = {"capacity": "usable memory, all devices", "weights": "weights",
               "serving_fits": "serving fits", "kv_positions": "KV cache positions beside the weights (batch × context)",
               "per_device_states": "training states per device (ZeRO-3 over the devices)",
               "activations_per_sequence": "activations per sequence of l tokens",
               "training_fits": "training fits", "micro_batch": "largest micro-batch per device"}
MEMORY_TERMS = tuple((t, _MEMORY_LABELS[t]) for t in memory.Memory(0, None, None, None, None).as_dict())
FIT_FIGURES = tuple((f.name, _FIT_LABELS[f.name]) for f in fields(timing.Fit))


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
    return [as_expr(x) for x in out]


def program(a: Arch) -> dict[str, Any]:
    """One structure's memory program: its argument keys and its BigInt source."""
    prog = compile_exprs(outputs(a), [], order=[k.symbol for k in KEYS if k.symbol is not None])
    return {"keys": [key_of(x) for x in prog.symbols], "source": javascript(prog.code)}


@lru_cache(maxsize=None)
def body(a: Arch) -> str:
    """:func:`program` as the arguments of the page's ``define`` (keys, no tree, no groups,
    the function: its values are :data:`OUTPUTS`), made once per structure in this process."""
    p = program(a)
    return f"{json.dumps(p['keys'])}, null, [],\n{p['source']}"


def assets(grid, signature, files: dict[str, str], directory: str) -> dict[str, Any]:
    """The memory programs of the structures ``grid``, added to ``files`` (one per distinct
    program under ``directory``), and the page's index entry: :func:`rules` and each
    structure's program by its ``signature``."""
    programs = {}
    for a in grid:
        text = body(a)
        ident = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        programs[signature(a)] = ident
        files[f"{directory}/s-{ident}.js"] = (
            "// Generated by flopdocs build (flopdocs/site/pages/calculator_memory.py): one structure's memory.\n"
            f"window.flopdocsCalculator.define({json.dumps(ident)}, {text});\n")
    return {**rules(), "programs": dict(sorted(programs.items()))}


def template() -> dict[str, Any]:
    """What the page's template shows of memory: its fields' choices, the rows' labels."""
    return {"memory": rules(), "memory_terms": MEMORY_TERMS, "fit": FIT_FIGURES}


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
        "zero": [min(parallel.ZERO_STAGES), max(parallel.ZERO_STAGES)], "reserve": _fraction(timing.RESERVE),
        "accelerators": {x.name: str(x.memory_bytes) for x in ACCELERATORS.values()},
    }
