"""A TCP relay on 127.0.0.1 that injects one fault into the first connection that carries traffic after arming.

Faults, each in one direction (``"c2s"`` client to server, ``"s2c"`` back):

* ``drop``: close both sockets instead of forwarding a chunk;
* ``cut``: forward the first half of a chunk, then close both sockets;
* ``flip``: flip the last byte of a chunk (inside a frame's payload), keep going;
* ``reorder``: hold a chunk back and forward it after the next one.

Faults trigger on a chunk of at least ``min_chunk`` bytes once armed, so the
handshake and lone acks pass and the fault hits calls in flight.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

__all__ = ["Fault", "FaultRelay"]


@dataclass
class Fault:
    kind: str  # drop | cut | flip | reorder | none
    direction: str = "c2s"
    min_chunk: int = 256
    armed: bool = False
    fired: bool = False
    held: bytes | None = field(default=None, repr=False)


class FaultRelay:
    def __init__(self, upstream_port: int, fault: Fault) -> None:
        self.upstream_port = upstream_port
        self.fault = fault
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def __aenter__(self) -> "FaultRelay":
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        tasks = [
            asyncio.create_task(self._pipe(reader, up_writer, "c2s", (writer, up_writer))),
            asyncio.create_task(self._pipe(up_reader, writer, "s2c", (writer, up_writer))),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for one in (writer, up_writer):
            one.transport.abort()
            self._writers.discard(one)

    def _release(self, dst: asyncio.StreamWriter) -> None:
        held, self.fault.held = self.fault.held, None
        if held is not None and not dst.transport.is_closing():
            dst.write(held)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, direction: str,
                    both: tuple[asyncio.StreamWriter, asyncio.StreamWriter]) -> None:
        fault = self.fault
        while True:
            data = await src.read(1 << 16)
            if not data:
                return
            if fault.held is not None and direction == fault.direction:
                dst.write(data)
                dst.write(fault.held)
                fault.held = None
                continue
            if fault.armed and not fault.fired and direction == fault.direction and len(data) >= fault.min_chunk:
                fault.fired = True
                if fault.kind == "drop":
                    return
                if fault.kind == "cut":
                    dst.write(data[: len(data) // 2])
                    await dst.drain()
                    return
                if fault.kind == "flip":
                    data = data[:-1] + bytes([data[-1] ^ 0xFF])
                elif fault.kind == "reorder":
                    fault.held = data
                    # Released behind the next chunk, or on its own soon if none comes.
                    asyncio.get_running_loop().call_later(0.05, self._release, dst)
                    continue
            dst.write(data)
