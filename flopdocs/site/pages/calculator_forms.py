"""The Calculator page's closed forms and the check of its hand-written script.

A formula convention (``kaplan``, ``chinchilla``, ``palm``, ``megatron``, ``6N``) is
compiled from its own terms (:func:`closed_form`) into programs of the dimensions, the
parameters and a length; :func:`closed_forms` is what the page's index carries of them.
:func:`check_script` holds ``site_src/assets/calculator-checks.js`` to the package's
fields and derived keys.  Nothing here compiles a tree convention's structures
(:mod:`flopdocs.site.pages.calculator` does), renders Markdown or writes files.
"""
from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace
from typing import Any

import sympy

from flopdocs.base.resources import SITE_SRC
from flopdocs.compile.codegen import compile_exprs
from flopdocs.compile.codegen_js import javascript
from flopdocs.config import symbols as S
from flopdocs.config.arch import Arch
from flopdocs.config.keys import KEYS, key_of
from flopdocs import conventions
from flopdocs.conventions import formula
from flopdocs.conventions.formula import Model
from flopdocs.counting.modes import RECOMPUTE
from flopdocs.errors import BuildError

ARCH_FIELDS = tuple(f.name for f in dataclasses.fields(Arch))

#: The symbols a closed form's program takes beyond the config's keys.
_P_TOTAL, _P_REST, _P_ACTIVE, _SEQ = (sympy.Symbol(n, integer=True, positive=True)
                                      for n in ("P_total", "P_non_embedding", "P_active", "n_ctx"))
_CLOSED_ARGS = {_P_TOTAL: "params_total", _P_REST: "params_non_embedding", _P_ACTIVE: "params_active",
                _SEQ: "n"}
#: The recomputation rules the page counts (``layers`` needs the blocks' layer names).
PAGE_RECOMPUTE = tuple(r for r in RECOMPUTE if r in ("full", "selective"))


def _terms_program(terms) -> dict[str, Any]:
    values = [sympy.Integer(t.value) if isinstance(t.value, int) else t.value for t in terms]
    prog = compile_exprs(values, order=[*(k.symbol for k in KEYS if k.symbol is not None), *_CLOSED_ARGS])
    return {"terms": [{"name": t.name, "role": t.role, "kind": t.kind} for t in terms],
            "keys": [_CLOSED_ARGS.get(x) or key_of(x) for x in prog.symbols],
            "source": javascript(prog.code)}


def closed_form(conv, encoder_decoder: bool = False) -> dict[str, Any] | None:
    """A formula convention's terms as programs of the dimensions, the parameters (total,
    non-embedding, active) and a length ``n``: one sequence of ``n`` tokens
    (:func:`flopdocs.conventions.formula.sequence_terms`), what each recomputation rule runs
    again over it (:func:`~flopdocs.conventions.formula.recomputed`), and for a per-token form
    one token attending to ``n`` positions (decode).  ``None`` where a term is not a
    polynomial of them (6N's half of an encoder-decoder is rounded down): the page then
    counts nothing and names the command."""
    params = SimpleNamespace(total=_P_TOTAL, non_embedding=_P_REST, active=_P_ACTIVE)
    m = Model(S.l, S.d_model, S.d_ff, S.n_vocab, S.n_layers, S.n_heads, S.d_head, params,
              _SEQ, encoder_decoder)
    try:
        sequence = formula.sequence_terms(conv, m, _SEQ)
        return {"backward": conv.BACKWARD, "sequence": _terms_program(sequence),
                "recompute": {how: _terms_program(formula.recomputed(conv, sequence, how))
                              for how in PAGE_RECOMPUTE if "training-recompute" in conv.MODES},
                "token": _terms_program(conv.per_token(m, _SEQ)) if hasattr(conv, "per_token") else None}
    except TypeError:  # int() of a symbol: not a polynomial
        return None


def _refusals(conv) -> dict[str, str | None]:
    """What a formula convention says of an encoder-decoder and of a mixture of experts
    (its own ``refuses``, asked of the two)."""
    def asked(encoder_decoder: bool, experts: int | None) -> str | None:
        return conv.refuses(SimpleNamespace(is_encoder_decoder=encoder_decoder,
                                            get=lambda k: experts if k == "n_experts" else None))
    return {"encoder_decoder": asked(True, None), "moe": asked(False, 2)}


def closed_forms() -> tuple[dict[str, Any], list[str]]:
    """Each formula convention's entry of the page's index (what it refuses, its forms by
    architecture with each program's place in the sources, its default exclusion) and
    the programs' sources, in order."""
    formulas, sources = {}, []
    for n, m in conventions.CONVENTIONS.items():
        if conventions.is_tree(m):
            continue
        forms = {"decoder": closed_form(m), "encoder-decoder": closed_form(m, encoder_decoder=True)}
        entry = {"refuses": _refusals(m), "forms": {}, "exclude": list(getattr(m, "EXCLUDE", ()))}
        for arch, form in forms.items():
            if form is None:
                continue
            programs = {"sequence": form["sequence"], "token": form["token"],
                        **{f"recompute-{h}": p for h, p in form["recompute"].items()}}
            entry["forms"][arch] = {"backward": form["backward"], "programs": {}}
            for part, prog in programs.items():
                if prog is not None:
                    entry["forms"][arch]["programs"][part] = {"id": len(sources), "terms": prog["terms"],
                                                              "keys": prog["keys"]}
                    sources.append(prog["source"])
        formulas[n] = entry
    return formulas, sources


_SCRIPT = "assets/calculator-checks.js"


def check_script(text: str | None = None, fields: tuple[str, ...] | None = None) -> None:
    """The page's checks (``site_src/assets/calculator-checks.js``) against the package:
    its ``structure`` computes every :class:`Arch` field, its ``DERIVED`` the default of
    every key :data:`KEYS` derives from others.  A field or key added to the package and
    not to the script fails the build here, naming it, rather than leaving the page blank."""
    text = (SITE_SRC / _SCRIPT).read_text(encoding="utf-8") if text is None else text
    fields = ARCH_FIELDS if fields is None else fields
    try:
        body = text.split("function structure(", 1)[1].split("var a = {", 1)[1].split("};", 1)[0]
        derived = text.split("var DERIVED = {", 1)[1].split("\n  };", 1)[0]
    except IndexError:
        raise BuildError(f"site_src/{_SCRIPT}: its structure() or DERIVED table is not where the build "
                         f"reads them") from None
    known = set(re.findall(r"\b([a-z_]+):", body))
    missing = [f for f in fields if f not in known]
    if missing:
        raise BuildError(f"site_src/{_SCRIPT}: structure() does not compute the Arch field(s) "
                         f"{', '.join(missing)} (flopdocs/config/arch.py): add them there")
    rules = set(re.findall(r"^    ([a-z_]+): function", derived, re.M))
    unknown = [k.name for k in KEYS if callable(k.default) and k.name not in rules]
    if unknown:
        raise BuildError(f"site_src/{_SCRIPT}: DERIVED has no default for {', '.join(unknown)} "
                         f"(flopdocs/config/keys.py derives it): add it there")
