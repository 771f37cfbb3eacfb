"""How deeply a decoded value may nest, and the counters that enforce it.

A hostile peer can nest a value as deep as its bytes allow: a ``Vector`` of
vectors, ``textBold`` in ``textBold``, ``gzip_packed`` in ``gzip_packed``, a
container in a container's message.  Without a limit the readers recurse
until Python raises ``RecursionError``, which is not a :class:`TLError`, and
how deep that is depends on the caller's own stack.

:data:`MAX_NESTING` is the limit, counted per thread in levels:

- every value read in an untyped position (``Object``: ``rpc_result``,
  a container's message body, ``invokeWithLayer``'s query, a vector read
  without a schema type) is one level;
- every ``gzip_packed`` layer is one level;
- every object of a *recursive* TL type (a type that can contain itself,
  directly or through other types: ``RichText``, ``PageBlock``,
  ``MessageMedia``, ``InputPeer``, ``JSONValue``...) is one level.

Objects of the other types are not counted: the schema itself bounds how deep
they can nest, so counting them would only cost time (bulk decoding of users
and invites pays nothing).  Which types are recursive is learnt from the
classes as they load (:class:`RecursiveTypes`): a cycle of the type graph can
only be walked through loaded classes, and every nested read loads its class
first, so at most one turn of a cycle is read before the cycle is known.

One caveat comes from the generated code: a module binds the reader of a
*single-constructor* field type once (``_rd0``), so if a cycle is learnt after
such a binding, that hop stays uncounted.  Every cycle of layer 229 also
passes through a type with several constructors, whose readers are looked up
in ``READERS`` on every read, so each turn is still counted; for a schema
where that did not hold, the stack would run out first and the readers'
``RecursionError`` guard would still raise ``NestingError``.

Going past the limit raises :class:`~tlruntime.errors.NestingError` (a
``DecodeError``) naming the offset, the constructor id and the depth.  At the
limit a decode uses a few hundred Python frames at most (two to four per
level), so it triggers well before Python's own recursion limit even when the
decoder is called from a deep stack; if the stack does run out first, the
readers turn that ``RecursionError`` into a ``NestingError`` too.
"""

from __future__ import annotations

from _thread import _local as thread_local  # threading.local, without importing threading (~1 ms)
# ``typing`` (and the ``re``/``enum``/``functools`` it pulls in) costs more than the rest of
# ``import tlruntime.tl``: it is imported for type checkers only (mypy treats TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable

from .errors import NestingError

__all__ = ["MAX_NESTING", "DEPTH", "too_deep", "stack_exhausted", "counted", "RecursiveTypes"]

#: Levels a decoded value may nest (see the module docstring for what counts as a level).
#: Real Telegram data stays far below it: a container holding an ``rpc_result`` with a
#: gzip-packed message whose web page embeds rich text is about ten levels.
MAX_NESTING = 64

if TYPE_CHECKING:
    Reader = Callable[[bytes, int], "tuple[Any, int]"]


class _Depth(thread_local):
    """This thread's decode state: the nesting level, and the gzip inflation budget.

    ``inflate_budget`` is None outside a decode entry point, else the bytes the
    ``gzip_packed`` layers of the current decode may still inflate to
    (``tlobject.MAX_GZIP_TOTAL`` at the start).
    """

    level = 0
    inflate_budget: int | None = None


DEPTH = _Depth()


def too_deep(offset: int, constructor_id: int | None, depth: int) -> NestingError:
    """The error for a value that goes past :data:`MAX_NESTING`."""
    what = "" if constructor_id is None else f" (constructor 0x{constructor_id:08x})"
    return NestingError(
        f"value nested {depth} levels deep{what}, past the limit of {MAX_NESTING}",
        offset=offset, constructor_id=constructor_id, depth=depth, limit=MAX_NESTING,
    )


def stack_exhausted(offset: int, constructor_id: int | None = None) -> NestingError:
    """The error when Python's stack ran out before the counted limit did."""
    return NestingError(
        "value nested deeper than the Python stack allows", offset=offset,
        constructor_id=constructor_id, limit=MAX_NESTING,
    )


def counted(read: Reader, constructor_id: int) -> Reader:
    """``read`` (the body reader of ``constructor_id``) counting one nesting level."""

    def read_nested(data: bytes, offset: int) -> tuple[Any, int]:
        state = DEPTH
        depth = state.level
        if depth >= MAX_NESTING:
            raise too_deep(offset - 4, constructor_id, depth + 1)
        state.level = depth + 1
        try:
            return read(data, offset)
        except RecursionError:
            raise stack_exhausted(offset - 4, constructor_id) from None
        finally:
            state.level = depth

    read_nested.__wrapped__ = read  # type: ignore[attr-defined]
    return read_nested


def _held_type(tl_type: str) -> str:
    """The type name a field holds: ``Vector<%RichText>`` -> ``RichText``."""
    name = tl_type.lstrip("!%")
    while name[:7].lower() == "vector<" and name.endswith(">"):
        name = name[7:-1].lstrip("!%")
    return name


class RecursiveTypes:
    """Learns, from the constructor classes as they load, which TL types can contain themselves.

    ``reader(cid, cls)`` gives the reader to install for a loaded class: its
    ``_read``, wrapped by :func:`counted` when its type is recursive.  When a
    newly loaded class closes a cycle, ``rewrap`` is called with the ids of
    the already loaded constructors whose types just became recursive.
    """

    def __init__(self, rewrap: Callable[[Iterable[int]], None]) -> None:
        self._rewrap = rewrap
        self._holds: dict[str, set[str]] = {}  # type -> types its loaded constructors hold
        self._ids: dict[str, list[int]] = {}  # type -> its loaded constructor ids
        self._recursive: set[str] = set()

    def is_recursive(self, type_name: str) -> bool:
        return type_name in self._recursive

    def reader(self, constructor_id: int, cls: Any, is_function: bool) -> Reader:
        read: Reader = cls._read
        if is_function:  # a function's body is never nested inside a value of its own type
            return read
        type_name = cls.TL_LINE.rpartition("=")[2].strip(" ;")
        self._ids.setdefault(type_name, []).append(constructor_id)
        held = self._holds.setdefault(type_name, set())
        before = len(held)
        held.update(_held_type(f.tl_type) for f in cls.FIELDS)
        if len(held) > before:
            # Every new edge starts at type_name: a new cycle, if any, passes through it
            # (and may bring in types that were not recursive before, even if type_name was).
            newly = self._cycle_through(type_name) - self._recursive
            if newly:
                self._recursive |= newly
                self._rewrap([i for t in newly for i in self._ids[t] if i != constructor_id])
        return counted(read, constructor_id) if type_name in self._recursive else read

    def _cycle_through(self, start: str) -> set[str]:
        """The types on cycles through ``start`` (empty when there is none)."""
        reached: set[str] = set()
        stack = list(self._holds.get(start, ()))
        while stack:
            name = stack.pop()
            if name not in reached:
                reached.add(name)
                stack.extend(self._holds.get(name, ()))
        if start not in reached:
            return set()
        # Of the types start reaches, those that reach start back share its cycles.
        back: dict[str, list[str]] = {}
        for name in reached:
            for held in self._holds.get(name, ()):
                back.setdefault(held, []).append(name)
        on_cycle = {start}
        stack = [start]
        while stack:
            for name in back.get(stack.pop(), ()):
                if name not in on_cycle:
                    on_cycle.add(name)
                    stack.append(name)
        return on_cycle
