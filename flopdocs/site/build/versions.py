"""The versioned site: each release under its own path, as mike lays it out.

``flopdocs deploy --site DIR`` builds this tree's site into ``DIR/<version>/`` (``0.2``
for 0.2.0; ``--name latest`` for main's build) with Material's version selector on
(``extra.version.provider: mike``), then records it in ``DIR/versions.json`` in mike's
format (``[{"version": "0.2", "title": "0.2.0", "aliases": []}, ...]``, which the
selector fetches from the site root) and points ``DIR/index.html`` at ``latest/`` (or
the newest release).  Other versions' directories are never touched: a release's pages
stay at their address; the site's addresses from before versions (``/models/x.html``) get
redirect stubs to the release they were cited from (:data:`BEFORE_VERSIONS`, 0.1), anchor
kept, where it has the page (else ``latest/``); the tree gets a root ``404.html``.  A
release built by its own older code (:func:`flopdocs.site.build.older.deploy_ref`) has Material's repository widget
switched off (it fetched api.github.com on every visit): no version calls another host.
The selector keeps the page (``site_src/assets/versions.js``).

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
from flopdocs.site.build.finish import ROOT

VERSIONS = "versions.json"
#: The release the site's root served before it had versions: a pre-version address cited
#: a number of this release, so its stub sends the reader there.
BEFORE_VERSIONS = "0.1"
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
#: The start of the version tree's own 404 page (:func:`root_404`): also deploy's own.
_NOT_FOUND_HEAD = '<!doctype html>\n<!-- flopdocs versions: not found -->\n'


def _redirect(target: str) -> str:
    """A page that sends the reader to ``target`` (a relative URL), keeping the ``#anchor``;
    the target escaped for each place it lands (a script's string, an attribute, text)."""
    script = json.dumps(target).replace("<", "\\u003c")
    attr = html.escape(target, quote=True)
    return (f'{_REDIRECT_HEAD}{script} + location.hash)</script>\n'
            f'<meta http-equiv="refresh" content="0; url={attr}">\n'
            f'<link rel="canonical" href="{attr}">\n<a href="{attr}">{attr}</a>\n')


def _ours(path: Path) -> bool:
    """Whether ``path`` is a page deploy wrote (:func:`_redirect`'s index and stubs, the
    root 404 of :func:`root_404`)."""
    try:
        with open(path, "rb") as f:
            head = f.read(max(len(_REDIRECT_HEAD), len(_NOT_FOUND_HEAD)))
    except OSError:
        return False
    return head.startswith(_REDIRECT_HEAD.encode()) or head.startswith(_NOT_FOUND_HEAD.encode())


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


def stubs(site: Path) -> None:
    """The addresses of the site before it had versions (``/models/x.html#totals``) stay:
    each page of the release they were cited from (:data:`BEFORE_VERSIONS`; ``latest``'s
    pages too) gets a stub at its old place sending the reader to that release's page (or
    ``latest``'s, for a page the release did not have), anchor kept; the root's own
    ``index.html`` is :func:`deploy`'s.  A stub is written only where nothing is or a stub
    was (never over another version's files, never through a link)."""
    cited, latest = site / BEFORE_VERSIONS, site / "latest"
    pages = {}
    for version in (latest, cited):  # the cited release's own pages win
        if version.is_dir() and not version.is_symlink():
            for page in version.rglob("*.html"):
                pages[page.relative_to(version)] = version.name
    for rel, name in sorted(pages.items()):
        if rel.parts[0] in ("assets", "search", "404.html", "index.html"):
            continue
        if os.path.lexists(site / rel) and not (site / rel).is_symlink() and not _ours(site / rel):
            continue
        _write_in(site, rel.as_posix(), _redirect("../" * (len(rel.parts) - 1) + f"{name}/{rel.as_posix()}"))


def root_404(site: Path) -> None:
    """The version tree's own 404 (GitHub Pages serves the root's for any missing path):
    a note and the way to each version's home, relative to the tree's root (found from the
    address, as a page deep in the tree needs).  Written only where nothing is or deploy's
    own was."""
    root = json.dumps(ROOT)  # a constant of the package ("/flopdocs/"), no reader's text
    _write_in(site, "404.html",
              f'{_NOT_FOUND_HEAD}<meta charset="utf-8">\n<meta name="viewport" content="width=device-width">\n'
              f'<title>Not found: flopdocs</title>\n'
              f'<script>if(location.protocol!=="file:"&&location.pathname.indexOf({root})===0)'
              f'document.write(\'<base href="{ROOT}">\')</script>\n'
              '<h1>Not found</h1>\n<p>No page of flopdocs is at this address. Every version of the site:\n'
              '<a href="latest/index.html">the latest</a>, or one release (<a href="versions.json">the list</a>):</p>\n'
              '<ul id="versions"></ul>\n'
              '<script>fetch("versions.json").then(function(r){return r.json()}).then(function(v){'
              'var ul=document.getElementById("versions");v.forEach(function(e){'
              'var li=document.createElement("li"),a=document.createElement("a");'
              'a.href=e.version+"/index.html";a.textContent=e.title;li.appendChild(a);ul.appendChild(li)})'
              '}).catch(function(){})</script>\n')


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
    stubs(site)
    root_404(site)
    if not os.path.lexists(site / ".nojekyll"):
        _write_in(site, ".nojekyll", "")
    return out
