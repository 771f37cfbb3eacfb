"""Fake TLS over real sockets on 127.0.0.1: the driver loops docs/TELEGRAM.md shows, both sides ours.

Proves the sans-IO pieces compose with asyncio as documented: the client waits
for the proxy's answer before sending, the acceptor's reply is written at once,
and frames echo through TLS records in both directions.
"""

from __future__ import annotations

import asyncio

import pytest
from transport_helpers import encrypted_message, unencrypted_message

from tlruntime.transports import Frame, TransportCodec
from tlruntime.transports.fake_tls import FakeTlsClientHandshake, FakeTlsHelloVerifier, FakeTlsReplayError
from tlruntime.transports.mtproxy import MTProxyAcceptor
from tlruntime.transports.proxy_secret import MTProxySecret

SECRET = MTProxySecret.parse("ee" + "5a" * 16 + b"cdn.example.org".hex())
MESSAGES = [unencrypted_message(40), encrypted_message(2, seed=4), encrypted_message(3000, seed=5)]


async def _serve(verifier: FakeTlsHelloVerifier, errors: list[BaseException]) -> asyncio.AbstractServer:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            acceptor = MTProxyAcceptor(SECRET, verifier=verifier)
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


async def _client(port: int, *, replay: bytes | None = None) -> tuple[list[bytes], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        handshake = FakeTlsClientHandshake(SECRET, dc_id=2)
        writer.write(replay or handshake.client_hello)
        ready = None
        while ready is None:
            chunk = await asyncio.wait_for(reader.read(65536), 5)
            if not chunk:
                raise ConnectionError("the proxy closed the connection during the handshake")
            ready = handshake.feed(chunk)
        codec = ready.codec
        received: list[bytes] = []
        for message in MESSAGES:
            writer.write(codec.encode(message))
            events = []
            while not events:
                chunk = await asyncio.wait_for(reader.read(65536), 5)
                if not chunk:
                    raise ConnectionError("the proxy closed the connection")
                events = codec.feed(chunk)
            received.extend(event.payload for event in events if isinstance(event, Frame))
        return received, handshake.client_hello
    finally:
        writer.close()


@pytest.mark.timeout(60)
def test_fake_tls_echo_over_loopback_and_replayed_hello_refused() -> None:
    async def run() -> None:
        errors: list[BaseException] = []
        verifier = FakeTlsHelloVerifier(SECRET)
        server = await _serve(verifier, errors)
        port = server.sockets[0].getsockname()[1]
        try:
            received, hello = await _client(port)
            assert received == MESSAGES
            assert errors == []
            # A recorded hello sent again on a new connection: the server refuses and closes.
            with pytest.raises(ConnectionError, match="during the handshake"):
                await _client(port, replay=hello)
            await asyncio.sleep(0.05)
            assert len(errors) == 1 and isinstance(errors[0], FakeTlsReplayError)
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(run())
