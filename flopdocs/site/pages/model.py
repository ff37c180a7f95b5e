"""What a model's page shows, computed: rows, labels, links, closed-form records.

Everything the page decides is decided here (which layer page the model's tree links
to, how per-token figures are labelled for an encoder-decoder, the closed forms and
their caveat); ``templates/model.md.j2`` only lays it out.  Nothing here writes files.
"""
from __future__ import annotations


from flopdocs.conventions import closed_forms
from flopdocs.structure.layers import LAYERS
from flopdocs.structure.tree import anchor, share, walk
from flopdocs.site import derive, figures, plots
from flopdocs.site.pages import answers, memory as memory_page
from flopdocs.site.addresses import TITLE
from flopdocs.site.gather import Model



def grouped_shares(m: Model) -> dict[str, float]:
    """Each grouped leaf name's share of the total, summed over every place it occurs.

    An encoder-decoder has two ``PositionWiseFFN`` groups (one per stack) and ``Q * WQ``
    in both self- and cross-attention: one column per name means their sum, so a model's
    shares add up to 1.
    """
    flops: dict[str, int] = {}
    for _, n in walk(m.grouped):
        if n.is_leaf:
            flops[n.name] = flops.get(n.name, 0) + n.total
    return {name: share(f, m.analysis.total) for name, f in flops.items()}


def largest(m: Model) -> tuple[str, float]:
    return max(grouped_shares(m).items(), key=lambda item: item[1])


def under_conventions(m: Model) -> list[dict]:
    base = m.analysis.total
    return [{"name": a.convention, "anchor": anchor(a.convention), "total": a.total,
             "per_token": a.per_token, "diff": (a.total - base) / base} for a in m.under]


def _grouped_rows(m: Model) -> list[dict]:
    total = m.analysis.total
    return [{"name": n.name, "path": " › ".join(p), "flops": n.total, "share": share(n.total, total)}
            for p, n in walk(m.grouped) if n.is_leaf]


def _breakdown_rows(m: Model, anchors) -> list[dict]:
    a = m.analysis
    rows = []
    for path, n in walk(a.tree):
        sym = a.symbolic[path] if path else a.symbolic
        page, frag = derive.link_of(path, a.symbolic, anchors)
        link = f"../layers/{page}.md" + (f"#{frag}" if frag else "") if page else ""
        rows.append({
            "depth": len(path), "name": n.name, "times": n.times,
            "formula": derive.tex_expanded(sym.total), "flops": n.total,
            "share": share(n.total, a.total), "link": link, "leaf": n.is_leaf,
        })
    return rows


def _params(m: Model) -> dict:
    p, published = m.analysis.params, m.config.params_published
    gap = None if not published else (p.total - published) / published
    return {"total": p.total, "non_embedding": p.non_embedding, "active": p.active,
            "moe": p.active != p.total, "published": published, "gap": gap}


def _totals(m: Model) -> list[dict]:
    """The Totals table's rows: label, count."""
    cfg, a = m.config, m.analysis
    pair = cfg.is_encoder_decoder
    n = cfg.n_sequences
    return [
        {"label": f"per sequence of {cfg.tokens:,} tokens" + (" (l_src + l_tgt)" if pair else ""),
         "flops": a.per_sequence.total, "id": ""},
        {"label": "per token" + (" of source and target" if pair else "") + " (rounded down)",
         "flops": a.per_token, "id": ""},
        {"label": f"for N = {n:,} sequence" + ("s" if n != 1 else ""), "flops": a.total,
         "id": "total-flops"},
    ]


def render(env, m: Model, anchors, cite) -> str:
    cfg, a = m.config, m.analysis
    rows = _grouped_rows(m)
    page = f"models/{m.slug}.md"
    root = LAYERS[a.symbolic.layer]
    return env.get_template("model.md.j2").render(
        m=m, cfg=cfg, a=a, config_rows=cfg.rows("dimension"),
        knob_rows=[(k, str(v).lower() if isinstance(v, bool) else v) for k, v in cfg.rows("architecture")],
        answers=answers.rows(m) + memory_page.answers(m), fits=memory_page.fits(m),
        fits_devices=memory_page.DEVICES, params=_params(m), conventions=under_conventions(m), totals=_totals(m),
        root_layer={"name": root.name, "link": f"../layers/{root.slug}.md"},
        closed=closed_forms.estimates(a), closed_caveat=closed_forms.caveat(a),
        words=None if cfg.is_encoder_decoder else closed_forms.wording(a),
        per_token=a.per_token, length=cfg["l"],
        grouped=rows, breakdown=_breakdown_rows(m, anchors),
        figure=figures.bar_chart([(r["name"], r["share"]) for r in rows],
                                 f"Grouped FLOPs shares of {cfg.name}"),
        length_figure=plots.length_figure(m),
        cite=cite(page, f"{TITLE}: {cfg.name}", f"flopdocs-{m.slug}"),
    )
