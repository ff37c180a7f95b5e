"""Stage 8, the command line: argument parsing and dispatch (:mod:`.main`, whose ``main`` is the
``flopdocs`` command), the release commands (:mod:`.release`) and ``flopdocs table``
(:mod:`.table`).  The work is done in the stages below."""
