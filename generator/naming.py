"""Every rule that turns a TL name into a Python name lives here, and only here.

Rules (documented in README.md, "Naming rules", and pinned by tests/generator/test_naming.py):

* Class names: the TL short name with its first letter upper-cased and every
  ``_x`` turned into ``X`` (``req_pq_multi`` -> ``ReqPqMulti``,
  ``chatInviteExported`` -> ``ChatInviteExported``,
  ``server_DH_inner_data`` -> ``ServerDHInnerData``).  A result that is a
  Python keyword gets a trailing underscore (``true`` -> ``True_``).
* Namespaces become submodules unchanged (``messages.exportChatInvite`` ->
  ``functions.messages.ExportChatInvite``).
* Module (file) names: the class name in snake_case (``ChatInviteExported`` ->
  ``chat_invite_exported``), so one TL term is one file.  A top-level term whose
  module name equals a namespace package of the same group gets a trailing
  underscore (constructor ``updates`` -> ``types/updates_.py``, because
  ``types/updates/`` holds the ``updates.*`` namespace); the class is still
  ``types.Updates``.
* Parameter names: the TL name unchanged, except a name that cannot be a
  Python parameter or that would shadow a member every generated class has:
  it gets one trailing underscore (``from`` -> ``from_``, ``self`` -> ``self_``).

One derived name lives in the runtime instead, because the runtime needs it too:
the serializing method each constructor carries for its TL type
(``tlruntime.tlobject.type_method_name``: ``InputPeer`` -> ``_tl_InputPeer``).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Collection

# Members every generated class defines; a TL field of the same name would hide them.
RESERVED_MEMBERS = frozenset(
    {
        "self",
        "cls",
        "CONSTRUCTOR_ID",
        "TL_NAME",
        "TL_LINE",
        "FIELDS",
        "from_bytes",
        "to_dict",
        "to_json",
        "pretty",
        "read_result",
    }
)


def class_name(tl_name: str) -> str:
    """Python class name of a combinator given its (possibly namespaced) TL name."""
    short = tl_name.rsplit(".", 1)[-1]
    head, *rest = short.split("_")
    name = head[:1].upper() + head[1:] + "".join(part[:1].upper() + part[1:] for part in rest)
    return name + "_" if keyword.iskeyword(name) else name


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def module_name(tl_name: str, namespaces: Collection[str] = ()) -> str:
    """File/module name (without ``.py``) holding the class of ``tl_name``.

    ``namespaces`` are the namespace packages beside a top-level module (the
    namespaces of the same group, ``types`` or ``functions``); a module may not
    take one of their names.
    """
    name = _CAMEL_BOUNDARY.sub("_", class_name(tl_name).rstrip("_")).lower()
    if keyword.iskeyword(name) or ("." not in tl_name and name in namespaces):
        return name + "_"
    return name


def namespace_of(tl_name: str) -> str | None:
    """``messages`` for ``messages.exportChatInvite``; None for a top-level name."""
    return tl_name.rsplit(".", 1)[0] if "." in tl_name else None


def param_name(tl_name: str) -> str:
    """Python keyword-argument name of a TL parameter."""
    if keyword.iskeyword(tl_name) or tl_name in RESERVED_MEMBERS:
        return tl_name + "_"
    return tl_name
