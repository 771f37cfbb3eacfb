"""Every limit of the server endpoint, attacked and measured (seconds to close, RSS, counts, log lines).

Each test states the limit it sets, attacks it over real sockets on
127.0.0.1 (or, for the 20,000-session flood, through the sans-IO endpoint),
and asserts the server closed what it had to, within the limit, without
keeping the memory.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import stat
import struct
import time

import psutil
import pytest

from tlruntime.auth.plain import pack_plain
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.endpoint import MiB, ServerEndpoint, ServerLimits
from tlruntime.server import LoopbackServer
from tlruntime.session import ClientSession
from tlruntime.tl import functions
from tlruntime.transports import make_client_codec

HOST = "127.0.0.1"
_INTERMEDIATE = b"\xee\xee\xee\xee"


def _rss() -> int:
    gc.collect()
    return int(psutil.Process().memory_info().rss)


async def _closed_within(reader: asyncio.StreamReader, limit: float) -> float:
    """Seconds until the server closes the connection (fails past ``limit``)."""
    started = time.monotonic()
    try:
        while await asyncio.wait_for(reader.read(1 << 16), limit):
            pass
    except ConnectionError:
        pass
    return time.monotonic() - started


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_slowloris_and_half_sent_header_are_closed_at_the_header_deadline(server_key: RSAPrivateKey) -> None:
    async def scenario() -> list[float]:
        async with LoopbackServer(HOST, 0, private_key=server_key, header_timeout=1.0) as server:
            seconds = []
            # 1 byte of an intermediate opening; 30 of an obfuscated2 header's 64 bytes.
            for opening in (b"\xee", b"\x42\x01\x02\x03" + b"\x55" * 26):
                reader, writer = await asyncio.open_connection(HOST, server.port)
                writer.write(opening)
                seconds.append(await _closed_within(reader, 5.0))
                writer.close()
            return seconds

    seconds = run(scenario())
    print(f"\nheader_timeout=1s: slowloris closed after {seconds[0]:.2f} s, half obfuscated header after {seconds[1]:.2f} s")
    assert all(0.9 <= s < 2.5 for s in seconds), seconds


def test_a_frame_that_never_completes_is_closed_at_the_frame_deadline(server_key: RSAPrivateKey) -> None:
    async def scenario() -> float:
        async with LoopbackServer(HOST, 0, private_key=server_key, frame_timeout=1.0) as server:
            reader, writer = await asyncio.open_connection(HOST, server.port)
            writer.write(_INTERMEDIATE + struct.pack("<I", 1000) + bytes(10))
            for _ in range(3):  # a byte now and then does not reset a frame's deadline
                await asyncio.sleep(0.3)
                writer.write(b"\x00")
            seconds = await _closed_within(reader, 5.0)
            writer.close()
            return seconds + 0.9

    seconds = run(scenario())
    print(f"\nframe_timeout=1s: a frame trickled byte by byte closed after {seconds:.2f} s")
    assert 0.9 <= seconds < 2.5, seconds


def test_an_idle_connection_is_closed_at_the_idle_deadline(server_key: RSAPrivateKey) -> None:
    async def scenario() -> float:
        async with LoopbackServer(HOST, 0, private_key=server_key, idle_timeout=1.0) as server:
            reader, writer = await asyncio.open_connection(HOST, server.port)
            writer.write(_INTERMEDIATE)
            seconds = await _closed_within(reader, 5.0)
            writer.close()
            return seconds

    seconds = run(scenario())
    print(f"\nidle_timeout=1s: idle connection closed after {seconds:.2f} s")
    assert 0.9 <= seconds < 2.5, seconds


def test_incoming_buffers_have_a_process_wide_cap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """16 connections each announce a 16 MiB frame and send 12 MiB of it (192 MiB); the cap is 16 MiB in total.

    The server runs as its own process (``python -m tlruntime.server --max-buffered-bytes``), so its RSS
    is measured alone, before and after the flood.
    """
    import subprocess
    import sys

    server = subprocess.Popen(
        [sys.executable, "-m", "tlruntime.server", "--port", "0", "--max-buffered-bytes", str(16 * MiB)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        port = 0
        while not port:
            line = server.stdout.readline()
            assert line, "the server exited"
            if line.startswith("port:"):
                port = int(line.split()[1])
        process = psutil.Process(server.pid)
        before = process.memory_info().rss

        async def flood() -> int:
            streams = []
            for _ in range(16):
                reader, writer = await asyncio.open_connection(HOST, port)
                writer.write(_INTERMEDIATE + struct.pack("<I", 16 * MiB - 16))
                streams.append((reader, writer))
            chunk = bytes(1 * MiB)
            for _ in range(12):
                for _, writer in streams:
                    if not writer.is_closing():
                        writer.write(chunk)
                        try:
                            await asyncio.wait_for(writer.drain(), 2)
                        except (ConnectionError, asyncio.TimeoutError):
                            pass
            await asyncio.sleep(0.5)
            closed = 0
            for reader, writer in streams:
                try:
                    closed += await asyncio.wait_for(reader.read(1), 0.2) == b""
                except ConnectionError:
                    closed += 1
                except asyncio.TimeoutError:
                    pass
                writer.transport.abort()
            return closed

        closed = run(flood())
        grown = process.memory_info().rss - before
    finally:
        server.terminate()
        server.wait(10)
    print(f"\nmax_buffered_bytes=16MiB: 16 x 12 MiB sent, {closed} connections closed, server RSS +{grown / MiB:.1f} MiB")
    assert closed >= 14  # 192 MiB were sent: the connections that crossed the cap were closed
    # Freed buffers need not go back to the OS at once, but nothing near the 192 MiB sent stays.
    assert grown < 80 * MiB, f"RSS grew by {grown / MiB:.1f} MiB"


def test_connections_past_the_maximum_are_closed_at_once(server_key: RSAPrivateKey) -> None:
    async def scenario() -> tuple[int, float]:
        async with LoopbackServer(HOST, 0, private_key=server_key, max_connections=5) as server:
            kept = [await asyncio.open_connection(HOST, server.port) for _ in range(5)]
            await asyncio.sleep(0.1)
            reader, writer = await asyncio.open_connection(HOST, server.port)
            seconds = await _closed_within(reader, 2.0)
            count = server.connection_count
            for _, w in kept + [(reader, writer)]:
                w.close()
            return count, seconds

    count, seconds = run(scenario())
    print(f"\nmax_connections=5: 6th closed after {seconds * 1000:.0f} ms, {count} open")
    assert count == 5 and seconds < 0.5


def test_concurrent_handshakes_are_capped(server_key: RSAPrivateKey) -> None:
    async def scenario() -> list[bool]:
        async with LoopbackServer(HOST, 0, private_key=server_key, max_handshakes=2) as server:
            now_id = int(time.time()) << 32
            closed = []
            streams = []
            for i in range(3):
                reader, writer = await asyncio.open_connection(HOST, server.port)
                frame = pack_plain(bytes(functions.ReqPqMulti(nonce=i + 1)), now_id + 4 * i)
                writer.write(_INTERMEDIATE + struct.pack("<I", len(frame)) + frame)
                streams.append((reader, writer))
                await asyncio.sleep(0.1)
            for reader, writer in streams:
                answer = await asyncio.wait_for(reader.read(1 << 16), 2.0)
                closed.append(answer == b"")
                writer.close()
            return closed

    assert run(scenario()) == [False, False, True]


@pytest.mark.parametrize(("name", "msg_id"), [("zero", 0), ("negative", -(1 << 62)), ("far future", (int(time.time()) + 3600) << 32)])
def test_handshake_refuses_bad_unencrypted_msg_ids_in_one_log_line(
    server_key: RSAPrivateKey, caplog: pytest.LogCaptureFixture, name: str, msg_id: int
) -> None:
    async def scenario() -> float:
        async with LoopbackServer(HOST, 0, private_key=server_key) as server:
            reader, writer = await asyncio.open_connection(HOST, server.port)
            frame = pack_plain(bytes(functions.ReqPqMulti(nonce=7)), msg_id)
            writer.write(_INTERMEDIATE + struct.pack("<I", len(frame)) + frame)
            seconds = await _closed_within(reader, 2.0)
            writer.close()
            return seconds

    with caplog.at_level(logging.INFO, logger="tlruntime"):
        seconds = run(scenario())
    lines = [r for r in caplog.records if "closed:" in r.getMessage()]
    assert seconds < 0.5
    assert len(lines) == 1 and "msg_id" in lines[0].getMessage() and lines[0].exc_info is None
    assert not any(r.exc_info for r in caplog.records)


def test_a_deeply_nested_handshake_body_costs_one_log_line(
    server_key: RSAPrivateKey, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> float:
        async with LoopbackServer(HOST, 0, private_key=server_key) as server:
            reader, writer = await asyncio.open_connection(HOST, server.port)
            nested = bytes.fromhex("15c4b51c01000000" * 2000 + "15c4b51c00000000")
            frame = pack_plain(nested, int(time.time()) << 32)
            writer.write(_INTERMEDIATE + struct.pack("<I", len(frame)) + frame)
            seconds = await _closed_within(reader, 2.0)
            writer.close()
            return seconds

    with caplog.at_level(logging.INFO, logger="tlruntime"):
        seconds = run(scenario())
    lines = [r.getMessage() for r in caplog.records if "closed:" in r.getMessage()]
    assert seconds < 0.5 and len(lines) == 1 and len(lines[0]) < 500, lines
    assert not any(r.exc_info for r in caplog.records)


def test_rejected_connections_are_logged_once_each_and_rate_limited(
    server_key: RSAPrivateKey, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with LoopbackServer(HOST, 0, private_key=server_key, log_burst=10, log_window=60) as server:
            for _ in range(40):
                reader, writer = await asyncio.open_connection(HOST, server.port)
                writer.write(b"GET / HTTP/1.1\r\n\r\n")  # not MTProto
                await _closed_within(reader, 2.0)
                writer.close()

    with caplog.at_level(logging.INFO, logger="tlruntime"):
        run(scenario())
    lines = [r for r in caplog.records if "closed:" in r.getMessage()]
    print(f"\nlog_burst=10: 40 rejected connections -> {len(lines)} log lines")
    assert len(lines) == 10  # 40 rejected connections, 10 lines in the window, the rest counted
    assert not any(r.exc_info for r in caplog.records)


_SESSION_FLOOD = """
import json, os, sys, psutil
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.endpoint import ServerEndpoint, ServerLimits
from tlruntime.session import ClientSession
from tlruntime.transports import make_client_codec
clock = lambda: 1_700_000_000.0
endpoint = ServerEndpoint([RSAPrivateKey.generate(2048)], limits=ServerLimits(max_sessions_per_key=64), clock=clock)
auth_key = os.urandom(256)
endpoint.add_auth_key(auth_key, server_salt=1)
client = ClientSession(auth_key, server_salt=1, clock=clock)
codec = make_client_codec("intermediate")
connection = endpoint.connect(("127.0.0.1", 1))
connection.receive(codec.initial_bytes())
def flood(first, count):
    for session_id in range(first, first + count):
        client.session_id = session_id
        client.ping(session_id)
        connection.receive(b"".join(codec.encode(p) for p in client.outgoing()))
flood(1, 200)  # warm-up: every class and code path loaded before measuring
before = psutil.Process().memory_info().rss
flood(1000, 20_000)
grown = psutil.Process().memory_info().rss - before
print(json.dumps({"kept": endpoint.session_count(), "evicted": endpoint.sessions_evicted, "grown": grown}))
"""


def test_20000_session_ids_under_one_key_keep_at_most_the_cap() -> None:
    """Through the sans-IO endpoint in a fresh process: LRU eviction bounds sessions and memory."""
    import json
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-c", _SESSION_FLOOD], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"\nmax_sessions_per_key=64: 20,000 session_ids -> {result['kept']} kept, {result['evicted']} evicted, "
          f"RSS +{result['grown'] / MiB:.1f} MiB")
    assert result["kept"] == 64 and result["evicted"] == 20_200 - 64
    assert result["grown"] < 24 * MiB, f"RSS grew by {result['grown'] / MiB:.1f} MiB"  # main kept 87 MiB


def test_sessions_no_connection_carries_expire(server_key: RSAPrivateKey) -> None:
    now = [1_700_000_000.0]
    endpoint = ServerEndpoint([server_key], limits=ServerLimits(session_idle_timeout=60), clock=lambda: now[0])
    auth_key = os.urandom(256)
    endpoint.add_auth_key(auth_key, server_salt=1)
    client = ClientSession(auth_key, server_salt=1, clock=lambda: now[0])
    codec = make_client_codec("intermediate")
    connection = endpoint.connect(("127.0.0.1", 1))
    client.ping(1)
    connection.receive(codec.initial_bytes() + b"".join(codec.encode(p) for p in client.outgoing()))
    assert endpoint.session_count() == 1
    connection.lost()
    now[0] += 59
    endpoint.poll()
    assert endpoint.session_count() == 1
    now[0] += 2
    endpoint.poll()
    assert endpoint.session_count() == 0


def test_key_and_state_files_are_private(server_key: RSAPrivateKey, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tlruntime.server.keys import load_or_generate_key

    load_or_generate_key(tmp_path / "server.pem")

    async def scenario() -> None:
        async with LoopbackServer(HOST, 0, private_key=server_key, state_path=tmp_path / "state.sqlite3") as server:
            async with Client(HOST, server.port, server.public_key, session_path=tmp_path / "client.sqlite3") as client:
                await client.ping()

    run(scenario())
    for name in ("server.pem", "state.sqlite3", "client.sqlite3"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
