"""Markdown for the reference pages: methods, constructors, types and the index.

Every page links with relative paths (``../types/ExportedChatInvite.md``), so the
pages read the same on disk, on a code host and in the mkdocs site.  Output is a
pure function of the schema and the facts table (sorted, no dates): two runs give
identical files.
"""

from __future__ import annotations

from typing import Dict, Iterable, List

from generator import naming
from generator.docs.catalog import PRIMITIVES, Catalog
from generator.docs.examples import python_example, python_path
from generator.errors import class_name_of
from generator.model import CheckedCombinator, Param, TypeRef

__all__ = ["method_page", "constructor_page", "type_page", "index_page", "all_pages"]


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def type_link(catalog: Catalog, ref: TypeRef, prefix: str = "../") -> str:
    """A type reference as Markdown, each named type linked to its page (``Vector<[User](...)>``)."""
    bang = "!" if ref.generic_ref else ""
    pct = "%" if ref.bare and ref.name.rsplit(".", 1)[-1][:1].isupper() else ""
    if catalog.has_type_page(ref.name):
        head = f"{bang}{pct}[{ref.name}]({prefix}types/{ref.name}.md)"
    elif ref.bare and ref.name in catalog.constructors:
        head = f"[{ref.name}]({prefix}constructors/{ref.name}.md)"
    else:
        head = f"{bang}{pct}`{ref.name}`" if ref.name in PRIMITIVES or not ref.args else f"{bang}{ref.name}"
    if ref.args:
        return f"{head}&lt;{', '.join(type_link(catalog, a, prefix) for a in ref.args)}&gt;"
    return head


def _presence(param: Param) -> str:
    if param.flag is None:
        return "required"
    return f"optional ({param.flag.field}.{param.flag.bit})"


def _params_table(catalog: Catalog, cc: CheckedCombinator, heading: str) -> List[str]:
    params = [p for p in cc.combinator.params if p.type.name != "#"]
    flags = [p.name for p in cc.combinator.params if p.type.name == "#"]
    if not params:
        return [f"## {heading}", "", "None.", ""]
    lines = [f"## {heading}", "", "| Name | Type | Required |", "| --- | --- | --- |"]
    for p in params:
        python = naming.param_name(p.name)
        name_cell = p.name if python == p.name else f"{p.name} (Python: `{python}`)"
        type_cell = "`true` (flag)" if p.type.name == "true" and p.flag is not None else type_link(catalog, p.type)
        lines.append(f"| {name_cell} | {type_cell} | {_presence(p)} |")
    lines.append("")
    if flags:
        words = ", ".join(f"`{f}`" for f in flags)
        lines += [f"The flag word{'s' if len(flags) > 1 else ''} {words} {'are' if len(flags) > 1 else 'is'} "
                  "computed from the optional fields when serializing; pass only the fields.", ""]
    return lines


def _header(cc: CheckedCombinator, layer: object) -> List[str]:
    c = cc.combinator
    module, cls = python_path(cc)
    return [
        f"# {c.name}",
        "",
        "```tl",
        c.text,
        "```",
        "",
        f"- Constructor id: `0x{cc.id:08x}`",
        f"- Layer: {layer if layer is not None else 'unknown'}",
        f"- Python: `{module}.{cls}`",
        "",
    ]


def method_page(catalog: Catalog, cc: CheckedCombinator) -> str:
    c = cc.combinator
    lines = _header(cc, catalog.layer)
    lines += _params_table(catalog, cc, "Parameters")
    lines += ["## Result", "", type_link(catalog, c.result)]
    constructors = catalog.types.get(c.result.name, ())
    if constructors:
        lines += ["", "One of:", ""]
        lines += [f"- [{x.combinator.name}](../constructors/{x.combinator.name}.md)" for x in constructors]
    lines += ["", "## Can bots use this method?", ""]
    fact = catalog.facts.method(c.name)
    if fact is None:
        lines.append("Unknown: the facts table has no row for this method.")
    elif fact.usability == "both":
        lines.append("Yes: users and bots can use this method.")
    elif fact.usability == "bot":
        lines.append("Yes, and only bots: users cannot use this method.")
    else:
        lines.append("No: only users can use this method.")
    lines += ["", "## RPC errors", ""]
    errors = catalog.facts.errors_of(c.name)
    if fact is None:
        lines.append("Unknown: the facts table has no row for this method.")
    elif not errors:
        lines.append("None known.")
    else:
        lines += ["| Code | Error | Python class |", "| --- | --- | --- |"]
        for error in errors:
            codes = ", ".join(str(code) for code in error.codes)
            lines.append(f"| {codes} | {error.name} | `tlruntime.tl.errors.{class_name_of(error.name)}` |")
        lines += ["", "Any error may also be one not listed here; it is then the base class of its code "
                  "(`tlruntime.errors.BadRequestError` for 400, ...)."]
    lines += ["", "## Python example", "", "```python", python_example(catalog, cc).rstrip("\n"), "```", ""]
    return "\n".join(lines)


def constructor_page(catalog: Catalog, cc: CheckedCombinator) -> str:
    c = cc.combinator
    lines = _header(cc, catalog.layer)
    lines += _params_table(catalog, cc, "Fields")
    lines += ["## Type", "", f"Belongs to {type_link(catalog, c.result)}."]
    siblings = [x for x in catalog.types.get(c.result.name, ()) if x.combinator.name != c.name]
    if siblings:
        lines += ["", "Other constructors of this type:", ""]
        lines += [f"- [{x.combinator.name}](../constructors/{x.combinator.name}.md)" for x in siblings]
    lines.append("")
    return "\n".join(lines)


def type_page(catalog: Catalog, name: str) -> str:
    constructors = catalog.types[name]
    lines = [f"# {name}", "", "## Constructors", ""]
    lines += [
        f"- [{x.combinator.name}](../constructors/{x.combinator.name}.md) `0x{x.id:08x}`" for x in constructors
    ]
    methods = catalog.returned_by.get(name, ())
    lines += ["", "## Methods that return it", ""]
    lines += [f"- [{m.combinator.name}](../methods/{m.combinator.name}.md)" for m in methods] or ["None."]
    users = catalog.used_by.get(name, ())
    lines += ["", "## Used by", ""]
    lines += [
        f"- [{u.combinator.name}](../{'methods' if u.combinator.kind == 'function' else 'constructors'}/"
        f"{u.combinator.name}.md)" + (" (method)" if u.combinator.kind == "function" else "")
        for u in users
    ] or ["No parameter takes it."]
    ns, _, short = name.rpartition(".")
    alias = f"tlruntime.tl.abcs.{ns + '.' if ns else ''}{short}"
    classes = ", ".join(f"`{'.'.join(python_path(x))}`" for x in constructors)
    lines += ["", "## In Python", "", f"For type hints: `{alias}`, the union of {classes}."]
    lines.append("")
    return "\n".join(lines)


def _grouped(names: Iterable[str], folder: str) -> List[str]:
    groups: Dict[str, List[str]] = {}
    for name in names:
        groups.setdefault(name.rsplit(".", 1)[0] if "." in name else "(top level)", []).append(name)
    lines: List[str] = []
    for group in sorted(groups, key=lambda g: (g != "(top level)", g)):
        lines += [f"### {group}", ""]
        lines += [f"- [{n}]({folder}/{n}.md)" for n in groups[group]]
        lines.append("")
    return lines


def index_page(catalog: Catalog) -> str:
    lines = [
        f"# TL reference (layer {catalog.layer if catalog.layer is not None else 'unknown'})",
        "",
        f"{len(catalog.functions)} methods, {len(catalog.constructors)} constructors, {len(catalog.types)} types.",
        "Generated by `tlgen docs` from the schema and the facts table in `generator/facts` "
        "(bot usability and RPC errors).",
        "",
        "## Methods",
        "",
    ]
    lines += _grouped(catalog.functions, "methods")
    lines += ["## Types", ""]
    lines += _grouped(catalog.types, "types")
    lines += ["## Constructors", ""]
    lines += _grouped(catalog.constructors, "constructors")
    return "\n".join(lines)


def all_pages(catalog: Catalog) -> Dict[str, str]:
    """Relative path -> Markdown for the whole reference."""
    pages: Dict[str, str] = {"index.md": index_page(catalog)}
    for name, cc in catalog.functions.items():
        pages[f"methods/{name}.md"] = method_page(catalog, cc)
    for name, cc in catalog.constructors.items():
        pages[f"constructors/{name}.md"] = constructor_page(catalog, cc)
    for name in catalog.types:
        pages[f"types/{name}.md"] = type_page(catalog, name)
    return pages
