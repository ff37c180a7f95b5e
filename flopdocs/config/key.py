"""A config key's declaration: the :class:`Key` record every entry of :data:`flopdocs.config.keys.KEYS` is.

Each key's value check is chosen by its ``type`` (:mod:`flopdocs.config.checks`).  Nothing
here lists keys (:mod:`flopdocs.config.keys` does) or reads configs.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sympy import Symbol

from flopdocs.config.checks import CHECKS

REQUIRED = object()  # a key every config must give
Getter = Callable[[str], Any]  # key -> its value in a config, defaults filled in


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # int | count (int or null) | bool | enum | text | lines (text with newlines)
    group: str  # metadata | dimension | architecture
    doc: str  # one line: what the key means or changes
    default: Any = None  # REQUIRED, a value, a function of a Getter, or None (absent)
    default_doc: str = ""  # the default as the README shows it, when not a plain value
    symbol: Symbol | None = None  # numeric keys: the dimension's symbol in the tree
    hf: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # family -> fields
    choices: tuple[str, ...] = ()  # enums
    only: str | None = None  # the one architecture the key applies to

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def default_for(self, get: Getter) -> Any:
        if self.default is REQUIRED:
            raise KeyError(self.name)
        return self.default(get) if callable(self.default) else self.default

    def hf_fields(self, family: str) -> tuple[str, ...]:
        return self.hf.get(family, ())

    def check(self, value: Any, origin: str | None = None) -> Any:
        """The value if this key accepts it, else a one-line :class:`ConfigError`."""
        return CHECKS[self.type](value, origin, self)

    @property
    def values_doc(self) -> str:
        """The README's "values (default)" cell."""
        kinds = {"int": "int ≥ 1", "count": "int or null", "bool": "bool", "text": "text",
                 "lines": "text"}
        values = " \\| ".join(f"`{c}`" for c in self.choices) if self.choices else kinds[self.type]
        if self.required:
            return f"{values} (required)"
        if self.default_doc:
            return f"{values} ({self.default_doc})"
        if self.default is None:
            return f"{values} (none)"
        shown_default = str(self.default).lower() if isinstance(self.default, bool) else self.default
        return f"{values} (`{shown_default}`)"


_GPT2, _LLAMA, _T5 = "gpt2", "llama", "t5"  # Hugging Face families: GPT-2, llama-like (llama,
# mistral, ...; BERT reads llama's field names, and its own where it declares them), and T5


def hf_names(gpt2: tuple[str, ...] = (), llama: tuple[str, ...] = (),
             t5: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """A key's Hugging Face fields by family (``Key.hf``), the families that name any."""
    return {f: names for f, names in ((_GPT2, gpt2), (_LLAMA, llama), (_T5, t5)) if names}
