"""Group 8: how long a client takes from nothing to its first answers, with a new auth key.

The server runs in a child process on the other core (see :mod:`bench.loopback`).
One sample is: open a TCP connection, create an auth key (pq, RSA, 2048-bit DH),
send ``initConnection(help.getConfig)`` as Telegram clients do, and get one
``ping`` answered; then close.  Every client does the same round trips:

* Telethon 1.45: ``TelegramClient.connect()`` on an empty ``MemorySession``
  (handshake, then ``invokeWithLayer(initConnection(help.getConfig))``), then a ping.
  Its handshake starts over when ``g_ab`` has a leading zero byte (1 key in 256):
  that is part of what it costs, so it stays in the figure.
* kurigram 2.2.26: ``Client.connect()`` on an in-memory storage (same), then a ping.
* ours: ``Client.connect()`` (handshake), ``help.getConfig`` (wrapped in
  ``initConnection`` by the client), then a ping.

Our client also does the PFS variants, which no peer implements: a permanent
and a temporary key plus ``auth.bindTempAuthKey``, and (permanent key already
stored) the temporary key and binding alone.  Figures are medians in
milliseconds over samples interleaved across clients (after one untimed
warm-up sample each, which pays for imports).
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from .loopback import HOST, ServerKey, ServerProcess, ServerStartError, keep_on_cpu
from .loops import ASYNCIO, run_on
from .peers import API_HASH, CALL_TIMEOUT, check_pong
from .report import KURIGRAM, TELETHON, Row

GROUP = "8 handshake"
RUN_TIMEOUT = 600.0

Sample = Callable[[int, ServerKey], Awaitable[None]]
"""One timed run: connect with a new key, first calls answered, close."""


async def _telethon(port: int, key: ServerKey) -> None:
    from telethon import TelegramClient  # type: ignore[import-untyped]
    from telethon.crypto import rsa  # type: ignore[import-untyped]
    from telethon.network.connection import ConnectionTcpAbridged  # type: ignore[import-untyped]
    from telethon.sessions import MemorySession  # type: ignore[import-untyped]
    from telethon.tl.functions import PingRequest  # type: ignore[import-untyped]

    rsa.add_key(key.pem, old=False)
    session = MemorySession()
    session.set_dc(2, HOST, port)
    client = TelegramClient(
        session, api_id=1, api_hash=API_HASH, connection=ConnectionTcpAbridged, receive_updates=False,
        timeout=CALL_TIMEOUT, connection_retries=3, request_retries=1, auto_reconnect=False,
    )
    try:
        await client.connect()
        check_pong("Telethon", await client(PingRequest(ping_id=7)), 7)
    finally:
        await client.disconnect()


async def _kurigram(port: int, key: ServerKey) -> None:
    from pyrogram import Client
    from pyrogram.connection.transport import TCPAbridged
    from pyrogram.crypto import rsa
    from pyrogram.raw.functions.ping import Ping
    from pyrogram.storage import SQLiteStorage

    rsa.server_public_keys[key.fingerprint] = rsa.PublicKey(key.n, key.e)
    with tempfile.TemporaryDirectory(prefix="tl-bench-kurigram-") as workdir:

        class LoopbackStorage(SQLiteStorage):
            async def server_address(self, value: str | type[object] | None = object) -> str:
                return HOST

            async def port(self, value: int | type[object] | None = object) -> int:
                return port

        client = Client(
            "bench", api_id=1, api_hash=API_HASH,
            storage_engine=LoopbackStorage("bench", workdir=Path(workdir), in_memory=True),
            protocol_factory=TCPAbridged, workdir=workdir, no_updates=True, loop=asyncio.get_running_loop(),
        )
        try:
            await client.connect()
            check_pong("kurigram", await client.invoke(Ping(ping_id=7), timeout=CALL_TIMEOUT), 7)
        finally:
            await client.disconnect()


async def _ours(port: int, key: ServerKey, **options: object) -> None:
    from tlruntime.client import Client
    from tlruntime.tl import functions

    client = Client(HOST, port, key.pem, transport="abridged", api_id=1, **options)  # type: ignore[arg-type]
    try:
        await client.connect()
        await client(functions.help.GetConfig())
        check_pong("ours", await client(functions.Ping(ping_id=7)), 7)
    finally:
        await client.close()


def _ours_perm(port: int, key: ServerKey) -> Awaitable[None]:
    return _ours(port, key)


def _ours_temp(port: int, key: ServerKey) -> Awaitable[None]:
    return _ours(port, key, temp_keys=True)


class _StoredPerm:
    """Ours with ``temp_keys=True`` and a stored permanent key: only the temporary key and binding are new."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="tl-bench-pfs-")
        self.path: Path | None = None

    async def prepare(self, port: int, key: ServerKey) -> None:
        if self.path is None:
            self.path = Path(self._dir.name) / "client.sqlite"
            await _ours(port, key, temp_keys=True, session_path=self.path)  # stores the permanent key

    def __call__(self, port: int, key: ServerKey) -> Awaitable[None]:
        return _ours(port, key, temp_keys=True, session_path=self.path)

    def close(self) -> None:
        self._dir.cleanup()


async def _phase(sample: Sample, port: int, key: ServerKey, count: int, times: list[float]) -> None:
    for _ in range(count):
        start = time.perf_counter()
        await asyncio.wait_for(sample(port, key), CALL_TIMEOUT)
        times.append((time.perf_counter() - start) * 1000.0)


def bench_handshake(samples: int) -> list[Row]:
    """Rows: new permanent key (ours, Telethon, kurigram), and our PFS variants; medians in ms."""
    perm = Row(GROUP, "new auth key + initConnection + ping", "ms", False, None)
    temp = Row(GROUP, "perm key + temp key + bindTempAuthKey + initConnection + ping", "ms", False, None)
    bind = Row(GROUP, "temp key + bindTempAuthKey + initConnection + ping (perm key stored)", "ms", False, None)
    for row in (temp, bind):
        row.notes.append("no peer binds temporary keys (Telethon 1.45 and kurigram 2.2.26 have no PFS)")
    rows = [perm, temp, bind]
    stored = _StoredPerm()
    # (row index, contender) -> one timed sample (Row is a mutable dataclass, so rows are keyed by index).
    contenders: dict[tuple[int, str], Sample] = {
        (0, "ours"): _ours_perm,
        (0, TELETHON): _telethon,
        (0, KURIGRAM): _kurigram,
        (1, "ours"): _ours_temp,
        (2, "ours"): stored,
    }
    times: dict[tuple[int, str], list[float]] = {pair: [] for pair in contenders}
    failures: dict[tuple[int, str], str] = {}
    cycles = 3 if samples >= 6 else 1
    per_phase = max(1, samples // cycles)
    logging.getLogger("telethon").setLevel(logging.ERROR)
    logging.getLogger("pyrogram").setLevel(logging.ERROR)
    previous_affinity = keep_on_cpu(0)
    try:
        with ServerProcess(server_cpu=1) as server:
            key = server.key
            if key is None:
                raise ServerStartError("server started without a public key")
            run_on(ASYNCIO, asyncio.wait_for(stored.prepare(server.port, key), RUN_TIMEOUT))
            for pair, sample in contenders.items():  # warm-up, untimed: imports and first-use costs
                try:
                    run_on(ASYNCIO, asyncio.wait_for(_phase(sample, server.port, key, 1, []), RUN_TIMEOUT))
                except Exception as exc:
                    failures[pair] = f"{pair[1]} failed against our server: {type(exc).__name__}: {exc}"
            for _ in range(cycles):
                for pair, sample in contenders.items():
                    if pair in failures:
                        continue
                    try:
                        run_on(ASYNCIO, asyncio.wait_for(_phase(sample, server.port, key, per_phase, times[pair]), RUN_TIMEOUT))
                    except Exception as exc:  # one failing client must not hide the others
                        failures[pair] = f"{pair[1]} failed against our server: {type(exc).__name__}: {exc}"
        for (index, name), values in times.items():
            row = rows[index]
            failure = failures.get((index, name))
            if name == "ours":
                if failure is not None:
                    row.unavailable = failure
                else:
                    row.ours = statistics.median(values)
                    row.best[name] = min(values)
            elif failure is not None:
                row.references[name] = None
                row.notes.append(failure)
            else:
                row.references[name] = statistics.median(values)
                row.best[name] = min(values)
    except ServerStartError as exc:
        for row in rows:
            row.unavailable = f"our loopback server does not start: {exc}"
        perm.references = {TELETHON: None, KURIGRAM: None}
    finally:
        stored.close()
        if previous_affinity is not None:
            keep_on_cpu(previous_affinity)
    return rows
