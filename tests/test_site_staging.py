"""What a build hands MkDocs, and how it fails: the staged docs directory holds exactly
the generated pages, site_src/ and KaTeX (nothing stale, no hand-written page over a
generated one), and MkDocs' strict validation turns a broken link into exit status 2
naming the first warning. Each uses a one-model catalogue, so each renders fast."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from flopdocs.cli.main import main
from flopdocs.conventions import CONVENTIONS
from flopdocs.structure.layers import all_layers
from flopdocs.site.build import staging as site_build
from flopdocs.site.gather import gather
from flopdocs.site.pages import audits as audits_page
from flopdocs.structure.tree import anchor


@pytest.fixture
def site_src(tmp_path, monkeypatch) -> Path:
    """A copy of the hand-written site_src/ that the build reads instead (to add pages to)."""
    src = tmp_path / "site_src"
    shutil.copytree(site_build.SITE_SRC, src)
    monkeypatch.setattr(site_build, "SITE_SRC", src)
    return src


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_stage_removes_stale_files_and_rewrites_only_what_changed(tmp_path, tiny_catalogue):
    # `serve` stages into the same directory before every rebuild: what a previous
    # stage wrote and is no longer generated must go, and what is unchanged must not be
    # written again (MkDocs' watcher would rebuild for ever).
    docs = tmp_path / "docs"
    (docs / "models").mkdir(parents=True)
    (docs / "models" / "gone.md").write_text("# a model no longer in the catalogue\n")
    (docs / "old" / "deep").mkdir(parents=True)
    (docs / "old" / "deep" / "x.css").write_text("a { }\n")
    (docs / "index.md").write_text("# stale home page\n")
    about = docs / "about.md"
    shutil.copyfile(site_build.SITE_SRC / "about.md", about)  # already up to date
    os.utime(about, ns=(10**18, 10**18))

    nav = site_build.stage(docs, gather(tiny_catalogue), "abc123")

    pages = {str(p.relative_to(docs)) for p in docs.rglob("*.md")}
    assert pages == {"index.md", "about.md", "symbolic.md", "compare.md", "conventions.md", "python.md",
                     "changes.md", "modes.md", "memory.md", "errata.md", "calculator.md", "audits.md",
                     *(audits_page.page_of(n) for n in audits_page.names()),
                     *(f"conventions/{anchor(c)}.md" for c in CONVENTIONS), "models/tiny.md", *(f"layers/{layer.slug}.md" for layer in all_layers())}
    assert not (docs / "old").exists()  # the stale file and its emptied directories
    assert "gone.md" not in str(nav) and "models/tiny.md" in str(nav)
    assert (docs / "index.md").read_text(encoding="utf-8") != "# stale home page\n"
    assert about.stat().st_mtime_ns == 10**18  # same bytes: not written again
    assert (docs / "assets" / "katex" / "katex.min.js").is_file()
    assert (docs / "assets" / "katex-init.js").is_file()
    # the calculator's generated programs: its index and one script per structure
    assert (docs / "assets" / "calculator" / "index.js").is_file()
    assert len(list((docs / "assets" / "calculator").glob("s-*.js"))) > 10


def test_a_hand_written_page_may_not_shadow_a_generated_one(tmp_path, tiny_catalogue, site_src,
                                                            capsys):
    (site_src / "models").mkdir()
    (site_src / "models" / "tiny.md").write_text("# hand-written over the generated page\n")
    out = tmp_path / "site"
    assert main(["build", "--out", str(out), "--catalogue", str(tiny_catalogue)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{site_src / 'models' / 'tiny.md'}: a hand-written page has the path of a generated one" in err
    assert not out.exists() and _leftovers(tmp_path) == ["catalogue", "site_src"]  # no staging left


def test_a_broken_link_fails_the_build_naming_the_first_warning(tmp_path, tiny_catalogue, site_src,
                                                                capsys):
    # mkdocs.yml makes a link to a missing page a warning, strict mode makes warnings
    # fatal; the one-line error names the first of them (here, of two).
    (site_src / "broken.md").write_text(
        "# Broken\n\nSee [one](nowhere-1.md) and [two](nowhere-2.md).\n", encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--out", str(out), "--catalogue", str(tiny_catalogue)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("flopdocs: error: mkdocs: Aborted with 2 warnings in strict mode")
    assert "(first warning: Doc file 'broken.md' contains a link 'nowhere-1.md', but the target" in err
    assert "nowhere-2.md" not in err
    assert not out.exists() and _leftovers(tmp_path) == ["catalogue", "site_src"]  # no staging left
