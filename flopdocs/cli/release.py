"""The release commands: ``numbers``, ``diff`` and ``deploy`` (argument parsing only)."""
from __future__ import annotations

import json
from pathlib import Path

from flopdocs import __version__
from flopdocs.config.config import ConfigError


def cmd_numbers(args) -> str:
    from flopdocs.counting.published import collect, dumps

    return dumps(collect(args.catalogue))


def cmd_diff(args) -> str:
    from flopdocs.site import diff as release

    cats = args.catalogue
    if args.numbers is not None:
        if args.ref is not None or len(cats) > 1 or args.changelog is not None:
            raise ConfigError("diff: --numbers OLD.json takes at most one --catalogue (the new side), "
                              "no REF and no --changelog")
        old, new = release.numbers_file(args.numbers), release.numbers_here(cats[0] if cats else None)
    elif args.ref is None:
        if len(cats) != 2:
            raise ConfigError("diff: give a git REF, or --catalogue OLD --catalogue NEW")
        old, new = release.numbers_here(cats[0]), release.numbers_here(cats[1])
    else:
        if len(cats) > 1:
            raise ConfigError("diff: with a REF, at most one --catalogue (evaluated by both)")
        cat = cats[0] if cats else None
        old, new = release.numbers_at(args.ref, cat), release.numbers_here(cat)
    rows = release.diff(old, new)
    if args.changelog is not None:
        if args.ref is None or args.format != "md":
            raise ConfigError("diff: --changelog takes a REF (the previous release) and the md format")
        release.write_changelog(Path(args.changelog), __version__, args.ref, release.table(rows, old, new))
        return f"flopdocs: wrote {len(rows)} changed numbers into {args.changelog}, section {__version__}\n"
    if args.format == "json":
        return json.dumps({"old": {"version": old["version"], "convention": old["convention"]},
                           "new": {"version": new["version"], "convention": new["convention"]},
                           "changed": rows}, indent=1) + "\n"
    return release.table(rows, old, new)


def cmd_deploy(args) -> str:
    from flopdocs.site.build.versions import deploy, deploy_ref

    if args.ref is not None:
        if args.name or args.title or args.catalogue or args.force:
            raise ConfigError("deploy: --ref takes no --name, --title, --catalogue or --force (the release's own)")
        out = deploy_ref(args.site, args.ref)
        return f"flopdocs: deployed {args.ref} as {out.name}/ in {out.parent}\n"
    out = deploy(args.site, __version__, name=args.name, title=args.title, catalogue_dir=args.catalogue,
                 force=args.force)
    return f"flopdocs: deployed {__version__} as {out.name}/ in {out.parent}\n"


def add(sub) -> None:
    """Register the release commands on the CLI's subparsers."""
    n = sub.add_parser("numbers", help="every catalogue model's published numbers, as stable JSON")
    n.add_argument("--catalogue", metavar="DIR", help="a directory of model YAML configs")
    n.set_defaults(func=cmd_numbers)

    d = sub.add_parser("diff", help="published numbers that changed since a git REF (or between "
                       "two catalogues)")
    d.add_argument("ref", nargs="?", help="a commit, tag or branch of this repository (e.g. v0.1.0)")
    d.add_argument("--catalogue", action="append", default=[], metavar="DIR",
                   help="with REF: the catalogue both sides evaluate; without: give two (old, new)")
    d.add_argument("--numbers", metavar="OLD.json", help="instead of REF: the old numbers, as "
                   "'flopdocs numbers' wrote them (read as data; nothing of theirs is run)")
    d.add_argument("--format", choices=("md", "json"), default="md")
    d.add_argument("--changelog", metavar="FILE", help="write the table into FILE's section of this "
                   "version (CHANGELOG.md), between its generated markers")
    d.set_defaults(func=cmd_diff)

    dp = sub.add_parser("deploy", help="build this release into a versioned site (DIR/0.2/, versions.json)")
    dp.add_argument("--site", required=True, metavar="DIR", help="the versioned site (a gh-pages checkout)")
    dp.add_argument("--name", help="the version's path: MAJOR.MINOR (default, from --version) or latest")
    dp.add_argument("--title", help="the selector's label (default: the version, e.g. 0.2.0)")
    dp.add_argument("--catalogue", metavar="DIR", help="a directory of model YAML configs")
    dp.add_argument("--force", action="store_true", help="replace a landing index.html that deploy "
                    "did not write")
    dp.add_argument("--ref", help="instead, an earlier release's commit or tag (e.g. v0.1.0), built "
                    "by its own flopdocs build")
    dp.set_defaults(func=cmd_deploy)
