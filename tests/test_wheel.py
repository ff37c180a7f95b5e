"""The wheel carries the site: built from this checkout and installed alone into a fresh
virtual environment, ``flopdocs build`` run from a stranger's directory makes the whole
site for the user's own catalogue.

The temporary environment has no pip and no flopdocs but the wheel's; it borrows this
environment's already-installed dependencies through a ``.pth`` line naming our
site-packages (the ``.pth`` files in there, the editable install's among them, are not
processed that way).  One wheel build, one install, one site build: about 10 s.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from flopdocs.base import resources
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import load

if resources.CHECKOUT is None:
    pytest.skip("builds the wheel from a source checkout", allow_module_level=True)

CHECKOUT = resources.CHECKOUT
BUNDLE = "flopdocs/_site/"
MODEL = """\
name: Tiny Wheel
source: tests/test_wheel.py
l: 64
d_model: 64
d_ff: 256
n_vocab: 1000
n_layers: 2
n_heads: 4
"""


def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _fresh_build(tmp: Path) -> dict:
    """An environment whose setuptools builds under ``tmp``, not in the checkout's build/ and
    egg-info (which may hold files from earlier builds): DIST_EXTRA_CONFIG, distutils' extra
    configuration file."""
    cfg = tmp / "fresh-build.cfg"
    cfg.write_text(f"[build]\nbuild_base = {tmp / 'build'}\n[egg_info]\negg_base = {tmp}\n", encoding="utf-8")
    return {**os.environ, "DIST_EXTRA_CONFIG": str(cfg)}


def _git_head(where: Path) -> str | None:
    r = _run(["git", "rev-parse", "HEAD"], where)
    return r.stdout.strip() if r.returncode == 0 else None


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def expected_bundle() -> dict[str, bytes]:
    """What the wheel must carry under flopdocs/_site/, read from the checkout's folders."""
    want = {"mkdocs.yml": resources.MKDOCS_YML.read_bytes(),
            "examples/seed.ipynb": resources.NOTEBOOK.read_bytes(),
            "CHANGELOG.md": resources.CHANGELOG.read_bytes(),
            "katex/LICENSE": (resources.KATEX.parent / "LICENSE").read_bytes()}
    for name, root in (("templates", resources.TEMPLATES), ("site_src", resources.SITE_SRC)):
        want.update({f"{name}/{p.relative_to(root).as_posix()}": p.read_bytes() for p in _files(root)})
    for f in resources.KATEX_FILES:
        want.update({f"katex/{p.relative_to(resources.KATEX).as_posix()}": p.read_bytes()
                     for p in _files(resources.KATEX / f)})
    return want


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    r = _run([sys.executable, "-m", "pip", "wheel", str(CHECKOUT), "--no-deps", "--no-build-isolation",
              "--no-index", "-w", str(dist)], CHECKOUT, _fresh_build(tmp_path_factory.mktemp("build")))
    assert r.returncode == 0, r.stdout + r.stderr
    [whl] = dist.glob("flopdocs-*.whl")
    return whl


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "venv"
    r = _run([sys.executable, "-m", "venv", "--without-pip", str(root)], root.parent)
    assert r.returncode == 0, r.stderr
    python = root / "bin" / "python"
    # our pip installs into that interpreter's environment, which holds nothing else yet
    r = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
              str(wheel)], root.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    inner = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root)
    outer = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    (Path(inner.stdout.strip()) / "outer-dependencies.pth").write_text("\n".join(sorted(outer)) + "\n")
    return root


def _env(venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def stranger(tmp_path_factory) -> Path:
    """A directory far from the checkout, itself a git repository with a commit of its own
    (which the site must not name), holding the user's catalogue."""
    cwd = tmp_path_factory.mktemp("elsewhere")
    (cwd / "my-models").mkdir()
    (cwd / "my-models" / "tiny-wheel.yaml").write_text(MODEL, encoding="utf-8")
    for cmd in (["git", "init", "-q"], ["git", "add", "."],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "user"]):
        assert _run(cmd, cwd).returncode == 0
    return cwd


@pytest.fixture(scope="module")
def built(venv, stranger) -> tuple[subprocess.CompletedProcess, Path]:
    r = _run([str(venv / "bin" / "flopdocs"), "build", "--catalogue", "my-models/", "--out", "site"],
             stranger, _env(venv))
    return r, stranger / "site"


def test_the_wheel_carries_the_site_sources_and_no_node_modules(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        bundled = {n[len(BUNDLE):]: z.read(n) for n in names if n.startswith(BUNDLE)}
    assert not [n for n in names if "node_modules" in n]
    info = json.loads(bundled.pop(resources.BUILD_INFO))
    assert bundled == expected_bundle()  # exactly these, byte for byte: no katex.js, no mhchem
    assert {"templates/model.md.j2", "site_src/about.md", "mkdocs.yml", "katex/katex.min.js",
            "katex/contrib/auto-render.min.js", "katex/fonts/KaTeX_Main-Regular.woff2"} <= set(bundled)
    assert {"flopdocs/base/resources.py", "flopdocs/site/build/hooks.py", "flopdocs/config/catalogue/seed-512.yaml"} <= set(names)
    assert info["commit"] == (_git_head(CHECKOUT) or "unknown")


def test_flopdocs_in_the_venv_is_the_wheel_not_the_checkout(venv, stranger):
    r = _run([str(venv / "bin" / "python"), "-c", "import flopdocs, flopdocs.base.resources as r, sympy; "
              "print(flopdocs.__file__); print(r.CHECKOUT); print(r.TEMPLATES); print(sympy.__file__)"],
             stranger, _env(venv))
    assert r.returncode == 0, r.stderr
    package, checkout, templates, sympy_file = r.stdout.splitlines()
    assert Path(package).is_relative_to(venv)
    assert checkout == "None"
    assert Path(templates) == Path(package).parent / "_site" / "templates"
    assert not Path(sympy_file).is_relative_to(venv)  # the dependencies are borrowed, not installed


def test_flopdocs_build_from_anywhere_builds_the_users_site(built, stranger):
    r, site = built
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"flopdocs: built the site in {site}"
    assert (site / "index.html").is_file()
    page = (site / "models" / "tiny-wheel.html").read_text(encoding="utf-8")
    total = analyse(load(stranger / "my-models" / "tiny-wheel.yaml")).total
    assert f'id="total-flops">{total:,}<' in page
    assert sorted(p.name for p in (site / "models").iterdir()) == ["tiny-wheel.html"]  # no built-ins
    for f in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "fonts/KaTeX_Main-Regular.woff2"):
        assert (site / "assets" / "katex" / f).read_bytes() == (resources.KATEX / f).read_bytes()
    assert (site / "assets" / "flopdocs.css").is_file()  # site_src/ came along


def test_the_site_names_the_wheels_commit_never_the_cwds(built, stranger):
    r, site = built
    assert r.returncode == 0, r.stderr
    page = (site / "models" / "tiny-wheel.html").read_text(encoding="utf-8")
    assert _git_head(stranger) not in page
    assert f"Built from commit {_git_head(CHECKOUT) or 'unknown'}" in page


def test_bad_input_from_the_wheel_is_one_line(venv, stranger):
    r = _run([str(venv / "bin" / "flopdocs"), "build", "--catalogue", "no-such-dir", "--out", "site2"],
             stranger, _env(venv))
    assert r.returncode == 2
    assert r.stderr.strip() == "flopdocs: error: no-such-dir: catalogue directory does not exist"
    assert not (stranger / "site2").exists()


def test_a_wheel_without_katex_is_refused_in_one_line(tmp_path):
    src = tmp_path / "src"
    for name in ("pyproject.toml", "setup.py", "README.md", "mkdocs.yml"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes((CHECKOUT / name).read_bytes())
    for folder in ("flopdocs", "templates", "site_src"):
        for p in _files(CHECKOUT / folder):
            if "__pycache__" not in p.parts:
                (src / p.relative_to(CHECKOUT)).parent.mkdir(parents=True, exist_ok=True)
                (src / p.relative_to(CHECKOUT)).write_bytes(p.read_bytes())
    r = _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
              "--no-index", "-w", str(tmp_path / "dist")], tmp_path)
    assert r.returncode != 0
    lines = [line.strip() for line in (r.stdout + r.stderr).splitlines() if "npm ci" in line]
    assert lines == [f"error: {src}: KaTeX is not installed (missing node_modules/katex/dist/katex.min.js, "
                     "node_modules/katex/dist/katex.min.css, node_modules/katex/dist/contrib/auto-render.min.js, "
                     f"node_modules/katex/dist/fonts, node_modules/katex/LICENSE); run 'npm ci' in {src} "
                     "before building flopdocs"]
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_the_sdist_builds_the_same_wheel_without_npm_or_git(wheel, tmp_path):
    r = _run([sys.executable, "-c", "import sys, setuptools.build_meta as b; print(b.build_sdist(sys.argv[1]))",
              str(tmp_path)], CHECKOUT, _fresh_build(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    sdist = tmp_path / r.stdout.strip().splitlines()[-1]
    r = _run([sys.executable, "-m", "pip", "wheel", str(sdist), "--no-deps", "--no-build-isolation",
              "--no-index", "-w", str(tmp_path / "dist")], tmp_path)  # unpacked far from any .git
    assert r.returncode == 0, r.stdout + r.stderr
    [again] = (tmp_path / "dist").glob("flopdocs-*.whl")
    with zipfile.ZipFile(wheel) as a, zipfile.ZipFile(again) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name.startswith(BUNDLE):  # the site's sources and the commit, carried by the sdist
                assert a.read(name) == b.read(name), name
