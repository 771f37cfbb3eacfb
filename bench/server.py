"""Group 7: our loopback server under load and at rest, driven by our own clients.

Telethon and kurigram ship no server, so these rows have no reference column:
they are our figures alone, for comparing two checkouts (see bench/README.md).

* **capacity**: ``clients`` clients (50), each keeping ``in_flight`` (100)
  ``ping`` calls outstanding (batches gathered back to back), against one
  server process.  The server runs in a child process pinned to its own core
  and the clients in this process on the other core, so the server is not
  sharing a core with the load it serves; the row's note gives how busy each
  process was (a server below ~90% of its core means the clients, not the
  server, set the figure).  The clients run on uvloop when it is installed
  (less client CPU per call, so more of the load reaches the server).
* **RSS per idle connection**: a fresh server process; ``idle_connections``
  clients connect (resuming one stored auth key, so no handshake each), make
  one call (the server then holds a session for it) and stay connected doing
  nothing; the server's RSS growth divided by their number.
* **RSS per session**: a fresh server process; ``sessions`` clients one after
  another connect (same auth key, a new session_id each), make one call and
  close; whatever the server keeps per session after its connection closed is
  what grows (each closed connection's own memory is freed and reused by the
  next one), divided by their number.

Both RSS rows measure the server process with psutil after a warm-up client
(the first handshake and the layer classes a call loads are in the baseline).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .loopback import HOST, ServerKey, ServerProcess, ServerStartError, keep_on_cpu
from .loops import ASYNCIO, UVLOOP, available_loops, run_on
from .peers import check_pong
from .report import Row

GROUP = "7 server"
NO_PEER = "no peer: Telethon and kurigram ship no server; compare checkouts (bench/README.md)"
TRANSPORT = "abridged"
CALL_TIMEOUT = 60.0
#: How long the server gets to settle before its RSS is read.
SETTLE_SECONDS = 0.5
CONNECT_CONCURRENCY = 20


@dataclass(frozen=True)
class ServerBenchSettings:
    """Sizes of the server group."""

    clients: int = 50
    in_flight: int = 100
    batches: int = 6  # per client and round
    rounds: int = 3
    idle_connections: int = 200
    sessions: int = 300


def _client(port: int, key: ServerKey, session_path: Path) -> object:
    from tlruntime.client import Client

    return Client(HOST, port, key.pem, transport=TRANSPORT, api_id=1, session_path=session_path, timeout=CALL_TIMEOUT)


async def _ping(client: object, ping_id: int) -> None:
    from tlruntime.tl.functions import Ping

    check_pong("ours", await client(Ping(ping_id=ping_id)), ping_id)  # type: ignore[operator]


async def _warm_up(port: int, key: ServerKey, session_path: Path) -> None:
    """Create the auth key (stored in ``session_path``) and load what a call needs, on both sides."""
    for _ in range(2):
        client = _client(port, key, session_path)
        try:
            await client.connect()  # type: ignore[attr-defined]
            await _ping(client, 1)
        finally:
            await client.close()  # type: ignore[attr-defined]


def _cpu_seconds(process: object) -> float:
    times = process.cpu_times()  # type: ignore[attr-defined]
    return float(times.user + times.system)


@dataclass
class _CapacityOutcome:
    rates: list[float]
    server_busy: list[float]
    clients_busy: list[float]


async def _capacity(port: int, key: ServerKey, pid: int, s: ServerBenchSettings) -> _CapacityOutcome:
    import psutil

    server, me = psutil.Process(pid), psutil.Process()
    with tempfile.TemporaryDirectory(prefix="tl-bench-capacity-") as tmp:
        path = Path(tmp) / "client.session"
        await _warm_up(port, key, path)
        clients = [_client(port, key, path) for _ in range(s.clients)]
        ids = itertools.count(2)
        try:
            await asyncio.gather(*(c.connect() for c in clients))  # type: ignore[attr-defined]

            async def drive(client: object, batches: int) -> None:
                for _ in range(batches):
                    await asyncio.gather(*(_ping(client, next(ids)) for _ in range(s.in_flight)))

            await asyncio.gather(*(drive(c, 1) for c in clients))  # warm the batched path
            outcome = _CapacityOutcome([], [], [])
            for _ in range(s.rounds):
                server_cpu, my_cpu = _cpu_seconds(server), _cpu_seconds(me)
                start = time.perf_counter()
                await asyncio.gather(*(drive(c, s.batches) for c in clients))
                elapsed = time.perf_counter() - start
                outcome.rates.append(s.clients * s.batches * s.in_flight / elapsed)
                outcome.server_busy.append((_cpu_seconds(server) - server_cpu) / elapsed)
                outcome.clients_busy.append((_cpu_seconds(me) - my_cpu) / elapsed)
            return outcome
        finally:
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)  # type: ignore[attr-defined]


async def _settled_rss(process: object) -> int:
    await asyncio.sleep(SETTLE_SECONDS)
    return int(process.memory_info().rss)  # type: ignore[attr-defined]


async def _rss_per_idle_connection(port: int, key: ServerKey, pid: int, count: int) -> float:
    import psutil

    server = psutil.Process(pid)
    with tempfile.TemporaryDirectory(prefix="tl-bench-idle-") as tmp:
        path = Path(tmp) / "client.session"
        await _warm_up(port, key, path)
        before = await _settled_rss(server)
        clients = [_client(port, key, path) for _ in range(count)]
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def open_one(client: object, ping_id: int) -> None:
            async with gate:
                await client.connect()  # type: ignore[attr-defined]
                await _ping(client, ping_id)

        try:
            await asyncio.gather(*(open_one(c, i) for i, c in enumerate(clients)))
            after = await _settled_rss(server)
        finally:
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)  # type: ignore[attr-defined]
    return (after - before) / count


async def _rss_per_session(port: int, key: ServerKey, pid: int, count: int) -> float:
    import psutil

    server = psutil.Process(pid)
    with tempfile.TemporaryDirectory(prefix="tl-bench-sessions-") as tmp:
        path = Path(tmp) / "client.session"
        await _warm_up(port, key, path)
        before = await _settled_rss(server)
        for ping_id in range(count):
            client = _client(port, key, path)
            try:
                await client.connect()  # type: ignore[attr-defined]
                await _ping(client, ping_id)
            finally:
                await client.close()  # type: ignore[attr-defined]
        after = await _settled_rss(server)
    return (after - before) / count


def _client_loop() -> str:
    return UVLOOP if available_loops()[UVLOOP] is None else ASYNCIO


def bench_server(s: ServerBenchSettings) -> list[Row]:
    """Capacity (calls/s) and the server's RSS per idle connection and per session (KiB)."""
    capacity = Row(GROUP, f"ping calls, {s.clients} clients x {s.in_flight} in flight", "calls/s", True, None)
    idle = Row(GROUP, f"server RSS per idle connection ({s.idle_connections} open)", "KiB", False, None)
    sessions = Row(GROUP, f"server RSS per session ({s.sessions}, connections closed)", "KiB", False, None)
    rows = [capacity, idle, sessions]
    for row in rows:
        row.notes.append(NO_PEER)
    try:
        import psutil  # noqa: F401

        from tlruntime.client import Client  # noqa: F401
        from tlruntime.tl.functions import Ping  # noqa: F401
    except ImportError as exc:
        for row in rows:
            row.unavailable = f"needs psutil and our client ({exc})"
        return rows

    loop = _client_loop()
    previous_affinity = keep_on_cpu(0)
    try:
        with ServerProcess(server_cpu=1) as server:
            key = _key(server)
            outcome = run_on(loop, _capacity(server.port, key, server.pid, s))
        capacity.ours = statistics.median(outcome.rates)
        capacity.best = {"ours": max(outcome.rates)}
        capacity.notes.append(
            f"clients on {loop}; server process busy {statistics.median(outcome.server_busy):.0%} of its core, "
            f"clients' process {statistics.median(outcome.clients_busy):.0%} of theirs (median of {s.rounds} rounds; "
            f"machine load average {_load_average()})"
        )
        with ServerProcess(server_cpu=1) as server:
            idle.ours = run_on(loop, _rss_per_idle_connection(server.port, _key(server), server.pid, s.idle_connections)) / 1024
        with ServerProcess(server_cpu=1) as server:
            sessions.ours = run_on(loop, _rss_per_session(server.port, _key(server), server.pid, s.sessions)) / 1024
        sessions.notes.append("all sessions under one auth key, one after another (connect, one call, close)")
    except ServerStartError as exc:
        for row in rows:
            if row.ours is None:
                row.unavailable = f"our loopback server does not start: {exc}"
    except Exception as exc:  # a failing measurement is reported, not hidden
        for row in rows:
            if row.ours is None:
                row.unavailable = f"{type(exc).__name__}: {exc}"
    finally:
        if previous_affinity is not None:
            keep_on_cpu(previous_affinity)
    return rows


def _load_average() -> str:
    """The 1-minute load average: both processes below 100% on a loaded VM means CPU went to neighbours."""
    try:
        return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def _key(server: ServerProcess) -> ServerKey:
    if server.key is None:
        raise ServerStartError("server started without a public key")
    return server.key
