"""The arithmetic behind the bench table: ratios, targets, verdicts, group selection."""

from __future__ import annotations

import json

import pytest

from bench.__main__ import GROUPS, select_groups
from bench.contenders import describe_mismatch
from bench.report import CRYPTG, KURIGRAM, TELETHON, Row, Target, render_table, rows_to_json
from bench.timing import Budget, measure, measure_side_by_side


def _row(ours: float | None, higher: bool = False, **refs: float) -> Row:
    references: dict[str, float | None] = {
        {"telethon": TELETHON, "kurigram": KURIGRAM, "cryptg": CRYPTG}[k]: v for k, v in refs.items()
    }
    return Row("g", "n", "unit", higher, ours, references=references)


def test_advantage_is_times_better_in_both_directions() -> None:
    assert _row(1.0, telethon=3.0).advantage(TELETHON) == pytest.approx(3.0)
    assert _row(30.0, higher=True, telethon=10.0).advantage(TELETHON) == pytest.approx(3.0)
    assert _row(None, telethon=3.0).advantage(TELETHON) is None
    assert _row(1.0).advantage(KURIGRAM) is None


def test_relative_target_uses_the_faster_peer() -> None:
    row = _row(1.0, telethon=2.6, kurigram=5.5)
    row.target = Target("≥2x faster peer", factor=2.0, against=(TELETHON, KURIGRAM))
    assert row.verdict() == "pass"
    row.references[TELETHON] = 1.9
    assert row.verdict() == "miss"
    row.references[TELETHON] = None
    assert row.verdict() == "n/a"


def test_absolute_target_respects_direction() -> None:
    higher = _row(41.0, higher=True)
    higher.target = Target("≥40 MB/s", threshold=40.0)
    assert higher.verdict() == "pass"
    higher.ours = 39.0
    assert higher.verdict() == "miss"
    lower = _row(41.0)
    lower.target = Target("≤40 ms", threshold=40.0)
    assert lower.verdict() == "miss"


def test_unavailable_rows_say_why_and_never_pass() -> None:
    row = _row(None, telethon=2.6)
    row.target = Target("≥2.5x Telethon", factor=2.5, against=(TELETHON,))
    row.unavailable = "tlruntime.tl cannot be imported"
    assert row.verdict() == "not available"
    table = render_table([row, _row(2.0, cryptg=1.0)])
    assert "not available: tlruntime.tl cannot be imported" in table
    assert "vs cryptg" in table
    dumped = json.loads(json.dumps(rows_to_json([row])))
    assert dumped[0]["result"] == "not available"
    assert dumped[0]["ours"] is None


def test_describe_mismatch_names_the_offset() -> None:
    assert describe_mismatch(b"abc", b"abc") is None
    assert "offset 1" in (describe_mismatch(b"axc", b"abc") or "")
    assert "offset 2" in (describe_mismatch(b"ab", b"abc") or "")


def test_select_groups_accepts_names_numbers_and_lists() -> None:
    assert select_groups([]) == list(GROUPS)
    assert select_groups(["2,seed"]) == ["seed", "invite"]
    assert select_groups(["6"]) == ["rpc"]
    with pytest.raises(SystemExit):
        select_groups(["nope"])


def test_measure_reports_per_call_time() -> None:
    calls = []
    timing = measure(lambda: calls.append(1), Budget(target_seconds=0.001, repeats=3))
    assert timing.repeats == 3
    assert len(calls) >= timing.number * 3
    assert 0 < timing.minimum <= timing.median
    both = measure_side_by_side({"a": lambda: None, "b": lambda: sum(range(50))}, Budget.smoke())
    assert set(both) == {"a", "b"} and both["a"].number == 1


def test_compare_matches_rows_and_reports_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bench.compare import compare, load_rows

    def dump(name: str, rows: list[Row]) -> object:
        path = tmp_path / name
        path.write_text(json.dumps({"meta": {}, "rows": rows_to_json(rows)}))
        return path

    old_fast = _row(2.0, telethon=4.0)  # µs-like: lower is better, 2x Telethon
    new_fast = _row(1.0, telethon=4.0)  # twice as fast, 4x Telethon
    old_rate = _row(100.0, higher=True)
    old_rate.name = "rate"
    new_rate = _row(150.0, higher=True)
    new_rate.name = "rate"
    gone = _row(1.0)
    gone.name = "gone"
    before = load_rows(dump("a.json", [old_fast, old_rate, gone]))  # type: ignore[arg-type]
    after = load_rows(dump("b.json", [new_fast, new_rate]))  # type: ignore[arg-type]
    text = compare(before, after)
    lines = {line.split("  ")[0]: line.split() for line in text.splitlines() if line.startswith("g: ")}
    assert lines["g: n"][-3:] == ["2x", "2x", "4x"]
    assert lines["g: rate"][-3:] == ["1.5x", "-", "-"]
    assert "only in BEFORE:" in text and "g: gone" in text


def test_loops_run_coroutines_and_name_what_is_missing() -> None:
    import asyncio

    from bench.loops import ASYNCIO, available_loops, loop_factory, run_on

    async def which() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert run_on(ASYNCIO, which()).startswith("asyncio")
    for name, missing in available_loops().items():
        if missing is None:
            assert run_on(name, which()).split(".")[0] == name
        else:
            assert "not installed" in missing
    with pytest.raises(ValueError, match="unknown event loop"):
        loop_factory("trio")
