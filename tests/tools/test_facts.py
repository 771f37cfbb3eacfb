"""The bundled facts table: shape, seed method facts, and clear errors for a malformed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.facts import FactsError, load_facts, load_facts_from


def test_seed_method_facts() -> None:
    facts = load_facts()
    seed = facts.method("messages.exportChatInvite")
    assert seed is not None and seed.bots_can_use and seed.users_can_use
    errors = {e.name: e.codes for e in facts.errors_of("messages.exportChatInvite")}
    assert errors["CHAT_WRITE_FORBIDDEN"] == (403,) and errors["USAGE_LIMIT_INVALID"] == (400,)
    assert facts.method("no.suchMethod") is None and facts.errors_of("no.suchMethod") == ()


def test_every_error_a_method_names_is_in_the_error_table() -> None:
    facts = load_facts()
    named = {e for m in facts.methods.values() for e in m.errors}
    assert named <= set(facts.errors)
    assert {m.usability for m in facts.methods.values()} == {"user", "bot", "both"}


def test_facts_keep_no_descriptions() -> None:
    folder = Path(load_facts.__module__.replace(".", "/"))
    for csv in Path(__file__).resolve().parents[2].joinpath(folder).glob("*.csv"):
        header = csv.read_text(encoding="utf-8").splitlines()[0]
        assert "description" not in header, csv


def test_malformed_file_is_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "errors.csv").write_text("name,codes\nA,four hundred\n", encoding="utf-8")
    (tmp_path / "methods.csv").write_text("method,usability,errors\n", encoding="utf-8")
    with pytest.raises(FactsError, match="codes must be integers"):
        load_facts_from(tmp_path)
    (tmp_path / "errors.csv").write_text("name,codes\nA,400\n", encoding="utf-8")
    (tmp_path / "methods.csv").write_text("method,usability,errors\nm,robot,A\n", encoding="utf-8")
    with pytest.raises(FactsError, match="usability"):
        load_facts_from(tmp_path)
