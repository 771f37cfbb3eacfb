"""``docs``: the seed page is golden, every link resolves, every example runs, the HTML site builds."""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Dict, List

import pytest

from generator.docs import MARKER, render_docs, write_docs
from generator.docs.cli import configure, run
from generator.model import ValidatedSchema
from tlruntime.errors import GenerationError

GOLDEN = Path(__file__).with_name("data") / "docs"
SEED = "methods/messages.exportChatInvite.md"
LINK = re.compile(r"\]\(([^)]+\.md)\)")


@pytest.fixture(scope="module")
def pages(validated_schema: ValidatedSchema) -> Dict[str, str]:
    return render_docs(validated_schema)


def links_of(rel: str, text: str) -> List[str]:
    base = PurePosixPath(rel).parent
    out = []
    for target in LINK.findall(text):
        parts: List[str] = []
        for part in (base / target).parts:
            if part == "..":
                parts.pop()
            else:
                parts.append(part)
        out.append("/".join(parts))
    return out


def test_seed_page_matches_golden(pages: Dict[str, str]) -> None:
    assert pages[SEED] == (GOLDEN / SEED).read_text(encoding="utf-8")


def test_seed_page_has_what_the_issue_asks(pages: Dict[str, str]) -> None:
    page = pages[SEED]
    assert "messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true" in page
    assert "- Constructor id: `0xa455de90`" in page
    assert "| peer | [InputPeer](../types/InputPeer.md) | required |" in page
    assert "| usage_limit | `int` | optional (flags.1) |" in page
    assert "- [chatInvitePublicJoinRequests](../constructors/chatInvitePublicJoinRequests.md)" in page
    assert "Yes: users and bots can use this method." in page
    assert "| 400 | USAGE_LIMIT_INVALID | `tlruntime.tl.errors.UsageLimitInvalidError` |" in page
    assert "from tlruntime.client import Client" in page and "await client(request)" in page


def test_rendering_is_deterministic(validated_schema: ValidatedSchema, pages: Dict[str, str]) -> None:
    assert render_docs(validated_schema) == pages
    assert len([p for p in pages if p.startswith("methods/")]) > 700


def test_every_link_resolves_to_a_page(pages: Dict[str, str]) -> None:
    broken = [(rel, target) for rel, text in pages.items() for target in links_of(rel, text) if target not in pages]
    assert broken == []


def test_type_page_lists_constructors_and_methods(pages: Dict[str, str]) -> None:
    page = pages["types/ExportedChatInvite.md"]
    assert "- [chatInviteExported](../constructors/chatInviteExported.md) `0xa22cbd96`" in page
    assert "- [messages.exportChatInvite](../methods/messages.exportChatInvite.md)" in page
    ctor = pages["constructors/chatInviteExported.md"]
    assert "| title | `string` | optional (flags.8) |" in ctor and "Belongs to [ExportedChatInvite]" in ctor


class _RecordingClient:
    """Stands in for a connected Client: serializes what it is asked to send."""

    def __init__(self) -> None:
        self.sent: List[bytes] = []

    async def __call__(self, request: object) -> object:
        self.sent.append(bytes(request))  # type: ignore[call-overload]
        return None


def test_every_method_example_builds_and_serializes_its_request(pages: Dict[str, str]) -> None:
    client = _RecordingClient()
    failures = []
    for rel, text in sorted(pages.items()):
        if not rel.startswith("methods/"):
            continue
        code = text.split("```python\n", 1)[1].split("```", 1)[0]
        namespace: Dict[str, object] = {}
        try:
            exec(compile(code, rel, "exec"), namespace)
            asyncio.run(namespace["example"](client))  # type: ignore[operator]
        except Exception as error:  # collect every failure, then report them together
            failures.append(f"{rel}: {type(error).__name__}: {error}")
    assert failures == []
    assert len(client.sent) > 700


def test_every_method_example_gives_every_parameter(pages: Dict[str, str], validated_schema: ValidatedSchema) -> None:
    from generator import naming

    for cc in validated_schema.combinators:
        c = cc.combinator
        if c.kind != "function":
            continue
        example = pages[f"methods/{c.name}.md"].split("request = ", 1)[1].split("result = ", 1)[0]
        for p in c.params:
            if p.type.name != "#":
                assert f"{naming.param_name(p.name)}=" in example, (c.name, p.name)


def test_write_docs_refuses_a_foreign_directory(tmp_path: Path, validated_schema: ValidatedSchema) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(GenerationError, match="not written by `tlgen docs`"):
        write_docs(tmp_path, validated_schema)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tlgen docs")
    configure(parser)
    return run(parser.parse_args(list(argv)))


def test_cli_writes_the_tree_and_reruns_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A small schema keeps this fast; the bundled schema's pages are checked above.
    schema = str(Path(__file__).with_name("data") / "diff" / "new.tl")
    out = tmp_path / "ref"
    assert _cli("--out", str(out), schema) == 0
    assert (out / MARKER).exists() and (out / "index.md").exists()
    page = (out / SEED).read_text(encoding="utf-8")
    assert "| title | `string` | optional (flags.4) |" in page and "- Layer: 229" in page
    (out / "methods" / "stale.md").write_text("old")
    assert _cli("--out", str(out), schema) == 0
    assert not (out / "methods" / "stale.md").exists()
    assert _cli("--out", str(tmp_path / "x"), str(tmp_path / "missing.tl")) == 1
    assert "no such schema file" in capsys.readouterr().err


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: List[List[str]] = []
        self.links: List[str] = []
        self._cell: List[str] | None = None
        self._in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.endswith(".html") and not href.startswith(("http", "#")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_html_site_of_the_seed_page(tmp_path: Path, pages: Dict[str, str]) -> None:
    from generator.docs.site import build_site

    src = tmp_path / "pages"
    wanted = {"index.md", SEED, *links_of(SEED, pages[SEED])}
    for rel in wanted:
        text = pages[rel] if rel != "index.md" else f"# Seed\n\n- [messages.exportChatInvite]({SEED})\n"
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    build_site(src, site, theme="mkdocs")
    page = site / "methods" / "messages.exportChatInvite.html"
    parser = _Html()
    parser.feed(page.read_text(encoding="utf-8"))
    assert ["Name", "Type", "Required"] in parser.rows
    assert ["peer", "InputPeer", "required"] in parser.rows
    assert ["usage_limit", "int", "optional (flags.1)"] in parser.rows
    assert ["subscription_pricing", "StarsSubscriptionPricing", "optional (flags.5)"] in parser.rows
    assert ["400", "USAGE_LIMIT_INVALID", "tlruntime.tl.errors.UsageLimitInvalidError"] in parser.rows
    content_links = {link for link in parser.links if "/" in link and not link.startswith("..//")}
    assert "../types/InputPeer.html" in content_links
    assert "../constructors/chatInvitePublicJoinRequests.html" in content_links
    for link in content_links:
        assert (page.parent / link).resolve().is_file(), link
    shutil.rmtree(site)


def test_renamed_parameters_show_their_python_name(pages: Dict[str, str]) -> None:
    renamed = [line for text in pages.values() for line in text.splitlines() if "(Python: `" in line]
    assert any(line.startswith("| from (Python: `from_`) |") for line in renamed)


def test_type_page_lists_where_it_is_used(pages: Dict[str, str]) -> None:
    page = pages["types/StarsSubscriptionPricing.md"]
    assert "- [messages.exportChatInvite](../methods/messages.exportChatInvite.md) (method)" in page
