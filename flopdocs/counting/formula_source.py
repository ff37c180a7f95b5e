"""Where a formula is: ``FILE.py:FUNCTION`` or ``package.module:FUNCTION``, found and checked.

A file is read and parsed before anything runs (a file that is not Python is one line);
then imported (its top level runs, as with any import); then the name looked up.
:func:`check_source` refuses, before the run, what cannot be symbolic whatever the values.
Nothing here calls the function (:mod:`.symbolic_run` does).
"""
from __future__ import annotations

import ast
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flopdocs.errors import ConfigError

#: Modules a formula may use (``math``'s functions are replaced by symbolic ones).
ALLOWED_MODULES = frozenset({"math", "fractions", "operator", "functools", "typing"})


@dataclass(frozen=True)
class Target:
    function: Callable
    where: str  # FILE.py:FUNCTION as given
    filename: str  # the source file, for line numbers


def load(spec: str) -> Target:
    """``FILE.py:FUNCTION`` or ``package.module:FUNCTION`` (``FUNCTION`` may be dotted:
    ``Class.method``).  The file is read and parsed first (a file that is not Python is one
    line, nothing executed), then imported (its top level runs), then the name looked up."""
    import importlib
    import inspect

    path_text, sep, name = spec.rpartition(":")
    if not sep or not path_text or not name:
        raise ConfigError(f"{spec}: expected FILE.py:FUNCTION or package.module:FUNCTION")
    if not all(part.isidentifier() for part in name.split(".")):
        raise ConfigError(f"{spec}: {name!r} is not a Python name")
    path = Path(path_text)
    if path_text.endswith(".py") or path.exists():
        module = _import_file(path)
    else:
        if not all(p.isidentifier() for p in path_text.split(".")):
            raise ConfigError(f"{spec}: {path_text!r} is neither a file nor a module name")
        try:
            module = importlib.import_module(path_text)
        except ImportError as e:
            raise ConfigError(f"{spec}: cannot import {path_text}: {e}") from None
        except Exception as e:  # noqa: BLE001 - the user's top level
            raise ConfigError(f"{spec}: importing {path_text} raised {type(e).__name__}: {e}") from None
    obj: Any = module
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ConfigError(f"{spec}: no function {name!r} in {path_text}")
    if not inspect.isfunction(obj):
        raise ConfigError(f"{spec}: {name!r} is a {type(obj).__name__}, not a function")
    return Target(function=obj, where=spec, filename=obj.__code__.co_filename)


def _import_file(path: Path) -> types.ModuleType:
    import importlib.util

    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    try:
        source = path.read_bytes().decode("utf-8")
        ast.parse(source, filename=str(path))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not Python (not UTF-8 text)") from None
    except SyntaxError as e:
        raise ConfigError(f"{path}: not Python (line {e.lineno}: {e.msg})") from None
    name = f"flopdocs_audited_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path}: cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # noqa: BLE001 - the user's top level, one line
        raise ConfigError(f"{path}: importing it raised {type(e).__name__}: {e}") from None
    return module


def check_source(target: Target) -> None:
    """Refuse, before running, what cannot be symbolic whatever the values: an import in the
    function, a use of a module other than math (torch, numpy: tensors; os, sys: I/O)."""
    import inspect
    import textwrap

    try:
        lines, first = inspect.getsourcelines(target.function)
    except (OSError, TypeError):
        return  # no source (a compiled function): the run's own refusals still apply
    tree = ast.parse(textwrap.dedent("".join(lines)))
    g = target.function.__globals__
    local = _assigned(tree)
    for node in ast.walk(tree):
        line = first + getattr(node, "lineno", 1) - 1
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise ConfigError(f"{target.where}: line {line}: an import inside the function cannot run symbolically")
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            value = g.get(node.id)
            if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] not in ALLOWED_MODULES:
                what = "a tensor library" if value.__name__.split(".")[0] in (
                    "torch", "numpy", "jax", "tensorflow") else "I/O or another module"
                raise ConfigError(f"{target.where}: line {line}: module {value.__name__} ({what}) "
                                  "cannot run symbolically")


def _assigned(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and hasattr(node, "name"):
            names.add(node.name)
    return names
