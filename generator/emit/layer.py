"""The whole layer's view-models: class modules, lazy packages, typing-only abcs and the id index."""

from __future__ import annotations

import keyword
from typing import Mapping, Sequence

from generator import naming
from generator.emit.classes import build_class
from generator.emit.errors import EmitError
from generator.emit.policy import runtime_classes
from generator.emit.schema_types import TypeIndex
from generator.emit.viewmodels import AbcVM, ClassVM, LayerVM, PackageVM
from generator.model import CheckedCombinator, ValidatedSchema
from tlruntime.errors import GenerationError

__all__ = ["DEFAULT_PACKAGE", "build_layer"]

DEFAULT_PACKAGE = "tlruntime.tl"


def _packages(classes: list[ClassVM], runtime: Mapping[str, tuple[str, str]], package_root: str) -> list[PackageVM]:
    """One lazy __init__ per package: its classes and its sub-namespaces."""
    content: dict[str, dict[str, tuple[str, str]]] = {f"{package_root}.types": {}, f"{package_root}.functions": {}}
    for vm in classes:
        package = vm.module_path.rsplit(".", 1)[0]
        content.setdefault(package, {})
        parent, _, ns = package.rpartition(".")
        if parent != package_root:
            content.setdefault(parent, {})[ns] = (package, "")
    for name, (module, attr) in runtime.items():
        content[f"{package_root}.types"][name] = (module, attr)
    for vm in classes:
        package = vm.module_path.rsplit(".", 1)[0]
        table = content[package]
        if vm.class_name in table:
            raise EmitError(f"{vm.tl_name}: {package}.{vm.class_name} is already taken", vm.source)
        table[vm.class_name] = (vm.module_path, vm.class_name)
    modules_seen: dict[str, str] = {}
    for vm in classes:
        if vm.module_path in modules_seen:
            raise EmitError(f"{vm.tl_name} and {modules_seen[vm.module_path]} share module {vm.module_path}", vm.source)
        modules_seen[vm.module_path] = vm.tl_name
    packages = []
    for package, table in sorted(content.items()):
        entries = [(name, module, attr) for name, (module, attr) in sorted(table.items())]
        imports = [
            (module, attr, name) if attr else (package, name, name)
            for name, module, attr in entries
        ]
        packages.append(
            PackageVM(
                module_path=package,
                docstring=f"Lazily loaded {package[len(package_root) + 1:]} of the layer.",
                entries=entries,
                typing_imports=imports,
            )
        )
    return packages


def _abcs(classes: list[ClassVM], emitted: Sequence[CheckedCombinator], types: TypeIndex) -> list[AbcVM]:
    by_module: dict[str, dict[str, list[str]]] = {}
    module_of = {vm.tl_name: vm for vm in classes}
    for cc in emitted:
        c = cc.combinator
        if c.kind != "constructor":
            continue
        module = types.abc_module(c.result.name)
        alias = naming.class_name(c.result.name)
        vm = module_of[c.name]
        by_module.setdefault(module, {}).setdefault(alias, []).append(f"{vm.module_path}.{vm.class_name}")
    by_module.setdefault(f"{types.package}.abcs", {})
    out = []
    for module, aliases in sorted(by_module.items()):
        imports = sorted({ref.rsplit(".", 1)[0] for refs in aliases.values() for ref in refs})
        out.append(
            AbcVM(
                module_path=module,
                imports=imports,
                aliases=[(alias, ", ".join(sorted(refs))) for alias, refs in sorted(aliases.items())],
            )
        )
    return out


def build_layer(validated: ValidatedSchema, package: str = DEFAULT_PACKAGE) -> LayerVM:
    """View-models for the whole layer in ``package`` (deterministic: everything sorted).

    ``validated`` must not hold the combinators the runtime writes by hand
    (:func:`generator.emit.policy.without_runtime_combinators`, applied by ``load_schema``).
    """
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in package.split(".")):
        raise GenerationError(f"package {package!r} is not a dotted Python module name (e.g. mylayer.tl)")
    emitted = list(validated.combinators)
    types = TypeIndex(emitted, package)
    classes = sorted((build_class(cc, types) for cc in emitted), key=lambda vm: vm.module_path)
    handwritten = runtime_classes()
    runtime = {attr: (module, attr) for _, module, attr, _ in handwritten}
    index = [(vm.constructor_id, vm.module_path, vm.class_name, vm.tl_name) for vm in classes]
    index += [(f"0x{cid:08x}", module, attr, tl_name) for cid, module, attr, tl_name in handwritten]
    index.sort()
    return LayerVM(
        layer=validated.schema.layer,
        package=package,
        classes=classes,
        packages=_packages(classes, runtime, package),
        abcs=_abcs(classes, emitted, types),
        index=index,
    )
