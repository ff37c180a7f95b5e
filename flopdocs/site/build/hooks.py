"""MkDocs hook for ``flopdocs serve``: re-render the pages (and nav) before every rebuild."""
from __future__ import annotations

import os
from pathlib import Path

from flopdocs.site.build.staging import restage


def on_config(config):
    config["nav"] = restage(Path(config.docs_dir), os.environ["FLOPDOCS_SERVE_CATALOGUE"])
    return config
