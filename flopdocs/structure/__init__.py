"""Stage 2, the model's structure: the cost tree (:mod:`.tree`), leaf costs (:mod:`.ops`),
kinds and roles (:mod:`.roles`), one module per layer (:mod:`.layers`), a config structure's
tree (:mod:`.build`), its views (:mod:`.grouping`) and parameters (:mod:`.params`).  Every
leaf carries its true count; nothing here knows a convention or a mode.  (Not
``flopdocs.model``: that name is the Python API's front door.)"""
