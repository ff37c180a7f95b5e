"""Where the site's sources are read from (flopdocs.base.resources), what an installed flopdocs
names as its commit, and where ``serve`` stages its pages.  The wheel itself:
tests/test_wheel.py."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from flopdocs.base import resources
from flopdocs.errors import BuildError
from flopdocs.site.build import staging as site_build
from flopdocs.site.build import provenance
from flopdocs.site.render import environment

HERE = Path(__file__).resolve().parents[1]  # the checkout these tests are in


def test_a_checkout_reads_the_top_level_folders_in_place():
    assert resources.CHECKOUT == HERE
    assert resources.TEMPLATES == HERE / "templates"
    assert resources.SITE_SRC == HERE / "site_src"
    assert resources.MKDOCS_YML == HERE / "mkdocs.yml"
    assert resources.KATEX == HERE / "node_modules" / "katex" / "dist"
    assert resources.BUILT_FROM is None  # git answers in a checkout
    assert not (HERE / "flopdocs" / "_site").exists()  # copies live in build/ and wheels only
    assert environment().loader.searchpath == [str(resources.TEMPLATES)]


def test_every_layout_source_exists_in_the_checkout():
    for bundled, src in resources.LAYOUT:
        assert (HERE / src).exists(), src
    assert len({b for b, _ in resources.LAYOUT}) == len(resources.LAYOUT)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """site.build as an installed wheel sees it: no checkout, the wheel's record."""
    record = tmp_path / resources.BUILD_INFO
    monkeypatch.setattr(provenance, "CHECKOUT", None)
    monkeypatch.setattr(site_build, "CHECKOUT", None)
    monkeypatch.setattr(provenance, "BUILT_FROM", record)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return record


def test_installed_the_commit_and_its_time_are_the_wheels_record(installed):
    installed.write_text(json.dumps({"commit": "ab" * 20, "source_date_epoch": "1700000000"}))
    assert site_build.commit() == "ab" * 20
    assert site_build.source_date_epoch() == "1700000000"
    assert site_build.built_year() == "2023"


def test_installed_without_a_record_the_commit_is_unknown(installed):
    assert site_build.commit() == "unknown"  # not the cwd's commit: git is not asked
    assert site_build.source_date_epoch() == site_build.FALLBACK_EPOCH
    installed.write_text(json.dumps({"commit": "unknown", "source_date_epoch": None}))  # built outside git
    assert site_build.commit() == "unknown"
    assert site_build.source_date_epoch() == site_build.FALLBACK_EPOCH


def test_installed_missing_katex_says_reinstall_not_npm(installed, tmp_path, monkeypatch):
    monkeypatch.setattr(site_build, "KATEX", tmp_path / "nowhere")
    with pytest.raises(BuildError, match="reinstall flopdocs") as e:
        site_build.check_katex()
    assert "npm" not in str(e.value)


def test_serve_stages_the_pages_in_a_temporary_directory_and_removes_it(tmp_path, monkeypatch):
    cat = tmp_path / "catalogue"
    cat.mkdir()
    (cat / "tiny.yaml").write_text("name: Tiny\nl: 8\nd_model: 8\nd_ff: 16\nn_vocab: 10\n"
                                   "n_layers: 1\nn_heads: 2\n", encoding="utf-8")
    seen = {}

    def fake_serve(**kwargs):
        docs = Path(kwargs["docs_dir"])
        seen.update(docs=docs, index=(docs / "index.md").is_file(), config=kwargs["config_file"])
        raise KeyboardInterrupt  # Ctrl-C: the directory goes all the same

    import mkdocs.commands.serve

    monkeypatch.setattr(mkdocs.commands.serve, "serve", fake_serve)
    monkeypatch.setenv("FLOPDOCS_SERVE_CATALOGUE", "")
    with pytest.raises(KeyboardInterrupt):
        site_build.serve(catalogue_dir=cat)
    assert seen["index"] and seen["config"] == str(resources.MKDOCS_YML)
    assert seen["docs"].is_relative_to(Path(tempfile.gettempdir()))
    assert not seen["docs"].is_relative_to(resources.PACKAGE.parent)  # nothing under the package
    assert not seen["docs"].parent.exists()
