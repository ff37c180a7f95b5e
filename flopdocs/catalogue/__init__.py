"""The built-in catalogue: one YAML config per published model, shipped in the package.

Models are found by their exact slug (the file name) or exact name, never by substring.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..config import Config, ConfigError, load
from ..tree import slug

DIRECTORY = Path(__file__).parent


def paths() -> list[Path]:
    """Every catalogue file, sorted by name."""
    return sorted(DIRECTORY.glob("*.yaml"))


@lru_cache(maxsize=1)
def models() -> tuple[Config, ...]:
    """Every catalogue config, sorted by slug; two models sharing a slug is an error."""
    seen: dict[str, Config] = {}
    for path in paths():
        cfg = load(path)
        s = slug(cfg.name)
        if path.stem != s:
            raise ConfigError(f"{path}: name: slug of {cfg.name!r} is {s!r}, but the file is {path.name}")
        if s in seen:
            raise ConfigError(f"{path}: name: {cfg.name!r} has the same slug as {seen[s].origin}")
        seen[s] = cfg
    return tuple(seen[k] for k in sorted(seen))


def find(name: str) -> Config:
    """The catalogue model whose slug or name is exactly ``name`` (case-insensitive)."""
    want = name.strip().lower()
    for cfg in models():
        if want in (slug(cfg.name), cfg.name.lower()):
            return cfg
    raise ConfigError(f"{name}: unknown model (not a file, and not a catalogue name; see 'flopdocs list')")
