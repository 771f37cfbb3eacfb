"""``docs``: Markdown reference pages for every method, constructor and type of a schema.

``write_docs(out_dir, schema_paths)`` writes ``methods/<tl name>.md``,
``constructors/<tl name>.md``, ``types/<Type>.md`` and ``index.md``; the content is a
pure function of the schema and the facts table (``generator.facts``).
``generator.docs.site`` turns the pages into an HTML site with mkdocs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Sequence

from generator.docs.catalog import Catalog
from generator.docs.markdown import all_pages
from generator.facts import Facts, load_facts
from generator.model import ValidatedSchema
from tlruntime.errors import GenerationError

__all__ = ["Catalog", "render_docs", "write_docs", "MARKER"]

#: Written into every output directory; a directory without it is never cleared.
MARKER = ".tlgen-docs"


def render_docs(validated: ValidatedSchema, facts: Optional[Facts] = None) -> Dict[str, str]:
    """Relative path -> Markdown text for the whole reference."""
    return all_pages(Catalog.build(validated, facts or load_facts()))


def write_docs(out_dir: Path, validated: ValidatedSchema, facts: Optional[Facts] = None) -> int:
    """Write the pages into ``out_dir``; returns how many were written.

    Stale pages from an earlier run are removed, but only in a directory this
    command created (it holds :data:`MARKER`); any other non-empty directory is
    refused rather than mixed with or deleted.
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        if not out_dir.is_dir():
            raise GenerationError(f"{out_dir} exists and is not a directory")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
            raise GenerationError(f"{out_dir} is not empty and was not written by `tlgen docs`; choose another --out")
        for old in sorted(out_dir.rglob("*.md")):
            old.unlink()
    pages = render_docs(validated, facts)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("written by tlgen docs; this directory's .md files are replaced on each run\n")
    for rel, text in sorted(pages.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return len(pages)


def schema_and_pages(schema_paths: Sequence[Path] | None) -> Dict[str, str]:
    """Convenience for tools and tests: load ``schema_paths`` (bundled when empty) and render."""
    from generator.schema_source import load_validated

    return render_docs(load_validated(schema_paths))
