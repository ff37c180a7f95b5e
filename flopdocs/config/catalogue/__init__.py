"""The built-in catalogue: one YAML config per published model, shipped in the package.

Models are found by their exact slug (the file name) or exact name, never by substring.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flopdocs.config.config import Config, ConfigError, load
from flopdocs.base.text import slug

DIRECTORY = Path(__file__).parent


def paths(directory: Path = DIRECTORY) -> list[Path]:
    """Every catalogue file of ``directory`` (``*.yaml`` and ``*.yml``), sorted by name."""
    return sorted(p for p in Path(directory).iterdir() if p.name.endswith((".yaml", ".yml")))


def load_directory(directory: str | Path = DIRECTORY) -> tuple[Config, ...]:
    """Every config of a directory of YAML files, sorted by slug.

    A model's slug (``[a-z0-9-]`` only) must be its file's name, and two models
    sharing a slug are an error: their pages and lookups would collide.
    """
    directory = Path(directory)
    if not directory.is_dir():
        problem = "is a file, not a directory" if directory.exists() else "does not exist"
        raise ConfigError(f"{directory}: catalogue directory {problem}")
    seen: dict[str, Config] = {}
    for path in paths(directory):
        cfg = load(path)
        s = slug(cfg.name)
        if not s:
            raise ConfigError(f"{path}: name: {cfg.name!r} has no usable slug ([a-z0-9-])")
        if path.stem != s:
            raise ConfigError(f"{path}: name: slug of {cfg.name!r} is {s!r}, but the file is {path.name}")
        if s in seen:
            raise ConfigError(f"{path}: name: {cfg.name!r} has the same slug as {seen[s].origin}")
        seen[s] = cfg
    return tuple(seen[k] for k in sorted(seen))


@lru_cache(maxsize=1)
def models() -> tuple[Config, ...]:
    """Every built-in catalogue config, sorted by slug."""
    return load_directory(DIRECTORY)


def find(name: str) -> Config:
    """The catalogue model whose slug or name is exactly ``name`` (case-insensitive).

    A slug is its file's name: that one file is read (a cold ``flopdocs report`` does
    not read the whole catalogue); anything else is looked for among all the models.
    """
    want = name.strip().lower()
    path = DIRECTORY / f"{want}.yaml"
    if want == slug(want) and path.is_file():
        cfg = load(path)
        if slug(cfg.name) == want:  # the catalogue's rule; its test checks every file
            return cfg
    for cfg in models():
        if want in (slug(cfg.name), cfg.name.lower()):
            return cfg
    raise ConfigError(f"{name}: unknown model (not a file, and not a catalogue name; see 'flopdocs list')")
