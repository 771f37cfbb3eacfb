"""What the session file keeps across a restart: home DC, DC table, a key per DC, which keys are logged in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from client_dc_support import BOT_TOKEN, HOST, dialled, file_request, invite_request, loopback_dcs, run
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.storage import SessionStore


def _client(dcs: Any, path: Path) -> Client:
    return Client(
        HOST, dcs.port(1), dcs.public_key, dc_id=1, api_id=1, api_hash="0" * 32, timeout=10, session_path=path
    )


def test_a_restarted_client_resumes_home_table_keys_and_logins(dc_key: RSAPrivateKey, tmp_path: Path) -> None:
    path = tmp_path / "bot.session"

    async def scenario() -> None:
        dialled()
        async with loopback_dcs(dc_key) as dcs:
            async with _client(dcs, path) as first:
                await first.sign_in_bot(BOT_TOKEN)
                await first(file_request())
                assert first.handshakes == 1  # its own DC 1; the others were counted by their connections
            handshakes = dcs.handshakes()
            assert handshakes == 3  # one key per DC
            with SessionStore(path) as store:
                assert store.dc_ids() == (1, 2, 3)

            # Same arguments as before (DC 1's address): the store says home is DC 2.
            second = _client(dcs, path)
            assert (second.home_dc, second.dc_id, second.port) == (2, 2, dcs.port(2))
            assert second.is_authorized
            assert second.dc_table.dc_ids() == (1, 2, 3)
            async with second:
                invite = await second(invite_request())  # needs the logged-in key of DC 2
                assert invite.link.startswith("https://t.me/+")
                part = await second(file_request())  # DC 3: its stored key, already logged in
                assert part.bytes == b"file part from DC 3"
                assert second.handshakes == 0
            assert dcs.handshakes() == handshakes  # nobody made a new key
            assert dcs.calls[(2, "auth.exportAuthorization")] == 1  # not again after the restart
            assert dcs.calls[(3, "auth.importAuthorization")] == 1
            assert dcs.calls[(1, "help.getConfig")] == 1  # the stored table is still fresh
            assert dcs.calls[(2, "help.getConfig")] == 0
            assert dcs.calls[(1, "messages.exportChatInvite")] == 0  # DC 1 was not even dialled again
            assert dcs.servers[1].connection_count == 0
        assert {address[0] for address in dialled()} == {HOST}

    run(scenario())


def test_a_new_key_on_a_dc_is_not_taken_for_logged_in(dc_key: RSAPrivateKey, tmp_path: Path) -> None:
    """The login is remembered per auth key: a DC whose key was replaced is logged in again by export/import."""
    path = tmp_path / "bot.session"

    async def scenario() -> None:
        async with loopback_dcs(dc_key) as dcs:
            async with _client(dcs, path) as first:
                await first.sign_in_bot(BOT_TOKEN)
                await first(file_request())
            with SessionStore(path) as store:
                store.delete(3)  # DC 3's key is gone (as after a -404)
            async with _client(dcs, path) as second:
                assert (await second(file_request())).bytes == b"file part from DC 3"
            assert dcs.servers[3].handshakes == 2
            assert dcs.calls[(2, "auth.exportAuthorization")] == 2
            assert dcs.calls[(3, "auth.importAuthorization")] == 2

    run(scenario())
