"""The reference site: gather the data, derive, render Markdown, build with MkDocs.

:mod:`.gather` (catalogue and layers, evaluated, sorted), :mod:`.derive` (LaTeX derivations
and stable anchors from the cost tree), :mod:`.figures` and :mod:`.plots` (inline SVG),
:mod:`.pages` (one module per page kind: what it shows), :mod:`.render` (Jinja2 → Markdown
pages), :mod:`.build` (staging dir → MkDocs strict → swapped into place; provenance, cache,
versions), :mod:`.addresses` and :mod:`.text` (URLs; escaping and number formats), and
:mod:`.diff` (``flopdocs diff``'s published numbers).
"""
