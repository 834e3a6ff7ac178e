"""`flask demo --scale large`: a large company's two years of hiring, loaded in bulk.

The people are written with one password hash; the openings and their default plans are
made by the openings service, as a person would make them; everything else (candidates,
applications and their history, interviews, scorecards, ratings, decisions) comes from
tracker.domain.demo_scale as plain rows, written with Core INSERTs in batches on the
session's connection. Those bypass the ORM, and so the audit listeners: the trail gets one
entry summarising the load instead of millions. All of it is one transaction, so the
load is whole or absent.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, func, insert, select

from tracker.domain import demo_scale
from tracker.domain.demo_scale import (
    FocusItem,
    OpeningShape,
    PlanInterviewShape,
    Scale,
    StageShape,
)
from tracker.domain.pipeline import StageKind
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Candidate,
    Level,
    Opening,
    PlanInterview,
    PlanInterviewFocus,
    PlanStage,
    Requirement,
    RequirementVersion,
    Role,
    Specialty,
    User,
)
from tracker.models.types import utcnow
from tracker.services import audit, catalog, openings, passwords, users
from tracker.services.demo import NotDemoDatabase, demo_password

LOAD_ACTION = "demo.load"
CHUNK = 2000  # applications per batch of INSERTs
SQLITE_CACHE_KIB = 256 * 1024  # page cache for the load: the indexes grow in memory


@dataclass
class LargeResult:
    loaded: bool
    password_hint: str
    scale: str
    logins: list[tuple[str, str]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _logins() -> list[tuple[str, str]]:
    return [(email, ", ".join(roles)) for email, _, roles, _ in demo_scale.DEMO_LOGINS]


def _tables() -> dict[str, Table]:
    return {t.name: t for t in db.Model.metadata.sorted_tables}


def already_loaded(scale: Scale) -> bool:
    """True when this scale was loaded before; NotDemoDatabase if anything else is here."""
    loaded = db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == LOAD_ACTION, AuditEvent.object_id == scale.name
        )
    )
    if loaded is not None:
        return True
    found = {
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "openings": db.session.scalar(select(func.count()).select_from(Opening)),
        "candidates": db.session.scalar(select(func.count()).select_from(Candidate)),
    }
    if any(found.values()):
        held = ", ".join(f"{n} {what}" for what, n in found.items())
        raise NotDemoDatabase(
            f"The {scale.name} demo loads only into an empty database; this one holds "
            f"{held}. Point DATABASE_URL at an empty database to try it."
        )
    return False


def load_large(
    scale: Scale,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> LargeResult:
    """Load the company at this scale into an empty database (a second run changes
    nothing). `progress` is called with the number of applications written, batch by
    batch."""
    started = time.monotonic()
    loaded = already_loaded(scale)  # refuse before writing anything, even the password
    password, hint = demo_password()
    result = LargeResult(loaded=False, password_hint=hint, scale=scale.name, logins=_logins())
    if loaded:
        return result
    if len(password) < users.MIN_PASSWORD:
        raise NotDemoDatabase(
            f"TRACKER_DEMO_PASSWORD must be at least {users.MIN_PASSWORD} characters."
        )
    catalog.load_catalog()
    try:
        rows = _load(scale, seed, password, progress)
    except Exception:
        db.session.rollback()
        raise
    result.loaded = True
    result.rows = rows
    result.seconds = time.monotonic() - started
    return result


def _load(
    scale: Scale,
    seed: int,
    password: str,
    progress: Callable[[int], None] | None,
) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # repeatable demo data, not security
    # On the half hour, as interviews are: then the same seed makes the same rows whenever
    # it runs, only moved in time.
    now = demo_scale.half_hour(utcnow())
    tables = _tables()
    connection = db.session.connection()
    counts: Counter[str] = Counter()

    people = demo_scale.staff(scale, rng, _next_id(connection, tables["users"]))
    user_rows, role_rows = demo_scale.user_rows(
        people,
        passwords.hash_password(password),  # hashed once, shared by every account
        now,
        _next_id(connection, tables["user_roles"]),
    )
    for name, rows in (("users", user_rows), ("user_roles", role_rows)):
        connection.execute(insert(tables[name]), rows)
        counts[name] += len(rows)

    records = [_create_opening(spec) for spec in demo_scale.opening_specs(scale, rng, people)]
    shapes = _fill_plans(records)
    counts["openings"] = len(shapes)

    first_ids = {name: _next_id(connection, tables[name]) for name in demo_scale.TABLES}
    chunks = demo_scale.generate(scale, rng, now, shapes, people, first_ids, CHUNK)
    with _bulk_settings(connection):
        for chunk in chunks:
            for name in demo_scale.TABLES:
                rows = chunk.rows[name]
                if rows:
                    connection.execute(insert(tables[name]), rows)  # executemany
                    counts[name] += len(rows)
            if progress is not None:
                progress(chunk.applications)

    _advance_sequences(connection, [tables[n] for n in ("users", "user_roles", *demo_scale.TABLES)])
    audit.record(
        LOAD_ACTION,
        "demo",
        scale.name,
        {"scale": scale.name, "seed": seed, "rows": dict(sorted(counts.items()))},
    )
    db.session.commit()
    return dict(counts)


@contextmanager
def _bulk_settings(connection: Connection) -> Iterator[None]:
    """On SQLite, a bigger page cache while loading (the indexes of millions of rows are
    built in memory instead of spilling), put back afterwards: the connection returns
    to the pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before:d}")


def _next_id(connection: Connection, table: Table) -> int:
    return (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _advance_sequences(connection: Connection, tables: list[Table]) -> None:
    """Rows written with their ids leave PostgreSQL's id sequences behind: move each to
    its table's largest id, so the next row the application adds gets a fresh one.
    SQLite takes the next id from the table itself."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, "id"),
                    select(func.max(table.c.id)).scalar_subquery(),
                )
            )
        )


_OpeningRecord = tuple[demo_scale.OpeningSpec, Opening]


def _create_opening(spec: demo_scale.OpeningSpec) -> _OpeningRecord:
    """The opening and its default plan, made by the openings service."""
    role = db.session.scalar(select(Role).where(Role.key == spec.role_key))
    if role is None:
        raise NotDemoDatabase(
            f"The catalog has no role {spec.role_key!r}; run `flask catalog load`."
        )
    level = db.session.scalar(
        select(Level).where(Level.role_id == role.id, Level.key == spec.level_key)
    )
    specialty = db.session.scalar(
        select(Specialty).where(Specialty.role_id == role.id, Specialty.key == spec.specialty_key)
    )
    if level is None or (spec.specialty_key and specialty is None):
        raise NotDemoDatabase(
            f"The catalog has no {spec.level_key} / {spec.specialty_key} for {spec.role_key}."
        )
    opening = openings.create_opening(
        openings.OpeningInput(
            title=spec.title,
            role_id=role.id,
            level_id=level.id,
            specialty_id=specialty.id if specialty else None,
            hiring_manager_id=spec.hiring_manager.id,
            recruiter_id=spec.recruiter.id,
            status=spec.status,
        ),
        commit=False,
    )
    return spec, opening


def _fill_plans(records: list[_OpeningRecord]) -> list[OpeningShape]:
    """Each opening's plan as the generator needs it: stages, interviews, and each
    interview's focus requirements at their current text version; three queries."""
    ids = [opening.id for _, opening in records]
    stages = db.session.execute(
        select(PlanStage.id, PlanStage.opening_id, PlanStage.key, PlanStage.name, PlanStage.kind)
        .where(PlanStage.opening_id.in_(ids))
        .order_by(PlanStage.opening_id, PlanStage.position)
    ).all()
    interviews = db.session.execute(
        select(
            PlanInterview.id,
            PlanInterview.stage_id,
            PlanInterview.name,
            PlanInterview.position,
            PlanInterview.duration_minutes,
            PlanInterview.conducted_by,
        )
        .join(PlanStage)
        .where(PlanStage.opening_id.in_(ids))
        .order_by(PlanInterview.stage_id, PlanInterview.position)
    ).all()
    focus_rows = db.session.execute(
        select(
            PlanInterviewFocus.plan_interview_id,
            Requirement.id,
            RequirementVersion.id,
            Requirement.key,
            Requirement.version,
            Requirement.category,
        )
        .join(Requirement, Requirement.id == PlanInterviewFocus.requirement_id)
        .join(
            RequirementVersion,
            (RequirementVersion.requirement_id == Requirement.id)
            & (RequirementVersion.version == Requirement.version),
        )
        .join(PlanInterview, PlanInterview.id == PlanInterviewFocus.plan_interview_id)
        .join(PlanStage, PlanStage.id == PlanInterview.stage_id)
        .where(PlanStage.opening_id.in_(ids))
        .order_by(PlanInterviewFocus.plan_interview_id, Requirement.position, Requirement.id)
    ).all()
    focus: dict[int, list[FocusItem]] = {}
    for plan_interview_id, rid, version_id, key, version, category in focus_rows:
        focus.setdefault(plan_interview_id, []).append(
            FocusItem(rid, version_id, key, version, category)
        )
    by_stage: dict[int, list[PlanInterviewShape]] = {}
    for pid, stage_id, name, position, minutes, conducted_by in interviews:
        by_stage.setdefault(stage_id, []).append(
            PlanInterviewShape(
                pid, name, position, minutes, conducted_by, tuple(focus.get(pid, ()))
            )
        )
    by_opening: dict[int, list[StageShape]] = {}
    for sid, opening_id, key, name, kind in stages:
        by_opening.setdefault(opening_id, []).append(
            StageShape(sid, key, name, StageKind(kind), tuple(by_stage.get(sid, ())))
        )
    return [
        OpeningShape(opening.id, spec, tuple(by_opening[opening.id])) for spec, opening in records
    ]
