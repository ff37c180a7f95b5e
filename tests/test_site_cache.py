"""Nothing published that the build did not compute: no number or program is read back
from a file written by an earlier build (the build cache is gone: its counts took 0.3 s, and
checking a program against its expressions costs about what compiling it does).  A
poisoned cache directory of an earlier flopdocs (``FLOPDOCS_CACHE_DIR``, ``~/.cache``)
changes nothing, hangs nothing and is left as it is."""
import os

from flopdocs.site import gather as gathering
from flopdocs.site.pages import calculator


def _publish(catalogue):
    data = gathering.gather(catalogue)
    return calculator.assets(data), {m.slug: m.counts for m in data.models}


def _poison(root):
    """Every file under ``root`` made hostile: script appended, ``2n`` made ``3n``, every
    count shifted, then a FIFO and a /dev/zero link beside each."""
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            text = open(p, encoding="utf-8").read()
            text = text.replace("2n", "3n").replace("1", "7") + ',(function(){document.title="PWNED"})()'
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            os.mkfifo(p + ".fifo")
            os.symlink("/dev/zero", p + ".zero")


def test_a_poisoned_cache_directory_changes_nothing_published(tmp_path, monkeypatch, tiny_catalogue):
    caches = {"FLOPDOCS_CACHE_DIR": tmp_path / "c", "XDG_CACHE_HOME": tmp_path / "xdg",
              "HOME": tmp_path / "home"}
    for env, where in caches.items():
        where.mkdir()
        monkeypatch.setenv(env, str(where))
    calculator._made.cache_clear()
    first = _publish(tiny_catalogue)
    for where in caches.values():
        _poison(where)
        (where / "calculator").mkdir(exist_ok=True)  # an old cache's layout, poisoned
        os.mkfifo(where / "calculator" / "entry.txt")
    before = {p: sorted(os.listdir(p)) for p in caches.values()}
    calculator._made.cache_clear()
    again = _publish(tiny_catalogue)
    assert again == first
    assert "PWNED" not in "".join(again[0].values())
    assert {p: sorted(os.listdir(p)) for p in caches.values()} == before  # nothing pruned or added
