"""The package's layout is its pipeline: each stage imports only from the stages below it.

An AST scan of every module (function-level imports included): ``flopdocs/<stage>/...``
may import ``flopdocs.<other>`` only when ``other`` comes no later in :data:`STAGES`.  The
package root (``flopdocs/__init__.py``: the public names, ``__version__``) and
``__main__`` stand above every stage; any stage may read ``__version__`` from the root.
Also: no import cycle among modules, no private name imported across modules.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "flopdocs"

#: Bottom to top.  A module may import from its own stage and the ones before it.
STAGES = ("errors", "base", "config", "structure", "conventions", "compile", "counting", "api",
          "site", "cli")


def modules(root: Path = PACKAGE) -> dict[str, str]:
    """Every module's dotted name -> its source."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path.read_text(encoding="utf-8")
    return out


def imports(name: str, source: str, is_package: bool) -> set[str]:
    """The flopdocs modules (or names in them) that ``name`` imports, resolved to absolute."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {t for t in found if t == "flopdocs" or t.startswith("flopdocs.")}


def stage(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def violations(mods: dict[str, str], package_sources: set[str] = frozenset()) -> list[str]:
    """Each import that goes up the pipeline, as ``importer -> imported``."""
    out = []
    for name, source in mods.items():
        own = stage(name)
        if own is None:
            continue  # the package root and __main__ stand above every stage
        for target in imports(name, source, name in package_sources):
            if target in ("flopdocs", "flopdocs.__version__"):
                continue
            other = stage(target)
            if other is None:
                out.append(f"{name} -> {target} (not in a stage)")
            elif STAGES.index(other) > STAGES.index(own):
                out.append(f"{name} ({own}) -> {target} ({other})")
    return sorted(out)


def _packages(root: Path = PACKAGE) -> set[str]:
    return {".".join(p.relative_to(root.parent).parts[:-1]) for p in root.rglob("__init__.py")}


def test_the_top_level_reads_as_the_pipeline():
    entries = sorted(p.name for p in PACKAGE.iterdir()
                     if not p.name.startswith((".", "_")) and (p.suffix == ".py" or p.is_dir()))
    assert entries == sorted(["errors.py", *STAGES[1:]])


def test_every_stage_imports_only_from_the_stages_below_it():
    assert violations(modules(), _packages()) == []


@pytest.mark.parametrize("importer, source, bad", [
    ("flopdocs.config.keys", "from flopdocs.structure.tree import Node", True),      # config -> model
    ("flopdocs.structure.tree", "from flopdocs.counting import modes", True),         # model -> counting
    ("flopdocs.base.memo", "import flopdocs.site.build.staging", True),                   # base -> site
    ("flopdocs.structure.params", "def f():\n    from ..site import cache", True),   # function-level, relative
    ("flopdocs.structure.params", "from ..config.keys import KEYS", False),           # down: fine
    ("flopdocs.site.render", "from flopdocs import __version__", False),          # the version, from the root
    ("flopdocs.structure.params", "from flopdocs import compare", True),              # the root's API: above all
])
def test_the_check_catches_an_import_up_the_pipeline(importer, source, bad):
    assert bool(violations({importer: source})) == bad


def test_no_private_name_is_imported_across_modules():
    mods, packages = modules(), _packages()
    crossing = []
    for name, source in mods.items():
        for target in imports(name, source, name in packages):
            module, _, attr = target.rpartition(".")
            if attr.startswith("_") and not attr.startswith("__") and module != name:
                crossing.append(f"{name} <- {target}")
    assert crossing == []


def test_no_import_cycle():
    mods, packages = modules(), _packages()
    graph = {}
    for name, source in mods.items():
        edges = set()
        for target in imports(name, source, name in packages):
            hit = target if target in mods else target.rpartition(".")[0]
            # a package importing its own submodules is how packages re-export, not a cycle
            if hit in mods and hit != name and not hit.startswith(name + "."):
                edges.add(hit)
        graph[name] = edges
    # Tarjan's strongly connected components
    index, low, on, stack, cycles, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []
