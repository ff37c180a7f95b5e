"""The CLI's argument parser class: every command's parser and subparser is one.  Nothing
here declares a flag (:mod:`flopdocs.cli.main` and :mod:`flopdocs.cli.release` do)."""
from __future__ import annotations

import argparse

from flopdocs.errors import ConfigError


class Parser(argparse.ArgumentParser):
    """One line and exit 2 for a usage error; a flag is never matched by a prefix of its
    name (``--dtype-b 4`` is not ``--dtype-bytes``; argparse's ``allow_abbrev`` off)."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:
        raise ConfigError(f"{self.prog}: {message}")
