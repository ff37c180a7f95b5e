"""Value checks of config keys, by declared type (:data:`flopdocs.config.keys.KEYS` chooses one per key)."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from flopdocs.errors import ConfigError, shown

#: The largest value any int key takes: 2**53, the largest integer a JSON reader that
#: uses doubles still holds exactly, and far beyond any model's dimension.  The bound
#: also keeps every product of dimensions well inside what reports and pages format.
MAX_INT = 2**53


def _int(origin: str | None, key: str, value: Any) -> int:
    # bool is a subclass of int: reject it explicitly; "512" (a string) is not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        extra = f" ({type(value).__name__})" if isinstance(value, (bool, float)) or value is None else ""
        raise ConfigError(f"must be a whole number, got {shown(value)}{extra}",
                          origin=origin, field=key, value=value)
    if value < 1:
        raise ConfigError(f"must be at least 1, got {shown(value)}", origin=origin, field=key, value=value)
    if value > MAX_INT:
        raise ConfigError(f"must be at most 2**53 = {MAX_INT}, got {shown(value)}",
                          origin=origin, field=key, value=value)
    return value


def check_int(origin: str | None, key: str, value: Any) -> int:
    """A whole number from 1 to 2**53 (never a bool, a float or a string)."""
    return _int(origin, key, value)


def parse_whole(text: str, least: int = 1) -> int:
    """A whole number as a user types it (a flag, ``--set``, ``--grid``): plain ASCII
    decimal digits, no sign, no exponent, never evaluated, from ``least`` to 2**53.  A
    ``ValueError`` holds the one-line reason; the caller names where the text came from."""
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"must be a whole number, got {shown(text)}")
    if len(text.lstrip("0")) > len(str(MAX_INT)) or int(text) > MAX_INT:  # no 5,000-digit int()
        raise ValueError(f"must be at most 2**53 = {MAX_INT}, got {shown(text)}")
    if int(text) < least:
        raise ValueError(f"must be at least {least}, got {text}")
    return int(text)


#: Format characters real names need: zero-width non-joiner (Persian, Hindi) and joiner
#: (emoji sequences); emoji tag characters (U+E0020..E007F, subdivision flags) too.
#: Other format characters (bidi overrides, BOM, soft hyphen) stay refused.
_JOINERS = "\u200c\u200d"


def check_text(origin: str | None, key: str, value: Any, *, lines: bool = False) -> str:
    """A display string: printable characters only (spaces allowed; newlines and tabs too
    where ``lines``).  Control, format (bidi overrides) and surrogate characters are
    refused: they would garble terminals, break one-line messages and the YAML we write."""
    if not isinstance(value, str):
        raise ConfigError(f"must be a string, got {shown(value)}", origin=origin, field=key, value=value)
    for i, ch in enumerate(value):
        if not (ch.isprintable() or unicodedata.category(ch) == "Zs" or ch in _JOINERS
                or "\U000e0020" <= ch <= "\U000e007f" or (lines and ch in "\n\t")):
            raise ConfigError(f"character {i + 1} ({ascii(ch)}) is not printable text, in {shown(value)}",
                              origin=origin, field=key, value=value)
    return value


def _bool(value: Any, origin: str | None, key: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"must be true or false, got {shown(value)}", origin=origin, field=key.name,
                          value=value)
    return value


def _enum(value: Any, origin: str | None, key: Any) -> str:
    if not isinstance(value, str) or value not in key.choices:
        raise ConfigError(f"must be one of {', '.join(key.choices)}, got {shown(value)}",
                          origin=origin, field=key.name, value=value)
    return value


def _count(value: Any, origin: str | None, key: Any) -> int | None:
    return None if value is None else _int(origin, key.name, value)


CHECKS: dict[str, Callable[[Any, str | None, Any], Any]] = {
    "int": lambda v, o, k: _int(o, k.name, v),
    "count": _count,
    "bool": _bool,
    "enum": _enum,
    "text": lambda v, o, k: check_text(o, k.name, v),
    "lines": lambda v, o, k: check_text(o, k.name, v, lines=True),
}
