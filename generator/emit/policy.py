"""Which combinators the runtime writes by hand instead of generating: one rule, applied once.

A combinator is hand-written when its (TL name, id) is in :data:`RUNTIME_COMBINATORS`,
where the id is its explicit ``#id`` or, for an id-less line, the id the TL rule
computes.  So both spellings of mtproto's container entry (``message#5bb8e511 ...``
and the official id-less ``message msg_id:long seqno:int bytes:int body:Object =
Message;``) are recognised, and neither collides with api.tl's ``message``.

:func:`split_runtime_combinators` removes them from the schema *before* validation
(the only place the rule is applied); the emitter then only adds the runtime
classes' locations to the id index and the ``types`` package.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from generator.model import Combinator, Schema
from generator.validate import compute_id

__all__ = ["RUNTIME_COMBINATORS", "is_runtime_combinator", "runtime_classes", "without_runtime_combinators"]

# (TL name, id) -> (module, class) of the hand-written class, or None when the
# value is a Python builtin (Bool is ``bool``; the validator knows ``Bool`` as a builtin type).
RUNTIME_COMBINATORS: Mapping[tuple[str, int], tuple[str, str] | None] = {
    ("boolFalse", 0xBC799737): None,
    ("boolTrue", 0x997275B5): None,
    ("gzip_packed", 0x3072CFA1): ("tlruntime.core_types", "GzipPacked"),
    ("msg_container", 0x73F1F8DC): ("tlruntime.core_types", "MsgContainer"),
    ("message", 0x5BB8E511): ("tlruntime.core_types", "ContainerMessage"),
}


def is_runtime_combinator(c: Combinator) -> bool:
    """True if the runtime implements ``c`` by hand (matched by name and explicit or computed id)."""
    cid = c.explicit_id if c.explicit_id is not None else compute_id(c)
    return (c.name, cid) in RUNTIME_COMBINATORS


def without_runtime_combinators(schema: Schema) -> Schema:
    """The schema minus the combinators the runtime implements by hand."""
    return replace(schema, combinators=tuple(c for c in schema.combinators if not is_runtime_combinator(c)))


def runtime_classes() -> list[tuple[int, str, str, str]]:
    """(id, module, class, TL name) of every hand-written class the id index must reach."""
    return [
        (cid, where[0], where[1], tl_name)
        for (tl_name, cid), where in RUNTIME_COMBINATORS.items()
        if where is not None
    ]
