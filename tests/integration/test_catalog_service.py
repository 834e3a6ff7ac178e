"""Loading the catalog into the database: versioned, idempotent, exported faithfully."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from tests.factories import make_opening
from tracker.catalog.files import RequirementSpec, RoleSpec, load_catalog_files
from tracker.extensions import db
from tracker.models import Requirement, RequirementVersion
from tracker.services.catalog import export_catalog, load_catalog, requirement_set

MOJIBAKE = "\u00e2\u20ac"  # "â€": the start of a UTF-8 apostrophe or dash misread as cp1252


def edit_specs(
    specs: list[RoleSpec], key: str, change: Callable[[RequirementSpec], RequirementSpec | None]
) -> list[RoleSpec]:
    """A copy of the catalog with one requirement changed (or dropped when change gives None)."""

    def fix(reqs: tuple[RequirementSpec, ...]) -> tuple[RequirementSpec, ...]:
        out = []
        for r in reqs:
            r2 = change(r) if r.key == key else r
            if r2 is not None:
                out.append(r2)
        return tuple(out)

    return [
        dataclasses.replace(
            role,
            requirements=fix(role.requirements),
            levels=tuple(
                dataclasses.replace(lv, requirements=fix(lv.requirements)) for lv in role.levels
            ),
            specialties=tuple(
                dataclasses.replace(sp, requirements=fix(sp.requirements))
                for sp in role.specialties
            ),
        )
        for role in specs
    ]


def requirement(key: str) -> Requirement:
    return db.session.scalar(select(Requirement).where(Requirement.key == key))


def versions(key: str) -> list[tuple[int, str]]:
    return [(v.version, v.text) for v in requirement(key).versions]


def all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


SAMPLE_KEY = next(  # the first requirement Staff Security Engineer adds
    r.key
    for role in load_catalog_files()
    for lv in role.levels
    if (role.key, lv.key) == ("security-engineer", "staff")
    for r in lv.requirements
)


def test_reloading_a_loaded_catalog_changes_nothing(app: Flask) -> None:
    """A deploy runs `catalog load` every time; an unchanged catalog must write nothing."""
    report = load_catalog()
    assert report.changed is False
    assert report.summary() == "Catalog already up to date: nothing changed."
    assert db.session.scalar(select(func.count()).select_from(RequirementVersion)) == (
        db.session.scalar(select(func.count()).select_from(Requirement))
    )


def test_every_file_requirement_is_in_the_database(app: Flask) -> None:
    """Nothing in the documents may be silently lost on the way into the database."""
    file_keys = {r.key for role in load_catalog_files() for r in role.all_requirements()}
    db_keys = set(db.session.scalars(select(Requirement.key)))
    assert len(file_keys) > 100
    assert db_keys == file_keys
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == len(file_keys)


def test_changed_text_makes_a_new_version_and_keeps_the_old(app: Flask) -> None:
    """Scores refer to the text as it stood; an edit must not rewrite history."""
    specs = load_catalog_files()
    old_text = requirement(SAMPLE_KEY).text
    new_text = old_text + " (revised)"
    edited = edit_specs(specs, SAMPLE_KEY, lambda r: dataclasses.replace(r, text=new_text))

    report = load_catalog(edited)
    assert report.new_versions == [SAMPLE_KEY]
    assert report.created == report.retired == report.updated == []
    db.session.expire_all()
    assert (requirement(SAMPLE_KEY).version, requirement(SAMPLE_KEY).text) == (2, new_text)
    assert versions(SAMPLE_KEY) == [(1, old_text), (2, new_text)]

    report = load_catalog(specs)
    assert report.new_versions == [SAMPLE_KEY]
    db.session.expire_all()
    assert (requirement(SAMPLE_KEY).version, requirement(SAMPLE_KEY).text) == (3, old_text)
    assert versions(SAMPLE_KEY) == [(1, old_text), (2, new_text), (3, old_text)]
    assert load_catalog(specs).changed is False


def test_dropped_requirement_is_retired_not_deleted(app: Flask, people: dict) -> None:
    """A requirement removed from the documents leaves new openings but keeps its history."""
    specs = load_catalog_files()
    opening = make_opening(people["hm"], people["recruiter"])
    assert SAMPLE_KEY in {i.key for i in requirement_set(opening)}
    report = load_catalog(edit_specs(specs, SAMPLE_KEY, lambda r: None))

    assert report.retired == [SAMPLE_KEY]
    assert report.created == report.new_versions == report.updated == []
    db.session.expire_all()
    assert requirement(SAMPLE_KEY).retired_at is not None
    assert requirement(SAMPLE_KEY).retired_at.utcoffset().total_seconds() == 0
    exported = {r["key"] for r in export_items(export_catalog())}
    assert SAMPLE_KEY not in exported
    assert len(exported) == db.session.scalar(select(func.count()).select_from(Requirement)) - 1
    assert SAMPLE_KEY not in {i.key for i in requirement_set(opening)}

    report = load_catalog(specs)
    assert report.updated == [SAMPLE_KEY]
    db.session.expire_all()
    assert requirement(SAMPLE_KEY).retired_at is None
    assert requirement(SAMPLE_KEY).version == 1


def export_items(data: dict) -> list[dict]:
    items = []
    for role in data["roles"]:
        items += role["requirements"]
        for group in role["levels"] + role["specialties"]:
            items += group["requirements"]
    return items


def test_export_shape_follows_the_documents(app: Flask) -> None:
    """The export is what other tools read; its shape and content must match the files."""
    data = export_catalog()
    specs = {r.key: r for r in load_catalog_files()}
    assert [r["key"] for r in data["roles"]] == sorted(specs)
    for role in data["roles"]:
        spec = specs[role["key"]]
        assert role["title"] == spec.title
        assert [r["key"] for r in role["requirements"]] == [r.key for r in spec.requirements]
        assert [(lv["key"], lv["grade"], lv["rank"], lv["extends"]) for lv in role["levels"]] == [
            (lv.key, lv.grade, lv.rank, spec.levels[i - 1].key if i else None)
            for i, lv in enumerate(spec.levels)
        ]
        for lv, lv_spec in zip(role["levels"], spec.levels, strict=True):
            assert [r["key"] for r in lv["requirements"]] == [r.key for r in lv_spec.requirements]
        assert [sp["key"] for sp in role["specialties"]] == [sp.key for sp in spec.specialties]
        for sp, sp_spec in zip(role["specialties"], spec.specialties, strict=True):
            assert [r["key"] for r in sp["requirements"]] == [r.key for r in sp_spec.requirements]

    by_key = {r.key: r for s in specs.values() for r in s.all_requirements()}
    items = export_items(data)
    assert len(items) == len(by_key)
    for item in items:
        assert {"key", "category", "text", "version"} <= item.keys()
        assert (item["category"], item["text"], item["version"]) == (
            by_key[item["key"]].category,
            by_key[item["key"]].text,
            1,
        )


def test_export_has_no_mojibake(app: Flask) -> None:
    """Text copied from the web must arrive as written, without `â€™` artefacts."""
    strings = all_strings(export_catalog())
    assert len(strings) > 200
    assert [s for s in strings if MOJIBAKE in s] == []


def test_catalog_load_cli_second_run_changes_nothing(app: Flask, runner) -> None:
    """Running the deploy step twice must be harmless and say so."""
    db.session.execute(
        update(Requirement).where(Requirement.key == SAMPLE_KEY).values(text="drifted")
    )
    db.session.commit()

    first = runner.invoke(args=["catalog", "load"])
    second = runner.invoke(args=["catalog", "load"])

    assert first.exit_code == 0, first.output
    assert "1 new versions" in first.output
    assert f"new version: {SAMPLE_KEY}" in first.output
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    assert "new version" not in second.output


def test_catalog_export_cli_prints_json(app: Flask, runner) -> None:
    """`flask catalog export` must print parseable JSON holding every role."""
    result = runner.invoke(args=["catalog", "export"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {r["key"] for r in data["roles"]} == {"distinguished-engineer", "security-engineer"}
    assert data == export_catalog()


def expected_set(role_key: str, level_key: str, specialty_key: str) -> dict[str, str]:
    """The requirement keys an opening should get, by origin, read from the files."""
    role = next(r for r in load_catalog_files() if r.key == role_key)
    expected = {r.key: "shared" for r in role.requirements}
    rank = next(lv.rank for lv in role.levels if lv.key == level_key)
    for lv in role.levels:
        if lv.rank <= rank:
            origin = "level" if lv.rank == rank else "inherited"
            expected.update({r.key: origin for r in lv.requirements})
    spec = next(sp for sp in role.specialties if sp.key == specialty_key)
    expected.update({r.key: "specialty" for r in spec.requirements})
    return expected


@pytest.mark.parametrize(
    ("title", "role", "level", "specialty", "included_levels", "excluded"),
    [
        (
            "Staff Security Engineer, SIRT",
            "security-engineer",
            "staff",
            "sirt",
            {"intermediate": "inherited", "senior": "inherited", "staff": "level"},
            [
                "security-engineer/level/principal/",
                "security-engineer/level/distinguished/",
                "security-engineer/specialty/application-security/",
                "security-engineer/specialty/trust-and-safety/",
            ],
        ),
        (
            "Distinguished Engineer, Secure",
            "distinguished-engineer",
            "distinguished",
            "secure",
            {},
            ["distinguished-engineer/specialty/ops-and-enablement/", "security-engineer/"],
        ),
    ],
    ids=["staff-sirt", "distinguished-secure"],
)
def test_requirement_set_composition(
    app: Flask,
    people: dict,
    title: str,
    role: str,
    level: str,
    specialty: str,
    included_levels: dict[str, str],
    excluded: list[str],
) -> None:
    """An opening is judged on its role, its level and the ones below, and its specialty only."""
    opening = make_opening(people["hm"], people["recruiter"], title, role, level, specialty)
    items = requirement_set(opening)
    got = {i.key: i.origin for i in items}

    assert got == expected_set(role, level, specialty)
    assert len(got) == len(items)
    for level_key, origin in included_levels.items():
        prefix = f"{role}/level/{level_key}/"
        assert {o for k, o in got.items() if k.startswith(prefix)} == {origin}
    for prefix in excluded:
        assert not [k for k in got if k.startswith(prefix)]
    assert {o for k, o in got.items() if k.startswith(f"{role}/specialty/")} == {"specialty"}
    assert any(k.startswith(f"{role}/specialty/{specialty}/") for k in got)
    # Document order: shared first, then levels from the lowest up, then the specialty.
    scopes = [i.order[0] for i in items]
    assert scopes == sorted(scopes)
    assert items[0].origin == "shared"
    assert items[-1].origin == "specialty"
