"""``python -m tlruntime.server`` and ``python -m tlruntime.demo`` as real subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from e2e_support import HOST, run
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPublicKey
from tlruntime.tl import functions, types

from server_cli import ENV, ROOT, as_fields, running_server


def _server_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["--host", HOST, "--port", "0", "--public-key-out", str(tmp_path / "key.pem"), *extra]


async def _call(port: int, pem: bytes, session_path: Path) -> tuple[object, int]:
    async with Client(HOST, port, pem, session_path=session_path, timeout=10) as client:
        invite = await client(
            functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=9), title="subprocess")
        )
        return invite, client.handshakes


def test_server_subprocess_prints_port_and_serves(tmp_path: Path) -> None:
    with running_server(*_server_args(tmp_path), lines=2) as lines:
        banner = as_fields(lines)
        port = int(banner["port"])
        pem = (tmp_path / "key.pem").read_bytes()
        assert pem.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
        key = RSAPublicKey.from_pem(pem)
        assert banner["fingerprint"] == f"{key.fingerprint & ((1 << 64) - 1):016x}"
        assert 0 < port < 65536
        invite, handshakes = run(_call(port, pem, tmp_path / "client.session"), timeout=30)
        assert isinstance(invite, types.ChatInviteExported) and invite.title == "subprocess"
        assert handshakes == 1


def test_key_file_and_state_survive_a_server_restart(tmp_path: Path) -> None:
    key_file, state = tmp_path / "server.pem", tmp_path / "server.state"
    with running_server(*_server_args(tmp_path, "--key-file", str(key_file), "--state", str(state)), lines=2) as lines:
        first = as_fields(lines)
        pem = (tmp_path / "key.pem").read_bytes()
        _, handshakes = run(_call(int(first["port"]), pem, tmp_path / "client.session"), timeout=30)
        assert handshakes == 1
    assert key_file.stat().st_mode & 0o077 == 0  # the private key is not world-readable
    with running_server(*_server_args(tmp_path, "--key-file", str(key_file), "--state", str(state)), lines=2) as lines:
        second = as_fields(lines)
        assert second["fingerprint"] == first["fingerprint"]
        _, handshakes = run(_call(int(second["port"]), pem, tmp_path / "client.session"), timeout=30)
        assert handshakes == 0  # the restarted server still knows the stored key


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_server_rejects_bad_port(port: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tlruntime.server", "--port", port],
        capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=30,
    )
    assert done.returncode == 2
    assert "--port" in done.stderr


def test_demo_succeeds() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tlruntime.demo"], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "chatInviteExported" in done.stdout
    assert "https://t.me/+" in done.stdout
    assert "tlruntime demo" in done.stdout
    assert "transport   intermediate" in done.stdout
    # The bot part: login on DC 1, moved to DC 2, the invite made there by the bot.
    assert "-> USER_MIGRATE_2 -> bot 123456 on DC 2" in done.stdout
    assert "(admin_id 123456)" in done.stdout
