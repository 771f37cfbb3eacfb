"""Every benchmark group runs end to end with tiny counts, so the harness cannot rot.

No timing is asserted (speed is for ``make bench``).  What is asserted: each
group returns rows, every reference figure was really measured, and our own
figure is there whenever the part of tlruntime it measures can be imported
(a group that silently printed "not available" forever would be a stub).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bench.__main__ import GROUPS, Settings, main
from bench.report import Row


def _importable(*modules: str) -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in modules)
    except ModuleNotFoundError:
        return False


#: What each group needs from tlruntime for our column to be measured.
OUR_DEPENDENCIES = {
    "seed": ("tlruntime.tl",),
    "invite": ("tlruntime.tl",),
    "bulk": ("tlruntime.tl",),
    "import": ("tlruntime.tl",),
    "crypto": ("tlruntime.crypto.message",),
    "rpc": ("tlruntime.tl", "tlruntime.client", "tlruntime.server"),
    "server": ("tlruntime.tl", "tlruntime.client", "tlruntime.server", "psutil"),
    "handshake": ("tlruntime.tl", "tlruntime.client", "tlruntime.server"),
}


def test_every_group_has_its_dependencies_declared() -> None:
    assert set(OUR_DEPENDENCIES) == set(GROUPS)


@pytest.mark.parametrize("group", list(GROUPS))
def test_group_runs_once(group: str) -> None:
    rows: list[Row] = GROUPS[group](Settings.smoke())
    assert rows, f"group {group} returned no rows"
    ready = _importable(*OUR_DEPENDENCIES[group])
    for row in rows:
        # A row without a reference column must say why (the server group: no peer has a server).
        assert row.references or any("no peer" in note for note in row.notes), f"{row.name}: no reference"
        if row.unavailable is None:
            assert row.ours is not None
            if row.unit != "KiB":
                assert row.ours > 0
            # A memory delta of a few connections can be 0 or even negative: the page
            # granularity of RSS; only its presence is checked here.
        else:
            assert row.ours is None
            # uvloop is an optional extra (`make bench` installs it, `make test` does not).
            loop_missing = "uvloop" in row.name and not _importable("uvloop")
            assert loop_missing or not ready, (
                f"{row.name}: ours not measured although tlruntime is importable: {row.unavailable}"
            )
        for name, value in row.references.items():
            # A reference may only be missing when our side of the group
            # (e.g. the loopback server the peers talk to) is missing too.
            if value is None:
                assert row.unavailable is not None, f"{row.name}: {name} not measured"
            else:
                assert value > 0, f"{row.name}: {name} measured as {value}"


def test_command_line_prints_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    assert main(["--smoke", "--only", "seed", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "serialize messages.exportChatInvite" in printed
    data = json.loads(out.read_text())
    assert data["meta"]["groups"] == ["seed"]
    assert data["rows"][0]["references"]["Telethon"] > 0


def test_groups_can_be_named_as_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    assert main(["crypto", "1", "--smoke", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["meta"]["groups"] == ["seed", "crypto"]
    assert {row["group"] for row in data["rows"]} == {"1 seed", "5 mtproto"}
