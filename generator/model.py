"""The schema model: frozen dataclasses built by the parser, checked by ``validate``.

This is the contract between the three generator stages (parse -> validate ->
emit).  The parser only records what the text says; it computes nothing.  The
validation pass computes constructor ids and checks references; the emitter
prepares view-models from a validated schema and hands them to templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as _field  # FlagRef has an attribute named `field`
from typing import Literal, Optional, Tuple


@dataclass(frozen=True)
class SourcePos:
    """Where something was written: file name, 1-based line and column, and the whole line."""

    file: str
    line: int
    column: int
    text: str


def is_bare_name(name: str) -> bool:
    """A type written by a lower-case name (``int``, ``vector``, ``future_salt``) is bare.

    Only the last segment counts: ``messages.chatFull`` is bare, ``messages.ChatFull`` boxed.
    """
    last = name.rsplit(".", 1)[-1]
    return last[:1].islower()


def _bare_spelling(name: str) -> str:
    """``Message`` -> ``message``, ``messages.StickerSet`` -> ``messages.stickerSet``."""
    namespace, dot, last = name.rpartition(".")
    return f"{namespace}{dot}{last[:1].lower()}{last[1:]}"


@dataclass(frozen=True)
class TypeRef:
    """A reference to a type as written in a parameter or result position.

    ``name`` is the full dotted name as written (``int``, ``InputPeer``,
    ``messages.ChatFull``, ``Vector``, ``vector``, ``true``, ``#``, ``Object``,
    or a generic parameter such as ``X``).  ``args`` holds type arguments
    (``Vector<long>`` -> ``TypeRef("Vector", (TypeRef("long"),))``).
    ``bare`` is True for ``%T`` and for names whose last segment starts with a
    lower-case letter (``vector<...>``, ``int``, ``future_salt``): the value is
    written without its constructor id.  ``generic_ref`` is True for ``!X``.
    """

    name: str
    args: Tuple["TypeRef", ...] = ()
    bare: bool = False
    generic_ref: bool = False
    pos: Optional[SourcePos] = field(default=None, compare=False)

    # The two spellings of a type reference.  Every stage (parser, validation,
    # emitter, docs, diff) renders types through these two methods only.

    def tl_text(self) -> str:
        """The reference as a schema writes it: ``#``, ``!X``, ``%Message``,
        ``%messages.StickerSet``, ``Vector<long>``, ``vector<%Message>``."""
        if self.name == "#":
            return "#"
        if self.generic_ref:
            return "!" + self.name
        prefix = "%" if self.bare and not is_bare_name(self.name) else ""
        if not self.args:
            return prefix + self.name
        return f"{prefix}{self.name}<{', '.join(arg.tl_text() for arg in self.args)}>"

    def id_text(self, *, top_level: bool = True) -> str:
        """The reference as it is hashed into a constructor id.

        ``<``/``>`` become spaces (``Vector<long>`` -> ``Vector long``); a field
        whose whole type is ``bytes`` is written ``string`` (``bytes`` inside type
        arguments is kept, as every ``Vector<bytes>`` id of layer 229 shows); the
        bare form ``%T`` is written as T's bare name (``vector<%Message>`` hashes as
        ``vector message``: that is how ``msg_container#73f1f8dc`` gets its id).
        """
        if self.name == "#":
            return "#"
        if self.generic_ref:
            return "!" + self.name
        name = "string" if top_level and self.name == "bytes" else self.name
        if self.bare and not is_bare_name(name):
            name = _bare_spelling(name)
        return " ".join([name, *(arg.id_text(top_level=False) for arg in self.args)])


@dataclass(frozen=True)
class FlagRef:
    """``flags.N?`` / ``flags2.N?``: the ``#`` field it reads and the bit number."""

    field: str
    bit: int
    # Where ``flags.N?`` was written, for error messages (added for the validator).
    pos: Optional[SourcePos] = _field(default=None, compare=False)


@dataclass(frozen=True)
class Param:
    """One parameter of a combinator. ``flags:#`` has ``type.name == "#"`` and no ``flag``."""

    name: str
    type: TypeRef
    flag: Optional[FlagRef]
    pos: SourcePos


@dataclass(frozen=True)
class TypeParam:
    """A generic parameter in braces, ``{X:Type}``."""

    name: str
    kind: str
    pos: SourcePos


@dataclass(frozen=True)
class Combinator:
    """A constructor or function line.

    ``name`` is the full TL name (``messages.exportChatInvite``), ``namespace``
    the part before the dot (or None), ``explicit_id`` the ``#hex`` as written
    (or None for id-less lines), ``text`` the combinator as written from its
    first character to the ``;`` inclusive, without trailing comments.
    """

    name: str
    namespace: Optional[str]
    explicit_id: Optional[int]
    type_params: Tuple[TypeParam, ...]
    params: Tuple[Param, ...]
    result: TypeRef
    kind: Literal["constructor", "function"]
    pos: SourcePos
    text: str

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class BuiltinDecl:
    """A builtin declaration such as ``int ? = Int;``, ``int128 4*[ int ] = Int128;`` or
    ``vector#1cb5c415 {t:Type} # [ t ] = Vector t;``.  Not emitted as a class: the runtime
    implements these by hand."""

    name: str
    explicit_id: Optional[int]
    result: str
    pos: SourcePos
    text: str


@dataclass(frozen=True)
class Schema:
    """One or more parsed schema files, in source order."""

    combinators: Tuple[Combinator, ...]
    builtins: Tuple[BuiltinDecl, ...]
    layer: Optional[int]


@dataclass(frozen=True)
class IdMismatch:
    """An explicit id that differs from the computed CRC32; the explicit id wins, loudly."""

    combinator: Combinator
    given: int
    computed: int


@dataclass(frozen=True)
class CheckedCombinator:
    """A combinator after validation: ``id`` is the explicit id, or the computed one when absent."""

    combinator: Combinator
    id: int
    computed_id: int


@dataclass(frozen=True)
class ValidatedSchema:
    """What the emitter receives: every combinator with its final id, plus the id warnings."""

    schema: Schema
    combinators: Tuple[CheckedCombinator, ...]
    mismatches: Tuple[IdMismatch, ...]
