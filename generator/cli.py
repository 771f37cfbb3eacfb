"""``tlgen``: the generator's command line (generate, docs, diff, decode).

``generate`` lives here; each other product registers itself from its own
package (``generator/<name>/cli.py`` exposing ``configure(parser)`` and
``run(args) -> int``), so this module only wires subcommands and reports
errors.  ``python -m generator`` and the older ``tl-generate`` script run the
same ``main``; when their first argument is not a subcommand they mean
``generate`` (the form the Makefile and older scripts use).

Exit status: 0 on success, 2 for bad input (a missing, unreadable, non-UTF-8,
empty or invalid schema) or a bad command line; no traceback for either.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence

from generator.schema_source import default_schema_paths
from tlruntime.errors import TLError

if TYPE_CHECKING:
    from generator.model import Schema, ValidatedSchema

PROG = "tlgen"
DEFAULT_PACKAGE = "tlruntime.tl"
BAD_INPUT = 2

# Subcommands provided by other generator packages: name -> module with configure()/run().
PRODUCT_COMMANDS: Dict[str, str] = {
    "docs": "generator.docs.cli",
    "diff": "generator.diff.cli",
    "decode": "generator.decode.cli",
}

# Explicit ids of Telegram's mtproto.tl that match no normalization of their line (see
# schema/README.md).  Still reported on every run, but marked as expected so that nobody
# goes looking for a bug; any other mismatch is a warning.
EXPECTED_ID_MISMATCHES = frozenset(
    {("ipPortSecret", 0x37982646), ("accessPointRule", 0x4679B65F), ("help.configSimple", 0x5A592A6C)}
)

Runner = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A one-line message for the user; ``main`` prints it and exits with ``BAD_INPUT``."""


# --- shipped schema files ------------------------------------------------------------------


def default_schemas() -> List[Path]:
    """The schema files that come with tlgen, in generation order (see :mod:`generator.schema_source`)."""
    return default_schema_paths()


# --- generate ----------------------------------------------------------------------------


def _check_readable(paths: Sequence[Path]) -> None:
    for path in paths:
        if not path.exists():
            raise CommandError(f"schema file not found: {path}")
        if path.is_dir():
            raise CommandError(f"schema path is a directory, not a file: {path}")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise CommandError(f"cannot read schema file {path}: {exc.strerror or exc}") from None


def _package_dir(package: str) -> Path:
    return Path(*package.split("."))


def _check_package(package: str) -> None:
    parts = package.split(".")
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        raise CommandError(f"--package {package!r} is not a dotted Python package name")


def configure_generate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "schemas", nargs="*", type=Path, metavar="SCHEMA",
        help="TL schema files in order, e.g. schema/mtproto.tl schema/api.tl "
        "(default: the mtproto.tl and api.tl shipped with tlgen)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR",
        help="output directory of the layer (default: the package path below the current "
        "directory, tlruntime/tl for the default package)",
    )
    parser.add_argument(
        "--package", default=DEFAULT_PACKAGE, metavar="NAME",
        help=f"dotted Python package the layer is imported as (default: {DEFAULT_PACKAGE})",
    )
    parser.add_argument(
        "--update-goldens", type=Path, metavar="DIR",
        help="instead of a layer, write the generated modules of the seed classes into DIR "
        "(tests/golden) for review",
    )


def run_generate(args: argparse.Namespace) -> int:
    from generator.parser import parse_files

    if args.update_goldens is not None and args.out is not None:
        raise CommandError("--out and --update-goldens are exclusive: a run writes one or the other")
    _check_package(args.package)
    paths: List[Path] = list(args.schemas) or default_schemas()
    _check_readable(paths)
    schema = parse_files(paths)
    if not schema.combinators:
        raise CommandError(
            f"no constructors or functions in {', '.join(map(str, paths))}: is this a TL schema?"
        )
    if args.update_goldens is not None:
        written = update_goldens(paths, args.update_goldens)
        print(f"updated {len(written)} golden files in {args.update_goldens}", file=sys.stdout)
        _warn_without_mtproto(schema)
        return 0
    out_dir = args.out if args.out is not None else _package_dir(args.package)
    validated = _generate_layer(paths, out_dir, args.package)
    kinds = [cc.combinator.kind for cc in validated.combinators]
    layer = validated.schema.layer if validated.schema.layer is not None else "(no LAYER comment)"
    print(
        f"generated layer {layer} into {out_dir} as {args.package}: "
        f"{kinds.count('constructor')} constructors, {kinds.count('function')} functions",
        file=sys.stdout,
    )
    _warn_without_mtproto(schema)
    _report_id_mismatches(validated)
    return 0


def _report_id_mismatches(validated: ValidatedSchema) -> None:
    """One line per explicit id that differs from its CRC32: a note when it is a known one."""
    for m in validated.mismatches:
        c = m.combinator
        expected = (c.name, m.given) in EXPECTED_ID_MISMATCHES
        label = "note" if expected else "warning"
        why = (
            "expected: Telegram publishes this id, which matches no normalization of its line "
            "(schema/README.md)"
            if expected
            else "using the explicit id"
        )
        print(
            f"{PROG}: {label}: {c.pos.file}:{c.pos.line}: {c.name}: explicit id #{m.given:08x} differs "
            f"from the computed #{m.computed:08x}; {why}",
            file=sys.stderr,
        )


def _generate_layer(paths: Sequence[Path], out_dir: Path, package: str) -> ValidatedSchema:
    from generator.emit import generate_layer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # id mismatches are printed once, by run_generate
        return generate_layer(paths, out_dir, package=package)


def _warn_without_mtproto(schema: Schema) -> None:
    from generator.validate import missing_service_constructors

    missing = missing_service_constructors(schema)
    if missing:
        print(
            f"{PROG}: warning: the schema lacks MTProto service constructors the runtime needs "
            f"({', '.join(missing)}); did you forget mtproto.tl?",
            file=sys.stderr,
        )


def update_goldens(schemas: Sequence[Path], golden_dir: Path) -> List[str]:
    """Rewrite the golden copies of the seed classes; returns the relative paths written."""
    from generator.emit import SEED_NAMES, build_layer, load_schema, render_layer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        validated = load_schema(schemas)
    files = render_layer(build_layer(validated), only=SEED_NAMES)
    for rel, text in sorted(files.items()):
        path = golden_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return sorted(files)


# --- the command line ----------------------------------------------------------------------


def _product_modules() -> Dict[str, ModuleType]:
    """The product subcommands (docs, diff, decode): each package's ``cli`` module."""
    return {name: importlib.import_module(module_name) for name, module_name in PRODUCT_COMMANDS.items()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Generate typed Python classes, reference docs, diffs and decoders "
        "from Telegram TL schemas.",
        epilog="Run 'tlgen COMMAND --help' for a command's options. Exit status: 0 on success, "
        "2 for bad input or usage.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    generate = commands.add_parser(
        "generate",
        help="generate the Python layer from schema files",
        description="Parse and validate TL schema files and write the Python layer: one module "
        "per constructor and function, loaded lazily. Schema errors name file:line:column.",
    )
    configure_generate(generate)
    generate.set_defaults(run=run_generate)
    for name, module in _product_modules().items():
        sub = commands.add_parser(name, help=module.SUMMARY)
        module.configure(sub)
        sub.set_defaults(run=module.run)
    return parser


def _print_error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Runner = args.run
    try:
        return run(args)
    except CommandError as exc:
        _print_error(str(exc))
    except TLError as exc:  # schema errors carry file:line:column and a caret line
        _print_error(str(exc))
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        _print_error(f"{exc.strerror or exc}{where}")
    return BAD_INPUT


def legacy_main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m generator`` / ``tl-generate``: ``tlgen``, with ``generate`` implied."""
    args = list(sys.argv[1:] if argv is None else argv)
    known = {"generate", *PRODUCT_COMMANDS, "-h", "--help"}
    if args and args[0] not in known:
        args.insert(0, "generate")
    return main(args)
