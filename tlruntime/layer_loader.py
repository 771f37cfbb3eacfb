"""A short import path for the class modules of a generated layer (about 2,500 small files).

For a small module, the standard path finder and source loader cost more than
the module itself: directory caches, path joins, the cache path computed twice,
three ``stat`` calls.  A generated layer's ``__init__`` installs one
:class:`LayerFinder` for its own directory: it maps a module name straight to its
file, stats the source once, reads the byte-compiled file and checks it exactly
as the standard loader does (magic number, timestamp-based, source mtime and
size), then executes it.  Anything else (a package, a missing, stale or
hash-based ``.pyc``) is left to the standard machinery, so correctness never
depends on this path; only speed does.

The layer's own lazy loads (``types.X``, the id dispatch) go one step further
through :func:`import_module`: for a class module it skips ``importlib``'s
generic machinery too (per-module lock objects, the ``sys.meta_path`` walk,
spec-driven module set-up), which costs more than finding and executing the
module itself.  It creates the module exactly as the import system would
(same ``__spec__``, ``__file__``, ``sys.modules`` entry and parent attribute).
Every execution of a class module, on either path, happens under one lock and
is recorded, so two threads (or a lazy load racing an ``import`` statement)
never execute a module twice: a class module is executed once per process.
"""

from __future__ import annotations

import _imp
import importlib
import marshal
import os
import sys
from _thread import RLock
from zlib import crc32 as _crc32  # already loaded by tlruntime.tlobject (gzip_packed)
from importlib import _bootstrap_external as _imp_external  # frozen, already loaded
from importlib.machinery import ModuleSpec
from types import ModuleType

# ``typing`` (and the ``re``/``enum``/``functools`` it pulls in) costs more than the rest of
# ``import tlruntime.tl``: it is imported for type checkers only (mypy treats TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Sequence

__all__ = ["LayerFinder", "import_module", "install"]

# The bytecode magic of this interpreter, read where the import system keeps it: importlib.util
# would pull in contextlib, functools and collections (~5 ms) for this one constant.
_MAGIC = _imp_external.MAGIC_NUMBER
_TAG = sys.implementation.cache_tag
_HEADER = 16  # magic, flags, source mtime, source size
_TIMESTAMP_PYC = b"\x00\x00\x00\x00"
_SEP = os.sep
_PYC_SUFFIX = f".{_TAG}.pyc"
_CHUNK = 1 << 16  # larger than the byte-code of almost every class module: one read

# The byte-code bundle (tlruntime.layer_bundle writes it): one file per layer holding the
# code of every plain module below the package, so loading a class module is a single
# positioned read of an already open file: no stat, open, read or close of its own files.
# Layout: BUNDLE_TAG, the interpreter's magic number, the 32-byte digest of the sources it
# was compiled from, the index length (4 bytes, little-endian), the marshalled index
# {module name relative to the package: (offset from the end of the index, length, CRC-32)},
# then each module's code (marshal format, no ``.pyc`` header).  The CRC makes a read that
# is not those bytes (a damaged file, or the descriptor closed and its number reused by a
# daemonizing parent) fall back to the module's own files instead of running other code.  It is used only if its magic
# number is this interpreter's and its digest is the one tlgen wrote into the layer's
# marker file when it generated these sources (GENERATED_MARKER, line ``sources: sha256:``):
# a bundle from another interpreter version or another generation of the layer is ignored.
BUNDLE_NAME = "_bundle.bin"
BUNDLE_TAG = b"TLBUNDL1"
GENERATED_MARKER = ".tlgen-generated"  # written by generator.emit.write, read here and by layer_bundle
SOURCES_LINE = b"sources: sha256:"
_DIGEST = 32
_BUNDLE_HEADER = len(BUNDLE_TAG) + 4 + _DIGEST + 4
_pread = getattr(os, "pread", None)  # absent on Windows: no bundle there, the .pyc path serves
# Set (to anything but "" or "0") to ignore bundles, e.g. while editing a generated module by hand.
_BUNDLES_OFF = os.environ.get("TLRUNTIME_NO_BUNDLE", "") not in ("", "0")


def _read_file(path: str) -> bytes:
    """The whole file, in as few system calls as it takes (open, read, close: no buffering layer)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, _CHUNK)
        if len(data) == _CHUNK:  # a big module: read the rest
            parts = [data]
            while chunk := os.read(fd, _CHUNK):
                parts.append(chunk)
            data = b"".join(parts)
        return data
    finally:
        os.close(fd)

# Every class module executed by a LayerFinder, by name: the one module object of that name,
# whichever path (import_module or an import statement) loaded it first.
_EXECUTED: dict[str, ModuleType] = {}
# Held while a class module executes; reentrant because executing one may load another.
_LOCK = RLock()
_FINDERS: list[LayerFinder] = []


class LayerFinder:
    """Finds and loads the plain (non-package) modules below one generated package."""

    def __init__(self, package: str, directory: str) -> None:
        self.package = package
        self.prefix = package + "."
        self.directory = directory
        self._paths: dict[str, tuple[str, str]] = {}  # package -> (its folder, its __pycache__), with a separator
        # Opened on the first class module looked up: (file descriptor, where the code starts, index),
        # None if there is no usable bundle, False before that first look-up.
        self._bundle: tuple[int, int, dict[str, tuple[int, int, int]]] | None | bool = False

    def _open_bundle(self) -> tuple[int, int, dict[str, tuple[int, int, int]]] | None:
        with _LOCK:
            if self._bundle is False:
                self._bundle = _open_bundle(self.directory)
            return self._bundle  # type: ignore[return-value]

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(self.prefix) or _TAG is None:
            return None
        package, _, leaf = fullname.rpartition(".")
        paths = self._paths.get(package)
        if paths is None:  # first module of this package: its folder and byte-code folder, once
            folder = _SEP.join([self.directory, *fullname[len(self.prefix):].split(".")[:-1]])
            paths = self._paths[package] = (folder + _SEP, f"{folder}{_SEP}__pycache__{_SEP}")
        source = paths[0] + leaf + ".py"
        cached = paths[1] + leaf + _PYC_SUFFIX
        bundle = self._bundle
        if bundle is False:
            # Opened with the first class module (never for a package: the lazy `import` of the
            # layer and its subpackages does not pay for reading the index).
            try:
                os.stat(source)
            except OSError:  # a package (no <leaf>.py): the standard path
                return None
            bundle = self._open_bundle()
        if bundle is not None:
            entry = bundle[2].get(fullname[len(self.prefix):])  # type: ignore[index]
            if entry is not None:
                try:
                    offset, length, crc = entry
                    code = _pread(bundle[0], length, bundle[1] + offset)  # type: ignore[index, misc]
                except (OSError, TypeError, ValueError, OverflowError):  # closed, or a malformed entry
                    code = None
                if code is not None and len(code) == length and _crc32(code) == crc:
                    spec = ModuleSpec(fullname, self, origin=source, loader_state=code)  # type: ignore[arg-type]
                    spec.has_location = True
                    spec.cached = cached
                    return spec
            # Not in the bundle (a package, a module added by hand) or a damaged read: its own files.
        try:
            st = os.stat(source)
        except OSError:  # a package (no <leaf>.py): the standard path
            return None
        try:
            data = _read_file(cached)
        except OSError:  # no byte-code yet: the standard path compiles the source
            return None
        if (
            data[:4] != _MAGIC
            or data[4:8] != _TIMESTAMP_PYC
            or int.from_bytes(data[8:12], "little") != int(st.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(data[12:16], "little") != st.st_size & 0xFFFFFFFF
        ):
            return None  # stale or hash-based: the standard loader recompiles or checks it
        spec = ModuleSpec(fullname, self, origin=source, loader_state=memoryview(data)[_HEADER:])  # type: ignore[arg-type]
        spec.has_location = True
        spec.cached = cached
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        spec = module.__spec__
        if spec is None or not isinstance(spec.loader_state, (bytes, memoryview)):  # pragma: no cover - not via find_spec
            raise ImportError(f"{module.__name__} was not found by this LayerFinder", name=module.__name__)
        name = module.__name__
        with _LOCK:
            done = _EXECUTED.get(name)
            if done is not None and done is not module:
                # Executed meanwhile by import_module (another thread), or removed from
                # sys.modules since: the import system returns what sys.modules holds after
                # this call, so every importer gets the one module (and the one set of classes).
                sys.modules[name] = done
                return
            data = spec.loader_state
            spec.loader_state = None
            code = marshal.loads(data)
            # As the standard loader does: tracebacks name this file even if the byte-code was
            # compiled elsewhere (a wheel's bundle is written in the build directory).
            _imp._fix_co_filename(code, spec.origin)  # type: ignore[attr-defined]
            exec(code, module.__dict__)
            _EXECUTED[name] = module


def import_module(name: str) -> ModuleType:
    """``importlib.import_module(name)``, shorter for the class modules of an installed layer.

    Any other name (a package, a hand-written runtime module, a module whose
    byte-code is missing or stale, one the import system is loading right now)
    goes through ``importlib`` unchanged.
    """
    module = _EXECUTED.get(name)
    if module is not None:
        return module
    finder = None
    for candidate in _FINDERS:
        if name.startswith(candidate.prefix):
            finder = candidate
            break
    parent_name, _, leaf = name.rpartition(".")
    parent = sys.modules.get(parent_name)
    if finder is not None and parent is not None:
        with _LOCK:
            module = _load_directly(finder, name, parent_name)
    if module is None:  # outside the lock: importlib may wait for a thread that needs it
        return importlib.import_module(name)
    setattr(parent, leaf, module)
    return module


def _load_directly(finder: LayerFinder, name: str, package: str) -> ModuleType | None:
    """The class module ``name`` executed here (``_LOCK`` held), or None to leave it to importlib."""
    module = _EXECUTED.get(name)
    if module is not None or name in sys.modules:  # loaded meanwhile, or the import system's
        return module
    spec = finder.find_spec(name)
    if spec is None:
        return None
    module = ModuleType(name)
    module.__spec__ = spec
    module.__loader__ = finder  # type: ignore[assignment]
    module.__package__ = package
    module.__file__ = spec.origin
    module.__cached__ = spec.cached  # type: ignore[attr-defined]
    # Entered in sys.modules only once executed (a class module never imports itself), so an
    # import statement in another thread meanwhile never sees it half-built: it loads its own
    # module object, and LayerFinder.exec_module hands it this one instead.
    finder.exec_module(module)
    sys.modules[name] = module
    return module


def _sources_digest(directory: str) -> bytes | None:
    """The digest tlgen recorded for the sources of the layer in ``directory`` (its marker file)."""
    try:
        marker = _read_file(directory + _SEP + GENERATED_MARKER)
    except OSError:
        return None
    at = marker.find(SOURCES_LINE)
    if at < 0:
        return None
    try:
        digest = bytes.fromhex(marker[at + len(SOURCES_LINE):at + len(SOURCES_LINE) + 2 * _DIGEST].decode("ascii"))
    except ValueError:
        return None
    return digest if len(digest) == _DIGEST else None


def _open_bundle(directory: str) -> tuple[int, int, dict[str, tuple[int, int, int]]] | None:
    """The layer's bundle: descriptor, code offset and index; None if missing, foreign, stale or damaged."""
    if _pread is None or _TAG is None or _BUNDLES_OFF:
        return None
    try:
        fd = os.open(directory + _SEP + BUNDLE_NAME, os.O_RDONLY)
    except OSError:
        return None
    try:
        header = _pread(fd, _BUNDLE_HEADER, 0)
        if (
            len(header) == _BUNDLE_HEADER
            and header[:8] == BUNDLE_TAG
            and header[8:12] == _MAGIC
            and header[12:12 + _DIGEST] == _sources_digest(directory)
        ):
            size = int.from_bytes(header[12 + _DIGEST:], "little")
            raw = _pread(fd, size, _BUNDLE_HEADER)
            if len(raw) == size:
                index = marshal.loads(raw)
                if type(index) is dict:
                    return fd, _BUNDLE_HEADER + size, index
    except (OSError, ValueError, EOFError, TypeError):
        pass  # a damaged bundle is no bundle: every module loads from its own files
    os.close(fd)
    return None


def install(package: str, directory: str) -> None:
    """Serve the class modules of the generated ``package`` (in ``directory``) through a LayerFinder."""
    for finder in sys.meta_path:
        if isinstance(finder, LayerFinder) and finder.package == package:
            return
    finder = LayerFinder(package, directory)
    sys.meta_path.insert(0, finder)
    _FINDERS.append(finder)
