"""The finished site replaces the previous one in one step (and never half-way)."""
from flopdocs.site import build as b


def _site(path, marker):
    path.mkdir()
    (path / "index.html").write_text(marker)
    return path


def test_into_place_exchanges_atomically(tmp_path):
    new, out = _site(tmp_path / "new", "new"), _site(tmp_path / "site", "old")
    b._into_place(new, out)
    assert (out / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"  # the caller removes it


def test_into_place_falls_back_to_two_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(b, "_exchange", lambda a, c: False)
    new, out = _site(tmp_path / "new", "new"), _site(tmp_path / "site", "old")
    b._into_place(new, out)
    assert (out / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"


def test_into_place_first_build(tmp_path):
    new = _site(tmp_path / "new", "new")
    b._into_place(new, tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text() == "new"
    assert not new.exists()
