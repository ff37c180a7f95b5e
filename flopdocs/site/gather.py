"""Gather everything the site shows, evaluated and sorted: nothing here renders or writes.

The catalogue directory is injectable (``gather(catalogue_dir=...)``) so a build can
be made from any directory of YAML configs; the default is the built-in catalogue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .. import catalogue, conventions
from ..analysis import Analysis, analyse
from ..config import Config, ConfigError, load
from ..layers import Layer, all_layers
from ..tree import Node, group, slug

_SLUG_OK = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Model:
    slug: str
    config: Config
    analysis: Analysis
    grouped: Node  # the evaluated tree with the default groups collapsed (those present)
    under: tuple[Analysis, ...]  # the model under every convention, the default first


@dataclass(frozen=True)
class SiteData:
    models: tuple[Model, ...]  # sorted by slug
    layers: tuple[Layer, ...]  # sorted by name
    convention: ModuleType  # the default convention's module (NAME, SUMMARY, build)
    conventions: tuple[ModuleType, ...]  # every convention, the default first


def load_catalogue(directory: str | Path | None = None) -> tuple[Config, ...]:
    """Every config of ``directory`` (default: the built-in catalogue), sorted by slug.

    A model's slug is ``[a-z0-9-]`` only and must be the file's name; two models with
    one slug are an error (their pages would collide).
    """
    if directory is None:
        configs = catalogue.models()
    else:
        directory = Path(directory)
        if not directory.is_dir():
            raise ConfigError(f"{directory}: catalogue directory does not exist")
        seen: dict[str, Config] = {}
        for path in sorted(directory.glob("*.yaml")):
            cfg = load(path)
            s = slug(cfg.name)
            if path.stem != s:
                raise ConfigError(f"{path}: name: slug of {cfg.name!r} is {s!r}, but the file is {path.name}")
            if s in seen:
                raise ConfigError(f"{path}: name: {cfg.name!r} has the same slug as {seen[s].origin}")
            seen[s] = cfg
        configs = tuple(seen[k] for k in sorted(seen))
    for cfg in configs:
        if not _SLUG_OK.fullmatch(slug(cfg.name)):
            raise ConfigError(f"{cfg.origin}: name: {cfg.name!r} has no usable slug ([a-z0-9-])")
    return tuple(sorted(configs, key=lambda c: slug(c.name)))


def evaluate(cfg: Config) -> Model:
    """One catalogue model evaluated exactly (raises ConfigError on an inexact config)."""
    a = analyse(cfg)
    tree = a.tree  # evaluates now, so a bad config fails the gather step
    others = [analyse(cfg, name) for name in sorted(conventions.CONVENTIONS)
              if name != conventions.DEFAULT]
    for other in others:
        other.tree  # noqa: B018  (evaluate now, in the gather step)
    a.params  # noqa: B018
    return Model(slug=slug(cfg.name), config=cfg, analysis=a,
                 grouped=group(tree, a.default_groups()), under=(a, *others))


def gather(catalogue_dir: str | Path | None = None) -> SiteData:
    models = tuple(evaluate(cfg) for cfg in load_catalogue(catalogue_dir))
    if not models:
        where = catalogue_dir if catalogue_dir is not None else catalogue.DIRECTORY
        raise ConfigError(f"{where}: the catalogue has no models (*.yaml)")
    default = conventions.get(conventions.DEFAULT)
    others = tuple(conventions.get(n) for n in sorted(conventions.CONVENTIONS) if n != conventions.DEFAULT)
    return SiteData(models=models, layers=tuple(all_layers()), convention=default,
                    conventions=(default, *others))
