"""The built site on a phone (390 px, Chromium): wide tables and the charts.

One pass over every page: each table wider than the box it scrolls in keeps its first
column in view (``position: sticky``) and needs at most two screens sideways (its
scrollWidth at most twice its clientWidth), tables in tabs not shown included; each chart's
lines differ by dash pattern or marker (not by colour alone), each drawn in a colour of at
least 3:1 on white and named at its end; each chart point that names a model is focusable
and has an accessible name (touch and keyboard, not only hover).  axe-core on Compare and
a layer page.
"""
from __future__ import annotations

from browser import chromium, serve
from test_site_browser import _axe

PHONE = {"width": 390, "height": 844}

#: Every tab's content shown, so the tables in tabs not selected are measured too.
SHOW_TABS = ".tabbed-set > .tabbed-content > .tabbed-block { display: block !important; }"

#: Per page: the problems of its tables and charts, one line each.
PROBE = """() => {
  const out = [];
  const scroller = (e) => {
    for (let c = e.parentElement; c; c = c.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(c).overflowX)) return c;
    }
    return document.scrollingElement;
  };
  for (const table of document.querySelectorAll('article table')) {
    const box = scroller(table);
    if (box.scrollWidth <= box.clientWidth + 1) continue;  // not wide: nothing to scroll
    const head = [...table.querySelectorAll('th')].slice(0, 3).map((h) => h.textContent.trim()).join(' | ');
    const loose = [...table.rows].filter((r) => r.cells.length > 1
      && getComputedStyle(r.cells[0]).position !== 'sticky').length;
    if (loose) out.push(`table "${head}": first column not sticky in ${loose} rows`);
    // and it stays in view: scrolled to its far end, the first cell is still at the left
    const cell = table.rows[table.rows.length - 1].cells[0];
    box.scrollLeft = box.scrollWidth;
    const at = cell.getBoundingClientRect().left - box.getBoundingClientRect().left;
    box.scrollLeft = 0;
    if (at < -1) out.push(`table "${head}": its first column scrolls away (${Math.round(at)} px)`);
    if (box.scrollWidth > 2 * box.clientWidth) {
      out.push(`table "${head}": ${box.scrollWidth} px in a ${box.clientWidth} px box (over two screens)`);
    }
  }
  const luminance = (rgb) => {
    const c = rgb.match(/[0-9.]+/g).slice(0, 3).map((v) => {
      v = Number(v) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  document.querySelectorAll('svg.fd-chart').forEach((svg, n) => {
    const name = `chart ${n + 1} ("${(svg.getAttribute('aria-label') || '').slice(0, 40)}")`;
    const lines = [...svg.querySelectorAll('polyline')];
    const looks = lines.map((p) => {
      const s = getComputedStyle(p);
      const contrast = 1.05 / (luminance(s.stroke) + 0.05);  // against white
      if (contrast < 3) out.push(`${name}: a line ${s.stroke} at ${contrast.toFixed(2)}:1 on white`);
      const series = [...p.classList].find((c) => /^fd-s[0-9]+$/.test(c));
      if (!series || !svg.querySelector(`text.fd-end.${series}`)) out.push(`${name}: a line with no label at its end`);
      return [s.strokeDasharray, s.markerStart, s.markerMid, s.markerEnd].join(' ');
    });
    if (new Set(looks).size < looks.length) out.push(`${name}: lines told apart by colour only (${looks.join('; ')})`);
    // a point naming a model: what carries a hover title inside the chart, and every dot
    const points = new Set([...svg.querySelectorAll('title')].map((t) => t.parentElement).filter((e) => e !== svg));
    svg.querySelectorAll('circle').forEach((c) => points.add(c.closest('[tabindex]') || c));
    for (const p of points) {
      const said = (p.getAttribute('aria-label') || '').trim();
      if (p.tabIndex < 0 || !said) {
        out.push(`${name}: a point not focusable or unnamed: ${p.outerHTML.slice(0, 90)}`);
      }
    }
  });
  return out;
}"""


def test_every_wide_table_and_chart_on_a_phone(site):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if p.name != "404.html" and not p.name.startswith("."))
    problems, tables, charts = [], 0, 0
    with chromium() as browser, serve(site) as base:
        page = browser.new_context(viewport=PHONE).new_page()
        for rel in pages:
            page.goto(base + rel, wait_until="load")
            page.add_style_tag(content=SHOW_TABS)
            problems += [f"{rel}: {p}" for p in page.evaluate(PROBE)]
            tables += page.locator("article table").count()
            charts += page.locator("svg.fd-chart polyline, svg.fd-chart circle").count()
        # the probe saw something: the pages have tables, lines and points to look at
        assert len(pages) > 90 and tables > 200 and charts > 100, (len(pages), tables, charts)
        for rel in ("compare.html", "layers/multi-head-attention.html"):
            page.goto(base + rel, wait_until="load")
            problems += [f"{rel}: {p}" for p in _axe(page)]
        # a point of the scatter, reached by the keyboard, shows its model's name
        page.goto(base + "compare.html", wait_until="load")
        point = page.locator("svg.fd-figure .fd-point").first
        point.focus()
        assert point.locator(".fd-tip").is_visible()
        assert point.locator(".fd-tip").text_content() in point.get_attribute("aria-label")
    assert not problems, "\n".join(problems)
