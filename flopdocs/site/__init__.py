"""The reference site: gather the data, derive, render Markdown, build with MkDocs.

One module per job: :mod:`.gather` (catalogue and layers, evaluated, sorted),
:mod:`.derive` (LaTeX derivations and stable anchors from the cost tree),
:mod:`.figures` (inline SVG), :mod:`.render` (Jinja2 → Markdown pages) and
:mod:`.build` (staging dir → MkDocs strict → atomic rename).
"""
