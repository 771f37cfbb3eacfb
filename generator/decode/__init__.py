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
from generator.model import ValidatedSchema

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
            if ref.bare or ref.name in ("Vector", "int", "long", "double", "string", "bytes", "Bool", "int128", "int256"):
                decoder.value(root, "value", ref)
            else:
                decoder.boxed(root, "value", ref.name)
    except DecodeStop:
        pass
    node = root.children[0] if root.children else root
    if not node.problems() and decoder.pos < len(data):
        node.problem = f"{len(data) - decoder.pos} bytes left over after the value, from offset {decoder.pos}"
    return node


def index_of(validated: ValidatedSchema) -> SchemaIndex:
    return SchemaIndex.build(validated)
