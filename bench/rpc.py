"""Group 6: RPC round trips per second over loopback TCP against our own server.

The server runs in a child process on the other core (see
:mod:`bench.loopback`); this process stays on the first core while it drives
the three clients, ours, Telethon's and kurigram's, one after another, each
in a phase of its own (see :func:`_measure_one`).  Each does ``ping`` round
trips, first strictly one after another (latency bound), then with
``in_flight`` calls outstanding at once via ``asyncio.gather`` (throughput
bound); rates are medians over the rounds.

Every row exists once per event loop (stdlib asyncio, and uvloop when the
optional extra is installed): all three clients of a row run on the same
loop, and the target compares them on that loop.  The phases of all
(loop, client) pairs are interleaved, so a slow minute of the VM is spread
over every row.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .loopback import ServerKey, ServerProcess, ServerStartError, keep_on_cpu
from .loops import ASYNCIO, available_loops, run_on
from .peers import RpcDriver, connect_kurigram, connect_telethon
from .report import KURIGRAM, TELETHON, Row, Target

RPC_TARGET = Target("≥2x faster peer, same loop", factor=2.0, against=(TELETHON, KURIGRAM))
WARM_UP_CALLS = 20
ROUNDS = 3  # per phase
CYCLES = 3  # phases per client, interleaved across clients
OURS = "ours"
CONNECT_TIMEOUT = 60.0
RUN_TIMEOUT = 600.0

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


@dataclass
class _Outcome:
    """Per-client rates collected over the rounds, or why the client dropped out."""

    sequential: list[float] = field(default_factory=list)
    parallel: list[float] = field(default_factory=list)
    failure: str | None = None


async def _measure_one(connect: Connect, port: int, key: ServerKey, calls: int, in_flight: int) -> _Outcome:
    """Connect one client, warm it up, measure its rounds, close it.

    Each client is measured in a phase of its own, in a fresh event loop, with
    the others disconnected: a client's background machinery (kurigram runs its
    crypto in a thread pool and keeps ping tasks) measurably slowed whichever
    client shared the process with it, which measured the neighbour rather
    than the client.  The server stays the same process throughout.
    """
    outcome = _Outcome()
    try:
        driver = await asyncio.wait_for(connect(port, key), CONNECT_TIMEOUT)
    except Exception as exc:  # one failing client must not hide the others
        outcome.failure = f"{type(exc).__name__}: {exc}"
        return outcome
    rounds = ROUNDS if calls >= ROUNDS * 10 else 1
    per_round = max(1, calls // rounds)
    try:
        for _ in range(min(WARM_UP_CALLS, calls)):
            await asyncio.wait_for(driver.call(), CONNECT_TIMEOUT)
        for _ in range(rounds):
            outcome.sequential.append(await _sequential_rate(driver, per_round))
        await _parallel_rate(driver, in_flight, in_flight)  # warm the batched path
        for _ in range(rounds):
            outcome.parallel.append(await _parallel_rate(driver, per_round, in_flight))
    except Exception as exc:
        outcome.failure = f"{type(exc).__name__}: {exc}"
    finally:
        try:
            await asyncio.wait_for(driver.close(), CONNECT_TIMEOUT)
        except Exception:  # closing is best effort; the figures are already taken
            pass
    return outcome


def _measure_all(
    loops: list[str], contenders: dict[str, Connect], port: int, key: ServerKey, calls: int, in_flight: int
) -> dict[tuple[str, str], _Outcome]:
    """Phases per (loop, client) (see :func:`_measure_one`), cycled CYCLES times, each bounded by RUN_TIMEOUT.

    Cycling through every loop and client several times spreads the VM's slow
    drift in speed over all of them instead of billing one phase's luck to
    one; the rounds of all of a pair's phases feed its median.
    """
    outcomes = {(loop, name): _Outcome() for loop in loops for name in contenders}
    cycles = CYCLES if calls >= CYCLES * ROUNDS * 10 else 1
    for _ in range(cycles):
        for loop in loops:
            for name, connect in contenders.items():
                outcome = outcomes[loop, name]
                if outcome.failure is not None:
                    continue
                try:
                    phase = run_on(
                        loop,
                        asyncio.wait_for(_measure_one(connect, port, key, calls // cycles, in_flight), RUN_TIMEOUT),
                    )
                except Exception as exc:
                    phase = _Outcome(failure=f"{type(exc).__name__}: {exc}")
                outcome.sequential += phase.sequential
                outcome.parallel += phase.parallel
                if phase.failure is not None:
                    outcome.failure = f"{name} failed against our server on {loop}: {phase.failure}"
    return outcomes


def _connect_ours() -> tuple[Connect | None, str | None]:
    try:
        from .ours_client import connect_ours
    except ImportError as exc:
        return None, f"our client cannot be imported ({exc})"
    return connect_ours, None


def _rows_for(loop: str, in_flight: int) -> tuple[Row, Row]:
    suffix = "" if loop == ASYNCIO else f", {loop}"
    sequential = Row("6 rpc", f"ping round trips, sequential{suffix}", "calls/s", True, None)
    parallel = Row("6 rpc", f"ping round trips, {in_flight} in flight{suffix}", "calls/s", True, None)
    sequential.target = parallel.target = RPC_TARGET
    return sequential, parallel


def bench_rpc(calls: int, in_flight: int) -> list[Row]:
    """Rows for sequential and ``in_flight``-parallel ping round trips per second, per event loop."""
    loops: list[str] = []
    pairs: dict[str, tuple[Row, Row]] = {}
    rows: list[Row] = []
    for loop, missing in available_loops().items():
        pair = _rows_for(loop, in_flight)
        rows += pair
        if missing is None:
            loops.append(loop)
            pairs[loop] = pair
        else:
            for row in pair:
                row.unavailable = missing
                row.references = {TELETHON: None, KURIGRAM: None}
    measured = [row for pair in pairs.values() for row in pair]
    contenders: dict[str, Connect] = {TELETHON: connect_telethon, KURIGRAM: connect_kurigram}
    connect_ours, reason = _connect_ours()
    if connect_ours is None:
        for row in measured:
            row.unavailable = reason
    else:
        contenders = {OURS: connect_ours, **contenders}

    previous_affinity = keep_on_cpu(0)
    try:
        with ServerProcess(server_cpu=1) as server:
            key = server.key
            if key is None:
                raise ServerStartError("server started without a public key")
            outcomes = _measure_all(loops, contenders, server.port, key, calls, in_flight)
        for (loop, name), outcome in outcomes.items():
            sequential, parallel = pairs[loop]
            if outcome.failure is not None:
                if name == OURS:
                    sequential.unavailable = parallel.unavailable = outcome.failure
                else:
                    sequential.notes.append(outcome.failure)
                    sequential.references[name] = parallel.references[name] = None
                continue
            seq, par = statistics.median(outcome.sequential), statistics.median(outcome.parallel)
            sequential.best[name], parallel.best[name] = max(outcome.sequential), max(outcome.parallel)
            if name == OURS:
                sequential.ours, parallel.ours = seq, par
            else:
                sequential.references[name], parallel.references[name] = seq, par
    except ServerStartError as exc:
        for row in measured:
            row.unavailable = f"our loopback server does not start: {exc}"
            row.references = {TELETHON: None, KURIGRAM: None}
    finally:
        if previous_affinity is not None:
            keep_on_cpu(previous_affinity)
    return rows
