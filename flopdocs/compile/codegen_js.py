"""The straight-line form (:class:`~flopdocs.compile.codegen.Code`) printed as JavaScript over BigInt.

The site's calculator counts in the reader's browser with the same compiled form the
Python side runs (:func:`flopdocs.compile.codegen.python` prints the Python function from the
same :class:`~flopdocs.compile.codegen.Code`): no formula is copied by hand.  The printed
function takes BigInt arguments ``x0 .. x{n-1}`` (each at least 1n: the caller checks)
and returns an array of BigInt, or ``null`` when a division leaves a remainder (a value
is not whole, as :func:`flopdocs.structure.tree.evaluate` would refuse).  BigInt division
truncates where Python's floors; the two agree whenever the remainder is zero, the only
case whose quotient is used.

Safety: like the Python printer, the text comes from our expression trees only, never
from what a user typed (their values are arguments at run time), and
:func:`check_javascript` holds every line to the printer's small grammar.  Nothing here
runs JavaScript.
"""
from __future__ import annotations

import re

from flopdocs.compile.codegen import Code, joined


def _operand(x: object) -> str:
    return f"{x}n" if isinstance(x, int) else str(x)


def _term(c: int, name: str | None) -> str:
    return f"{c}n" if name is None else name if c == 1 else f"{c}n * {name}"


def javascript(code: Code) -> str:
    """``function (x0, ..., x{n-1}) { ... }``: the outputs as an array of BigInt, or null."""
    lines = []
    for step in code.steps:
        if step[0] == "mul":
            lines.append(f"const {step[1]} = {step[2]} * {step[3]};")
        elif step[0] == "sum":
            lines.append(f"const {step[1]} = {joined(step[2], _term)};")
        else:
            _, q, rem, top, den = step
            top, den = _operand(top), _operand(den)
            lines += [f"const {q} = {top} / {den}, {rem} = {top} % {den};",
                      f"if ({rem} !== 0n) return null;"]
    args = ", ".join(f"x{i}" for i in range(code.n))
    body = lines + [f"return [{', '.join(_operand(x) for x in code.outputs)}];"]
    source = f"function ({args}) {{\n" + "".join(f"  {line}\n" for line in body) + "}"
    check_javascript(source)
    return source


_N = r"(?:[xmpq][0-9]+|-?[0-9]+n)"  # a name javascript() makes, or a BigInt literal
_TERM = rf"(?:[0-9]+n \* )?{_N}"
_LINES = re.compile("|".join([
    r"function \((?:x[0-9]+(?:, x[0-9]+)*)?\) \{",
    r"  const m[0-9]+ = [xm][0-9]+ \* [xm][0-9]+;",
    rf"  const p[0-9]+ = -?{_TERM}(?: [-+] {_TERM})*;",
    rf"  const q[0-9]+ = {_N} / {_N}, r[0-9]+ = {_N} % {_N};",
    r"  if \(r[0-9]+ !== 0n\) return null;",
    rf"  return \[(?:{_N}(?:, {_N})*)?\];",
    r"\}",
]))


def check_javascript(source: str) -> None:
    """Every line is one :func:`javascript` writes: products and integer sums of our
    names and BigInt literals, exact divisions, the ``return``; nothing else (no string,
    property, call or other name)."""
    for line in source.splitlines():
        if not _LINES.fullmatch(line):
            raise ValueError(f"generated JavaScript has an unexpected line: {line!r}")
