"""`flopdocs serve`: a model that turns invalid keeps the last good site; each serve stages
its pages in a directory of its own.  (MkDocs' server itself is not started here.)"""
from pathlib import Path

import pytest

from flopdocs.site.build import staging as b

TINY = "name: Tiny\nl: 64\nd_model: 32\nd_ff: 128\nn_vocab: 100\nn_layers: 2\nn_heads: 4\n"


class _Config(dict):
    """What the hook sees of MkDocs' config: ``docs_dir`` and the ``nav`` item."""

    def __init__(self, docs: Path) -> None:
        super().__init__()
        self.docs_dir = str(docs)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_model_that_turns_invalid_while_serving_keeps_the_last_good_site(tmp_path, monkeypatch, capsys):
    from flopdocs.site.build import hooks

    cat, docs = tmp_path / "catalogue", tmp_path / "docs"
    cat.mkdir()
    (cat / "tiny.yaml").write_text(TINY)
    monkeypatch.setenv("FLOPDOCS_SERVE_CATALOGUE", str(cat))
    good_nav = hooks.on_config(_Config(docs))["nav"]
    assert {"Models": ["models/tiny.md"]} in good_nav
    before = _snapshot(docs)
    capsys.readouterr()

    (cat / "tiny.yaml").write_text(TINY.replace("n_heads: 4", "n_heads: 5"))  # 32 % 5 != 0
    (cat / "other.yaml").write_text(TINY.replace("Tiny", "Other"))
    assert hooks.on_config(_Config(docs))["nav"] == good_nav
    assert capsys.readouterr().err == (
        f"flopdocs: error: {cat / 'tiny.yaml'}: d_model: 32 is not divisible by n_heads=5 (d_k = "
        "d_model / n_heads must be a whole number; or give d_head) (still serving the last good site)\n")
    assert _snapshot(docs) == before

    (cat / "tiny.yaml").write_text(TINY)  # fixed: the next rebuild has both models
    assert {"Models": ["models/other.md", "models/tiny.md"]} in hooks.on_config(_Config(docs))["nav"]
    assert capsys.readouterr().err == ""


def test_two_serves_at_once_stage_in_directories_of_their_own(tmp_path, monkeypatch):
    import tempfile

    import mkdocs.commands.serve

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    killed = tmp_path / "flopdocs-serve-abcd1234"  # a serve killed with kill -9
    (killed / "docs").mkdir(parents=True)
    (killed / b.STAGING_LOCK).write_text("")

    def fake_stage(docs, data, built_from, stream=True):
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "index.md").write_text(f"staged in {docs}")
        return ["index.md"]

    served = []

    def fake_mkdocs_serve(**kwargs):
        docs = Path(kwargs["docs_dir"])
        served.append(docs)
        if len(served) == 1:  # a second serve starts while the first one runs
            b.serve(catalogue_dir=tmp_path)
        assert (docs / "index.md").read_text() == f"staged in {docs}"

    monkeypatch.setattr(b, "gather", lambda catalogue_dir: None)
    monkeypatch.setattr(b, "stage", fake_stage)
    monkeypatch.setattr(mkdocs.commands.serve, "serve", fake_mkdocs_serve)
    b.serve(catalogue_dir=tmp_path)
    assert len(served) == 2 and served[0] != served[1]
    assert not any(d.exists() for d in served)  # each removed when its serve stops
    assert list(tmp_path.iterdir()) == []  # and the killed one's by the next serve


def test_a_page_that_fails_to_render_while_serving_keeps_the_last_good_site(tmp_path, monkeypatch, capsys):
    """Serve renders every page before writing any: a model page that fails (a template
    broken while serving) leaves the docs exactly as they were, not half rewritten."""
    from flopdocs.site.build import hooks
    from flopdocs.site.pages import model as model_page

    cat, docs = tmp_path / "catalogue", tmp_path / "docs"
    cat.mkdir()
    (cat / "tiny.yaml").write_text(TINY)
    monkeypatch.setenv("FLOPDOCS_SERVE_CATALOGUE", str(cat))
    good_nav = hooks.on_config(_Config(docs))["nav"]
    before = _snapshot(docs)
    capsys.readouterr()

    render = model_page.render

    def failing(env, m, *args):
        if m.slug == "tiny":
            raise b.BuildError("models/tiny.md: the template failed")
        return render(env, m, *args)

    monkeypatch.setattr(model_page, "render", failing)
    (cat / "other.yaml").write_text(TINY.replace("Tiny", "Other"))  # sorts first: its page renders
    assert hooks.on_config(_Config(docs))["nav"] == good_nav
    assert capsys.readouterr().err == ("flopdocs: error: models/tiny.md: the template failed "
                                       "(still serving the last good site)\n")
    assert _snapshot(docs) == before
