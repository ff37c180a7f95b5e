"""Configs are data: no user text can reach a parser of code or expressions."""
import ast
import re
from fractions import Fraction
from pathlib import Path

import pytest

import flopdocs
from flopdocs.structure.tree import as_expr

# yaml.load only with our _StrictLoader, a yaml.SafeLoader (see the test below).
FORBIDDEN = re.compile(r"\b(sympify|S|eval|exec|lambdify|parse_expr)\(|"
                       r"yaml\.load\((?![^)]*Loader=_StrictLoader\))|yaml\.unsafe_load\(")


#: The one call allowed: codegen._define turns code generated from our own expression
#: trees (never user text; every line checked against the generator's grammar) into a
#: function.  (file, function, the forbidden call it makes).
ALLOWED = {("compile/codegen.py", "_define", "exec(")}


def _functions(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, last line) of every function defined in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.name, n.lineno, n.end_lineno) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _enclosing(functions: list[tuple[str, int, int]], line: int) -> str | None:
    """The innermost function holding a line."""
    inside = [(last - first, name) for name, first, last in functions if first <= line <= last]
    return min(inside)[1] if inside else None


def test_package_never_calls_a_parser_of_text():
    offenders, allowed = [], []
    for path in sorted(Path(flopdocs.__file__).parent.rglob("*.py")):
        functions = _functions(path)
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for match in FORBIDDEN.finditer(code):
                site = (f"{path.parent.name}/{path.name}", _enclosing(functions, no), match.group(0))
                (allowed if site in ALLOWED else offenders).append(
                    f"{path.name}:{no}: {line.strip()}")
    assert offenders == []
    assert len(allowed) == len(ALLOWED)  # the allowed call is there, once


def test_generated_code_is_checked_before_it_runs():
    from flopdocs.compile.codegen import _define, generate, ratio

    ok = _define(generate([ratio({(1,): Fraction(1, 2)}, 1)], [], 1))
    assert ok(4) == (2,) and ok(3) is None  # 3/2 is not whole: the caller asks the reference
    for bad in ("def f(x0):\n    return (__import__('os'),)\n",
                "def f(x0):\n    return (x0.real,)\n",
                "def f(x0):\n    m1 = x0 * x0\n    return (open,)\n",
                "def f(x0):\n    p1 = x0 ** 99999\n    return (p1,)\n"):
        with pytest.raises(ValueError, match="unexpected line"):
            _define(bad)


def test_the_yaml_loader_is_safe(tmp_path):
    from flopdocs.config.config import ConfigError, load
    from flopdocs.base.readers import _StrictLoader
    import yaml

    assert issubclass(_StrictLoader, yaml.SafeLoader)
    p = tmp_path / "m.yaml"
    p.write_text("!!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError, match="malformed YAML"):
        load(p)


def test_as_expr_refuses_text():
    assert as_expr(3) == 3 and type(as_expr(3)).__name__ == "Integer"
    for bad in ("2**9", True, 1.5):
        with pytest.raises(TypeError):
            as_expr(bad)
