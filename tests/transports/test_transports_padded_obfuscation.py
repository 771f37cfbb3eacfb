"""Padded intermediate padding recovery, and the obfuscated2 header rules."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from transport_helpers import connect, encrypted_message, seeded_random_bytes, unencrypted_message

from tlruntime.errors import TransportCodeError, TransportError
from tlruntime.transports import (
    Abridged,
    Frame,
    Intermediate,
    Obfuscated2,
    PaddedIntermediate,
    make_client_codec,
    parse_proxy_secret,
)


def pinned_padding(padding_length: int) -> Callable[[int], bytes]:
    """random_bytes that asks for ``padding_length`` bytes of padding (first call), filled with 0xa5."""
    expect_length = True

    def random_bytes(n: int) -> bytes:
        nonlocal expect_length
        if expect_length:
            expect_length = padding_length == 0  # no padding request follows a zero length
            return bytes((padding_length,))
        expect_length = True
        return b"\xa5" * n

    return random_bytes


MESSAGES = [
    unencrypted_message(20),  # empty message_data
    unencrypted_message(40, seed=1),
    unencrypted_message(52, seed=2),
    unencrypted_message(1000, seed=3),
    encrypted_message(1, seed=4),  # 40 bytes
    encrypted_message(3, seed=5),  # 72 bytes, the smallest real encrypted message
    encrypted_message(64, seed=6),
]


@pytest.mark.parametrize("padding_length", range(16))
@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: f"{'plain' if m[:8] == bytes(8) else 'enc'}{len(m)}")
def test_padding_is_stripped_exactly(message: bytes, padding_length: int) -> None:
    # Read: the whole 0..15 the spec allows.  Written: 0..3, what every deployed peer strips.
    for sender_side, receiver_side in (("client", "server"), ("server", "client")):
        sender = PaddedIntermediate(sender_side, random_bytes=pinned_padding(padding_length))  # type: ignore[arg-type]
        receiver = PaddedIntermediate(receiver_side)  # type: ignore[arg-type]
        written = sender.encode(message)
        assert len(written) == 4 + len(message) + (padding_length & 3)
        assert written[4 + len(message) :] == b"\xa5" * (padding_length & 3)
        assert receiver.feed(written) == [Frame(message)]
        spec_padded = (len(message) + padding_length).to_bytes(4, "little") + message + b"\xa5" * padding_length
        assert PaddedIntermediate(receiver_side).feed(spec_padded) == [Frame(message)]  # type: ignore[arg-type]


@pytest.mark.parametrize("padding_length", range(16))
def test_padded_error_code_with_padding(padding_length: int) -> None:
    server = PaddedIntermediate("server", random_bytes=pinned_padding(padding_length))
    code = (-404).to_bytes(4, "little", signed=True)
    written = server.encode(code)
    assert len(written) == 8 + (padding_length & 3)
    spec_padded = (4 + padding_length).to_bytes(4, "little") + code + b"\xa5" * padding_length
    for wire in (written, spec_padded):
        with pytest.raises(TransportCodeError) as caught:
            PaddedIntermediate("client").feed(wire)
        assert caught.value.code == -404


def test_padding_length_comes_from_injected_randomness() -> None:
    message = unencrypted_message(40)
    lengths = {len(PaddedIntermediate("client", random_bytes=seeded_random_bytes(s)).encode(message)) for s in range(64)}
    assert lengths == {44 + pad for pad in range(4)}  # 0..3 bytes written, as Telegram's MTProxy does


# --- obfuscated2 header -------------------------------------------------------------


def _valid(seed: int) -> bytes:
    header = bytearray(seeded_random_bytes(seed)(64))
    header[0] = 0x42
    header[4] = 0x01
    return bytes(header)


FORBIDDEN = [
    b"\xef" + bytes(range(1, 64)),
    b"HEAD" + bytes(range(4, 64)),
    b"POST" + bytes(range(4, 64)),
    b"GET " + bytes(range(4, 64)),
    b"OPTI" + bytes(range(4, 64)),
    b"\xdd\xdd\xdd\xdd" + bytes(range(4, 64)),
    b"\xee\xee\xee\xee" + bytes(range(4, 64)),
    b"\x16\x03\x01\x02" + bytes(range(4, 64)),
    b"ABCD" + bytes(4) + bytes(range(8, 64)),
]


def _sequence(*blocks: bytes) -> Callable[[int], bytes]:
    queue = list(blocks)

    def random_bytes(n: int) -> bytes:
        block = queue.pop(0)
        assert len(block) == n
        return block

    return random_bytes


@pytest.mark.parametrize("forbidden", FORBIDDEN, ids=lambda b: b[:8].hex())
def test_forbidden_headers_are_redrawn(forbidden: bytes) -> None:
    good = _valid(1)
    codec = Obfuscated2(Abridged("client"), random_bytes=_sequence(forbidden, good))
    assert codec.initial_bytes()[:56] == good[:56]


def test_endless_forbidden_randomness_fails_instead_of_hanging() -> None:
    with pytest.raises(TransportError, match="forbidden headers"):
        Obfuscated2(Abridged("client"), random_bytes=lambda n: b"\xef" * n)


def test_header_layout_and_key_derivation_from_the_spec() -> None:
    init = _valid(2)
    codec = Obfuscated2(Intermediate("client"), dc_id=-3, random_bytes=_sequence(init))
    header = codec.initial_bytes()
    assert len(header) == 64 and header[:56] == init[:56]
    encryptor = Cipher(algorithms.AES(init[8:40]), modes.CTR(init[40:56])).encryptor()
    plain = init[:56] + b"\xee\xee\xee\xee" + (-3).to_bytes(2, "little", signed=True) + init[62:]
    assert header[56:] == encryptor.update(plain)[56:]
    # the stream continues after the header
    assert codec.encode(bytes(8)) == encryptor.update((8).to_bytes(4, "little") + bytes(8))
    assert codec.dc_id == -3


@pytest.mark.parametrize("dc_id", (2, -2, 10004, None))
def test_server_reads_dc_id_and_inner_protocol(dc_id: int | None) -> None:
    client, server = connect("obfuscated-padded", dc_id=dc_id)
    assert isinstance(server, Obfuscated2)
    assert isinstance(server.inner, PaddedIntermediate)
    assert server.name == "obfuscated-padded"
    if dc_id is not None:
        assert server.dc_id == dc_id
    assert server.initial_bytes() == b""


SECRET = bytes(range(16))


@pytest.mark.parametrize("secret", (SECRET, SECRET.hex(), b"\xdd" + SECRET, "dd" + SECRET.hex()))
def test_mtproxy_secret_roundtrip(secret: bytes | str) -> None:
    client, server = connect("obfuscated-padded", dc_id=2, secret=secret)
    message = unencrypted_message(64)
    assert server.feed(client.encode(message)) == [Frame(message)]
    assert client.feed(server.encode(message)) == [Frame(message)]


def test_mtproxy_secret_keys_are_hashed() -> None:
    init = _valid(3)
    codec = Obfuscated2(Abridged("client"), secret=SECRET, random_bytes=_sequence(init))
    key = hashlib.sha256(init[8:40] + SECRET).digest()
    encryptor = Cipher(algorithms.AES(key), modes.CTR(init[40:56])).encryptor()
    assert codec.initial_bytes()[56:60] == encryptor.update(init[:56] + b"\xef" * 4)[56:60]


def test_wrong_or_missing_secret_is_refused_by_the_server() -> None:
    client = make_client_codec("obfuscated-abridged", secret=SECRET, random_bytes=seeded_random_bytes(4))
    with pytest.raises(TransportError, match="protocol tag"):
        Obfuscated2.from_client_header(client.initial_bytes())
    with pytest.raises(TransportError, match="protocol tag"):
        Obfuscated2.from_client_header(client.initial_bytes(), secret=bytes(16))
    assert Obfuscated2.from_client_header(client.initial_bytes(), secret=SECRET).name == "obfuscated-abridged"


def test_secret_validation() -> None:
    assert parse_proxy_secret(None) == (None, False)
    assert parse_proxy_secret(b"\xdd" + SECRET) == (SECRET, True)
    with pytest.raises(TransportError, match="padded intermediate"):
        make_client_codec("obfuscated-abridged", secret=b"\xdd" + SECRET)
    with pytest.raises(TransportError, match="fake-TLS"):
        parse_proxy_secret(b"\xee" + SECRET + b"example.com")
    with pytest.raises(TransportError, match="16 bytes"):
        parse_proxy_secret(bytes(15))
    with pytest.raises(TransportError, match="hex"):
        parse_proxy_secret("not hex")


def test_server_codec_checks_header_against_its_inner_protocol() -> None:
    client = make_client_codec("obfuscated-abridged", random_bytes=seeded_random_bytes(5))
    with pytest.raises(TransportError, match="announces efefefef"):
        Obfuscated2(Intermediate("server"), header=client.initial_bytes())
    assert Obfuscated2(Abridged("server"), header=client.initial_bytes()).dc_id is not None
    with pytest.raises(TransportError, match="64 bytes"):
        Obfuscated2.from_client_header(client.initial_bytes()[:63])
    with pytest.raises(TransportError, match="needs the client's"):
        Obfuscated2(Abridged("server"))
    with pytest.raises(TransportError, match="generates its own header"):
        Obfuscated2(Abridged("client"), header=client.initial_bytes())
