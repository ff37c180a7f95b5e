"""Reading config files: text, strict YAML and JSON, each problem one line naming the file.

YAML is read with a ``yaml.SafeLoader`` (data only) that refuses duplicate keys and
non-decimal ints; JSON with duplicate keys refused.  What the data *means* is checked
elsewhere (:mod:`flopdocs.config.config`, :mod:`flopdocs.config.hf`): nothing here knows a key.
"""
from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from flopdocs.errors import ConfigError, key_text, shown


def read_text(path: str | Path, kind: str) -> str:
    """A config file's text, or a one-line :class:`ConfigError` naming the file."""
    origin = str(path)
    try:
        return _regular_file_text(Path(path), kind).decode("utf-8-sig")  # a leading BOM is not content
    except FileNotFoundError:
        raise ConfigError(f"{origin}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{origin}: cannot read: {e}") from None


#: The largest config read, in bytes (1 MiB; a real one is a few kB).  A bigger file is
#: refused before it is parsed: megabytes of junk keys take seconds and hundreds of MB.
MAX_CONFIG_BYTES = 2**20

_FILE_TYPES = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a named pipe (FIFO)",
               stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
               stat.S_IFSOCK: "a socket"}


def _regular_file_text(path: Path, kind: str) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most :data:`MAX_CONFIG_BYTES`.

    Opened without blocking (a FIFO with no writer would wait forever) and checked on
    the open descriptor; a device (``/dev/zero``) or a FIFO is refused, never read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = _FILE_TYPES.get(stat.S_IFMT(st.st_mode), "not a regular file")
            raise ConfigError(f"{path}: is {what}, not {kind}")
        chunks, size = [], 0
        while size <= MAX_CONFIG_BYTES:  # the size stat gave may be stale: count as we read
            chunk = os.read(fd, MAX_CONFIG_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: is larger than 1 MiB ({MAX_CONFIG_BYTES} bytes), "
                              f"too large for {kind}")
        return b"".join(chunks)
    finally:
        os.close(fd)


class _DuplicateKey(Exception):
    pass


_MERGE = "tag:yaml.org,2002:merge"
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")


class _TooLarge(Exception):
    pass


def _size(node, sizes: dict[int, int]) -> int:
    """The data a node stands for, aliases expanded (a scalar's text, plus one per node),
    each node worked out once."""
    found = sizes.get(id(node))
    if found is None:
        if isinstance(node, yaml.ScalarNode):
            found = len(node.value) + 1
        elif isinstance(node, yaml.SequenceNode):
            found = 1 + sum(_size(c, sizes) for c in node.value)
        else:
            found = 1 + sum(_size(k, sizes) + _size(v, sizes) for k, v in node.value)
        sizes[id(node)] = found
    return found


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (data only, no tags that build objects), stricter on three counts:

    - aliases count toward the size cap: the data the document stands for, every alias
      expanded, is at most :data:`MAX_CONFIG_BYTES`, counted as it is composed (a 1 MB
      list of 200,000 aliases of one config stands for 200,000 configs: refused after
      the first 1 MiB of them, in well under a second);

    - a key given twice in one mapping is refused (PyYAML alone keeps the last, hiding a
      typo'd edit), checked on the composed nodes before merge keys are flattened, so
      ``<<: *base`` still merges and keys written out override merged ones;
    - ints are decimal: YAML 1.1's ``0x200``, ``0b1000``, ``010`` (octal) and ``8:32``
      (base 60, read as 512) are refused rather than silently converted.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.expanded, self.sizes = 0, {}

    def compose_node(self, parent, index):
        alias = self.check_event(yaml.AliasEvent)
        node = super().compose_node(parent, index)
        if alias:
            self.expanded += _size(node, self.sizes)
        elif isinstance(node, yaml.ScalarNode):
            self.expanded += len(node.value) + 1
        if self.expanded > MAX_CONFIG_BYTES:
            raise _TooLarge()
        return node

    def construct_document(self, node):
        _check_unique(node, set())
        return super().construct_document(node)

    def construct_decimal_int(self, node):
        text = self.construct_scalar(node)
        if not _DECIMAL.fullmatch(text):
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown(text)}: write whole numbers in decimal (e.g. 512)", node.start_mark)
        return int(text.replace("_", ""))


def _check_unique(node, seen_nodes: set[int]) -> None:
    """Every mapping in the node graph has distinct scalar keys (merge keys aside).

    Each node is visited once (an alias is the same node), so an alias bomb costs its
    size on the page, not its expansion.
    """
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        lines: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
                key = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if key in lines:
                    raise _DuplicateKey(f"{key_text(key_node.value)}: given twice "
                                        f"(lines {lines[key]} and {line})")
                lines[key] = line
            _check_unique(key_node, seen_nodes)
            _check_unique(value_node, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_unique(item, seen_nodes)


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_decimal_int)


def read_yaml(path: str | Path) -> Any:
    """One YAML file's data (not yet validated), with one-line errors."""
    path = Path(path)
    origin = str(path)
    text = read_text(path, "a YAML file")
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # yaml.SafeLoader, duplicate keys refused
    except _DuplicateKey as e:
        raise ConfigError(f"{origin}: {e}") from None
    except _TooLarge:
        raise ConfigError(f"{origin}: its aliases expand to more than 1 MiB ({MAX_CONFIG_BYTES} bytes) "
                          "of data, too large for a YAML file") from None
    except ValueError as e:  # an int past 4300 digits, an impossible date (2024-13-45), ...
        if "integer string conversion" in str(e):
            raise ConfigError(f"{origin}: a number is too long to read (more than 4300 digits)") from None
        raise ConfigError(f"{origin}: malformed YAML: {shown(' '.join(str(e).split()), 100)}") from None
    except RecursionError:
        raise ConfigError(f"{origin}: malformed YAML: nested too deeply") from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        char = e.character if isinstance(e.character, str) else chr(e.character)  # str input: a str
        raise ConfigError(f"{origin}: malformed YAML at line {line}, column {column}: "
                          f"character {ascii(char)} is not allowed") from None
    except yaml.YAMLError as e:
        where = ""
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = " ".join(str(getattr(e, "problem", None) or "invalid YAML").split())
        raise ConfigError(f"{origin}: malformed YAML{where}: {problem}") from None
    return data




#: The deepest nesting of a config.json read (a real one nests 3 deep): checked before it
#: is parsed, the same bound in the calculator's paste (``hf_values.page_rules``).
MAX_JSON_DEPTH = 64


def json_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in JSON text (strings skipped), before parsing:
    a bound checked on this costs nothing, where a parser recurses."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def read_json(path: str | Path) -> Any:
    """A ``config.json`` file's JSON, with one-line errors."""
    origin = str(path)
    text = read_text(path, "a config.json")
    if json_depth(text) > MAX_JSON_DEPTH:
        raise ConfigError(f"{origin}: malformed JSON: nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except _NotJSON as e:
        raise ConfigError(f"{origin}: malformed JSON: {e.args[0]} is not JSON (a number is digits)") from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"{origin}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except _DuplicateJSONKey as e:
        raise ConfigError(f"{origin}: {key_text(e.args[0])}: given twice") from None
    except ValueError:  # an int of more than 4300 digits (sys.int_info.default_max_str_digits)
        raise ConfigError(f"{origin}: a number is too long to read (more than 4300 digits)") from None
    except RecursionError:
        raise ConfigError(f"{origin}: malformed JSON: nested too deeply") from None


class _DuplicateJSONKey(Exception):
    pass


class _NotJSON(Exception):
    pass


def _no_constant(name: str) -> Any:
    """``json.loads`` hook: ``NaN``, ``Infinity`` and ``-Infinity`` are Python's, not JSON's
    (a browser's ``JSON.parse`` refuses them too)."""
    raise _NotJSON(name)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: a key given twice is an error (json alone keeps the last)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateJSONKey(key)
        out[key] = value
    return out


