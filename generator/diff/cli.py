"""``tlgen diff``: added, removed and changed combinators between two schemas."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tlruntime.errors import TLError

__all__ = ["SUMMARY", "configure", "run"]

#: One line for the subcommand list of ``tlgen --help``.
SUMMARY = "compare two schemas: added, removed, changed; breaking or compatible"

DESCRIPTION = """\
Compare two TL schemas: constructors and functions added, removed and changed. For a changed one
the report shows its id change, fields added or removed, type changes and flag bits moved, and
marks each change breaking or compatible for Python code calling the generated API:
new optional field, moved flag bit, id change alone, reordered fields -> compatible;
removed field or combinator, type change, new required field, result type change -> breaking.
(The full rule table is in generator/diff/__init__.py.) Exit status is 0 whatever the differences."""

EPILOG = """\
examples:
  tlgen diff --old old/mtproto.tl old/api.tl --new schema/mtproto.tl schema/api.tl
  tlgen diff --old api-228.tl --new api-229.tl --json | jq '.entries[] | select(.breaking)'"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--old", nargs="+", type=Path, required=True, metavar="A.tl", help="the old schema file(s)")
    parser.add_argument("--new", nargs="+", type=Path, required=True, metavar="B.tl", help="the new schema file(s)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    from generator.diff import diff_schemas, render_text, to_json
    from generator.schema_source import load_validated

    try:
        old = load_validated(args.old)
        new = load_validated(args.new)
    except TLError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    result = diff_schemas(old, new)
    if args.json:
        print(json.dumps(to_json(result), indent=2))
    else:
        sys.stdout.write(render_text(result))
    return 0
