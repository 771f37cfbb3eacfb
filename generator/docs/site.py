"""Build an HTML site from the Markdown pages with mkdocs (``make docs`` uses mkdocs-material).

mkdocs is an optional tool (the ``docs`` extra): it is imported by the
subprocess that builds, never by the generator.  The navigation holds only the
index (which links everything): a sidebar of 3,000 pages on each of 3,000 pages
would make the site quadratic in size.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from tlruntime.errors import GenerationError

__all__ = ["mkdocs_config", "build_site"]


def mkdocs_config(docs_dir: Path, site_dir: Path, theme: str = "material", site_name: str = "TL reference") -> str:
    """The mkdocs.yml text (JSON is valid YAML, so no YAML writer is needed)."""
    config = {
        "site_name": site_name,
        "docs_dir": str(Path(docs_dir).resolve()),
        "site_dir": str(Path(site_dir).resolve()),
        "use_directory_urls": False,  # page.md -> page.html: links also work from file://
        "theme": {"name": theme},
        "nav": [{"Index": "index.md"}],
        "not_in_nav": "/methods/\n/constructors/\n/types/\n",
        "markdown_extensions": ["tables", "fenced_code"],
    }
    return json.dumps(config, indent=2) + "\n"


def build_site(docs_dir: Path, site_dir: Path, theme: str = "material", python: Optional[str] = None) -> None:
    """Run ``mkdocs build`` on ``docs_dir`` into ``site_dir``; a missing mkdocs is a clear error."""
    exe = python or sys.executable
    with tempfile.TemporaryDirectory(prefix="tlgen-mkdocs-") as tmp:
        config = Path(tmp) / "mkdocs.yml"
        config.write_text(mkdocs_config(docs_dir, site_dir, theme), encoding="utf-8")
        result = subprocess.run(
            [exe, "-m", "mkdocs", "build", "--quiet", "--clean", "--config-file", str(config)],
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        missing = "No module named mkdocs" in result.stderr or "Unrecognised theme name" in result.stderr
        hint = " (install the docs extra: pip install -e '.[docs]', or run `make docs`)" if missing else ""
        raise GenerationError(f"mkdocs build failed{hint}:\n{result.stderr.strip()}")
