"""``python -m bench.compare BEFORE.json AFTER.json``: two bench runs side by side.

Each checkout writes its own JSON (``python -m bench --json before.json`` in
one, ``--json after.json`` in the other, ideally one right after the other so
the VM's speed is the same).  For every row present in both (matched by group
and name) this prints our figure in each run, the change of our figure
("times better", whatever the unit, as in the main table) and, for rows with
a reference, the change of our advantage over it: the advantage is measured
against a peer timed in the same run, so it is the steadier of the two on a
noisy machine.  Rows present in only one run are listed by name.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def load_rows(path: Path) -> dict[tuple[str, str], Row]:
    """Rows of a ``python -m bench --json`` file keyed by (group, name)."""
    data = json.loads(path.read_text())
    return {(row["group"], row["name"]): row for row in data["rows"]}


def change_of_ours(before: Row, after: Row) -> float | None:
    """How many times better ``after``'s figure is than ``before``'s (None if either is missing)."""
    old, new = before.get("ours"), after.get("ours")
    if not old or not new or old <= 0 or new <= 0:
        return None
    return new / old if after["higher_is_better"] else old / new


def best_advantage(row: Row) -> float | None:
    """Our smallest advantage over the references of a row (the faster peer), or None."""
    values = [v for v in (row.get("advantage") or {}).values() if v is not None]
    return min(values) if values else None


def _fmt(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}{suffix}"
    return f"{value:.3g}{suffix}"


def compare(before: dict[tuple[str, str], Row], after: dict[tuple[str, str], Row]) -> str:
    """The comparison table as text."""
    header = ["benchmark", "unit", "before", "after", "change", "adv. before", "adv. after"]
    lines = [header]
    for key in [k for k in after if k in before]:
        old, new = before[key], after[key]
        lines.append([
            f"{key[0]}: {key[1]}",
            new["unit"],
            _fmt(old.get("ours")),
            _fmt(new.get("ours")),
            _fmt(change_of_ours(old, new), "x"),
            _fmt(best_advantage(old), "x"),
            _fmt(best_advantage(new), "x"),
        ])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        "  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(line)).rstrip()
        for line in lines
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    only_before = [f"{g}: {n}" for g, n in before if (g, n) not in after]
    only_after = [f"{g}: {n}" for g, n in after if (g, n) not in before]
    if only_before:
        out += ["", "only in BEFORE:"] + [f"  {name}" for name in only_before]
    if only_after:
        out += ["", "only in AFTER:"] + [f"  {name}" for name in only_after]
    out += [
        "",
        "change: after vs before, times better (>1 improved); adv.: our advantage over the faster",
        "reference measured in the same run (the figure the target is checked against).",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="JSON of the first run (e.g. main)")
    parser.add_argument("after", type=Path, help="JSON of the second run (e.g. a branch)")
    args = parser.parse_args(argv)
    print(compare(load_rows(args.before), load_rows(args.after)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
