"""``python -m tlruntime.server --dcs N`` (and the single-DC ``--require-auth``) as real subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPublicKey
from tlruntime.tl import functions, types
from tlruntime.tl.errors import AccessTokenInvalidError, AuthKeyUnregisteredError, UserMigrateError

from server_dc_support import BOT_ID, HOST, TOKEN, bot_login, run

from server_cli import ENV, ROOT, running_server

INVITE = functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=3), title="cli")


def _server_args(tmp_path: Path, *args: str) -> list[str]:
    return ["--host", HOST, "--public-key-out", str(tmp_path / "key.pem"), *args]


async def _bot_on_dc3(ports: dict[int, int], pem: bytes) -> None:
    async with Client(HOST, ports[1], pem, dc_id=1, timeout=10, follow_migrations=False) as dc1:
        config = await dc1(functions.help.GetConfig())
        assert {o.id: o.port for o in config.dc_options} == ports
        with pytest.raises(UserMigrateError) as migrate:
            await dc1(bot_login())
        assert migrate.value.dc_id == 3
        with pytest.raises(AccessTokenInvalidError):  # not issued, and no --any-bot-token
            await dc1(bot_login("55:some-token-nobody-issued"))
    async with Client(HOST, ports[3], pem, dc_id=3, timeout=10, follow_migrations=False) as dc3:
        with pytest.raises(AuthKeyUnregisteredError):
            await dc3(INVITE)
        assert (await dc3(bot_login())).user.id == BOT_ID
        assert (await dc3(INVITE)).admin_id == BOT_ID


def test_dcs_prints_one_port_per_dc_and_serves_them(tmp_path: Path) -> None:
    with running_server(*_server_args(tmp_path, "--dcs", "3", "--bot", f"{TOKEN}@3"), lines=4) as banner:
        pem = (tmp_path / "key.pem").read_bytes()
        key = RSAPublicKey.from_pem(pem)
        assert banner[0] == f"fingerprint: {key.fingerprint & ((1 << 64) - 1):016x}"
        ports = {}
        for dc_id, line in zip((1, 2, 3), banner[1:]):
            prefix = f"dc {dc_id} port: "
            assert line.startswith(prefix), banner
            ports[dc_id] = int(line[len(prefix):])
        assert len(set(ports.values())) == 3 and all(0 < port < 65536 for port in ports.values())
        run(_bot_on_dc3(ports, pem), timeout=60)


async def _single_dc_login(port: int, pem: bytes) -> None:
    async with Client(HOST, port, pem, timeout=10) as client:
        with pytest.raises(AuthKeyUnregisteredError):
            await client(INVITE)
        assert (await client(bot_login("808:anything-well-formed"))).user.id == 808
        assert (await client(INVITE)).admin_id == 808


def test_single_dc_require_auth_keeps_its_banner(tmp_path: Path) -> None:
    with running_server(*_server_args(tmp_path, "--port", "0", "--require-auth", "--any-bot-token"), lines=2) as banner:
        assert banner[0].startswith("fingerprint: ") and banner[1].startswith("port: ")
        run(_single_dc_login(int(banner[1].removeprefix("port: ")), (tmp_path / "key.pem").read_bytes()), timeout=60)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--dcs", "0"], "--dcs"),
        (["--dcs", "2", "--dc-id", "1"], "--dc-id"),
        (["--dcs", "2", "--state", "x.sqlite"], "--state"),
        (["--dcs", "2", "--port", "65535"], "--port"),
        (["--bot", "not-a-token"], "--bot"),
        (["--bot", f"{TOKEN}@x"], "--bot"),
    ],
)
def test_bad_multi_dc_arguments_are_usage_errors(args: list[str], complaint: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tlruntime.server", *args], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=30
    )
    assert done.returncode == 2
    assert complaint in done.stderr


def test_a_home_dc_that_does_not_exist_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tlruntime.server", "--dcs", "2", "--bot", f"{TOKEN}@3"],
        capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=30,
    )  # fmt: skip
    assert done.returncode == 1
    assert "home DC 3" in done.stderr
