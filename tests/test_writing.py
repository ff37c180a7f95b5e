"""base/writing.py: a user's file written atomically, and a command's stdout."""
from __future__ import annotations

import io
import os
import sys

import pytest

from flopdocs.base.writing import clean_stale_tmp, emit, write_atomic
from flopdocs.errors import ConfigError


def test_write_atomic_replaces_the_file_keeping_its_mode(tmp_path):
    out = tmp_path / "model.yaml"
    out.write_text("old\n")
    out.chmod(0o640)
    write_atomic(out, "name: x\n")
    assert out.read_text() == "name: x\n" and (out.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.yaml"]  # no temporary left


def test_write_atomic_refuses_a_link_and_writes_nothing_through_it(tmp_path):
    target = tmp_path / "secret"
    target.write_text("keep\n")
    (tmp_path / "link.yaml").symlink_to(target)
    with pytest.raises(ConfigError, match="exists and is not a regular file"):
        write_atomic(tmp_path / "link.yaml", "name: x\n")
    assert target.read_text() == "keep\n"


def test_write_atomic_into_a_missing_directory_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="no such directory"):
        write_atomic(tmp_path / "nope" / "m.yaml", "x\n")


def test_a_killed_runs_leftover_is_removed_only_when_ours(tmp_path):
    out = tmp_path / "m.yaml"
    ours = tmp_path / ".m.yaml.abcd1234.tmp"
    ours.write_bytes(b"# flopdocs\nhalf")
    theirs = tmp_path / ".m.yaml.zzzz9999.tmp"
    theirs.write_bytes(b"someone else's\n")
    clean_stale_tmp(out, b"# flopdocs")
    assert not ours.exists() and theirs.exists()


def test_emit_writes_and_reports_an_encoding_it_cannot_hold(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert emit("ok\n") == 0
    assert emit("Zoë\n") == 2
    assert "character '\\xeb' cannot be written in ascii" in capsys.readouterr().err


def test_emit_with_stdout_closed_is_quiet(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    assert emit("") == 0 and emit("x") == 141


def test_emit_to_a_reader_that_is_gone_is_141(monkeypatch):
    r, w = os.pipe()
    os.close(r)
    stream = os.fdopen(w, "w")
    monkeypatch.setattr(sys, "stdout", stream)
    assert emit("x" * 100_000) == 141
