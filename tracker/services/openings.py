"""Openings: creation with the default plan, edits, lists and the board."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true, union_all
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain import policy
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.pagination import Key, Page
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
from tracker.services.pagination import Ordering, keyset_page


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
            # Their roles are not needed: only the signed-in user's decide access.
            joinedload(Opening.hiring_manager).lazyload(User.roles),
            joinedload(Opening.recruiter).lazyload(User.roles),
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
            joinedload(Opening.hiring_manager).lazyload(User.roles),
            joinedload(Opening.recruiter).lazyload(User.roles),
        )
        .order_by(Opening.status, Opening.title, Opening.id)
    )
    stmt = stmt.where(opening_visibility(user))
    return [(o, n) for o, n in db.session.execute(stmt).unique()]


def stages_for_rules(opening: Opening) -> list[Stage]:
    return [Stage(s.key, s.name, StageKind(s.kind)) for s in opening.stages]


# The order of a board column and of an opening's application lists: most recently moved
# first (ties by id), answered in order by the applications' board indexes.
MOVED = Ordering((Application.updated_at, Application.id), descending=True)
MOVED_KINDS = (datetime, int)  # what a cursor of these lists holds


# A board column shows at most this many cards (the most recently moved); the rest of
# the stage is one click away, a page at a time, so the board costs the same however
# many candidates a stage holds.
BOARD_CARDS = 20
# What a board column holds: active applications (and the hired, in Hired).
ON_BOARD = (Status.ACTIVE.value, Status.HIRED.value)


@dataclass(frozen=True)
class Card:
    """One application as a board or list row shows it: no more than the card needs."""

    application_id: int
    candidate_id: int
    stage_id: int
    status: str
    moved_at: datetime  # when it last moved (its updated_at): the list's sort key
    name: str
    detail: str  # the candidate's location, else their email

    @property
    def key(self) -> Key:
        return (self.moved_at, self.application_id)


@dataclass
class BoardColumn:
    stage: PlanStage
    cards: list[Card]
    # Applications in the stage per status shown on the board (active, or hired).
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def more(self) -> bool:
        return self.total > len(self.cards)


@dataclass
class Board:
    columns: list[BoardColumn]
    closed_counts: dict[str, int]

    @property
    def active_total(self) -> int:
        return sum(c.counts.get(Status.ACTIVE.value, 0) for c in self.columns)


def _cards(stmt: Select[Any]) -> Select[Any]:
    """The columns a Card is made of, for applications chosen by `stmt`'s conditions."""
    return stmt.add_columns(
        Application.id,
        Application.candidate_id,
        Application.stage_id,
        Application.status,
        Application.updated_at,
        Candidate.name,
        func.coalesce(func.nullif(Candidate.location, ""), Candidate.email),
    ).join(Candidate, Candidate.id == Application.candidate_id)


def _card(row: Any) -> Card:
    return Card(*row)


def board(opening: Opening, cards: int = BOARD_CARDS) -> Board:
    """A column per stage with its active candidates (and the hired, in Hired), at most
    `cards` of them, most recently moved first, and how many there are; rejected and
    withdrawn ones are counted aside. Three queries, whatever the size of the stages:
    the stages, the counts per stage and status, and the cards (each column's first
    few, read from the index in order)."""
    columns = {s.id: BoardColumn(s, []) for s in load_stages(opening)}
    counts = db.session.execute(
        select(Application.stage_id, Application.status, func.count())
        .where(Application.opening_id == opening.id)
        .group_by(Application.stage_id, Application.status)
    ).all()
    closed: dict[str, int] = {}
    arms = []
    for stage_id, status, count in counts:
        if status in ON_BOARD and stage_id in columns:
            columns[stage_id].counts[status] = count
            arms.append(
                _cards(select())
                .where(
                    Application.opening_id == opening.id,
                    Application.status == status,
                    Application.stage_id == stage_id,
                )
                .order_by(*MOVED.order())
                .limit(cards)
                .subquery()
            )
        if status != Status.ACTIVE.value:
            closed[status] = closed.get(status, 0) + count
    if arms:
        # One arm per (stage, status) that has applications, each limited on its own.
        found = [_card(row) for row in db.session.execute(union_all(*(select(a) for a in arms)))]
        found.sort(key=lambda card: card.key, reverse=True)
        for card in found:
            column = columns[card.stage_id]
            if len(column.cards) < cards:
                column.cards.append(card)
    return Board(
        list(columns.values()),
        {s.value: closed.get(s.value, 0) for s in Status if s is not Status.ACTIVE},
    )


@dataclass(frozen=True)
class ApplicationList:
    """Which of an opening's applications a list shows: one status, in one stage or all."""

    status: str
    stage_id: int | None = None


def application_page(
    opening: Opening,
    which: ApplicationList,
    size: int,
    after: Key | None = None,
    before: Key | None = None,
) -> Page[Card]:
    """One page of the opening's applications of one status (in one stage, or all), most
    recently moved first; one query. The opening is the caller's, already checked: the
    cursor only says where in this opening's list to start."""
    stmt = _cards(select()).where(
        Application.opening_id == opening.id, Application.status == which.status
    )
    if which.stage_id is not None:
        stmt = stmt.where(Application.stage_id == which.stage_id)
    page = keyset_page(stmt, MOVED, lambda row: (row[4], row[0]), size, after=after, before=before)
    return Page([_card(row) for row in page.items], page.next_key, page.previous_key)


def load_stages(opening: Opening) -> list[PlanStage]:
    return list(
        db.session.scalars(
            select(PlanStage).where(PlanStage.opening_id == opening.id).order_by(PlanStage.position)
        )
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
