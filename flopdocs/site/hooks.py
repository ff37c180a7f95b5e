"""MkDocs hook for ``flopdocs serve``: re-render the pages (and nav) before every rebuild."""
from __future__ import annotations

import os
from pathlib import Path

from flopdocs.site.build import commit, stage
from flopdocs.site.gather import gather


def on_config(config):
    config["nav"] = stage(Path(config.docs_dir), gather(os.environ["FLOPDOCS_SERVE_CATALOGUE"]),
                          commit())
    return config
