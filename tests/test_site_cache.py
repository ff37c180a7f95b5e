"""The build cache (flopdocs.site.build.cache): the same bytes as an uncached build, a miss when
the source changes, old sources pruned (ours only), never a reason to fail."""
import json
import os

import pytest

from flopdocs.cli.main import main
from flopdocs.site import gather as gathering
from flopdocs.site.build import cache
from flopdocs.site.pages import calculator
from flopdocs.site.gather import gather


def test_a_cached_build_writes_what_an_uncached_one_writes(tmp_path, monkeypatch):
    data = gather()
    monkeypatch.setenv(cache.ENV, cache.OFF)
    uncached = calculator.assets(data)
    monkeypatch.setenv(cache.ENV, str(tmp_path / "c"))
    cold = calculator.assets(data)
    made = []
    monkeypatch.setattr(calculator, "program", lambda a: made.append(a))  # a hit compiles nothing
    warm = calculator.assets(data)
    assert uncached == cold == warm and made == []
    assert len(list((tmp_path / "c" / "calculator" / cache.source_key()).iterdir())) == len(
        calculator.structures(data))


def test_a_cached_gather_counts_what_an_uncached_one_counts(tmp_path, monkeypatch):
    """Every model's counts under every convention and mode read back from the cache as
    counted; an entry that does not read back as counts (cut short, not ints) is counted
    again, never trusted and never a failure."""
    monkeypatch.setenv(cache.ENV, cache.OFF)
    uncached = {m.slug: m.counts for m in gather().models}
    monkeypatch.setenv(cache.ENV, str(tmp_path / "c"))
    cold = {m.slug: m.counts for m in gather().models}
    entries = sorted((tmp_path / "c" / "counts" / cache.source_key()).iterdir())
    assert len(entries) == len(uncached)
    count = gathering._counts
    made = []
    monkeypatch.setattr(gathering, "_counts", lambda cfg: made.append(cfg) or count(cfg))
    warm = {m.slug: m.counts for m in gather().models}
    assert uncached == cold == warm and made == []
    for i, entry in enumerate(entries):
        rows = json.loads(entry.read_text())
        if i % 4 == 0:  # every count there, one not a whole number
            rows[0][2] = [rows[0][2][0] + 0.5, *rows[0][2][1:]] if isinstance(rows[0][2], list) else 1.5
        entry.write_text([json.dumps(rows), json.dumps(rows[:1]), "[", '{"a": 1}'][i % 4])
    assert {m.slug: m.counts for m in gather().models} == uncached and len(made) == len(entries)


def test_another_source_is_a_miss_and_replaces_the_old_entries(tmp_path, monkeypatch):
    where = tmp_path / "c"
    mine = where / "calculator" / "notes"  # not a source key: never removed
    mine.mkdir(parents=True)
    assert cache.cached("calculator", "k", lambda: "one", where) == "one"
    assert cache.cached("calculator", "k", lambda: "two", where) == "one"
    assert cache.cached("calculator", "other", lambda: "three", where) == "three"
    old = where / "calculator" / cache.source_key()
    monkeypatch.setattr(cache, "source_key", lambda: "0123456789abcdef")
    assert cache.cached("calculator", "k", lambda: "four", where) == "four"
    assert not old.exists() and mine.is_dir()
    assert sorted(p.name for p in (where / "calculator").iterdir()) == ["0123456789abcdef", "notes"]


def test_the_source_key_covers_every_module(tmp_path):
    import flopdocs

    cache.source_key.cache_clear()
    before = cache.source_key()
    package = os.path.dirname(flopdocs.__file__)
    probe = os.path.join(package, "site", "_probe_cache_key.py")
    try:
        with open(probe, "w") as f:
            f.write("# a change anywhere in the package\n")
        cache.source_key.cache_clear()
        assert cache.source_key() != before
    finally:
        os.remove(probe)
        cache.source_key.cache_clear()
    assert cache.source_key() == before


def test_an_unwritable_cache_is_skipped(tmp_path):
    # a file where the cache's directory would go: unwritable whoever runs it (root too)
    where = tmp_path / "file"
    where.write_text("a file where the cache's directory would go")
    assert cache.cached("calculator", "k", lambda: "text", where) == "text"
    assert where.read_text() == "a file where the cache's directory would go"


@pytest.mark.parametrize("value, message", [
    ("", "FLOPDOCS_CACHE_DIR='': expected a directory, or 'off' to turn the cache off"),
    ("{file}", "FLOPDOCS_CACHE_DIR={file}: not a directory"),
])
def test_a_bad_cache_directory_is_one_line_exit_2(tmp_path, monkeypatch, capsys, value, message):
    f = tmp_path / "a-file"
    f.write_text("mine")
    monkeypatch.setenv(cache.ENV, value.format(file=f))
    code = main(["build", "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message.format(file=f) in err, err
    assert f.read_text() == "mine" and not (tmp_path / "site").exists()
