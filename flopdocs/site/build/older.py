"""A release made before ``flopdocs deploy`` existed, added to the versioned site
(:func:`deploy_ref`): that commit's own build, in a temporary git worktree, then recorded,
stubbed and kept offline as :mod:`flopdocs.site.build.versions` does for its own.  Nothing
here builds the tree's own site or writes outside ``--site``.
"""
from __future__ import annotations

import re
from pathlib import Path

from flopdocs.errors import BuildError
from flopdocs.site.addresses import release_path
from flopdocs.site.build.versions import read_versions, record, root_404, stubs


def _offline(version: Path) -> None:
    """An older release's pages without Material's repository widget (its JavaScript
    fetched the repository's stars from api.github.com on every page): the link stays.
    Nothing is written through a link."""
    if version.is_symlink():
        return
    for page in version.rglob("*.html"):
        if page.is_symlink() or not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        if 'data-md-component="source"' in text:
            page.write_text(text.replace(' data-md-component="source"', ""), encoding="utf-8")


def deploy_ref(site: str | Path, ref: str) -> Path:
    """Add a release made before ``flopdocs deploy`` existed (``v0.1.0``) to the versioned
    site: that commit's own ``flopdocs build``, run in a temporary git worktree of it, into
    ``site/<its MAJOR.MINOR>/``, recorded in ``versions.json``.  A commit that has
    ``deploy`` runs its own; an older one's pages are as it built them (no selector: its
    mkdocs.yml had none)."""
    import os
    import subprocess
    import sys
    import tempfile

    from flopdocs.site.diff import repository, resolve
    from flopdocs.base.resources import CHECKOUT

    site = Path(site)
    repo = repository()
    sha = resolve(repo, ref, "deploy")
    read_versions(site)
    with tempfile.TemporaryDirectory(prefix="flopdocs-deploy-") as tmp:
        tree = Path(tmp) / "tree"
        add = subprocess.run(["git", "-C", str(repo), "worktree", "add", "-q", "--detach", str(tree), sha],
                             capture_output=True, text=True)
        if add.returncode != 0:
            raise BuildError(f"deploy: git worktree add {sha[:12]} failed: {add.stderr.strip()[:200]}")
        try:
            init = (tree / "flopdocs" / "__init__.py").read_text(encoding="utf-8")
            version = re.search(r'^__version__ = "([^"]+)"', init, re.M)
            if not version:
                raise BuildError(f"{ref}: its flopdocs/__init__.py declares no __version__")
            name = release_path(version[1])
            if CHECKOUT is not None and (CHECKOUT / "node_modules").is_dir():
                (tree / "node_modules").symlink_to(CHECKOUT / "node_modules")  # the pinned KaTeX
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            own = any((tree / "flopdocs" / f).is_file()  # it has deploy: its own, selector on
                      for f in ("cli_release.py", "cli/release.py"))  # 0.2's layout, or by stage
            cmd = (["deploy", "--site", str(site.resolve())] if own
                   else ["build", "--out", str((site / name).resolve())])
            run = subprocess.run([sys.executable, "-m", "flopdocs", *cmd],
                                 cwd=tree, capture_output=True, text=True, env=env, timeout=1800)
            if run.returncode != 0:
                raise BuildError(f"{ref}: its flopdocs build failed: "
                                 f"{(run.stderr.strip().splitlines() or ['no output'])[-1][:200]}")
        finally:
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)],
                           capture_output=True)
    if not own:
        record(site, name, version[1])
        _offline(site / name)
    stubs(site)
    root_404(site)
    return site / name
