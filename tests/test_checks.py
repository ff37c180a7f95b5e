"""config/checks.py: each declared type's value check, as a table of values and messages."""
from __future__ import annotations

import pytest

from flopdocs.config.checks import MAX_INT, check_int, check_text
from flopdocs.errors import ConfigError


@pytest.mark.parametrize("value", [1, 512, MAX_INT])
def test_whole_numbers_from_1_to_2_53_pass(value):
    assert check_int("m.yaml", "l", value) == value


@pytest.mark.parametrize("value, message", [
    (0, "l: must be at least 1, got 0"),
    (-3, "l: must be at least 1, got -3"),
    (MAX_INT + 1, "l: must be at most 2**53 = 9007199254740992, got 9007199254740993"),
    (True, "l: must be a whole number, got True (bool)"),      # bool is an int subclass
    (512.0, "l: must be a whole number, got 512.0 (float)"),
    ("512", "l: must be a whole number, got '512'"),
    (None, "l: must be a whole number, got None (NoneType)"),
])
def test_anything_else_is_one_line_naming_file_key_and_value(value, message):
    with pytest.raises(ConfigError) as e:
        check_int("m.yaml", "l", value)
    assert str(e.value) == f"m.yaml: {message}"


@pytest.mark.parametrize("text", ["Llama 2 7B", "नमस्ते", "a\u200db", "Zoë\u00a0X"])
def test_printable_names_pass(text):
    assert check_text(None, "name", text) == text


@pytest.mark.parametrize("text, where", [
    ("evil\u202eexe", "character 5 ('\\u202e')"),   # a bidi override
    ("two\nlines", "character 4 ('\\n')"),
    ("bell\x07", "character 5 ('\\x07')"),
])
def test_control_and_format_characters_are_refused(text, where):
    with pytest.raises(ConfigError) as e:
        check_text(None, "name", text)
    assert str(e.value).startswith(f"name: {where} is not printable text")


def test_newlines_pass_only_where_lines_are_allowed():
    assert check_text(None, "notes", "a\n\tb", lines=True) == "a\n\tb"
    with pytest.raises(ConfigError):
        check_text(None, "notes", 7, lines=True)
