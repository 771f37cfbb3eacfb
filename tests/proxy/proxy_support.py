"""Helpers of the proxy tests (a uniquely named module: tests/ is not a package).

Real sockets on 127.0.0.1 only.  SOCKS5 and HTTP CONNECT proxies are pproxy
(PyPI, test extra) run in-process as published: only its listen address,
users and logging callback are configured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

HOST = "127.0.0.1"
#: A documentation address (TEST-NET-3): a client behind an MTProxy must never dial it.
UNREACHABLE_DC = "203.0.113.7"
SECRET_HEX = "00112233445566778899aabbccddeeff"


def run(coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
    """Run ``coro`` on a fresh event loop, failing (not hanging) after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def future_date(seconds: int = 86_400) -> int:
    return int(time.time()) + seconds


@dataclass
class RunningProxy:
    port: int
    #: pproxy's log lines: one per relayed connection ("socks5 127.0.0.1:x -> 127.0.0.1:y"),
    #: one per refusal ("Unauthorized SOCKS from 127.0.0.1").
    log: list[str] = field(default_factory=list)


@asynccontextmanager
async def pproxy_server(scheme: str, users: str | None = None) -> AsyncIterator[RunningProxy]:
    """A pproxy server for ``scheme`` ("socks5" or "http") on 127.0.0.1, optionally with ``user:pass``."""
    import pproxy

    uri = f"{scheme}://{HOST}:0" + (f"#{users}" if users else "")
    log: list[str] = []
    # authtime=0: pproxy otherwise remembers an authenticated IP for 30 days (127.0.0.1 for every test).
    server = await pproxy.Server(uri).start_server({"rserver": [], "verbose": log.append, "authtime": 0})
    try:
        yield RunningProxy(server.sockets[0].getsockname()[1], log)
    finally:
        server.close()
        await server.wait_closed()


@dataclass
class RunningRelay:
    port: int
    #: What each client sent, one buffer per connection, in order.
    sent: list[bytearray] = field(default_factory=list)


@asynccontextmanager
async def recording_relay(
    target_port: int, mangle_first_answer: Callable[[bytes], bytes] | None = None
) -> AsyncIterator[RunningRelay]:
    """A plain TCP relay to ``target_port`` that records what clients send (to replay it later).

    ``mangle_first_answer`` rewrites the server's first chunk on each connection (a forged answer).
    """
    relay = RunningRelay(0)
    tasks: set[asyncio.Task[Any]] = set()

    async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter, record: bytearray | None) -> None:
        mangle = mangle_first_answer if record is None else None
        try:
            while data := await source.read(65536):
                if record is not None:
                    record += data
                if mangle is not None:
                    data, mangle = mangle(data), None
                sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            sink.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        record = bytearray()
        relay.sent.append(record)
        up_reader, up_writer = await asyncio.open_connection(HOST, target_port)
        await asyncio.gather(pump(reader, up_writer, record), pump(up_reader, writer, None))

    def start(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(handle(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(start, HOST, 0)
    relay.port = server.sockets[0].getsockname()[1]
    try:
        yield relay
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def first_answer(port: int, opening: bytes, *, timeout: float = 5.0) -> bytes:
    """Send ``opening`` on a new connection; what the server sent before it closed, or its first chunk.

    b"" means the server closed the connection without a byte (a refusal).
    """
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(opening)
        await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(65536), timeout)
        except ConnectionResetError:
            return b""
    finally:
        writer.close()
