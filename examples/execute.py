"""Execute a notebook in this environment's Python and, with ``--write``, save its outputs.

    python examples/execute.py examples/seed.ipynb --write   # refresh the committed outputs

The kernel is this interpreter (``sys.executable``, with ipykernel installed: the ``test``
extra), from a kernel spec written to a temporary directory, so nothing depends on, or
is added to, the user's Jupyter kernels; IPython's profile and the connection file go
there too.  The notebook runs with the repository's root as its working directory.
``tests/test_notebook.py`` executes it the same way and requires the committed outputs.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "flopdocs-python"


def execute(path: str | Path, timeout: int = 120) -> nbformat.NotebookNode:
    """The notebook at ``path``, executed (outputs filled in); the file is not changed."""
    nb = nbformat.read(str(path), as_version=4)
    with tempfile.TemporaryDirectory(prefix="flopdocs-nb-") as tmp:
        kernels = Path(tmp) / "kernels"
        write_kernel_spec(kernels / KERNEL, overrides={"display_name": "flopdocs (this Python)"})
        km = AsyncKernelManager(kernel_name=KERNEL, connection_file=str(Path(tmp) / "connection.json"),
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
        env = {**os.environ, "IPYTHONDIR": str(Path(tmp) / "ipython"), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "JUPYTER_PLATFORM_DIRS": "1"}
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=False, record_timing=False,
                                resources={"metadata": {"path": str(ROOT)}})
        client.execute(env=env)
    return nb


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebook", nargs="?", default=str(ROOT / "examples" / "seed.ipynb"))
    p.add_argument("--write", action="store_true", help="save the outputs into the notebook")
    args = p.parse_args(argv)
    nb = execute(args.notebook)
    if args.write:  # the outputs only: the file's metadata stays as written (no Python version)
        nb.metadata = nbformat.read(args.notebook, as_version=4).metadata
        nbformat.write(nb, args.notebook)
    else:
        print(f"{args.notebook}: executed {sum(c.cell_type == 'code' for c in nb.cells)} code cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
