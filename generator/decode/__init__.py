"""``decode``: show any TL value (or a whole MTProto frame) as a tree with byte offsets.

Driven by the schema model, not the generated classes, so it reads bytes of a
layer we never generated, and never raises on bad bytes: unknown constructor
ids and truncation are shown at their offsets.
"""

from __future__ import annotations

from typing import Optional

from generator.decode.frame import FrameHeader, decode_frame, read_auth_key
from generator.decode.reader import Decoder, DecodeStop, SchemaIndex, parse_type_name
from generator.decode.tree import Node, render_tree
from generator.model import TypeRef, ValidatedSchema

__all__ = [
    "SchemaIndex",
    "Node",
    "FrameHeader",
    "decode_value",
    "decode_frame",
    "read_auth_key",
    "render_tree",
]


def decode_value(index: SchemaIndex, data: bytes, type_name: Optional[str] = None) -> Node:
    """Decode ``data`` as one boxed value (or as ``type_name``); bytes left over are reported."""
    decoder = Decoder(index, data)
    root = Node("value", offset=0)
    try:
        if type_name is None:
            decoder.boxed(root, "value")
        else:
            ref = parse_type_name(type_name)
            _check_known(index, ref)
            if ref.bare or (ref.name in _PRIMITIVES and ref.name != "Object"):
                decoder.value(root, "value", ref)
            else:
                decoder.boxed(root, "value", ref.name)
    except DecodeStop:
        pass
    node = root.children[0] if root.children else root
    if not node.problems() and decoder.pos < len(data):
        node.problem = f"{len(data) - decoder.pos} bytes left over after the value, from offset {decoder.pos}"
    return node


_PRIMITIVES = frozenset({"int", "long", "double", "string", "bytes", "int128", "int256", "Bool", "Object", "Vector", "vector"})


def _check_known(index: SchemaIndex, ref: TypeRef) -> None:
    """A --type naming nothing in the schema is a usage error, not a decode problem."""
    if ref.name in _PRIMITIVES:
        for arg in ref.args:
            _check_known(index, arg)
        return
    if ref.name not in index.by_type and ref.name not in index.by_name:
        raise ValueError(f"--type {ref.name}: no such type or constructor in the schema")


def index_of(validated: ValidatedSchema) -> SchemaIndex:
    return SchemaIndex.build(validated)
