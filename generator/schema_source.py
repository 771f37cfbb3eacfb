"""Where the product commands (docs, diff, decode) get their validated schema from.

One place that knows how to turn schema paths into the validated model (the
same pipeline the layer emitter uses) and where the bundled schema lives, so
the three commands never disagree with the generated layer.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Sequence, Tuple

from generator.model import TypeRef, ValidatedSchema
from tlruntime.errors import GenerationError

__all__ = ["default_schema_paths", "load_validated", "type_text"]


def default_schema_paths() -> list[Path]:
    """The schema files that come with tlgen, in generation order.

    A wheel carries them as package data in ``generator/schema/`` with an
    ``order.txt`` (setup.py copies them from the checkout's top-level ``schema/``,
    the source of truth, or from ``TLRUNTIME_SCHEMA``); a checkout or an editable
    install reads ``schema/mtproto.tl`` and ``schema/api.tl`` beside the package.
    """
    package_dir = Path(__file__).resolve().parent
    shipped = package_dir / "schema"
    order = shipped / "order.txt"
    if order.is_file():
        return [shipped / name for name in order.read_text(encoding="utf-8").split()]
    checkout = package_dir.parent / "schema"
    paths = [checkout / "mtproto.tl", checkout / "api.tl"]
    if not all(path.is_file() for path in paths):
        raise GenerationError(
            f"no SCHEMA given and no shipped schema files found (looked in {shipped} and {checkout})"
        )
    return paths


def load_validated(paths: Sequence[Path] | None = None, *, quiet: bool = True) -> ValidatedSchema:
    """Parse and validate ``paths`` (the bundled schema when empty); id warnings silenced when ``quiet``.

    The model is frozen, so one parse per file version is shared by every caller
    in the process (a file whose size or mtime changed is parsed again).
    """
    chosen = [Path(p) for p in paths] if paths else default_schema_paths()
    versions = []
    for path in chosen:
        if not path.is_file():
            raise GenerationError(f"{path}: no such schema file")
        stat = path.stat()
        versions.append((str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    return _load(tuple(versions), quiet)


@lru_cache(maxsize=8)
def _load(versions: Tuple[Tuple[str, int, int], ...], quiet: bool) -> ValidatedSchema:
    from generator.emit import load_schema  # the emitter's pipeline: same runtime-combinator policy

    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        return load_schema([Path(path) for path, _, _ in versions])


def type_text(ref: TypeRef) -> str:
    """A type reference as TL writes it (the model's one renderer)."""
    return ref.tl_text()
