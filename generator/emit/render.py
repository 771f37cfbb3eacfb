"""Render the layer's view-models through the Jinja2 templates: relative path -> file text."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import jinja2

from generator.emit.layer import DEFAULT_PACKAGE
from generator.emit.viewmodels import LayerVM

__all__ = ["render_layer"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def _path_of(module_path: str, package: str, is_package: bool) -> str:
    """File of a dotted module below the layer's package (``tlruntime.tl.types.x`` -> ``types/x.py``)."""
    rel = module_path.split(".")[len(package.split(".")):]
    if is_package:
        return "/".join(rel + ["__init__.py"])
    return "/".join(rel) + ".py"


def render_layer(layer: LayerVM, only: Iterable[str] | None = None) -> dict[str, str]:
    """Relative path -> file text.  ``only`` restricts class modules to those TL names."""
    env = _environment()
    header = {"layer": layer.layer if layer.layer is not None else "unknown", "package": layer.package}
    files: dict[str, str] = {}
    wanted = set(only) if only is not None else None
    class_tpl = env.get_template("class.py.j2")
    for vm in layer.classes:
        if wanted is None or vm.tl_name in wanted:
            files[_path_of(vm.module_path, layer.package, False)] = class_tpl.render(c=vm, **header)
    if wanted is not None:
        return files
    package_tpl = env.get_template("package.py.j2")
    for pkg in layer.packages:
        files[_path_of(pkg.module_path, layer.package, True)] = package_tpl.render(p=pkg, **header)
    abc_tpl = env.get_template("abcs.py.j2")
    for abc in layer.abcs:
        is_package = abc.module_path == f"{layer.package}.abcs"
        files[_path_of(abc.module_path, layer.package, is_package)] = abc_tpl.render(a=abc, **header)
    # A layer outside tlruntime.tl puts its id index ahead of the default one in the dispatch.
    root = env.get_template("root.py.j2")
    registers_index = layer.package != DEFAULT_PACKAGE
    files["__init__.py"] = root.render(layer_value=repr(layer.layer), registers_index=registers_index, **header)
    files["_index.py"] = env.get_template("index.py.j2").render(index=layer.index, **header)
    return files
