from pathlib import Path

import pytest

from flopdocs.config.config import parse

#: The slow tier: a real browser, a wheel built and installed, releases deployed from git
#: worktrees, the notebook executed, the full site built, PyTorch's counters (every
#: ``test_verify*.py`` and ``test_torch*.py``).  `python -m pytest -m "not slow"`
#: is the quick tier for a developer's loop; CI runs everything (`python -m pytest`).
SLOW = {"test_site_browser.py", "test_site_calculator.py", "test_wheel.py", "test_release.py",
        "test_notebook.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.path.name
        if (name in SLOW or name.startswith(("test_verify", "test_torch"))
                or "site" in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def seed_config():
    """The seed's first config (In [44])."""
    return parse({"name": "Seed 512", "l": 512, "d_model": 512, "d_ff": 4096,
                  "n_vocab": 30000, "n_layers": 6, "n_heads": 8}, "<test>")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The reference site, built from the built-in catalogue once per test session.

    Every test that reads a built page shares this one build (a full build is the
    slowest thing the suite does); tests must not write into it.  Builds of other
    inputs (a small temporary catalogue, a broken page) are made where needed.
    """
    from flopdocs.site.build import staging as build

    return build.build(tmp_path_factory.mktemp("site") / "site")


TINY = "name: Tiny\nl: 64\nd_model: 32\nd_ff: 128\nn_vocab: 100\nn_layers: 2\nn_heads: 4\n"


@pytest.fixture
def tiny_catalogue(tmp_path) -> Path:
    """A catalogue of one small model, ``Tiny`` (page ``models/tiny.md``): renders fast."""
    cat = tmp_path / "catalogue"
    cat.mkdir()
    (cat / "tiny.yaml").write_text(TINY, encoding="utf-8")
    return cat
