"""The numbers the site publishes for every catalogue model, as stable JSON.

``flopdocs numbers`` prints them; ``flopdocs diff`` compares two sets.  The format (its
``format`` field names it) is stable: a top-level ``{"format", "version", "convention",
"models"}``, each model ``{"name", "config", "numbers", "seed_forward"}`` where
``numbers`` maps each quantity of :data:`QUANTITIES` to an exact int.

This file is also a script that another tree runs: ``python published.py TREE OUT
[CATALOGUE]`` puts TREE first on ``sys.path`` and writes that tree's numbers to the file
OUT (not to stdout, which that tree's code may print on).  So it imports nothing
of flopdocs at module level, and :func:`collect` uses only what every release since
0.1.0 has (``catalogue.load_directory``, ``analysis.analyse(config, convention)``,
``total``, ``per_token``, ``params``, ``Config.as_data``).
"""
from __future__ import annotations

import json
import sys

FORMAT = "flopdocs-numbers/1"

#: The published quantities, in the order a diff lists them.
QUANTITIES = ("forward FLOPs", "forward FLOPs per token", "parameters", "non-embedding parameters",
              "active parameters")


def collect(catalogue_dir=None) -> dict:
    """Every catalogue model's published numbers, evaluated by the ``flopdocs`` imported."""
    # By the module names every release since 0.1.0 answers to (this one through
    # flopdocs.MOVED), since this function also runs against another release's tree.
    from importlib import import_module
    flopdocs = import_module("flopdocs")
    catalogue, conventions = import_module("flopdocs.catalogue"), import_module("flopdocs.conventions")
    analyse = import_module("flopdocs.analysis").analyse
    slug = import_module("flopdocs.tree").slug

    configs = catalogue.load_directory(catalogue_dir if catalogue_dir else catalogue.DIRECTORY)
    models = {}
    for cfg in configs:
        a = analyse(cfg, conventions.DEFAULT)
        p = a.params
        values = (a.total, a.per_token, p.total, p.non_embedding, p.active)
        models[slug(cfg.name)] = {
            "name": cfg.name,
            "config": {k: v for k, v in cfg.as_data().items() if k not in ("name", "source", "notes", "params_published")},
            "numbers": {q: int(v) for q, v in zip(QUANTITIES, values)},
            # not published under this name: it tells a change of convention from a change of counting
            "seed_forward": int(analyse(cfg, "seed").total),
        }
    return {"format": FORMAT, "version": getattr(flopdocs, "__version__", "unknown"),
            "convention": conventions.DEFAULT, "models": models}


def dumps(numbers: dict) -> str:
    return json.dumps(numbers, indent=1, sort_keys=True) + "\n"


def check(numbers, where: str) -> dict:
    """``numbers`` if it is this format's data (read from a file or another tree's run:
    data, never trusted), else a ``ValueError`` naming ``where`` and what is wrong."""
    def fail(why: str):
        raise ValueError(f"{where}: not flopdocs numbers ({FORMAT}): {why}")

    if not isinstance(numbers, dict) or numbers.get("format") != FORMAT:
        fail("no 'format' field of that value")
    for field in ("version", "convention"):
        if not isinstance(numbers.get(field), str) or len(numbers[field]) > 100:
            fail(f"'{field}' is not a short text")
    models = numbers.get("models")
    if not isinstance(models, dict):
        fail("'models' is not a mapping")
    for slug, m in models.items():
        if not (isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("config"), dict)
                and isinstance(m.get("numbers"), dict)
                and all(type(v) is int for v in m["numbers"].values())
                and all(isinstance(k, str) and type(v) in (int, str, bool) for k, v in m["config"].items())
                and type(m.get("seed_forward", 0)) is int):
            fail(f"model {slug[:60]!r} is not a name, a config of plain values and whole numbers")
    return numbers


if __name__ == "__main__":  # python published.py TREE OUT [CATALOGUE]: TREE's numbers into OUT
    sys.path.insert(0, sys.argv[1])
    for name in [m for m in sys.modules if m == "flopdocs" or m.startswith("flopdocs.")]:
        del sys.modules[name]
    text = dumps(collect(sys.argv[3] if len(sys.argv) > 3 else None))
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(text)
