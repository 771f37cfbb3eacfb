"""Schema files -> validated schema -> view-models -> files on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from generator.emit.layer import DEFAULT_PACKAGE, build_layer
from generator.emit.policy import without_runtime_combinators
from generator.emit.render import render_layer
from generator.emit.write import write_tree
from generator.errors import render_errors
from generator.model import ValidatedSchema
from tlruntime.layer_bundle import bundled_modules, sources_digest

__all__ = ["load_schema", "write_layer", "generate_layer"]


def load_schema(schema_paths: Sequence[Path]) -> ValidatedSchema:
    """Parse and validate the schema files (id mismatches are warned about by ``validate``).

    The combinators the runtime writes by hand are dropped before validation
    (:mod:`generator.emit.policy`), so the validated schema is exactly what is emitted.
    """
    from generator.parser import parse_files
    from generator.validate import validate

    return validate(without_runtime_combinators(parse_files([Path(p) for p in schema_paths])))


def _marker_text(validated: ValidatedSchema, package: str, files: dict[str, str]) -> str:
    layer = validated.schema.layer
    # A byte-code bundle of this layer (tlruntime.layer_bundle) is used only if it was compiled
    # from exactly these sources: it carries the same digest.
    digest = sources_digest((path, files[path].encode("utf-8")) for path in bundled_modules(files))
    return (
        "Written by tlgen (python -m generator); the whole directory is replaced on the next run.\n"
        f"layer: {layer if layer is not None else 'unknown'}\npackage: {package}\n"
        f"sources: sha256:{digest}\n"
    )


def write_layer(validated: ValidatedSchema, out_dir: Path, package: str = DEFAULT_PACKAGE) -> None:
    """Render the whole layer for ``validated`` as package ``package`` into ``out_dir``."""
    files = dict(render_layer(build_layer(validated, package)))
    # One exception class per known RPC error (the facts table bundled with the generator).
    files["errors.py"] = render_errors()
    write_tree(Path(out_dir), files, _marker_text(validated, package, files))


def generate_layer(
    schema_paths: Sequence[Path], out_dir: Path, *, package: str = DEFAULT_PACKAGE
) -> ValidatedSchema:
    """Parse, validate and emit ``schema_paths`` into ``out_dir``; returns the validated schema."""
    validated = load_schema(schema_paths)
    write_layer(validated, Path(out_dir), package)
    return validated
