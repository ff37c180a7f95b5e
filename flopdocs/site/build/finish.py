"""The built site's last touches, after MkDocs: what makes it work from any path.

* ``404.html``: MkDocs writes its links from the site's root path (``/flopdocs/...``), which
  break wherever the site is not served at that path.  They are made relative to the site's
  root (where ``404.html`` is), and a one-line script restores the published root as
  ``<base>`` only when the page is served under it (a missing page deep in the published site).

Search does not work from disk: Material's search runs in a Web Worker, which a browser
does not start for a ``file:`` page; the About page says so.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from flopdocs.site.addresses import SITE_URL

ROOT = urlsplit(SITE_URL).path  # "/flopdocs/"

_BASE = ('<script>if(location.protocol!=="file:"&&location.pathname.indexOf({root})===0)'
         'document.write(\'<base href="{root_raw}">\')</script>')


def relative_404(site: Path, root: str = ROOT) -> None:
    """``root``: the path the site is published at (a version's: ``/flopdocs/0.2/``)."""
    page = site / "404.html"
    if not page.is_file():
        return
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'((?:href|src)=")' + re.escape(root), r"\1", text)
    text = text.replace(f'"base": "{root}"', '"base": "."').replace(f'"base": "{root.rstrip("/")}"', '"base": "."')
    text = text.replace(f'"search": "{root}', '"search": "')  # the search worker, from the root too
    # Material's scope (its storage keys): the site's root as the page resolves it (<base>)
    text = text.replace(f'new URL("{root}",location)', 'new URL(".",document.baseURI)')
    script = _BASE.format(root=json.dumps(root), root_raw=root)
    text = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + script, text, count=1)
    page.write_text(text, encoding="utf-8")


def finish(site: Path, root: str = ROOT) -> None:
    relative_404(site, root)
