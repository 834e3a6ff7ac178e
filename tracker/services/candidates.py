"""Candidates and how they enter an opening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain import policy
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.pagination import Key, Page
from tracker.domain.pipeline import Status
from tracker.extensions import db
from tracker.models import (
    SOURCES,
    Application,
    Candidate,
    Opening,
    OpeningStatus,
    PlanStage,
    StageEventRecord,
    User,
    normalize_email,
)
from tracker.models.types import utcnow
from tracker.services.openings import visible_opening_ids
from tracker.services.pagination import Ordering, keyset_page

APPLY_MOVE = "apply"  # the first event of every application: it entered the first stage


@dataclass(frozen=True)
class CandidateInput:
    """The fields a person fills in for a candidate."""

    name: str
    email: str
    phone: str = ""
    location: str = ""
    links: str = ""
    source: str = "other"


def _clean(data: CandidateInput) -> CandidateInput:
    """Validate the fields, raising on the first field that is wrong."""
    name = data.name.strip()
    if not name:
        raise ValidationFailed("Give the candidate's name.", "name")
    try:
        email = validate_email(data.email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed(str(exc), "email") from None
    links = []
    for line in data.links.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationFailed(
                f"“{line}” is not a web address; put one http(s) link per line.", "links"
            )
        links.append(line)
    if data.source not in SOURCES:
        raise ValidationFailed("Choose where the candidate came from.", "source")
    return CandidateInput(
        name=name,
        email=email,
        phone=data.phone.strip(),
        location=data.location.strip(),
        links="\n".join(links),
        source=data.source,
    )


def add_to_opening(opening: Opening, data: CandidateInput, actor: User) -> Application:
    """Add a candidate (new, or known by email) to the opening's first stage."""
    data = _clean(data)
    if opening.status != OpeningStatus.OPEN.value:
        raise ValidationFailed(
            f"This opening is {OpeningStatus(opening.status).label.lower()}; "
            "reopen it before adding candidates.",
            None,
        )
    candidate = db.session.scalar(
        select(Candidate).where(Candidate.email_normalized == normalize_email(data.email))
    )
    if candidate is None:
        candidate = Candidate(
            name=data.name,
            email=data.email,
            email_normalized=normalize_email(data.email),
            phone=data.phone,
            location=data.location,
            links=data.links,
            source=data.source,
            created_by_id=actor.id,
        )
        db.session.add(candidate)
    elif not _may_see(actor, candidate):
        # Not attached silently: that would show this user details another team entered.
        raise ValidationFailed(
            "A candidate with this email is already in the tracker for an opening you do not "
            "work on. Ask an admin or that opening's recruiter to add them here.",
            "email",
        )
    elif db.session.scalar(
        select(Application.id).where(
            Application.candidate_id == candidate.id,
            Application.opening_id == opening.id,
            Application.status == Status.ACTIVE.value,
        )
    ):
        raise ValidationFailed(
            "This candidate already has an active application for this opening.", "email"
        )
    first = db.session.scalar(
        select(PlanStage).where(PlanStage.opening_id == opening.id).order_by(PlanStage.position)
    )
    now = utcnow()
    application = Application(
        candidate=candidate, opening=opening, stage=first, created_at=now, updated_at=now
    )
    db.session.add(application)
    db.session.add(
        StageEventRecord(
            application=application,
            actor_id=actor.id,
            at=now,
            move=APPLY_MOVE,
            from_stage_id=None,
            to_stage=first,
            from_status=None,
            to_status=Status.ACTIVE.value,
            note="",
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed(
            "This candidate was just added by someone else; check the candidate list.", "email"
        ) from None
    return application


def _may_see(user: User, candidate: Candidate) -> bool:
    openings = db.session.scalars(
        select(Opening).join(Application).where(Application.candidate_id == candidate.id)
    ).all()
    return policy.can_view_candidate(user, openings)


def kept_details(candidate: Candidate, data: CandidateInput) -> list[str]:
    """Fields typed for a known candidate that differ from what is stored (and were kept)."""
    typed = _clean(data)
    return [
        label
        for label, stored, given in (
            ("name", candidate.name, typed.name),
            ("phone", candidate.phone, typed.phone),
            ("location", candidate.location, typed.location),
            ("links", candidate.links, typed.links),
            ("source", candidate.source, typed.source),
        )
        if given and given != stored
    ]


def get_candidate(candidate_id: int, user: User) -> tuple[Candidate, list[Application]]:
    """The candidate and the applications the user may see, or NotFound."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound("No such candidate.")
    applications = db.session.scalars(
        select(Application)
        .where(Application.candidate_id == candidate.id)
        .options(
            joinedload(Application.opening).options(
                joinedload(Opening.role),
                joinedload(Opening.level),
                joinedload(Opening.specialty),
                selectinload(Opening.stages),
            ),
            joinedload(Application.stage),
            # Who moved it, by name; their roles decide nothing here.
            selectinload(Application.events)
            .joinedload(StageEventRecord.actor)
            .lazyload(User.roles),
            selectinload(Application.events).joinedload(StageEventRecord.from_stage),
            selectinload(Application.events).joinedload(StageEventRecord.to_stage),
        )
        .order_by(Application.created_at.desc())
    ).all()
    visible = [a for a in applications if policy.can_view_opening(user, a.opening)]
    if not visible and not policy.is_admin(user):
        raise NotFound("No such candidate.")
    return candidate, visible


# The candidate list's order: newest first (ties by id), answered in order by an index.
NEWEST = Ordering((Candidate.created_at, Candidate.id), descending=True)
NEWEST_KINDS = (datetime, int)  # what a cursor of the list holds


def candidate_page(
    user: User, size: int, after: Key | None = None, before: Key | None = None
) -> Page[Candidate]:
    """One page of the candidates with at least one application the user may see, newest
    first; one query. Read in order from the index on when candidates were added, each
    checked for a visible application, so a page costs the same however many there are.
    The cursor only says where to start: what is shown is decided here."""
    stmt = select(Candidate)
    if not policy.is_admin(user):
        ids = visible_opening_ids(user)
        stmt = stmt.where(
            exists().where(
                Application.candidate_id == Candidate.id, Application.opening_id.in_(ids)
            )
        )
    return keyset_page(
        stmt,
        NEWEST,
        lambda c: (c.created_at, c.id),
        size,
        after=after,
        before=before,
        scalars=True,
    )
