"""The one error type bad input raises, and how values appear in its one-line message.

A :class:`ConfigError` carries its parts as data (where, which field, the value, why),
so a caller can re-attribute it (Hugging Face import names the file's own field) without
rewriting text.  Nothing here reads files or knows which keys exist.
"""
from __future__ import annotations

from typing import Any

_UNSET = object()


class ConfigError(ValueError):
    """A bad config, flag or file; ``str()`` is one line for the user.

    ``ConfigError(reason, origin=..., field=..., value=...)`` renders as
    ``"{origin}: {field}: {reason}"`` (parts left out when not given); a plain
    ``ConfigError(message)`` is the whole message.
    """

    def __init__(self, reason: str, *, origin: str | None = None, field: str | None = None,
                 value: Any = _UNSET) -> None:
        self.reason = reason
        self.origin = origin
        self.field = field
        self.value = value
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [p for p in (self.origin, self.field) if p]
        return ": ".join([*parts, self.reason])

    def __str__(self) -> str:
        return self.message

    def with_field(self, field: str) -> "ConfigError":
        """The same error naming ``field`` instead (e.g. the config.json field it came from)."""
        return ConfigError(self.reason, origin=self.origin, field=field, value=self.value)


class InputTypeError(ConfigError, TypeError):
    """An argument of the wrong type given to the Python API (``flopdocs.model(3)``): a
    :class:`ConfigError` (one line, as the CLI prints it) that is also a ``TypeError``."""


def shown(value: Any, limit: int = 60) -> str:
    """A value for a one-line message: short, on one line, never a huge repr.

    Strings are quoted with their escapes (a newline shows as ``\\n``); containers are
    named by type, not printed (a small YAML file with nested aliases can stand for
    millions of items); ints past 128 bits are described by their size.
    """
    if isinstance(value, str):
        r = repr(value)
        return r if len(r) <= limit else r[: limit - 4] + "...'"
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() <= 128:
            return str(value)
        return f"a number of about {round(value.bit_length() * 0.30103)} digits"
    return f"a {type(value).__name__}"


def key_text(key: Any) -> str:
    """A mapping key for a message: as typed if it is plain text, else :func:`shown`."""
    if isinstance(key, str) and key.isprintable() and 0 < len(key) <= 60:
        return key
    return shown(key)


class BuildError(Exception):
    """The site could not be built; the message is one line for the user."""
