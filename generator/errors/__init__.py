"""Render one Python module with an exception class per known RPC error name.

Input: the facts table (:mod:`generator.facts`).  Output: ``<package>/errors.py``
(normally ``tlruntime/tl/errors.py``, beside the generated layer), which
``tlruntime.errors.rpc_error_from`` imports on the first RPC error.

Rules (pinned by tests/tools/test_rpc_errors.py):

* Class name: the error name in CamelCase with ``Error`` appended (``CHAT_ID_INVALID``
  -> ``ChatIdInvalidError``); the ``X`` placeholder is dropped (``FLOOD_WAIT_X`` ->
  ``FloodWaitError``, ``FILE_PART_X_MISSING`` -> ``FilePartMissingError``, ``..._WAIT_XMIN``
  -> ``...WaitError``); a name already ending in ``_ERROR`` gets no second ``Error``; a
  leading digit is spelled out (``2FA_...`` -> ``TwoFa...``); a name that would shadow a
  Python builtin gets an ``Rpc`` prefix (``TIMEOUT`` -> ``RpcTimeoutError``).
* Bases: one base class per code in ``tlruntime.errors`` (303 ``SeeOtherError``, 400
  ``BadRequestError``, 401 ``UnauthorizedError``, 403 ``ForbiddenError``, 404 ``NotFoundError``,
  406 ``NotAcceptableError``, 420 ``FloodError``, 500 ``InternalServerError``); an error listed
  with several codes derives from each.  A 420 error whose name ends in ``WAIT_X`` derives
  from ``FloodWaitError`` (it has ``seconds``); ``FLOOD_WAIT_X`` *is* ``FloodWaitError``.
* Numbers: every ``X`` error parses its number into ``value``; a named alias is added
  where the name says what the number is: ``dc_id`` for ``*_MIGRATE_X`` and ``INTERDC_X_*``,
  ``seconds`` for ``*_WAIT_X``, ``*_DELAY_X`` and ``*_TOO_FRESH_X``, ``minutes`` for ``*_XMIN``.
"""

from __future__ import annotations

import builtins
import keyword
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from generator.facts import ErrorFact, Facts, load_facts
from tlruntime.errors import GenerationError

__all__ = ["ErrorClass", "error_classes", "render_errors", "write_errors", "class_name_of"]

_BASES = {
    303: "SeeOtherError",
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "NotFoundError",
    406: "NotAcceptableError",
    420: "FloodError",
    500: "InternalServerError",
}
_DIGITS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
# Classes the runtime defines by hand; the generated module re-exports them instead.
_RUNTIME_CLASSES = {"FLOOD_WAIT_X": "FloodWaitError"}


@dataclass(frozen=True)
class ErrorClass:
    """What one generated class needs: its name, bases, codes and how to find its number."""

    error: str
    class_name: str
    bases: Tuple[str, ...]
    codes: Tuple[int, ...]
    affix: Optional[Tuple[str, str]]
    alias: Optional[str]


def _is_number_segment(segment: str) -> bool:
    return segment == "X" or (segment.startswith("X") and segment[1:].isalpha() and segment[1:].isupper())


def class_name_of(error: str) -> str:
    """Python class name for an RPC error name (rules in the module docstring)."""
    parts = [p for p in error.split("_") if p and not _is_number_segment(p)]
    words = "".join(p[:1].upper() + p[1:].lower() for p in parts)
    if words[:1].isdigit():
        words = _DIGITS[int(words[0])] + words[1:2].upper() + words[2:]
    name = words if error.endswith("_ERROR") else words + "Error"
    if hasattr(builtins, name) or keyword.iskeyword(name):
        name = "Rpc" + name
    return name


def _affix(error: str) -> Optional[Tuple[str, str]]:
    """``(prefix, suffix)`` around the number: ``FILE_PART_X_MISSING`` -> ("FILE_PART_", "_MISSING")."""
    segments = error.split("_")
    for index, segment in enumerate(segments):
        if _is_number_segment(segment):
            prefix = "_".join(segments[:index]) + ("_" if index else "")
            rest = "_".join(segments[index + 1 :])
            suffix = segment[1:] + ("_" + rest if rest else "")
            return prefix, suffix
    return None


def _alias(error: str, affix: Optional[Tuple[str, str]]) -> Optional[str]:
    if affix is None:
        return None
    prefix, suffix = affix
    if prefix.endswith("MIGRATE_") or prefix == "INTERDC_":
        return "dc_id"
    if suffix == "MIN":
        return "minutes"
    if suffix == "" and prefix.endswith(("WAIT_", "DELAY_", "TOO_FRESH_")):
        return "seconds"
    return None


def _bases(fact: ErrorFact, affix: Optional[Tuple[str, str]]) -> Tuple[str, ...]:
    if fact.codes == (420,) and affix is not None and affix[1] == "" and affix[0].endswith("WAIT_"):
        return ("FloodWaitError",)
    bases = tuple(_BASES[code] for code in fact.codes if code in _BASES)
    return bases or ("RPCError",)


def error_classes(facts: Optional[Facts] = None) -> List[ErrorClass]:
    """One :class:`ErrorClass` per known error, sorted by class name; name clashes are errors."""
    facts = facts or load_facts()
    seen: Dict[str, str] = {}
    out: List[ErrorClass] = []
    for fact in facts.errors.values():
        affix = _affix(fact.name)
        name = _RUNTIME_CLASSES.get(fact.name) or class_name_of(fact.name)
        if name in seen:
            raise GenerationError(f"RPC errors {seen[name]} and {fact.name} both map to class {name}")
        seen[name] = fact.name
        out.append(
            ErrorClass(fact.name, name, _bases(fact, affix), fact.codes, affix, _alias(fact.name, affix))
        )
    return sorted(out, key=lambda c: c.class_name)


_HEADER = '''"""RPC error classes, one per known error name.

Generated by generator/errors from the facts table (generator/facts); do not edit.
Look-ups go through :func:`lookup`; ``tlruntime.errors.rpc_error_from`` calls it.
"""

from __future__ import annotations

from tlruntime.errors import (
    BadRequestError,
    FloodError,
    FloodWaitError,
    ForbiddenError,
    InternalServerError,
    NotAcceptableError,
    NotFoundError,
    RPCError,
    SeeOtherError,
    UnauthorizedError,
)
'''


def _render_class(cls: ErrorClass) -> str:
    lines = [f"class {cls.class_name}({', '.join(cls.bases)}):"]
    lines.append(f'    """``{cls.error}`` ({", ".join(str(c) for c in cls.codes)})."""')
    lines.append("")
    lines.append(f"    NAME = {cls.error!r}")
    lines.append(f"    CODES = {cls.codes!r}")
    if cls.affix is not None:
        lines.append(f"    NUMBER_AFFIX = {cls.affix!r}")
    inherited = (cls.alias == "seconds" and "FloodWaitError" in cls.bases) or (
        cls.alias == "dc_id" and "SeeOtherError" in cls.bases
    )
    if cls.alias is not None and not inherited:
        lines.append("")
        lines.append("    @property")
        lines.append(f"    def {cls.alias}(self) -> int:")
        lines.append("        return self.value or 0")
    return "\n".join(lines)


def render_errors(facts: Optional[Facts] = None) -> str:
    """The source of the generated errors module (deterministic)."""
    classes = error_classes(facts)
    parts = [_HEADER]
    for cls in classes:
        if cls.error in _RUNTIME_CLASSES:
            continue
        parts.append("\n\n" + _render_class(cls) + "\n")
    exact = sorted((c.error, c.class_name) for c in classes if c.affix is None)
    # Longest prefix first, so FLOOD_TEST_PHONE_WAIT_X wins over any shorter pattern.
    patterns = sorted(
        ((c.affix, c.class_name) for c in classes if c.affix is not None),
        key=lambda item: (-len(item[0][0]) - len(item[0][1]), item[0]),
    )
    parts.append("\n\n#: Exact error names (no number) -> class.\nBY_NAME: dict[str, type[RPCError]] = {\n")
    parts.extend(f"    {error!r}: {name},\n" for error, name in exact)
    parts.append("}\n\n#: ``(prefix, suffix, class)`` of the errors that carry a number.\n")
    parts.append("BY_PATTERN: tuple[tuple[str, str, type[RPCError]], ...] = (\n")
    parts.extend(f"    ({affix[0]!r}, {affix[1]!r}, {name}),\n" for affix, name in patterns)
    parts.append(")\n\n")
    parts.append(
        '''
def lookup(message: str) -> type[RPCError] | None:
    """The class for an error message such as ``FLOOD_WAIT_42`` or ``CHAT_ID_INVALID``, or None."""
    found = BY_NAME.get(message)
    if found is not None:
        return found
    for prefix, suffix, cls in BY_PATTERN:
        if message.startswith(prefix) and message.endswith(suffix):
            middle = message[len(prefix) : len(message) - len(suffix)]
            if middle.isascii() and middle.isdigit():
                return cls
    return None


__all__ = sorted({cls.__name__ for cls in BY_NAME.values()} | {t[2].__name__ for t in BY_PATTERN}) + ["lookup"]
'''.lstrip("\n")
    )
    return "".join(parts)


def write_errors(out_dir: Path, package: str = "tlruntime.tl") -> Path:
    """Write ``out_dir/errors.py``; returns its path.

    ``package`` is the dotted package ``out_dir`` is imported as; the module only
    imports ``tlruntime.errors``, so it is accepted for symmetry with the layer
    writer and checked to be a dotted identifier.
    """
    if not package or not all(part.isidentifier() for part in package.split(".")):
        raise GenerationError(f"package must be a dotted Python name, got {package!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "errors.py"
    path.write_text(render_errors(), encoding="utf-8")
    return path
