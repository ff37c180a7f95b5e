"""Views of a cost tree by what its leaves are: grouped by name or by role family, summed by
kind or role.  Pure functions over :class:`~flopdocs.structure.tree.Node`; nothing evaluates or prints.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from flopdocs.structure.roles import KINDS, ROLES, family_of
from flopdocs.structure.tree import Node, leaves, walk


def collapsed(t: Node) -> Node:
    """A subtree as one leaf holding its total (kind and role kept where all leaves agree)."""
    kinds = {n.kind for _, n in leaves(t)}
    roles = {n.role for _, n in leaves(t)}
    return Node(name=t.name, value=t.total, layer=t.layer, times=t.times,
                kind=kinds.pop() if len(kinds) == 1 else None,
                role=roles.pop() if len(roles) == 1 else None)


def group(tree: Node, keys: Iterable[str]) -> Node:
    """Collapse every subtree named in ``keys`` to one leaf holding its total.

    The seed's ``analysis(keys=...)``: the root itself is never collapsed.
    """
    keys = set(keys)

    def rec(t: Node) -> Node:
        if t.is_leaf:
            return t
        return replace(t, children=tuple(collapsed(c) if c.name in keys and not c.is_leaf else rec(c)
                                         for c in t.children))

    return rec(tree)


def family_subtrees(tree: Node) -> list[tuple[str, ...]]:
    """The paths of the largest subtrees (not the root, not single leaves) whose every leaf
    has a role of one family (:data:`flopdocs.structure.roles.FAMILIES`): the grouped analysis."""
    out: list[tuple[str, ...]] = []

    def families(t: Node, path: tuple[str, ...]) -> set:
        if t.is_leaf:
            return {family_of(t.role)}
        found = [families(c, path + (c.name,)) for c in t.children]
        mine = set().union(*found)
        if len(mine) != 1 or None in mine:  # mixed: its pure children are the groups
            out.extend(path + (c.name,) for c, f in zip(t.children, found)
                       if not c.is_leaf and len(f) == 1 and None not in f)
        return mine

    families(tree, ())
    found = set(out)
    return [p for p, _ in walk(tree) if p in found]  # in tree order


def role_subtrees(tree: Node, roles: Iterable[str]) -> list[tuple[str, ...]]:
    """The paths of the largest subtrees (not the root, not single leaves) whose every leaf
    has one of ``roles``, in tree order."""
    roles = frozenset(roles)
    out: list[tuple[str, ...]] = []

    def pure(t: Node, path: tuple[str, ...]) -> bool:
        if t.is_leaf:
            return t.role in roles
        found = [pure(c, path + (c.name,)) for c in t.children]
        if all(found) and path:
            return True
        out.extend(path + (c.name,) for c, ok in zip(t.children, found) if ok and not c.is_leaf)
        return False

    pure(tree, ())
    found = set(out)
    return [p for p, _ in walk(tree) if p in found]


def group_paths(tree: Node, paths: Iterable[tuple[str, ...]]) -> Node:
    """Collapse the subtrees at ``paths`` (each a path of names from the root)."""
    paths = set(paths)

    def rec(t: Node, path: tuple[str, ...]) -> Node:
        if path in paths and path:
            return collapsed(t)
        if t.is_leaf:
            return t
        return replace(t, children=tuple(rec(c, path + (c.name,)) for c in t.children))

    return rec(tree, ())


def by(tree: Node, attribute: str) -> dict[str, Any]:
    """Leaf totals summed by ``kind`` or ``role``, every name of its closed list present
    (zeros included), in the list's order; they sum to the tree's total."""
    names = KINDS if attribute == "kind" else ROLES
    out: dict[str, Any] = {name: 0 for name in names}
    for _, n in leaves(tree):
        key = getattr(n, attribute)
        if key is None:
            raise ValueError(f"leaf {n.name!r} has no {attribute}")
        out[key] = out[key] + n.value
    return out
