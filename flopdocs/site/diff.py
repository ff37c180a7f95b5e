"""``flopdocs diff``: every published number that changed between two sets of numbers.

The numbers come from :mod:`flopdocs.counting.published`: this tree's, a git ref's (its files
extracted with ``git archive`` into a temporary directory, evaluated by that tree's own
code), or two catalogue directories evaluated by this tree.  Each changed number gets a
"why" worked out from the two sets, never typed in:

- the model's config changed (``config: l 1024 → 2048``);
- the default convention changed (``default convention seed → flopdocs``), and, when the
  count under the ``seed`` convention changed as well, ``and the counting itself``;
- a parameter count with the same config: ``parameter counting``;
- a model only on one side: ``model added`` / ``model removed``.
"""
from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from flopdocs.counting import published as _numbers
from flopdocs.config.config import ConfigError
from flopdocs.base.resources import CHECKOUT
from flopdocs.site.text import md_cell

_FLOPS = ("forward FLOPs", "forward FLOPs per token")


def _git(repo: Path, *args: str, text: bool = True):
    try:
        r = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=text, timeout=60)
    except FileNotFoundError:
        raise ConfigError("diff: git is not installed (it reads the REF's files)") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"diff: git {' '.join(args[:2])} timed out") from None
    return r


def repository() -> Path:
    """The git repository a REF names a commit of: this checkout's, else the cwd's."""
    return CHECKOUT if CHECKOUT is not None and (CHECKOUT / ".git").exists() else Path.cwd()


def resolve(repo: Path, ref: str, what: str = "diff") -> str:
    """The commit ``ref`` names in ``repo`` (a full sha); a one-line error if none."""
    if ref.startswith("-"):
        raise ConfigError(f"{what}: {ref!r} is not a git ref")
    r = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if r.returncode != 0:
        raise ConfigError(f"{what}: {ref!r} is not a commit of the repository at {repo}")
    return r.stdout.strip()


#: The file a release may commit at its root (``flopdocs numbers > numbers.json``): its
#: numbers as data, read by ``diff`` instead of running that commit's code.
NUMBERS_FILE = "numbers.json"
#: The largest numbers file read (a 1,000-model catalogue's is under 2 MB).
MAX_NUMBERS_BYTES = 16 * 2**20


def numbers_from(text: str, where: str) -> dict:
    """A numbers file's text as checked data (:func:`flopdocs.counting.published.check`)."""
    if len(text) > MAX_NUMBERS_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_NUMBERS_BYTES // 2**20} MiB: not a numbers file")
    try:
        return _numbers.check(json.loads(text), where)
    except RecursionError:
        raise ConfigError(f"{where}: nested too deeply: not a numbers file") from None
    except ValueError as e:  # malformed JSON, or not the format
        raise ConfigError(" ".join(str(e).split())[:300] if str(e).startswith(where)
                          else f"{where}: not JSON: {' '.join(str(e).split())[:200]}") from None


def numbers_file(path: str | Path) -> dict:
    """The numbers in a file ``flopdocs numbers`` wrote (data: nothing is run)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise ConfigError(f"--numbers {path}: cannot read: {e.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"--numbers {path}: not a regular file")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(MAX_NUMBERS_BYTES + 1)
    finally:
        os.close(fd)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"--numbers {path}: not UTF-8 text") from None
    return numbers_from(text, f"--numbers {path}")


def numbers_at(ref: str, catalogue_dir: str | None = None, repo: Path | None = None,
               say=None) -> dict:
    """The numbers of commit ``ref``: its committed :data:`NUMBERS_FILE` read as data
    when it has one (and no other catalogue is asked for); else evaluated by its own code,
    which ``say`` (default: stderr) is told first, in one line."""
    repo = repo or repository()
    sha = resolve(repo, ref)
    if not catalogue_dir:
        shown = _git(repo, "cat-file", "-s", f"{sha}:{NUMBERS_FILE}")
        if shown.returncode == 0:
            size = int(shown.stdout.strip() or 0)
            if size > MAX_NUMBERS_BYTES:
                raise ConfigError(f"diff: {ref}:{NUMBERS_FILE}: larger than {MAX_NUMBERS_BYTES // 2**20} MiB")
            blob = _git(repo, "show", f"{sha}:{NUMBERS_FILE}", text=False)
            if blob.returncode == 0:
                try:
                    return numbers_from(blob.stdout.decode("utf-8"), f"diff: {ref}:{NUMBERS_FILE}")
                except UnicodeDecodeError:
                    raise ConfigError(f"diff: {ref}:{NUMBERS_FILE}: not UTF-8 text") from None
    (say or (lambda m: print(m, file=sys.stderr)))(
        f"flopdocs diff: running the code of {ref} ({sha[:12]}) to evaluate its numbers "
        f"({'another catalogue asked for' if catalogue_dir else f'it has no {NUMBERS_FILE}'}): "
        "its package is imported, in a temporary copy, in a separate process")
    archive = _git(repo, "archive", "--format=tar", sha, text=False)
    if archive.returncode != 0:
        raise ConfigError(f"diff: git archive {sha[:12]} failed: "
                          f"{archive.stderr.decode(errors='replace').strip()[:200]}")
    with tempfile.TemporaryDirectory(prefix="flopdocs-diff-") as tree:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tree, filter="data")
        if not (Path(tree) / "flopdocs" / "__init__.py").is_file():
            raise ConfigError(f"diff: {ref!r} ({sha[:12]}) has no flopdocs package")
        out = Path(tree) / ".flopdocs-numbers.json"
        cmd = [sys.executable, "-I", str(Path(_numbers.__file__)), tree, str(out)]
        if catalogue_dir:
            cmd.append(str(Path(catalogue_dir).resolve()))
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, errors="replace", cwd=tree,
                                 timeout=600, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ConfigError(f"diff: evaluating {ref!r} ({sha[:12]}) took more than 600 s") from None
        if run.returncode != 0 or not out.is_file():
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            raise ConfigError(f"diff: evaluating {ref!r} ({sha[:12]}) failed: {last[:200]}")
        text = out.read_text(encoding="utf-8", errors="replace")
    return numbers_from(text, f"diff: the numbers {ref!r} ({sha[:12]}) wrote")


def numbers_here(catalogue_dir: str | None = None) -> dict:
    """This tree's numbers (its catalogue, or ``catalogue_dir``)."""
    return _numbers.collect(catalogue_dir)


def _why(old: dict, new: dict, o: dict | None, n: dict | None, quantity: str) -> str:
    if o is None:
        return "model added"
    if n is None:
        return "model removed"
    keys = sorted(set(o["config"]) | set(n["config"]))
    changed = [f"{k} {o['config'].get(k, '–')} → {n['config'].get(k, '–')}"
               for k in keys if o["config"].get(k) != n["config"].get(k)]
    if changed:
        return "config: " + ", ".join(changed)
    if quantity in _FLOPS:
        reasons = []
        if old["convention"] != new["convention"]:
            reasons.append(f"default convention {old['convention']} → {new['convention']}")
        if o.get("seed_forward") != n.get("seed_forward"):
            reasons.append("the counting itself (also under seed)")
        return "; and ".join(reasons) or "counting under " + new["convention"]
    return "parameter counting"


def diff(old: dict, new: dict) -> list[dict]:
    """Every (model, quantity) whose number differs, with old, new and why; sorted by model."""
    rows = []
    for slug in sorted(set(old["models"]) | set(new["models"])):
        o, n = old["models"].get(slug), new["models"].get(slug)
        for q in _numbers.QUANTITIES:
            a = o["numbers"].get(q) if o else None
            b = n["numbers"].get(q) if n else None
            if a != b:
                rows.append({"model": (n or o)["name"], "slug": slug, "quantity": q, "old": a, "new": b,
                             "why": _why(old, new, o, n, q)})
    return rows


def _cell(value) -> str:
    return "–" if value is None else f"{value:,}" if type(value) is int else md_cell(value)


def table(rows: list[dict], old: dict, new: dict) -> str:
    """The rows as the CHANGELOG's Markdown table (with a line naming both sides).  Every
    text is escaped for a Markdown table cell that becomes HTML (:func:`md_cell`): a name
    is data, from either side's catalogue."""
    v = {side: {k: md_cell(d[k]) for k in ("version", "convention")} for side, d in (("old", old), ("new", new))}
    head = (f"{len(rows)} published numbers changed from {v['old']['version']} (default convention "
            f"{v['old']['convention']}) to {v['new']['version']} (default convention "
            f"{v['new']['convention']}).\n\n")
    if not rows:
        return head
    lines = ["| model | quantity | old | new | why |", "|---|---|--:|--:|---|"]
    lines += [f"| {md_cell(r['model'])} | {md_cell(r['quantity'])} | {_cell(r['old'])} | {_cell(r['new'])} "
              f"| {md_cell(r['why'])} |" for r in rows]
    return head + "\n".join(lines) + "\n"


_BLOCK = re.compile(r"<!-- generated by `flopdocs diff ([^`]*)` -->\n.*?<!-- /generated -->\n", re.S)


def section(text: str, version: str) -> re.Match | None:
    """The changelog's section of ``version`` (``## 0.2.0 ...`` up to the next ``## ``)."""
    return re.search(rf"^## {re.escape(version)}\b.*?(?=^## |\Z)", text, re.M | re.S)


def generated(text: str, version: str) -> tuple[str, str] | None:
    """(REF, table) of the generated block in ``version``'s section, if it has one."""
    m = section(text, version)
    b = _BLOCK.search(m[0]) if m else None
    return (b[1], b[0].split("\n", 1)[1].rsplit("<!-- /generated -->", 1)[0]) if b else None


def write_changelog(path: Path, version: str, ref: str, table_text: str) -> None:
    """Put ``table_text`` into ``version``'s section of the changelog, replacing its last one."""
    from flopdocs.base.writing import write_atomic

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the changelog: {e.strerror}") from None
    m = section(text, version)
    if not m:
        raise ConfigError(f"{path}: no section '## {version}' (add it, with the release's notes)")
    block = f"<!-- generated by `flopdocs diff {ref}` -->\n{table_text}<!-- /generated -->\n"
    new, n = _BLOCK.subn(lambda _: block, m[0])
    if n == 0:
        new = m[0].rstrip("\n") + "\n\n### Published numbers that changed\n\n" + block + "\n"
    write_atomic(path, text[:m.start()] + new + text[m.end():])
