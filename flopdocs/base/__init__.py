"""Stage 0: what every stage shares and nothing of the model knows: reading and writing
files, where the site's sources are, identity caches, slugs.  Imports nothing of flopdocs
but :mod:`flopdocs.errors`."""
