"""Check the catalog against the job documents bullet by bullet, so no requirement is lost."""

from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

from tracker.catalog.files import RoleSpec, load_catalog_files, normalise_text


def seeds_dir() -> tuple[Path, bool]:
    """Where the job documents are, and whether they must be there.

    $TRACKER_SEEDS_DIR if set (then the documents are required), else `shared/seeds` beside
    the repository, which a plain clone may lack.
    """
    configured = os.environ.get("TRACKER_SEEDS_DIR")
    if configured:
        return Path(configured), True
    return Path(__file__).resolve().parents[2].parent / "shared" / "seeds", False


class SectionId(NamedTuple):
    """One list of a document: e.g. ("security-engineer", "level/staff", "responsibility", ...)."""

    role: str
    scope: str  # "shared", "level/<key>" or "specialty/<key>", as in requirement keys
    kind: str
    title: str

    def __str__(self) -> str:
        return f"{self.role}/{self.scope} {self.kind} list {self.title!r}"


def sid(role: str, scope: str, kind: str, title: str) -> SectionId:
    return SectionId(role, scope, kind, title)


DE = "distinguished-engineer"
SE = "security-engineer"
REQ = "requirement"
RESP = "responsibility"

# Bullets per list, counted by hand from the documents; checked even without the documents.
KNOWN_COUNTS: dict[SectionId, int] = {
    sid(DE, "shared", REQ, "General Requirements"): 4,
    sid(DE, "shared", REQ, "Technical Requirements"): 3,
    sid(DE, "shared", REQ, "Communication Requirements"): 2,
    sid(DE, "shared", REQ, "Leadership Requirements"): 1,
    sid(DE, "shared", RESP, "General Responsibilities"): 4,
    sid(DE, "shared", RESP, "Technical Responsibilities"): 2,
    sid(DE, "shared", RESP, "Communication Responsibilities"): 6,
    sid(DE, "shared", RESP, "Leadership Responsibilities"): 5,
    sid(DE, "specialty/ops-and-enablement", REQ, "Ops and Enablement Requirements"): 5,
    sid(DE, "specialty/ops-and-enablement", RESP, "Ops and Enablement Responsibilities"): 9,
    sid(DE, "specialty/secure", REQ, "Secure Requirements"): 3,
    sid(DE, "specialty/secure", RESP, "Secure Responsibilities"): 11,
    sid(SE, "shared", RESP, "Responsibilities for Security Engineer roles"): 5,
    sid(SE, "shared", RESP, "Technical Skills"): 6,
    sid(SE, "shared", RESP, "Code quality"): 2,
    sid(SE, "shared", RESP, "Communication"): 5,
    sid(SE, "shared", RESP, "Performance & Scalability"): 1,
    sid(SE, "shared", REQ, "General Requirements for Security Engineer roles"): 6,
    sid(SE, "level/intermediate", REQ, "Intermediate Security Engineer requirements"): 5,
    sid(SE, "level/senior", REQ, "Senior Security Engineer requirements"): 5,
    sid(SE, "level/staff", RESP, "Staff Security Engineer responsibilities"): 10,
    sid(SE, "level/staff", REQ, "Staff Security Engineer requirements"): 7,
    sid(SE, "level/principal", RESP, "Principal Security Engineer responsibilities"): 7,
    sid(SE, "level/principal", REQ, "Principal Security Engineer requirements"): 9,
    sid(SE, "level/distinguished", RESP, "Distinguished Security Engineer responsibilities"): 9,
    sid(SE, "level/distinguished", REQ, "Distinguished Security Engineer requirements"): 10,
    sid(SE, "specialty/application-security", RESP, "Application Security Responsibilities"): 12,
    sid(SE, "specialty/application-security", REQ, "Application Security Requirements"): 5,
    sid(
        SE,
        "specialty/product-security-engineering",
        RESP,
        "Product Security Engineering Team Responsibilities",
    ): 8,
    sid(
        SE,
        "specialty/product-security-engineering",
        REQ,
        "Product Security Engineering Team Requirements",
    ): 3,
    sid(SE, "specialty/sirt", RESP, "SIRT Responsibilities"): 11,
    sid(SE, "specialty/sirt", REQ, "SIRT Requirements"): 8,
    sid(SE, "specialty/trust-and-safety", RESP, "Trust & Safety Responsibilities"): 7,
    sid(SE, "specialty/trust-and-safety", REQ, "Trust & Safety Requirements"): 8,
    sid(SE, "specialty/security-architect", RESP, "Security Architect Responsibilities"): 15,
}

# Category of each shared list; every level list is "Level", every specialty list "Specialty".
SHARED_CATEGORIES: dict[tuple[str, str], str] = {
    (DE, "General Requirements"): "General",
    (DE, "Technical Requirements"): "Technical",
    (DE, "Communication Requirements"): "Communication",
    (DE, "Leadership Requirements"): "Leadership",
    (DE, "General Responsibilities"): "General",
    (DE, "Technical Responsibilities"): "Technical",
    (DE, "Communication Responsibilities"): "Communication",
    (DE, "Leadership Responsibilities"): "Leadership",
    (SE, "Responsibilities for Security Engineer roles"): "General",
    (SE, "Technical Skills"): "Technical",
    (SE, "Code quality"): "Technical",
    (SE, "Communication"): "Communication",
    (SE, "Performance & Scalability"): "Technical",
    (SE, "General Requirements for Security Engineer roles"): "General",
}

# Levels (key, title, grade) and specialties (key, title) in document order.
KNOWN_OUTLINE: dict[str, tuple[list[tuple[str, str, int]], list[tuple[str, str]]]] = {
    DE: (
        [("distinguished", "Distinguished Engineer", 10)],
        [("ops-and-enablement", "Ops and Enablement"), ("secure", "Secure")],
    ),
    SE: (
        [
            ("intermediate", "Intermediate Security Engineer", 6),
            ("senior", "Senior Security Engineer", 7),
            ("staff", "Staff Security Engineer", 8),
            ("principal", "Principal Security Engineer", 9),
            ("distinguished", "Distinguished Security Engineer", 10),
        ],
        [
            ("application-security", "Application Security"),
            ("product-security-engineering", "Product Security Engineering"),
            ("sirt", "SIRT - Security Incident Response Team"),
            ("trust-and-safety", "Trust & Safety"),
            ("security-assurance", "Security Assurance"),
            ("security-architect", "Security Architect"),
        ],
    ),
}

# Descriptions the documents do not provide, so the catalog words them itself.
AUTHORED_DESCRIPTIONS = {
    (DE, "level/distinguished"),
    (DE, "specialty/ops-and-enablement"),
    (DE, "specialty/secure"),
    (SE, "level/intermediate"),
}

# List items that are program text, not requirements: they must be seen and left out.
SE_EXCLUDED_EXAMPLES = (
    "Career Growth through increased scope and responsibility",
    "Project Management experience",
    "Solves a Problem: The initiative should be designed to produce an outcome that remediates"
    " or mitigates a security concern.",
    "60 Minute Interview with Hiring Manager",
    "45 Minute Peer Interview",
    "Mission: Everyone can contribute",
)
SE_EXCLUDED_COUNT = 5 + 5 + 4 + 10  # Staff+ benefits, selection criteria, hiring rounds, top 10
SE_SUBHEADINGS = ["Technical Skills", "Code quality", "Communication", "Performance & Scalability"]

LIST_ITEM_RE = re.compile(r"^(?P<indent>\s*)(?:[-*+\u2022]|\d+\.)\s+(?P<text>\S.*)$")
KIND_WORDS = {"Requirements": REQ, "Responsibilities": RESP}


@dataclass
class ParsedDocument:
    """What a document says, in the shape the catalog is compared in."""

    title: str = ""
    sections: dict[SectionId, list[str]] = field(default_factory=dict)
    prose: dict[str, list[str]] = field(default_factory=dict)  # scope -> its paragraphs
    levels: list[tuple[str, str, int]] = field(default_factory=list)
    specialties: list[tuple[str, str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # list items that are not requirements
    subheadings: list[str] = field(default_factory=list)  # list items that title a sub-list
    list_items_seen: int = 0

    def add(self, section: SectionId, text: str) -> None:
        self.sections.setdefault(section, []).append(normalise_text(text))

    def add_prose(self, scope: str, text: str) -> None:
        if text.strip():
            self.prose.setdefault(scope, []).append(normalise_text(text))


def slugify(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def parse_distinguished_engineer(text: str) -> ParsedDocument:
    """Markdown: `## Requirements|Responsibilities` > `### <category or specialty>` > `####`."""
    doc = ParsedDocument()
    grade: int | None = None
    headings: dict[int, str] = {}
    lines = text.splitlines()
    frontmatter = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert frontmatter, "the Distinguished Engineer document has no front matter"
    title = re.search(r'^title:\s*"(.*)"\s*$', frontmatter.group(1), re.MULTILINE)
    assert title, "the front matter has no title"
    doc.title = normalise_text(title.group(1))
    body = lines[frontmatter.group(0).count("\n") :]
    for line in body:
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            depth = len(heading.group(1))
            headings = {d: h for d, h in headings.items() if d < depth}
            headings[depth] = normalise_text(heading.group(2))
            continue
        h2, h3, h4 = (headings.get(d, "") for d in (2, 3, 4))
        item = LIST_ITEM_RE.match(line)
        if not item:
            if h2 == "Job Grade" and (found := re.search(r"\bgrade (\d+)", line)):
                grade = int(found.group(1))
            elif h2.startswith("Distinguished Engineer Roles") and not line.startswith("<"):
                doc.add_prose("role", line)
            continue
        doc.list_items_seen += 1
        if h2 in KIND_WORDS and h3 in {"General", "Technical", "Communication", "Leadership"}:
            assert not h4, f"unexpected heading {h4!r} under {h2}/{h3}"
            doc.add(sid(DE, "shared", KIND_WORDS[h2], f"{h3} {h2}"), item.group("text"))
        elif h2 in KIND_WORDS and h3 and h4 in KIND_WORDS:
            specialty = (slugify(h3), h3)
            if specialty not in doc.specialties:
                doc.specialties.append(specialty)
            section = sid(DE, f"specialty/{slugify(h3)}", KIND_WORDS[h4], f"{h3} {h4}")
            doc.add(section, item.group("text"))
        else:
            doc.excluded.append(normalise_text(item.group("text")))
    assert grade is not None, "the Distinguished Engineer document states no grade"
    doc.levels.append(("distinguished", doc.title, grade))
    return doc


SE_LEVEL_HEADINGS = {
    "Intermediate Security Engineer": "intermediate",
    "Senior Security Engineer": "senior",
    "Staff Security Engineer": "staff",
    "Principal Security Engineer": "principal",
    "Distinguished Security Engineer": "distinguished",
}
SE_SPECIALTY_HEADINGS = {
    "Application Security": "application-security",
    "Product Security Engineering": "product-security-engineering",
    "SIRT - Security Incident Response Team": "sirt",
    "Trust & Safety": "trust-and-safety",
    "Security Assurance": "security-assurance",
    "Security Architect": "security-architect",
}
SE_SHARED_HEADINGS = {
    "Responsibilities for Security Engineer roles": RESP,
    "General Requirements for Security Engineer roles": REQ,
}
SE_GROUP_HEADINGS = {"Levels of Security Engineer roles", "Specialties for Security Engineer roles"}
SE_EXCLUDED_HEADINGS = {
    "Staff+ Initiatives",
    "Security Engineer Hiring Process",
    "Performance Indicators",
    "Career Ladder",
    "About GitLab",
    "Top 10 Reasons to Work for GitLab:",
}


@dataclass
class _Block:
    """The list items under one heading, as runs broken by blank lines or prose."""

    scope: str
    title: str
    kind: str | None
    runs: list[list[tuple[int, str]]] = field(default_factory=list)
    lead_in: str = ""  # the prose just before the first run


def parse_security_engineer(text: str) -> ParsedDocument:
    """Plain text: known heading lines open scopes; `  •` items, `    •` under sub-headings."""
    doc = ParsedDocument()
    lines = text.splitlines()
    doc.title = normalise_text(lines[0])
    blocks: list[_Block] = []
    block: _Block | None = None
    scope = "role"
    in_job_grade = False
    previous_was_item = False
    for raw in lines[1:]:
        line = normalise_text(raw)
        item = LIST_ITEM_RE.match(raw)
        if item:
            doc.list_items_seen += 1
            entry = (len(item.group("indent")), normalise_text(item.group("text")))
            if block is None:
                doc.excluded.append(entry[1])
            elif previous_was_item:
                block.runs[-1].append(entry)
            else:
                block.runs.append([entry])
            previous_was_item = True
            continue
        previous_was_item = False
        if not line:
            continue
        if line in SE_SHARED_HEADINGS:
            scope, in_job_grade = "shared", False
            block = _Block(scope, line, SE_SHARED_HEADINGS[line])
            blocks.append(block)
        elif line in SE_LEVEL_HEADINGS:
            scope, in_job_grade = f"level/{SE_LEVEL_HEADINGS[line]}", False
            doc.levels.append((SE_LEVEL_HEADINGS[line], line, -1))
            block = _Block(scope, line, None)
            blocks.append(block)
        elif line in SE_SPECIALTY_HEADINGS:
            scope, in_job_grade = f"specialty/{SE_SPECIALTY_HEADINGS[line]}", False
            doc.specialties.append((SE_SPECIALTY_HEADINGS[line], line))
            block = _Block(scope, line, None)
            blocks.append(block)
        elif scope.startswith("specialty/") and line.rsplit(" ", 1)[-1] in KIND_WORDS:
            block = _Block(scope, line, KIND_WORDS[line.rsplit(" ", 1)[-1]])
            blocks.append(block)
        elif line == "Job Grade":
            assert scope.startswith("level/"), f"'Job Grade' outside a level, in {scope}"
            in_job_grade, block = True, None
        elif line in SE_GROUP_HEADINGS or line in SE_EXCLUDED_HEADINGS:
            scope, in_job_grade, block = "excluded", False, None
        elif in_job_grade:
            found = re.search(r"\bgrade (\d+)\b", line)
            assert found, f"no grade in the Job Grade line {line!r}"
            key, title, _ = doc.levels[-1]
            doc.levels[-1] = (key, title, int(found.group(1)))
        elif scope != "excluded":
            if block is not None and not block.runs:
                block.lead_in = line
            doc.add_prose(scope, line)
    for block in blocks:
        _add_block(doc, block)
    return doc


def _add_block(doc: ParsedDocument, block: _Block) -> None:
    """Turn one heading's runs into sections, by the rules each kind of heading follows."""
    if block.scope == "shared":
        current = block.title
        items = [entry for run in block.runs for entry in run]
        for n, (indent, text) in enumerate(items):
            nested_next = n + 1 < len(items) and items[n + 1][0] > indent
            if nested_next:
                current = text
                doc.subheadings.append(text)
            else:
                doc.add(sid(SE, "shared", block.kind or "", current), text)
        return
    for run in block.runs:
        assert len({indent for indent, _ in run}) == 1, f"nested list under {block.title!r}"
    texts = [[text for _, text in run] for run in block.runs]
    if block.scope.startswith("level/"):
        # One list is the level's requirements; two are its responsibilities, then requirements.
        kinds = {0: [], 1: [REQ], 2: [RESP, REQ]}.get(len(texts))
        assert kinds is not None, f"{block.title!r} has {len(texts)} lists"
        for kind, run_texts in zip(kinds, texts, strict=True):
            suffix = "requirements" if kind == REQ else "responsibilities"
            for text in run_texts:
                doc.add(sid(SE, block.scope, kind, f"{block.title} {suffix}"), text)
        return
    kind, title = block.kind, block.title
    if kind is None and texts:
        # Security Architect: the list follows "...the responsibilities of this role include:".
        assert "responsibilities" in block.lead_in, f"unlabelled list under {block.title!r}"
        kind, title = RESP, f"{block.title} Responsibilities"
    assert len(texts) <= 1, f"{block.title!r} has {len(texts)} lists"
    for text in (t for run_texts in texts for t in run_texts):
        doc.add(sid(SE, block.scope, kind or "", title), text)


DOCUMENTS: dict[str, tuple[str, Callable[[str], ParsedDocument]]] = {
    DE: ("000_000f8bce6e3085f5.txt", parse_distinguished_engineer),
    SE: ("004_fb35d0e95350660a.txt", parse_security_engineer),
}


@cache
def parsed_documents() -> dict[str, ParsedDocument] | None:
    """Each role's parsed document, or None in a clone that has no documents beside it."""
    directory, required = seeds_dir()
    paths = {role: directory / name for role, (name, _) in DOCUMENTS.items()}
    if not required and not any(path.exists() for path in paths.values()):
        warnings.warn(
            f"job documents not found in {directory}: checking KNOWN_COUNTS only",
            stacklevel=2,
        )
        return None
    missing = [str(path) for path in paths.values() if not path.exists()]
    assert not missing, f"some job documents are missing: {missing}"
    return {
        role: DOCUMENTS[role][1](path.read_text(encoding="utf-8")) for role, path in paths.items()
    }


@cache
def catalog() -> dict[str, RoleSpec]:
    return {role.key: role for role in load_catalog_files()}


@cache
def catalog_sections() -> dict[SectionId, list[str]]:
    """The catalog's texts grouped the way the parsers group the documents' bullets."""
    sections: dict[SectionId, list[str]] = {}
    for role in catalog().values():
        for requirement in role.all_requirements():
            scope = requirement.key.removeprefix(f"{role.key}/").rsplit("/", 1)[0]
            section = sid(role.key, scope, requirement.kind, requirement.section)
            sections.setdefault(section, []).append(requirement.text)
    return sections


def describe_mismatch(section: SectionId, document: list[str], catalog_texts: list[str]) -> str:
    """Name the section and every bullet that is missing, extra or out of order."""
    lines = [f"{section}: the catalog does not match the document"]
    missing = Counter(document) - Counter(catalog_texts)
    extra = Counter(catalog_texts) - Counter(document)
    lines += [f"  in the document, missing from the catalog: {text!r}" for text in missing]
    lines += [f"  in the catalog, not in the document: {text!r}" for text in extra]
    if not missing and not extra:
        n = next(i for i, (a, b) in enumerate(zip(document, catalog_texts, strict=True)) if a != b)
        lines.append(
            f"  order differs at position {n}: document {document[n]!r}, "
            f"catalog {catalog_texts[n]!r}"
        )
    return "\n".join(lines)


def test_catalog_matches_known_counts() -> None:
    counts = {section: len(texts) for section, texts in catalog_sections().items()}

    assert counts == KNOWN_COUNTS


@pytest.mark.parametrize(
    "section", list(KNOWN_COUNTS), ids=lambda s: f"{s.role}/{s.scope}/{s.title}"
)
def test_section_matches_document(section: SectionId) -> None:
    catalog_texts = catalog_sections().get(section, [])
    documents = parsed_documents()
    if documents is None:  # a clone without the documents: the hand count still has to hold
        assert len(catalog_texts) == KNOWN_COUNTS[section], str(section)
        return

    document = documents[section.role].sections.get(section, [])

    assert len(document) == KNOWN_COUNTS[section], f"{section}: parser disagrees with KNOWN_COUNTS"
    assert catalog_texts == document, describe_mismatch(section, document, catalog_texts)


def test_documents_have_no_list_the_catalog_lacks() -> None:
    documents = parsed_documents()
    if documents is None:
        assert set(catalog_sections()) == set(KNOWN_COUNTS)
        return

    found = {section for doc in documents.values() for section in doc.sections}

    assert found == set(KNOWN_COUNTS)
    assert set(catalog_sections()) == found


def test_parser_sees_every_list_item_and_excludes_only_program_text() -> None:
    documents = parsed_documents()
    if documents is None:
        assert sum(KNOWN_COUNTS.values()) == 55 + 164
        return
    for role, doc in documents.items():
        name = DOCUMENTS[role][0]
        raw = (seeds_dir()[0] / name).read_text(encoding="utf-8").splitlines()
        list_lines = sum(1 for line in raw if LIST_ITEM_RE.match(line))
        parsed = sum(len(texts) for texts in doc.sections.values())

        assert doc.list_items_seen == list_lines, name
        assert parsed + len(doc.excluded) + len(doc.subheadings) == list_lines, name
        assert parsed > 50, f"{name}: only {parsed} bullets parsed"

    de, se = documents[DE], documents[SE]
    assert de.excluded == []
    assert se.subheadings == SE_SUBHEADINGS
    assert len(se.excluded) == SE_EXCLUDED_COUNT
    for text in SE_EXCLUDED_EXAMPLES:
        assert text in se.excluded
    catalog_texts = {r.text for role in catalog().values() for r in role.all_requirements()}
    assert catalog_texts.isdisjoint(se.excluded + se.subheadings)


def test_outline_matches_document() -> None:
    outline = {
        key: (
            [(level.key, level.title, level.grade) for level in role.levels],
            [(specialty.key, specialty.title) for specialty in role.specialties],
        )
        for key, role in catalog().items()
    }
    assert outline == KNOWN_OUTLINE
    documents = parsed_documents()
    if documents is None:
        return

    for role, doc in documents.items():
        assert (doc.levels, doc.specialties) == KNOWN_OUTLINE[role], role
        assert catalog()[role].title == doc.title
        assert catalog()[role].source == DOCUMENTS[role][0]


def test_descriptions_are_the_documents_prose() -> None:
    documents = parsed_documents()
    for key, role in catalog().items():
        scoped = [("role", role.description)]
        scoped += [(f"level/{level.key}", level.description) for level in role.levels]
        scoped += [(f"specialty/{s.key}", s.description) for s in role.specialties]
        for scope, description in scoped:
            assert description.strip(), f"{key}/{scope}: empty description"
            if documents is None or (key, scope) in AUTHORED_DESCRIPTIONS:
                continue
            prose = documents[key].prose.get(scope, [])
            for paragraph in description.split("\n\n"):
                assert paragraph in prose, f"{key}/{scope}: {paragraph!r} is not in the document"


def test_categories_follow_the_mapping() -> None:
    for key, role in catalog().items():
        for requirement in role.all_requirements():
            scope = requirement.key.split("/")[1]
            expected = {"level": "Level", "specialty": "Specialty"}.get(scope)
            if expected is None:
                expected = SHARED_CATEGORIES[(key, requirement.section)]
            assert requirement.category == expected, requirement.key
