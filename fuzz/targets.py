"""Every fuzz target, by name (see :mod:`fuzz.registry` for the contract and how to add one).

Importing this module registers the decode, transport and auth targets.
"""

from __future__ import annotations

from . import auth_targets, decode_targets, endpoint_targets, session_targets, transport_targets  # noqa: F401 - they register themselves
from .registry import TARGETS, Finding, Target, register, run_one

__all__ = ["TARGETS", "Finding", "Target", "register", "run_one"]
