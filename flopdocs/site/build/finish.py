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


def relative_404(site: Path) -> None:
    page = site / "404.html"
    if not page.is_file():
        return
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'((?:href|src)=")' + re.escape(ROOT), r"\1", text)
    text = text.replace(f'"base": "{ROOT}"', '"base": "."').replace(f'"base": "{ROOT.rstrip("/")}"', '"base": "."')
    script = _BASE.format(root=json.dumps(ROOT), root_raw=ROOT)
    text = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + script, text, count=1)
    page.write_text(text, encoding="utf-8")


def finish(site: Path) -> None:
    relative_404(site)
