"""The Calculator page: which structures are compiled into it, and the JavaScript they become.

A cost tree's shape depends on the architecture keys (:class:`~flopdocs.config.arch.Arch`);
the dimensions are its polynomial's variables.  So the page carries one program per
structure, tree convention and part (a forward pass; a decoder's decode step):
:func:`flopdocs.counting.rows.every_leaf` compiles every leaf, the parameters and the
tokens into the straight-line form the Python side runs, and ``codegen_js`` prints it as
BigInt code (no formula by hand, nothing a reader types becomes code; the closed forms:
:mod:`flopdocs.site.pages.calculator_forms`).

Which structures (:func:`structures`): every catalogue model's, and every structure one of
the older families' fields away from theirs (where a config can reach it), about 360,
each a ``<script>`` of a few kB loaded only when a config needs it (``<script>`` works
from ``file://``, ``fetch`` does not).  Any other structure of those families is put
together from compiled pieces (:func:`composition`, :mod:`flopdocs.site.pieces`); a
config neither covers gets a message naming ``flopdocs report``, never a number.  Every
program and the pieces' table are kept in memory for the life of the process
(:func:`_made`, :func:`_composition`: ``serve``'s rebuilds, a test session), never on
disk: a program read back from a file would be code we did not compute reaching the page.

By hand in the page's script, held to the Python side by the index and by
``tests/test_site_calculator.py`` (the page against ``flopdocs report`` and
``import-hf``): the derived defaults of :data:`~flopdocs.config.keys.KEYS`,
:attr:`Config.arch`, the rules across keys, :mod:`flopdocs.config.hf`'s mapping.
:func:`assets` returns the generated files (``assets/calculator/index.js`` and one
``s-<hash>.js`` per distinct program); nothing here renders Markdown or writes files.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from typing import Any

import sympy

from flopdocs import conventions
from flopdocs.config.arch import OLDER_FIELDS, SEED, SPLITS, Arch
from flopdocs.compile.codegen_js import javascript
from flopdocs.compile.codegen import compile_exprs
from flopdocs.counting.accelerators import ACCELERATORS
from flopdocs.counting.modes import BACKWARD, MODES, SELECTIVE_ROLES
from flopdocs.counting.rows import MODE_ARGS, Counting, every_decode_leaf, every_leaf
from flopdocs.compile.compiled import tree_exprs
from flopdocs.site import pieces
from flopdocs.structure.build import structure
from flopdocs.structure.grouping import family_subtrees
from flopdocs.config.hf import FAMILIES, MODEL_TYPES, T5_DEFAULTS, T5_FFN
from flopdocs.config.hf_values import page_rules
from flopdocs.config.keys import (ARCHITECTURES, BLOCKS, FFNS, KEYS, MAX_INT, MIN_BUCKETS, NORM_POSITIONS,
                                  NORMS, POSITIONS, QK_NORMS, T5_BUCKETS, T5_RELATIVE, key_of)
from flopdocs.structure.roles import KINDS, ROLES
from flopdocs.structure.tree import Node, leaves
from flopdocs.errors import BuildError
from flopdocs.site.gather import SiteData
from flopdocs.site.pages import calculator_memory
from flopdocs.site.pages.calculator_forms import ARCH_FIELDS, PAGE_RECOMPUTE, check_script, closed_forms

PAGE = "calculator.md"
TITLE = "Calculator"
DIRECTORY = "assets/calculator"
#: The values each Arch field takes (the rest are bools).
_CHOICES = {"architecture": ARCHITECTURES, "ffn": FFNS, "norm": NORMS, "position": POSITIONS,
            "block": BLOCKS, "norm_position": NORM_POSITIONS, "qk_norm": QK_NORMS}


#: The config.json types the page's reader (site_src/assets/calculator-hf.js) reads; the
#: others import-hf reads (MODEL_TYPES) it names and refuses.
PAGE_MODEL_TYPES = ("gpt2", "llama", "mistral", "mixtral", "qwen2", "bert", "t5")
assert set(PAGE_MODEL_TYPES) <= set(MODEL_TYPES)


def reachable(a: Arch) -> bool:
    """Whether some config has this structure (:attr:`Config.arch` and the rules of
    :func:`flopdocs.config.config.parse`: the masked-LM transform counts only with an LM head,
    a window is not for encoder-decoders, an expert width needs experts).  A tie without
    an LM head is BERT's default: reachable."""
    enc_dec_variant = a.encoder_decoder and (
        (a.block, a.norm_position, a.qk_norm) != ("sequential", "pre", "none")
        or a.attn_softcap or a.logit_softcap or a.embedding_scale or a.residual_scale or a.logit_scale)
    return not ((a.lm_head_transform and not a.lm_head) or (a.windowed and a.encoder_decoder)
                or ((a.expert_width or a.shared_expert or a.router_bias) and not a.moe) or enc_dec_variant
                or (a.shared_expert_gate and not a.shared_expert)
                or ((a.q_lora or a.mla_absorb) and not a.mla)
                or (a.mla and (a.gqa or a.explicit_d_head or a.attn_bias or a.attn_out_bias or a.sinks
                               or a.position != "rope" or a.architecture != "decoder"))
                or (a.norm_position == "sandwich" and a.block != "sequential")
                or (a.lm_head_bias and (a.lm_head_transform or not a.lm_head))
                or (a.position_offset and a.position != "learned")
                or (a.partial_rotary and a.position != "rope") or (a.bias_every_layer and not a.t5_bias))


def older_family(a: Arch) -> bool:
    """Whether ``a`` has only the 2019-2024 families' fields (:data:`OLDER_FIELDS`), the rest
    as the seed's."""
    return a == dataclasses.replace(a, **{f: getattr(SEED, f) for f in ARCH_FIELDS if f not in OLDER_FIELDS})


def structures(data: SiteData) -> tuple[Arch, ...]:
    """The catalogue's structures, then every reachable one one field away, in order.

    "One field away" walks the 2019-2024 families' fields (:data:`OLDER_FIELDS`) from the
    structures that have only those: the 2026 zoo's structures (issue 21) are compiled as the
    catalogue has them, not their neighbours, so the grid grows by one program per new
    structure, not by ~35 (a neighbour of theirs is refused, naming ``flopdocs report``)."""
    base = list(dict.fromkeys(m.config.arch for m in data.models))
    out = dict.fromkeys(base)
    for a in base:
        for name in OLDER_FIELDS if older_family(a) else ():
            for value in _CHOICES.get(name, (False, True)):
                b = dataclasses.replace(a, **{name: value})
                if reachable(b):
                    out[b] = None
    return tuple(out)


def signature(a: Arch) -> str:
    """The structure's key in the page's table: its fields' values as a JSON array
    (what ``JSON.stringify`` of the same values in the same order writes); a stack's groups
    as ``[[[split, has], ...], start, end]`` each, as the page's ``layout`` makes them."""
    def plain(name: str):
        if name == "groups":
            return [[[[key, has] for key, has in g.traits], g.start, g.end] for g in a.groups]
        return getattr(a, name)

    return json.dumps([plain(f) for f in ARCH_FIELDS], separators=(",", ":"))


def _skeleton(t: Node) -> dict:
    if t.is_leaf:
        return {"n": t.name, "k": list(KINDS).index(t.kind), "r": list(ROLES).index(t.role)}
    return {"n": t.name, "c": [_skeleton(c) for c in t.children]}


def _js(value: Any) -> str:
    """Data as a JavaScript literal (JSON, ASCII, no ``</``)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")


def program(a: Arch, convention: str = conventions.DEFAULT, part: str = "forward") -> dict[str, Any]:
    """One structure's program and the data the page reads it with: a forward pass of one
    sequence (``part`` "forward") or one decode step scoring ``keys`` cached keys ("decode")."""
    if part == "decode":
        compiled, tree = every_decode_leaf(convention, a), conventions.get(convention).build(arch=a, decode=True)
    else:
        compiled, tree = every_leaf(Counting(convention), a), Counting(convention).tree(a)
    return {"keys": list(compiled.keys), "tree": _skeleton(tree),
            "groups": [list(p) for p in family_subtrees(tree)],
            "source": javascript(compiled.program.code)}


def _key_data(k) -> dict[str, Any]:
    plain = not (k.required or callable(k.default))
    return {"name": k.name, "type": k.type, "group": k.group, "choices": list(k.choices),
            "only": k.only, "required": k.required, "derived": callable(k.default),
            "default": k.default if plain else None, "default_doc": k.default_doc.replace("`", ""),
            "hf": {f: list(names) for f, names in k.hf.items()}}


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
    grid = tuple(a for a in grid if older_family(a))  # the 2019-2024 families' (the zoo's: their own programs)
    around = pieces.neighbours(grid, reachable, OLDER_FIELDS)
    tab = pieces.table(grid, around, structure, fields=OLDER_FIELDS,
                       fixed=tuple(f for f in ARCH_FIELDS if f not in OLDER_FIELDS))
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
    return ("forward", "decode") if a.architecture != "encoder" else ("forward",)  # a decoder's decode step too


def assets(data: SiteData) -> dict[str, str]:
    """``{path under the site: text}``: the index and one file per distinct program."""
    check_script()
    files: dict[str, str] = {}
    table: dict[str, dict[str, dict[str, str]]] = {}
    trees = [n for n, m in conventions.CONVENTIONS.items() if conventions.is_tree(m)]
    for a in structures(data):
        for convention in trees:
            for part in _parts(a):
                body = _made(a, convention, part)
                ident = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
                table.setdefault(convention, {}).setdefault(part, {})[signature(a)] = ident
                files[f"{DIRECTORY}/s-{ident}.js"] = (
                    "// Generated by flopdocs build (flopdocs/site/pages/calculator.py): one structure's counts.\n"
                    f"window.flopdocsCalculator.define({_js(ident)}, {body});\n")
    memory = calculator_memory.assets(structures(data), signature, files, DIRECTORY)  # one program a structure
    made = _composition(structures(data))
    for ident, body in made["bodies"].items():
        files[f"{DIRECTORY}/s-{ident}.js"] = (
            "// Generated by flopdocs build (flopdocs/site/pages/calculator.py): one piece's counts.\n"
            f"window.flopdocsCalculator.define({_js(ident)}, {body});\n")
    formulas, sources = closed_forms()
    index = {
        "convention": conventions.DEFAULT, "maxInt": str(MAX_INT),
        "keys": [_key_data(k) for k in KEYS if k.group != "metadata"],
        "archFields": list(ARCH_FIELDS), "kinds": list(KINDS), "roles": list(ROLES),
        "splits": [[s.key, s.first] for s in SPLITS],
        "t5": {"position": T5_RELATIVE, "buckets": T5_BUCKETS, "minBuckets": MIN_BUCKETS},
        "modelTypes": list(PAGE_MODEL_TYPES), "hfFamilies": list(FAMILIES), "hfRules": page_rules(),
        "t5Ffn": T5_FFN, "t5Defaults": T5_DEFAULTS,
        "structures": {c: {p: dict(sorted(t.items())) for p, t in parts.items()} for c, parts in table.items()},
        "pieces": made["tables"],
        "conventions": {n: {"title": m.TITLE, "modes": list(m.MODES), "tree": conventions.is_tree(m)}
                        for n, m in conventions.CONVENTIONS.items()},
        "formulas": formulas,
        "modes": list(MODES), "recompute": list(PAGE_RECOMPUTE), "backward": BACKWARD,
        "selective": sorted(SELECTIVE_ROLES),
        "accelerators": [{"name": x.name, "title": x.title, "dense": x.dense} for x in ACCELERATORS.values()],
        "memory": memory,
        "models": [{"slug": m.slug, "name": m.config.name, "config": _echo(m)} for m in data.models],
    }
    files[f"{DIRECTORY}/index.js"] = (
        "// Generated by flopdocs build (flopdocs/site/pages/calculator.py): the calculator's data.\n"
        f"window.flopdocsCalculator.data({_js(index)});\n"
        + "".join(f"window.flopdocsCalculator.formula({i}, {src});\n" for i, src in enumerate(sources)))
    return dict(sorted(files.items()))


@lru_cache(maxsize=None)
def _made(a: Arch, convention: str, part: str = "forward") -> str:
    """:func:`program` as :func:`_body`'s text, made once per structure in this process."""
    return _body(program(a, convention, part))


@lru_cache(maxsize=None)
def _composition(grid: tuple[Arch, ...]) -> dict[str, Any]:
    """:func:`composition`, made once per grid in this process (never on disk)."""
    return composition(grid)


def _body(p: dict[str, Any]) -> str:
    """A program as the arguments of the page's ``define``: keys, tree, groups, code."""
    return f"{_js(p['keys'])}, {_js(p['tree'])}, {_js(p['groups'])},\n{p['source']}"


def _echo(m) -> dict[str, Any]:
    """A model's config as the calculator's (text) fields hold it: every dimension, its architecture keys."""
    return {k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in m.config.echo().items()}


def context(data: SiteData) -> dict[str, Any]:
    """What the template shows: the keys by group, the models, the grid's size."""
    keys = [_key_data(k) for k in KEYS if k.group != "metadata"]
    return {**calculator_memory.template(), "dimensions": [k for k in keys if k["group"] == "dimension"],
            "architecture": [k for k in keys if k["group"] == "architecture"],
            "models": data.models, "n_structures": len(structures(data)),
            "n_models": len(data.models), "convention": conventions.DEFAULT,
            "conventions": [{"name": n, "title": m.TITLE} for n, m in conventions.CONVENTIONS.items()],
            "modes": MODES, "recompute": PAGE_RECOMPUTE, "accelerators": list(ACCELERATORS.values())}


def page(env, data: SiteData, cite=None) -> tuple[str, str]:
    """The Calculator page: its path and Markdown (no Cite box)."""
    return PAGE, env.get_template("calculator.md.j2").render(**context(data))
