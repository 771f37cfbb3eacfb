"""Fault injection between our Client and LoopbackServer (a relay on 127.0.0.1).

Every scenario asserts: every call returns its own result (or, only where the
server lost the session, a typed error that says the call may have run);
the server executes each call exactly once; no call waits for its timeout
(each scenario finishes in seconds, far below the 30 s call timeout).
``python tests/faults/test_faults.py`` prints the table of all scenarios.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fault_relay import Fault
from scenarios import Row, format_table, run_fault, run_restart
from tlruntime.crypto.rsa import RSAPrivateKey

CALL_TIMEOUT = 30.0
#: A scenario that took longer than this waited for something (the timeouts are 30 s).
FAST = 10.0

FAULTS = [
    ("drop", "c2s"),
    ("drop", "s2c"),
    ("cut", "c2s"),
    ("cut", "s2c"),
    ("flip", "c2s"),
    ("flip", "s2c"),
    ("reorder", "c2s"),
    ("reorder", "s2c"),
]
TRANSPORTS = ["abridged", "intermediate", "obfuscated-intermediate"]


def _exactly_once(row: Row, kind: str = "drop") -> None:
    assert row.fired  # the fault hit calls in flight
    if kind != "reorder":  # whole frames out of order may be legal; every other fault breaks the connection
        assert row.reconnects >= 1
    assert row.wrong_results == 0
    assert row.results == row.calls, row.errors
    assert row.executions == row.calls and row.duplicates == 0
    assert row.seconds < FAST


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("kind", "direction"), FAULTS)
def test_one_fault_with_1000_calls_in_flight(server_key: RSAPrivateKey, transport: str, kind: str, direction: str) -> None:
    row = asyncio.run(run_fault(server_key, transport, Fault(kind, direction), 1000, timeout=CALL_TIMEOUT))
    _exactly_once(row, kind)


def test_a_drop_with_10000_calls_in_flight(server_key: RSAPrivateKey) -> None:
    row = asyncio.run(run_fault(server_key, "intermediate", Fault("drop", "s2c", min_chunk=4096), 10_000,
                                timeout=CALL_TIMEOUT))
    _exactly_once(row)


def test_a_server_restart_mid_flight_says_which_calls_may_have_run_twice(
    server_key: RSAPrivateKey, tmp_path: Path
) -> None:
    row = asyncio.run(run_restart(server_key, tmp_path / "state.sqlite3", 1000, timeout=CALL_TIMEOUT))
    assert row.wrong_results == 0 and row.reconnects >= 1
    assert row.results + sum(row.errors.values()) == row.calls
    assert set(row.errors) == {"SessionResetError"}, row.errors  # calls were running when it went away
    assert row.silent_duplicates == 0  # every call that ran twice raised SessionResetError(maybe_executed)
    assert row.seconds < FAST


def _all_rows(server_key: RSAPrivateKey, state: Path) -> list[Row]:  # pragma: no cover - a report, not a test
    rows = []
    for transport in TRANSPORTS:
        for kind, direction in FAULTS:
            rows.append(asyncio.run(run_fault(server_key, transport, Fault(kind, direction), 1000)))
    rows.append(asyncio.run(run_fault(server_key, "intermediate", Fault("drop", "s2c", min_chunk=4096), 10_000)))
    rows.append(asyncio.run(run_restart(server_key, state, 1000)))
    return rows


if __name__ == "__main__":  # pragma: no cover
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(format_table(_all_rows(RSAPrivateKey.generate(2048), Path(tmp) / "state.sqlite3")))
