"""Stage 4, compile: our cost expressions as exact polynomial fractions (:mod:`.polynomials`),
checked straight-line integer code printed as Python (:mod:`.codegen`) and JavaScript
(:mod:`.codegen_js`), and trees evaluated through it (:mod:`.compiled`).  Nothing here
decides what is counted."""
