"""Citable versions: two releases from two commits that differ in one convention.

A temporary git repository holds this tree's sources (with a small catalogue) twice:
commit A is release 0.1.0 with the ``seed`` default, commit B release 0.2.0 with the
``flopdocs`` default.  Each commit's own ``flopdocs deploy`` builds its version into one
versioned site; both versions' pages stand side by side with their own numbers, the
selector's ``versions.json`` lists both, and B's ``flopdocs diff A`` lists exactly the
numbers that differ.
"""
from __future__ import annotations

import html
import os
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flopdocs.config import catalogue
from flopdocs.counting import published as numbers
from flopdocs.base import resources
from flopdocs.counting.analysis import analyse
from flopdocs.cli.main import main
from flopdocs.site.build import versions

from conftest import TINY

ROOT = resources.CHECKOUT
pytestmark = pytest.mark.skipif(ROOT is None or shutil.which("git") is None,
                                reason="needs a source checkout and git")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo), *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def _release(repo: Path, version: str, default: str) -> str:
    """Set the version and the default convention, commit; the commit's sha."""
    init = repo / "flopdocs" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text()))
    conv = repo / "flopdocs" / "conventions" / "__init__.py"
    conv.write_text(re.sub(r'^DEFAULT = "[a-z0-9]+"', f'DEFAULT = "{default}"', conv.read_text(), flags=re.M))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"release {version}")
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, str, str]:
    repo = tmp_path_factory.mktemp("repo")
    ignore = shutil.ignore_patterns("__pycache__", "_site")
    for name in ("flopdocs", "templates", "site_src"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    for name in ("mkdocs.yml", "CHANGELOG.md", "pyproject.toml", "examples/seed.ipynb"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, repo / name)
    (repo / "node_modules").symlink_to(ROOT / "node_modules")  # the pinned KaTeX
    (repo / ".gitignore").write_text("node_modules\n__pycache__/\n")
    for p in (repo / "flopdocs" / "config" / "catalogue").glob("*.yaml"):
        if p.name != "seed-512.yaml":
            p.unlink()
    (repo / "flopdocs" / "config" / "catalogue" / "tiny.yaml").write_text(TINY)
    _git(repo, "init", "-q")
    a = _release(repo, "0.1.0", "seed")
    b = _release(repo, "0.2.0", "flopdocs")
    return repo, a, b


def _flopdocs(repo: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    """The checked-out commit's own flopdocs (``-m`` from the repository: its tree first)."""
    return subprocess.run([sys.executable, "-m", "flopdocs", *args], cwd=repo, capture_output=True,
                          text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def released(repo, tmp_path_factory) -> Path:
    repo, a, b = repo
    site = tmp_path_factory.mktemp("pages") / "site"
    _git(repo, "checkout", "-q", b)
    # A by its own deploy (in a worktree of commit A, from B's --ref), then B's
    for args in (("--ref", a), ()):
        r = _flopdocs(repo, "deploy", "--site", str(site), *args)
        assert r.returncode == 0, r.stderr
    assert len(_git(repo, "worktree", "list").splitlines()) == 1  # the temporary worktree is gone
    return site


def _total(page: Path) -> int:
    return int(re.search(r'id="total-flops">([\d,]+)<', page.read_text(encoding="utf-8"))[1].replace(",", ""))


def test_both_versions_stand_side_by_side_with_their_own_numbers(released):
    cfg = next(c for c in catalogue.models() if c.name == "Seed 512")
    old, new = released / "0.1" / "models" / "seed-512.html", released / "0.2" / "models" / "seed-512.html"
    assert _total(old) == analyse(cfg, "seed").total != _total(new) == analyse(cfg, "flopdocs").total
    assert json.loads((released / "versions.json").read_text()) == [
        {"version": "0.2", "title": "0.2.0", "aliases": []},
        {"version": "0.1", "title": "0.1.0", "aliases": []}]
    for v, full in (("0.1", "0.1.0"), ("0.2", "0.2.0")):
        text = (released / v / "models" / "seed-512.html").read_text(encoding="utf-8")
        assert '"provider": "mike"' in text or '"provider":"mike"' in text  # the selector, on
        assert f"https://flopdocs.github.io/flopdocs/{v}/models/seed-512.html" in text  # permalink
        assert "https://flopdocs.github.io/flopdocs/latest/models/seed-512.html" in text
        bibtex = html.unescape(re.sub(r"<[^>]+>", "", text))  # the code block is highlighted
        assert f"version      = {{{full}}}," in bibtex
    assert 'url=0.2/' in (released / "index.html").read_text()  # no latest yet: the newest release


def test_diff_lists_exactly_the_numbers_that_differ(repo):
    repo, a, b = repo
    _git(repo, "checkout", "-q", b)
    r = _flopdocs(repo, "diff", a, "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["old"] == {"version": "0.1.0", "convention": "seed"}
    assert out["new"] == {"version": "0.2.0", "convention": "flopdocs"}
    cat = repo / "flopdocs" / "config" / "catalogue"
    old, new = numbers.collect(cat), numbers.collect(cat)  # this tree, both conventions
    expect = set()
    for cfg in catalogue.load_directory(cat):
        s, f = analyse(cfg, "seed"), analyse(cfg, "flopdocs")
        for q, x, y in (("forward FLOPs", s.total, f.total), ("forward FLOPs per token", s.per_token, f.per_token)):
            if x != y:
                expect.add((cfg.name, q, x, y, "default convention seed → flopdocs"))
    assert old == new and len(expect) == 4  # parameters do not depend on the convention
    assert {(c["model"], c["quantity"], c["old"], c["new"], c["why"]) for c in out["changed"]} == expect
    md = _flopdocs(repo, "diff", a).stdout  # the CHANGELOG's table
    assert md.startswith("4 published numbers changed from 0.1.0 (default convention seed) to 0.2.0")
    assert "| Tiny | forward FLOPs |" in md


def test_bad_ref_and_missing_git_are_one_line_exit_2(repo):
    repo, _, b = repo
    _git(repo, "checkout", "-q", b)
    for ref in ("no-such-ref", "--upload-pack=x"):
        r = _flopdocs(repo, "diff", "--", ref)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "flopdocs: error: diff:" in r.stderr
    r = _flopdocs(repo, "diff", "HEAD", env={"PATH": "/nonexistent"})
    assert r.returncode == 2 and r.stderr == "flopdocs: error: diff: git is not installed (it reads the REF's files)\n"


def test_diff_of_two_catalogues_says_why(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "tiny.yaml").write_text(TINY)
    (b / "tiny.yaml").write_text(TINY.replace("l: 64", "l: 128"))
    assert main(["diff", "--catalogue", str(a), "--catalogue", str(b), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["changed"]
    # a longer learned position table: more parameters, the same non-embedding ones
    assert {r["quantity"] for r in rows} == {"forward FLOPs", "forward FLOPs per token", "parameters",
                                             "active parameters"}
    assert {r["why"] for r in rows} == {"config: l 64 → 128"}
    assert main(["diff", "--catalogue", str(a)]) == 2


def test_versions_json_keeps_latest_first_and_replaces_a_version(tmp_path):
    for name, title in (("0.1", "0.1.0"), ("latest", "latest"), ("0.10", "0.10.0"), ("0.1", "0.1.1")):
        entries = versions.record(tmp_path, name, title)
    assert [(e["version"], e["title"]) for e in entries] == [("latest", "latest"), ("0.10", "0.10.0"),
                                                             ("0.1", "0.1.1")]
    assert versions.release_path("0.2.0") == "0.2"


def test_the_changelog_table_is_the_commands_output():
    """This version's generated table is what ``flopdocs diff REF`` prints now (REF: the
    previous release's commit, named in the marker; skipped in a clone without it)."""
    from flopdocs import __version__
    from flopdocs.site import diff as release

    ref, table = release.generated(resources.CHANGELOG.read_text(encoding="utf-8"), __version__)
    if subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{ref}^{{commit}}"]).returncode:
        pytest.skip(f"{ref}: not in this clone")
    old, new = release.numbers_at(ref), release.numbers_here()
    assert table == release.table(release.diff(old, new), old, new), (
        f"CHANGELOG.md's {__version__} table is stale: run flopdocs diff {ref} --changelog CHANGELOG.md")


def test_write_changelog_replaces_the_block_of_this_versions_section(tmp_path, capsys):
    from flopdocs.site import diff as release

    log = tmp_path / "CHANGELOG.md"
    log.write_text("# Changelog\n\n## 0.3.0\n\nNotes.\n\n## 0.2.0\n\n"
                   "<!-- generated by `flopdocs diff a` -->\nold\n<!-- /generated -->\n")
    release.write_changelog(log, "0.3.0", "b", "one\n")
    release.write_changelog(log, "0.3.0", "c", "two\n")
    text = log.read_text()
    assert release.generated(text, "0.3.0") == ("c", "two\n")
    assert release.generated(text, "0.2.0") == ("a", "old\n") and "one" not in text
    with pytest.raises(Exception, match="no section '## 0.4.0'"):
        release.write_changelog(log, "0.4.0", "b", "x\n")


def test_the_addresses_from_before_versions_send_readers_to_latest(tmp_path):
    site = tmp_path / "site"
    for rel in ("latest/models/x.html", "latest/index.html", "latest/404.html", "latest/assets/a.html",
                "0.1/models/x.html", "about.html"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("page")
    versions._stubs(site, site / "0.1")  # a release writes none
    assert not (site / "models").exists()
    versions._stubs(site, site / "latest")
    assert 'location.replace("../latest/models/x.html" + location.hash)' in (site / "models/x.html").read_text()
    assert (site / "about.html").read_text() == "page"  # never over a file already there
    assert not (site / "404.html").exists() and not (site / "assets").exists()
    assert 'location.replace("latest/index.html"' in (site / "index.html").read_text()


def test_a_hostile_name_in_the_changelog_table_is_text_in_its_own_cell(tmp_path, capsys):
    """A model name with ``|`` and markup: one cell, rendered as text (changes.html)."""
    import markdown

    from flopdocs.site import diff as release

    name = 'Tiny | 7B <img src=x onerror=alert(7)> [x](javascript:alert(1)) `c` \\|'
    a, b = tmp_path / "a", tmp_path / "b"
    for d, l in ((a, 64), (b, 128)):
        d.mkdir()
        (d / "tiny-7b-img-src-x-onerror-alert-7-x-javascript-alert-1-c.yaml").write_text(
            TINY.replace("name: Tiny", f"name: {json.dumps(name)}").replace("l: 64", f"l: {l}"))
    old, new = release.numbers_here(str(a)), release.numbers_here(str(b))
    text = release.table(release.diff(old, new), old, new)
    rendered = markdown.markdown(text, extensions=["tables"])
    assert "<img" not in rendered and "<a " not in rendered and "<code>" not in rendered
    rows = [r for r in rendered.split("<tr>")[2:]]
    assert rows and all(r.count("<td") == 5 for r in rows)
    assert all(html.unescape(r.split("<td>")[1].split("</td>")[0]) == name for r in rows)


def test_diff_reads_a_released_numbers_file_as_data_and_says_when_it_runs_code(tmp_path):
    """A ref with ``numbers.json`` is read as data (its code, which would fail, never runs);
    without one its code runs, which diff says first, in one line, and a package that
    prints on import does not spoil the numbers (they come back in a file)."""
    from flopdocs.site import diff as release

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "flopdocs", repo / "flopdocs", ignore=shutil.ignore_patterns("__pycache__"))
    for p in (repo / "flopdocs" / "config" / "catalogue").glob("*.yaml"):
        p.unlink()
    (repo / "flopdocs" / "config" / "catalogue" / "tiny.yaml").write_text(TINY)
    init = repo / "flopdocs" / "__init__.py"
    init.write_text('print("hello from the package")\n' + init.read_text())
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "noisy")
    said = []
    noisy = release.numbers_at("HEAD", repo=repo, say=said.append)
    assert list(noisy["models"]) == ["tiny"] and len(said) == 1 and "running the code of HEAD" in said[0]
    # a release that committed its numbers: read, not run (its package now exits on import)
    numbers = dict(noisy, version="9.9.9")
    (repo / "numbers.json").write_text(numbers_module_dumps(numbers))
    init.write_text('raise SystemExit("ran the ref\'s code")\n')
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "released")
    said.clear()
    assert release.numbers_at("HEAD", repo=repo, say=said.append) == numbers and said == []
    # a hostile numbers file: one line
    (repo / "numbers.json").write_text('{"format": "flopdocs-numbers/1", "version": "1", "convention": "x", '
                                       '"models": {"m": {"name": "m", "config": {}, "numbers": {"q": "1e9"}}}}')
    _git(repo, "commit", "-q", "-am", "bad numbers")
    with pytest.raises(Exception, match="not flopdocs numbers .* model 'm' is not"):
        release.numbers_at("HEAD", repo=repo, say=said.append)


def numbers_module_dumps(data):
    return numbers.dumps(data)


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000, "nested too deeply"),
    ("{", "not JSON"),
    ('{"format": "other"}', "no 'format' field of that value"),
    ('{"format": "flopdocs-numbers/1", "version": "1", "convention": "c", "models": []}', "'models' is not a mapping"),
])
def test_diff_numbers_from_a_file_hostile_is_one_line(tmp_path, capsys, text, message):
    f = tmp_path / "old.json"
    f.write_text(text)
    assert main(["diff", "--numbers", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_diff_numbers_from_a_file(tmp_path, capsys):
    f = tmp_path / "old.json"
    assert main(["numbers"]) == 0
    f.write_text(capsys.readouterr().out)
    assert main(["diff", "--numbers", str(f), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == []
    os.mkfifo(tmp_path / "fifo")
    assert main(["diff", "--numbers", str(tmp_path / "fifo")]) == 2
    assert "not a regular file" in capsys.readouterr().err
