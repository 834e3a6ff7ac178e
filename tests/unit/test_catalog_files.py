"""Unit tests of the catalog file loader: text repair, validation errors, the shipped data."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracker.catalog.files import (
    CATEGORIES,
    DATA_DIR,
    KINDS,
    CatalogFileError,
    RoleSpec,
    load_catalog_files,
    normalise_text,
    repair_text,
)

MOJIBAKE = "\u00e2\u20ac"  # "â€": what every mis-decoded curly quote and dash starts with


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GitLab\u00e2\u20ac\u2122s", "GitLab\u2019s"),
        ("\u00e2\u20ac\u0153quoted\u00e2\u20ac\x9d", "\u201cquoted\u201d"),
        ("a \u00e2\u20ac\u201c b", "a \u2013 b"),
        ("a \u00e2\u20ac\u201d b", "a \u2014 b"),
        ("r\u00c3\u00a9sum\u00c3\u00a9", "r\u00e9sum\u00e9"),
        ("team\u00e2\u20ac\u2122s team\u00e2\u20ac\u2122s", "team\u2019s team\u2019s"),
        ("already GitLab\u2019s", "already GitLab\u2019s"),
        ("caf\u00e9 na\u00efve", "caf\u00e9 na\u00efve"),
        ("lone \u00e2 and \u00c2", "lone \u00e2 and \u00c2"),
        ("cut short x\u00e2\u20ac", "cut short x\u00e2\u20ac"),
        ("  spaces  stay  ", "  spaces  stay  "),
        ("", ""),
    ],
)
def test_repair_text(raw: str, expected: str) -> None:
    assert repair_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Log analysis \n", "Log analysis"),
        ("technical interviews for  Development", "technical interviews for Development"),
        ("one\n\t two", "one two"),
        ("Expert on GitLab\u00e2\u20ac\u2122s  product", "Expert on GitLab\u2019s product"),
        ("DMCA Notice and Counter-Notices (", "DMCA Notice and Counter-Notices"),
        ("DMCA Notice and Counter-Notices (  \n", "DMCA Notice and Counter-Notices"),
        ("Proficient in Go (Golang)", "Proficient in Go (Golang)"),
        ("(GCP) first", "(GCP) first"),
        ("", ""),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected
    assert normalise_text(expected) == expected


VALID = """\
key = "demo-role"
title = "Demo Role"
source = "demo.txt"
description = \"\"\"
First  paragraph of GitLab\u00e2\u20ac\u2122s intro.

Second paragraph.\"\"\"

[[sections]]
title = "General"
kind = "requirement"
category = "General"
items = [
  { slug = "uses-gitlab", text = "Ability to use  GitLab" },
  { slug = "team-player", text = "You are a team player" },
]

[[sections]]
title = "Technical Skills"
kind = "responsibility"
category = "Technical"
items = [
  { slug = "owasp", text = "Patch OWASP flaws (" },
]

[[levels]]
key = "senior"
title = "Senior Demo"
grade = 7
description = "Extends the intermediate level."

[[levels.sections]]
title = "Senior requirements"
kind = "requirement"
category = "Level"
items = [
  { slug = "triage", text = "Triages issues independently" },
]

[[levels]]
key = "staff"
title = "Staff Demo"
grade = 8
description = "Progression of senior."

[[specialties]]
key = "sirt"
title = "SIRT"
description = "Firefighters."

[[specialties.sections]]
title = "SIRT Responsibilities"
kind = "responsibility"
category = "Specialty"
items = [
  { slug = "log-analysis", text = "Log analysis" },
  { slug = "forensics", text = "Security forensics" },
]

[[specialties]]
key = "assurance"
title = "Security Assurance"
description = "Prose only."
"""


def write_role(directory: Path, text: str, name: str = "demo-role.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_with_keys_positions_and_normalised_text(tmp_path: Path) -> None:
    write_role(tmp_path, VALID)

    (role,) = load_catalog_files(tmp_path)

    assert role.key == "demo-role"
    assert role.description == "First paragraph of GitLab\u2019s intro.\n\nSecond paragraph."
    assert [(r.key, r.category, r.kind, r.section, r.position) for r in role.requirements] == [
        ("demo-role/shared/uses-gitlab", "General", "requirement", "General", 0),
        ("demo-role/shared/team-player", "General", "requirement", "General", 1),
        ("demo-role/shared/owasp", "Technical", "responsibility", "Technical Skills", 2),
    ]
    assert [r.text for r in role.requirements] == [
        "Ability to use GitLab",
        "You are a team player",
        "Patch OWASP flaws",
    ]
    assert [(lv.key, lv.grade, lv.rank) for lv in role.levels] == [
        ("senior", 7, 0),
        ("staff", 8, 1),
    ]
    assert role.levels[0].requirements[0].key == "demo-role/level/senior/triage"
    assert role.levels[1].requirements == ()
    assert [(r.key, r.position) for r in role.specialties[0].requirements] == [
        ("demo-role/specialty/sirt/log-analysis", 0),
        ("demo-role/specialty/sirt/forensics", 1),
    ]
    assert role.specialties[1].requirements == ()
    assert [r.key for r in role.all_requirements()] == [
        "demo-role/shared/uses-gitlab",
        "demo-role/shared/team-player",
        "demo-role/shared/owasp",
        "demo-role/level/senior/triage",
        "demo-role/specialty/sirt/log-analysis",
        "demo-role/specialty/sirt/forensics",
    ]


def test_files_load_in_name_order_and_an_empty_directory_is_an_empty_catalog(
    tmp_path: Path,
) -> None:
    assert load_catalog_files(tmp_path) == []
    for key in ("b-role", "a-role"):
        write_role(tmp_path, VALID.replace('key = "demo-role"', f'key = "{key}"'), f"{key}.toml")

    assert [role.key for role in load_catalog_files(tmp_path)] == ["a-role", "b-role"]


# (case id, text replaced in VALID, replacement, fragments the error message must contain)
INVALID_CASES: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "unknown-category",
        'category = "General"',
        'category = "Social"',
        ("sections[0].category", "'Social'"),
    ),
    ("unknown-kind", 'kind = "requirement"', 'kind = "duty"', ("sections[0].kind", "'duty'")),
    ("blank-text", 'text = "You are a team player"', 'text = "  "', ("items[1].text",)),
    ("text-only-dangling-paren", 'text = "Log analysis"', 'text = " ("', ("items[0].text",)),
    ("text-not-string", 'text = "Log analysis"', "text = 3", ("items[0].text", "string")),
    ("missing-role-title", 'title = "Demo Role"\n', "", ("role", "missing", "title")),
    ("missing-grade", "grade = 8\n", "", ("levels[1]", "missing", "grade")),
    (
        "missing-slug",
        '{ slug = "triage", text',
        "{ text",
        ("levels[0].sections[0].items[0]", "missing", "slug"),
    ),
    (
        "missing-items",
        'items = [\n  { slug = "owasp"',
        'itemz = [\n  { slug = "owasp"',
        ("sections[1]", "missing", "items"),
    ),
    ("unknown-field", 'source = "demo.txt"', 'source = "demo.txt"\nowner = "x"', ("owner",)),
    (
        "empty-section",
        '  { slug = "owasp", text = "Patch OWASP flaws (" },\n',
        "",
        ("sections[1].items", "empty"),
    ),
    ("bad-slug-case", 'slug = "uses-gitlab"', 'slug = "Uses-GitLab"', ("items[0].slug",)),
    ("bad-slug-underscore", 'slug = "owasp"', 'slug = "owasp_top"', ("items[0].slug",)),
    ("bad-slug-trailing-hyphen", 'slug = "triage"', 'slug = "triage-"', ("items[0].slug",)),
    ("bad-role-key", 'key = "demo-role"', 'key = "Demo Role"', ("role.key",)),
    ("role-key-not-file-name", 'key = "demo-role"', 'key = "other-role"', ("role.key",)),
    ("bad-level-key", 'key = "senior"', 'key = "senior!"', ("levels[0].key",)),
    ("bad-specialty-key", 'key = "sirt"', 'key = "SIRT"', ("specialties[0].key",)),
    (
        "duplicate-slug-in-section",
        'slug = "team-player"',
        'slug = "uses-gitlab"',
        ("duplicate", "demo-role/shared/uses-gitlab"),
    ),
    (
        "duplicate-slug-across-sections",
        'slug = "owasp"',
        'slug = "team-player"',
        ("duplicate", "demo-role/shared/team-player"),
    ),
    (
        "duplicate-slug-in-specialty",
        'slug = "forensics"',
        'slug = "log-analysis"',
        ("duplicate", "demo-role/specialty/sirt/log-analysis"),
    ),
    ("duplicate-level", 'key = "staff"', 'key = "senior"', ("levels[1].key", "duplicate")),
    (
        "duplicate-specialty",
        'key = "assurance"',
        'key = "sirt"',
        ("specialties[1].key", "duplicate"),
    ),
    ("grade-string", "grade = 7", 'grade = "7"', ("levels[0].grade", "integer")),
    ("grade-float", "grade = 7", "grade = 7.0", ("levels[0].grade", "integer")),
    ("grade-bool", "grade = 7", "grade = true", ("levels[0].grade", "integer")),
    (
        "sections-not-array",
        'description = "Prose only."',
        'description = "Prose only."\nsections = "none"',
        ("specialties[1].sections", "array"),
    ),
    ("not-toml", 'title = "Demo Role"', "title = Demo Role", ("not valid TOML",)),
]


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [case[1:] for case in INVALID_CASES],
    ids=[case[0] for case in INVALID_CASES],
)
def test_invalid_file_is_rejected_naming_file_and_field(
    tmp_path: Path, old: str, new: str, fragments: tuple[str, ...]
) -> None:
    assert old in VALID  # otherwise the case would test the valid file
    write_role(tmp_path, VALID.replace(old, new, 1))

    with pytest.raises(CatalogFileError) as raised:
        load_catalog_files(tmp_path)

    message = str(raised.value)
    assert "demo-role.toml" in message
    for fragment in fragments:
        assert fragment in message


def test_one_bad_file_rejects_the_whole_catalog(tmp_path: Path) -> None:
    write_role(tmp_path, VALID)
    bad = VALID.replace('key = "demo-role"', 'key = "zz-role"').replace("grade = 7", "grade = 'x'")
    write_role(tmp_path, bad, "zz-role.toml")

    with pytest.raises(CatalogFileError, match=r"zz-role\.toml: levels\[0\]\.grade"):
        load_catalog_files(tmp_path)


EXPECTED_OUTLINE: dict[str, tuple[list[tuple[str, int]], list[str]]] = {
    "distinguished-engineer": ([("distinguished", 10)], ["ops-and-enablement", "secure"]),
    "security-engineer": (
        [("intermediate", 6), ("senior", 7), ("staff", 8), ("principal", 9), ("distinguished", 10)],
        [
            "application-security",
            "product-security-engineering",
            "sirt",
            "trust-and-safety",
            "security-assurance",
            "security-architect",
        ],
    ),
}


def shipped_catalog() -> list[RoleSpec]:
    return load_catalog_files()


def test_shipped_catalog_has_the_expected_roles_levels_and_specialties() -> None:
    outline = {
        role.key: (
            [(level.key, level.grade) for level in role.levels],
            [specialty.key for specialty in role.specialties],
        )
        for role in shipped_catalog()
    }

    assert outline == EXPECTED_OUTLINE


def test_shipped_catalog_levels_rank_in_file_order() -> None:
    for role in shipped_catalog():
        assert [level.rank for level in role.levels] == list(range(len(role.levels)))


def test_shipped_catalog_has_no_mojibake_and_no_blank_text() -> None:
    for role in shipped_catalog():
        strings = [role.title, role.description, role.source]
        strings += [s for lv in role.levels for s in (lv.title, lv.description)]
        strings += [s for sp in role.specialties for s in (sp.title, sp.description)]
        strings += [s for r in role.all_requirements() for s in (r.key, r.section, r.text)]
        for text in strings:
            assert MOJIBAKE not in text, f"{role.key}: mojibake in {text!r}"
        for requirement in role.all_requirements():
            assert requirement.text, requirement.key
            assert requirement.category in CATEGORIES
            assert requirement.kind in KINDS


def raw_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item table of one parsed role file, wherever it sits."""
    tables = [data, *data.get("levels", []), *data.get("specialties", [])]
    return [item for table in tables for s in table.get("sections", []) for item in s["items"]]


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_data_files_store_repaired_normalised_text(path: Path) -> None:
    assert MOJIBAKE not in path.read_text(encoding="utf-8")
    with path.open("rb") as handle:
        data = tomllib.load(handle)

    items = raw_items(data)

    assert items
    for item in items:
        assert item["text"] == normalise_text(item["text"]), item["slug"]


def test_shipped_data_directory_holds_both_roles() -> None:
    assert DATA_DIR.is_dir()
    assert sorted(p.name for p in DATA_DIR.glob("*.toml")) == [
        "distinguished-engineer.toml",
        "security-engineer.toml",
    ]
