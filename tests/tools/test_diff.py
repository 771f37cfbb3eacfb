"""``diff``: two small fixture schemas, every kind of change, verdicts, text golden and JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from generator.diff import diff_schemas, to_json
from generator.diff.cli import configure, run
from generator.schema_source import load_validated

DATA = Path(__file__).with_name("data") / "diff"
OLD, NEW = DATA / "old.tl", DATA / "new.tl"


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tlgen diff")
    configure(parser)
    return run(parser.parse_args(list(argv)))


@pytest.fixture(scope="module")
def result():
    return diff_schemas(load_validated([OLD]), load_validated([NEW]))


def test_text_report_matches_golden(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--old", str(OLD), "--new", str(NEW)) == 0
    assert capsys.readouterr().out == (DATA / "expected.txt").read_text(encoding="utf-8")


def test_added_removed_changed(result) -> None:
    assert [e.name for e in result.of("added")] == ["chatInvitePublicJoinRequests", "starsSubscriptionPricing"]
    assert [e.name for e in result.of("removed")] == ["chatInviteEmpty"]
    assert {e.name for e in result.of("changed")} == {
        "chatInviteExported", "inputPeerChannel", "testFlags", "messages.exportChatInvite", "test.call", "test.result",
    }
    assert (result.old_layer, result.new_layer) == (133, 229)


def _changes(result, name: str) -> dict[str, list[tuple[str | None, bool]]]:
    [entry] = [e for e in result.entries if e.name == name]
    out: dict[str, list[tuple[str | None, bool]]] = {}
    for c in entry.changes:
        out.setdefault(c.kind, []).append((c.field, c.breaking))
    return out


def test_seed_method_gains_optional_fields_compatibly(result) -> None:
    changes = _changes(result, "messages.exportChatInvite")
    assert changes == {
        "id_changed": [(None, False)],
        "field_added": [("request_needed", False), ("title", False), ("subscription_pricing", False)],
    }
    [entry] = [e for e in result.entries if e.name == "messages.exportChatInvite"]
    assert not entry.breaking and (entry.old_id, entry.new_id) == (0x14B9BCD7, 0xA455DE90)


def test_breaking_rules(result) -> None:
    assert _changes(result, "chatInviteExported")["type_changed"] == [("admin_id", True)]
    call = _changes(result, "test.call")
    assert call["field_added"] == [("y", True)] and call["field_removed"] == [("gone", True)]
    assert _changes(result, "test.result")["result_changed"] == [(None, True)]
    flags = _changes(result, "testFlags")
    assert flags["flag_moved"] == [("b", False)] and flags["made_required"] == [("a", True)]
    assert flags["reordered"] == [(None, False)]
    assert [e.name for e in result.entries if e.status == "removed" and e.breaking] == ["chatInviteEmpty"]


def test_json_output(capsys: pytest.CaptureFixture[str], result) -> None:
    assert cli("--old", str(OLD), "--new", str(NEW), "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == json.loads(json.dumps(to_json(result)))
    assert doc["breaking"] == 6
    seed = next(e for e in doc["entries"] if e["name"] == "messages.exportChatInvite")
    assert seed["old_id"] == "0x14b9bcd7" and seed["new_id"] == "0xa455de90" and seed["breaking"] is False


def test_identical_schemas_have_no_differences(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--old", str(OLD), "--new", str(OLD)) == 0
    assert "no differences" in capsys.readouterr().out


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--old", str(tmp_path / "nope.tl"), "--new", str(NEW)) == 1
    assert "no such schema file" in capsys.readouterr().err
