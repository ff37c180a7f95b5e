"""Every internal link and ``#anchor`` of the built site resolves (404.html included).

Read from the built HTML, as a browser resolves it: relative to the page (404.html is at
the site's root), the file must exist and the fragment must be an ``id`` (or ``name``)
on the target page.  No link may be a root-absolute path (``/flopdocs/...``): those break
wherever the site is not served at that path.
"""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and tag != "meta" and tag != "input":
                self.ids.add(a[key])
        if tag in ("a", "link") and a.get("href") is not None:
            self.links.append(a["href"])
        if tag in ("script", "img") and a.get("src"):
            self.links.append(a["src"])


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_every_internal_link_and_anchor_resolves(site):
    pages = {str(p.relative_to(site)).replace("\\", "/"): _parse(p) for p in sorted(site.rglob("*.html"))}
    broken = []
    for rel, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue  # another site: a plain link, never loaded by the page
            if parts.path.startswith("/"):
                broken.append(f"{rel}: root-absolute link {href}")
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path))) \
                if parts.path else rel
            if target.endswith("/") or (site / target).is_dir():
                target = posixpath.join(target, "index.html")
            if not (site / target).is_file():
                broken.append(f"{rel}: {href} (no file {target})")
                continue
            frag = unquote(parts.fragment)
            if target.endswith("calculator.html") and "=" in frag:
                continue  # the calculator's address of a config (#model=...&mode=...), not an id
            if frag and target.endswith(".html") and frag not in pages[target].ids:
                broken.append(f"{rel}: {href} (no #{frag} on {target})")
    assert not broken, f"{len(broken)} broken:\n" + "\n".join(broken[:40])


def test_404_asks_for_nothing_at_an_absolute_path(site):
    """``404.html`` is served at any depth: its links, scripts and the search worker are
    relative to the site's root (the published root restored by a ``<base>`` only when the
    page is served under it), so none names ``/flopdocs/...`` itself."""
    text = (site / "404.html").read_text(encoding="utf-8")
    script = re.search(r"<script>if\(location\.protocol.*?</script>", text)
    assert script and '<base href="/flopdocs/">' in script.group(0)
    rest = text.replace(script.group(0), "")
    assert not re.search(r"[\"'(]/flopdocs/", rest), re.findall(r".{40}[\"'(]/flopdocs/.{40}", rest)[:3]
