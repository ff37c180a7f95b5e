"""The finished site replaces the previous one in one step (and never half-way)."""
import os

import pytest

from flopdocs.site.build import staging as b
from flopdocs.site.build import swap as place, provenance


def _site(path, marker):
    path.mkdir()
    (path / "index.html").write_text(marker)
    return path


def test_into_place_exchanges_atomically(tmp_path):
    new, out = _site(tmp_path / "new", "new"), _site(tmp_path / "site", "old")
    b.into_place(new, out)
    assert (out / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"  # the caller removes it


def test_into_place_falls_back_to_two_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(place, "_exchange", lambda a, c: False)
    new, out = _site(tmp_path / "new", "new"), _site(tmp_path / "site", "old")
    b.into_place(new, out)
    assert (out / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"


def test_into_place_first_build(tmp_path):
    new = _site(tmp_path / "new", "new")
    b.into_place(new, tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text() == "new"
    assert not new.exists()


def test_build_refuses_to_replace_what_it_did_not_build(tmp_path, capsys):
    from flopdocs.cli.main import main

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


def test_build_refuses_a_link_even_to_a_site_it_built(tmp_path, capsys):
    from flopdocs.cli.main import main

    built = tmp_path / "built"
    built.mkdir()
    (built / b.MARKER).write_text("")
    (built / "index.html").write_text("old")
    link = tmp_path / "link"
    link.symlink_to(built)
    assert main(["build", "--out", str(link)]) == 2
    assert capsys.readouterr().err == (f"flopdocs: error: --out {link}: exists and is not a directory; "
                                       "refusing to replace it\n")
    assert link.is_symlink() and sorted(p.name for p in built.iterdir()) == [b.MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "link"]


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
    from flopdocs.cli.main import main

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
    from flopdocs.cli.main import main

    a = tmp_path / "a"
    a.mkdir()
    (a / "keep.txt").write_text("precious")
    assert main(["build", "--out", str(a / "new" / "..")]) == 2
    assert sorted(p.name for p in a.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_a_site_that_only_looks_like_one_is_refused(tmp_path, capsys):
    # index.html, sitemap.xml and search/search_index.json, but no marker: not ours
    from flopdocs.cli.main import main

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


# -- a rebuild over a deployed site (the gh-pages layout) ----------------------------------

#: What a gh-pages checkout holds besides the site: a rebuild keeps each byte of it.
DEPLOYED = {"CNAME": "flopdocs.example.org\n", ".nojekyll": "", ".git/HEAD": "ref: refs/heads/gh-pages\n",
            ".git/objects/ab/cdef0123": "a git object", ".well-known/security.txt": "Contact: x\n"}


def _deployed_site(out):
    """A previous build (the marker, its pages) plus the user's gh-pages entries."""
    (out / "models").mkdir(parents=True)
    (out / b.MARKER).write_text("built by flopdocs build\n")
    (out / "index.html").write_text("old index")
    (out / "models" / "gone.html").write_text("a model no longer in the catalogue")
    for rel, text in DEPLOYED.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    return out


def _files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _fake_mkdocs(docs, site, site_nav, epoch):
    site.mkdir()
    (site / "index.html").write_text("new index")


@pytest.mark.parametrize("step", ["move_kept", "into_place"])
def test_a_build_stopped_around_the_swap_keeps_the_users_entries(tmp_path, monkeypatch, capsys, step):
    # stopped while carrying the entries over, or between carrying them over and the swap
    from flopdocs.cli.main import main

    out = _deployed_site(tmp_path / "site")
    before = _files(out)
    monkeypatch.setattr(b, "gather", lambda catalogue_dir: None)
    monkeypatch.setattr(b, "stage", lambda docs, data, built_from: [])
    monkeypatch.setattr(b, "_mkdocs", _fake_mkdocs)
    real = getattr(b, step)
    calls = []

    def interrupted(*args, **kwargs):
        if step == "move_kept" and not calls:  # after moving .git, before CNAME
            calls.append(1)
            src, dst = args
            os.rename(src / ".git", dst / ".git")
            raise KeyboardInterrupt
        if step == "into_place":
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(b, step, interrupted)
    assert main(["build", "--out", str(out)]) == 130
    assert capsys.readouterr().err == "flopdocs: interrupted\n"
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_give_back_after_the_fallback_swap_stopped_half_way(tmp_path):
    # the previous site renamed aside (site-previous), the new one not yet in place
    staging = tmp_path / ".site.staging-abc"
    previous = _deployed_site(staging / "site-previous")
    before = _files(previous)
    (staging / "site").mkdir()
    out = tmp_path / "site"
    assert b.give_back(staging, out) is True
    assert _files(out) == before


def test_give_back_never_overwrites(tmp_path):
    staging, out = tmp_path / ".site.staging-abc", tmp_path / "site"
    (staging / "site").mkdir(parents=True)
    (staging / "site" / "CNAME").write_text("ours")
    out.mkdir()
    (out / "CNAME").write_text("theirs")
    assert b.give_back(staging, out) is False  # so the caller keeps the staging directory
    assert (out / "CNAME").read_text() == "theirs" and (staging / "site" / "CNAME").read_text() == "ours"


# -- SOURCE_DATE_EPOCH ---------------------------------------------------------------------

@pytest.mark.parametrize("command", ["build", "serve"])
@pytest.mark.parametrize("value", ["abc", "-1", "9" * 20, "1.5", " 5", "4294967296", "1e9", "５"])
def test_a_bad_source_date_epoch_is_one_line(tmp_path, monkeypatch, capsys, command, value):
    from flopdocs.cli.main import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    out = tmp_path / "site"
    argv = ["build", "--out", str(out)] if command == "build" else ["serve"]
    assert main([*argv, "--catalogue", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err == (f"flopdocs: error: SOURCE_DATE_EPOCH={value!r}: expected a whole "
                                       "number of seconds since 1970, from 0 to 4294967295\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value, year", [("0", "1970"), ("4294967295", "2106"), ("1700000000", "2023")])
def test_a_good_source_date_epoch_is_taken(monkeypatch, value, year):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert (b.source_date_epoch(), b.built_year()) == (value, year)


def test_an_empty_source_date_epoch_is_unset(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert b.source_date_epoch() == (provenance._git("log", "-1", "--format=%ct") or b.FALLBACK_EPOCH)


# -- the commit, whoever builds -----------------------------------------------------------

def test_a_checkout_owned_by_another_user_still_names_its_commit(tmp_path, monkeypatch):
    # git refuses a repository another user owns ("dubious ownership"); its test switch
    # GIT_TEST_ASSUME_DIFFERENT_OWNER makes it refuse this one, as root or not
    import subprocess

    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "a",
           "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b",
           "GIT_AUTHOR_DATE": "@1700000000 +0000", "GIT_COMMITTER_DATE": "@1700000000 +0000"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    assert subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stderr.startswith("fatal: detected dubious ownership")
    monkeypatch.setattr(provenance, "CHECKOUT", tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert (b.commit(), b.source_date_epoch(), b.built_year()) == (head, "1700000000", "2023")


def test_a_commit_git_cannot_read_is_a_warning(tmp_path, monkeypatch, capsys):
    from flopdocs.cli.main import main

    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)  # not a repository git can read
    monkeypatch.setattr(provenance, "CHECKOUT", checkout)
    monkeypatch.setattr(b, "CHECKOUT", checkout)
    monkeypatch.setattr(b, "gather", lambda catalogue_dir: None)
    monkeypatch.setattr(b, "stage", lambda docs, data, built_from: [])
    monkeypatch.setattr(b, "_mkdocs", _fake_mkdocs)
    assert main(["build", "--out", str(tmp_path / "site")]) == 0
    assert capsys.readouterr().err == (f"flopdocs: warning: {checkout}: git cannot read the commit; "
                                       "the site will say 'Built from commit unknown'\n")


# -- leftovers of killed builds, and SIGTERM ------------------------------------------------

def _staging(parent, name, lock=True):
    d = parent / name
    (d / "docs").mkdir(parents=True)
    (d / "docs" / "index.md").write_text("staged")
    if lock:
        (d / b.STAGING_LOCK).write_text("flopdocs staging directory\n")
    return d


def test_leftovers_of_killed_builds_are_removed_ours_only(tmp_path, capsys):
    import fcntl

    from flopdocs.cli.main import main

    out = _deployed_site(tmp_path / "site")
    before = _files(out)
    _staging(tmp_path, ".site.staging-abcd1234")  # kill -9 while MkDocs ran
    # kill -9 between carrying .git over and the swap: .git is the user's, it goes back
    killed = _staging(tmp_path, ".site.staging-killed_1")
    (killed / "site").mkdir()
    os.rename(out / ".git", killed / "site" / ".git")
    running = _staging(tmp_path, ".site.staging-running1")
    lock = os.open(running / b.STAGING_LOCK, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # a build that is still running holds its lock
    try:
        _staging(tmp_path, ".site.staging-nolock12", lock=False)  # no marker: not ours
        _staging(tmp_path, ".other.staging-abcd1234")  # another --out's
        _staging(tmp_path, ".site.staging-abcd12345")  # not mkdtemp's name
        (tmp_path / ".site.staging-filename").write_text("a file, not a directory")
        # the leftovers go on the next run, even one that then fails
        assert main(["build", "--out", str(out), "--catalogue", str(tmp_path / "missing")]) == 2
    finally:
        os.close(lock)
    assert "catalogue directory does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.staging-abcd1234", ".site.staging-abcd12345", ".site.staging-filename",
        ".site.staging-nolock12", ".site.staging-running1", "site"]
    assert _files(out) == before


def test_sigterm_ends_a_build_like_ctrl_c(tmp_path):
    # a real process: SIGTERM arrives while MkDocs runs; the staging directory goes,
    # the previous site stays, one line, exit 143
    import subprocess
    import sys

    out = _deployed_site(tmp_path / "site")
    before = _files(out)
    script = (
        "import os, signal, sys, time\n"
        "from flopdocs.cli.main import main\n"
        "from flopdocs.site.build import staging as b\n"
        "b.gather = lambda catalogue_dir: None\n"
        "b.stage = lambda docs, data, built_from: (docs.mkdir(parents=True), [])[1]\n"
        "def mkdocs(*args):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
        "b._mkdocs = mkdocs\n"
        f"sys.exit(main(['build', '--out', {str(out)!r}]))\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (143, "flopdocs: terminated\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert _files(out) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="making a directory another user owns needs root")
def test_a_leftover_another_user_owns_is_not_ours(tmp_path):
    theirs = _staging(tmp_path, ".site.staging-abcd1234")
    os.chown(theirs, 12345, 12345)
    b.clean_stale(tmp_path, ".site.staging-", tmp_path / "site")
    assert (theirs / "docs" / "index.md").read_text() == "staged"
    os.chown(theirs, 0, 0)
    b.clean_stale(tmp_path, ".site.staging-", tmp_path / "site")  # ours now: removed
    assert not theirs.exists()


@pytest.mark.parametrize("appears", ["a directory with a file", "an empty directory"])
def test_an_out_made_by_the_user_during_the_build_is_not_replaced(tmp_path, monkeypatch, tiny_catalogue, appears):
    """``--out`` is checked again right before the swap: a directory the user made there
    while the site was built, with their file in it, is left as it is (one line)."""
    out = tmp_path / "race" / "out"

    def fake_mkdocs(docs, site, site_nav, epoch, **kw):
        site.mkdir()
        (site / "index.html").write_text("built")
        out.mkdir(parents=True)
        if appears == "a directory with a file":
            (out / "mine.txt").write_text("mine")

    monkeypatch.setattr(b, "_mkdocs", fake_mkdocs)
    monkeypatch.setattr(b, "finish", lambda site: None)
    if appears == "an empty directory":  # nothing of the user's there: the site goes in
        assert b.build(out, catalogue_dir=tiny_catalogue) == out and (out / "index.html").read_text() == "built"
        return
    with pytest.raises(b.BuildError, match="did not build"):
        b.build(out, catalogue_dir=tiny_catalogue)
    assert os.listdir(out) == ["mine.txt"] and (out / "mine.txt").read_text() == "mine"
    assert os.listdir(out.parent) == ["out"]  # the staging directory removed


def test_into_place_refuses_a_directory_that_appeared(tmp_path, monkeypatch):
    new, out = _site(tmp_path / "new", "new"), tmp_path / "site"
    monkeypatch.setattr(os.path, "lexists", lambda p, real=os.path.lexists: False if str(p) == str(out) else real(p))
    _site(out, "mine")
    with pytest.raises(b.BuildError, match="appeared while the site was built"):
        b.into_place(new, out)
    assert (out / "index.html").read_text() == "mine"
