"""Loading the catalog files into the database (versioned, idempotent) and exporting it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from tracker.catalog.files import RequirementSpec, RoleSpec, load_catalog_files
from tracker.domain.requirements import SetItem, level_scope
from tracker.extensions import db
from tracker.models import Level, Opening, Requirement, RequirementVersion, Role, Specialty
from tracker.models.types import utcnow


@dataclass
class LoadReport:
    """What a load changed; an empty report means the catalog was already current."""

    roles_created: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (self.roles_created, self.created, self.new_versions, self.retired, self.updated)
        )

    def summary(self) -> str:
        if not self.changed:
            return "Catalog already up to date: nothing changed."
        return (
            f"Catalog loaded: {len(self.roles_created)} roles created, "
            f"{len(self.created)} requirements created, {len(self.new_versions)} new versions, "
            f"{len(self.retired)} retired, {len(self.updated)} other details updated."
        )


def _set(obj: Any, report: LoadReport, label: str, **values: Any) -> None:
    """Assign only what differs, so an unchanged catalog writes nothing."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed and obj.id is not None:
        report.updated.append(label)


def load_catalog(specs: Sequence[RoleSpec] | None = None) -> LoadReport:
    """Bring the database in line with the catalog files in one transaction."""
    specs = load_catalog_files() if specs is None else specs
    report = LoadReport()
    existing = {r.key: r for r in db.session.scalars(select(Requirement))}
    seen: set[str] = set()
    try:
        for role_spec in specs:
            role = db.session.scalar(select(Role).where(Role.key == role_spec.key))
            if role is None:
                role = Role(key=role_spec.key)
                db.session.add(role)
                report.roles_created.append(role_spec.key)
            _set(
                role,
                report,
                role_spec.key,
                title=role_spec.title,
                description=role_spec.description,
                source=role_spec.source,
            )
            db.session.flush()
            levels = {lv.key: lv for lv in role.levels}
            for spec in role_spec.levels:
                level = levels.get(spec.key)
                if level is None:
                    level = Level(role=role, key=spec.key)
                    db.session.add(level)
                _set(
                    level,
                    report,
                    f"{role.key}/level/{spec.key}",
                    title=spec.title,
                    grade=spec.grade,
                    rank=spec.rank,
                    description=spec.description,
                )
                _load_requirements(spec.requirements, role, level, None, existing, seen, report)
            specialties = {s.key: s for s in role.specialties}
            for position, spec in enumerate(role_spec.specialties):
                specialty = specialties.get(spec.key)
                if specialty is None:
                    specialty = Specialty(role=role, key=spec.key)
                    db.session.add(specialty)
                _set(
                    specialty,
                    report,
                    f"{role.key}/specialty/{spec.key}",
                    title=spec.title,
                    description=spec.description,
                    position=position,
                )
                _load_requirements(spec.requirements, role, None, specialty, existing, seen, report)
            _load_requirements(role_spec.requirements, role, None, None, existing, seen, report)
        for key, requirement in existing.items():
            if key not in seen and requirement.retired_at is None:
                requirement.retired_at = utcnow()
                report.retired.append(key)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _load_requirements(
    specs: Sequence[RequirementSpec],
    role: Role,
    level: Level | None,
    specialty: Specialty | None,
    existing: dict[str, Requirement],
    seen: set[str],
    report: LoadReport,
) -> None:
    db.session.flush()
    for spec in specs:
        seen.add(spec.key)
        requirement = existing.get(spec.key)
        if requirement is None:
            requirement = Requirement(key=spec.key, text=spec.text, version=1)
            requirement.versions.append(RequirementVersion(version=1, text=spec.text))
            db.session.add(requirement)
            existing[spec.key] = requirement
            report.created.append(spec.key)
        elif requirement.text != spec.text:
            requirement.version += 1
            requirement.text = spec.text
            db.session.add(
                RequirementVersion(
                    requirement=requirement, version=requirement.version, text=spec.text
                )
            )
            report.new_versions.append(spec.key)
        if requirement.retired_at is not None:
            requirement.retired_at = None
            report.updated.append(spec.key)
        _set(
            requirement,
            report,
            spec.key,
            role_id=role.id,
            level_id=level.id if level else None,
            specialty_id=specialty.id if specialty else None,
            category=spec.category,
            section=spec.section,
            kind=spec.kind,
            position=spec.position,
        )


def _requirement_json(r: Requirement) -> dict[str, Any]:
    return {
        "key": r.key,
        "category": r.category,
        "section": r.section,
        "kind": r.kind,
        "text": r.text,
        "version": r.version,
    }


def export_catalog() -> dict[str, Any]:
    """The whole current catalog as plain data, in document order."""
    requirements = db.session.scalars(
        select(Requirement)
        .where(Requirement.retired_at.is_(None))
        .order_by(Requirement.role_id, Requirement.position, Requirement.id)
    ).all()
    by_scope: dict[tuple[int, str, int | None], list[dict[str, Any]]] = {}
    for r in requirements:
        if r.level_id is not None:
            scope = (r.role_id, "level", r.level_id)
        elif r.specialty_id is not None:
            scope = (r.role_id, "specialty", r.specialty_id)
        else:
            scope = (r.role_id, "shared", None)
        by_scope.setdefault(scope, []).append(_requirement_json(r))
    roles = []
    for role in db.session.scalars(select(Role).order_by(Role.key)):
        roles.append(
            {
                "key": role.key,
                "title": role.title,
                "description": role.description,
                "requirements": by_scope.get((role.id, "shared", None), []),
                "levels": [
                    {
                        "key": lv.key,
                        "title": lv.title,
                        "grade": lv.grade,
                        "rank": lv.rank,
                        "extends": role.levels[i - 1].key if i else None,
                        "description": lv.description,
                        "requirements": by_scope.get((role.id, "level", lv.id), []),
                    }
                    for i, lv in enumerate(role.levels)
                ],
                "specialties": [
                    {
                        "key": sp.key,
                        "title": sp.title,
                        "description": sp.description,
                        "requirements": by_scope.get((role.id, "specialty", sp.id), []),
                    }
                    for sp in role.specialties
                ],
            }
        )
    return {"roles": roles}


def requirement_set(opening: Opening) -> list[SetItem]:
    """The opening's requirements: the role's shared ones, its level's own and inherited
    ones, and its specialty's."""
    level_ranks = {lv.id: lv for lv in opening.role.levels}
    stmt = select(Requirement).where(
        Requirement.role_id == opening.role_id,
        Requirement.retired_at.is_(None),
        or_(
            (Requirement.level_id.is_(None) & Requirement.specialty_id.is_(None)),
            Requirement.level_id.in_(
                [lv.id for lv in opening.role.levels if lv.rank <= opening.level.rank]
            ),
            Requirement.specialty_id == opening.specialty_id
            if opening.specialty_id
            else Requirement.id.is_(None),
        ),
    )
    items = []
    for r in db.session.scalars(stmt):
        if r.level_id is not None:
            level = level_ranks[r.level_id]
            origin = level_scope(opening.level.rank, level.rank) or "inherited"
            label = level.title if origin == "level" else f"Inherited from {level.title}"
            order = (1 + level.rank, r.position)
        elif r.specialty_id is not None:
            origin, label, order = "specialty", opening.specialty.title, (100, r.position)
        else:
            origin, label, order = "shared", opening.role.title, (0, r.position)
        items.append(
            SetItem(
                requirement_id=r.id,
                key=r.key,
                category=r.category,
                section=r.section,
                text=r.text,
                version=r.version,
                origin=origin,
                origin_label=label,
                order=order,
            )
        )
    return sorted(items, key=lambda i: i.order)
