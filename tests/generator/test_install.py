"""Install hygiene: what a user sees before the layer is generated, and the shipped schema list."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_a_missing_layer_says_how_to_generate_it(tmp_path: Path) -> None:
    """A tlruntime without tl/ (a fresh checkout or editable install): the ImportError names the fix."""
    package = tmp_path / "tlruntime"
    package.mkdir()
    for name in ("__init__.py", "errors.py"):
        shutil.copyfile(ROOT / "tlruntime" / name, package / name)
    proc = subprocess.run(
        # -S: no site-packages, so only the copy above is importable.
        [sys.executable, "-S", "-c", "import tlruntime.tl"],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)}, timeout=60,
    )
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: the generated layer tlruntime.tl does not exist yet")
    assert "run 'make generate'" in last and f"tlgen generate --out {package / 'tl'}" in last


def test_the_hint_never_hides_a_generated_layer() -> None:
    import tlruntime.tl

    assert Path(tlruntime.tl.__file__).parent == ROOT / "tlruntime" / "tl"


def test_mypy_outside_the_checkout_sees_the_installed_layer(tmp_path: Path) -> None:
    """The editable install is a plain path entry, so tools that do not run import hooks find it."""
    script = tmp_path / "use_layer.py"
    script.write_text(
        "from tlruntime.tl.types import InputPeerChannel\n"
        "peer = InputPeerChannel(channel_id=1, access_hash=2)\n"
        "wrong: str = peer.channel_id\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), script.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    # The one error is the deliberate one: mypy resolved the generated class and its field type.
    assert result.stdout.splitlines() == [
        f'{script.name}:3: error: Incompatible types in assignment (expression has type "int", '
        'variable has type "str")  [assignment]',
        "Found 1 error in 1 file (checked 1 source file)",
    ], result.stdout + result.stderr
