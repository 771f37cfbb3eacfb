"""MTProxy fake TLS (``ee`` secrets): obfuscated2 inside TLS 1.3-looking records, both sides, sans-IO.

The exchange, as MTProxy and the official apps run it:

1. The client sends a TLS ClientHello for the secret's domain whose 32-byte
   ``random`` is ``HMAC-SHA256(key, hello with random zeroed)`` with the last
   4 bytes XORed with the client's unix time (int32, little-endian).
2. The server recomputes the HMAC, reads the timestamp back, checks it is
   recent and that this ``random`` was never seen (replays are refused), then
   answers with a ServerHello record, a ChangeCipherSpec record and one
   application-data record of random bytes.  The ServerHello's ``random`` is
   ``HMAC-SHA256(key, client random + that whole answer with it zeroed)``,
   which the client verifies.
3. The client then sends a ChangeCipherSpec record once, and from there both
   sides carry the obfuscated2 stream (the client's 64-byte header first, keyed
   with the 16-byte secret as for ``dd``, padded intermediate inside) in
   application-data records (``17 03 03`` + length).

The client waits for the server's answer before sending anything else: MTProxy
refuses a connection whose ClientHello is followed by data it has not answered
yet.  So the client side is a handshake object (:class:`FakeTlsClientHandshake`)
that yields a codec once the server is verified, like the server side's
:class:`~tlruntime.transports.mtproxy.MTProxyAcceptor` (which builds on this module).

Choices where no page is precise (docs/TELEGRAM.md lists them): the ClientHello
imitates a current browser (GREASE values, X25519 key share, ALPN h2/http1.1)
padded to 517 bytes; timestamps are accepted from 600 s in the past to 120 s in
the future; the ServerHello echoes the client's session id; records are
written at most 2878 bytes long (as TDLib writes them) and read up to 16384 + 256.
"""

from __future__ import annotations

import heapq
import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from typing import Final

from ..errors import SecurityError, TransportError
from .base import RandomBytes, TransportCodec
from .events import DEFAULT_MAX_FRAME_SIZE, BytesLike, Event
from .intermediate import PaddedIntermediate
from .proxy_secret import MTProxyRefusedError, MTProxySecret, ProxySecretError
from .obfuscated import HEADER_SIZE, Obfuscated2

__all__ = [
    "Clock",
    "FakeTlsError",
    "FakeTlsHelloError",
    "FakeTlsDigestError",
    "FakeTlsStaleHelloError",
    "FakeTlsReplayError",
    "FakeTlsServerHelloError",
    "AcceptedHello",
    "ReplayCache",
    "FakeTlsHelloVerifier",
    "FakeTlsClientHandshake",
    "FakeTlsClientCodec",
    "FakeTlsServerCodec",
    "build_client_hello",
    "client_hello_length",
    "server_hello_flight",
    "MAX_RECORD_WRITE",
    "MAX_RECORD_READ",
]

Clock = Callable[[], float]
"""Unix time in seconds, injected so timestamp checks replay in tests."""

MAX_RECORD_WRITE: Final = 2878
"""Largest application-data payload written in one record: what TDLib (the official apps) writes."""
MAX_RECORD_READ: Final = 16384 + 256
"""Largest record payload accepted (TLS 1.3's ciphertext limit)."""
MAX_HELLO: Final = 4096
"""Largest ClientHello accepted (MTProxy reads at most this much)."""
DEFAULT_MAX_PAST: Final = 600
DEFAULT_MAX_FUTURE: Final = 120
DEFAULT_REPLAY_CAPACITY: Final = 100_000

_RANDOM: Final = slice(11, 43)  # the 32-byte random, in record coordinates (5 record + 4 handshake + 2 version)
_DIGEST_CHECKED: Final = 28
_HELLO_TARGET: Final = 517  # record header + 512: the size browsers and the official apps send
_CCS_RECORD: Final = b"\x14\x03\x03\x00\x01\x01"
_APP_HEADER: Final = b"\x17\x03\x03"
_HANDSHAKE_CLIENT: Final = b"\x16\x03\x01"
_HANDSHAKE_SERVER: Final = b"\x16\x03\x03"
_CIPHER_SUITES: Final = (
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D,
    0x002F, 0x0035,
)  # fmt: skip
_SIGNATURE_ALGORITHMS: Final = (0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)
_X25519: Final = 0x001D
_SERVER_ANSWER_SIZES: Final = (2500, 3620)  # random "encrypted" record length range, as MTProxy's default


# --- errors ------------------------------------------------------------------------


class FakeTlsError(TransportError):
    """Fake-TLS framing failed: a record that is not the expected TLS record."""


class FakeTlsHelloError(MTProxyRefusedError, SecurityError):
    """Server side: a ClientHello refused (malformed, wrong secret, stale, replayed, wrong domain)."""


class FakeTlsDigestError(FakeTlsHelloError):
    """The ClientHello's random is not the HMAC of this proxy's secret."""


class FakeTlsStaleHelloError(FakeTlsHelloError):
    """The ClientHello's timestamp is outside the accepted window (``.timestamp``, ``.now``)."""

    def __init__(self, message: str, *, timestamp: int, now: float) -> None:
        self.timestamp = timestamp
        self.now = now
        super().__init__(message)


class FakeTlsReplayError(FakeTlsHelloError):
    """This ClientHello (its random) was already accepted once: a replay."""


class FakeTlsServerHelloError(FakeTlsError, SecurityError):
    """Client side: the proxy's answer is malformed or its HMAC does not prove the secret."""


# --- byte helpers ------------------------------------------------------------------


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "big")


def _vector16(body: bytes) -> bytes:
    return _u16(len(body)) + body


def _extension(kind: int, body: bytes) -> bytes:
    return _u16(kind) + _vector16(body)


def _x25519_public(random_bytes: RandomBytes) -> bytes:
    """A real X25519 public key (a point a TLS observer would accept), from injected randomness."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.from_private_bytes(_take(random_bytes, 32))
    return private.public_key().public_bytes_raw()


def _take(random_bytes: RandomBytes, count: int) -> bytes:
    data = random_bytes(count)
    if len(data) != count:
        raise TransportError(f"fake TLS: random_bytes({count}) returned {len(data)} bytes")
    return data


def _grease_values(random_bytes: RandomBytes, count: int) -> list[int]:
    """GREASE code points (RFC 8701: 0x?A?A), distinct neighbours as browsers pick them."""
    values: list[int] = []
    for byte in _take(random_bytes, count):
        nibble = (byte & 0xF0) | 0x0A
        value = nibble << 8 | nibble
        if values and values[-1] == value:
            value ^= 0x1010
        values.append(value)
    return values


def _record(content_type: bytes, payload: bytes) -> bytes:
    return content_type + _u16(len(payload)) + payload


def _app_records(data: bytes) -> bytes:
    """``data`` as application-data records of at most :data:`MAX_RECORD_WRITE` bytes."""
    if len(data) <= MAX_RECORD_WRITE:
        return _APP_HEADER + _u16(len(data)) + data
    return b"".join(
        _APP_HEADER + _u16(len(chunk)) + chunk
        for chunk in (data[start : start + MAX_RECORD_WRITE] for start in range(0, len(data), MAX_RECORD_WRITE))
    )


def _hello_digest(key: bytes, hello: bytes) -> bytes:
    zeroed = hello[: _RANDOM.start] + bytes(32) + hello[_RANDOM.stop :]
    return hmac.new(key, zeroed, sha256).digest()


# --- ClientHello -------------------------------------------------------------------


def build_client_hello(key: bytes, domain: str, timestamp: int, random_bytes: RandomBytes = os.urandom) -> bytes:
    """A ClientHello record for ``domain`` whose random proves ``key`` at ``timestamp`` (unix seconds)."""
    if len(key) != 16:
        raise ProxySecretError(f"fake TLS: the key is 16 bytes, got {len(key)}")
    name = domain.encode("ascii")
    grease = _grease_values(random_bytes, 7)
    session_id = _take(random_bytes, 32)
    key_share = _x25519_public(random_bytes)
    ciphers = b"".join(_u16(suite) for suite in (grease[0], *_CIPHER_SUITES))
    extensions = [
        _extension(grease[2], b""),
        _extension(0x0000, _vector16(b"\x00" + _vector16(name))),  # server_name
        _extension(0x0017, b""),  # extended_master_secret
        _extension(0xFF01, b"\x00"),  # renegotiation_info
        _extension(0x000A, _vector16(b"".join(_u16(g) for g in (grease[4], _X25519, 0x0017, 0x0018)))),
        _extension(0x000B, b"\x01\x00"),  # ec_point_formats: uncompressed
        _extension(0x0023, b""),  # session_ticket
        _extension(0x0010, _vector16(b"\x02h2\x08http/1.1")),  # ALPN
        _extension(0x0005, b"\x01\x00\x00\x00\x00"),  # status_request (OCSP)
        _extension(0x000D, _vector16(b"".join(_u16(a) for a in _SIGNATURE_ALGORITHMS))),
        _extension(0x0012, b""),  # signed_certificate_timestamp
        _extension(0x0033, _vector16(_u16(grease[4]) + b"\x00\x01\x00" + _u16(_X25519) + _vector16(key_share))),
        _extension(0x002D, b"\x01\x01"),  # psk_key_exchange_modes: psk_dhe_ke
        _extension(0x002B, b"\x06" + _u16(grease[6]) + b"\x03\x04\x03\x03"),  # supported_versions
        _extension(0x001B, b"\x02\x00\x02"),  # compress_certificate: brotli
        _extension(grease[3], b"\x00"),
    ]
    body_head = b"\x03\x03" + bytes(32) + b"\x20" + session_id + _vector16(ciphers) + b"\x01\x00"
    extension_bytes = b"".join(extensions)
    unpadded = 5 + 4 + len(body_head) + 2 + len(extension_bytes)
    if unpadded + 4 <= _HELLO_TARGET:
        extension_bytes += _extension(0x0015, bytes(_HELLO_TARGET - unpadded - 4))  # padding
    body = body_head + _vector16(extension_bytes)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    hello = bytearray(_HANDSHAKE_CLIENT + _vector16(handshake))
    digest = bytearray(_hello_digest(key, bytes(hello)))
    stamp = (timestamp & 0xFFFF_FFFF).to_bytes(4, "little")
    digest[28:32] = bytes(d ^ s for d, s in zip(digest[28:32], stamp))
    hello[_RANDOM] = digest
    return bytes(hello)


def client_hello_length(prefix: BytesLike) -> int | None:
    """Total size of the ClientHello record that ``prefix`` starts, None until its 5-byte header is in."""
    if len(prefix) < 5:
        return None
    if bytes(prefix[:3]) != _HANDSHAKE_CLIENT:
        raise FakeTlsHelloError(f"fake TLS: {bytes(prefix[:3]).hex()} does not open a TLS handshake record")
    length = int.from_bytes(prefix[3:5], "big")
    if not 11 + 32 + 1 + 32 - 5 <= length <= MAX_HELLO - 5:
        raise FakeTlsHelloError(f"fake TLS: ClientHello record of {length} bytes is outside 71..{MAX_HELLO - 5}")
    return 5 + length


@dataclass(frozen=True, slots=True)
class AcceptedHello:
    """What the server keeps from a verified ClientHello."""

    client_random: bytes
    session_id: bytes
    timestamp: int
    domain: str | None


def _parse_hello(hello: bytes) -> tuple[bytes, str | None]:
    """(session id, SNI host name or None) of a structurally sound ClientHello; FakeTlsHelloError otherwise."""

    def fail(why: str) -> FakeTlsHelloError:
        return FakeTlsHelloError(f"fake TLS: malformed ClientHello: {why}")

    if len(hello) != 5 + int.from_bytes(hello[3:5], "big"):
        raise fail("record length does not match")
    if hello[5] != 0x01 or int.from_bytes(hello[6:9], "big") != len(hello) - 9:
        raise fail("not one complete ClientHello handshake message")
    if hello[9:11] != b"\x03\x03":
        raise fail(f"legacy_version {hello[9:11].hex()} is not 0303")
    if hello[43] != 32:
        raise fail(f"session id of {hello[43]} bytes (32 expected)")
    session_id = hello[44:76]
    position = 76

    def read_vector(width: int) -> bytes:
        nonlocal position
        if position + width > len(hello):
            raise fail("truncated")
        size = int.from_bytes(hello[position : position + width], "big")
        start = position + width
        if start + size > len(hello):
            raise fail("a length points past the end")
        position = start + size
        return hello[start : start + size]

    read_vector(2)  # cipher suites
    read_vector(1)  # compression methods
    extensions = read_vector(2)
    if position != len(hello):
        raise fail("bytes after the extensions")
    domain = None
    cursor = 0
    while cursor < len(extensions):
        if cursor + 4 > len(extensions):
            raise fail("truncated extension header")
        kind = int.from_bytes(extensions[cursor : cursor + 2], "big")
        size = int.from_bytes(extensions[cursor + 2 : cursor + 4], "big")
        body = extensions[cursor + 4 : cursor + 4 + size]
        if len(body) != size:
            raise fail("extension past the end")
        cursor += 4 + size
        if kind == 0x0000:
            if size < 5 or int.from_bytes(body[:2], "big") != size - 2 or body[2] != 0:
                raise fail("server_name extension is not one host name")
            name = body[5:]
            if int.from_bytes(body[3:5], "big") != len(name) or not name or b"\x00" in name:
                raise fail("server_name host name length is wrong")
            try:
                domain = name.decode("ascii")
            except UnicodeDecodeError:
                raise fail("server_name is not ASCII") from None
    return session_id, domain


class ReplayCache:
    """Remembers accepted ClientHello randoms, bounded in count, refusing any hello it cannot vouch for.

    Entries are kept while their timestamp is inside the window; when full, the
    entry with the oldest timestamp is dropped and the *floor* rises to it: a
    hello stamped at or below the floor is refused, because its original might
    have been dropped.  So a replay is always caught, whatever the capacity.
    """

    def __init__(self, capacity: int = DEFAULT_REPLAY_CAPACITY) -> None:
        if capacity < 1:
            raise TransportError(f"ReplayCache capacity must be at least 1, got {capacity}")
        self._capacity = capacity
        self._seen: dict[bytes, int] = {}
        self._by_time: list[tuple[int, bytes]] = []
        self._floor: int | None = None

    def __len__(self) -> int:
        return len(self._seen)

    @property
    def capacity(self) -> int:
        return self._capacity

    def expire(self, oldest_allowed: int) -> None:
        """Forget entries stamped before ``oldest_allowed``: the time window refuses their replays anyway."""
        while self._by_time and self._by_time[0][0] < oldest_allowed:
            _, random = heapq.heappop(self._by_time)
            del self._seen[random]

    def add(self, random: bytes, timestamp: int) -> None:
        """Record an accepted hello; raise :class:`FakeTlsReplayError` if it cannot be new."""
        if random in self._seen:
            raise FakeTlsReplayError("fake TLS: this ClientHello was already accepted (replayed hello)")
        if self._floor is not None and timestamp <= self._floor:
            raise FakeTlsReplayError(
                f"fake TLS: hello stamped {timestamp}, not after {self._floor}, the oldest hello the full replay "
                "cache had to forget: it cannot be proven new"
            )
        self._seen[random] = timestamp
        heapq.heappush(self._by_time, (timestamp, random))
        if len(self._seen) > self._capacity:
            dropped_time, dropped = heapq.heappop(self._by_time)
            del self._seen[dropped]
            self._floor = dropped_time if self._floor is None else max(self._floor, dropped_time)


class FakeTlsHelloVerifier:
    """Server side: the checks every ClientHello passes, shared by all connections of one proxy.

    Order: structure, SNI (when the secret names a domain), HMAC, time window,
    replay — so a client without the secret can never fill the replay cache.
    """

    def __init__(
        self,
        secret: MTProxySecret | BytesLike | str,
        *,
        clock: Clock = time.time,
        max_past: float = DEFAULT_MAX_PAST,
        max_future: float = DEFAULT_MAX_FUTURE,
        replay_cache: ReplayCache | None = None,
        check_domain: bool = True,
    ) -> None:
        self._secret = secret if isinstance(secret, MTProxySecret) else MTProxySecret.parse(secret)
        self._clock = clock
        self._max_past = max_past
        self._max_future = max_future
        self._replays = replay_cache if replay_cache is not None else ReplayCache()
        self._check_domain = check_domain and self._secret.domain is not None

    @property
    def secret(self) -> MTProxySecret:
        return self._secret

    @property
    def replay_cache(self) -> ReplayCache:
        return self._replays

    def verify(self, hello: BytesLike) -> AcceptedHello:
        hello = bytes(hello)
        size = client_hello_length(hello)
        if size is None or size != len(hello):
            raise FakeTlsHelloError("fake TLS: verify() needs exactly one complete ClientHello record")
        session_id, domain = _parse_hello(hello)
        if self._check_domain and (domain or "").lower() != (self._secret.domain or "").lower():
            raise FakeTlsHelloError(f"fake TLS: ClientHello for {domain!r}, this proxy serves {self._secret.domain!r}")
        expected = _hello_digest(self._secret.key, hello)
        random = hello[_RANDOM]
        if not hmac.compare_digest(expected[:_DIGEST_CHECKED], random[:_DIGEST_CHECKED]):
            raise FakeTlsDigestError("fake TLS: ClientHello random is not the HMAC of this proxy's secret")
        timestamp = int.from_bytes(bytes(e ^ r for e, r in zip(expected[28:], random[28:])), "little")
        now = self._clock()
        if not now - self._max_past <= timestamp <= now + self._max_future:
            raise FakeTlsStaleHelloError(
                f"fake TLS: ClientHello stamped {timestamp}, {timestamp - now:+.0f} s from now; accepted: "
                f"-{self._max_past:g} s .. +{self._max_future:g} s",
                timestamp=timestamp,
                now=now,
            )
        self._replays.expire(int(now - self._max_past))
        self._replays.add(random, timestamp)
        return AcceptedHello(random, session_id, timestamp, domain)


def server_hello_flight(accepted: AcceptedHello, key: bytes, random_bytes: RandomBytes = os.urandom) -> bytes:
    """The server's answer to a verified hello: ServerHello + ChangeCipherSpec + one random app-data record."""
    server_hello_body = (
        b"\x03\x03"
        + bytes(32)
        + b"\x20"
        + accepted.session_id
        + b"\x13\x01\x00"  # TLS_AES_128_GCM_SHA256, no compression
        + _vector16(
            _extension(0x0033, _u16(_X25519) + _vector16(_x25519_public(random_bytes)))
            + _extension(0x002B, b"\x03\x04")
        )
    )
    low, high = _SERVER_ANSWER_SIZES
    answer_size = low + int.from_bytes(_take(random_bytes, 2), "big") % (high - low)
    flight = bytearray(
        _record(_HANDSHAKE_SERVER, b"\x02" + len(server_hello_body).to_bytes(3, "big") + server_hello_body)
        + _CCS_RECORD
        + _record(_APP_HEADER, _take(random_bytes, answer_size))
    )
    flight[_RANDOM] = hmac.new(key, accepted.client_random + bytes(flight), sha256).digest()
    return bytes(flight)


# --- record layer --------------------------------------------------------------------


class _RecordReader:
    """Application-data records in, their payloads out; an optional leading ChangeCipherSpec is skipped."""

    def __init__(self, *, expect_change_cipher_spec: bool) -> None:
        self._buffer = bytearray()
        self._expect_ccs = expect_change_cipher_spec

    def feed(self, data: BytesLike) -> bytes:
        buffer = self._buffer
        buffer += data
        out = bytearray()
        position = 0
        if self._expect_ccs:
            if len(buffer) < len(_CCS_RECORD):
                if bytes(buffer) != _CCS_RECORD[: len(buffer)]:
                    raise FakeTlsError("fake TLS: the client's first record is not ChangeCipherSpec")
                return b""
            if bytes(buffer[:6]) != _CCS_RECORD:
                raise FakeTlsError("fake TLS: the client's first record is not ChangeCipherSpec")
            self._expect_ccs = False
            position = len(_CCS_RECORD)
        while len(buffer) - position >= 5:
            if bytes(buffer[position : position + 3]) != _APP_HEADER:
                raise FakeTlsError(
                    f"fake TLS: record header {bytes(buffer[position : position + 3]).hex()} is not "
                    "application data (170303)"
                )
            length = int.from_bytes(buffer[position + 3 : position + 5], "big")
            if not 0 < length <= MAX_RECORD_READ:
                raise FakeTlsError(f"fake TLS: record of {length} bytes is outside 1..{MAX_RECORD_READ}")
            end = position + 5 + length
            if len(buffer) < end:
                break
            out += buffer[position + 5 : end]
            position = end
        del buffer[:position]
        return bytes(out)


class _FakeTlsCodec(TransportCodec):
    """Shared part: obfuscated2 (padded intermediate inside) carried in application-data records."""

    name = "fake-tls"
    supports_quick_ack = True

    def __init__(self, side: str, *, max_frame_size: int, expect_change_cipher_spec: bool) -> None:
        super().__init__(side, max_frame_size=max_frame_size)  # type: ignore[arg-type]
        self._reader = _RecordReader(expect_change_cipher_spec=expect_change_cipher_spec)
        self._failure: TransportError | None = None

    def _records(self, data: BytesLike) -> bytes:
        if self._failure is not None:
            raise self._failure
        try:
            return self._reader.feed(data)
        except TransportError as exc:
            self._failure = exc
            raise


class FakeTlsClientCodec(_FakeTlsCodec):
    """Client codec after a verified handshake (built by :class:`FakeTlsClientHandshake`).

    :meth:`initial_bytes` is empty: the ChangeCipherSpec record and the
    obfuscated2 header ride in front of the first :meth:`encode`, in the same
    application-data record as the first frame, as the official apps send them.
    """

    def __init__(self, obfuscated: Obfuscated2) -> None:
        super().__init__("client", max_frame_size=obfuscated.max_frame_size, expect_change_cipher_spec=False)
        self._obfuscated = obfuscated
        self._opening: bytes | None = obfuscated.initial_bytes()

    @property
    def obfuscated(self) -> Obfuscated2:
        return self._obfuscated

    def initial_bytes(self) -> bytes:
        return b""

    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        data = self._obfuscated.encode(payload, quick_ack=quick_ack)
        if self._opening is None:
            return _app_records(data)
        opening, self._opening = self._opening, None
        return _CCS_RECORD + _app_records(opening + data)

    def encode_quick_ack(self, token: int) -> bytes:
        return self._obfuscated.encode_quick_ack(token)  # raises: only servers send quick acks

    def feed(self, data: BytesLike) -> list[Event]:
        plain = self._records(data)
        return self._obfuscated.feed(plain) if plain or not data else []


class FakeTlsServerCodec(_FakeTlsCodec):
    """Server codec after the ServerHello was sent: reads CCS, then the obfuscated2 stream from records.

    The client's 64-byte obfuscated2 header must decrypt (with the secret) to
    the padded-intermediate tag, as MTProxy demands of fake-TLS clients.
    """

    def __init__(
        self,
        key: bytes,
        *,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        super().__init__("server", max_frame_size=max_frame_size, expect_change_cipher_spec=True)
        self._key = key
        self._random_bytes = random_bytes
        self._header = bytearray()
        self._obfuscated: Obfuscated2 | None = None

    @property
    def dc_id(self) -> int | None:
        """The DC id from the client's obfuscated2 header (None until it arrived)."""
        return self._obfuscated.dc_id if self._obfuscated is not None else None

    def initial_bytes(self) -> bytes:
        return b""

    def encode(self, payload: BytesLike, *, quick_ack: bool = False) -> bytes:
        return _app_records(self._ready().encode(payload, quick_ack=quick_ack))

    def encode_quick_ack(self, token: int) -> bytes:
        return _app_records(self._ready().encode_quick_ack(token))

    def _ready(self) -> Obfuscated2:
        if self._obfuscated is None:
            raise TransportError("fake TLS: nothing can be sent before the client's obfuscated2 header arrived")
        return self._obfuscated

    def feed(self, data: BytesLike) -> list[Event]:
        plain = self._records(data)
        if self._obfuscated is None:
            self._header += plain
            if len(self._header) < HEADER_SIZE:
                return []
            header, plain = bytes(self._header[:HEADER_SIZE]), bytes(self._header[HEADER_SIZE:])
            self._header.clear()
            inner = PaddedIntermediate("server", max_frame_size=self.max_frame_size, random_bytes=self._random_bytes)
            try:
                self._obfuscated = Obfuscated2(inner, header=header, secret=self._key)
            except TransportError as exc:
                self._failure = FakeTlsError(f"fake TLS: obfuscated2 header refused: {exc}")
                raise self._failure from None
        return self._obfuscated.feed(plain) if plain or not data else []


# --- client handshake ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FakeTlsReady:
    """The client codec after the proxy proved the secret, and events from bytes that followed its answer."""

    codec: FakeTlsClientCodec
    events: list[Event]


class FakeTlsClientHandshake:
    """Client side of the fake-TLS opening: write :attr:`client_hello`, feed the answer until ready.

    ``feed`` returns None until the proxy's whole answer (ServerHello,
    ChangeCipherSpec, one application-data record) is in and its HMAC checks
    out, then one :class:`FakeTlsReady` whose codec carries obfuscated2 over
    padded intermediate with ``dc_id`` in its header.
    """

    def __init__(
        self,
        secret: MTProxySecret | BytesLike | str,
        *,
        dc_id: int,
        clock: Clock = time.time,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        parsed = secret if isinstance(secret, MTProxySecret) else MTProxySecret.parse(secret)
        if parsed.kind != "ee" or parsed.domain is None:
            raise ProxySecretError(f"fake TLS needs an ee secret with a domain, got a {parsed.kind} secret")
        self._secret = parsed
        self._dc_id = dc_id
        self._max_frame_size = max_frame_size
        self._random_bytes = random_bytes
        self._hello = build_client_hello(parsed.key, parsed.domain, int(clock()), random_bytes)
        self._buffer = bytearray()
        self._done = False

    @property
    def client_hello(self) -> bytes:
        return self._hello

    def feed(self, data: BytesLike) -> FakeTlsReady | None:
        if self._done:
            raise TransportError("fake TLS: handshake already complete; feed the codec instead")
        self._buffer += data
        end = self._flight_end(self._buffer)
        if end is None:
            return None
        self._done = True
        flight, rest = bytes(self._buffer[:end]), bytes(self._buffer[end:])
        self._buffer.clear()
        zeroed = flight[: _RANDOM.start] + bytes(32) + flight[_RANDOM.stop :]
        expected = hmac.new(self._secret.key, self._hello[_RANDOM] + zeroed, sha256).digest()
        if not hmac.compare_digest(expected, flight[_RANDOM]):
            raise FakeTlsServerHelloError("fake TLS: the ServerHello random does not prove the proxy's secret")
        inner = PaddedIntermediate("client", max_frame_size=self._max_frame_size, random_bytes=self._random_bytes)
        obfuscated = Obfuscated2(inner, secret=self._secret.key, dc_id=self._dc_id, random_bytes=self._random_bytes)
        codec = FakeTlsClientCodec(obfuscated)
        return FakeTlsReady(codec, codec.feed(rest) if rest else [])

    @staticmethod
    def _flight_end(buffer: bytearray) -> int | None:
        """Where the proxy's answer ends (ServerHello, CCS, app data), None if incomplete; raises if malformed."""
        position = 0
        for expected in (_HANDSHAKE_SERVER, _CCS_RECORD[:3], _APP_HEADER):
            if len(buffer) < position + 5:
                return None
            if bytes(buffer[position : position + 3]) != expected:
                raise FakeTlsServerHelloError(
                    f"fake TLS: proxy answered {bytes(buffer[position : position + 3]).hex()} where "
                    f"{expected.hex()} was expected (not an MTProxy fake-TLS answer)"
                )
            length = int.from_bytes(buffer[position + 3 : position + 5], "big")
            if not 0 < length <= MAX_RECORD_READ:
                raise FakeTlsServerHelloError(f"fake TLS: answer record of {length} bytes")
            position += 5 + length
        if len(buffer) < position:
            return None
        if buffer[5] != 0x02 or position < 5 + 4 + 2 + 32:
            raise FakeTlsServerHelloError("fake TLS: the proxy's first record is not a ServerHello")
        return position
