"""Group 6: RPC round trips per second over loopback TCP against our own server.

The server runs in a child process on the other core (see
:mod:`bench.loopback`); this process stays on the first core while it drives
one client at a time: ours, Telethon's, kurigram's.  Each client does a
``ping`` round trip, first strictly one after another (latency bound), then
with ``in_flight`` calls outstanding at once via ``asyncio.gather``
(throughput bound).  Rates are medians over a few rounds.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from .loopback import ServerKey, ServerProcess, ServerStartError
from .peers import RpcDriver, connect_kurigram, connect_telethon
from .report import KURIGRAM, TELETHON, Row, Target

RPC_TARGET = Target("≥2x faster peer", factor=2.0, against=(TELETHON, KURIGRAM))
WARM_UP_CALLS = 20
ROUNDS = 5
OURS = "ours"
CLIENT_TIMEOUT = 300.0

Connect = Callable[[int, ServerKey], Awaitable[RpcDriver]]


async def _sequential_rate(driver: RpcDriver, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await driver.call()
    return calls / (time.perf_counter() - start)


async def _parallel_rate(driver: RpcDriver, calls: int, in_flight: int) -> float:
    batches = max(1, calls // in_flight)
    start = time.perf_counter()
    for _ in range(batches):
        await asyncio.gather(*(driver.call() for _ in range(in_flight)))
    return batches * in_flight / (time.perf_counter() - start)


async def _measure_client(
    connect: Connect, port: int, key: ServerKey, calls: int, in_flight: int
) -> tuple[float, float]:
    """(sequential, parallel) round trips per second for one client, medians over rounds."""
    driver = await connect(port, key)
    try:
        for _ in range(min(WARM_UP_CALLS, calls)):
            await driver.call()
        rounds = ROUNDS if calls >= ROUNDS * 10 else 1
        per_round = max(1, calls // rounds)
        sequential = [await _sequential_rate(driver, per_round) for _ in range(rounds)]
        parallel = [await _parallel_rate(driver, per_round, in_flight) for _ in range(rounds)]
    finally:
        await driver.close()
    return statistics.median(sequential), statistics.median(parallel)


def _connect_ours() -> tuple[Connect | None, str | None]:
    try:
        from .ours_client import connect_ours
    except ImportError as exc:
        return None, f"our client cannot be imported ({exc})"
    return connect_ours, None


def _keep_on_cpu(cpu: int) -> set[int] | None:
    """Pin this process to ``cpu``; returns the previous affinity to restore (None: untouched)."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None
    previous = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return previous


def bench_rpc(calls: int, in_flight: int) -> list[Row]:
    """Rows for sequential and ``in_flight``-parallel ping round trips per second."""
    sequential = Row("6 rpc", "ping round trips, sequential", "calls/s", True, None)
    parallel = Row("6 rpc", f"ping round trips, {in_flight} in flight", "calls/s", True, None)
    rows = [sequential, parallel]
    for row in rows:
        row.target = RPC_TARGET
    contenders: dict[str, Connect] = {TELETHON: connect_telethon, KURIGRAM: connect_kurigram}
    connect_ours, reason = _connect_ours()
    if connect_ours is None:
        for row in rows:
            row.unavailable = reason
    else:
        contenders = {OURS: connect_ours, **contenders}

    previous_affinity = _keep_on_cpu(0)
    try:
        with ServerProcess(server_cpu=1) as server:
            key = server.key
            if key is None:
                raise ServerStartError("server started without a public key")
            for name, connect in contenders.items():
                try:
                    seq, par = asyncio.run(
                        asyncio.wait_for(
                            _measure_client(connect, server.port, key, calls, in_flight),
                            CLIENT_TIMEOUT,
                        )
                    )
                except Exception as exc:  # one failing client must not hide the others
                    message = f"{name} failed against our server: {type(exc).__name__}: {exc}"
                    if name == OURS:
                        for row in rows:
                            row.unavailable = message
                    else:
                        sequential.notes.append(message)
                        for row in rows:
                            row.references[name] = None
                    continue
                if name == OURS:
                    sequential.ours, parallel.ours = seq, par
                else:
                    sequential.references[name], parallel.references[name] = seq, par
    except ServerStartError as exc:
        for row in rows:
            row.unavailable = f"our loopback server does not start: {exc}"
            row.references = {TELETHON: None, KURIGRAM: None}
    finally:
        if previous_affinity is not None:
            os.sched_setaffinity(0, previous_affinity)
    return rows
