// Render the pages' math with the KaTeX served by this site (no CDN).
// pymdownx.arithmatex (generic mode) wraps math in \( \) and \[ \] inside elements of
// class "arithmatex"; only those are rendered, so text a model's name or source puts
// on a page (escaped, but "\(" in the DOM all the same) is never typeset as math.
// Material's instant navigation swaps page content without a reload, so render again
// on every document$ emission, not only on load.
document$.subscribe(function ({ body }) {
  body.querySelectorAll(".arithmatex").forEach(function (element) {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true }
      ],
      throwOnError: false
    });
  });
});
