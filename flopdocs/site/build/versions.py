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

import html
import json
import os
import re
import tempfile
from pathlib import Path

from flopdocs.base.readers import json_depth, read_text
from flopdocs.errors import BuildError, ConfigError, shown
from flopdocs.site.addresses import SITE_URL, release_path

VERSIONS = "versions.json"
_NAME = re.compile(r"latest|[0-9]+\.[0-9]+")
#: What ``versions.json`` may name a version (mike's): MAJOR.MINOR or an alias word.
_VERSION = re.compile(r"[0-9]{1,9}\.[0-9]{1,9}|[a-z][a-z0-9_-]{0,39}")
#: A selector label: Material's selector renders it as HTML, so no markup character at all.
_TITLE = re.compile(r"[^<>&\"'`\\]{1,40}")
#: ``versions.json`` is read as data: at most this many bytes (1 MiB) and this nesting
#: (a list of objects holding a list of aliases).
MAX_DEPTH = 3


def _order(entry: dict) -> tuple:
    name = entry["version"]
    if _NAME.fullmatch(name) and name != "latest":
        major, minor = name.split(".")
        return (1, -int(major), -int(minor))
    return (0, 0, 0)  # latest first, then releases, newest first


def check_title(title: str, where: str) -> str:
    if not (isinstance(title, str) and title.isprintable() and _TITLE.fullmatch(title)):
        raise BuildError(f"{where} {shown(title)}: expected a short line of printable text "
                         "(at most 40 characters, none of < > & \" ' ` \\)")
    return title


def read_versions(site: Path) -> list[dict]:
    """``site/versions.json`` as data, each entry checked (a version MAJOR.MINOR or an
    alias word, a title :func:`check_title` accepts, aliases alias words); one line
    naming the file for anything else.  Read as a config is: a regular file of at most
    1 MiB (never a FIFO or a device), its nesting checked before it is parsed."""
    path = site / VERSIONS
    if not os.path.lexists(path):
        return []
    if path.is_symlink():
        raise BuildError(f"{path}: is a symbolic link; refusing to read or replace it")
    try:
        text = read_text(path, "a versions.json")
        if json_depth(text) > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        entries = json.loads(text)
        if not isinstance(entries, list):
            raise ValueError("not a list of {version, title, aliases}")
        for e in entries:
            if not (isinstance(e, dict) and isinstance(e.get("version"), str)
                    and _VERSION.fullmatch(e["version"])):
                raise ValueError(f"{shown(e, 60)}: a version is MAJOR.MINOR or an alias word")
            check_title(e.get("title", e["version"]), "title")
            aliases = e.get("aliases", [])
            if not (isinstance(aliases, list) and all(isinstance(a, str) and _VERSION.fullmatch(a)
                                                      for a in aliases)):
                raise ValueError(f"{shown(aliases, 60)}: aliases are alias words")
    except ConfigError as e:
        raise BuildError(str(e)) from None
    except BuildError as e:
        raise BuildError(f"{path}: {e}") from None
    except (ValueError, RecursionError) as e:
        raise BuildError(f"{path}: cannot read it: {' '.join(str(e).split())[:200]}") from None
    return entries


def record(site: Path, name: str, title: str) -> list[dict]:
    """Add (or replace) ``name`` in ``versions.json``; the entries, in the selector's order."""
    entries = [e for e in read_versions(site) if e["version"] != name]
    entries.append({"version": name, "title": check_title(title, "--title"), "aliases": []})
    entries.sort(key=_order)
    _write_in(site, VERSIONS, json.dumps(entries, indent=2) + "\n", replace=True)
    return entries


#: The start of every page :func:`_redirect` writes: how deploy knows a file is its own.
_REDIRECT_HEAD = '<!doctype html>\n<meta charset="utf-8">\n<title>flopdocs</title>\n<script>location.replace('


def _redirect(target: str) -> str:
    """A page that sends the reader to ``target`` (a relative URL), keeping the ``#anchor``;
    the target escaped for each place it lands (a script's string, an attribute, text)."""
    script = json.dumps(target).replace("<", "\\u003c")
    attr = html.escape(target, quote=True)
    return (f'{_REDIRECT_HEAD}{script} + location.hash)</script>\n'
            f'<meta http-equiv="refresh" content="0; url={attr}">\n'
            f'<link rel="canonical" href="{attr}">\n<a href="{attr}">{attr}</a>\n')


def _ours(path: Path) -> bool:
    """Whether ``path`` is a page :func:`_redirect` wrote (deploy's index and stubs)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(_REDIRECT_HEAD)) == _REDIRECT_HEAD.encode()
    except OSError:
        return False


def _write_in(site: Path, rel: str, text: str, *, replace: bool = False, force: bool = False) -> bool:
    """Write ``text`` at ``site/rel``, never outside ``site``: no directory on the way and
    not the file itself may be a symbolic link (one line, nothing written).  An existing
    file is replaced only with ``replace`` (ours to rewrite: versions.json), when
    :func:`_ours`, or with ``force``; otherwise it is left and False returned.  Atomic (a
    temporary file renamed over it, which replaces a name, never writes through one)."""
    path = site
    for part in Path(rel).parts[:-1]:
        path = path / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise BuildError(f"--site {site}: {path} is not a directory of the site "
                             "(a link or a file); refusing to write through it")
        if not path.exists():
            path.mkdir()
    path = site / rel
    if path.is_symlink():
        raise BuildError(f"--site {site}: {path} is a symbolic link; refusing to write through it")
    if path.exists():
        if not path.is_file():
            raise BuildError(f"--site {site}: {path} is not a regular file; refusing to replace it")
        if not (replace or force or _ours(path)):
            return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    return True


def _stubs(site: Path, version: Path) -> None:
    """The addresses of the site before it had versions (``/models/x.html#totals``) stay:
    each page gets a stub at its old place sending the reader to ``latest/``, anchor kept.
    A stub is written only where nothing is or a stub was (never over another version's
    files, never through a link)."""
    if version.name != "latest":
        return
    for page in sorted(version.rglob("*.html")):
        rel = page.relative_to(version)
        if rel.parts[0] in ("assets", "search", "404.html"):
            continue
        if os.path.lexists(site / rel) and not (site / rel).is_symlink():
            continue
        _write_in(site, rel.as_posix(), _redirect("../" * (len(rel.parts) - 1) + f"latest/{rel.as_posix()}"))


def _check_site(site: Path, name: str, force: bool) -> None:
    """Everything deploy writes in ``site`` besides the build, checked before building:
    no symbolic link anywhere outside the versions' own directories and ``.git`` (a
    stub's address is known only once built, and none may lead outside), and the landing
    ``index.html`` ours (or ``--force``)."""
    for top, dirs, files in os.walk(site):
        here = Path(top)
        if here == site:
            dirs[:] = [d for d in dirs if d != ".git" and not (_VERSION.fullmatch(d) and d != name
                                                                and not (site / d).is_symlink())]
        for entry in (*dirs, *files):
            if (here / entry).is_symlink():
                raise BuildError(f"--site {site}: {here / entry} is a symbolic link; "
                                 "deploy writes nothing through one")
    index = site / "index.html"
    if index.exists() and not force and not _ours(index):
        raise BuildError(f"--site {site}: index.html is not one deploy wrote; refusing to replace it "
                         "(--force replaces it)")


def deploy(site: str | Path, version: str, name: str | None = None, title: str | None = None,
           catalogue_dir: str | Path | None = None, force: bool = False) -> Path:
    """Build this tree's site as one version of the versioned site at ``site``; its directory."""
    from flopdocs.site.build.staging import build

    site = Path(site)
    name = name or release_path(version)
    if not _NAME.fullmatch(name):
        raise BuildError(f"--name {shown(name)}: expected 'latest' or MAJOR.MINOR, e.g. 0.2")
    title = check_title(title if title is not None else (version if name != "latest" else f"latest ({version}+)"), "--title")
    if site.exists() and not site.is_dir():
        raise BuildError(f"--site {site}: exists and is not a directory")
    site.mkdir(parents=True, exist_ok=True)
    read_versions(site)  # a broken versions.json fails before anything is built
    _check_site(site, name, force)
    overrides = {"site_url": f"{SITE_URL}{name}/",
                 "extra": {"version": {"provider": "mike", "default": "latest"}}}
    out = build(site / name, catalogue_dir=catalogue_dir, overrides=overrides)
    entries = record(site, name, title)
    target = "latest/" if any(e["version"] == "latest" for e in entries) else f"{entries[0]['version']}/"
    _write_in(site, "index.html", _redirect(target), force=force)
    _stubs(site, out)
    if not os.path.lexists(site / ".nojekyll"):
        _write_in(site, ".nojekyll", "")
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
