"""Where a model comes from, for the CLI and the Python API alike: a catalogue name, a YAML
or ``config.json`` path, a mapping or a :class:`~flopdocs.config.config.Config`, then overrides.

The one place that decides what a model argument means, so ``flopdocs report X --set k=v``
and ``flopdocs.model(X, k=v)`` read ``X`` the same way and fail with the same one-line
:class:`~flopdocs.errors.ConfigError`.  Reading and checking are :mod:`flopdocs.config.config`'s,
:mod:`flopdocs.config.hf`'s and :mod:`flopdocs.config.catalogue`'s; nothing here knows a key.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flopdocs.config import catalogue, config, hf
from flopdocs.config.config import Config
from flopdocs.errors import ConfigError, InputTypeError, shown

#: What :func:`config_of` takes, for messages.
ACCEPTED = "a catalogue name, a path to a YAML file or config.json, a dict or a Config"


def resolve(model: str | os.PathLike) -> Config:
    """A path (anything that exists or ends in .yaml, .yml or .json) or an exact catalogue
    name.  A ``.json`` file is a Hugging Face ``config.json`` (as ``--hf`` reads it)."""
    p = Path(model)
    if p.suffix == ".json":
        return hf.load(p)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return config.load(p)
    return catalogue.find(str(model))


def config_of(model: Any) -> Config:
    """Any model argument as a checked :class:`Config`; anything else one line.

    A ``str`` or path is :func:`resolve`'d, a mapping parsed as a YAML file's data is
    (origin ``<dict>``), a ``Config`` kept as it is.

    >>> config_of("seed-512")["d_model"]
    512
    >>> config_of({"name": "half", "l": 512})
    Traceback (most recent call last):
    ...
    flopdocs.errors.ConfigError: <dict>: d_model: missing required key
    >>> config_of(512)
    Traceback (most recent call last):
    ...
    flopdocs.errors.InputTypeError: model: expected a catalogue name, a path to a YAML file or config.json, a dict or a Config, got 512
    """
    if isinstance(model, Config):
        return model
    if isinstance(model, (str, os.PathLike)):
        return resolve(model)
    if isinstance(model, Mapping):
        return config.parse(model, "<dict>")
    raise InputTypeError(f"model: expected {ACCEPTED}, got {shown(model)}")


def override(cfg: Config, overrides: Mapping[str, Any], label: str) -> Config:
    """``cfg`` with ``overrides`` (key -> value, typed as in a YAML file), checked by
    :func:`flopdocs.config.config.parse` again; errors name ``{cfg.origin} with {label}``."""
    if not overrides:
        return cfg
    return cfg.with_values(dict(overrides), origin=f"{cfg.origin} with {label}")


def apply_sets(cfg: Config, sets: Iterable[str]) -> Config:
    """The CLI's ``--set key=value`` flags (:func:`flopdocs.config.config.parse_override`)."""
    return override(cfg, config.parse_overrides(sets), "--set")


def check_str(value: Any, what: str) -> str:
    """``value`` if it is a ``str``, else a one-line :class:`InputTypeError` naming ``what``."""
    if not isinstance(value, str):
        raise InputTypeError(f"{what}: expected a name (str), got {shown(value)}")
    return value


__all__ = ["ACCEPTED", "ConfigError", "InputTypeError", "apply_sets", "check_str", "config_of",
           "override", "resolve"]
