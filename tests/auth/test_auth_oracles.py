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
import time
import types as pytypes

import pytest

from auth_helpers import SeededRandom
from tlruntime.auth import AuthKeyCreated, ServerHandshake
from tlruntime.auth.plain import unpack_plain
from tlruntime.crypto import rsa
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

    telethon_rsa.add_key(server_key.public_key.to_pem(), old=False)  # stays registered: a key, not a patch
    yield


def run_telethon(link: InMemoryLink) -> tuple[bytes, int]:
    from telethon.network import authenticator
    from telethon.network.mtprotoplainsender import MTProtoPlainSender

    loggers: collections.defaultdict[str, logging.Logger] = collections.defaultdict(
        lambda: logging.getLogger("telethon-oracle")
    )
    sender = MTProtoPlainSender(TelethonConnection(link), loggers=loggers)
    auth_key, time_offset = asyncio.run(authenticator.do_authentication(sender))
    return auth_key.key, time_offset


@pytest.mark.usefixtures("telethon_knows")
def test_telethon_creates_a_key_with_our_server(server_key: RSAPrivateKey) -> None:
    from telethon.errors import SecurityError

    # Telethon runs as published, with its own randomness.  It turns g^ab into bytes without
    # leading zeros, so for the 1 key in 256 that starts with a zero byte its step 3 fails
    # ("invalid new nonce hash") and a real Telethon starts over: so do we, for exactly that case.
    for seed in range(31, 35):
        link = InMemoryLink(ServerHandshake([server_key], random_bytes=SeededRandom(seed)))
        try:
            key, time_offset = run_telethon(link)
        except SecurityError:
            assert link.created is not None and link.created.auth_key[0] == 0
            continue
        break
    else:
        pytest.fail("four handshakes in a row made keys with a leading zero byte (odds 1 in 2**32)")
    assert link.created is not None
    assert key == link.created.auth_key
    assert link.created.dc_id is None  # legacy p_q_inner_data carries no DC
    assert_sent_legacy_rsa(link, server_key)
    assert abs(time_offset) <= 1


# A g_b shorter than 256 bytes (Telethon strips its leading zero bytes, 1 handshake in 256) is
# accepted: tests/auth/test_auth_server_checks.py::test_short_g_b_is_read_as_a_big_endian_number.


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
