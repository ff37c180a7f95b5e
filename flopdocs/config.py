"""Model configs: YAML data, checked as plain ints before anything touches sympy.

A config is read with ``yaml.safe_load`` and validated key by key; every problem
is a :class:`ConfigError` whose message is one line naming the file, the key and
what is wrong.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .symbols import DIMENSIONS, N, Symbol


class ConfigError(ValueError):
    """A bad config, flag or file; the message is one line for the user."""


#: The dimensions every config must give, in display order.
REQUIRED_INTS = tuple(DIMENSIONS)  # l, d_model, d_ff, n_vocab, n_layers, n_heads
#: Optional ints with their defaults.
OPTIONAL_INTS: dict[str, int] = {"N": 1}
#: Optional strings (metadata, never evaluated).
OPTIONAL_STRINGS = ("source",)


@dataclass(frozen=True)
class Config:
    name: str
    values: dict[str, int]  # every dimension, defaults filled in, in display order
    source: str = ""
    origin: str = "<config>"  # where it came from, for messages
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.values[key]

    @property
    def dims(self) -> dict[Symbol, int]:
        """Symbol -> int, for :func:`flopdocs.tree.evaluate` (N excluded)."""
        return {sym: self.values[key] for key, sym in DIMENSIONS.items()}

    @property
    def n_sequences(self) -> int:
        return self.values["N"]

    def with_values(self, overrides: Mapping[str, int], origin: str) -> "Config":
        data = {"name": self.name, **self.values, **overrides}
        if self.source:
            data["source"] = self.source
        return parse(data, origin)


def _check_int(origin: str, key: str, value: Any) -> int:
    # bool is a subclass of int: reject it explicitly; "512" (a string) is not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        shown = repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"
        raise ConfigError(f"{origin}: {key}: must be a whole number, got {shown}")
    if value < 1:
        raise ConfigError(f"{origin}: {key}: must be at least 1, got {value}")
    return value


def parse(data: Any, origin: str) -> Config:
    """Validate a mapping (as ``yaml.safe_load`` returns it) into a :class:`Config`."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin}: expected a mapping of keys to values, got {type(data).__name__}")
    allowed = {"name", *REQUIRED_INTS, *OPTIONAL_INTS, *OPTIONAL_STRINGS}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{origin}: {key}: unknown key (allowed: {', '.join(sorted(map(str, allowed)))})")
    for key in ("name", *REQUIRED_INTS):
        if key not in data:
            raise ConfigError(f"{origin}: {key}: missing required key")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{origin}: name: must be a non-empty string, got {name!r}")
    values = {key: _check_int(origin, key, data[key]) for key in REQUIRED_INTS}
    for key, default in OPTIONAL_INTS.items():
        values[key] = _check_int(origin, key, data[key]) if key in data else default
    source = data.get("source", "")
    if not isinstance(source, str):
        raise ConfigError(f"{origin}: source: must be a string, got {source!r}")
    if values["d_model"] % values["n_heads"]:
        raise ConfigError(
            f"{origin}: d_model: {values['d_model']} is not divisible by n_heads={values['n_heads']} "
            "(d_k = d_model / n_heads must be a whole number)"
        )
    return Config(name=name.strip(), values=values, source=source, origin=origin)


def load(path: str | Path) -> Config:
    """Read and validate one YAML config file."""
    path = Path(path)
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{origin}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{origin}: is a directory, not a YAML file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{origin}: cannot read: {e}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        where = ""
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(e, "problem", None) or "invalid YAML"
        raise ConfigError(f"{origin}: malformed YAML{where}: {problem}") from None
    return parse(data, origin)


def parse_override(text: str) -> tuple[str, int]:
    """``--set key=value``: the key and a strictly decimal int (never evaluated)."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise ConfigError(f"--set {text}: expected key=value, e.g. --set l=2048")
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"--set {text}: {key}: must be a whole number, got {raw!r}")
    return key, int(raw)
