"""Bot login with USER_MIGRATE, FILE_MIGRATE with export/import, loops, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from client_dc_support import BOT_ID, BOT_TOKEN, HOST, dialled, file_request, invite_request, loopback_dcs, run
from tlruntime.client import Client
from tlruntime.client import migration
from tlruntime.client.migration import ClientArgumentError, MigrationLoopError
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import ConnectionLostError, RPCError, SeeOtherError, UnauthorizedError
from tlruntime.server import RequestContext
from tlruntime.telegram import UnknownDcError
from tlruntime.tl import functions, types
from tlruntime.tl.errors import UserMigrateError


def _client(dcs: Any, dc_id: int = 1, **options: Any) -> Client:
    """A client given DC ``dc_id``'s loopback address explicitly (the others come from help.getConfig)."""
    return Client(HOST, dcs.port(dc_id), dcs.public_key, dc_id=dc_id, api_id=1, api_hash="0" * 32, timeout=10, **options)


def _only_loopback() -> None:
    addresses = dialled()
    assert addresses, "the test should have connected somewhere"
    assert {address[0] for address in addresses} == {HOST}, addresses


@pytest.mark.parametrize("transport", ["intermediate", "obfuscated-padded"])
def test_bot_login_follows_user_migrate_and_calls_land_on_the_new_home(dc_key: RSAPrivateKey, transport: str) -> None:
    async def scenario() -> None:
        dialled()
        async with loopback_dcs(dc_key) as dcs:
            async with _client(dcs, transport=transport) as client:
                assert (client.dc_id, client.home_dc, client.is_authorized) == (1, 1, False)
                user = await client.sign_in_bot(BOT_TOKEN)
                assert isinstance(user, types.User) and user.id == BOT_ID and user.bot
                assert client.home_dc == 2 and client.is_authorized
                # Refused (not run) on DC 1, sent again and run once on DC 2.
                assert dcs.calls[(1, "auth.importBotAuthorization")] == 1
                assert dcs.calls[(2, "auth.importBotAuthorization")] == 1
                # DC 2's address came from DC 1's help.getConfig, asked once.
                assert dcs.calls[(1, "help.getConfig")] == 1
                assert client.dc_table.dc_ids() == (1, 2, 3)

                # Later calls go to the home DC directly (the seed method needs the logged-in key).
                invite = await client(invite_request())
                assert isinstance(invite, types.ChatInviteExported)
                assert dcs.calls[(2, "messages.exportChatInvite")] == 1
                assert dcs.calls[(1, "messages.exportChatInvite")] == 0
                me = await client.get_me()
                assert me.id == dcs.servers[2].user_id  # the loopback's users.getUsers answers its own user
                assert client.migrations == 1
                assert dcs.connection_count() == 2  # DC 1 (its own) and DC 2
            assert await _drained(dcs)  # closing the client closed both
        _only_loopback()

    run(scenario())


async def _drained(dcs: Any) -> bool:
    """Closing the client closes its connection to every DC (the servers notice within a moment)."""
    for _ in range(100):
        if dcs.connection_count() == 0:
            return True
        await asyncio.sleep(0.02)
    return False


def test_a_closed_client_opens_no_connection(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs:
            client = _client(dcs)
            await client.sign_in_bot(BOT_TOKEN)
            await client.close()
            handshakes = dcs.handshakes()
            for call in (invite_request(), file_request()):
                with pytest.raises(ConnectionLostError):
                    await client(call)
            assert dcs.handshakes() == handshakes and await _drained(dcs)

    run(scenario())


def test_file_migrate_exports_and_imports_once_per_dc(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs, _client(dcs) as client:
            await client.sign_in_bot(BOT_TOKEN)
            first = await client(file_request())
            second = await client(file_request())
            assert first.bytes == second.bytes == b"file part from DC 3"
            assert dcs.calls[(2, "auth.exportAuthorization")] == 1  # once per DC, remembered
            assert dcs.calls[(3, "auth.importAuthorization")] == 1
            assert dcs.calls[(2, "upload.getFile")] == 2  # each refused with FILE_MIGRATE_3
            assert dcs.calls[(3, "upload.getFile")] == 2  # each run once on DC 3
            assert client.home_dc == 2  # FILE_MIGRATE does not move the home DC
            assert client.migrations == 3  # the login, then both file calls
            # Several calls at once on the migrated path still share one connection per DC.
            parts = await asyncio.gather(*(client(file_request()) for _ in range(5)))
            assert {part.bytes for part in parts} == {b"file part from DC 3"}
            assert dcs.calls[(2, "auth.exportAuthorization")] == 1
            assert dcs.servers[3].handshakes == 1
        _only_loopback()

    run(scenario())


def _refuse(name: str) -> Any:
    def refuse(request: Any, ctx: RequestContext) -> Any:
        raise RPCError(303, name, request)

    return refuse


def test_stats_migrate_logs_in_the_target_dc_including_the_clients_own(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs, _client(dcs) as client:
            await client.sign_in_bot(BOT_TOKEN)  # home: DC 2; the client's own connection is DC 1
            dcs.overrides[(2, functions.help.GetNearestDc)] = _refuse("STATS_MIGRATE_1")
            answer = await client(functions.help.GetNearestDc())
            assert answer.this_dc == 1 and client.home_dc == 2
            assert dcs.calls[(1, "auth.importAuthorization")] == 1  # DC 1's key was not logged in
            dcs.overrides[(2, functions.help.GetNearestDc)] = _refuse("STATS_MIGRATE_3")
            assert (await client(functions.help.GetNearestDc())).this_dc == 3
            assert (await client(functions.help.GetNearestDc())).this_dc == 3
            assert dcs.calls[(2, "auth.exportAuthorization")] == 2  # once for DC 1, once for DC 3
            assert dcs.calls[(3, "auth.importAuthorization")] == 1

    run(scenario())


def test_network_migrate_after_login_moves_the_login_along(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs, _client(dcs) as client:
            await client.sign_in_bot(BOT_TOKEN)
            dcs.overrides[(2, functions.help.GetNearestDc)] = _refuse("NETWORK_MIGRATE_3")
            assert (await client(functions.help.GetNearestDc())).this_dc == 3
            assert client.home_dc == 3 and client.is_authorized
            assert dcs.calls[(2, "auth.exportAuthorization")] == 1 and dcs.calls[(3, "auth.importAuthorization")] == 1
            invite = await client(invite_request())  # needs a logged-in key: DC 3's now
            assert isinstance(invite, types.ChatInviteExported)
            assert dcs.calls[(3, "messages.exportChatInvite")] == 1

    run(scenario())


def test_concurrent_calls_migrate_home_once(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs, _client(dcs) as client:

            def nearest_elsewhere(request: Any, ctx: RequestContext) -> Any:
                raise RPCError(303, "NETWORK_MIGRATE_3", request)

            dcs.overrides[(1, functions.help.GetNearestDc)] = nearest_elsewhere
            answers = await asyncio.gather(*(client(functions.help.GetNearestDc()) for _ in range(6)))
            assert {answer.this_dc for answer in answers} == {3}
            assert client.home_dc == 3
            assert dcs.calls[(1, "help.getNearestDc")] == 6
            assert dcs.calls[(3, "help.getNearestDc")] == 6  # each call ran exactly once, on DC 3
            assert dcs.servers[3].handshakes == 1  # one connection to the new home
            # invoke_many follows the move too (the home is no longer the client's own connection).
            more = await client.invoke_many([functions.help.GetNearestDc() for _ in range(3)])
            assert [answer.this_dc for answer in more] == [3, 3, 3]

    run(scenario())


def test_invoke_many_follows_a_migration_per_call(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs, _client(dcs, dc_id=2) as client:
            await client.sign_in_bot(BOT_TOKEN)  # on DC 2 directly: no migration
            assert client.migrations == 0 and dcs.calls[(1, "help.getConfig")] == 0
            results = await client.invoke_many([file_request(), functions.help.GetNearestDc(), file_request()])
            assert results[0].bytes == results[2].bytes == b"file part from DC 3"
            assert results[1].this_dc == 2
            assert dcs.calls[(2, "auth.exportAuthorization")] == 1

    run(scenario())


def test_a_migration_loop_ends_in_a_typed_error(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs, _client(dcs) as client:

            def to(dc_id: int, name: str) -> Any:
                def refuse(request: Any, ctx: RequestContext) -> Any:
                    raise RPCError(303, f"{name}_{dc_id}", request)

                return refuse

            dcs.overrides[(1, functions.help.GetNearestDc)] = to(2, "PHONE_MIGRATE")
            dcs.overrides[(2, functions.help.GetNearestDc)] = to(1, "USER_MIGRATE")
            with pytest.raises(MigrationLoopError) as caught:
                await client(functions.help.GetNearestDc())
            assert caught.value.path == (1, 2, 1) and caught.value.dc_id == 1
            assert isinstance(caught.value.error, UserMigrateError)
            assert dcs.calls[(1, "help.getNearestDc")] == 1 and dcs.calls[(2, "help.getNearestDc")] == 1

            # A DC naming itself is a loop too (and FILE_MIGRATE to the home DC).
            dcs.overrides[(2, functions.help.GetNearestDc)] = to(2, "FILE_MIGRATE")
            with pytest.raises(MigrationLoopError) as caught:
                await client(functions.help.GetNearestDc())
            assert caught.value.path == (2, 2)

    run(scenario())


def test_the_number_of_redirections_is_bounded(dc_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migration, "MAX_MIGRATIONS", 1)

    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs, _client(dcs) as client:
            for dc_id, target in ((1, 2), (2, 3)):
                dcs.overrides[(dc_id, functions.help.GetNearestDc)] = (
                    lambda request, ctx, target=target: (_ for _ in ()).throw(RPCError(303, f"USER_MIGRATE_{target}", request))
                )
            with pytest.raises(MigrationLoopError) as caught:
                await client(functions.help.GetNearestDc())
            assert caught.value.path == (1, 2, 3)
            assert dcs.calls[(3, "help.getNearestDc")] == 0

    run(scenario())


def test_an_explicit_host_never_uses_telegrams_table(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        dialled()
        async with loopback_dcs(dc_key, count=2) as dcs, _client(dcs) as client:

            def to_dc4(request: Any, ctx: RequestContext) -> Any:
                raise RPCError(303, "USER_MIGRATE_4", request)  # Telegram has a DC 4; this server does not

            dcs.overrides[(1, functions.help.GetNearestDc)] = to_dc4
            with pytest.raises(UnknownDcError) as caught:
                await client(functions.help.GetNearestDc())
            assert caught.value.dc_id == 4
            assert isinstance(caught.value.__context__, SeeOtherError)
            assert dcs.calls[(1, "help.getConfig")] == 1  # asked its own server, not Telegram
            assert client.home_dc == 1
        _only_loopback()

    run(scenario())


def test_unknown_303_and_other_errors_are_raised_as_they_came(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key, count=2) as dcs, _client(dcs) as client:
            with pytest.raises(UnauthorizedError):
                await client(invite_request())  # not logged in: 401, no migration
            dcs.overrides[(1, functions.help.GetNearestDc)] = lambda request, ctx: (_ for _ in ()).throw(
                RPCError(303, "SOMETHING_NEW_2", request)
            )
            with pytest.raises(SeeOtherError) as caught:
                await client(functions.help.GetNearestDc())
            assert caught.value.message == "SOMETHING_NEW_2" and client.home_dc == 1
            with pytest.raises(ClientArgumentError):
                await client.sign_in_bot("not a token")
            with pytest.raises(RPCError, match="ACCESS_TOKEN_INVALID"):
                await client.sign_in_bot("1:wrong-bot")

    run(scenario())


def test_sign_in_bot_needs_api_id_and_hash(dc_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with loopback_dcs(dc_key, count=1) as dcs:
            async with Client(HOST, dcs.port(1), dcs.public_key, dc_id=1, api_id=1) as client:
                with pytest.raises(ClientArgumentError, match="api_hash"):
                    await client.sign_in_bot(BOT_TOKEN)

    run(scenario())
