"""``flopdocs deploy`` under a hostile review: every string it writes into a page or a
script is checked or escaped for where it lands, ``versions.json`` is read as bounded
data, and nothing outside ``--site`` is written (no write through a link), nor a landing
page it did not write replaced without ``--force``.  The build itself is replaced by a
stand-in (a version directory with two pages): what is tested is what deploy adds."""
import json
import os
import threading
import time

import pytest

from flopdocs.cli.main import main
from flopdocs.errors import BuildError
from flopdocs.site.build import staging as site_build
from flopdocs.site.build import versions


@pytest.fixture
def fake_build(monkeypatch):
    def build(out, catalogue_dir=None, overrides=None):
        for rel in ("index.html", "models/x.html", "about.html"):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text("<p>page</p>")
        return out
    monkeypatch.setattr(site_build, "build", build)


def _deploy(site, *args):
    return main(["deploy", "--site", str(site), *args])


BAD_TITLES = ['<img src=x onerror=alert(7)>', 'a"b', "a'b", "x & y", "a`b", "a\\b", "x" * 41, "a\nb", ""]


@pytest.mark.parametrize("title", BAD_TITLES)
def test_a_title_with_markup_is_one_line_exit_2(tmp_path, capsys, fake_build, title):
    assert _deploy(tmp_path / "site", "--title", title, "--name", "latest") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--title" in err and "Traceback" not in err
    assert not (tmp_path / "site" / "versions.json").exists()


@pytest.mark.parametrize("text, why", [
    ('[{"version": "0.1", "title": "<img src=x onerror=alert(7)>", "aliases": []}]', "printable text"),
    ('[{"version": "0.1\\"+alert(1)+\\"", "title": "t", "aliases": []}]', "MAJOR.MINOR or an alias word"),
    ('[{"version": "</script>", "title": "t", "aliases": []}]', "MAJOR.MINOR or an alias word"),
    ('[{"version": "0.1", "title": "t", "aliases": ["<b>"]}]', "alias words"),
    ('{"version": "0.1"}', "not a list"),
    ("[" * 100_000 + "]" * 100_000, "nested deeper than 3"),
    ("[" * 100_000, "nested deeper than 3"),
    (" " * (2**20 + 1), "larger than 1 MiB"),
])
def test_a_hostile_versions_json_is_one_line_and_nothing_written(tmp_path, capsys, fake_build, text, why):
    site = tmp_path / "site"
    site.mkdir()
    (site / "versions.json").write_text(text)
    t = time.monotonic()
    assert _deploy(site, "--name", "latest") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and why in err and "versions.json" in err, err
    assert time.monotonic() - t < 5 and sorted(os.listdir(site)) == ["versions.json"]


def test_a_versions_json_fifo_is_refused_without_waiting(tmp_path, capsys, fake_build):
    site = tmp_path / "site"
    site.mkdir()
    os.mkfifo(site / "versions.json")
    done = []
    worker = threading.Thread(target=lambda: done.append(_deploy(site, "--name", "latest")), daemon=True)
    worker.start()
    worker.join(10)
    assert done == [2] and "named pipe" in capsys.readouterr().err


def test_the_landing_page_escapes_a_version_for_the_script_and_the_attributes():
    page = versions._redirect('x"+alert(1)+"</script><b a="')
    assert 'location.replace("x\\"+alert(1)+\\"\\u003c/script>\\u003cb a=\\"" + location.hash)' in page
    assert "<b" not in page.replace("<b>", "")  # no tag of the target's
    assert 'url=x&quot;+alert(1)+&quot;&lt;/script&gt;&lt;b a=&quot;"' in page


@pytest.mark.parametrize("link", ["index.html", "versions.json", "about.html", "models", "latest"])
def test_nothing_outside_the_site_is_written_through_a_link(tmp_path, capsys, fake_build, link):
    site, outside = tmp_path / "site", tmp_path / "outside"
    site.mkdir()
    outside.mkdir()
    (outside / "mine.txt").write_text("mine")
    target = outside if link in ("models", "latest") else outside / ("mine.txt" if link != "about.html" else "new.html")
    os.symlink(target, site / link)
    code = _deploy(site, "--name", "latest")
    err = capsys.readouterr().err
    assert sorted(os.listdir(outside)) == ["mine.txt"] and (outside / "mine.txt").read_text() == "mine"
    assert code == 2 and err.count("\n") == 1 and "link" in err and "Traceback" not in err, err


def test_a_landing_page_deploy_did_not_write_is_kept_unless_forced(tmp_path, capsys, fake_build):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>my landing page</h1>")
    assert _deploy(site, "--name", "latest") == 2
    assert "--force" in capsys.readouterr().err and (site / "index.html").read_text() == "<h1>my landing page</h1>"
    assert not (site / "latest").exists()
    assert _deploy(site, "--name", "latest", "--force") == 0
    assert 'location.replace("latest/"' in (site / "index.html").read_text()
    assert _deploy(site, "--name", "0.2") == 0  # its own index: replaced without a word
    assert json.loads((site / "versions.json").read_text())[1]["version"] == "0.2"


def test_a_deployed_site_keeps_its_pages_and_stubs_stay_ours(tmp_path, fake_build):
    site = tmp_path / "site"
    site.mkdir()
    (site / "about.html").write_text("my about page")
    assert _deploy(site, "--name", "latest") == 0
    assert (site / "about.html").read_text() == "my about page"
    assert "latest/models/x.html" in (site / "models/x.html").read_text()
    with pytest.raises(BuildError, match="expected a short line"):
        versions.record(site, "0.3", "<script>")
