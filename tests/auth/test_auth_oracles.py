"""Telethon's and kurigram's real handshake code against our ServerHandshake, in memory.

Both libraries are test-only peers: their auth-key code runs unmodified; only
the connection under it is replaced by an object that hands each payload to
our server and returns its answer.  Both send the legacy ``p_q_inner_data``
under the legacy SHA1 + raw-RSA scheme; Telethon may send a short ``g_b``.
(A later end-to-end suite runs both clients over real TCP.)
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import time
import types as pytypes

import pytest

from auth_helpers import SeededRandom
from tlruntime.auth import AuthKeyCreated, ServerHandshake
from tlruntime.auth.plain import unpack_plain
from tlruntime.crypto import rsa
from tlruntime.crypto.dh import TELEGRAM_DH_PRIME
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import HandshakeError
from tlruntime.tl import functions, types


class InMemoryLink:
    """The client side of a connection whose far end is our ServerHandshake."""

    def __init__(self, server: ServerHandshake) -> None:
        self.server = server
        self.replies: collections.deque[bytes] = collections.deque()
        self.created: AuthKeyCreated | None = None
        self.sent: list[bytes] = []

    def deliver(self, payload: bytes) -> None:
        self.sent.append(bytes(payload))
        try:
            answer = self.server.receive(bytes(payload))
        except HandshakeError as exc:  # the real server would close the connection
            raise ConnectionError(f"server closed the connection: {exc}") from exc
        if isinstance(answer, AuthKeyCreated):
            self.created = answer
            answer = answer.reply
        self.replies.append(answer)

    def next_reply(self) -> bytes:
        if not self.replies:
            raise ConnectionError("server has nothing to say")
        return self.replies.popleft()


def assert_sent_legacy_rsa(link: InMemoryLink, key: RSAPrivateKey) -> None:
    """The peer's req_DH_params used the legacy scheme with p_q_inner_data (so our fallback ran)."""
    request = functions.ReqDHParams.from_bytes(unpack_plain(link.sent[1])[1])
    decrypted = rsa.rsa_decrypt_raw(request.encrypted_data, key)
    with pytest.raises(HandshakeError):
        rsa.rsa_pad_unwrap(decrypted)
    _digest, rest = rsa.legacy_unwrap(decrypted)
    assert int.from_bytes(rest[:4], "little") == types.PQInnerData.CONSTRUCTOR_ID


# --- Telethon ------------------------------------------------------------------------------


class TelethonConnection:
    def __init__(self, link: InMemoryLink) -> None:
        self.link = link

    async def send(self, data: bytes) -> None:
        self.link.deliver(data)

    async def recv(self) -> bytes:
        return self.link.next_reply()


@pytest.fixture
def telethon_knows(server_key: RSAPrivateKey):  # type: ignore[no-untyped-def]
    from telethon.crypto import rsa as telethon_rsa

    telethon_rsa.add_key(server_key.public_key.to_pem(), old=False)
    yield
    telethon_rsa._server_keys.pop(server_key.public_key.fingerprint, None)


def run_telethon(server: ServerHandshake) -> tuple[bytes, int, InMemoryLink]:
    from telethon.network import authenticator
    from telethon.network.mtprotoplainsender import MTProtoPlainSender

    link = InMemoryLink(server)
    loggers: collections.defaultdict[str, logging.Logger] = collections.defaultdict(
        lambda: logging.getLogger("telethon-oracle")
    )
    sender = MTProtoPlainSender(TelethonConnection(link), loggers=loggers)
    auth_key, time_offset = asyncio.run(authenticator.do_authentication(sender))
    return auth_key.key, time_offset, link


@pytest.mark.usefixtures("telethon_knows")
def test_telethon_creates_a_key_with_our_server(server_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    from telethon.network import authenticator

    # Telethon's own randomness is seeded too (as in the short g_b test below), so the key is the
    # same every run: unseeded, 1 run in 256 made a key with a leading zero byte, which Telethon
    # drops and then fails its own step 3 (tests/e2e/test_telethon_peer.py tells that story).
    monkeypatch.setattr(authenticator, "os", pytypes.SimpleNamespace(urandom=SeededRandom(8)))
    server = ServerHandshake([server_key], random_bytes=SeededRandom(31))
    key, time_offset, link = run_telethon(server)
    assert key[0] != 0
    assert link.created is not None
    assert key == link.created.auth_key
    assert link.created.dc_id is None  # legacy p_q_inner_data carries no DC
    assert_sent_legacy_rsa(link, server_key)
    assert abs(time_offset) <= 1


def short_g_b_exponent(seed: int) -> int:
    """A b whose g_b = 3^b mod p fits in 255 bytes but still passes the 2^1984 bound."""
    b = int.from_bytes(SeededRandom(seed)(256), "big")
    g_b = pow(3, b, TELEGRAM_DH_PRIME)
    while not 2**1984 <= g_b < 2**2040:  # one multiplication per step, ~256 steps on average
        b += 1
        g_b = g_b * 3 % TELEGRAM_DH_PRIME
    return b


@pytest.mark.usefixtures("telethon_knows")
def test_telethon_short_g_b_is_accepted(server_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    from telethon.network import authenticator

    b = short_g_b_exponent(5)
    assert (pow(3, b, TELEGRAM_DH_PRIME).bit_length() + 7) // 8 < 256  # Telethon will send < 256 bytes

    def urandom(n: int) -> bytes:
        return b.to_bytes(256, "big") if n == 256 else os.urandom(n)

    monkeypatch.setattr(authenticator, "os", pytypes.SimpleNamespace(urandom=urandom))
    server = ServerHandshake([server_key], random_bytes=SeededRandom(32))
    key, _offset, link = run_telethon(server)
    assert link.created is not None and key == link.created.auth_key


# --- kurigram -------------------------------------------------------------------------------


class KurigramConnection:
    def __init__(self, link: InMemoryLink) -> None:
        self.link = link

    async def connect(self) -> None:
        return None

    async def send(self, data: bytes) -> None:
        self.link.deliver(data)

    async def recv(self) -> bytes:
        return self.link.next_reply()

    async def close(self) -> None:
        return None


@pytest.fixture
def kurigram_knows(server_key: RSAPrivateKey):  # type: ignore[no-untyped-def]
    from pyrogram.crypto import rsa as kurigram_rsa

    public = server_key.public_key
    kurigram_rsa.server_public_keys[public.fingerprint] = kurigram_rsa.PublicKey(public.n, public.e)
    yield
    kurigram_rsa.server_public_keys.pop(public.fingerprint, None)


@pytest.mark.usefixtures("kurigram_knows")
def test_kurigram_creates_a_key_with_our_server(server_key: RSAPrivateKey) -> None:
    from pyrogram.session.auth import Auth

    links: list[InMemoryLink] = []

    def connection_factory(**_options: object) -> KurigramConnection:
        link = InMemoryLink(ServerHandshake([server_key], random_bytes=SeededRandom(40 + len(links))))
        links.append(link)
        return KurigramConnection(link)

    async def run() -> bytes:
        client = pytypes.SimpleNamespace(
            ipv6=False,
            proxy=None,
            connection_factory=connection_factory,
            protocol_factory=None,
            loop=asyncio.get_running_loop(),
            server_time=time.time(),
        )
        auth = Auth(client, 2, "127.0.0.1", 443, False)  # type: ignore[arg-type]
        return await auth.create()  # type: ignore[no-any-return]

    auth_key = asyncio.run(run())
    assert len(links) == 1  # no retry: the first attempt succeeded
    created = links[0].created
    assert created is not None
    assert auth_key == created.auth_key
    assert created.dc_id is None
    assert_sent_legacy_rsa(links[0], server_key)
