"""Importing the layer must not import its classes (PEP 562 lazy packages + id index)."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import json, sys
import tlruntime.tl
from tlruntime.tl import functions, types
before = sorted(m for m in sys.modules if m.startswith("tlruntime.tl."))
types.ChatInviteExported
after_one = sorted(m for m in sys.modules if m.startswith("tlruntime.tl."))
tlruntime.tl.deserialize(bytes(types.InputPeerSelf()))
after_dispatch = sorted(m for m in sys.modules if m.startswith("tlruntime.tl."))
print(json.dumps([before, after_one, after_dispatch]))
"""


def test_import_is_lazy() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    before, after_one, after_dispatch = json.loads(out.stdout)
    assert len(before) < 20, before
    assert set(before) <= {"tlruntime.tl.functions", "tlruntime.tl.types"}
    assert set(after_one) - set(before) == {"tlruntime.tl.types.chat_invite_exported"}
    assert "tlruntime.tl._index" in after_dispatch
    assert "tlruntime.tl.types.input_peer_self" in after_dispatch
    assert len(after_dispatch) < 20


def test_lazy_names_and_namespaces() -> None:
    from tlruntime.tl import functions, types

    assert functions.messages.ExportChatInvite.TL_NAME == "messages.exportChatInvite"
    assert "ExportChatInvite" in dir(functions.messages)
    assert types.help.AppConfig.TL_NAME == "help.appConfig"
    assert types.Config.TL_NAME == "config"
    try:
        types.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("unknown names must raise AttributeError")


def test_lazy_import_loads_no_typing() -> None:
    # `typing` pulls in re, enum, functools and collections: more than the rest of the lazy import.
    # The runtime names it only for type checkers (TYPE_CHECKING = False); -S keeps site's hooks out.
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {repo!r}); import tlruntime.tl; "
        "from tlruntime.tl import functions, types; "
        "print(sorted(m for m in ('typing', 're', 'enum', 'collections') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
