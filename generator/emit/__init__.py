"""Emit the Python layer (``tlruntime/tl/`` by default) from a validated schema.

One module per job:

* :mod:`~generator.emit.pipeline` - schema files -> validated schema -> files (``generate_layer``)
* :mod:`~generator.emit.policy` - which combinators the runtime writes by hand (one rule, applied once)
* :mod:`~generator.emit.schema_types` - type analysis: constructors per type, module paths
* :mod:`~generator.emit.codegen` - one :class:`~generator.emit.codegen.Codec` per field type gives
  both its read and its write step; the module scope records imports and constants
* :mod:`~generator.emit.classes` / :mod:`~generator.emit.layer` - view-models of a class / the layer
* :mod:`~generator.emit.viewmodels` - the plain dataclasses the templates receive
* :mod:`~generator.emit.render` - Jinja2 rendering; :mod:`~generator.emit.write` - the only writer

Layout of a generated layer (one module per TL term, lazily loaded):

* ``__init__.py`` - ``deserialize``, ``LAYER`` and lazy ``functions``/``types``/``abcs``
* ``_index.py`` - constructor id -> (module, class) for dispatch
* ``types/[<ns>/]<module>.py`` - one constructor each
* ``functions/[<ns>/]<module>.py`` - one function each
* ``abcs/__init__.py``, ``abcs/<ns>.py`` - typing-only unions of the constructors of each abstract type
"""

from __future__ import annotations

from generator.emit.errors import EmitError, OutputDirError
from generator.emit.layer import DEFAULT_PACKAGE, build_layer
from generator.emit.pipeline import generate_layer, load_schema, write_layer
from generator.emit.policy import RUNTIME_COMBINATORS, without_runtime_combinators
from generator.emit.render import render_layer

__all__ = [
    "DEFAULT_PACKAGE",
    "EmitError",
    "OutputDirError",
    "RUNTIME_COMBINATORS",
    "SEED_NAMES",
    "build_layer",
    "generate_layer",
    "load_schema",
    "render_layer",
    "without_runtime_combinators",
    "write_layer",
]

# The golden classes (tests/golden/): the seed request, its result types, and inputPeer*.
SEED_NAMES = (
    "messages.exportChatInvite",
    "chatInviteExported",
    "chatInvitePublicJoinRequests",
    "starsSubscriptionPricing",
    "inputPeerEmpty",
    "inputPeerSelf",
    "inputPeerChat",
    "inputPeerUser",
    "inputPeerChannel",
    "inputPeerUserFromMessage",
    "inputPeerChannelFromMessage",
)
