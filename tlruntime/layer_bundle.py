"""Write a generated layer's byte-code bundle: every class module's code in one file.

``tlruntime.layer_loader`` reads it (the format is described there): loading a
class module then costs one positioned read of an already open file instead of
finding, opening and reading its own ``.pyc``.  The bundle is an optimisation
only: without one, or with one written by another interpreter version or for
another generation of the layer (tlgen records a digest of the sources it writes
in the layer's marker file; the bundle carries the digest of the sources it
compiled), every module loads from its own files as before.

A generated module edited by hand after the bundle was written is not seen while
the bundle is there (the loader does not look at each source): write the bundle
again, delete ``_bundle.bin``, or set ``TLRUNTIME_NO_BUNDLE=1``.

``make generate`` and the wheel build hook (setup.py) write it after the layer;
by hand: ``python -m tlruntime.layer_bundle tlruntime/tl``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import zlib
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Iterable

from .layer_loader import BUNDLE_NAME, BUNDLE_TAG

__all__ = ["bundled_modules", "sources_digest", "write_bundle"]

_HEADER = 16  # of a .pyc: magic, flags, source mtime, source size


def bundled_modules(relative_paths: Iterable[str]) -> list[str]:
    """Which of a layer's files (relative POSIX paths) go into its bundle, in bundle order: plain modules."""
    return sorted(
        path
        for path in relative_paths
        if path.endswith(".py")
        and path.rpartition("/")[2] != "__init__.py"
        and all(part.isidentifier() for part in path[:-3].split("/"))
    )


def sources_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """SHA-256 (hex) of the bundled modules' paths and contents, as (relative POSIX path, bytes) in bundle order."""
    digest = hashlib.sha256()
    for path, content in files:
        name = path.encode("utf-8")
        digest.update(len(name).to_bytes(4, "little") + name + len(content).to_bytes(8, "little"))
        digest.update(content)
    return digest.hexdigest()


def _module_code(source: Path, content: bytes, mtime: int, size: int) -> bytes:
    """The marshalled code of ``source``: its current timestamp ``.pyc`` if there is one, else compiled now."""
    tag = sys.implementation.cache_tag
    if tag is not None:
        cached = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        try:
            data = cached.read_bytes()
        except OSError:
            data = b""
        if (
            data[:4] == MAGIC_NUMBER
            and data[4:8] == b"\x00\x00\x00\x00"
            and int.from_bytes(data[8:12], "little") == mtime
            and int.from_bytes(data[12:16], "little") == size
        ):
            return data[_HEADER:]
    # As the import system compiles a source (importlib's source_to_code).
    code = compile(content, str(source), "exec", dont_inherit=True)
    return marshal.dumps(code)


def write_bundle(directory: str | os.PathLike[str]) -> Path:
    """Bundle every plain module below the generated package in ``directory``; returns the bundle's path.

    Packages (``__init__``) are left out: the import system loads those.  The
    file is written under a temporary name and renamed, so a process importing
    the layer meanwhile sees the old bundle or the new one, never half of one.
    """
    root = Path(directory)
    names = bundled_modules(
        path.relative_to(root).as_posix() for path in root.rglob("*.py") if "__pycache__" not in path.parts
    )
    index: dict[str, tuple[int, int, int]] = {}
    blobs: list[bytes] = []
    contents: list[tuple[str, bytes]] = []
    offset = 0  # from the end of the index
    for name in names:
        source = root / name
        content = source.read_bytes()
        contents.append((name, content))
        st = source.stat()
        code = _module_code(source, content, int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF)
        index[name[:-3].replace("/", ".")] = (offset, len(code), zlib.crc32(code))
        blobs.append(code)
        offset += len(code)
    raw_index = marshal.dumps(index)
    digest = bytes.fromhex(sources_digest(contents))
    target = root / BUNDLE_NAME
    partial = target.with_name(f"{BUNDLE_NAME}.{os.getpid()}.tmp")
    with open(partial, "wb") as out:
        out.write(BUNDLE_TAG + MAGIC_NUMBER + digest + len(raw_index).to_bytes(4, "little") + raw_index)
        out.writelines(blobs)
    os.replace(partial, target)
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tlruntime.layer_bundle <generated package directory>", file=sys.stderr)
        return 2
    path = write_bundle(args[0])
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
