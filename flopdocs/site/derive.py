"""Derivations and anchors of a layer's page, computed from the cost tree's data.

A layer's page shows one section per operation of its symbolic example tree: the
leaf's :class:`~flopdocs.structure.tree.Op` (kind and operand shapes) gives the steps
"shape product → count → formula", each a LaTeX string made by sympy.  Every
section has an explicit anchor (:func:`flopdocs.structure.tree.anchor` of the op's name),
unique on its page.  Nothing here writes files or knows about Markdown.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import latex

from flopdocs import conventions
from flopdocs.structure.layers import LAYERS, Layer
from flopdocs.structure.tree import Node, anchor, as_expr
from flopdocs.errors import BuildError

#: Section ids every layer page uses itself; an operation never takes them.
RESERVED = ("computation", "operations", "total", "notes", "cite")

KIND_TEXT = {
    "matmul": "matrix product",
    "elementwise": "elementwise",
    "reduction": "reduction (sum)",
    "count": "counted by hand",
}


class DerivationError(BuildError):
    """The tree's data does not support a derivation (a core bug, not user input)."""


@lru_cache(maxsize=None)
def tex(expr) -> str:
    """sympy's LaTeX of an expression (ints included), once per expression: the models of
    one structure share their leaves' expressions."""
    return latex(as_expr(expr))


@lru_cache(maxsize=None)
def tex_expanded(expr) -> str:
    """:func:`tex` of the expression expanded, once per expression."""
    return tex(sympy.expand(expr))


def tex_lines(expr) -> str:
    """A long sum as an aligned block, one top-level term per line (display only)."""
    terms = as_expr(expr).as_ordered_terms()
    if len(terms) <= 3:
        return tex(expr)
    lines = [tex(terms[0])]
    for t in terms[1:]:
        s = tex(t)
        lines.append(f"&- {s[1:]}" if s.startswith("-") else f"&+ {s}")
    return "\\begin{aligned}\n& " + " \\\\\n".join(lines) + "\n\\end{aligned}"


def _factor(expr) -> str:
    s = tex(expr)
    return f"\\left({s}\\right)" if isinstance(as_expr(expr), sympy.Add) else s


def _product(factors) -> str:
    return " \\cdot ".join(_factor(f) for f in factors) if factors else "1"


def shape_tex(shape) -> str:
    return "(" + " \\times ".join(tex(d) for d in shape) + ")"


@dataclass(frozen=True)
class Section:
    """One node of a layer's page: an operation, a nested group, or a sub-layer."""

    path: tuple[str, ...]  # names from the layer's root
    node: Node
    anchor: str
    depth: int  # 0 for the layer's direct children
    kind: str  # "op", "group" (a nested subtree that is no layer) or "layer"
    steps: tuple[tuple[str, str], ...] = ()  # (label, LaTeX) rows of an aligned derivation
    link: str | None = None  # sub-layers: the slug of their page
    times: object = 1  # sub-layers: the repetition applied to them

    @property
    def formula(self) -> str:
        return tex_expanded(self.node.total)


def _steps(leaf: Node, multiplier) -> tuple[tuple[str, str], ...]:
    """The derivation rows of a leaf, checked against its value."""
    op = leaf.op
    if op is None:
        raise DerivationError(f"leaf {leaf.name!r} has no Op metadata")
    rows: list[tuple[str, str]] = []
    if op.form == "matmul":
        (m, k), (k2, n) = op.shapes
        macs = sympy.expand(m * k * n)
        base = 2 * macs
        rows.append(("\\text{shapes}", f"{shape_tex((m, k))}\\,{shape_tex((k2, n))}"))
        rows.append(("\\text{multiply-adds}",
                     f"{_product((m, n))} \\text{{ outputs}} \\times {_factor(k)} = {tex(macs)}"))
        rows.append(("\\text{FLOPs}", f"2 \\times {_factor(macs)} = {tex(base)}"))
    elif op.form in ("elementwise", "reduction"):
        shape = op.shapes[0] if op.shapes else ()
        elements = sympy.expand(sympy.Mul(*shape))
        per = op.per_element if op.form == "elementwise" else 1
        base = per * elements
        rows.append(("\\text{shape}", shape_tex(shape) if shape else "()"))
        rows.append(("\\text{elements}", f"{_product(shape)} = {tex(elements)}"))
        what = ("FLOP" if per == 1 else "FLOPs") + " per element" if op.form == "elementwise" \
            else "add per element reduced"
        rows.append(("\\text{FLOPs}", f"{per} \\text{{ {what}}} \\times {_factor(elements)} = {tex(base)}"))
    elif op.form == "count":
        base = leaf.value
        rows.append(("\\text{FLOPs}", tex(base)))
    else:
        raise DerivationError(f"leaf {leaf.name!r}: unknown op form {op.form!r}")
    if multiplier != 1:
        base = sympy.expand(multiplier * base)
        rows.append(("\\text{repeated}", f"{_factor(multiplier)} \\times \\ldots = {tex(base)}"))
    if sympy.expand(base - leaf.value) != 0:
        raise DerivationError(f"leaf {leaf.name!r}: derivation gives {base}, the tree holds {leaf.value}")
    return tuple(rows)


def example(layer: Layer) -> Node:
    """The layer's example instance, counted by the site's convention."""
    return conventions.applied(layer.example(), conventions.DEFAULT)


def sections(layer: Layer) -> tuple[Section, ...]:
    """The page's sections in tree order, with unique anchors.

    Anchors are assigned shallowest first: an op takes ``anchor(name)``; if that is
    taken (or reserved), ``anchor`` of its whole path; a clash beyond that is an error.
    """
    root = example(layer)
    found: list[tuple[tuple[str, ...], Node, int, object]] = []

    def rec(t: Node, path: tuple[str, ...], multiplier) -> None:
        for child in t.children:
            p = path + (child.name,)
            found.append((p, child, len(path), multiplier))
            if child.layer is None and not child.is_leaf:
                rec(child, p, multiplier * child.times)

    rec(root, (), 1)
    taken = set(RESERVED)
    anchors: dict[tuple[str, ...], str] = {}
    for p, _, _, _ in sorted(found, key=lambda f: len(f[0])):
        spelled = p[-1].replace("/", " divide ").replace("+", " plus ").replace("*", " times ")
        for candidate in (anchor(p[-1]), anchor("-".join(p)), anchor(spelled)):
            if candidate and candidate not in taken:
                break
        else:
            raise DerivationError(f"layer {layer.name}: no unique anchor for {' > '.join(p)!r}")
        taken.add(candidate)
        anchors[p] = candidate

    out = []
    for p, n, depth, multiplier in found:
        if n.layer is not None:
            if n.layer not in LAYERS:
                raise DerivationError(f"{' > '.join(p)}: unregistered layer {n.layer!r}")
            out.append(Section(p, n, anchors[p], depth, "layer", link=LAYERS[n.layer].slug,
                               times=n.times))
        elif n.is_leaf:
            out.append(Section(p, n, anchors[p], depth, "op", steps=_steps(n, multiplier)))
        else:
            out.append(Section(p, n, anchors[p], depth, "group"))
    return tuple(out)


def anchor_map(layers) -> dict[str, dict[tuple[str, ...], str]]:
    """layer name -> {path inside the layer: anchor on its page}."""
    return {layer.name: {s.path: s.anchor for s in sections(layer)} for layer in layers}


def link_of(path: tuple[str, ...], tree: Node, anchors) -> tuple[str, str | None]:
    """Where a node of an evaluated model tree is derived: (layer slug, anchor or None).

    A layer's root links to its own page; any other node to its anchor on the page of
    the nearest enclosing layer.
    """
    chain = [tree]
    for name in path:
        chain.append(chain[-1][name])
    node = chain[-1]
    if node.layer is not None:
        return LAYERS[node.layer].slug, None
    for i in range(len(chain) - 1, -1, -1):
        if chain[i].layer is not None:
            rel = tuple(path[i:])
            return LAYERS[chain[i].layer].slug, anchors.get(chain[i].layer, {}).get(rel)
    return "", None
