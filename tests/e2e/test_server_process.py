"""``python -m tlruntime.server`` and ``python -m tlruntime.demo`` as real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from e2e_support import HOST, run
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPublicKey
from tlruntime.tl import functions, types

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _read_banner(process: subprocess.Popen[str]) -> dict[str, str]:
    """The two ``name: value`` lines the server prints once it listens."""
    banner: dict[str, str] = {}
    assert process.stdout is not None
    while len(banner) < 2:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"server exited early: {process.stderr.read() if process.stderr else ''}")
        name, _, value = line.strip().partition(": ")
        banner[name] = value
    return banner


def _start_server(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tlruntime.server", "--host", HOST, "--port", "0",
         "--public-key-out", str(tmp_path / "key.pem"), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
    )
    try:
        return process, _read_banner(process)
    except BaseException:
        process.kill()
        process.communicate(timeout=10)
        raise


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM must end the server cleanly (exit 0); the pipes are closed either way."""
    process.terminate()
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate(timeout=10)
        raise
    assert process.returncode == 0, stderr


async def _call(port: int, pem: bytes, session_path: Path) -> tuple[object, int]:
    async with Client(HOST, port, pem, session_path=session_path, timeout=10) as client:
        invite = await client(
            functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=9), title="subprocess")
        )
        return invite, client.handshakes


def test_server_subprocess_prints_port_and_serves(tmp_path: Path) -> None:
    process, banner = _start_server(tmp_path)
    try:
        port = int(banner["port"])
        pem = (tmp_path / "key.pem").read_bytes()
        assert pem.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
        key = RSAPublicKey.from_pem(pem)
        assert banner["fingerprint"] == f"{key.fingerprint & ((1 << 64) - 1):016x}"
        assert 0 < port < 65536
        invite, handshakes = run(_call(port, pem, tmp_path / "client.session"), timeout=30)
        assert isinstance(invite, types.ChatInviteExported) and invite.title == "subprocess"
        assert handshakes == 1
    finally:
        _stop(process)


def test_key_file_and_state_survive_a_server_restart(tmp_path: Path) -> None:
    key_file, state = tmp_path / "server.pem", tmp_path / "server.state"
    process, first = _start_server(tmp_path, "--key-file", str(key_file), "--state", str(state))
    try:
        pem = (tmp_path / "key.pem").read_bytes()
        _, handshakes = run(_call(int(first["port"]), pem, tmp_path / "client.session"), timeout=30)
        assert handshakes == 1
    finally:
        _stop(process)
    assert key_file.stat().st_mode & 0o077 == 0  # the private key is not world-readable
    process, second = _start_server(tmp_path, "--key-file", str(key_file), "--state", str(state))
    try:
        assert second["fingerprint"] == first["fingerprint"]
        _, handshakes = run(_call(int(second["port"]), pem, tmp_path / "client.session"), timeout=30)
        assert handshakes == 0  # the restarted server still knows the stored key
    finally:
        _stop(process)


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
