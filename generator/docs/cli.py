"""``tlgen docs``: write the Markdown reference (and optionally an HTML site) for a schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tlruntime.errors import TLError

__all__ = ["SUMMARY", "configure", "run"]

#: One line for the subcommand list of ``tlgen --help``.
SUMMARY = "write Markdown reference pages (and an HTML site) for a schema"

DESCRIPTION = """\
Write a Markdown reference for a TL schema: DIR/methods/<tl name>.md, DIR/constructors/<tl name>.md,
DIR/types/<Type>.md and DIR/index.md. A method page has its TL line and constructor id, a parameter
table (type linked, required or optional with its flag bit), the result type with its constructors,
whether bots can use it and the RPC errors it can raise (from the facts table bundled in
generator/facts), and a Python example calling it through tlruntime's Client with every parameter.
Output is deterministic. DIR is created; an existing DIR is only refilled if an earlier
`tlgen docs` wrote it."""

EPILOG = """\
examples:
  tlgen docs --out build/docs/pages                       # the bundled schema (mtproto.tl + api.tl)
  tlgen docs --out ref schema/mtproto.tl my/api.tl        # another layer
  tlgen docs --out build/docs/pages --site build/docs/site  # also build HTML (needs the docs extra)"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("schemas", nargs="*", type=Path, metavar="SCHEMA",
                        help="TL schema files (default: the bundled schema/mtproto.tl and schema/api.tl)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="directory for the Markdown pages")
    parser.add_argument("--site", type=Path, metavar="SITE_DIR",
                        help="also build an HTML site from the pages with mkdocs into SITE_DIR")
    parser.add_argument("--theme", default="material",
                        help="mkdocs theme for --site (default: material, from the docs extra; 'mkdocs' needs no extra)")


def run(args: argparse.Namespace) -> int:
    from generator.docs import write_docs
    from generator.docs.site import build_site
    from generator.schema_source import load_validated

    try:
        validated = load_validated(args.schemas)
        count = write_docs(args.out, validated)
        print(f"wrote {count} pages into {args.out}")
        if args.site is not None:
            build_site(args.out, args.site, args.theme)
            print(f"built the HTML site into {args.site} (open {args.site / 'index.html'})")
    except TLError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
