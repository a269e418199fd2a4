"""Every document the code cites is in the repository, down to its section.

Comments and docstrings in a2pctl/ and tests/ (and the READMEs) cite the design and
the Twilio facts as `docs/<path>.md`, optionally followed by `§N` or `§N.M`. Each cited
file must exist, and each cited section must be a numbered heading of that file
(`## 2. …`, `### 2.1 …`). Design notes kept outside the repository cannot be cited:
a bare `flows.md` or `DESIGN.md` means nothing to someone who clones the repo.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from paths import REPO

THIS = Path(__file__).resolve()

# `docs/twilio/flows.md`, then optionally a closing backtick and `§2`, `§2.1` or `§3.1–3.6`.
CITATION = re.compile(r"(docs/[\w/.-]+?\.md)`?(?:\s*§(\d+(?:\.\d+)*)(?:[–-](\d+(?:\.\d+)*))?)?")
# A design note named without its place in the repository: `flows.md`, `reference/flows.md`,
# `../shared/...`. The one name allowed outside docs/ is the OpenAPI directory the
# contract tests look for next to the clone (tests/oas.py).
NOTE_NAMES = ("DESIGN", "STYLE", "flows", "endpoints", "twilio-python", "policy-sids")
NOTE = re.compile(r"([\w./-]*?)\b(" + "|".join(map(re.escape, NOTE_NAMES)) + r")\.md\b")
OUTSIDE = re.compile(r"(?:\.\./)?shared/(?!twilio-oai\b)[\w./-]*|reference/sources/[\w.-]+")
HEADING = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s", re.MULTILINE)


def cited_sources() -> list[Path]:
    """The files whose comments may cite documents: code, tests and their READMEs."""
    files = [
        *sorted((REPO / "a2pctl").rglob("*.py")),
        *sorted((REPO / "tests").rglob("*.py")),
        *sorted((REPO / "tests").rglob("*.md")),
        REPO / "README.md",
    ]
    return [path for path in files if path.resolve() != THIS]


def citations(text: str) -> list[tuple[str, list[str]]]:
    """(cited file, cited section numbers) for every citation in `text`."""
    found = []
    for match in CITATION.finditer(text):
        doc, first, last = match.groups()
        found.append((doc, [s for s in (first, last) if s]))
    return found


def misplaced_notes(text: str) -> list[str]:
    """Design notes cited by a bare name or a path outside docs/."""
    bad = [
        m.group(0)
        for m in NOTE.finditer(text)
        if not m.group(1).startswith("docs/") or m.group(1).startswith("docs/..")
    ]
    return bad + [m.group(0) for m in OUTSIDE.finditer(text)]


def numbered_sections(doc: Path) -> set[str]:
    return set(HEADING.findall(doc.read_text(encoding="utf-8")))


def problems_in(text: str, where: str) -> list[str]:
    """What is wrong with the citations of `text` (from the file `where`)."""
    problems = [f"{where}: cites {note!r} outside docs/" for note in misplaced_notes(text)]
    for doc, sections in citations(text):
        target = REPO / doc
        if not target.is_file():
            problems.append(f"{where}: cites {doc}, which does not exist")
            continue
        missing = [s for s in sections if s not in numbered_sections(target)]
        problems += [f"{where}: cites {doc} §{s}, which has no such heading" for s in missing]
    return problems


def test_the_code_cites_documents_at_all() -> None:
    cited = {doc for path in cited_sources() for doc, _ in citations(path.read_text())}
    assert {"docs/contract.md", "docs/twilio/flows.md", "docs/twilio/endpoints.md"} <= cited


@pytest.mark.parametrize("path", cited_sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_cited_document_and_section_exists(path: Path) -> None:
    assert problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(REPO))) == []


def test_the_documents_cite_each_other_correctly() -> None:
    """Citations inside docs/ follow the same rules (links are relative, citations not)."""
    problems = []
    for doc in sorted((REPO / "docs").rglob("*.md")):
        for cited, sections in citations(doc.read_text(encoding="utf-8")):
            target = REPO / cited
            if not target.is_file():
                problems.append(f"{doc.relative_to(REPO)}: {cited} does not exist")
            elif any(s not in numbered_sections(target) for s in sections):
                problems.append(f"{doc.relative_to(REPO)}: {cited} §{sections}")
    assert problems == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("# see (docs/twilio/flows.md §99)", "docs/twilio/flows.md §99, which has no such"),
        ("# see docs/nowhere.md", "docs/nowhere.md, which does not exist"),
        ("# Dependencies (STYLE.md)", "cites 'STYLE.md' outside docs/"),
        ("# as in flows.md §2 step 1.8", "cites 'flows.md' outside docs/"),
        ("# from `reference/endpoints.md`", "cites 'reference/endpoints.md' outside docs/"),
        ("# ../shared/reference/sources/x.txt", "cites '../shared/reference/sources/x.txt'"),
    ],
)
def test_a_bad_citation_is_reported(text: str, problem: str) -> None:
    found = problems_in(text, "probe.py")
    assert any(problem in p for p in found), found


@pytest.mark.parametrize(
    "text",
    [
        "# (docs/twilio/flows.md §2 step 1.8)",
        "# `docs/twilio/flows.md` §3.1–3.6",
        "# from `A2PCTL_TWILIO_OAS_DIR`, else `../shared/twilio-oai/` next to the clone",
        "# twilio-python's own RequestValidator",
    ],
)
def test_a_good_citation_passes(text: str) -> None:
    assert problems_in(text, "probe.py") == []
