"""Stage 5, counting: modes and flags (:mod:`.modes`), one model evaluated (:mod:`.analysis`),
what a table row counts (:mod:`.rows`), sweeps (:mod:`.grid`, :mod:`.sweep`), MFU and the
accelerator table (:mod:`.mfu`, :mod:`.accelerators`), the published numbers
(:mod:`.published`) and the cross-check against PyTorch (:mod:`.verify`).  Nothing here
formats output for a reader.

The old ``flopdocs.counting`` module's names stay importable from here.
"""

from flopdocs.base.lazy import attributes

#: The old ``flopdocs.counting`` module's public names, imported on first use.
__getattr__ = attributes(__name__, {
    "Counting": "rows",
    "summary": "rows",
})
