"""Text every stage shares: stable slugs and anchors of names.

Nothing here formats numbers or escapes for HTML (the site's :mod:`flopdocs.site.text` does).
"""
from __future__ import annotations

import re

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A stable URL fragment of ``[a-z0-9-]``: ``'Llama 2 7B'`` -> ``llama-2-7b``."""
    return _SLUG.sub("-", text.lower()).strip("-")


def anchor(name: str) -> str:
    """A node's or layer's stable anchor: CamelCase split, then :func:`slug`.

    ``'Q * WQ'`` -> ``q-wq``, ``'MultiHeadAttention'`` -> ``multi-head-attention``.
    """
    return slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name))
