"""``python -m tlruntime.server --proxy-secret HEX [--proxy-domain NAME]`` as a real subprocess.

It prints ``tg://proxy`` links a user can paste; our client uses them as printed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from proxy_support import HOST, SECRET_HEX, UNREACHABLE_DC, run

from tlruntime.client import Client
from tlruntime.telegram import MTProxy, parse_proxy_link
from tlruntime.tl import functions, types

from server_cli import ENV, ROOT, as_fields, running_server

BANNER = ("fingerprint", "port", "proxy dd", "proxy ee")


async def _export_via(link: str, pem: bytes) -> tuple[types.ChatInviteExported, MTProxy]:
    async with Client(UNREACHABLE_DC, 443, pem, proxy=link, timeout=10) as client:
        invite = await client(functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=5), title="cli"))
        assert isinstance(client.proxy, MTProxy)
        return invite, client.proxy  # type: ignore[return-value]


def test_proxy_secret_prints_links_that_work(tmp_path: Path) -> None:
    args = ("--host", HOST, "--port", "0", "--public-key-out", str(tmp_path / "key.pem"),
            "--proxy-secret", SECRET_HEX, "--proxy-domain", "cdn.example.org")  # fmt: skip
    with running_server(*args, lines=len(BANNER)) as lines:
        banner = as_fields(lines)
        port = int(banner["port"])
        assert list(banner) == list(BANNER)
        assert banner["proxy dd"] == f"tg://proxy?server={HOST}&port={port}&secret=dd{SECRET_HEX}"
        assert banner["proxy ee"] == (
            f"tg://proxy?server={HOST}&port={port}&secret=ee{SECRET_HEX}{b'cdn.example.org'.hex()}"
        )
        pem = (tmp_path / "key.pem").read_bytes()
        for kind in ("dd", "ee"):
            invite, proxy = run(_export_via(banner[f"proxy {kind}"], pem), timeout=30)
            assert isinstance(invite, types.ChatInviteExported) and invite.title == "cli"
            assert proxy == parse_proxy_link(banner[f"proxy {kind}"]) and proxy.secret.kind == kind


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--proxy-secret", "0011"], "--proxy-secret"),
        (["--proxy-secret", SECRET_HEX, "--proxy-domain", "not a domain!"], "--proxy-domain"),
        (["--proxy-domain", "cdn.example.org"], "--proxy-domain needs --proxy-secret"),
    ],
)
def test_bad_proxy_arguments_exit_2(args: list[str], complaint: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tlruntime.server", "--port", "0", *args],
        capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=30,
    )
    assert done.returncode == 2, done.stderr
    assert complaint in done.stderr
    assert "Traceback" not in done.stderr
