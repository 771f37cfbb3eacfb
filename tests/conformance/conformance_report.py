"""The conformance sweep and its coverage report (also runnable: ``python tests/conformance/conformance_report.py``).

:func:`sweep` draws ``examples`` seeded values for every combinator our layer
shares with a peer (by constructor id) and runs :func:`conformance_check.check`
on each.  :class:`Coverage` holds the figures docs/conformance.md quotes.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

if __name__ == "__main__":  # pragma: no cover - script use
    sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).resolve().parents[2])]

from conformance_check import Mismatch, check
from conformance_peers import PEERS, QUIRKS, RUNTIME_IDS, VALUE_RULES, Peer
from conformance_walk import RandomSource, SchemaWalk, load_checked
from generator.model import CheckedCombinator

SEED = "tlruntime-conformance-1"
EXAMPLES = 5
# Extra draws for a combinator whose every draw hit a peer reader quirk.
EXTRA_DRAWS = 6


def layer_ids() -> Dict[int, tuple[str, str]]:
    """Every id our generated layer dispatches (generated classes and the hand-written ones)."""
    from tlruntime.tl._index import LOCATIONS

    return dict(LOCATIONS)


@dataclass
class Coverage:
    """The figures of one peer's sweep."""

    peer: str
    layer_total: int
    shared: int
    covered: List[str] = field(default_factory=list)
    excluded: Dict[str, str] = field(default_factory=dict)
    runtime_shared: List[str] = field(default_factory=list)  # checked by dedicated tests
    draws: int = 0
    quirk_draws: Counter[str] = field(default_factory=Counter)
    reader_unchecked: List[str] = field(default_factory=list)  # every draw hit a reader quirk
    mismatches: Dict[str, List[Mismatch]] = field(default_factory=dict)

    def lines(self) -> List[str]:
        out = [
            f"{self.peer}: layer {self.layer_total} combinators, shared {self.shared}, "
            f"covered {len(self.covered)} ({self.draws} draws), excluded {len(self.excluded)}, "
            f"hand-written runtime ids {len(self.runtime_shared)}, mismatching {len(self.mismatches)}",
        ]
        out += [f"  excluded {name}: {why}" for name, why in sorted(self.excluded.items())]
        out += [f"  value rule: {rule}" for rule in VALUE_RULES[self.peer]]
        out += [f"  reader quirk '{q}' hit in {n} draws" for q, n in sorted(self.quirk_draws.items())]
        if self.reader_unchecked:
            out.append(f"  peer reader never clean for: {', '.join(self.reader_unchecked)}")
        return out


def shared_combinators(peer: Peer, checked: Sequence[CheckedCombinator]) -> List[CheckedCombinator]:
    """Our generated combinators whose id the peer knows, in schema order."""
    ours = layer_ids()
    return [cc for cc in checked if cc.id in ours and cc.id in peer.ids]


def sweep(peer: Peer, checked: Sequence[CheckedCombinator], examples: int = EXAMPLES) -> Coverage:
    """Draw and check ``examples`` values of every shared, non-excluded combinator."""
    ours = layer_ids()
    by_id: Mapping[int, CheckedCombinator] = {cc.id: cc for cc in checked}
    walk = SchemaWalk(checked, allowed=peer.ids & set(by_id), policy=peer.policy)
    report = Coverage(peer.name, len(ours), len(set(ours) & peer.ids))
    report.runtime_shared = sorted(ours[i][1] for i in RUNTIME_IDS & peer.ids)
    for cc in shared_combinators(peer, checked):
        name = cc.combinator.name
        if name in peer.excluded:
            report.excluded[name] = peer.excluded[name]
            continue
        clean_reads = 0
        for i in range(examples + EXTRA_DRAWS):
            if i >= examples and clean_reads:
                break
            node = walk.draw(RandomSource(f"{SEED}:{peer.name}:{name}:{i}"), cc)
            outcome = check(peer, node, by_id)
            report.draws += 1
            report.quirk_draws.update(outcome.quirks)
            clean_reads += not outcome.quirks
            if outcome.mismatches:
                report.mismatches.setdefault(name, []).extend(outcome.mismatches)
        if not clean_reads:
            report.reader_unchecked.append(name)
        if name not in report.mismatches:
            report.covered.append(name)
    return report


def main() -> None:  # pragma: no cover - script use
    checked = load_checked()
    for make in PEERS.values():
        report = sweep(make(), checked)
        print("\n".join(report.lines()))
        for mismatches in report.mismatches.values():
            print(mismatches[0])
    for peer, quirks in QUIRKS.items():
        for name, why in quirks.items():
            print(f"{peer} reader quirk '{name}': {why}")


if __name__ == "__main__":  # pragma: no cover
    main()
