"""Obfuscated2: AES-256-CTR over abridged, intermediate or padded intermediate framing.

The client opens with a 64-byte header that is random except for the inner
protocol's tag (and optionally a DC id) hidden in its encrypted tail.  Keys
come from the header itself, so a passive observer sees only noise, while the
peer derives the same keys (for MTProxy, each key is first mixed with the
proxy secret through SHA-256).

Header layout, as the client builds it:
  * bytes 0..56 random, sent in clear; 8..40 is the client's encrypt key and
    40..56 its IV; the server decrypts with those and encrypts with the key/IV
    read from bytes 8..56 reversed;
  * bytes 56..60 the inner tag (``ef``/``ee``/``dd`` x 4), 60..62 an optional
    int16 DC id; the whole 64 bytes go through the client's encryptor and
    only the encrypted 56..64 replace the clear ones on the wire, so the CTR
    stream continues from byte 64 into the first frame.
"""

from __future__ import annotations

import hashlib
import os
from typing import Final

from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

from ..errors import TransportError
from ..protocol import OBFUSCATED_HEADER_SIZE
from .abridged import Abridged
from .base import FramingCodec, RandomBytes, TransportCodec
from .events import DEFAULT_MAX_FRAME_SIZE, BytesLike, Event
from .intermediate import Intermediate, PaddedIntermediate

__all__ = ["Obfuscated2", "HEADER_SIZE", "parse_proxy_secret", "inner_codec_for_tag"]

HEADER_SIZE: Final = OBFUSCATED_HEADER_SIZE
_KEY_MATERIAL: Final = slice(8, 56)  # encrypt key (32) + IV (16), in header order
_TAG: Final = slice(56, 60)
_DC_ID: Final = slice(60, 62)
_MAX_HEADER_ATTEMPTS: Final = 1000

# First words a header must not start with: they would make the stream look like
# plain abridged/intermediate/padded, HTTP (HEAD/POST/GET/OPTIons, HTTP/2 "PVrG"
# as tdlib checks) or a TLS record (16 03 01 02), to the server or a middlebox.
_FORBIDDEN_FIRST_WORDS: Final = frozenset(
    {
        b"HEAD",
        b"POST",
        b"GET ",
        b"OPTI",
        b"PVrG",
        b"\xdd\xdd\xdd\xdd",
        b"\xee\xee\xee\xee",
        b"\x16\x03\x01\x02",
    }
)

_INNER_BY_TAG: Final[dict[bytes, type[FramingCodec]]] = {
    b"\xef\xef\xef\xef": Abridged,
    b"\xee\xee\xee\xee": Intermediate,
    b"\xdd\xdd\xdd\xdd": PaddedIntermediate,
}


def inner_codec_for_tag(tag: bytes) -> type[FramingCodec]:
    """The framing codec class whose obfuscation tag is ``tag``; TransportError if none."""
    try:
        return _INNER_BY_TAG[bytes(tag)]
    except KeyError:
        raise TransportError(
            f"obfuscated2: decrypted protocol tag {bytes(tag).hex()} is not abridged (efefefef), "
            "intermediate (eeeeeeee) or padded intermediate (dddddddd); wrong secret or not obfuscated2"
        ) from None


def parse_proxy_secret(secret: bytes | str | None) -> tuple[bytes | None, bool]:
    """Split an MTProxy secret into (16-byte key, whether the proxy demands padded intermediate).

    Accepts raw bytes or hex text: 16 bytes, or 17 with a leading ``0xdd``
    (random-padding mode).  Fake-TLS secrets (``0xee`` prefix) need a TLS
    layer this codec does not provide and are refused.
    """
    if secret is None:
        return None, False
    if isinstance(secret, str):
        try:
            secret = bytes.fromhex(secret)
        except ValueError:
            raise TransportError("obfuscated2: MTProxy secret text is not hex") from None
    secret = bytes(secret)
    if len(secret) == 16:
        return secret, False
    if len(secret) == 17 and secret[0] == 0xDD:
        return secret[1:], True
    if secret[:1] == b"\xee":
        raise TransportError("obfuscated2: fake-TLS (ee-prefixed) MTProxy secrets are not supported")
    raise TransportError(
        f"obfuscated2: MTProxy secret must be 16 bytes or 0xdd + 16 bytes, got {len(secret)} bytes"
    )


def _stream_cipher(key_material: bytes, secret: bytes | None) -> CipherContext:
    """AES-256-CTR context from 48 bytes of header (key then IV), keyed with the secret if any."""
    key, iv = key_material[:32], key_material[32:48]
    if secret is not None:
        key = hashlib.sha256(key + secret).digest()
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()


def _is_forbidden(header: BytesLike) -> bool:
    """Whether a would-be header could be mistaken for another protocol (see _FORBIDDEN_FIRST_WORDS)."""
    return header[0] == 0xEF or bytes(header[:4]) in _FORBIDDEN_FIRST_WORDS or header[4:8] == b"\x00\x00\x00\x00"


class Obfuscated2(TransportCodec):
    """Wraps a framing codec in the obfuscated2 CTR stream, for either side.

    Client: ``Obfuscated2(Abridged("client"), dc_id=2)`` generates its header
    from ``random_bytes``; send :meth:`initial_bytes` first.  Server: build it
    from the received header, most simply with :meth:`from_client_header`,
    which picks the inner codec from the decrypted tag.
    """

    def __init__(
        self,
        inner: FramingCodec,
        *,
        header: BytesLike | None = None,
        secret: bytes | str | None = None,
        dc_id: int | None = None,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        super().__init__(inner.side, max_frame_size=inner.max_frame_size)
        tag = inner.obfuscation_tag
        if tag is None:
            raise TransportError(f"obfuscated2: the {inner.name} transport cannot be obfuscated")
        key, needs_padding = parse_proxy_secret(secret)
        if needs_padding and not isinstance(inner, PaddedIntermediate):
            raise TransportError("obfuscated2: a dd-prefixed MTProxy secret requires padded intermediate")
        self._inner = inner
        self.name = f"obfuscated-{inner.name}"
        self.supports_quick_ack = inner.supports_quick_ack
        if inner.side == "client":
            if header is not None:
                raise TransportError("obfuscated2: a client generates its own header; do not pass one")
            self._header, self._encryptor, self._decryptor = self._client_header(tag, key, dc_id, random_bytes)
            self._dc_id = dc_id
        else:
            if dc_id is not None:
                raise TransportError("obfuscated2: the server reads dc_id from the client's header")
            if header is None:
                raise TransportError("obfuscated2: a server codec needs the client's 64-byte header")
            self._header = b""
            self._encryptor, self._decryptor, self._dc_id = self._accept_header(bytes(header), tag, key)

    @classmethod
    def from_client_header(
        cls,
        header: BytesLike,
        *,
        secret: bytes | str | None = None,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> Obfuscated2:
        """Server side: decrypt ``header`` (exactly 64 bytes), find the inner protocol, build the codec."""
        header = bytes(header)
        _check_header_size(header)
        key, _ = parse_proxy_secret(secret)
        tag = _stream_cipher(header[_KEY_MATERIAL], key).update(header)[_TAG]
        inner = inner_codec_for_tag(tag)("server", max_frame_size=max_frame_size, random_bytes=random_bytes)
        return cls(inner, header=header, secret=secret)

    @property
    def inner(self) -> FramingCodec:
        """The plaintext framing codec running inside the CTR stream."""
        return self._inner

    @property
    def dc_id(self) -> int | None:
        """The DC id from the header (server), or the one put into it (client, None if omitted)."""
        return self._dc_id

    @property
    def buffered(self) -> int:
        return self._inner.buffered

    def initial_bytes(self) -> bytes:
        return self._header

    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        return self._encryptor.update(self._inner.encode(payload, quick_ack=quick_ack))

    def encode_quick_ack(self, token: int) -> bytes:
        return self._encryptor.update(self._inner.encode_quick_ack(token))

    def feed(self, data: BytesLike) -> list[Event]:
        return self._inner.feed(self._decryptor.update(data) if data else b"")

    @staticmethod
    def _client_header(
        tag: bytes, key: bytes | None, dc_id: int | None, random_bytes: RandomBytes
    ) -> tuple[bytes, CipherContext, CipherContext]:
        for _ in range(_MAX_HEADER_ATTEMPTS):
            init = bytearray(random_bytes(HEADER_SIZE))
            _check_header_size(init)
            if not _is_forbidden(init):
                break
        else:
            raise TransportError(
                f"obfuscated2: random_bytes produced {_MAX_HEADER_ATTEMPTS} forbidden headers in a row"
            )
        init[_TAG] = tag
        if dc_id is not None:
            if not -0x8000 <= dc_id <= 0x7FFF:
                raise TransportError(f"obfuscated2: dc_id {dc_id} does not fit in an int16")
            init[_DC_ID] = dc_id.to_bytes(2, "little", signed=True)
        material = bytes(init[_KEY_MATERIAL])
        encryptor = _stream_cipher(material, key)
        decryptor = _stream_cipher(material[::-1], key)
        encrypted = encryptor.update(bytes(init))  # advances the stream past the header
        return bytes(init[:56]) + encrypted[56:], encryptor, decryptor

    @staticmethod
    def _accept_header(header: bytes, tag: bytes, key: bytes | None) -> tuple[CipherContext, CipherContext, int]:
        _check_header_size(header)
        material = header[_KEY_MATERIAL]
        decryptor = _stream_cipher(material, key)
        encryptor = _stream_cipher(material[::-1], key)
        plain = decryptor.update(header)
        if plain[_TAG] != tag:
            inner_codec_for_tag(plain[_TAG])  # raises for an unknown tag, naming it
            raise TransportError(
                f"obfuscated2: header announces {plain[_TAG].hex()}, but the codec frames with {tag.hex()}"
            )
        return encryptor, decryptor, int.from_bytes(plain[_DC_ID], "little", signed=True)


def _check_header_size(header: BytesLike) -> None:
    if len(header) != HEADER_SIZE:
        raise TransportError(f"obfuscated2: header must be {HEADER_SIZE} bytes, got {len(header)}")
