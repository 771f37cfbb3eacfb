"""One atheris (libFuzzer) run of one target: ``python -m fuzz.run_target NAME CORPUS_DIR [libFuzzer flags]``.

Started by ``python -m fuzz`` in its own process (libFuzzer owns the process:
it exits on the first finding).  The tlruntime modules are instrumented for
coverage as they are imported; the corpus is replayed once inside the
instrumentation block so that every generated class the corpus reaches is
instrumented too (instrumenting the whole layer up front takes minutes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris


def main() -> None:
    name, corpus = sys.argv[1], Path(sys.argv[2])
    with atheris.instrument_imports(include=["tlruntime", "fuzz"]):
        from fuzz.targets import TARGETS

        target = TARGETS[name]
        for path in sorted(corpus.iterdir()) if corpus.is_dir() else ():
            try:  # loads (and so instruments) every class the corpus reaches
                target.run(path.read_bytes())
            except Exception:  # noqa: BLE001 - a finding in the corpus is reported by the fuzz loop
                pass

    from fuzz.registry import run_one

    def test_one_input(data: bytes) -> None:
        run_one(target, data)

    atheris.Setup([sys.argv[0], *sys.argv[3:], str(corpus)], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
