"""Stage 5, counting: modes and flags (:mod:`.modes`), one model evaluated (:mod:`.analysis`),
what a table row counts (:mod:`.rows`), sweeps (:mod:`.grid`, :mod:`.sweep`), MFU and the
accelerator table (:mod:`.mfu`, :mod:`.accelerators`), the published numbers
(:mod:`.published`) and the cross-check against PyTorch (:mod:`.verify`).  Nothing here
formats output for a reader.

The old ``flopdocs.counting`` module's names stay importable from here.
"""

#: The old ``flopdocs.counting`` module's public names, imported on first use (PEP 562), so
#: importing one module of this stage does not import the others.
_OLD_NAMES = {
    "Counting": "rows",
    "summary": "rows",
}


def __getattr__(name: str):
    if name not in _OLD_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    return getattr(import_module(f"{__name__}.{_OLD_NAMES[name]}"), name)
