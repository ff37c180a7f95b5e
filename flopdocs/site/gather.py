"""Gather what the site shows of every model, evaluated and sorted: nothing here renders or
writes pages.  Of the inference modes, the decode steps every model page shows are gathered
here; the Modes page works its one example's other numbers itself.

The catalogue directory is injectable (``gather(catalogue_dir=...)``) so a build can
be made from any directory of YAML configs; the default is the built-in catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from flopdocs.config import catalogue
from flopdocs import conventions
from flopdocs.counting.analysis import Analysis, analyse
from flopdocs.counting.modes import Options
from flopdocs.config.config import Config, ConfigError
from flopdocs.structure.layers import Layer, all_layers
from flopdocs.structure.tree import Node, slug

#: The modes the pages read of every model under every convention (answers, comparisons,
#: the conventions' tables); an inference mode's numbers are worked where a page shows them
#: (:mod:`.answers`), not gathered.
MODES_READ = ("forward", "training", "training-recompute")

#: The shares the Compare page and its figures show: column -> the roles whose FLOPs it
#: sums (a share of the forward total).
SHARES: dict[str, frozenset[str]] = {
    "attention scores": frozenset({"attention-scores", "attention-softmax", "attention-values"}),
    "attention projections": frozenset({"attention-projection", "position"}),
    "FFN": frozenset({"ffn", "router"}),
}


@dataclass(frozen=True)
class Count:
    """What the pages print of a model under one convention and mode.  The evaluated tree
    is not kept: a 1,000-model catalogue would hold 21,000 of them."""
    convention: str
    mode: str
    total: int  # all N sequences
    per_token: int  # one sequence's total over its tokens, rounded down
    sequence_total: int  # one sequence

    @classmethod
    def of(cls, a: Analysis) -> Count:
        return cls(convention=a.convention, mode=a.mode, total=a.total, per_token=a.per_token,
                   sequence_total=a.per_sequence.total)


@dataclass(frozen=True)
class Model:
    slug: str
    config: Config
    analysis: Analysis
    grouped: Node  # the evaluated tree with the default groups collapsed (those present)
    under: tuple[Count, ...]  # forward under every convention that counts it, the default first
    counts: dict  # (convention, mode of MODES_READ) -> Count, or the one-line reason it is refused
    decode: tuple  # (context, the default convention's decode step or why not) per decode_contexts


@dataclass(frozen=True)
class SiteData:
    models: tuple[Model, ...]  # sorted by slug
    layers: tuple[Layer, ...]  # sorted by name
    convention: ModuleType  # the default convention's module (NAME, SUMMARY, build)
    conventions: tuple[ModuleType, ...]  # every convention, the default first


def load_catalogue(directory: str | Path | None = None) -> tuple[Config, ...]:
    """Every config of ``directory`` (default: the built-in catalogue), sorted by slug."""
    return catalogue.models() if directory is None else catalogue.load_directory(directory)


def counts(cfg: Config) -> dict[tuple[str, str], Count | str]:
    """The model under every convention in every mode of :data:`MODES_READ`: what the
    pages print of it, or why the convention refuses (one line).

    Counted in every build, never read back from a file: the whole catalogue takes about
    0.3 s, too little to be worth trusting a file with the numbers a page publishes.
    """
    out: dict[tuple[str, str], Count | str] = {}
    for name in conventions.CONVENTIONS:
        for mode in MODES_READ:
            try:
                out[name, mode] = Count.of(analyse(cfg, name, mode))
            except ConfigError as e:
                out[name, mode] = e.reason
    return out


def decode_contexts(length: int) -> tuple[int, int]:
    """The two decode contexts the pages show: half the context, and the full one (l − 1
    cached tokens, so the new token's query scores l keys)."""
    return length // 2, length - 1


def decodes(cfg: Config, convention: str) -> tuple[tuple[int, Count | str], ...]:
    """``convention``'s decode step at each of :func:`decode_contexts`, or the reason there
    is none (one line: an encoder does not decode); an encoder-decoder's over its target."""
    out = []
    for context in decode_contexts(cfg.get("l_tgt") if cfg.is_encoder_decoder else cfg["l"]):
        try:
            out.append((context, Count.of(analyse(cfg, convention, "decode", Options(context=context)))))
        except ConfigError as e:
            out.append((context, e.reason))
    return tuple(out)


def evaluate(cfg: Config) -> Model:
    """One catalogue model evaluated exactly (raises ConfigError on an inexact config)."""
    a = analyse(cfg)
    a.tree  # noqa: B018  (evaluates now, so a bad config fails the gather step)
    a.params  # noqa: B018
    every = counts(cfg)
    under = tuple(x for (_, mode), x in every.items() if mode == "forward" and not isinstance(x, str))
    return Model(slug=slug(cfg.name), config=cfg, analysis=a,
                 grouped=a.grouped_default, under=under, counts=every, decode=decodes(cfg, a.convention))


def gather(catalogue_dir: str | Path | None = None) -> SiteData:
    models = tuple(evaluate(cfg) for cfg in load_catalogue(catalogue_dir))
    if not models:
        where = catalogue_dir if catalogue_dir is not None else catalogue.DIRECTORY
        raise ConfigError(f"{where}: the catalogue has no models (*.yaml)")
    default = conventions.get(conventions.DEFAULT)
    return SiteData(models=models, layers=tuple(all_layers()), convention=default,
                    conventions=tuple(conventions.CONVENTIONS.values()))
