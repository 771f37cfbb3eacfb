"""Client corners: giving up names the transport error; after giving up, ping() reconnects like a call."""

from __future__ import annotations

import asyncio
import time

from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import ConnectionLostError
from tlruntime.server import LoopbackServer
from tlruntime.tl import functions

HOST = "127.0.0.1"


class SwitchProxy:
    """Forwards to ``upstream``, or (``refuse``) closes every new connection at once."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.refuse = False
        self._pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, HOST, 0)
        return int(self._server.sockets[0].getsockname()[1])

    def drop_all(self) -> None:
        for writer in list(self._pipes):
            writer.transport.abort()

    async def close(self) -> None:
        self.drop_all()
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refuse:
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection(HOST, self.upstream)
        self._pipes.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(1 << 16):
                dst.write(data)

        await asyncio.wait([asyncio.create_task(pipe(reader, up_writer)), asyncio.create_task(pipe(up_reader, writer))],
                           return_when=asyncio.FIRST_COMPLETED)
        for one in (writer, up_writer):
            one.transport.abort()
            self._pipes.discard(one)


def test_giving_up_names_the_error_and_ping_reconnects_afterwards(server_key: RSAPrivateKey) -> None:
    async def scenario() -> tuple[str, float, int]:
        async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
            proxy = SwitchProxy(server.port)
            port = await proxy.start()
            async with Client(HOST, port, server.public_key, timeout=20, max_reconnects=2,
                              reconnect_delay=0.01) as client:
                await client.ping()
                proxy.refuse = True
                proxy.drop_all()
                try:
                    await client(functions.help.GetConfig())
                except ConnectionLostError as error:
                    message = str(error)
                else:
                    raise AssertionError("the call should have failed: every reconnect is refused")
                proxy.refuse = False
                started = time.monotonic()
                pong = await client.ping()  # must start a reconnect itself, not wait out its timeout
                seconds = time.monotonic() - started
                assert pong.ping_id is not None
                reconnects = client.reconnects
            await proxy.close()
            return message, seconds, reconnects

    message, seconds, reconnects = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert "after 3 attempts" in message  # max_reconnects + 1 in a row, one retry policy
    assert not message.endswith("None") and "Error" in message, message
    assert seconds < 3 and reconnects >= 1
