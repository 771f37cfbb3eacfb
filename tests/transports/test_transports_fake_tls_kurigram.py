"""Oracle: kurigram 2.2.26's published fake-TLS client (TDLib's ClientHello, as ported) against our side.

* kurigram's ``build_client_hello`` passes our verifier (HMAC, timestamp, SNI)
  and its tampered, stale and replayed forms are refused with our typed errors;
* kurigram's ``server_hello_is_authentic`` accepts our acceptor's answer (and
  refuses it under another secret);
* kurigram's ``TCPIntermediatePadded`` transport with an ``ee`` (and a ``dd``)
  MTProxy setting connects to our acceptor through a small asyncio echo harness
  on 127.0.0.1, and frames cross both ways.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from transport_helpers import encrypted_message, seeded_random_bytes

from tlruntime.transports import Frame, TransportCodec
from tlruntime.transports.fake_tls import (
    FakeTlsDigestError,
    FakeTlsHelloVerifier,
    FakeTlsReplayError,
    FakeTlsStaleHelloError,
)
from tlruntime.transports.mtproxy import MTProxyAcceptor
from tlruntime.transports.proxy_secret import MTProxySecret

KEY = bytes(range(0x30, 0x40))
DOMAIN = "www.cloudflare.com"
SECRET = MTProxySecret("ee", KEY, DOMAIN)
NOW = 1_764_400_000


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _kurigram_hello(unix_time: int = NOW, secret: bytes = KEY) -> tuple[bytes, bytes]:
    from pyrogram.crypto import faketls

    hello = faketls.build_client_hello(domain=DOMAIN, secret=secret, unix_time=unix_time)
    return hello.record, hello.random


def test_kurigram_hello_passes_our_verifier() -> None:
    record, _ = _kurigram_hello()
    accepted = FakeTlsHelloVerifier(SECRET, clock=Clock(NOW + 2)).verify(record)
    assert accepted.timestamp == NOW and accepted.domain == DOMAIN


def test_kurigram_hello_tampered_stale_or_replayed_is_refused() -> None:
    record, _ = _kurigram_hello()
    verifier = FakeTlsHelloVerifier(SECRET, clock=Clock(NOW))
    with pytest.raises(FakeTlsDigestError):
        verifier.verify(_kurigram_hello(secret=bytes(16))[0])
    with pytest.raises(FakeTlsStaleHelloError):
        verifier.verify(_kurigram_hello(unix_time=NOW - 3600)[0])
    verifier.verify(record)
    with pytest.raises(FakeTlsReplayError):
        verifier.verify(record)


def test_our_answer_is_authentic_to_kurigram() -> None:
    from pyrogram.crypto import faketls

    record, client_random = _kurigram_hello()
    acceptor = MTProxyAcceptor(
        SECRET, verifier=FakeTlsHelloVerifier(SECRET, clock=Clock(NOW)), random_bytes=seeded_random_bytes(3)
    )
    decision = acceptor.feed(record)
    assert decision is not None and decision.kind == "fake-tls"
    assert faketls.server_hello_is_authentic(decision.reply, secret=KEY, client_random=client_random)
    assert not faketls.server_hello_is_authentic(decision.reply, secret=bytes(16), client_random=client_random)


async def _echo_proxy(errors: list[BaseException]) -> asyncio.AbstractServer:
    verifier = FakeTlsHelloVerifier(SECRET)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            acceptor = MTProxyAcceptor(SECRET, verifier=verifier, random_bytes=random.Random(5).randbytes)
            decision = None
            while decision is None:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                decision = acceptor.feed(chunk)
            writer.write(decision.reply)
            codec: TransportCodec = decision.codec
            events = list(decision.events)
            while True:
                for event in events:
                    assert isinstance(event, Frame)
                    writer.write(codec.encode(event.payload))
                await writer.drain()
                chunk = await reader.read(65536)
                if not chunk:
                    return
                events = codec.feed(chunk)
        except Exception as exc:
            errors.append(exc)
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("secret", "sni"), [(KEY, DOMAIN), (b"\xdd" + KEY, None)], ids=("ee-fake-tls", "dd-obfuscated2")
)
def test_kurigram_transport_talks_through_our_acceptor(secret: bytes, sni: str | None) -> None:
    from pyrogram.connection.proxy import MTProxy
    from pyrogram.connection.transport.tcp.tcp_intermediate_padded import TCPIntermediatePadded

    # Encrypted-shaped messages: kurigram strips padding by the encrypted layout (24 + 16k).
    messages = [encrypted_message(blocks, seed=blocks) for blocks in (1, 4, 300, 2000)]

    async def run() -> list[bytes]:
        errors: list[BaseException] = []
        server = await _echo_proxy(errors)
        port = server.sockets[0].getsockname()[1]
        transport = TCPIntermediatePadded(
            proxy=MTProxy(hostname="127.0.0.1", port=port, secret=secret, sni_hostname=sni), dc_id=2
        )
        try:
            await transport.connect(("149.154.167.51", 443))
            received = []
            for message in messages:
                await transport.send(message)
                received.append(await asyncio.wait_for(transport.recv(), 10))
        finally:
            await transport.close()
            server.close()
            await server.wait_closed()
        assert errors == []
        return received

    assert asyncio.run(run()) == messages
