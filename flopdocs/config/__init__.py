"""Stage 1, configs: the dimensions (:mod:`.symbols`), every key declared once (:mod:`.keys`),
value checks (:mod:`.checks`), a config checked across keys (:mod:`.config`), its structure
(:mod:`.arch`), Hugging Face import (:mod:`.hf`), the catalogue and where a model argument
comes from (:mod:`.inputs`).  Nothing here builds a cost tree.

The old ``flopdocs.config`` module's names stay importable from here.
"""

#: The old ``flopdocs.config`` module's public names, imported on first use (PEP 562), so
#: importing one module of this stage does not import the others.
_OLD_NAMES = {
    "Config": "config",
    "load": "config",
    "parse": "config",
}


def __getattr__(name: str):
    if name == "ConfigError":
        from flopdocs.errors import ConfigError
        return ConfigError
    if name not in _OLD_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    return getattr(import_module(f"{__name__}.{_OLD_NAMES[name]}"), name)
