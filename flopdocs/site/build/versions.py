"""The versioned site: each release under its own path, as mike lays it out.

``flopdocs deploy --site DIR`` builds this tree's site into ``DIR/<version>/`` (``0.2``
for 0.2.0; ``--name latest`` for main's build) with Material's version selector on
(``extra.version.provider: mike``), then records it in ``DIR/versions.json`` in mike's
format (``[{"version": "0.2", "title": "0.2.0", "aliases": []}, ...]``, which the
selector fetches from the site root) and points ``DIR/index.html`` at ``latest/`` (or
the newest release).  Other versions' directories are never touched: a release's pages
stay at their address; the site's addresses from before versions (``/models/x.html``) get
redirect stubs to ``latest/``.

Why not mike itself: mike runs ``mkdocs build`` on a plain ``docs_dir`` and commits the
result to a git branch; flopdocs' pages are generated and staged by ``flopdocs build``
(strict, atomic), which mike cannot drive.  The layout and ``versions.json`` are mike's,
so Material's selector (and mike, should it ever manage the branch) read them as theirs.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from flopdocs.errors import BuildError
from flopdocs.site.addresses import SITE_URL, release_path

VERSIONS = "versions.json"
_NAME = re.compile(r"latest|[0-9]+\.[0-9]+")


def _order(entry: dict) -> tuple:
    name = entry["version"]
    if _NAME.fullmatch(name) and name != "latest":
        major, minor = name.split(".")
        return (1, -int(major), -int(minor))
    return (0, 0, 0)  # latest first, then releases, newest first


def read_versions(site: Path) -> list[dict]:
    path = site / VERSIONS
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        if not (isinstance(entries, list)
                and all(isinstance(e, dict) and isinstance(e.get("version"), str) for e in entries)):
            raise ValueError("not a list of {version, title, aliases}")
    except (OSError, ValueError) as e:
        raise BuildError(f"{path}: cannot read it: {e}") from None
    return entries


def record(site: Path, name: str, title: str) -> list[dict]:
    """Add (or replace) ``name`` in ``versions.json``; the entries, in the selector's order."""
    entries = [e for e in read_versions(site) if e["version"] != name]
    entries.append({"version": name, "title": title, "aliases": []})
    entries.sort(key=_order)
    (site / VERSIONS).write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return entries


def _redirect(target: str) -> str:
    """A page that sends the reader to ``target`` (a relative URL), keeping the ``#anchor``."""
    return (f'<!doctype html>\n<meta charset="utf-8">\n<title>flopdocs</title>\n'
            f'<script>location.replace("{target}" + location.hash)</script>\n'
            f'<meta http-equiv="refresh" content="0; url={target}">\n'
            f'<link rel="canonical" href="{target}">\n<a href="{target}">{target}</a>\n')


def _stubs(site: Path, version: Path) -> None:
    """The addresses of the site before it had versions (``/models/x.html#totals``) stay:
    each page gets a stub at its old place sending the reader to ``latest/``, anchor kept.
    A stub is written only where nothing is (never over another version's files)."""
    if version.name != "latest":
        return
    for page in sorted(version.rglob("*.html")):
        rel = page.relative_to(version)
        stub = site / rel
        if rel.parts[0] in ("assets", "search", "404.html") or stub.exists():
            continue
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(_redirect("../" * (len(rel.parts) - 1) + f"latest/{rel.as_posix()}"),
                        encoding="utf-8")


def deploy(site: str | Path, version: str, name: str | None = None, title: str | None = None,
           catalogue_dir: str | Path | None = None) -> Path:
    """Build this tree's site as one version of the versioned site at ``site``; its directory."""
    from flopdocs.site.build.staging import build

    site = Path(site)
    name = name or release_path(version)
    if not _NAME.fullmatch(name):
        raise BuildError(f"--name {name!r}: expected 'latest' or MAJOR.MINOR, e.g. 0.2")
    title = title or (version if name != "latest" else f"latest ({version}+)")
    if not title.isprintable() or len(title) > 40:
        raise BuildError(f"--title {title[:40]!r}: expected a short line of printable text")
    if site.exists() and not site.is_dir():
        raise BuildError(f"--site {site}: exists and is not a directory")
    site.mkdir(parents=True, exist_ok=True)
    read_versions(site)  # a broken versions.json fails before anything is built
    overrides = {"site_url": f"{SITE_URL}{name}/",
                 "extra": {"version": {"provider": "mike", "default": "latest"}}}
    out = build(site / name, catalogue_dir=catalogue_dir, overrides=overrides)
    entries = record(site, name, title)
    target = "latest/" if any(e["version"] == "latest" for e in entries) else f"{entries[0]['version']}/"
    (site / "index.html").write_text(_redirect(target), encoding="utf-8")
    _stubs(site, out)
    (site / ".nojekyll").write_text("", encoding="utf-8")
    return out


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
    return site / name
