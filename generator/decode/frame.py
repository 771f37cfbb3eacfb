"""Open a captured MTProto 2.0 message: header fields, then the body as a tree.

Input is one transport payload with the transport framing removed:
``auth_key_id (8) + msg_key (16) + AES-256-IGE(plaintext)``, or an unencrypted
message (``auth_key_id`` 0, ``msg_id``, ``length``, body).  Decryption uses
``tlruntime.crypto.message`` as it is (the session's own primitive), trying
both directions unless one is given: only the right ``x`` reproduces the
``msg_key``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from generator.decode.reader import Decoder, DecodeStop, SchemaIndex
from generator.decode.tree import Node
from tlruntime.crypto.message import (
    AUTH_KEY_SIZE,
    CLIENT_TO_SERVER,
    SERVER_TO_CLIENT,
    MessageCipher,
)
from tlruntime.errors import MessageRejectedError, TLError

__all__ = ["FrameHeader", "FrameInputError", "decode_frame", "read_auth_key"]

_DIRECTIONS = {CLIENT_TO_SERVER: "client -> server (x=0)", SERVER_TO_CLIENT: "server -> client (x=8)"}


class FrameInputError(TLError, ValueError):
    """The frame or the auth key file cannot be used as given."""


@dataclass(frozen=True)
class FrameHeader:
    """The fields in front of the body; ``fields`` keeps their order for display."""

    fields: Tuple[Tuple[str, str], ...]
    body_offset: int

    def render(self) -> str:
        width = max(len(name) for name, _ in self.fields)
        return "".join(f"{name.ljust(width)}  {value}\n" for name, value in self.fields)


def read_auth_key(path: Path) -> bytes:
    """The 256-byte auth key stored raw or as hex text (whitespace allowed) in ``path``."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise FrameInputError(f"{path}: cannot read the auth key: {error.strerror}") from None
    if len(raw) == AUTH_KEY_SIZE:
        return raw
    try:
        key = bytes.fromhex(raw.decode("ascii").replace(":", "").strip().replace("\n", "").replace(" ", ""))
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != AUTH_KEY_SIZE:
        raise FrameInputError(
            f"{path}: an auth key is {AUTH_KEY_SIZE} raw bytes or {2 * AUTH_KEY_SIZE} hex digits, "
            f"found {len(raw)} bytes"
        )
    return key


def _long(data: bytes, at: int) -> int:
    return int(struct.unpack_from("<q", data, at)[0])


def _msg_id_text(msg_id: int) -> str:
    """The id and the unix time in its upper 32 bits (msg_id is about time * 2**32)."""
    return f"{msg_id} (unix time {msg_id >> 32})"


def _body(index: SchemaIndex, data: bytes, offset: int, length: int, space: str) -> Node:
    root = Node("frame")
    decoder = Decoder(index, data[offset : offset + length], space=space, base=offset)
    try:
        decoder.boxed(root, "body")
    except DecodeStop:
        pass
    node = root.children[0]
    if not node.problems() and decoder.pos < length:
        node.problem = f"body ended after {decoder.pos} of its {length} bytes"
    return node


def decode_frame(
    index: SchemaIndex, frame: bytes, auth_key: Optional[bytes], direction: Optional[int] = None
) -> Tuple[FrameHeader, Node]:
    """Header fields and body tree of one MTProto message (see module docstring)."""
    if len(frame) < 8:
        raise FrameInputError(f"a message starts with an 8-byte auth_key_id; got {len(frame)} bytes")
    if frame[:8] == bytes(8):
        if len(frame) < 20:
            raise FrameInputError(f"an unencrypted message has a 20-byte header; got {len(frame)} bytes")
        (length,) = struct.unpack_from("<i", frame, 16)
        fields = [
            ("auth_key_id", "0 (unencrypted message)"),
            ("msg_id", _msg_id_text(_long(frame, 8))),
            ("length", str(length)),
        ]
        if length < 0 or 20 + length > len(frame):
            raise FrameInputError(f"length {length} at offset 16 does not fit the {len(frame) - 20} bytes left")
        return FrameHeader(tuple(fields), 20), _body(index, frame, 20, length, "")
    if auth_key is None:
        raise FrameInputError("this message is encrypted (auth_key_id is not 0): pass --auth-key FILE")
    cipher = MessageCipher(auth_key)
    if frame[:8] != cipher.auth_key_id:
        raise FrameInputError(
            f"auth_key_id {frame[:8].hex()} is not the id of the given key ({cipher.auth_key_id.hex()})"
        )
    tried: List[str] = []
    plaintext = b""
    x_found: Optional[int] = None
    for x in (direction,) if direction is not None else (CLIENT_TO_SERVER, SERVER_TO_CLIENT):
        try:
            plaintext = cipher.decrypt(x, frame)
        except MessageRejectedError as error:
            tried.append(f"x={x}: {error}")
            continue
        x_found = x
        break
    if x_found is None:
        raise FrameInputError("the frame does not decrypt under this key: " + "; ".join(tried))
    if len(plaintext) < 32:
        raise FrameInputError(f"decrypted plaintext of {len(plaintext)} bytes is shorter than its 32-byte header")
    (seq_no, length) = struct.unpack_from("<ii", plaintext, 24)
    padding = len(plaintext) - 32 - length
    fields = [
        ("direction", _DIRECTIONS[x_found]),
        ("auth_key_id", frame[:8].hex()),
        ("msg_key", frame[8:24].hex()),
        ("salt", str(_long(plaintext, 0))),
        ("session_id", str(_long(plaintext, 8))),
        ("msg_id", _msg_id_text(_long(plaintext, 16))),
        ("seq_no", f"{seq_no} ({'content-related' if seq_no & 1 else 'not content-related'})"),
        ("length", str(length)),
        ("padding", f"{padding} bytes" + ("" if 12 <= padding <= 1024 else " (outside 12..1024!)")),
        ("offsets", "below are in the decrypted plaintext (salt at 0, body at 0x20)"),
    ]
    if length < 0 or padding < 0:
        raise FrameInputError(f"length {length} does not fit the {len(plaintext) - 32} decrypted bytes")
    return FrameHeader(tuple(fields), 32), _body(index, plaintext, 32, length, "")
