"""Generated code of the seed classes is pinned here, so a template change shows up in review.

Refresh after an intended change with:

    .venv/bin/python -m generator --update-goldens tests/golden schema/mtproto.tl schema/api.tl

and review the diff of tests/golden/ like any code change.
"""

from __future__ import annotations

import filecmp
import warnings
from pathlib import Path

import pytest

from generator.emit import SEED_NAMES, build_layer, generate_layer, load_schema, render_layer

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = [ROOT / "schema" / "mtproto.tl", ROOT / "schema" / "api.tl"]
GOLDEN = Path(__file__).resolve().parent


def _golden_files() -> dict[str, str]:
    return {
        str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*.py"))
        if p.name != Path(__file__).name
    }


def test_seed_classes_match_goldens() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = build_layer(load_schema(SCHEMAS))
    rendered = render_layer(layer, only=SEED_NAMES)
    assert len(rendered) == len(SEED_NAMES)
    golden = _golden_files()
    assert sorted(rendered) == sorted(golden), "golden set differs: run --update-goldens"
    for rel, text in rendered.items():
        assert text == golden[rel], f"{rel} differs from its golden copy: review, then run --update-goldens"


def test_generation_is_deterministic_and_removes_stale_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate_layer(SCHEMAS, first)
        generate_layer(SCHEMAS, second)
        (second / "types" / "stale_leftover.py").write_text("x = 1\n")
        generate_layer(SCHEMAS, second)  # its own output (marker file): replaced
    assert not (second / "types" / "stale_leftover.py").exists()
    comparison = filecmp.dircmp(first, second)
    pending = [comparison]
    files = 0
    while pending:
        cmp = pending.pop()
        assert not cmp.left_only and not cmp.right_only, (cmp.left, cmp.left_only, cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        assert not mismatch and not errors, (cmp.left, mismatch, errors)
        files += len(cmp.common_files)
        pending.extend(cmp.subdirs.values())
    assert files > 2500
    header = (first / "types" / "chat_invite_exported.py").read_text().splitlines()[0]
    assert "layer 229" in header and "Do not edit" in header


@pytest.mark.parametrize("rel", sorted(_golden_files()))
def test_goldens_carry_the_header(rel: str) -> None:
    first = (GOLDEN / rel).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Generated from TL layer 229") and first.endswith("Do not edit.")
