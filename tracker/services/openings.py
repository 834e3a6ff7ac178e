"""Openings: creation with the default plan, edits, lists and the board."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain import policy
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.pipeline import DEFAULT_PLAN, Stage, StageKind, Status
from tracker.extensions import db
from tracker.models import (
    AccessRole,
    Application,
    Candidate,
    Level,
    Opening,
    OpeningStatus,
    PlanInterview,
    PlanStage,
    Role,
    Specialty,
    User,
)


@dataclass(frozen=True)
class OpeningInput:
    """What a person may set on an opening; nothing else is read from a form."""

    title: str
    role_id: int
    level_id: int
    specialty_id: int | None
    hiring_manager_id: int
    recruiter_id: int
    status: str = OpeningStatus.OPEN.value


def _check(data: OpeningInput) -> tuple[Role, Level, Specialty | None]:
    """Refuse impossible combinations with a message on the field that is wrong."""
    if not data.title.strip():
        raise ValidationFailed("Give the opening a title.", "title")
    role = db.session.get(Role, data.role_id)
    if role is None:
        raise ValidationFailed("Choose a role from the catalog.", "role_id")
    level = db.session.get(Level, data.level_id)
    if level is None or level.role_id != role.id:
        raise ValidationFailed(
            f"That level is not a level of {role.title}; choose one of its levels.", "level_id"
        )
    specialty = None
    if data.specialty_id is not None:
        specialty = db.session.get(Specialty, data.specialty_id)
        if specialty is None or specialty.role_id != role.id:
            names = ", ".join(s.title for s in role.specialties) or "none"
            raise ValidationFailed(
                f"{specialty.title if specialty else 'That specialty'} is not a specialty of "
                f"{role.title} (its specialties: {names}).",
                "specialty_id",
            )
    for field_name, user_id, access in (
        ("hiring_manager_id", data.hiring_manager_id, AccessRole.HIRING_MANAGER),
        ("recruiter_id", data.recruiter_id, AccessRole.RECRUITER),
    ):
        user = db.session.get(User, user_id)
        if user is None or not user.active or not user.has_role(access):
            raise ValidationFailed(f"Choose an active {access.label.lower()}.", field_name)
    if data.status not in {s.value for s in OpeningStatus}:
        raise ValidationFailed("Choose open, on hold or closed.", "status")
    return role, level, specialty


def create_opening(data: OpeningInput, *, commit: bool = True) -> Opening:
    """Open a requisition with the documents' default interview plan, its requirements
    spread over the plan's interviews."""
    _check(data)
    opening = Opening(
        title=data.title.strip(),
        role_id=data.role_id,
        level_id=data.level_id,
        specialty_id=data.specialty_id,
        hiring_manager_id=data.hiring_manager_id,
        recruiter_id=data.recruiter_id,
        status=data.status,
    )
    for position, template in enumerate(DEFAULT_PLAN):
        stage = PlanStage(
            position=position,
            key=template.key,
            name=template.name,
            kind=template.kind.value,
            description=template.description,
        )
        stage.interviews = [
            PlanInterview(
                position=i,
                name=t.name,
                duration_minutes=t.duration_minutes,
                conducted_by=t.conducted_by,
            )
            for i, t in enumerate(template.interviews)
        ]
        opening.stages.append(stage)
    db.session.add(opening)
    # Imported here: plans imports the applications service, which imports this module.
    from tracker.services.plans import apply_default_focus

    apply_default_focus(opening)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return opening


def update_opening(opening: Opening, data: OpeningInput, actor: User) -> Opening:
    """Edit an opening. Once it has candidates its role, level and specialty stay fixed
    (scorecards were written against that requirement set), and only an admin or its
    hiring manager may hand it to another hiring manager or recruiter."""
    _check(data)
    has_candidates = db.session.scalar(
        select(Application.id).where(Application.opening_id == opening.id).limit(1)
    )
    if has_candidates:
        for field_name, label in (
            ("role_id", "role"),
            ("level_id", "level"),
            ("specialty_id", "specialty"),
        ):
            if getattr(data, field_name) != getattr(opening, field_name):
                raise ValidationFailed(
                    f"This opening already has candidates, so its {label} cannot change: "
                    "their scorecards were written against its requirement set.",
                    field_name,
                )
    may_reassign = policy.can_reassign_opening(actor, opening)
    for field_name, label in (
        ("hiring_manager_id", "hiring manager"),
        ("recruiter_id", "recruiter"),
    ):
        if getattr(data, field_name) != getattr(opening, field_name) and not may_reassign:
            raise ValidationFailed(
                f"Only an admin or the opening's hiring manager can change its {label}.",
                field_name,
            )
    opening.title = data.title.strip()
    opening.role_id = data.role_id
    opening.level_id = data.level_id
    opening.specialty_id = data.specialty_id
    opening.hiring_manager_id = data.hiring_manager_id
    opening.recruiter_id = data.recruiter_id
    opening.status = data.status
    db.session.commit()
    return opening


def get_opening(opening_id: int, user: object) -> Opening:
    """The opening if the user may see it; otherwise NotFound, so its existence stays hidden."""
    opening = db.session.get(
        Opening,
        opening_id,
        options=[
            joinedload(Opening.role),
            joinedload(Opening.level),
            joinedload(Opening.specialty),
            joinedload(Opening.hiring_manager),
            joinedload(Opening.recruiter),
        ],
    )
    if opening is None or not policy.can_view_opening(user, opening):  # type: ignore[arg-type]
        raise NotFound("No such opening.")
    return opening


def opening_visibility(user: User) -> ColumnElement[bool]:
    """The SQL form of policy.can_view_opening, for lists; deny unless a rule grants."""
    if policy.is_admin(user):
        return true()
    clauses = []
    if user.has_role(AccessRole.RECRUITER):
        clauses.append(Opening.recruiter_id == user.id)
    if user.has_role(AccessRole.HIRING_MANAGER):
        clauses.append(Opening.hiring_manager_id == user.id)
    return or_(*clauses) if clauses else false()


def visible_opening_ids(user: User) -> Select[tuple[int]]:
    return select(Opening.id).where(opening_visibility(user))


def visible_openings(user: User) -> list[tuple[Opening, int]]:
    """Openings the user may see, each with its number of active applications."""
    active = (
        select(Application.opening_id, func.count(Application.id).label("n"))
        .where(Application.status == Status.ACTIVE.value)
        .group_by(Application.opening_id)
        .subquery()
    )
    stmt = (
        select(Opening, func.coalesce(active.c.n, 0))
        .outerjoin(active, active.c.opening_id == Opening.id)
        .options(
            joinedload(Opening.role),
            joinedload(Opening.level),
            joinedload(Opening.specialty),
            joinedload(Opening.hiring_manager),
            joinedload(Opening.recruiter),
        )
        .order_by(Opening.status, Opening.title, Opening.id)
    )
    stmt = stmt.where(opening_visibility(user))
    return [(o, n) for o, n in db.session.execute(stmt).unique()]


def stages_for_rules(opening: Opening) -> list[Stage]:
    return [Stage(s.key, s.name, StageKind(s.kind)) for s in opening.stages]


@dataclass
class BoardColumn:
    stage: PlanStage
    applications: list[Application]


@dataclass
class Board:
    columns: list[BoardColumn]
    closed_counts: dict[str, int]

    @property
    def active_total(self) -> int:
        return sum(
            1 for c in self.columns for a in c.applications if a.status == Status.ACTIVE.value
        )


def board(opening: Opening) -> Board:
    """A column per stage with its active candidates (and the hired, in Hired); rejected
    and withdrawn ones are counted aside."""
    stages = db.session.scalars(
        select(PlanStage).where(PlanStage.opening_id == opening.id).order_by(PlanStage.position)
    ).all()
    columns = {s.id: BoardColumn(s, []) for s in stages}
    apps = db.session.scalars(
        select(Application)
        .join(Candidate)
        .where(
            Application.opening_id == opening.id,
            Application.status.in_([Status.ACTIVE.value, Status.HIRED.value]),
        )
        .options(joinedload(Application.candidate))
        .order_by(Application.updated_at.desc(), Application.id.desc())
    ).all()
    for app in apps:
        columns[app.stage_id].applications.append(app)
    closed = dict(
        db.session.execute(
            select(Application.status, func.count())
            .where(Application.opening_id == opening.id, Application.status != Status.ACTIVE.value)
            .group_by(Application.status)
        ).all()
    )
    return Board(
        list(columns.values()),
        {s.value: closed.get(s.value, 0) for s in Status if s is not Status.ACTIVE},
    )


def load_plan(opening: Opening) -> list[PlanStage]:
    return list(
        db.session.scalars(
            select(PlanStage)
            .where(PlanStage.opening_id == opening.id)
            .order_by(PlanStage.position)
            .options(selectinload(PlanStage.interviews))
        )
    )
