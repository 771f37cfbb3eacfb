"""Errors of the emitter: a schema construct it cannot emit, and an output directory it must not touch.

Both derive from :class:`tlruntime.errors.GenerationError` (so from ``TLError``).
"""

from __future__ import annotations

from generator.model import SourcePos
from tlruntime.errors import GenerationError

__all__ = ["EmitError", "OutputDirError"]


class EmitError(GenerationError):
    """A validated combinator that cannot be emitted; names file:line:column like ``SchemaError``."""

    def __init__(self, message: str, pos: SourcePos | None) -> None:
        self.reason = message
        if pos is None:  # pragma: no cover - every combinator of a parsed schema has a position
            pos = SourcePos("<schema>", 0, 0, "")
        self.file = pos.file
        self.line = pos.line
        self.column = pos.column
        self.source_line = pos.text
        caret = " " * max(pos.column - 1, 0) + "^"
        super().__init__(f"{pos.file}:{pos.line}:{pos.column}: {message}\n    {pos.text}\n    {caret}")


class OutputDirError(GenerationError):
    """The output directory holds files the generator did not write (no marker file): left untouched."""
