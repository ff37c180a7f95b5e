"""Configs are data: no user text can reach a parser of code or expressions."""
import re
from pathlib import Path

import pytest

import flopdocs
from flopdocs.tree import as_expr

# yaml.load only with our _StrictLoader, a yaml.SafeLoader (see the test below).
FORBIDDEN = re.compile(r"\b(sympify|S|eval|exec|lambdify|parse_expr)\(|"
                       r"yaml\.load\((?![^)]*Loader=_StrictLoader\))|yaml\.unsafe_load\(")


def test_package_never_calls_a_parser_of_text():
    offenders = []
    for path in sorted(Path(flopdocs.__file__).parent.rglob("*.py")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if FORBIDDEN.search(code):
                offenders.append(f"{path.name}:{no}: {line.strip()}")
    assert offenders == []


def test_the_yaml_loader_is_safe(tmp_path):
    from flopdocs.config import ConfigError, load
    from flopdocs.readers import _StrictLoader
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
