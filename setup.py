"""Build hook: put the site's sources into the wheel.  pyproject.toml holds the metadata.

git holds one copy of the site's sources, at the top of the repository: ``templates/``,
``site_src/``, ``mkdocs.yml``, and KaTeX in ``node_modules/`` (from ``npm ci``).  When a
wheel is built, ``build_py`` copies them into ``flopdocs/_site/`` in the build directory
(never into the source tree), laid out as ``flopdocs/resources.py`` says, with
``build-info.json``: the commit the sources are at and its time, so an installed
flopdocs can name its commit without asking git.  Without KaTeX the build stops with
one line: run ``npm ci``.  An editable install copies nothing, needs no KaTeX to
install, and reads the top-level folders in place.

The sdist carries the same sources, KaTeX's files included, and ``build-info.json`` at
its top, so a wheel builds from it with neither npm nor git; making one needs KaTeX too.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py
from setuptools.command.sdist import sdist as _sdist
from setuptools.errors import FileError

HERE = Path(__file__).resolve().parent


def _load_resources():
    """flopdocs/resources.py, by path: importing flopdocs would need its dependencies."""
    spec = importlib.util.spec_from_file_location("_flopdocs_resources", HERE / "flopdocs" / "base" / "resources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


resources = _load_resources()
BUNDLE = resources.BUNDLE.relative_to(resources.PACKAGE.parent)  # flopdocs/_site


def _site_files() -> list[tuple[Path, str]]:
    """Every source file of the bundle that exists, sorted: (path relative to HERE,
    path under flopdocs/_site/)."""
    pairs = []
    for bundled, src in resources.LAYOUT:
        path = HERE / src
        if path.is_dir():
            pairs += [(p.relative_to(HERE), f"{bundled}/{p.relative_to(path).as_posix()}")
                      for p in sorted(path.rglob("*"))
                      if p.is_file() and "__pycache__" not in p.relative_to(path).parts]
        elif path.is_file():
            pairs.append((Path(src), bundled))
    return pairs


def _require_sources() -> None:
    """Stop the build with one line if a source is missing (KaTeX, before ``npm ci``)."""
    missing = [src for _, src in resources.LAYOUT if not (HERE / src).exists()]
    katex = [m for m in missing if m.startswith("node_modules/")]
    if katex:
        raise FileError(f"{HERE}: KaTeX is not installed (missing {', '.join(katex)}); "
                        f"run 'npm ci' in {HERE} before building flopdocs")
    if missing:
        raise FileError(f"{HERE}: cannot build flopdocs without {', '.join(missing)}")


def _git(*args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


def _build_info() -> dict:
    """The commit the sources are at and its time: git's in a checkout (and only there:
    ``.git`` here, not a parent's), else what the sdist recorded, else unknown."""
    if (HERE / ".git").exists() and (commit := _git("rev-parse", "HEAD")):
        return {"commit": commit, "source_date_epoch": _git("log", "-1", "--format=%ct")}
    recorded = HERE / resources.BUILD_INFO
    if recorded.is_file():
        return json.loads(recorded.read_text(encoding="utf-8"))
    return {"commit": "unknown", "source_date_epoch": None}


class build_py(_build_py):
    """Also copy the site's sources into ``flopdocs/_site/`` (not in editable mode)."""

    def run(self) -> None:
        if not self.editable_mode:
            _require_sources()  # first, so the one line is not lost after the build's log
        super().run()
        if self.editable_mode:
            return
        bundle = Path(self.build_lib) / BUNDLE
        shutil.rmtree(bundle, ignore_errors=True)  # nothing stale from an earlier build
        for rel, bundled in _site_files():
            target = bundle / bundled
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / rel, target)
        (bundle / resources.BUILD_INFO).write_text(json.dumps(_build_info(), sort_keys=True) + "\n",
                                                   encoding="utf-8")

    def get_source_files(self) -> list[str]:
        """What an sdist must carry: the modules and the site's sources that exist (egg_info
        asks too, before ``npm ci`` perhaps, so nothing missing is an error here)."""
        return [*super().get_source_files(), *(rel.as_posix() for rel, _ in _site_files())]


class sdist(_sdist):
    """Refuse to make an sdist that cannot build a wheel; record the commit in it."""

    def run(self) -> None:
        _require_sources()
        super().run()

    def make_release_tree(self, base_dir, files) -> None:
        super().make_release_tree(base_dir, files)
        info = Path(base_dir) / resources.BUILD_INFO
        info.unlink(missing_ok=True)  # may be a hard link to ours: never write through it
        info.write_text(json.dumps(_build_info(), sort_keys=True) + "\n", encoding="utf-8")


setup(cmdclass={"build_py": build_py, "sdist": sdist})
