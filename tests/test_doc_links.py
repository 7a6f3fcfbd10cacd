"""Every relative link and image in README.md, ARCHITECTURE.md and docs/*.md resolves: the file
exists, and a `#anchor` into a markdown file names one of its headings (GitHub's slugs).

Pure: reads the files, starts nothing. Links inside code (fenced blocks, `inline code`) are
examples, not links, and are left alone; so are absolute URLs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).+?\1")
# [text](target) and ![alt](target), with an optional "title"; the text may hold `code`
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:, ...


def doc_files(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", root / "ARCHITECTURE.md", *sorted((root / "docs").glob("*.md"))]


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code, numbered from 1."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text (markup dropped) lower-cased, punctuation
    dropped (letters, digits, `_` and `-` kept), each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in "_- ").replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a markdown file's headings; a repeated heading gets -1, -2, ..."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        match = _HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """(line, target) of every link and image outside code."""
    found = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        prose = _CODE_SPAN.sub("", line)
        found += [(number, m.group(1)) for m in _LINK.finditer(prose)]
        if reference := _REFERENCE.match(prose):
            found.append((number, reference.group(1)))
    return found


def broken_links(files: list[Path], root: Path = ROOT) -> list[str]:
    problems = []
    for path in files:
        for number, target in links(path):
            if _EXTERNAL.match(target):
                continue
            file_part, _, anchor = target.partition("#")
            where = f"{path.relative_to(root)}:{number}: {target}"
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                problems.append(f"{where}: no such file {file_part}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                problems.append(f"{where}: no heading #{anchor} in {linked.relative_to(root)}")
    return problems


def test_every_doc_page_exists() -> None:
    assert [p for p in doc_files() if not p.exists()] == []
    assert len(doc_files()) > 2  # docs/ holds pages


def test_every_relative_link_and_anchor_resolves() -> None:
    assert broken_links(doc_files()) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Quick start", "quick-start"),
        ("Lead search (`lead/?query=`)", "lead-search-leadquery"),
        (
            "Spam whitelist requests (`sms_whitelist_request/`)",
            "spam-whitelist-requests-sms_whitelist_request",
        ),
        ("Where a scenario's spam filter is decided", "where-a-scenarios-spam-filter-is-decided"),
        (
            "Rate limits, the circuit breaker, the probes",
            "rate-limits-the-circuit-breaker-the-probes",
        ),
        ("`expect`: what must come out", "expect-what-must-come-out"),
        ("Inside `sms(...)`", "inside-sms"),
    ],
)
def test_slugs_follow_github(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "img.png").write_bytes(b"")
    (tmp_path / "README.md").write_text(
        "# Title\n\n## Same\n\n## Same\n\n"
        "[ok](docs/page.md#a-heading) ![ok](docs/img.png) [ok](#same-1) [ok](https://x.example)\n"
        "[gone](docs/missing.md) ![gone](docs/img/none.png)\n"
        "[bad anchor](docs/page.md#no-such-heading) [bad](#same-2)\n"
        "`[code](not/a/link.md)`\n```\n[fenced](not/a/link.md)\n```\n"
        "[ref]: docs/also-missing.md\n",
        encoding="utf-8",
    )
    (tmp_path / "docs" / "page.md").write_text("# A heading\n", encoding="utf-8")
    problems = broken_links([tmp_path / "README.md"], tmp_path)
    assert [p.split(": ", 2)[1] for p in problems] == [
        "docs/missing.md",
        "docs/img/none.png",
        "docs/page.md#no-such-heading",
        "#same-2",
        "docs/also-missing.md",
    ]
