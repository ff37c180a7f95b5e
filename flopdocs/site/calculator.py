"""The Calculator page: which structures are compiled into it, and the JavaScript they become.

A cost tree's shape depends on the architecture keys (:class:`~flopdocs.config.arch.Arch`); the
dimensions are its polynomial's variables.  So the page carries one program per
structure, compiled at build time under the default convention in the forward mode:
:func:`flopdocs.counting.rows.every_leaf` compiles the tree's every leaf, the parameters
(total, non-embedding, active) and the tokens per sequence into the straight-line form
the Python side runs, and :func:`flopdocs.compile.codegen_js.javascript` prints that form as
BigInt code.  No formula is written by hand, and nothing a reader types becomes code.

Which structures (:func:`structures`): every catalogue model's, and every structure one
architecture key away from one of them (one :class:`Arch` field changed to each of its
other values, where a config can reach it): a bounded grid, about 270 structures (about
240 distinct programs), the assets under 0.9 MB in all, each structure a ``<script>`` of
a few kB loaded only when the reader's config needs it (``<script>`` works from
``file://``, ``fetch`` does not).  A config outside the grid gets a message naming
``flopdocs report`` with its keys, never a number.  Compiling the grid is about 3.5 s of
CPU per build (the trees and their programs; ~13 ms a structure), and it grows with the
number of distinct structures in the catalogue, not with the number of models; each
program is kept between builds (:mod:`flopdocs.site.cache`, keyed by flopdocs' source
and the structure), so a rebuild reads them back in milliseconds.

What the page's script does by hand, and what holds it to the Python side: the defaults
that :data:`~flopdocs.config.keys.KEYS` computes from other keys (each marked ``derived`` in the
data; the script refuses to count if one has no rule), :attr:`Config.arch`, the rules
across keys of :mod:`flopdocs.config.config`, and :mod:`flopdocs.config.hf`'s mapping (the field
names read from ``KEYS``; T5's constants, its ``feed_forward_proj`` table and defaults
read from :mod:`flopdocs.config.keys` and :mod:`flopdocs.config.hf` through the index).  ``tests/test_site_calculator.py`` compares the page with
``flopdocs report`` on every catalogue model and random configs, and with
``import-hf`` on every ``config.json`` fixture.

:func:`assets` returns the generated files (build output, never committed):
``assets/calculator/index.js`` (the keys as :data:`~flopdocs.config.keys.KEYS` declares them,
the catalogue's configs, the structure table) and one ``assets/calculator/s-<hash>.js``
per distinct program.  The page's behaviour is ``site_src/assets/calculator.js``.
Nothing here renders Markdown or writes files.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from types import SimpleNamespace
from typing import Any

import sympy

from flopdocs import conventions
from flopdocs.config.arch import Arch
from flopdocs.compile.codegen_js import javascript
from flopdocs.compile.codegen import compile_exprs
from flopdocs.config import symbols as S
from flopdocs.conventions import formula
from flopdocs.conventions.formula import Model
from flopdocs.counting.accelerators import ACCELERATORS
from flopdocs.counting.modes import BACKWARD, MODES, RECOMPUTE, SELECTIVE_ROLES
from flopdocs.counting.rows import MODE_ARGS, Counting, every_decode_leaf, every_leaf
from flopdocs.compile.compiled import tree_exprs
from flopdocs.site import pieces
from flopdocs.structure.build import structure
from flopdocs.structure.tree import leaves
from flopdocs.structure.grouping import family_subtrees
from flopdocs.config.hf import FAMILIES, MODEL_TYPES, T5_DEFAULTS, T5_FFN
from flopdocs.config.keys import (ARCHITECTURES, FFNS, KEYS, MAX_INT, MIN_BUCKETS, NORMS, POSITIONS,
                                  T5_BUCKETS, T5_RELATIVE, key_of)
from flopdocs.structure.roles import KINDS, ROLES
from flopdocs.structure.tree import Node
from flopdocs.base.resources import SITE_SRC
from flopdocs.errors import BuildError
from flopdocs.site.cache import cached
from flopdocs.site.gather import SiteData

PAGE = "calculator.md"
TITLE = "Calculator"
DIRECTORY = "assets/calculator"
#: The values each Arch field takes (the rest are bools).
_CHOICES = {"architecture": ARCHITECTURES, "ffn": FFNS, "norm": NORMS, "position": POSITIONS}
ARCH_FIELDS = tuple(f.name for f in dataclasses.fields(Arch))


def reachable(a: Arch) -> bool:
    """Whether some config has this structure (:attr:`Config.arch` and the rules of
    :func:`flopdocs.config.config.parse`: the masked-LM transform counts only with an LM head,
    a window is not for encoder-decoders, an expert width needs experts).  A tie without
    an LM head is BERT's default: reachable."""
    return not ((a.lm_head_transform and not a.lm_head) or (a.windowed and a.encoder_decoder)
                or (a.expert_width and not a.moe))


def structures(data: SiteData) -> tuple[Arch, ...]:
    """The catalogue's structures, then every reachable one one field away, in order."""
    base = list(dict.fromkeys(m.config.arch for m in data.models))
    out = dict.fromkeys(base)
    for a in base:
        for name in ARCH_FIELDS:
            for value in _CHOICES.get(name, (False, True)):
                b = dataclasses.replace(a, **{name: value})
                if reachable(b):
                    out[b] = None
    return tuple(out)


def signature(a: Arch) -> str:
    """The structure's key in the page's table: its fields' values as a JSON array
    (what ``JSON.stringify`` of the same values in the same order writes)."""
    return json.dumps([getattr(a, f) for f in ARCH_FIELDS], separators=(",", ":"))


def _skeleton(t: Node) -> dict:
    if t.is_leaf:
        return {"n": t.name, "k": list(KINDS).index(t.kind), "r": list(ROLES).index(t.role)}
    return {"n": t.name, "c": [_skeleton(c) for c in t.children]}


def _js(value: Any) -> str:
    """Data as a JavaScript literal (JSON, ASCII, no ``</``)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")


def _compiled(a: Arch, convention: str, part: str):
    if part == "decode":
        return every_decode_leaf(convention, a), conventions.get(convention).build(arch=a, decode=True)
    counting = Counting(convention)
    return every_leaf(counting, a), counting.tree(a)


def program(a: Arch, convention: str = conventions.DEFAULT, part: str = "forward") -> dict[str, Any]:
    """One structure's program and the data the page reads it with: a forward pass of one
    sequence (``part`` "forward") or one decode step scoring ``keys`` cached keys ("decode")."""
    compiled, tree = _compiled(a, convention, part)
    return {"keys": list(compiled.keys), "tree": _skeleton(tree),
            "groups": [list(p) for p in family_subtrees(tree)],
            "source": javascript(compiled.program.code)}


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


def _key_data(k) -> dict[str, Any]:
    plain = not (k.required or callable(k.default))
    return {"name": k.name, "type": k.type, "group": k.group, "choices": list(k.choices),
            "only": k.only, "required": k.required, "derived": callable(k.default),
            "default": k.default if plain else None, "default_doc": k.default_doc.replace("`", ""),
            "hf": {f: list(names) for f, names in k.hf.items()}}


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


def _piece_program(node: Node, params: tuple) -> dict[str, Any]:
    """A piece's program: its leaves' FLOPs in pre-order, its parameters (total,
    non-embedding, active) and 1 (the place of a structure's tokens)."""
    outputs = [leaf.value for _, leaf in leaves(node)] + list(params) + [sympy.Integer(1)]
    order = [*(k.symbol for k in KEYS if k.symbol is not None), *MODE_ARGS]
    prog = compile_exprs(outputs, tree_exprs(node), order=order)
    return {"keys": [MODE_ARGS.get(x) or key_of(x) for x in prog.symbols], "tree": _skeleton(node),
            "groups": [], "source": javascript(prog.code)}


def composition(grid: tuple[Arch, ...]) -> dict[str, Any]:
    """The pieces a structure off the grid is put together from (:mod:`flopdocs.site.pieces`),
    for each tree convention: the table the page reads (each piece's path, the fields it
    depends on, and for each of their values the piece's program or none) and the programs.
    Every grid structure put together from the table is checked against its own tree
    (its leaves under each convention, its parameters): a mismatch fails the build."""
    around = pieces.neighbours(grid, reachable)
    tab = pieces.table(grid, around, structure)
    index = {sig: i for i, sig in enumerate(tab.pieces)}
    programs, bodies = {}, {}
    for name, conv in conventions.CONVENTIONS.items():
        if not conventions.is_tree(conv):
            continue
        ids = {}
        for sig, (a, path, _, params) in tab.pieces.items():
            counted = dict(pieces.split(conv.build(arch=a)))[path]
            body = _body(_piece_program(counted, params))
            ident = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
            bodies[ident], ids[sig] = body, ident
        for a in grid:  # put together from the table, each grid structure is its own tree
            pieces.check(a, tab)
            own = {p: n for p, n in leaves(conv.build(arch=a))}
            made = {}
            for sig in pieces.compose(a, tab):
                sa, sp = tab.pieces[sig][0], tab.pieces[sig][1]
                counted = dict(pieces.split(conv.build(arch=sa)))[sp]
                made.update({sp + p: n.value for p, n in leaves(counted)} if not counted.is_leaf
                            else {sp: counted.value})
            if {p: n.value for p, n in own.items()} != made:
                raise BuildError(f"the calculator's pieces do not put {a} together under {name}")
        programs[name] = [ids[sig] for sig in tab.pieces]
    return {"tables": {"order": [list(p) for p in tab.order],
                       "depends": [list(tab.depends[p]) for p in tab.order],
                       "choices": [{json.dumps(list(k), separators=(",", ":")): None if s is None else index[s]
                                    for k, s in sorted(tab.choices[p].items(), key=str)} for p in tab.order],
                       "programs": programs},
            "bodies": bodies}


def _parts(a: Arch) -> tuple[str, ...]:
    """The programs a structure needs: a forward pass, and a decode step for a decoder."""
    return ("forward", "decode") if a.architecture == "decoder" else ("forward",)


def assets(data: SiteData) -> dict[str, str]:
    """``{path under the site: text}``: the index and one file per distinct program."""
    check_script()
    files: dict[str, str] = {}
    table: dict[str, dict[str, dict[str, str]]] = {}
    trees = [n for n, m in conventions.CONVENTIONS.items() if conventions.is_tree(m)]
    for a in structures(data):
        for convention in trees:
            for part in _parts(a):
                body = cached("calculator", f"{convention} {part} {signature(a)}",
                              lambda a=a, c=convention, p=part: _body(program(a, c, p)))
                ident = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
                table.setdefault(convention, {}).setdefault(part, {})[signature(a)] = ident
                files[f"{DIRECTORY}/s-{ident}.js"] = (
                    "// Generated by flopdocs build (flopdocs/site/calculator.py): one structure's counts.\n"
                    f"window.flopdocsCalculator.define({_js(ident)}, {body});\n")
    grid = structures(data)
    made = json.loads(cached("calculator-pieces", json.dumps([signature(a) for a in grid]),
                             lambda: json.dumps(composition(grid), sort_keys=True)))
    for ident, body in made["bodies"].items():
        files[f"{DIRECTORY}/s-{ident}.js"] = (
            "// Generated by flopdocs build (flopdocs/site/calculator.py): one piece's counts.\n"
            f"window.flopdocsCalculator.define({_js(ident)}, {body});\n")
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
    index = {
        "convention": conventions.DEFAULT, "maxInt": str(MAX_INT),
        "keys": [_key_data(k) for k in KEYS if k.group != "metadata"],
        "archFields": list(ARCH_FIELDS), "kinds": list(KINDS), "roles": list(ROLES),
        "t5": {"position": T5_RELATIVE, "buckets": T5_BUCKETS, "minBuckets": MIN_BUCKETS},
        "modelTypes": list(MODEL_TYPES), "hfFamilies": list(FAMILIES),
        "t5Ffn": T5_FFN, "t5Defaults": T5_DEFAULTS,
        "structures": {c: {p: dict(sorted(t.items())) for p, t in parts.items()} for c, parts in table.items()},
        "pieces": made["tables"],
        "conventions": {n: {"title": m.TITLE, "modes": list(m.MODES), "tree": conventions.is_tree(m)}
                        for n, m in conventions.CONVENTIONS.items()},
        "formulas": formulas,
        "modes": list(MODES), "recompute": list(PAGE_RECOMPUTE), "backward": BACKWARD,
        "selective": sorted(SELECTIVE_ROLES),
        "accelerators": [{"name": x.name, "title": x.title, "dense": x.dense} for x in ACCELERATORS.values()],
        "models": [{"slug": m.slug, "name": m.config.name, "config": _echo(m)} for m in data.models],
    }
    files[f"{DIRECTORY}/index.js"] = (
        "// Generated by flopdocs build (flopdocs/site/calculator.py): the calculator's data.\n"
        f"window.flopdocsCalculator.data({_js(index)});\n"
        + "".join(f"window.flopdocsCalculator.formula({i}, {src});\n" for i, src in enumerate(sources)))
    return dict(sorted(files.items()))


def _body(p: dict[str, Any]) -> str:
    """A program as the arguments of the page's ``define``: keys, tree, groups, code."""
    return f"{_js(p['keys'])}, {_js(p['tree'])}, {_js(p['groups'])},\n{p['source']}"


def _echo(m) -> dict[str, Any]:
    """A model's config as the calculator's fields hold it: every dimension, and the
    architecture keys the model gives (as text: the fields are text)."""
    return {k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in m.config.echo().items()}


def context(data: SiteData) -> dict[str, Any]:
    """What the template shows: the keys by group, the models, the grid's size."""
    keys = [_key_data(k) for k in KEYS if k.group != "metadata"]
    return {"dimensions": [k for k in keys if k["group"] == "dimension"],
            "architecture": [k for k in keys if k["group"] == "architecture"],
            "models": data.models, "n_structures": len(structures(data)),
            "n_models": len(data.models), "convention": conventions.DEFAULT,
            "conventions": [{"name": n, "title": m.TITLE} for n, m in conventions.CONVENTIONS.items()],
            "modes": MODES, "recompute": PAGE_RECOMPUTE, "accelerators": list(ACCELERATORS.values())}
