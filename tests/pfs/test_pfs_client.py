"""Our client with ``temp_keys=True`` against our loopback server, over real sockets on 127.0.0.1.

Every call runs over a bound temporary key; the server's handlers see the
permanent key it is bound to (``RequestContext.perm_auth_key_id``); renewal and
-404 lose no call and run none twice (executions are counted on the server).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pfs_support import HOST, Executions, ServerClock, run, seeded
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import LoopbackServer
from tlruntime.storage import AuthKeyStore, SessionStore
from tlruntime.tl import functions, types


def _client(server: LoopbackServer, seed: int, **options: object) -> Client:
    return Client(
        HOST, server.port, server.public_key, temp_keys=True, random_bytes=seeded(seed), timeout=20, **options
    )


async def _bind_then_calls(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    clock = ServerClock()
    server_state, client_state = tmp_path / "server.sqlite", tmp_path / "client.sqlite"
    async with LoopbackServer(
        host=HOST, port=0, private_key=server_key, clock=clock, random_bytes=seeded(1), state_path=server_state
    ) as server:
        executions = Executions()
        executions.install(server)
        async with _client(server, 2, temp_key_lifetime=3600, session_path=client_state) as client:
            temp, perm = client.temp_key, client.perm_auth_key_id
            assert temp is not None and perm is not None
            assert client.auth_key_id == temp.auth_key_id != perm  # calls run over the temporary key
            assert server.handshakes == 2 and client.handshakes == 2 and client.temp_key_binds == 1
            assert abs(temp.expires_at - (clock() + 3600)) <= 2
            results = await asyncio.gather(*(client(Executions.call(n)) for n in range(50)))
            assert results == [[] for _ in range(50)]
            assert executions.count == {str(n): 1 for n in range(50)}
            assert executions.perm_ids == {perm}  # handlers see the permanent key behind the temporary one
            assert executions.key_ids == {temp.auth_key_id}
            # The permanent key is known to the server, the temporary key only in RAM.
            assert server.endpoint.temp_keys.perm_of(temp.auth_key_id) == perm
            pong = await client.ping()
            assert isinstance(pong, types.Pong)
            # The server recorded the temporary key's expiry from its own clock (expires_in = 3600).
            assert abs(server.endpoint.temp_keys.expires_at[temp.auth_key_id] - (clock() + 3600)) <= 2
    # Only permanent keys are stored, on both sides; temporary keys live in RAM.
    with AuthKeyStore(server_state) as stored_server:
        assert [key_id for key_id, _ in stored_server] == [perm]
    with SessionStore(client_state) as stored_client:
        stored = stored_client.load(2)
        assert stored is not None and stored.auth_key_id == perm


def test_bind_then_calls_run_over_the_temp_key(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_bind_then_calls(server_key, tmp_path))



async def _waves(client: Client, numbers: range, wave: int = 20) -> list[object]:
    """Start the calls ``wave`` at a time with a loop iteration between waves, so they leave in many packets."""
    tasks = []
    for start in range(numbers.start, numbers.stop, wave):
        tasks += [asyncio.ensure_future(client(Executions.call(n))) for n in range(start, min(start + wave, numbers.stop))]
        await asyncio.sleep(0)
    return list(await asyncio.gather(*tasks))


async def _renewal_in_flight(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, random_bytes=seeded(20)) as server:
        executions = Executions()
        executions.install(server)
        async with _client(server, 21, temp_key_lifetime=3600) as client:
            first, perm = client.temp_key, client.perm_auth_key_id
            assert first is not None
            calls = asyncio.ensure_future(_waves(client, range(300)))
            await asyncio.sleep(0)  # some calls are out, more are being made
            renewal = asyncio.ensure_future(client.renew_temp_key())
            more = asyncio.ensure_future(_waves(client, range(300, 600)))  # made while the keys change
            await renewal
            assert await calls == [[] for _ in range(300)] and await more == [[] for _ in range(300)]
            second = client.temp_key
            assert second is not None and second.auth_key_id != first.auth_key_id
            assert client.temp_key_binds == 2 and client.perm_auth_key_id == perm and client.session_resets == 0
            assert executions.count == {str(n): 1 for n in range(600)}  # every call ran exactly once
            assert executions.perm_ids == {perm}
            assert executions.key_ids <= {first.auth_key_id, second.auth_key_id}
            # Binding the new key unbound the old one (one temporary key per permanent key).
            assert server.endpoint.temp_keys.perm_of(second.auth_key_id) == perm
            assert server.endpoint.temp_keys.perm_of(first.auth_key_id) is None
            assert await client(Executions.call(600)) == []
            assert second.auth_key_id in executions.key_ids


def test_renewal_with_calls_in_flight_runs_each_call_once(server_key: RSAPrivateKey) -> None:
    run(_renewal_in_flight(server_key))


async def _timer_renewal(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, random_bytes=seeded(30)) as server:
        executions = Executions()
        executions.install(server)
        # A 4-second key renewed 2.5 s before it expires: renewed by the timer within the test.
        async with _client(server, 31, temp_key_lifetime=4, temp_key_renew_margin=2.5) as client:
            keys = {client.temp_key.auth_key_id}  # type: ignore[union-attr]
            n = 0
            deadline = asyncio.get_running_loop().time() + 10  # the renewal is due after 1.5 s
            while asyncio.get_running_loop().time() < deadline:
                assert await client(Executions.call(n)) == []
                n += 1
                keys.add(client.temp_key.auth_key_id)  # type: ignore[union-attr]
                if len(keys) >= 2:
                    break
                await asyncio.sleep(0.1)
            assert len(keys) >= 2 and client.temp_key_binds >= 2
            assert executions.count == {str(i): 1 for i in range(n)}
            assert executions.perm_ids == {client.perm_auth_key_id}


def test_key_is_renewed_before_it_expires(server_key: RSAPrivateKey) -> None:
    run(_timer_renewal(server_key))


async def _forced_expiry(server_key: RSAPrivateKey) -> None:
    clock = ServerClock()
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, clock=clock, random_bytes=seeded(40)) as server:
        executions = Executions()
        executions.install(server)

        @server.register(functions.help.GetNearestDc)
        def expire_now(request: object) -> object:
            # Past the 20-second key's expiry (a small jump: the client accepts server msg_ids
            # up to 30 s ahead of its estimate): the key's next message gets -404.
            clock.jump += 21
            return types.NearestDc(country="XX", this_dc=server.dc_id, nearest_dc=server.dc_id)

        async with _client(server, 41, temp_key_lifetime=20) as client:
            first = client.temp_key
            assert first is not None
            calls = asyncio.ensure_future(_waves(client, range(200)))
            await asyncio.sleep(0)
            await client(functions.help.GetNearestDc())  # answered, then the key is past its time
            more = await _waves(client, range(200, 400))
            assert await calls == [[] for _ in range(200)] and more == [[] for _ in range(200)]
            second = client.temp_key
            assert second is not None and second.auth_key_id != first.auth_key_id
            assert server.endpoint.auth_key(first.auth_key_id) is None  # forgotten by the server
            assert client.temp_key_binds == 2 and client.session_resets == 0
            assert executions.count == {str(n): 1 for n in range(400)}  # none lost, none twice
            assert executions.perm_ids == {client.perm_auth_key_id}


def test_forced_expiry_recreates_and_rebinds_without_losing_calls(server_key: RSAPrivateKey) -> None:
    run(_forced_expiry(server_key))


async def _server_restart(server_key: RSAPrivateKey, state: Path, keep_perm_keys: bool) -> None:
    state_path = state if keep_perm_keys else None
    server = LoopbackServer(host=HOST, port=0, private_key=server_key, state_path=state, random_bytes=seeded(50))
    await server.start()
    port = server.port
    client = _client(server, 51, temp_key_lifetime=3600, max_reconnects=8)
    try:
        await client.connect()
        perm = client.perm_auth_key_id
        assert type(await client(functions.help.GetConfig())).__name__ == "Config"
    except Exception:
        await client.close()
        await server.close()
        raise
    await server.close()
    # The same address, the permanent keys (or not), no temporary key: the client's next message gets -404.
    restarted = LoopbackServer(host=HOST, port=port, private_key=server_key, state_path=state_path, random_bytes=seeded(52))
    executions = Executions()
    executions.install(restarted)
    async with restarted:
        try:
            results = await _waves(client, range(100))
            assert results == [[] for _ in range(100)]
            assert executions.count == {str(n): 1 for n in range(100)}
            assert client.temp_key_binds == 2 and client.session_resets == 0
            if keep_perm_keys:
                assert client.perm_auth_key_id == perm  # re-bound to the same permanent key
            else:
                assert client.perm_auth_key_id != perm  # ENCRYPTED_MESSAGE_INVALID: a new permanent key
            assert executions.perm_ids == {client.perm_auth_key_id}
        finally:
            await client.close()


def test_server_restart_404_rebinds_to_the_same_perm_key(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_server_restart(server_key, tmp_path / "server.sqlite", keep_perm_keys=True))


def test_server_restart_without_perm_keys_makes_a_new_perm_key(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_server_restart(server_key, tmp_path / "server.sqlite", keep_perm_keys=False))


async def _renewal_waits_for_slow_calls(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, random_bytes=seeded(60)) as server:
        slow_runs: list[int] = []

        @server.register(functions.help.GetNearestDc)
        async def slow(request: object) -> object:
            slow_runs.append(1)
            await asyncio.sleep(0.3)
            return types.NearestDc(country="XX", this_dc=server.dc_id, nearest_dc=server.dc_id)

        async with _client(server, 61, temp_key_lifetime=3600) as client:
            first = client.temp_key
            slow_calls = [asyncio.ensure_future(client(functions.help.GetNearestDc())) for _ in range(10)]
            await asyncio.sleep(0.05)  # they are running on the server
            await client.renew_temp_key()
            assert all(call.done() for call in slow_calls)  # drained on the old key before the new one was bound
            assert [type(await call).__name__ for call in slow_calls] == ["NearestDc"] * 10
            assert len(slow_runs) == 10 and client.temp_key != first and client.session_resets == 0


def test_renewal_drains_slow_calls_on_the_old_key(server_key: RSAPrivateKey) -> None:
    run(_renewal_waits_for_slow_calls(server_key))


async def _acknowledged_call_at_404(server_key: RSAPrivateKey, policy: str) -> tuple[list[int], object]:
    clock = ServerClock()
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, clock=clock, random_bytes=seeded(70)) as server:
        runs: list[int] = []
        started = asyncio.Event()

        @server.register(functions.help.GetNearestDc)
        async def slow(request: object) -> object:
            runs.append(1)
            started.set()
            await asyncio.sleep(1.5)
            return types.NearestDc(country="XX", this_dc=server.dc_id, nearest_dc=server.dc_id)

        async with _client(server, 71, temp_key_lifetime=20, on_session_reset=policy) as client:
            call = asyncio.ensure_future(client(functions.help.GetNearestDc()))
            await started.wait()
            await asyncio.sleep(0.1)  # the server's msgs_ack is in
            clock.jump += 21  # the key expires while the call runs: its answer can never be sent
            assert type(await client(functions.help.GetConfig())).__name__ == "Config"  # -404, new key
            try:
                outcome: object = await call
            except Exception as error:
                outcome = error
            await asyncio.sleep(1.6)  # the first run finishes on the server, unanswerable
            return runs, outcome


def test_acknowledged_call_at_404_follows_on_session_reset(server_key: RSAPrivateKey) -> None:
    from tlruntime.errors import SessionResetError

    runs, outcome = run(_acknowledged_call_at_404(server_key, "raise"))
    assert isinstance(outcome, SessionResetError) and len(runs) == 1  # reported, not run twice
    runs, outcome = run(_acknowledged_call_at_404(server_key, "resend"))
    assert type(outcome).__name__ == "NearestDc" and len(runs) == 2  # at least once, as asked


async def _drain_survives_a_drop(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, random_bytes=seeded(80)) as server:
        runs: list[int] = []

        @server.register(functions.help.GetNearestDc)
        async def slow(request: object) -> object:
            runs.append(1)
            await asyncio.sleep(2.0)  # longer than making the new key, even on a loaded machine
            return types.NearestDc(country="XX", this_dc=server.dc_id, nearest_dc=server.dc_id)

        async with _client(server, 81, temp_key_lifetime=3600) as client:
            old_session, first = client.session, client.temp_key
            assert old_session is not None and first is not None
            slow_calls = [asyncio.ensure_future(client(functions.help.GetNearestDc())) for _ in range(5)]
            await asyncio.sleep(0.1)
            renewal = asyncio.ensure_future(client.renew_temp_key())
            while client.session is old_session:  # the new key is made; the old one is being drained
                await asyncio.sleep(0.01)
            served = server.session(first.auth_key_id, old_session.session_id or 0)
            assert served is not None and served.connection is not None
            served.connection.owner.abort()  # the old key's connection drops in the middle of the drain
            before = served.packets_received
            await renewal
            assert served.packets_received > before  # the old session went on over a new connection
            results = [await call for call in slow_calls]
            assert [type(r).__name__ for r in results] == ["NearestDc"] * 5
            assert len(runs) == 5  # re-sent in the old session under the same msg_ids: answered from memory
            assert client.temp_key != first and client.session_resets == 0


def test_drain_survives_a_dropped_connection(server_key: RSAPrivateKey) -> None:
    run(_drain_survives_a_drop(server_key))
