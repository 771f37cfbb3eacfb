"""Read TL bytes driven by the schema model (not by the generated classes).

Any boxed value is found by its constructor id in the validated schema; the
combinators the runtime implements by hand (``vector``, ``gzip_packed``,
``msg_container`` and its bare ``message``) are opened here.  Reading never
raises on bad bytes: an unknown id or a truncated input becomes a node with a
``problem`` naming the offset, and reading stops there.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

from generator.model import CheckedCombinator, Param, TypeRef, ValidatedSchema
from generator.decode.tree import Node
from generator.schema_source import type_text

__all__ = ["SchemaIndex", "Decoder", "DecodeStop", "parse_type_name"]

VECTOR_ID = 0x1CB5C415
GZIP_PACKED_ID = 0x3072CFA1
MSG_CONTAINER_ID = 0x73F1F8DC
BOOL_TRUE_ID = 0x997275B5
BOOL_FALSE_ID = 0xBC799737
MAX_UNPACKED = 16 * 1024 * 1024
MAX_DEPTH = 64
_FIXED = {"int": ("<i", 4), "long": ("<q", 8), "double": ("<d", 8), "#": ("<I", 4)}
_WIDE = {"int128": 16, "int256": 32}


class DecodeStop(Exception):
    """Reading cannot go on; the node it was raised for already carries the problem."""


@dataclass(frozen=True)
class SchemaIndex:
    """Look-ups the decoder needs: id -> combinator, constructor name -> combinator, type -> constructors."""

    by_id: Dict[int, CheckedCombinator]
    by_name: Dict[str, CheckedCombinator]
    by_type: Dict[str, Tuple[CheckedCombinator, ...]]

    @classmethod
    def build(cls, validated: ValidatedSchema) -> "SchemaIndex":
        by_id: Dict[int, CheckedCombinator] = {}
        by_name: Dict[str, CheckedCombinator] = {}
        by_type: Dict[str, List[CheckedCombinator]] = {}
        for cc in validated.combinators:
            c = cc.combinator
            by_id.setdefault(cc.id, cc)
            if c.kind == "constructor":
                by_name.setdefault(c.name, cc)
                by_type.setdefault(c.result.name, []).append(cc)
            else:
                by_name.setdefault(c.name, cc)
        return cls(by_id, by_name, {k: tuple(v) for k, v in by_type.items()})


def parse_type_name(text: str) -> TypeRef:
    """``Vector<long>``, ``%Message``, ``chatInviteExported``, ``ExportedChatInvite`` -> TypeRef.

    A lower-case last segment (``chatInviteExported``, ``int``) or ``%`` means bare.
    """
    text = text.strip()
    bare = text.startswith("%")
    if bare:
        text = text[1:]
    args: Tuple[TypeRef, ...] = ()
    if text.endswith(">") and "<" in text:
        head, _, inner = text.partition("<")
        args = (parse_type_name(inner[:-1]),)
        text = head
    if not text or not all(part.replace("_", "a").isalnum() for part in text.split(".")):
        raise ValueError(f"not a TL type name: {text!r}")
    last = text.rsplit(".", 1)[-1]
    return TypeRef(text, args, bare=bare or last[:1].islower())


class Decoder:
    """Decode one buffer into :class:`Node` trees."""

    def __init__(self, index: SchemaIndex, data: bytes, space: str = "", base: int = 0) -> None:
        self.index = index
        self.data = data
        self.pos = 0
        self.space = space
        self.base = base  # offsets are shown relative to the start of the whole input
        self.depth = 0

    # --- primitives -------------------------------------------------------------

    def _at(self) -> int:
        return self.base + self.pos

    def _take(self, node: Node, size: int, what: str) -> bytes:
        left = len(self.data) - self.pos
        if size > left:
            node.problem = f"truncated: {what} needs {size} bytes at offset {self._at()}, {left} left"
            node.end = self.base + len(self.data)
            raise DecodeStop
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def _node(self, parent: Optional[Node], label: str, type_: str = "") -> Node:
        node = Node(label, type_, offset=self._at(), space=self.space)
        if parent is not None:
            parent.add(node)
        return node

    def _tl_bytes(self, node: Node) -> bytes:
        first = self._take(node, 1, "length")[0]
        if first == 254:
            length = int.from_bytes(self._take(node, 3, "length"), "little")
            header = 4
        elif first == 255:
            node.problem = f"invalid string/bytes length marker 0xff at offset {self._at() - 1}"
            raise DecodeStop
        else:
            length, header = first, 1
        body = self._take(node, length, f"a {length}-byte string")
        self._take(node, (-(header + length)) % 4, "padding")
        return body

    # --- entry points -------------------------------------------------------------

    def boxed(self, parent: Optional[Node], label: str, expected: Optional[str] = None) -> Node:
        """A boxed value: constructor id, then its fields. ``expected`` names the type the position allows."""
        node = self._node(parent, label, expected or "Object")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                node.problem = f"nesting deeper than {MAX_DEPTH} at offset {self._at()}"
                raise DecodeStop
            start = self._at()
            (cid,) = struct.unpack("<I", self._take(node, 4, "a constructor id"))
            self._boxed_body(node, cid, start, expected)
        finally:
            self.depth -= 1
        node.end = self._at()
        return node

    def _boxed_body(self, node: Node, cid: int, start: int, expected: Optional[str]) -> None:
        if cid == GZIP_PACKED_ID:
            self._gzip(node)
        elif cid == MSG_CONTAINER_ID:
            node.value = "msg_container#73f1f8dc"
            self._container(node)
        elif cid == VECTOR_ID:
            node.value = "vector#1cb5c415"
            self._vector_items(node, None)
        elif cid in (BOOL_TRUE_ID, BOOL_FALSE_ID) and expected in (None, "Bool", "Object"):
            node.value = "boolTrue" if cid == BOOL_TRUE_ID else "boolFalse"
        else:
            cc = self.index.by_id.get(cid)
            if cc is None:
                node.problem = f"unknown constructor id 0x{cid:08x} at offset {start}"
                raise DecodeStop
            c = cc.combinator
            node.value = f"{c.name}#{cc.id:08x}"
            if expected not in (None, "Object") and c.kind == "constructor" and c.result.name != expected:
                node.problem = f"{c.name} is a {c.result.name}, not the {expected} this position expects"
                raise DecodeStop
            self._fields(node, cc)

    def bare(self, parent: Optional[Node], label: str, ref: TypeRef) -> Node:
        """A value of type ``ref`` read without its id where ``ref`` is bare."""
        return self.value(parent, label, ref)

    # --- fields -------------------------------------------------------------------

    def _fields(self, node: Node, cc: CheckedCombinator) -> None:
        flags: Dict[str, int] = {}
        generics = {tp.name for tp in cc.combinator.type_params}
        for param in cc.combinator.params:
            self._param(node, param, flags, generics)

    def _param(self, node: Node, param: Param, flags: Dict[str, int], generics: Set[str]) -> None:
        ref = param.type
        if param.flag is not None:
            word = flags.get(param.flag.field, 0)
            present = bool(word >> param.flag.bit & 1)
            where = f"{param.flag.field}.{param.flag.bit}"
            if ref.name == "true":
                if present:
                    child = self._node(node, param.name, f"{where}?true")
                    child.value = "true"
                    child.end = child.offset
                return
            if not present:
                return
            self.value(node, param.name, ref, flag_text=f"{where}?")
            return
        if ref.name == "#":
            child = self._node(node, param.name, "#")
            (word,) = struct.unpack("<I", self._take(child, 4, "a flags word"))
            flags[param.name] = word
            bits = [str(b) for b in range(32) if word >> b & 1]
            child.value = f"0x{word:08x}" + (f" (bits {', '.join(bits)})" if bits else "")
            child.end = self._at()
            return
        if ref.name in generics or ref.generic_ref:
            self.boxed(node, param.name)
            return
        self.value(node, param.name, ref)

    def value(self, parent: Optional[Node], label: str, ref: TypeRef, flag_text: str = "") -> Node:
        name = ref.name
        shown = flag_text + type_text(ref)
        if name in _FIXED:
            fmt, size = _FIXED[name]
            node = self._node(parent, label, shown)
            (number,) = struct.unpack(fmt, self._take(node, size, name))
            node.value = repr(number)
        elif name in _WIDE:
            node = self._node(parent, label, shown)
            raw = self._take(node, _WIDE[name], name)
            node.value = f"0x{raw[::-1].hex()}"
        elif name == "string":
            node = self._node(parent, label, shown)
            raw = self._tl_bytes(node)
            try:
                node.value = repr(raw.decode("utf-8"))
            except UnicodeDecodeError:
                node.value = f"{raw!r} (not UTF-8)"
        elif name == "bytes":
            node = self._node(parent, label, shown)
            raw = self._tl_bytes(node)
            node.value = f"{len(raw)} bytes {raw[:32].hex()}{'...' if len(raw) > 32 else ''}"
        elif name == "Bool":
            node = self._node(parent, label, shown)
            (cid,) = struct.unpack("<I", self._take(node, 4, "a Bool"))
            if cid not in (BOOL_TRUE_ID, BOOL_FALSE_ID):
                node.problem = f"0x{cid:08x} at offset {self._at() - 4} is neither boolTrue nor boolFalse"
                raise DecodeStop
            node.value = "true" if cid == BOOL_TRUE_ID else "false"
        elif name in ("Vector", "vector"):
            node = self._node(parent, label, shown)
            if name == "Vector" and not ref.bare:
                (cid,) = struct.unpack("<I", self._take(node, 4, "the vector id"))
                if cid != VECTOR_ID:
                    node.problem = f"expected vector#1cb5c415 at offset {self._at() - 4}, got 0x{cid:08x}"
                    raise DecodeStop
            self._vector_items(node, ref.args[0] if ref.args else None)
        elif name == "Object":
            return self.boxed(parent, label)
        elif ref.bare:
            node = self._node(parent, label, shown)
            cc = self.index.by_name.get(name)
            if cc is None:
                constructors = self.index.by_type.get(name, ())
                cc = constructors[0] if len(constructors) == 1 else None
            if cc is None:
                node.problem = f"bare type {name} names no single constructor"
                raise DecodeStop
            node.value = f"{cc.combinator.name} (bare)"
            self.depth += 1
            try:
                self._fields(node, cc)
            finally:
                self.depth -= 1
        else:
            node = self.boxed(parent, label, name)
            node.type = shown
            return node
        node.end = self._at()
        return node

    def _vector_items(self, node: Node, item: Optional[TypeRef]) -> None:
        (count,) = struct.unpack("<i", self._take(node, 4, "a vector count"))
        left = len(self.data) - self.pos
        if count < 0 or count > left:  # every item takes at least one byte: never loop on a hostile count
            node.problem = f"vector count {count} at offset {self._at() - 4} does not fit the {left} bytes left"
            raise DecodeStop
        node.value = (node.value + " " if node.value else "") + f"{count} items"
        for i in range(count):
            if item is None:
                self.boxed(node, f"[{i}]")
            else:
                self.value(node, f"[{i}]", item)

    # --- hand-implemented combinators -------------------------------------------------

    def _gzip(self, node: Node) -> None:
        packed = self._tl_bytes(node)
        try:
            inflater = zlib.decompressobj(wbits=31)
            unpacked = inflater.decompress(packed, MAX_UNPACKED + 1)
        except zlib.error as error:
            node.problem = f"gzip_packed data at offset {node.offset} does not inflate: {error}"
            raise DecodeStop from None
        if len(unpacked) > MAX_UNPACKED:
            node.problem = f"gzip_packed data at offset {node.offset} unpacks to more than {MAX_UNPACKED} bytes"
            raise DecodeStop
        node.value = f"gzip_packed#3072cfa1 ({len(packed)} bytes -> {len(unpacked)} unpacked; offsets inside are z+)"
        inner = Decoder(self.index, unpacked, space="z")
        inner.depth = self.depth
        inner.boxed(node, "unpacked")

    def _container(self, node: Node) -> None:
        (count,) = struct.unpack("<i", self._take(node, 4, "a container count"))
        left = len(self.data) - self.pos
        if count < 0 or count * 16 > left:
            node.problem = f"container count {count} at offset {self._at() - 4} does not fit the {left} bytes left"
            raise DecodeStop
        node.value += f" {count} messages"
        for i in range(count):
            self.message(node, f"[{i}]")

    def message(self, parent: Node, label: str) -> Node:
        """The bare mtproto ``message msg_id:long seqno:int bytes:int body:Object``."""
        node = self._node(parent, label, "message")
        self.value(node, "msg_id", TypeRef("long", bare=True))
        self.value(node, "seqno", TypeRef("int", bare=True))
        length_node = self.value(node, "bytes", TypeRef("int", bare=True))
        length = int(length_node.value)
        left = len(self.data) - self.pos
        if length < 0 or length > left or length % 4:
            length_node.problem = f"body length {length} does not fit the {left} bytes left (or is not a multiple of 4)"
            raise DecodeStop
        body = Decoder(self.index, self.data[self.pos : self.pos + length], self.space, self._at())
        body.depth = self.depth
        body.boxed(node, "body")
        if body.pos != length:
            node.problem = f"body ended after {body.pos} of its {length} bytes"
        self.pos += length
        node.end = self._at()
        return node
