"""Stage 1, configs: the dimensions (:mod:`.symbols`), every key declared once (:mod:`.keys`),
value checks (:mod:`.checks`), a config checked across keys (:mod:`.config`), its structure
(:mod:`.arch`), Hugging Face import (:mod:`.hf`), the catalogue and where a model argument
comes from (:mod:`.inputs`).  Nothing here builds a cost tree.

The old ``flopdocs.config`` module's names stay importable from here.
"""

from flopdocs.base.lazy import attributes

#: The old ``flopdocs.config`` module's public names, imported on first use.
__getattr__ = attributes(__name__, {
    "Config": "config",
    "load": "config",
    "parse": "config",
    "ConfigError": "config",
})
