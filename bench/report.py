"""Result rows, targets, the printed table and the JSON dump.

A row holds our figure and the same figure for each reference implementation
(Telethon, kurigram, or raw cryptg for the crypto group), all measured in the
same run.  Ratios are always expressed as "how many times better ours is", so
``3.0x`` means three times faster (or three times less memory) whatever the
unit, and a value below ``1.0x`` means we are behind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Reference columns, in the order they are printed.
TELETHON = "Telethon"
KURIGRAM = "kurigram"
CRYPTG = "cryptg"
REFERENCES = (TELETHON, KURIGRAM, CRYPTG)


@dataclass(frozen=True)
class Target:
    """A goal for one row.

    Relative: ours must be at least ``factor`` times better than the best of
    ``against`` (the faster peer).  Absolute: ours must reach ``threshold`` in the
    row's own unit (at least it when higher is better, at most it otherwise).
    """

    label: str
    factor: float | None = None
    against: tuple[str, ...] = ()
    threshold: float | None = None


@dataclass
class Row:
    """One benchmark line; a value of ``None`` means "not measured" (see ``notes``)."""

    group: str
    name: str
    unit: str
    higher_is_better: bool
    ours: float | None
    references: dict[str, float | None] = field(default_factory=dict)
    target: Target | None = None
    notes: list[str] = field(default_factory=list)
    #: Why our side could not be measured (dependency missing, wrong bytes...).
    unavailable: str | None = None
    #: Best repeat per contender ("ours" or a reference), same unit; JSON only.
    #: The table uses medians; on a loaded machine the best repeat is the
    #: steadier estimate of what the code can do.
    best: dict[str, float] = field(default_factory=dict)

    def advantage(self, reference: str) -> float | None:
        """How many times better ours is than ``reference`` (None if either is missing)."""
        theirs = self.references.get(reference)
        if self.ours is None or theirs is None or self.ours <= 0 or theirs <= 0:
            return None
        return self.ours / theirs if self.higher_is_better else theirs / self.ours

    def verdict(self) -> str:
        """``pass``, ``miss``, ``n/a`` (target set but a figure is missing) or ``-`` (no target)."""
        target = self.target
        if self.unavailable is not None:
            return "not available"
        if target is None:
            return "-"
        if self.ours is None:
            return "n/a"
        if target.threshold is not None:
            ok = (
                self.ours >= target.threshold
                if self.higher_is_better
                else self.ours <= target.threshold
            )
            return "pass" if ok else "miss"
        advantages = [self.advantage(name) for name in target.against]
        known = [a for a in advantages if a is not None]
        if target.factor is None or not known or len(known) != len(advantages):
            return "n/a"
        # Against several peers the target is set by the faster one, i.e. the
        # smallest advantage we have over any of them.
        return "pass" if min(known) >= target.factor else "miss"


def _format_value(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def render_table(rows: Sequence[Row]) -> str:
    """A plain-text table: benchmark, unit, ours, each reference, ratios, target, verdict."""
    used = [ref for ref in REFERENCES if any(ref in row.references for row in rows)]
    header = ["benchmark", "unit", "ours", *used, *(f"vs {ref}" for ref in used), "target", "result"]
    lines: list[list[str]] = [header]
    for row in rows:
        cells = [f"{row.group}: {row.name}", row.unit, _format_value(row.ours)]
        cells += [
            _format_value(row.references.get(ref)) if ref in row.references else ""
            for ref in used
        ]
        cells += [
            _format_ratio(row.advantage(ref)) if ref in row.references else "" for ref in used
        ]
        cells += [row.target.label if row.target else "", row.verdict()]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = set(range(2, len(header) - 2))

    def fmt(line: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ).rstrip()

    out = [fmt(header), "  ".join("-" * w for w in widths)]
    out += [fmt(line) for line in lines[1:]]
    # One line per distinct note, naming the rows it applies to (a missing
    # dependency usually explains several rows at once).
    notes: dict[str, list[str]] = {}
    for row in rows:
        texts = ([f"not available: {row.unavailable}"] if row.unavailable else []) + row.notes
        for text in texts:
            notes.setdefault(text, []).append(f"{row.group}: {row.name}")
    if notes:
        out.append("")
        for text, names in notes.items():
            out.append(f"* {names[0]}" + (f" (+{len(names) - 1} more)" if len(names) > 1 else ""))
            out.append(f"    {text}")
    return "\n".join(out)


def rows_to_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Plain dicts (ratios and verdicts included) for machine consumption."""
    return [
        {
            "group": row.group,
            "name": row.name,
            "unit": row.unit,
            "higher_is_better": row.higher_is_better,
            "ours": row.ours,
            "references": row.references,
            "advantage": {ref: row.advantage(ref) for ref in row.references},
            "best": row.best,
            "target": row.target.label if row.target else None,
            "result": row.verdict(),
            "notes": row.notes,
            "unavailable": row.unavailable,
        }
        for row in rows
    ]


def write_json(rows: Sequence[Row], path: Path, meta: dict[str, Any]) -> None:
    path.write_text(json.dumps({"meta": meta, "rows": rows_to_json(rows)}, indent=2) + "\n")
