"""Base classes of the generated layer and the constructor-id dispatch.

Every generated class derives from :class:`TLObject` (constructors) or
:class:`TLRequest` (functions).  The generated code does the per-field work;
this module holds what is shared: the typed entry points (``from_bytes``,
``deserialize``, ``read_result``) that turn low-level failures into typed
decode errors, the lazy id -> class registry, boxed dispatch with transparent
``gzip_packed``, and the slow path that explains an encoding failure.

Classes are found through ``tlruntime.tl._index.LOCATIONS`` (generated: id ->
(module, class name)) and imported on first use, so importing the layer stays
cheap.
"""

from __future__ import annotations

import importlib
import struct
import zlib
from operator import itemgetter as _itemgetter
# ``typing`` (and the ``re``/``enum``/``functools`` it pulls in) costs more than the rest of
# ``import tlruntime.tl``: it is imported for type checkers only (mypy treats TYPE_CHECKING as true),
# and the two classes that need it at run time (Field, TLRequest) have a typing-free twin below.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, ClassVar, Generic, Iterable, NamedTuple, Self, TypeVar

from .binary import (
    BOOL_FALSE_ID,
    MAX_BYTES_LENGTH,
    describe_unencodable,
    BOOL_TRUE_ID,
    GZIP_PACKED_ID,
    VECTOR_ID,
    check_end,
    check_exact,
    read_bytes,
    read_vector_header,
    read_vector_with,
)
from .errors import (
    DecodeError,
    EncodeError,
    LengthError,
    TruncatedError,
    UnknownConstructorError,
    ValueEncodeError,
)
from .layer_loader import import_module as _import_module
from .nesting import DEPTH, MAX_NESTING, RecursiveTypes, counted, stack_exhausted, too_deep

if TYPE_CHECKING:
    from .pretty import BytesEncoding

__all__ = [
    "Field",
    "TLObject",
    "TLRequest",
    "MAX_GZIP_SIZE",
    "MAX_NESTING",
    "MAX_GZIP_TOTAL",
    "read_nested_object",
    "class_for_id",
    "load_class",
    "load_reader",
    "READERS",
    "unpack_id",
    "register",
    "register_index",
    "read_object",
    "read_boxed",
    "read_vector_boxed",
    "boxed_reader",
    "bare_reader",
    "bytes_of",
    "bare_bytes_of",
    "pack_vector_boxed",
    "join_vector",
    "type_method_name",
    "type_writer",
    "vector_writer",
    "BOOL_TRUE_BYTES",
    "BOOL_FALSE_BYTES",
    "vector_reader",
    "read_gzip_payload",
    "deserialize",
    "read_entry",
    "pack_object",
    "encode_error",
    "ENCODE_FAILURES",
    "TRUNCATION",
    "read_exact",
]

if TYPE_CHECKING:
    T = TypeVar("T")
    Reader = Callable[[bytes, int], "tuple[Any, int]"]
else:
    Reader = object  # a name for annotations only (generated modules import it)

# Upper bound for a decompressed gzip_packed payload: Telegram's largest
# messages are far below this, a gzip bomb is not.
MAX_GZIP_SIZE = 16 * 1024 * 1024
# Upper bound for all gzip_packed payloads of one decode together: without it, a 16 MiB
# frame holding a thousand small gzip bombs (a vector of gzip_packed users, a container
# of gzip_packed messages) would inflate to gigabytes.
MAX_GZIP_TOTAL = 4 * MAX_GZIP_SIZE

_UINT = struct.Struct("<I")
_unpack_uint = _UINT.unpack_from
unpack_id = _unpack_uint  # the generated code reads constructor ids with this

# Errors a generated ``_bytes`` turns into an EncodeError naming the class and field (via
# ``encode_error``): a wrong type or range, a str UTF-8 cannot encode (inline ``str.encode``), a
# value a ``binary`` packer refuses (ValueEncodeError: a string in a vector, bytes past 16 MiB...),
# an object nested deeper than the stack allows.  An except
# clause costs nothing until something is raised, so this list is free on the happy path.
ENCODE_FAILURES = (
    struct.error, TypeError, AttributeError, OverflowError,
    UnicodeEncodeError, ValueEncodeError, RecursionError,
)
# Errors a generated ``_read`` can raise only because the input ran out.
_TRUNCATION = (struct.error, IndexError)


class _NeedsBudget(DecodeError):
    """A ``gzip_packed`` met outside a decode entry point, which sets the inflation budget.

    The fast paths (``deserialize``, a generated ``from_bytes``) start without a
    budget so that decodes without gzip pay nothing; meeting a gzip layer, they
    read the input again under one.  Only a direct call of a low-level reader
    (``read_boxed``) can let it out: still a typed DecodeError.
    """

    def __init__(self, offset: int) -> None:
        super().__init__(
            "gzip_packed read outside a decode entry point (deserialize, from_bytes, read_entry)",
            offset=offset,
        )


# The generated ``from_bytes`` fast path lets these fall to ``read_exact``, which reads the
# input again and raises the typed error (TruncatedError, or NestingError for a RecursionError)
# or, for a gzip layer, reads it under an inflation budget.
TRUNCATION = (struct.error, IndexError, RecursionError, _NeedsBudget)


if TYPE_CHECKING:

    class Field(NamedTuple):
        """One TL parameter of a combinator, in schema order.

        ``name`` is the Python attribute (``from_``), ``tl_name`` the schema name
        (``from``), ``tl_type`` the type as written without the flag condition
        (``Vector<long>``, ``true``, ``#``); ``flag_field``/``bit`` give the flag
        condition (``flags``, 3) or are None for an unconditional field.  A ``#``
        field has no attribute of its own: its value is computed when writing.
        """

        name: str
        tl_name: str
        tl_type: str
        flag_field: str | None
        bit: int | None

else:

    class Field(tuple):
        # The run-time twin of the NamedTuple above: same fields, order, equality and repr.
        __slots__ = ()
        _fields = ("name", "tl_name", "tl_type", "flag_field", "bit")

        def __new__(cls, name, tl_name, tl_type, flag_field, bit):
            return tuple.__new__(cls, (name, tl_name, tl_type, flag_field, bit))

        name = property(_itemgetter(0))
        tl_name = property(_itemgetter(1))
        tl_type = property(_itemgetter(2))
        flag_field = property(_itemgetter(3))
        bit = property(_itemgetter(4))

        def __repr__(self):
            return "Field(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self)) + ")"


def _to_plain(value: object) -> object:
    if isinstance(value, TLObject):
        return value.to_dict()
    if isinstance(value, list):
        return [_to_plain(v) for v in value]
    return value


class _FieldsOfTable:
    """``FIELDS`` of a generated class: its flat ``_FIELDS`` table as :class:`Field` tuples.

    Built on first access and then stored on the class itself (where later
    lookups find it first), so loading a class builds none of its Field objects;
    the table is one flat tuple (five entries per parameter), not a tuple per row.
    """

    def __get__(self, obj: object, owner: type[TLObject]) -> tuple[Field, ...]:
        table = owner._FIELDS
        fields = tuple([Field(*table[i : i + 5]) for i in range(0, len(table), 5)])  # type: ignore[arg-type]
        owner.FIELDS = fields
        return fields


def _exact_reader(cls: type[TLObject], read: Reader) -> Callable[[bytes | bytearray | memoryview], Any]:
    """The ``from_bytes`` of a generated class whose body reader is ``read``.

    A plain, well-formed ``bytes`` value is read right here; anything else
    (another buffer type, a gzip_packed wrapper, a wrong id, truncated or
    trailing bytes) goes to ``read_exact``, which raises the typed error.
    """
    head = _UINT.pack(cls.CONSTRUCTOR_ID)

    def from_bytes(data: bytes | bytearray | memoryview) -> Any:
        """Read exactly one boxed value of this class from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == head:
            try:
                obj, end = read(data, 4)
            except TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return read_exact(cls, data)

    from_bytes.__qualname__ = cls.__qualname__ + ".from_bytes"
    return from_bytes


class _FromBytesOnFirstUse:
    """``from_bytes`` of every class: made on first access and stored on the class.

    A generated class (its ``_read`` a staticmethod) gets the fast path of
    :func:`_exact_reader`; any other class reads through ``read_exact``.  Made
    on first use rather than compiled into each of ~2,500 class modules, so
    loading a class costs nothing for it; the function returned is the one
    stored, so a reference taken before the first call is just as fast.
    """

    def __get__(self, obj: object, owner: type[TLObject]) -> Callable[[bytes | bytearray | memoryview], Any]:
        read = owner.__dict__.get("_read")
        if type(read) is staticmethod:
            from_bytes = _exact_reader(owner, read.__func__)
        else:

            def from_bytes(data: bytes | bytearray | memoryview) -> Any:
                """Read exactly one boxed value of this class from ``data`` (a ``gzip_packed`` wrapper is opened)."""
                return read_exact(owner, data)

            from_bytes.__qualname__ = owner.__qualname__ + ".from_bytes"
        owner.from_bytes = staticmethod(from_bytes)  # type: ignore[method-assign,assignment]
        return from_bytes


class TLObject:
    """A TL constructor value: boxed bytes via ``bytes(obj)``, exact typed read via ``from_bytes``."""

    __slots__ = ()

    CONSTRUCTOR_ID: ClassVar[int]
    TL_NAME: ClassVar[str]
    TL_LINE: ClassVar[str]
    FIELDS: ClassVar[tuple[Field, ...]]
    # A generated class lists its parameters in one flat table: name, tl_name, tl_type, flag_field, bit, ...
    _FIELDS: ClassVar[tuple[str | int | None, ...]] = ()
    if not TYPE_CHECKING:
        FIELDS = _FieldsOfTable()

    def _bytes(self) -> bytes:
        """Boxed serialization (constructor id first); generated per class."""
        raise NotImplementedError

    def __bytes__(self) -> bytes:
        return self._bytes()

    @classmethod
    def _read(cls, data: bytes, offset: int) -> tuple[Self, int]:
        """Read the fields that follow the constructor id; generated per class.

        Generated classes define it as a ``staticmethod``: ``cls._read`` is then a
        plain function (no bound method per call) that ``READERS`` can hold.
        """
        raise NotImplementedError

    if TYPE_CHECKING:

        @classmethod
        def from_bytes(cls, data: bytes | bytearray | memoryview) -> Self:
            """Read exactly one boxed ``cls`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""

    else:
        from_bytes = _FromBytesOnFirstUse()

    def _attribute_names(self) -> tuple[str, ...]:
        names: tuple[str, ...] = type(self).__slots__
        return names

    def to_dict(self) -> dict[str, object]:
        """Plain data: ``{"_": tl_name, field: value, ...}`` with nested objects converted."""
        out: dict[str, object] = {"_": self.TL_NAME}
        for name in self._attribute_names():
            out[name] = _to_plain(getattr(self, name))
        return out

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._attribute_names())

    __hash__ = None  # type: ignore[assignment]  # mutable values: not hashable

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._attribute_names())
        return f"{type(self).__name__}({args})"

    # Readable forms.  The logic lives in tlruntime.pretty, imported on first use so that
    # importing the layer does not pay for it (pretty imports nothing from this module).

    def pretty(self, *, indent: int = 2, width: int = 88) -> str:
        """Multi-line readable form: nested, absent fields left out (see :mod:`tlruntime.pretty`)."""
        from .pretty import pretty

        return pretty(self, indent=indent, width=width)

    def __str__(self) -> str:
        return self.pretty()

    def to_json(
        self,
        *,
        indent: int | None = None,
        bytes_as: BytesEncoding = "base64",
        big_ints_as_strings: bool = False,
    ) -> str:
        """``to_dict()`` as JSON text: bytes base64 (or hex), exact ints, schema key order."""
        from .pretty import to_json

        return to_json(self, indent=indent, bytes_as=bytes_as, big_ints_as_strings=big_ints_as_strings)


if TYPE_CHECKING:
    R = TypeVar("R", covariant=True)
else:
    R = None
    Generic = {R: object}  # at run time ``Generic[R]`` below is plain ``object``: no typing import


class TLRequest(TLObject, Generic[R]):
    """A TL function (an RPC request) whose result is ``R``; ``read_result`` reads it from ``rpc_result``.

    Generated functions name their result type in their base
    (``class ExportChatInvite(TLRequest["abcs.ExportedChatInvite"])``), so a type
    checker knows what ``await client(request)`` returns.
    """

    __slots__ = ()

    if not TYPE_CHECKING:

        def __class_getitem__(cls, item: object) -> type:
            # The subscription is for type checkers: at run time it is the class itself, so
            # the ~800 generated functions build no typing alias objects when they load.
            return cls

    def read_result(self, data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[R, int]:
        """Read this function's result type at ``offset``: ``(value, end)``."""
        raise NotImplementedError


if TYPE_CHECKING:
    _O = TypeVar("_O", bound=TLObject)


def read_exact(cls: type[_O], data: bytes | bytearray | memoryview) -> _O:
    """``cls.from_bytes`` in full: gzip opened, typed errors, the whole input consumed."""
    if DEPTH.inflate_budget is None:
        budgeted: _O = _budgeted(read_exact, cls, data)
        return budgeted
    if type(data) is not bytes:
        data = bytes(data)
    try:
        cid = _unpack_uint(data, 0)[0]
        if cid == cls.CONSTRUCTOR_ID:
            obj, end = cls._read(data, 4)
            if end == len(data):
                return obj
        elif cid == GZIP_PACKED_ID:
            depth = _enter_level(0, cid)
            try:
                inner, end = _inflate(data, 4)
                obj = read_exact(cls, inner)
            finally:
                DEPTH.level = depth
        else:
            raise UnknownConstructorError(cid, offset=0, expected=f"{cls.__name__} ({cls.TL_NAME})")
    except _TRUNCATION:
        raise TruncatedError("input ended before the value did", offset=len(data)) from None
    except RecursionError:
        raise stack_exhausted(0) from None
    check_exact(data, end)
    return obj


# --- the id -> class registry ---------------------------------------------------------

_CLASSES: dict[int, Any] = {}
# id -> the class's ``_read`` (the body after the id): what the generated inline dispatch
# calls, so a nested read costs one dict lookup and one call, no attribute or bound method.
_READERS: dict[int, Reader] = {}
READERS = _READERS
_LOCATIONS: dict[int, tuple[str, str]] | None = None
_DEFAULT_INDEX = "tlruntime.tl._index"
# Id indexes of layers generated into other packages (``--package``), ahead of the default one.
_LAYER_INDEXES: list[str] = []


def register_index(index_module: str) -> None:
    """Put a generated layer's id index ahead of ``tlruntime.tl``'s in the id dispatch.

    The ``__init__`` of a layer generated into another package calls this, so boxed
    values read through it are its classes; ids it lacks still resolve to the
    default layer when that is generated.  Classes already loaded stay cached.
    """
    global _LOCATIONS
    if index_module not in _LAYER_INDEXES:
        _LAYER_INDEXES.append(index_module)
        _LOCATIONS = None


def _rewrap(constructor_ids: Iterable[int]) -> None:
    """Count a nesting level in the installed readers of types that just became recursive."""
    for cid in constructor_ids:
        read = _READERS[cid]
        if not hasattr(read, "__wrapped__"):
            _READERS[cid] = counted(read, cid)


_RECURSIVE = RecursiveTypes(_rewrap)


def _install_reader(constructor_id: int, cls: Any) -> Reader:
    """Put ``cls``'s reader in ``READERS``: counting a nesting level if its type is recursive."""
    read = _READERS[constructor_id] = _RECURSIVE.reader(
        constructor_id, cls, isinstance(cls, type) and issubclass(cls, TLRequest)
    )
    return read


def register(cls: type[TLObject]) -> type[TLObject]:
    """Make a hand-written class reachable by its constructor id (generated ones load lazily)."""
    _CLASSES[cls.CONSTRUCTOR_ID] = cls
    _install_reader(cls.CONSTRUCTOR_ID, cls)
    return cls


def _locations() -> dict[int, tuple[str, str]]:
    global _LOCATIONS
    if _LOCATIONS is None:
        merged: dict[int, tuple[str, str]] = {}
        for name in [*_LAYER_INDEXES, _DEFAULT_INDEX]:
            try:
                index = importlib.import_module(name)
            except ImportError as exc:  # pragma: no cover - a setup problem, not an input problem
                if name == _DEFAULT_INDEX and _LAYER_INDEXES:
                    continue
                raise RuntimeError("the generated layer is missing: run `make generate`") from exc
            if not merged:
                merged = dict(index.LOCATIONS) if _LAYER_INDEXES else index.LOCATIONS
            else:
                for cid, where in index.LOCATIONS.items():
                    merged.setdefault(cid, where)
        _LOCATIONS = merged
    return _LOCATIONS


def class_for_id(constructor_id: int) -> type[TLObject] | None:
    """The class of a constructor or function id, importing its module on first use."""
    cls: type[TLObject] | None = _CLASSES.get(constructor_id)
    if cls is None:
        where = _locations().get(constructor_id)
        if where is None:
            return None
        cls = getattr(_import_module(where[0]), where[1])  # a class module skips importlib's machinery
        _CLASSES[constructor_id] = cls
    return cls


def load_class(constructor_id: int) -> Any:
    """``class_for_id`` for an id a generated reader already checked against its type's ids."""
    cls = class_for_id(constructor_id)
    if cls is None:  # pragma: no cover - the index holds every generated id
        raise UnknownConstructorError(constructor_id, offset=0, expected="a class of the layer")
    return cls


def load_reader(constructor_id: int) -> Reader:
    """The ``_read`` of a checked id, cached in ``READERS`` (first use of a class only)."""
    return _READERS.get(constructor_id) or _install_reader(constructor_id, load_class(constructor_id))


def _reader_or_none(constructor_id: int) -> Reader | None:
    """``READERS`` lookup for an unchecked id: None when the layer has no such id."""
    read = _READERS.get(constructor_id)
    if read is None:
        cls = class_for_id(constructor_id)
        if cls is None:
            return None
        read = _install_reader(constructor_id, cls)
    return read


# --- reading ---------------------------------------------------------------------------


def read_gzip_payload(data: bytes, offset: int, limit: int = MAX_GZIP_SIZE) -> tuple[bytes, int]:
    """Decompress a ``gzip_packed`` body (``offset`` is just past its id): ``(inner, end)``.

    At most ``limit`` bytes (default ``MAX_GZIP_SIZE``) are inflated: a gzip bomb stops there.
    """
    packed, end = read_bytes(data, offset)
    inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
    try:
        inner = inflater.decompress(packed, limit + 1)
    except zlib.error as exc:
        raise DecodeError(f"corrupt gzip_packed payload: {exc}", offset=offset) from None
    if len(inner) > limit:
        why = (
            f"the {MAX_GZIP_SIZE}-byte limit" if limit == MAX_GZIP_SIZE
            else f"the {MAX_GZIP_TOTAL}-byte total of all gzip_packed layers of one decode"
        )
        raise LengthError(f"gzip_packed payload inflates past {why}", offset=offset)
    if not inflater.eof:
        raise DecodeError("gzip_packed payload is an incomplete gzip stream", offset=offset)
    return inner, end


def _inflate(data: bytes, offset: int) -> tuple[bytes, int]:
    """``read_gzip_payload`` charged to the current decode's budget (``MAX_GZIP_TOTAL``)."""
    state = DEPTH
    budget = state.inflate_budget
    if budget is None:
        raise _NeedsBudget(offset)
    inner, end = read_gzip_payload(data, offset, min(MAX_GZIP_SIZE, budget))
    state.inflate_budget = budget - len(inner)
    return inner, end


def _budgeted(read: Callable[..., T], *args: Any) -> T:
    """Run ``read`` as one decode: its gzip layers share one ``MAX_GZIP_TOTAL`` budget."""
    state = DEPTH
    state.inflate_budget = MAX_GZIP_TOTAL
    try:
        return read(*args)
    finally:
        state.inflate_budget = None


def _enter_level(offset: int, constructor_id: int) -> int:
    """Count one nesting level (``MAX_NESTING``); returns the level to restore afterwards."""
    state = DEPTH
    depth = state.level
    if depth >= MAX_NESTING:
        raise too_deep(offset, constructor_id, depth + 1)
    state.level = depth + 1
    return depth


def read_object(data: bytes, offset: int) -> tuple[Any, int]:
    """Any boxed value at ``offset``: a TLObject, a bool, or a list (boxed vector of objects).

    An untyped position can hold anything, itself included: each value is one
    nesting level (``MAX_NESTING``), and so is each ``gzip_packed`` it opens.
    Called outside any decode (no counted level open), it is an entry point of
    its own: its gzip layers get one ``MAX_GZIP_TOTAL`` budget.
    """
    try:
        return read_nested_object(data, offset)
    except _NeedsBudget:
        state = DEPTH
        if state.level or state.inflate_budget is not None:
            raise  # inside a larger decode: its entry point sets the budget for all of it
        return _budgeted(read_nested_object, data, offset)


def read_nested_object(data: bytes, offset: int) -> tuple[Any, int]:
    """``read_object`` for a value inside a larger decode (a container's message body).

    It never starts a gzip budget of its own: the entry point that reads the
    whole input does, so sibling values share one.
    """
    cid = _unpack_uint(data, offset)[0]
    state = DEPTH
    depth = state.level
    if depth >= MAX_NESTING:
        raise too_deep(offset, cid, depth + 1)
    state.level = depth + 1
    try:
        if cid != GZIP_PACKED_ID:
            read = _READERS.get(cid) or _reader_or_none(cid)
            if read is not None:
                return read(data, offset + 4)
        if cid == BOOL_TRUE_ID:
            return True, offset + 4
        if cid == BOOL_FALSE_ID:
            return False, offset + 4
        if cid == VECTOR_ID:
            # Untyped position: elements can only be read as boxed values.
            return read_vector_with(data, offset, read_nested_object)
        if cid == GZIP_PACKED_ID:
            inner, end = _inflate(data, offset + 4)
            value, inner_end = read_nested_object(inner, 0)
            check_exact(inner, inner_end)
            return value, end
        raise UnknownConstructorError(cid, offset=offset)
    except RecursionError:
        raise stack_exhausted(offset, cid) from None
    finally:
        state.level = depth


def read_boxed(data: bytes, offset: int, expected: frozenset[int], type_name: str) -> tuple[Any, int]:
    """A boxed value of the TL type ``type_name`` whose constructor ids are ``expected``."""
    cid = _unpack_uint(data, offset)[0]
    try:
        if cid in expected:
            read = _READERS.get(cid) or _reader_or_none(cid)
            if read is not None:
                return read(data, offset + 4)
        elif cid == GZIP_PACKED_ID:
            depth = _enter_level(offset, cid)
            try:
                inner, end = _inflate(data, offset + 4)
                value, inner_end = read_boxed(inner, 0, expected, type_name)
            finally:
                DEPTH.level = depth
            check_exact(inner, inner_end)
            return value, end
    except RecursionError:
        raise stack_exhausted(offset, cid) from None
    raise UnknownConstructorError(cid, offset=offset, expected=type_name)


def read_vector_boxed(
    data: bytes, offset: int, expected: frozenset[int], type_name: str
) -> tuple[list[Any], int]:
    """``Vector<T>`` of boxed values of the TL type ``type_name`` (ids ``expected``).

    The element dispatch is inlined (one dict lookup and one call per element);
    anything unusual (gzip, an unknown id) goes through ``read_boxed``.
    """
    n, o = read_vector_header(data, offset)
    out: list[Any] = []
    append = out.append
    get = _READERS.get
    last_cid = -1  # a vector mostly repeats one constructor: its reader is kept in a local
    read = None
    for _ in range(n):
        cid = _unpack_uint(data, o)[0]
        if cid == last_cid:
            item, o = read(data, o + 4)  # type: ignore[misc]
        elif cid in expected:
            read = get(cid) or load_reader(cid)
            last_cid = cid
            item, o = read(data, o + 4)
        else:
            item, o = read_boxed(data, o, expected, type_name)
        append(item)
    return out, o


def boxed_reader(expected: frozenset[int], type_name: str) -> Reader:
    """A reader for one boxed value of a given TL type (for vectors and results)."""

    def read(data: bytes, offset: int) -> tuple[Any, int]:
        return read_boxed(data, offset, expected, type_name)

    return read


def vector_reader(item: Reader, boxed: bool = True) -> Reader:
    """A reader for ``Vector<T>`` (or bare ``vector<t>``) given the element reader."""

    def read(data: bytes, offset: int) -> tuple[Any, int]:
        return read_vector_with(data, offset, item, boxed)

    return read


def read_entry(data: bytes | bytearray | memoryview, offset: int, reader: Reader) -> tuple[Any, int]:
    """Run ``reader`` as a public entry point: gzip-aware, typed errors, end checked.

    Used by ``read_result``: an RPC answer may arrive gzip-packed whatever its type.
    """
    if DEPTH.inflate_budget is None:
        return _budgeted(read_entry, data, offset, reader)
    if type(data) is not bytes:
        data = bytes(data)
    try:
        if data[offset : offset + 4] == b"\xa1\xcf\x72\x30":  # gzip_packed
            depth = _enter_level(offset, GZIP_PACKED_ID)
            try:
                inner, end = _inflate(data, offset + 4)
                value, inner_end = read_entry(inner, 0, reader)
            finally:
                DEPTH.level = depth
            check_exact(inner, inner_end)
            return value, end
        value, end = reader(data, offset)
    except _TRUNCATION:
        raise TruncatedError("input ended before the value did", offset=len(data)) from None
    except RecursionError:
        raise stack_exhausted(offset) from None
    return value, check_end(data, end)


# Ids ``read_object`` handles itself (no class's reader): what ``deserialize`` leaves to it.
_GENERIC_IDS = frozenset((GZIP_PACKED_ID, BOOL_TRUE_ID, BOOL_FALSE_ID, VECTOR_ID))


def deserialize(data: bytes | bytearray | memoryview) -> Any:
    """Read exactly one boxed object (constructor or function) of the layer from ``data``."""
    if type(data) is not bytes:
        data = bytes(data)
    try:  # read_object opens a gzip_packed itself: no read_entry layer on the hot path
        cid = _unpack_uint(data, 0)[0]
        # A class of the layer (not the registered gzip_packed, which read_object opens) is read
        # by its own reader, loaded on first use: the outermost value is not an untyped position.
        read = _READERS.get(cid) if cid != GZIP_PACKED_ID else None
        if read is not None:
            value, end = read(data, 4)
        elif cid in _GENERIC_IDS or (read := _reader_or_none(cid)) is None:
            value, end = read_object(data, 0)
        else:  # first use of this class
            value, end = read(data, 4)
    except _TRUNCATION:
        raise TruncatedError("input ended before the value did", offset=len(data)) from None
    except RecursionError:  # only when called with almost no stack left: levels are counted
        raise stack_exhausted(0) from None
    except _NeedsBudget:  # a gzip layer inside: read it again as one budgeted decode
        if DEPTH.inflate_budget is not None:
            raise
        return _budgeted(deserialize, data)
    if end != len(data):
        check_exact(data, end)
    return value


def bare_reader(constructor_id: int) -> Reader:
    """A reader for a bare constructor (``vector<future_salt>``): no id on the wire."""

    def read(data: bytes, offset: int) -> tuple[Any, int]:
        return (_READERS.get(constructor_id) or load_reader(constructor_id))(data, offset)

    return read


# --- writing ---------------------------------------------------------------------------

BOOL_TRUE_BYTES = _UINT.pack(BOOL_TRUE_ID)
BOOL_FALSE_BYTES = _UINT.pack(BOOL_FALSE_ID)
_VECTOR_BYTES = _UINT.pack(VECTOR_ID)


def bytes_of(value: TLObject) -> bytes:
    """Boxed bytes of a TL object (element writer of object vectors)."""
    return value._bytes()


def bare_bytes_of(value: TLObject) -> bytes:
    """Bare bytes of a TL object: its boxed bytes without the constructor id."""
    return value._bytes()[4:]


def join_vector(items: list[bytes]) -> bytes:
    """``Vector<T>`` of already serialized boxed items (the generated code serializes each
    through its type's method, which is the element type check)."""
    return b"".join([_VECTOR_BYTES, _UINT.pack(len(items)), *items])


def type_method_name(type_name: str) -> str:
    """The serializing method every generated constructor of the TL type ``type_name`` carries.

    ``InputPeer`` -> ``_tl_InputPeer``; ``messages.ChatFull`` -> ``_tl_messages__ChatFull``.
    A field of that type is written by calling this method on its value, so a value of
    another TL type fails on the attribute lookup the write does anyway: the type check
    costs nothing when the types are right.
    """
    return "_tl_" + type_name.replace(".", "__")


def type_writer(method: str, bare: bool = False) -> Callable[[Any], bytes]:
    """Element writer for vectors of a TL type's values, through the type's method (its type check)."""
    if bare:
        return lambda value: getattr(value, method)()[4:]
    return lambda value: getattr(value, method)()


def pack_vector_boxed(values: list[Any]) -> bytes:
    """``Vector<T>`` of boxed objects."""
    return b"".join([_VECTOR_BYTES, _UINT.pack(len(values))] + [v._bytes() for v in values])


def vector_writer(item: Callable[[Any], bytes], boxed: bool = True) -> Callable[[list[Any]], bytes]:
    """A writer for ``Vector<T>`` (or bare ``vector<t>``) given the element writer."""
    head = _VECTOR_BYTES if boxed else b""

    def write(values: list[Any]) -> bytes:
        return b"".join([head, _UINT.pack(len(values))] + [item(v) for v in values])

    return write



def pack_object(value: object) -> bytes:
    """Serialize a value of an untyped (``Object``) position: a TLObject, a bool or a list."""
    if isinstance(value, TLObject):
        return value._bytes()
    if value is True:
        return BOOL_TRUE_BYTES
    if value is False:
        return BOOL_FALSE_BYTES
    if isinstance(value, list):
        return b"".join([_VECTOR_BYTES, _UINT.pack(len(value))] + [pack_object(v) for v in value])
    raise EncodeError(f"{type(value).__name__} value {value!r} is not a TL object")


_INT_RANGES = {
    "int": 32,
    "long": 64,
    "int128": 128,
    "int256": 256,
    "#": 32,
}


def _describe_length(size: int) -> str | None:
    if size > MAX_BYTES_LENGTH:
        return f"{size} bytes exceed the TL limit of {MAX_BYTES_LENGTH}"
    return None


def _describe_problem(tl_type: str, value: object) -> str | None:
    """Why ``value`` cannot be written as ``tl_type``, or None if it can."""
    if tl_type in _INT_RANGES:
        bits = _INT_RANGES[tl_type]
        if not isinstance(value, int) or isinstance(value, bool):
            return f"expected an int, got {type(value).__name__}"
        if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            return f"{value} is out of the signed {bits}-bit range of {tl_type}"
        return None
    if tl_type == "double":
        return None if isinstance(value, (int, float)) else f"expected a float, got {type(value).__name__}"
    if tl_type == "string":
        if not isinstance(value, str):
            return f"expected a str, got {type(value).__name__}"
        try:
            encoded = value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:
            return describe_unencodable(value, exc)
        return _describe_length(len(encoded))
    if tl_type == "bytes":
        if not isinstance(value, bytes):
            return f"expected bytes, got {type(value).__name__}"
        return _describe_length(len(value))
    if tl_type in ("Bool", "true"):
        return None
    if tl_type.lower().startswith("vector<"):
        if not isinstance(value, list):
            return f"expected a list, got {type(value).__name__}"
        inner = tl_type[7:-1]
        for i, item in enumerate(value):
            problem = _describe_problem(inner, item)
            if problem:
                return f"item {i}: {problem}"
        return None
    if tl_type == "Object":
        return None if isinstance(value, (TLObject, bool, list)) else f"expected a TL object, got {type(value).__name__}"
    if not isinstance(value, TLObject):
        return f"expected a TL object of type {tl_type}, got {type(value).__name__}"
    return _describe_wrong_type(tl_type, value)


def _describe_wrong_type(tl_type: str, value: TLObject) -> str | None:
    """Why the TL object ``value`` is not of the TL type ``tl_type`` (``InputPeer``, ``%Entry``,
    ``future_salt``), or None if it is (or the type cannot be told from the text)."""
    name = tl_type.removeprefix("%")
    if name.startswith("!") or not name:
        return None
    given = f"{type(value).__name__} ({value.TL_NAME})"
    if name.rsplit(".", 1)[-1][:1].islower():  # a bare constructor, named by its TL name
        return None if value.TL_NAME == name else f"expected {name}, got {given}"
    if hasattr(value, type_method_name(name)):
        return None
    return f"expected {name}, got {given}"


def encode_error(obj: TLObject, exc: BaseException) -> EncodeError:
    """Explain why ``obj`` could not be serialized, naming the offending field.

    Runs only after serializing failed: the fields are checked again, one by
    one, to find the culprit, so the happy path pays nothing for the message.
    """
    if isinstance(exc, RecursionError):
        return EncodeError(
            f"cannot serialize {type(obj).__name__}: nested deeper than the Python stack allows",
            class_name=type(obj).__name__,
        )
    for f in obj.FIELDS:
        if f.tl_type == "#":
            continue
        value = getattr(obj, f.name, None)
        if value is None and f.flag_field is not None:
            continue
        if f.tl_type == "true":
            continue
        problem = _describe_problem(f.tl_type, value)
        if problem:
            return EncodeError(
                f"{type(obj).__name__}.{f.name} ({f.tl_type}): {problem}",
                class_name=type(obj).__name__, field=f.name,
            )
    return EncodeError(f"cannot serialize {type(obj).__name__}: {exc}", class_name=type(obj).__name__)

