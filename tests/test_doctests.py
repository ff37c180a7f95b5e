"""Every example in the README's Python section and in the notebook API's (and shared text helpers') docstrings runs.

The README's examples are its ```pycon blocks, run in order as one session (fences are
not part of any expected output); each module's docstrings run with ``doctest``.  A
module or a README without examples fails too: the examples cannot silently vanish.
"""
import doctest
import re
from pathlib import Path

import pytest

import flopdocs.api.front
import flopdocs.base.text
import flopdocs.api.display
import flopdocs.config.inputs
import flopdocs.api.result

README = Path(__file__).resolve().parents[1] / "README.md"
FLAGS = doctest.ELLIPSIS
MODULES = (flopdocs.api.front, flopdocs.api.display, flopdocs.config.inputs, flopdocs.api.result,
           flopdocs.base.text)
_PYCON = re.compile(r"^```pycon\n(.*?)^```$", re.M | re.S)


def _run(test: doctest.DocTest) -> doctest.TestResults:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test)
    return runner.summarize(verbose=False)


def _docstring_tests():
    for module in MODULES:
        for test in doctest.DocTestFinder().find(module):
            if test.examples:
                yield pytest.param(test, id=test.name)


@pytest.mark.parametrize("test", list(_docstring_tests()))
def test_docstring_examples(test):
    assert _run(test).failed == 0


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_module_has_examples(module):
    found = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    assert found, f"{module.__name__} has no doctest"


def readme_test() -> doctest.DocTest:
    """The README's ```pycon blocks as one session, each example keeping its README line."""
    text = README.read_text(encoding="utf-8")
    parser, examples = doctest.DocTestParser(), []
    for match in _PYCON.finditer(text):
        first = text.count("\n", 0, match.start(1))  # the block's first line, 0-based
        for example in parser.get_examples(match.group(1)):
            example.lineno += first
            examples.append(example)
    return doctest.DocTest(examples, {}, "README.md", str(README), 0, None)


def test_readme_python_examples_run():
    test = readme_test()
    assert len(test.examples) >= 15, "the README's Python section lost its examples"
    result = _run(test)
    assert result.failed == 0 and result.attempted == len(test.examples)
