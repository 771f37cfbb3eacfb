"""The runtime core and the whole generated layer pass ``mypy --strict`` (about a minute), and calls are typed.

Both tests share one mypy cache (module-scoped): the typed-call check then only
analyses its snippet and the client, reusing the layer already checked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGETS = [
    "tlruntime/tl",
    "tlruntime/binary.py",
    "tlruntime/tlobject.py",
    "tlruntime/lazy.py",
    "tlruntime/core_types.py",
    "tlruntime/pretty.py",
    "tlruntime/testing.py",
    "tlruntime/crypto/message.py",
]


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy") / "cache"


def _mypy(cache: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_mypy_strict_on_runtime_core_and_generated_layer(mypy_cache: Path) -> None:
    result = _mypy(mypy_cache, *TARGETS)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


TYPED_CALLS = '''
from tlruntime.client import Client
from tlruntime.tl.functions import InvokeWithLayer
from tlruntime.tl.functions.help import GetConfig
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.functions.users import GetUsers
from tlruntime.tl.types import InputPeerEmpty


async def calls(client: Client) -> None:
    reveal_type(await client(ExportChatInvite(peer=InputPeerEmpty())))
    reveal_type(await client(InvokeWithLayer(layer=229, query=GetConfig())))
    reveal_type(await client(GetUsers(id=[])))
    invite: int = await client(ExportChatInvite(peer=InputPeerEmpty()))
'''


def test_await_client_call_has_the_result_type_of_the_request(mypy_cache: Path, tmp_path: Path) -> None:
    snippet = tmp_path / "typed_calls.py"
    snippet.write_text(TYPED_CALLS)
    result = _mypy(mypy_cache, str(snippet))
    revealed = [line.split("Revealed type is ", 1)[1] for line in result.stdout.splitlines() if "Revealed type" in line]
    assert revealed == [
        '"tlruntime.tl.types.chat_invite_exported.ChatInviteExported'
        ' | tlruntime.tl.types.chat_invite_public_join_requests.ChatInvitePublicJoinRequests"',
        '"tlruntime.tl.types.config.Config"',  # a generic wrapper returns its query's result
        '"list[tlruntime.tl.types.user.User | tlruntime.tl.types.user_empty.UserEmpty]"',
    ], result.stdout[-3000:]
    # ... and a wrong use is an error, so the result is not Any.
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and 'expected "TLRequest[int]"' in errors[0], errors
