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


def test_build_refuses_to_replace_what_it_did_not_build(tmp_path, capsys):
    from flopdocs.cli import main

    src = tmp_path / "src"
    src.mkdir()
    (src / "keep.py").write_text("precious")
    afile = tmp_path / "notes.txt"
    afile.write_text("precious")
    for target in (src, afile):
        assert main(["build", "--out", str(target)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "refusing to replace it" in err
    assert (src / "keep.py").read_text() == "precious" and afile.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "src"]  # no staging left


def test_check_out_accepts_empty_and_previous_builds(tmp_path):
    b.check_out(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    b.check_out(tmp_path / "empty")
    prev = tmp_path / "prev"
    prev.mkdir()
    (prev / "index.html").write_text("old")
    (prev / b.MARKER).write_text("")
    b.check_out(prev)


def test_build_out_under_a_file_and_catalogue_not_a_directory(tmp_path, capsys):
    from flopdocs.cli import main

    afile = tmp_path / "afile"
    afile.write_text("precious")
    assert main(["build", "--out", str(afile / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--out {afile / 'sub'}: cannot create it" in err
    assert main(["build", "--out", str(tmp_path / "site"), "--catalogue", str(afile)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{afile}: catalogue directory is a file, not a directory" in err
    assert afile.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing built, no staging left


def test_build_out_with_dotdot_is_resolved_by_name(tmp_path, monkeypatch):
    # "a/new/.." is "a": refused if a is not ours, and nothing named "new" is created
    from flopdocs.cli import main

    a = tmp_path / "a"
    a.mkdir()
    (a / "keep.txt").write_text("precious")
    assert main(["build", "--out", str(a / "new" / "..")]) == 2
    assert sorted(p.name for p in a.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_a_site_that_only_looks_like_one_is_refused(tmp_path, capsys):
    # index.html, sitemap.xml and search/search_index.json, but no marker: not ours
    from flopdocs.cli import main

    out = tmp_path / "site"
    (out / "search").mkdir(parents=True)
    for name in ("index.html", "sitemap.xml", "search/search_index.json", "precious.txt"):
        (out / name).write_text(f"user's {name}")
    assert main(["build", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (f"flopdocs: error: --out {out}: a non-empty directory that flopdocs did not "
                   f"build (no {b.MARKER}); refusing to replace it\n")
    assert (out / "precious.txt").read_text() == "user's precious.txt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
