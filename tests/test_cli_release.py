"""cli/release.py: ``flopdocs numbers`` and ``flopdocs diff --catalogue``, run as a user would."""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil

from flopdocs.cli.main import main
from flopdocs.config.catalogue import DIRECTORY


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(argv))
    return status, out.getvalue()


def test_numbers_prints_the_stable_format_with_the_seeds_total():
    status, out = _run("numbers")
    data = json.loads(out)
    assert status == 0 and data["format"] == "flopdocs-numbers/1"
    seed = data["models"]["seed-512"]
    assert seed["seed_forward"] == 51_248_964_096  # the seed notebook's In [44]
    assert seed["numbers"]["parameters"] == 62_480_384


def test_diff_of_a_catalogue_with_itself_lists_nothing(tmp_path):
    a = tmp_path / "a"
    a.mkdir()
    shutil.copy(DIRECTORY / "seed-512.yaml", a)
    status, out = _run("diff", "--catalogue", str(a), "--catalogue", str(a), "--format", "json")
    assert status == 0 and json.loads(out)["changed"] == []


def test_diff_names_a_changed_length(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.copy(DIRECTORY / "seed-512.yaml", a)
    (b / "seed-512.yaml").write_text(re.sub(r"(?m)^l: 512$", "l: 1024", (a / "seed-512.yaml").read_text()))
    status, out = _run("diff", "--catalogue", str(a), "--catalogue", str(b), "--format", "json")
    rows = json.loads(out)["changed"]
    # l is also the learned position table's rows (max_positions defaults to l), so the
    # parameters change with it: 512 more rows of d_model 512 = 262,144 parameters.
    assert status == 0 and {r["why"] for r in rows} == {"config: l 512 → 1024"}
    params = next(r for r in rows if r["quantity"] == "parameters")
    assert params["new"] - params["old"] == 512 * 512
