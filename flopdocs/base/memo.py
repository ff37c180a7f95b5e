"""One result per object: a cache keyed by identity, for values that are frozen but costly
to hash (a config, a cost tree), and by any further arguments, which are hashed.

:func:`by_identity` keeps the object beside its result, so its ``id`` cannot be reused by
another object while the entry lives; the cache is emptied when it holds :data:`SIZE`
entries.  Nothing here knows what it caches.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

R = TypeVar("R")
SIZE = 4096


def by_identity(f: Callable[..., R]) -> Callable[..., R]:
    """``f(obj, *args)``, computed once per object and ``args``."""
    cache: dict[tuple, tuple[Any, R]] = {}

    @wraps(f)
    def once(obj: Any, *args: Any) -> R:
        key = (id(obj), *args)
        hit = cache.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        value = f(obj, *args)
        if len(cache) >= SIZE:
            cache.clear()
        cache[key] = (obj, value)
        return value

    once.cache_clear = cache.clear  # type: ignore[attr-defined]
    return once
