"""Model configs: YAML data, checked as plain ints before anything touches sympy.

A config is read with ``yaml.safe_load`` and validated key by key; every problem
is a :class:`ConfigError` whose message is one line naming the file, the key and
what is wrong.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import os
from pathlib import Path
import re
import stat
from typing import Any
import unicodedata

import yaml

from .arch import ARCHITECTURES, FFNS, NORMS, POSITIONS, Arch
from .symbols import DIMENSIONS, KNOBS, N, Symbol


class ConfigError(ValueError):
    """A bad config, flag or file; the message is one line for the user."""


#: The dimensions every config must give, in display order.
REQUIRED_INTS = tuple(DIMENSIONS)  # l, d_model, d_ff, n_vocab, n_layers, n_heads
#: Optional ints with their defaults.
OPTIONAL_INTS: dict[str, int] = {"N": 1}
#: Optional strings (metadata, never evaluated).
OPTIONAL_STRINGS = ("source", "notes")
#: Optional metadata: the parameter count the source states (an int, or null).
METADATA_INTS = ("params_published",)

#: Architecture knobs (issue 4), all optional; their defaults are the seed's block.
KNOB_INTS = tuple(KNOBS)  # n_kv_heads, d_head, window, n_experts, ... (see symbols.KNOBS)
KNOB_ENUMS: dict[str, tuple[str, ...]] = {
    "ffn": FFNS,
    "norm": NORMS,
    "position": POSITIONS,
    "architecture": ARCHITECTURES,
}
KNOB_BOOLS = ("attn_bias", "attn_out_bias", "ffn_bias", "tie_embeddings", "lm_head")
#: Every knob, in the order YAML files and reports write them.
KNOB_ORDER = ("architecture", "n_kv_heads", "d_head", "ffn", "norm", "position",
              "attn_bias", "attn_out_bias", "ffn_bias", "tie_embeddings", "lm_head",
              "n_experts", "experts_per_token", "d_ff_expert", "window",
              "n_encoder_layers", "n_decoder_layers", "l_src", "l_tgt")
_ENCODER_DECODER_ONLY = ("n_encoder_layers", "n_decoder_layers", "l_src", "l_tgt")


@dataclass(frozen=True)
class Config:
    name: str
    values: dict[str, int]  # every dimension, defaults filled in, in display order
    source: str = ""
    origin: str = "<config>"  # where it came from, for messages
    extra: dict[str, Any] = field(default_factory=dict)
    knobs: dict[str, Any] = field(default_factory=dict)  # architecture keys given, in KNOB_ORDER
    params_published: int | None = None
    notes: str = ""

    def __getitem__(self, key: str) -> int:
        return self.values[key]

    def knob(self, key: str) -> Any:
        """An architecture knob's value, its default filled in (``None``: not applicable)."""
        if key in self.knobs:
            return self.knobs[key]
        v = self.values
        if key == "attn_out_bias":
            return self.knob("attn_bias")
        if key == "lm_head":
            return self.knob("architecture") != "encoder"
        if key == "d_head":
            return v["d_model"] // v["n_heads"] if not v["d_model"] % v["n_heads"] else None
        if key == "d_ff_expert":
            return v["d_ff"] if "n_experts" in self.knobs else None
        return {
            "architecture": "decoder", "ffn": "relu", "norm": "layernorm",
            "position": "learned", "attn_bias": False, "ffn_bias": True,
            "tie_embeddings": False, "n_kv_heads": v["n_heads"],
            "window": None, "n_experts": None, "experts_per_token": None,
            "l_src": v["l"], "l_tgt": v["l"],
            "n_encoder_layers": v["n_layers"], "n_decoder_layers": v["n_layers"],
        }[key]

    @property
    def arch(self) -> Arch:
        """The structural choices the symbolic tree is built from (see :mod:`flopdocs.arch`)."""
        v, k = self.values, self.knob
        window = k("window")
        return Arch(
            architecture=k("architecture"), ffn=k("ffn"), norm=k("norm"),
            position=k("position"), attn_bias=k("attn_bias"),
            attn_out_bias=k("attn_out_bias"), ffn_bias=k("ffn_bias"),
            tie_embeddings=k("tie_embeddings"), lm_head=k("lm_head"),
            gqa=k("n_kv_heads") != v["n_heads"],
            explicit_d_head=k("d_head") * v["n_heads"] != v["d_model"],
            windowed=window is not None and window < v["l"],
            moe=k("n_experts") is not None,
            expert_width=k("n_experts") is not None and k("d_ff_expert") != v["d_ff"],
        )

    @property
    def dims(self) -> dict[Symbol, int]:
        """Symbol -> int, for :func:`flopdocs.tree.evaluate` (N excluded).

        The seed's six dimensions, then every numeric knob that applies to this config
        (its default filled in); a knob the tree does not use is harmless.
        """
        out = {sym: self.values[key] for key, sym in DIMENSIONS.items()}
        for key, sym in KNOBS.items():
            value = self.knob(key)
            if value is not None:
                out[sym] = value
        return out

    @property
    def n_sequences(self) -> int:
        return self.values["N"]

    @property
    def tokens(self) -> int:
        """Tokens one sequence's forward pass processes: ``l``, or ``l_src + l_tgt`` for an
        encoder-decoder (the encoder reads l_src source tokens, the decoder l_tgt targets)."""
        if self.knob("architecture") == "encoder-decoder":
            return self.knob("l_src") + self.knob("l_tgt")
        return self.values["l"]

    def as_data(self) -> dict[str, Any]:
        """The config as the mapping :func:`parse` reads (defaults left out)."""
        data: dict[str, Any] = {"name": self.name}
        if self.source:
            data["source"] = self.source
        if self.params_published is not None:
            data["params_published"] = self.params_published
        data.update(self.values)
        if data.get("N") == 1:
            del data["N"]
        data.update(self.knobs)
        if self.notes:
            data["notes"] = self.notes
        return data

    def with_values(self, overrides: Mapping[str, int], origin: str) -> "Config":
        data = {**self.as_data(), "N": self.values["N"], **overrides}
        return parse(data, origin)


#: The largest value any int key takes: 2**53, the largest integer a JSON reader that
#: uses doubles still holds exactly, and far beyond any model's dimension.  The bound
#: also keeps every product of dimensions well inside what reports and pages format.
MAX_INT = 2**53


def shown(value: Any, limit: int = 60) -> str:
    """A value for a one-line message: short, on one line, never a huge repr.

    Strings are quoted with their escapes (a newline shows as ``\\n``); containers are
    named by type, not printed (a small YAML file with nested aliases can stand for
    millions of items); ints past 128 bits are described by their size.
    """
    if isinstance(value, str):
        r = repr(value)
        return r if len(r) <= limit else r[: limit - 4] + "...'"
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() <= 128:
            return str(value)
        return f"a number of about {round(value.bit_length() * 0.30103)} digits"
    return f"a {type(value).__name__}"


def key_text(key: Any) -> str:
    """A mapping key for a message: as typed if it is plain text, else :func:`shown`."""
    if isinstance(key, str) and key.isprintable() and 0 < len(key) <= 60:
        return key
    return shown(key)


def check_int(origin: str, key: str, value: Any) -> int:
    # bool is a subclass of int: reject it explicitly; "512" (a string) is not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        extra = f" ({type(value).__name__})" if isinstance(value, (bool, float)) or value is None else ""
        raise ConfigError(f"{origin}: {key}: must be a whole number, got {shown(value)}{extra}")
    if value < 1:
        raise ConfigError(f"{origin}: {key}: must be at least 1, got {shown(value)}")
    if value > MAX_INT:
        raise ConfigError(f"{origin}: {key}: must be at most 2**53 = {MAX_INT}, got {shown(value)}")
    return value


#: Format characters real names need: zero-width non-joiner (Persian, Hindi) and joiner
#: (emoji sequences); emoji tag characters (U+E0020..E007F, subdivision flags) too.
#: Other format characters (bidi overrides, BOM, soft hyphen) stay refused.
_JOINERS = "\u200c\u200d"


def _check_text(origin: str, key: str, value: Any, *, lines: bool = False) -> str:
    """A display string: printable characters only (spaces allowed; newlines and tabs too
    where ``lines``).  Control, format (bidi overrides) and surrogate characters are
    refused: they would garble terminals, break one-line messages and the YAML we write."""
    if not isinstance(value, str):
        raise ConfigError(f"{origin}: {key}: must be a string, got {shown(value)}")
    for i, ch in enumerate(value):
        if not (ch.isprintable() or unicodedata.category(ch) == "Zs" or ch in _JOINERS
                or "\U000e0020" <= ch <= "\U000e007f" or (lines and ch in "\n\t")):
            raise ConfigError(f"{origin}: {key}: character {i + 1} ({ascii(ch)}) is not printable "
                              f"text, in {shown(value)}")
    return value


def _check_bool(origin: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{origin}: {key}: must be true or false, got {shown(value)}")
    return value


def _check_enum(origin: str, key: str, value: Any) -> str:
    allowed = KNOB_ENUMS[key]
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"{origin}: {key}: must be one of {', '.join(allowed)}, got {shown(value)}")
    return value


def _check_knobs(origin: str, data: Mapping[str, Any], values: dict[str, int]) -> dict[str, Any]:
    knobs: dict[str, Any] = {}
    for key in KNOB_ORDER:
        if key not in data:
            continue
        value = data[key]
        if key in KNOB_INTS:
            knobs[key] = check_int(origin, key, value)
        elif key in KNOB_BOOLS:
            knobs[key] = _check_bool(origin, key, value)
        else:
            knobs[key] = _check_enum(origin, key, value)

    def fail(key: str, problem: str):
        raise ConfigError(f"{origin}: {key}: {problem}")

    arch = knobs.get("architecture", "decoder")
    n_heads = values["n_heads"]
    if "d_head" not in knobs and values["d_model"] % n_heads:
        fail("d_model", f"{values['d_model']} is not divisible by n_heads={n_heads} "
                        "(d_k = d_model / n_heads must be a whole number; or give d_head)")
    if "n_kv_heads" in knobs:
        kv = knobs["n_kv_heads"]
        if kv > n_heads or n_heads % kv:
            fail("n_kv_heads", f"{kv} must divide n_heads={n_heads} (each key/value head "
                               "serves a whole group of query heads)")
    if "n_experts" in knobs:
        if "experts_per_token" not in knobs:
            fail("experts_per_token", "missing: required with n_experts (top-k routing)")
        if knobs["experts_per_token"] > knobs["n_experts"]:
            fail("experts_per_token", f"{knobs['experts_per_token']} is more than "
                                      f"n_experts={knobs['n_experts']}")
    else:
        for key in ("experts_per_token", "d_ff_expert"):
            if key in knobs:
                fail(key, "needs n_experts (a dense model has no experts)")
    if arch != "encoder-decoder":
        for key in _ENCODER_DECODER_ONLY:
            if key in knobs:
                fail(key, f"only applies to architecture encoder-decoder, not {arch}")
    elif "window" in knobs:
        fail("window", "sliding-window attention is not modelled for architecture encoder-decoder")
    if knobs.get("tie_embeddings") and not knobs.get("lm_head", arch != "encoder"):
        fail("tie_embeddings", "there is no LM head to tie (lm_head is false)")
    return knobs


def parse(data: Any, origin: str) -> Config:
    """Validate a mapping (as ``yaml.safe_load`` returns it) into a :class:`Config`."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin}: expected a mapping of keys to values, got {type(data).__name__}")
    allowed = {"name", *REQUIRED_INTS, *OPTIONAL_INTS, *OPTIONAL_STRINGS, *METADATA_INTS,
               *KNOB_ORDER}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{origin}: {key_text(key)}: unknown key "
                              f"(allowed: {', '.join(sorted(map(str, allowed)))})")
    for key in ("name", *REQUIRED_INTS):
        if key not in data:
            raise ConfigError(f"{origin}: {key}: missing required key")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{origin}: name: must be a non-empty string, got {shown(name)}")
    _check_text(origin, "name", name)
    values = {key: check_int(origin, key, data[key]) for key in REQUIRED_INTS}
    for key, default in OPTIONAL_INTS.items():
        values[key] = check_int(origin, key, data[key]) if key in data else default
    strings = {}
    for key in OPTIONAL_STRINGS:
        text = data.get(key, "")
        strings[key] = _check_text(origin, key, text, lines=key == "notes")
    published = data.get("params_published")
    if published is not None:
        published = check_int(origin, "params_published", published)
    knobs = _check_knobs(origin, data, values)
    return Config(name=name.strip(), values=values, source=strings["source"], origin=origin,
                  knobs=knobs, params_published=published, notes=strings["notes"].strip())


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


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (data only, no tags that build objects), stricter on two counts:

    - a key given twice in one mapping is refused (PyYAML alone keeps the last, hiding a
      typo'd edit), checked on the composed nodes before merge keys are flattened, so
      ``<<: *base`` still merges and keys written out override merged ones;
    - ints are decimal: YAML 1.1's ``0x200``, ``0b1000``, ``010`` (octal) and ``8:32``
      (base 60, read as 512) are refused rather than silently converted.
    """

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


def load(path: str | Path) -> Config:
    """Read and validate one YAML config file."""
    path = Path(path)
    origin = str(path)
    text = read_text(path, "a YAML file")
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # yaml.SafeLoader, duplicate keys refused
    except _DuplicateKey as e:
        raise ConfigError(f"{origin}: {e}") from None
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
    return parse(data, origin)


def parse_override(text: str) -> tuple[str, Any]:
    """``--set key=value``: the key and a strictly decimal int (never evaluated).

    An architecture knob that is a bool or an enum takes its word instead
    (``--set tie_embeddings=true``, ``--set ffn=swiglu``), checked by :func:`parse`.
    """
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise ConfigError(f"--set {text}: expected key=value, e.g. --set l=2048")
    if key in KNOB_BOOLS:
        if raw not in ("true", "false"):
            raise ConfigError(f"--set {text}: {key}: must be true or false, got {raw!r}")
        return key, raw == "true"
    if key in KNOB_ENUMS:
        return key, raw
    if key in ("name", *OPTIONAL_STRINGS):
        raise ConfigError(f"--set {text}: {key}: only dimensions and architecture knobs can be "
                          "overridden (edit the YAML file for text)")
    if raw.startswith("-") and raw[1:].isascii() and raw[1:].isdigit():
        raise ConfigError(f"--set {text}: {key}: must be at least 1, got {raw}")
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"--set {text}: {key}: must be a whole number, got {raw!r}")
    if len(raw.lstrip("0")) > len(str(MAX_INT)):
        raise ConfigError(f"--set {text}: {key}: must be at most 2**53 = {MAX_INT}")
    return key, int(raw)
