# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""inputPeerEmpty#7f3b18ea = InputPeer;"""

from __future__ import annotations

import builtins
from struct import Struct
from typing import TYPE_CHECKING, Any

from tlruntime.binary import (
    pack_bool as _pack_bool,
    pack_bytes as _pack_bytes,
    pack_double as _pack_double,
    pack_int as _pack_int,
    pack_int128 as _pack_int128,
    pack_int256 as _pack_int256,
    pack_long as _pack_long,
    pack_string as _pack_string,
    pack_vector_bool as _pack_vector_bool,
    pack_vector_bytes as _pack_vector_bytes,
    pack_vector_double as _pack_vector_double,
    pack_vector_int as _pack_vector_int,
    pack_vector_int128 as _pack_vector_int128,
    pack_vector_int256 as _pack_vector_int256,
    pack_vector_long as _pack_vector_long,
    pack_vector_string as _pack_vector_string,
    read_bool as _read_bool,
    read_bool_item as _read_bool_item,
    read_bytes as _read_bytes,
    read_double as _read_double,
    read_int as _read_int,
    read_int128 as _read_int128,
    read_int256 as _read_int256,
    read_long as _read_long,
    read_long_bytes as _read_long_bytes,
    read_long_string as _read_long_string,
    read_string as _read_string,
    read_vector_bool as _read_vector_bool,
    read_vector_bytes as _read_vector_bytes,
    read_vector_double as _read_vector_double,
    read_vector_int as _read_vector_int,
    read_vector_int128 as _read_vector_int128,
    read_vector_int256 as _read_vector_int256,
    read_vector_long as _read_vector_long,
    read_vector_string as _read_vector_string,
)
from tlruntime.errors import EncodeError as _EncodeError
from tlruntime.tlobject import (
    BOOL_FALSE_BYTES as _BOOL_FALSE,
    BOOL_TRUE_BYTES as _BOOL_TRUE,
    CLASSES as _CLASSES,
    ENCODE_FAILURES as _ENCODE_FAILURES,
    Field,
    TLObject,
    TLRequest,
    bare_bytes_of as _bare_bytes_of,
    bare_reader as _bare_reader,
    boxed_reader as _boxed_reader,
    bytes_of as _bytes_of,
    encode_error as _encode_error,
    load_class as _load_class,
    pack_object as _pack_object,
    pack_vector_boxed as _pack_vector_boxed,
    read_boxed as _read_boxed,
    read_entry as _read_entry,
    read_object as _read_object,
    unpack_id as _unpack_id,
    vector_reader as _vector_reader,
    vector_writer as _vector_writer,
)

if TYPE_CHECKING:
    from typing import Self

_new = object.__new__
_from_bytes = int.from_bytes
_S0 = Struct("<I")
_u0 = _S0.unpack_from
_p0 = _S0.pack


class InputPeerEmpty(TLObject):
    """``inputPeerEmpty#7f3b18ea = InputPeer;``"""

    __slots__ = (
    )

    CONSTRUCTOR_ID = 0x7f3b18ea
    TL_NAME = "inputPeerEmpty"
    TL_LINE = "inputPeerEmpty#7f3b18ea = InputPeer;"
    FIELDS = (
    )


    def __init__(
        self,
    ) -> None:
        pass

    def _bytes(self) -> bytes:
        try:
            return _p0(0x7f3b18ea)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes

    @classmethod
    def _read(cls, data: bytes, o: int) -> tuple[Self, int]:
        self = _new(cls)
        return self, o
