"""The Calculator page: which structures are compiled into it, and the JavaScript they become.

A cost tree's shape depends on the architecture keys (:class:`~flopdocs.config.arch.Arch`); the
dimensions are its polynomial's variables.  So the page carries one program per
structure, compiled at build time under the default convention in the forward mode:
:func:`flopdocs.counting.rows.every_leaf` compiles the tree's every leaf, the parameters
(total, non-embedding, active) and the tokens per sequence into the straight-line form
the Python side runs, and :func:`flopdocs.compile.codegen_js.javascript` prints that form as
BigInt code.  No formula is written by hand, and nothing a reader types becomes code.

Which structures (:func:`structures`): every catalogue model's, and every structure one
architecture key away from one of the older families' (one of their :class:`Arch` fields
changed to each of its other values, where a config can reach it): a bounded grid, about
360 structures (the 2026 zoo's compiled as the catalogue has them), each structure a ``<script>`` of
a few kB loaded only when the reader's config needs it (``<script>`` works from
``file://``, ``fetch`` does not).  A config outside the grid gets a message naming
``flopdocs report`` with its keys, never a number.  Compiling the grid is about 3.5 s of
CPU per build (the trees and their programs; ~13 ms a structure), and it grows with the
number of distinct structures in the catalogue, not with the number of models.  Each
program is kept in memory for the life of the process (:func:`_made`: ``serve``'s
rebuilds, a test session), never on disk: a program read back from a file would be code
we did not compute reaching the page, and checking one against its expressions costs
about as much as compiling it (measured: 1.2 s against 2.0 s for the grid).

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
from functools import lru_cache
from typing import Any

from flopdocs import conventions
from flopdocs.config.arch import OLDER_FIELDS, SEED, SPLITS, Arch
from flopdocs.compile.codegen_js import javascript
from flopdocs.counting.rows import Counting, every_leaf
from flopdocs.structure.grouping import family_subtrees
from flopdocs.config.hf import FAMILIES, MODEL_TYPES, T5_DEFAULTS, T5_FFN
from flopdocs.config.hf_values import page_rules
from flopdocs.config.keys import (ARCHITECTURES, BLOCKS, FFNS, KEYS, MAX_INT, MIN_BUCKETS, NORM_POSITIONS,
                                  NORMS, POSITIONS, QK_NORMS, T5_BUCKETS, T5_RELATIVE)
from flopdocs.structure.roles import KINDS, ROLES
from flopdocs.structure.tree import Node
from flopdocs.site.gather import SiteData

PAGE = "calculator.md"
TITLE = "Calculator"
DIRECTORY = "assets/calculator"
#: The values each Arch field takes (the rest are bools).
_CHOICES = {"architecture": ARCHITECTURES, "ffn": FFNS, "norm": NORMS, "position": POSITIONS,
            "block": BLOCKS, "norm_position": NORM_POSITIONS, "qk_norm": QK_NORMS}
ARCH_FIELDS = tuple(f.name for f in dataclasses.fields(Arch))


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


def structures(data: SiteData) -> tuple[Arch, ...]:
    """The catalogue's structures, then every reachable one one field away, in order.

    "One field away" walks the 2019-2024 families' fields (:data:`OLDER_FIELDS`) from the
    structures that have only those: the 2026 zoo's structures (issue 21) are compiled as the
    catalogue has them, not their neighbours, so the grid grows by one program per new
    structure, not by ~35 (a neighbour of theirs is refused, naming ``flopdocs report``)."""
    base = list(dict.fromkeys(m.config.arch for m in data.models))
    out = dict.fromkeys(base)
    for a in base:
        older = a == dataclasses.replace(a, **{f: getattr(SEED, f) for f in ARCH_FIELDS if f not in OLDER_FIELDS})
        for name in OLDER_FIELDS if older else ():
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


def program(a: Arch, convention: str = conventions.DEFAULT) -> dict[str, Any]:
    """One structure's program and the data the page reads it with."""
    counting = Counting(convention)
    compiled = every_leaf(counting, a)
    tree = counting.tree(a)
    return {"keys": list(compiled.keys), "tree": _skeleton(tree),
            "groups": [list(p) for p in family_subtrees(tree)],
            "source": javascript(compiled.program.code)}


def _key_data(k) -> dict[str, Any]:
    plain = not (k.required or callable(k.default))
    return {"name": k.name, "type": k.type, "group": k.group, "choices": list(k.choices),
            "only": k.only, "required": k.required, "derived": callable(k.default),
            "default": k.default if plain else None, "default_doc": k.default_doc.replace("`", ""),
            "hf": {f: list(names) for f, names in k.hf.items()}}


def assets(data: SiteData) -> dict[str, str]:
    """``{path under the site: text}``: the index and one file per distinct program."""
    files: dict[str, str] = {}
    table: dict[str, str] = {}
    for a in structures(data):
        body = _made(a, conventions.DEFAULT)
        ident = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
        table[signature(a)] = ident
        files[f"{DIRECTORY}/s-{ident}.js"] = (
            "// Generated by flopdocs build (flopdocs/site/calculator.py): one structure's counts.\n"
            f"window.flopdocsCalculator.define({_js(ident)}, {body});\n")
    index = {
        "convention": conventions.DEFAULT, "maxInt": str(MAX_INT),
        "keys": [_key_data(k) for k in KEYS if k.group != "metadata"],
        "archFields": list(ARCH_FIELDS), "kinds": list(KINDS), "roles": list(ROLES),
        "splits": [[s.key, s.first] for s in SPLITS],
        "t5": {"position": T5_RELATIVE, "buckets": T5_BUCKETS, "minBuckets": MIN_BUCKETS},
        "modelTypes": list(PAGE_MODEL_TYPES), "hfFamilies": list(FAMILIES), "hfRules": page_rules(),
        "t5Ffn": T5_FFN, "t5Defaults": T5_DEFAULTS, "structures": dict(sorted(table.items())),
        "models": [{"slug": m.slug, "name": m.config.name, "config": _echo(m)} for m in data.models],
    }
    files[f"{DIRECTORY}/index.js"] = (
        "// Generated by flopdocs build (flopdocs/site/calculator.py): the calculator's data.\n"
        f"window.flopdocsCalculator.data({_js(index)});\n")
    return dict(sorted(files.items()))


@lru_cache(maxsize=None)
def _made(a: Arch, convention: str) -> str:
    """:func:`program` as :func:`_body`'s text, made once per structure in this process."""
    return _body(program(a, convention))


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
            "n_models": len(data.models), "convention": conventions.DEFAULT}


def page(env, data: SiteData, cite=None) -> tuple[str, str]:
    """The Calculator page: its path and Markdown (no Cite box)."""
    return PAGE, env.get_template("calculator.md.j2").render(**context(data))
