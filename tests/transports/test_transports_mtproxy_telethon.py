"""Oracle: Telethon 1.45's published MTProxy connection (dd secret) against our dd acceptor on 127.0.0.1.

The harness is a tiny asyncio echo server of this test's own: it feeds whatever
Telethon sends to :class:`MTProxyAcceptor`, then to the accepted codec, and
writes every frame back through the same codec.  Telethon is used as published
(its connection class, its header, its padding); only its address and secret
are configured.  Byte-level agreement in both directions proves the codec.
"""

from __future__ import annotations

import asyncio
import logging
import random

import pytest
from transport_helpers import unencrypted_message

from tlruntime.transports import Frame, TransportCodec
from tlruntime.transports.mtproxy import MTProxyAcceptor

KEY = bytes(range(0xA0, 0xB0))
MESSAGES = [unencrypted_message(size, seed=size) for size in (40, 52, 300, 5000)]


def _server_random(seed: int) -> "random.Random.randbytes":  # type: ignore[valid-type]
    """Seeded randomness whose padding-length draws stay in 0..3.

    The padded intermediate we write pads 0..3 bytes (the design's "be strict in what
    you send", as Telegram's MTProxy writes it); Telethon strips only ``len % 4``.
    Pinning the 1-byte draws keeps this oracle independent of the codec's default.
    """
    rng = random.Random(seed)

    def random_bytes(count: int) -> bytes:
        data = rng.randbytes(count)
        return bytes((data[0] & 3,)) if count == 1 else data

    return random_bytes


async def _echo_proxy(seen: dict[str, object], server_key: bytes) -> asyncio.AbstractServer:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        acceptor = MTProxyAcceptor("dd" + server_key.hex(), random_bytes=_server_random(7))
        codec: TransportCodec | None = None
        try:
            while chunk := await reader.read(65536):
                if codec is None:
                    decision = acceptor.feed(chunk)
                    if decision is None:
                        continue
                    codec = decision.codec
                    seen["kind"] = decision.kind
                    seen["dc_id"] = getattr(codec, "dc_id", None)
                    events = decision.events
                else:
                    events = codec.feed(chunk)
                for event in events:
                    assert isinstance(event, Frame)
                    seen.setdefault("frames", []).append(event.payload)  # type: ignore[union-attr]
                    writer.write(codec.encode(event.payload))
                await writer.drain()
        except Exception as exc:  # the test asserts on it; the harness must not hang the client
            seen["error"] = exc
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def _run_telethon(
    dc_id: int, server_key: bytes = KEY, seen: dict[str, object] | None = None
) -> tuple[list[bytes], dict[str, object]]:
    from telethon.network.connection import ConnectionTcpMTProxyRandomizedIntermediate

    class Loggers(dict):  # type: ignore[type-arg]
        def __missing__(self, key: str) -> logging.Logger:
            return logging.getLogger(key)

    seen = {} if seen is None else seen
    server = await _echo_proxy(seen, server_key)
    port = server.sockets[0].getsockname()[1]
    connection = ConnectionTcpMTProxyRandomizedIntermediate(
        "149.154.167.51", 443, dc_id, loggers=Loggers(), proxy=("127.0.0.1", port, "dd" + KEY.hex())
    )
    try:
        await asyncio.wait_for(connection.connect(timeout=5), 10)  # Telethon waits 2 s for a refusal
        received = []
        for message in MESSAGES:
            await asyncio.wait_for(connection.send(message), 5)
            received.append(await asyncio.wait_for(connection.recv(), 5))
    finally:
        await connection.disconnect()
        server.close()
        await server.wait_closed()
    return received, seen


@pytest.mark.timeout(60)
def test_telethon_mtproxy_dd_client_talks_to_our_acceptor() -> None:
    received, seen = asyncio.run(_run_telethon(dc_id=2))
    assert "error" not in seen, seen.get("error")
    assert seen["kind"] == "obfuscated2" and seen["dc_id"] == 2
    assert seen["frames"] == MESSAGES  # Telethon's frames, unpadded by our server codec
    assert received == MESSAGES  # our frames, read by Telethon's codec


@pytest.mark.timeout(60)
def test_our_acceptor_refuses_telethon_with_another_secret() -> None:
    from tlruntime.transports.mtproxy import MTProxyRefusedError

    seen: dict[str, object] = {}

    async def run() -> None:
        with pytest.raises(ConnectionError, match="closed the connection"):
            await _run_telethon(dc_id=2, server_key=bytes(16), seen=seen)

    asyncio.run(run())
    assert isinstance(seen["error"], MTProxyRefusedError)
    assert "frames" not in seen
