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
    """``schema/mtproto.tl`` and ``schema/api.tl`` of this checkout (or installed copy)."""
    here = Path(__file__).resolve().parent
    for root in (here.parent / "schema", here / "schema"):
        paths = [root / "mtproto.tl", root / "api.tl"]
        if all(p.is_file() for p in paths):
            return paths
    raise GenerationError("no schema given and the bundled schema/mtproto.tl + schema/api.tl were not found")


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
    """A type reference as TL writes it: ``Vector<long>``, ``%Message``, ``!X``, ``messages.ChatFull``."""
    prefix = "!" if ref.generic_ref else ""
    if ref.bare and ref.name.rsplit(".", 1)[-1][:1].isupper():
        prefix += "%"
    if ref.args:
        return f"{prefix}{ref.name}<{', '.join(type_text(a) for a in ref.args)}>"
    return prefix + ref.name
