"""``flopdocs audit``: its arguments and its two formats (text, JSON); the work is
:mod:`flopdocs.counting.audit`'s."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flopdocs import conventions
from flopdocs.errors import ConfigError

if TYPE_CHECKING:  # the audit's modules are imported when it runs: a report never does
    from flopdocs.counting import audit as _audit


def add(sub) -> None:
    a = sub.add_parser("audit", help="prove a framework's FLOPs formula equal to a convention for every "
                                     "config, or print its exact difference")
    a.add_argument("target", nargs="?", metavar="FILE.py:FUNCTION",
                   help="the formula: FILE.py:FUNCTION or package.module:FUNCTION (the file is "
                        "imported: its top level runs; then only FUNCTION runs, on symbols)")
    a.add_argument("--builtin", metavar="NAME",
                   help="a built-in audit instead, by name (an unknown name lists them)")
    a.add_argument("--arg", action="append", default=[], metavar="NAME=KEY",
                   help="map an argument (or args/config attribute) to a config key or derived "
                        "quantity, e.g. --arg hidden_size=d_model (repeatable)")
    a.add_argument("--model", help="a catalogue name or config: its structure (default: every "
                                    "structure of the catalogue)")
    a.add_argument("--convention", default=None,
                   help=f"the count subtracted (known: {', '.join(conventions.CONVENTIONS)}; default "
                        "flopdocs, or each convention a built-in claims)")
    a.add_argument("--mode", default=None, help="the pass the formula counts (default training; "
                                                 "an unknown one lists them)")
    a.add_argument("--per", default=None, help="the formula's unit (default token; batch = N sequences; "
                                               "an unknown one lists them)")
    a.add_argument("--scores", default="dense", help="tree conventions: attention pairs dense (default), "
                                                     "exact, half")
    a.add_argument("--macs", action="store_true", help="tree conventions: a multiply-add as 1 FLOP")
    a.add_argument("--format", choices=("text", "json"), default="text")
    a.set_defaults(func=cmd_audit)


def cmd_audit(args) -> str:
    from flopdocs.config.inputs import resolve
    from flopdocs.counting import audit as _audit, audit_names, builtin_audits, formula_source

    from flopdocs.counting.modes import Options

    model = resolve(args.model) if args.model is not None else None
    options = Options(scores=args.scores, macs=args.macs)
    if (args.target is None) == (args.builtin is None):
        raise ConfigError("audit: give FILE.py:FUNCTION or --builtin NAME, one of them")
    if args.builtin is not None:
        if args.arg:
            raise ConfigError("audit: --arg does not go with --builtin (a built-in carries its mapping)")
        b = builtin_audits.get(args.builtin)
        names = [args.convention] if args.convention else list(b.conventions)
        results = [_audit.audit(b.target(), audit_names.parse_mapping(b.mapping), c, args.mode or b.mode,
                                args.per or b.per, model, options=options) for c in names]
        if args.format == "json":
            return json.dumps({"builtin": b.name, "source": b.source, "issue": b.issue,
                               "conventions": list(b.conventions),
                               "audits": [as_json(r) for r in results]}, indent=2) + "\n"
        head = f"{b.title}: {b.source}\nknown issue: {b.issue}\n"
        return head + "\n".join(as_text(r) for r in results)
    target = formula_source.load(args.target)
    result = _audit.audit(target, audit_names.parse_mapping(args.arg), args.convention or conventions.DEFAULT,
                          args.mode or "training", args.per or "token", model, options=options)
    return (json.dumps(as_json(result), indent=2) + "\n") if args.format == "json" else as_text(result)


def _structure_json(s: "_audit.Structure") -> dict[str, Any]:
    from flopdocs.counting import audit as _audit

    if s.skipped is not None:
        return {"models": list(s.models), "skipped": s.skipped}
    return {"models": list(s.models), "equal": s.equal, "formula": _audit.text(s.formula),
            "difference": _audit.text(s.difference),
            "by_role": {k: _audit.text(v) for k, v in s.by_role.items()},
            "assumed_whole": [_audit.text(q) for _, q in s.divisions],
            "worst": [w.as_dict() for w in s.worst]}


def as_json(a: "_audit.Audit") -> dict[str, Any]:
    from flopdocs.counting import audit as _audit

    return {"target": a.target, "convention": a.convention, "mode": a.mode, "per": a.per,
            "equal": a.equal, "difference": _audit.text(a.difference),
            "by_role": {k: _audit.text(v) for k, v in a.by_role.items()},
            "worst": [w.as_dict() for w in a.worst],
            "structures": [_structure_json(s) for s in a.structures]}


def as_text(a: "_audit.Audit") -> str:
    from flopdocs.counting import audit as _audit

    lines = [f"audit {a.target} against {a.convention}, {a.mode}, per {a.per}"]
    for s in a.structures:
        who = _models(s.models)
        if s.skipped is not None:
            lines.append(f"{who}: not audited: {s.skipped}")
            continue
        if s.equal:
            lines.append(f"{who}: equal for every config")
        else:
            lines.append(f"{who}: formula - {a.convention} = {_audit.text(s.difference)}")
            for role, expr in s.by_role.items():
                lines.append(f"    {role}: {_audit.text(expr)}")
        for _, q in s.divisions:
            lines.append(f"    taken as whole (floored per catalogue model below): {_audit.text(q)}")
        for w in s.worst[:3]:
            lines.append(f"    {w.model} at l={w.l}: {w.relative:+.2%}")
        if len(s.worst) > 3:
            lines.append(f"    ... {len(s.worst) - 3} more catalogue models and lengths above 1 %")
    lines.append("equal for every config" if a.equal else
                 f"not equal: formula - {a.convention} = {_audit.text(a.difference)}")
    return "\n".join(lines) + "\n"


def _models(models) -> str:
    shown = ", ".join(models[:3])
    return shown + (f" (+{len(models) - 3} more)" if len(models) > 3 else "")

