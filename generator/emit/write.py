"""The only writer of a generated layer: a sorted, timestamp-free tree, stale files removed.

A layer directory carries a marker file (:data:`MARKER`, naming the layer and the
package).  The writer replaces a directory only if it is empty, missing or holds
that marker: it never deletes a directory it did not create.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Mapping

from generator.emit.errors import OutputDirError
from tlruntime.layer_loader import GENERATED_MARKER

__all__ = ["MARKER", "write_tree"]

MARKER = GENERATED_MARKER  # the runtime reads it too: a bundle must match its sources digest
# The first line of every generated file; a layer written before the marker existed is recognised by it.
_LEGACY_HEADER = "# Generated from TL layer "


def _written_by_us(out_dir: Path) -> bool:
    if (out_dir / MARKER).is_file():
        return True
    init = out_dir / "__init__.py"
    try:
        with init.open(encoding="utf-8") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith(_LEGACY_HEADER) and (out_dir / "_index.py").is_file()


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputDirError(f"{out_dir} exists and is not a directory; choose another --out")
    if _written_by_us(out_dir) or not any(out_dir.iterdir()):
        return
    raise OutputDirError(
        f"{out_dir} is not empty and was not written by tlgen (no {MARKER} file in it); "
        "refusing to replace it: choose an empty or new directory for --out"
    )


def write_tree(out_dir: Path, files: Mapping[str, str], marker: str) -> None:
    """Replace ``out_dir`` with exactly ``files`` plus the marker file holding ``marker``."""
    out_dir = Path(out_dir)
    _check_replaceable(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for rel in sorted(files):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[rel], encoding="utf-8", newline="\n")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text(marker, encoding="utf-8", newline="\n")
