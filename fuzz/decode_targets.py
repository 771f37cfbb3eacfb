"""Decode targets: ``tlruntime.tl.deserialize`` and the ``rpc_result`` reader, seeded from the schema."""

from __future__ import annotations

import gzip
import struct
from typing import Iterable

import tlruntime.tl as tl
from tlruntime.core_types import ContainerMessage, GzipPacked, MsgContainer, read_rpc_result
from tlruntime.nesting import MAX_NESTING

from .registry import register
from .schema_values import SchemaValues

SEED = 20261129
_VECTOR = struct.pack("<I", 0x1CB5C415)


def _nesting_shapes() -> list[bytes]:
    """Hostile nesting just past the limit (the issue's reproducers, shortened)."""
    bold = struct.pack("<I", 0x6724ABC4)
    empty = struct.pack("<I", 0xDC3D824F)
    gz = struct.pack("<I", 0x997275B5)
    for _ in range(MAX_NESTING + 1):
        gz = bytes(GzipPacked(packed_data=gzip.compress(gz, mtime=0)))
    return [
        (_VECTOR + struct.pack("<I", 1)) * (MAX_NESTING + 1) + _VECTOR + struct.pack("<I", 0),
        bold * (MAX_NESTING + 2) + empty,
        gz,
    ]


def deserialize_seeds(count: int = 400) -> Iterable[bytes]:
    """Random valid objects of the whole layer, plus wrapped forms (gzip, container, vector)."""
    values = SchemaValues(SEED)
    samples = values.sample_bytes(count)
    yield from samples
    for raw in samples[:20]:
        yield bytes(GzipPacked(packed_data=gzip.compress(raw, mtime=0)))
    yield bytes(MsgContainer(messages=[
        ContainerMessage(msg_id=4 * (i + 1), seqno=2 * i + 1, body=raw) for i, raw in enumerate(samples[:5])
    ]))
    yield _VECTOR + struct.pack("<I", 3) + b"".join(samples[:3])
    yield from _nesting_shapes()


@register("deserialize", seeds=deserialize_seeds)
def deserialize(data: bytes) -> None:
    """``tlruntime.tl.deserialize``: any boxed object of the layer, found by its constructor id."""
    tl.deserialize(data)


def rpc_result_seeds() -> Iterable[bytes]:
    for raw in list(deserialize_seeds(60)):
        yield struct.pack("<Iq", 0xF35C6D01, 4) + raw


@register("rpc_result", seeds=rpc_result_seeds)
def rpc_result(data: bytes) -> None:
    """``core_types.read_rpc_result`` read generically (what a session does with an unknown answer)."""
    read_rpc_result(data)
