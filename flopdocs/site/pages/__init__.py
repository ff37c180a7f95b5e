"""The site's pages, one module per page kind: what each shows, computed from the gathered
data (:mod:`flopdocs.site.gather`); the templates lay it out.  Nothing here writes files or
runs MkDocs (:mod:`flopdocs.site.build`).

This package imports none of its modules.
"""
