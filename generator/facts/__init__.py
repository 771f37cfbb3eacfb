"""The facts table bundled with the generator: bot usability per method and RPC errors.

The schema says what a method takes and returns; it does not say whether a bot
may call it, nor which ``rpc_error`` answers it can get.  Those facts come from
the CSV files beside this module (provenance in ``README.md``) and are read by
the docs product and the error-class renderer.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

from tlruntime.errors import GenerationError

__all__ = ["ErrorFact", "MethodFact", "Facts", "FactsError", "load_facts", "load_facts_from", "FACTS_DIR"]

FACTS_DIR = Path(__file__).resolve().parent

_USABILITY = ("user", "bot", "both")


@dataclass(frozen=True)
class ErrorFact:
    """An RPC error name (``FLOOD_WAIT_X`` style: ``X`` stands for a number) and its code(s)."""

    name: str
    codes: Tuple[int, ...]


@dataclass(frozen=True)
class MethodFact:
    """``usability`` is ``user``, ``bot`` or ``both``; ``errors`` are error names, sorted."""

    method: str
    usability: str
    errors: Tuple[str, ...]

    @property
    def bots_can_use(self) -> bool:
        return self.usability in ("bot", "both")

    @property
    def users_can_use(self) -> bool:
        return self.usability in ("user", "both")


@dataclass(frozen=True)
class Facts:
    errors: Dict[str, ErrorFact]
    methods: Dict[str, MethodFact]

    def method(self, tl_name: str) -> Optional[MethodFact]:
        return self.methods.get(tl_name)

    def errors_of(self, tl_name: str) -> Tuple[ErrorFact, ...]:
        """The known errors of a method, with their codes (an error without a code row gets 400)."""
        fact = self.methods.get(tl_name)
        if fact is None:
            return ()
        return tuple(self.errors.get(name, ErrorFact(name, (400,))) for name in fact.errors)


class FactsError(GenerationError):
    """A facts file that does not have the expected shape (a packaging bug, not user input)."""


def _rows(path: Path, header: Iterable[str]) -> Iterable[Dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or list(reader.fieldnames)[: len(list(header))] != list(header):
            raise FactsError(f"{path.name}: expected columns {list(header)}, got {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            if any(value is None for value in row.values()):
                raise FactsError(f"{path.name}:{line}: missing column")
            yield row


def _codes(text: str, where: str) -> Tuple[int, ...]:
    try:
        codes = tuple(sorted({int(part) for part in text.split()}))
    except ValueError:
        raise FactsError(f"{where}: codes must be integers, got {text!r}") from None
    return codes or (400,)


def _read_errors(path: Path, header: Tuple[str, ...]) -> Dict[str, ErrorFact]:
    out: Dict[str, ErrorFact] = {}
    for row in _rows(path, header):
        name = row["name"].strip()
        out[name] = ErrorFact(name, _codes(row["codes"], f"{path.name}: {name}"))
    return out


def _read_methods(path: Path, header: Tuple[str, ...]) -> Dict[str, MethodFact]:
    out: Dict[str, MethodFact] = {}
    for row in _rows(path, header):
        method = row["method"].strip()
        usability = row["usability"].strip()
        if usability not in _USABILITY:
            raise FactsError(f"{path.name}: {method}: usability must be one of {_USABILITY}")
        out[method] = MethodFact(method, usability, tuple(sorted(set(row["errors"].split()))))
    return out


def load_facts_from(directory: Path) -> Facts:
    """Read the tables in ``directory``; the ``*_extra`` files complete the main ones."""
    errors = _read_errors(directory / "errors.csv", ("name", "codes"))
    extra_errors = directory / "errors_extra.csv"
    if extra_errors.exists():
        errors.update(_read_errors(extra_errors, ("name", "codes", "source")))
    methods = _read_methods(directory / "methods.csv", ("method", "usability", "errors"))
    extra_methods = directory / "methods_extra.csv"
    if extra_methods.exists():
        for name, fact in _read_methods(extra_methods, ("method", "usability", "errors", "source")).items():
            known = methods.get(name)
            merged = set(fact.errors) | set(known.errors if known else ())
            methods[name] = MethodFact(name, fact.usability, tuple(sorted(merged)))
    return Facts(errors=dict(sorted(errors.items())), methods=dict(sorted(methods.items())))


@lru_cache(maxsize=1)
def load_facts() -> Facts:
    """The bundled facts table (read once per process)."""
    return load_facts_from(FACTS_DIR)
