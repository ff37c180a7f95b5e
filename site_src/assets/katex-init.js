// Render the pages' math with the KaTeX served by this site (no CDN).
// pymdownx.arithmatex (generic mode) wraps math in \( \) and \[ \]; Material's
// instant navigation swaps page content without a reload, so render again on
// every document$ emission, not only on load.
document$.subscribe(function ({ body }) {
  renderMathInElement(body, {
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true }
    ],
    throwOnError: false
  });
});
