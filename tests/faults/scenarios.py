"""Fault scenarios between our Client and LoopbackServer, measured: one row of the table each."""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fault_relay import Fault, FaultRelay
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import SessionResetError
from tlruntime.server import LoopbackServer
from tlruntime.tl import functions, types

__all__ = ["Row", "run_fault", "run_restart", "format_table"]

_PEER = types.InputPeerSelf()


@dataclass
class Row:
    scenario: str
    calls: int
    results: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    executions: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    wrong_results: int = 0
    #: Duplicated calls that did not say they may have run twice.
    silent_duplicates: int = 0
    reconnects: int = 0
    fired: bool = False

    def cells(self) -> list[str]:
        errors = ", ".join(f"{name} {count}" for name, count in sorted(self.errors.items())) or "-"
        return [self.scenario, str(self.calls), str(self.results), errors, str(self.executions),
                str(self.duplicates), str(self.reconnects), f"{self.seconds:.2f}"]


def format_table(rows: list[Row]) -> str:
    head = ["scenario", "calls", "results", "errors by type", "executions", "duplicates", "reconnects", "seconds"]
    lines = [head] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(out)


def _counting(server: LoopbackServer, executions: collections.Counter[str], delay: float = 0.0) -> None:
    """The application: counts each execution by the call's title; ``delay`` keeps calls running a while."""

    def invite(request: Any, ctx: Any) -> Any:
        return types.ChatInviteExported(
            link=f"https://t.me/+{request.title}", admin_id=1, date=ctx.now(), title=request.title
        )

    if delay:
        @server.register(functions.messages.ExportChatInvite)
        async def slow_export(request: Any, ctx: Any) -> Any:
            executions[request.title] += 1
            await asyncio.sleep(delay)
            return invite(request, ctx)
    else:
        @server.register(functions.messages.ExportChatInvite)
        def export(request: Any, ctx: Any) -> Any:
            executions[request.title] += 1
            return invite(request, ctx)


async def _fire(client: Client, calls: int, timeout: float) -> list[Any]:
    requests = [functions.messages.ExportChatInvite(peer=_PEER, title=str(i)) for i in range(calls)]
    return await asyncio.gather(*(client(r, timeout=timeout) for r in requests), return_exceptions=True)


def _score(row: Row, outcomes: list[Any], executions: collections.Counter[str]) -> None:
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            row.errors[type(outcome).__name__] += 1
            if executions[str(i)] > 1 and not getattr(outcome, "maybe_executed", False):
                row.silent_duplicates += 1
        elif isinstance(outcome, types.ChatInviteExported) and outcome.title == str(i):
            row.results += 1
            if executions[str(i)] > 1:
                row.silent_duplicates += 1
        else:
            row.wrong_results += 1
    row.executions = sum(executions.values())
    row.duplicates = sum(count - 1 for count in executions.values() if count > 1)


async def run_fault(server_key: RSAPrivateKey, transport: str, fault: Fault, calls: int, *, timeout: float = 30.0) -> Row:
    executions: collections.Counter[str] = collections.Counter()
    row = Row(f"{transport}: {fault.kind} {fault.direction}" if fault.kind != "none" else f"{transport}: no fault", calls)
    async with LoopbackServer(host="127.0.0.1", port=0, private_key=server_key) as server:
        _counting(server, executions)
        async with FaultRelay(server.port, fault) as relay:
            async with Client("127.0.0.1", relay.port, server.public_key, transport=transport, timeout=timeout,
                              reconnect_delay=0.05, frame_timeout=1.0) as client:
                await client.ping()
                fault.armed = True
                started = time.monotonic()
                outcomes = await _fire(client, calls, timeout)
                row.seconds = time.monotonic() - started
                row.reconnects = client.reconnects
    row.fired = fault.fired
    _score(row, outcomes, executions)
    return row


async def run_restart(server_key: RSAPrivateKey, state: Path, calls: int, *, timeout: float = 30.0,
                      policy: str = "raise") -> Row:
    """The server process goes away mid-flight and comes back from ``--state`` on the same port."""
    executions: collections.Counter[str] = collections.Counter()
    row = Row(f"server restart with state mid-flight ({policy})", calls)
    first = LoopbackServer(host="127.0.0.1", port=0, private_key=server_key, state_path=state)
    await first.start()
    port = first.port
    _counting(first, executions, delay=0.05)
    async with Client("127.0.0.1", port, first.public_key, transport="intermediate", timeout=timeout,
                      reconnect_delay=0.05, max_reconnects=20, on_session_reset=policy) as client:  # type: ignore[arg-type]
        await client.ping()
        started = time.monotonic()
        fired = asyncio.ensure_future(_fire(client, calls, timeout))
        while sum(executions.values()) < calls // 3:  # part of the calls ran, the rest is in flight
            await asyncio.sleep(0.001)
        await first.close()
        second = LoopbackServer(host="127.0.0.1", port=port, private_key=server_key, state_path=state)
        _counting(second, executions, delay=0.05)
        await second.start()
        try:
            outcomes = await fired
        finally:
            row.seconds = time.monotonic() - started
            row.reconnects = client.reconnects
            await second.close()
    _score(row, outcomes, executions)
    return row


def is_session_reset(outcome: object) -> bool:
    return isinstance(outcome, SessionResetError)
