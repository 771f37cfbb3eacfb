"""``python -m generator --out DIR SCHEMA...``: emit the layer; ``--update-goldens DIR`` refreshes goldens.

Prints a one-line summary plus one line per explicit id that differs from its
computed CRC32 (the explicit id is used; see ``generator.validate``).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Sequence

from generator.emit import DEFAULT_PACKAGE, SEED_NAMES, build_layer, load_schema, render_layer, write_layer
from tlruntime.errors import TLError


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("schemas", nargs="+", type=Path, help="TL schema files, e.g. schema/mtproto.tl schema/api.tl")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--out", type=Path,
        help="output directory of the layer (replaced if tlgen wrote it; a foreign non-empty one is refused)",
    )
    parser.add_argument(
        "--package", default=DEFAULT_PACKAGE,
        help="dotted package the layer is imported as (default: %(default)s); its imports point at it",
    )
    target.add_argument(
        "--update-goldens", type=Path, metavar="DIR",
        help="write the generated modules of the seed classes into DIR (tests/golden)",
    )
    return parser.parse_args(argv)


def update_goldens(schemas: Sequence[Path], golden_dir: Path) -> list[str]:
    """Rewrite the golden copies of the seed classes; returns the relative paths written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        validated = load_schema(schemas)
    files = render_layer(build_layer(validated), only=SEED_NAMES)
    for rel, text in sorted(files.items()):
        path = golden_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return sorted(files)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        if args.update_goldens is not None:
            written = update_goldens(args.schemas, args.update_goldens)
            print(f"updated {len(written)} golden files in {args.update_goldens}")
            return 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            validated = load_schema(args.schemas)
        write_layer(validated, args.out, args.package)
    except TLError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    kinds = [cc.combinator.kind for cc in validated.combinators]
    print(
        f"generated layer {validated.schema.layer} into {args.out}: "
        f"{kinds.count('constructor')} constructors, {kinds.count('function')} functions, "
        f"{len(validated.mismatches)} id mismatches"
    )
    for m in validated.mismatches:
        c = m.combinator
        print(
            f"warning: {c.pos.file}:{c.pos.line}: {c.name}: explicit id #{m.given:08x} "
            f"differs from the computed #{m.computed:08x}; using the explicit id"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
