"""Building the site: staging the pages and running MkDocs (:mod:`.staging`), the last
touches after it (:mod:`.finish`), putting the result into place (:mod:`.swap`), which
commit and date it names (:mod:`.provenance`), generated text kept between builds
(:mod:`.cache`), releases side by side (:mod:`.versions`) and ``flopdocs serve``'s hook
(:mod:`.hooks`).  Nothing here decides what a page says (:mod:`flopdocs.site.pages`).

This package imports none of its modules: a page reading the cache does not load the builder.
"""
