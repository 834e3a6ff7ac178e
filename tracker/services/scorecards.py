"""The interview kit, scorecards (drafts, submission, amendments), My interviews, and the
independence rule that hides other interviewers' feedback until one's own is submitted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.domain import policy, scoring
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.pipeline import Status
from tracker.domain.requirements import CATEGORY_ORDER
from tracker.domain.scoring import FieldErrors, RatingInput, Recommendation
from tracker.extensions import db
from tracker.models import (
    Application,
    Candidate,
    Interview,
    InterviewAssignment,
    InterviewStatus,
    Opening,
    PlanInterview,
    PlanInterviewFocus,
    PlanStage,
    Rating,
    Requirement,
    RequirementVersion,
    Scorecard,
    ScorecardRevision,
    User,
)
from tracker.models.types import utcnow
from tracker.services import audit, independence
from tracker.services.applications import NotPermitted

DRAFT = "draft"
SUBMITTED = "submitted"
# A scorecard is due until this long after its interview ends; after that it is overdue.
DUE_WINDOW = timedelta(hours=24)

T = TypeVar("T")


# --- Loading -------------------------------------------------------------------------


def get_interview_for(user: User, interview_id: int) -> Interview:
    """The interview if the user is one of its interviewers or owns its opening, else
    NotFound (its existence stays hidden)."""
    interview = db.session.get(
        Interview,
        interview_id,
        options=[
            joinedload(Interview.application).joinedload(Application.candidate),
            joinedload(Interview.application).joinedload(Application.opening),
            joinedload(Interview.application).joinedload(Application.stage),
            joinedload(Interview.stage),
            joinedload(Interview.plan_interview),
            selectinload(Interview.assignments).joinedload(InterviewAssignment.user),
        ],
    )
    if interview is None or not policy.can_view_interview(
        user, interview.application.opening, interview.interviewer_ids
    ):
        raise NotFound("No such interview.")
    return interview


@dataclass(frozen=True)
class FocusItem:
    """A requirement this interview assesses, as its text stands now."""

    requirement_id: int
    key: str
    category: str
    section: str
    text: str
    version: int
    version_id: int  # the RequirementVersion a rating given now records


def focus_for(interview: Interview) -> list[FocusItem]:
    """The interview's focus requirements (from its plan interview), in category order."""
    rows = db.session.execute(
        select(Requirement, RequirementVersion.id)
        .join(PlanInterviewFocus, PlanInterviewFocus.requirement_id == Requirement.id)
        .join(
            RequirementVersion,
            and_(
                RequirementVersion.requirement_id == Requirement.id,
                RequirementVersion.version == Requirement.version,
            ),
        )
        .where(PlanInterviewFocus.plan_interview_id == interview.plan_interview_id)
    ).all()
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    rows = sorted(
        rows,
        key=lambda row: (
            order.get(row[0].category, len(order)),
            row[0].level_id is not None,
            row[0].level_id or 0,
            row[0].position,
            row[0].id,
        ),
    )
    return [
        FocusItem(
            requirement_id=r.id,
            key=r.key,
            category=r.category,
            section=r.section,
            text=r.text,
            version=r.version,
            version_id=version_id,
        )
        for r, version_id in rows
    ]


def own_scorecard(interview: Interview, user: User) -> Scorecard | None:
    """The user's own scorecard for this interview, draft or submitted, with its history."""
    return db.session.scalar(
        select(Scorecard)
        .where(Scorecard.interview_id == interview.id, Scorecard.author_id == user.id)
        .options(
            selectinload(Scorecard.ratings).joinedload(Rating.requirement_version),
            selectinload(Scorecard.ratings).joinedload(Rating.requirement),
            selectinload(Scorecard.revisions).joinedload(ScorecardRevision.author),
        )
    )


@dataclass(frozen=True)
class CandidateSummary:
    """What an interviewer needs to know about the candidate (no contact details)."""

    name: str
    location: str
    links: list[str]
    source: str
    stage: str
    opening_title: str


@dataclass
class Kit:
    """Everything the interview kit page shows to one user."""

    interview: Interview
    candidate: CandidateSummary
    focus: list[FocusItem]
    scorecard: Scorecard | None
    can_submit: bool
    feedback_visible: bool
    interviewers: list[str] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return self.interview.starts_at <= utcnow()

    @property
    def cancelled(self) -> bool:
        return self.interview.status == InterviewStatus.CANCELLED

    @property
    def submitted(self) -> bool:
        return self.scorecard is not None and self.scorecard.status == SUBMITTED

    @property
    def own_ratings(self) -> dict[int, Rating]:
        if self.scorecard is None:
            return {}
        return {r.requirement_id: r for r in self.scorecard.ratings}


def kit(interview: Interview, user: User) -> Kit:
    """The interview kit: the candidate, the focus requirements in full, and only the
    user's own scorecard (never anyone else's)."""
    application = interview.application
    candidate = application.candidate
    return Kit(
        interview=interview,
        candidate=CandidateSummary(
            name=candidate.name,
            location=candidate.location,
            links=candidate.link_list,
            source=candidate.source_label,
            stage=application.stage.name,
            opening_title=application.opening.title,
        ),
        focus=focus_for(interview),
        scorecard=own_scorecard(interview, user),
        can_submit=policy.can_submit_scorecard(user, interview.interviewer_ids),
        feedback_visible=feedback_visible(user, application),
        interviewers=[a.user.name for a in interview.assignments],
    )


# --- Saving, submitting, amending -----------------------------------------------------


def _with_one_retry(work: Callable[[], T]) -> T:
    """Run a unit of work; if a concurrent request won (a double click: a unique
    constraint, or a row it changed or removed under this one), roll back and run it once
    more against what that request wrote. A domain refusal rolls back too."""
    for attempt in (1, 2):
        try:
            return work()
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if attempt == 2:
                raise ValidationFailed(
                    "The scorecard changed while you were working on it; reload and try again."
                ) from None
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _normalised(
    ratings: Sequence[RatingInput], recommendation: Recommendation | None, takeaways: str
) -> tuple[dict[int, tuple[str | None, str]], str | None, str]:
    """Content as stored: ratings by requirement, evidence and takeaways stripped."""
    given = {
        r.requirement_id: (r.rating.value if r.rating else None, r.evidence.strip())
        for r in ratings
    }
    return given, recommendation.value if recommendation else None, takeaways.strip()


def _same_content(
    scorecard: Scorecard,
    ratings: Sequence[RatingInput],
    recommendation: Recommendation | None,
    takeaways: str,
) -> bool:
    given, rec, text = _normalised(ratings, recommendation, takeaways)
    current = {r.requirement_id: (r.rating, r.evidence) for r in scorecard.ratings}
    return (given, rec, text) == (current, scorecard.recommendation, scorecard.key_takeaways)


def _apply(
    scorecard: Scorecard,
    focus: Sequence[FocusItem],
    ratings: Sequence[RatingInput],
    recommendation: Recommendation | None,
    takeaways: str,
    now: datetime,
) -> None:
    """Write the given content onto the scorecard. A rating records the requirement's
    current version whenever its rating or evidence is set; an unchanged rating keeps the
    version it was given against."""
    given, rec, text = _normalised(ratings, recommendation, takeaways)
    current_version = {f.requirement_id: f.version_id for f in focus}
    existing = {r.requirement_id: r for r in scorecard.ratings}
    for rid, row in existing.items():
        if rid not in given:
            scorecard.ratings.remove(row)
    for item in focus:
        if item.requirement_id not in given:
            continue
        value, evidence = given[item.requirement_id]
        row = existing.get(item.requirement_id)
        if row is None:
            scorecard.ratings.append(
                Rating(
                    requirement_id=item.requirement_id,
                    requirement_version_id=current_version[item.requirement_id],
                    rating=value,
                    evidence=evidence,
                )
            )
        elif (row.rating, row.evidence) != (value, evidence):
            row.rating = value
            row.evidence = evidence
            row.requirement_version_id = current_version[item.requirement_id]
    scorecard.recommendation = rec
    scorecard.key_takeaways = text
    scorecard.updated_at = now


def _entry(rating: Rating, version: RequirementVersion, requirement: Requirement) -> dict:
    """One rating with the requirement text it was given against, as plain data."""
    return {
        "requirement_id": rating.requirement_id,
        "key": requirement.key,
        "category": requirement.category,
        "version": version.version,
        "requirement_version_id": version.id,
        "text": version.text,
        "rating": rating.rating,
        "evidence": rating.evidence,
    }


def _content(scorecard: Scorecard, focus: Sequence[FocusItem]) -> dict[str, Any]:
    """A self-contained copy of the scorecard as submitted, for its revision history."""
    version_ids = {r.requirement_version_id for r in scorecard.ratings}
    versions = {
        v.id: v
        for v in db.session.scalars(
            select(RequirementVersion)
            .where(RequirementVersion.id.in_(version_ids))
            .options(joinedload(RequirementVersion.requirement))
        )
    }
    order = {f.requirement_id: i for i, f in enumerate(focus)}
    rows = sorted(scorecard.ratings, key=lambda r: order.get(r.requirement_id, len(order)))
    return {
        "recommendation": scorecard.recommendation,
        "key_takeaways": scorecard.key_takeaways,
        "ratings": [
            _entry(
                r,
                versions[r.requirement_version_id],
                versions[r.requirement_version_id].requirement,
            )
            for r in rows
        ],
    }


def current_content(scorecard: Scorecard) -> dict[str, Any]:
    """The scorecard as it stands, in the shape of a revision's content (from loaded rows)."""
    return {
        "recommendation": scorecard.recommendation,
        "key_takeaways": scorecard.key_takeaways,
        "ratings": [_entry(r, r.requirement_version, r.requirement) for r in scorecard.ratings],
    }


def _check_submittable(interview: Interview, now: datetime) -> None:
    if interview.status == InterviewStatus.CANCELLED:
        raise ValidationFailed("This interview was cancelled, so it takes no scorecard.")
    if interview.starts_at > now:
        raise ValidationFailed(
            "This interview has not started yet; you can save a draft now and submit "
            "once it has started."
        )


def save(
    interview: Interview,
    user: User,
    ratings: Sequence[RatingInput],
    recommendation: Recommendation | None,
    key_takeaways: str,
    submit: bool,
    *,
    now: datetime | None = None,
) -> Scorecard:
    """Save the user's own scorecard as a draft (may be partial) or submit it (complete,
    once the interview has started). Submitting locks it; submitting the same content
    again is a harmless no-op."""
    if not policy.can_submit_scorecard(user, interview.interviewer_ids):
        raise NotPermitted()
    when = now or utcnow()

    def work() -> Scorecard:
        scorecard = own_scorecard(interview, user)
        if scorecard is not None and scorecard.status == SUBMITTED:
            if submit and _same_content(scorecard, ratings, recommendation, key_takeaways):
                return scorecard
            raise ValidationFailed(
                "This scorecard is already submitted; to change it, amend it with a reason."
            )
        if interview.status == InterviewStatus.CANCELLED:
            raise ValidationFailed("This interview was cancelled, so it takes no scorecard.")
        focus = focus_for(interview)
        focus_ids = [f.requirement_id for f in focus]
        if submit:
            _check_submittable(interview, when)
        scoring.check_scorecard(focus_ids, ratings, recommendation, submitting=submit)
        if scorecard is None:
            scorecard = Scorecard(
                interview_id=interview.id,
                author_id=user.id,
                application_id=interview.application_id,
                status=DRAFT,
                created_at=when,
                revision=0,
            )
            db.session.add(scorecard)
        _apply(scorecard, focus, ratings, recommendation, key_takeaways, when)
        if submit:
            scorecard.status = SUBMITTED
            scorecard.submitted_at = when
            scorecard.revision = 1
            db.session.flush()
            audit.record_scorecard("scorecard.submit", scorecard, user)
            db.session.add(
                ScorecardRevision(
                    scorecard=scorecard,
                    revision=1,
                    author_id=user.id,
                    at=when,
                    reason="",
                    content=_content(scorecard, focus),
                )
            )
        db.session.commit()
        return scorecard

    return _with_one_retry(work)


def amend(
    scorecard: Scorecard,
    user: User,
    ratings: Sequence[RatingInput],
    recommendation: Recommendation | None,
    key_takeaways: str,
    reason: str,
    *,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> Scorecard:
    """Change a submitted scorecard: the author only, with a reason; the new state becomes
    a new revision and every earlier revision stays.

    `expected_revision` is the revision the amend form was opened on. The same amendment
    sent twice (a double click, a retry, even at the same moment) is saved once and both
    answers are success; any other amendment from a page older than the latest revision
    is refused, so nothing is amended on top of a version the author has not seen."""
    if scorecard.author_id != user.id:
        raise NotPermitted()
    when = now or utcnow()
    reason = reason.strip()

    def work() -> Scorecard:
        if scorecard.status != SUBMITTED:
            raise ValidationFailed("Only a submitted scorecard is amended; this one is a draft.")
        latest = scorecard.revisions[-1] if scorecard.revisions else None
        same = _same_content(scorecard, ratings, recommendation, key_takeaways)
        repeated = same and latest is not None and latest.revision > 1 and latest.reason == reason
        if expected_revision is not None and expected_revision != scorecard.revision:
            if repeated and expected_revision == scorecard.revision - 1:
                return scorecard  # this very amendment, already saved by the first request
            raise ValidationFailed(
                f"This scorecard was amended since this form was opened (it is now at "
                f"revision {scorecard.revision}), so your amendment was not saved. Check "
                "the current version above and amend again if it still needs it."
            )
        if same:
            if repeated and expected_revision is None:
                return scorecard  # the same amendment sent twice
            raise ValidationFailed(
                "This amendment changes nothing; change a rating, the evidence, the "
                "recommendation or the takeaways."
            )
        focus = focus_for(scorecard.interview)
        errors: dict[str, str] = {}
        try:
            scoring.check_scorecard(
                [f.requirement_id for f in focus], ratings, recommendation, submitting=True
            )
        except FieldErrors as exc:
            errors.update(exc.errors)
        if not reason:
            errors["reason"] = "Say why you are amending a submitted scorecard."
        if errors:
            raise FieldErrors(errors)
        _apply(scorecard, focus, ratings, recommendation, key_takeaways, when)
        scorecard.revision += 1
        db.session.flush()
        audit.record_scorecard("scorecard.amend", scorecard, user)
        db.session.add(
            ScorecardRevision(
                scorecard=scorecard,
                revision=scorecard.revision,
                author_id=user.id,
                at=when,
                reason=reason,
                content=_content(scorecard, focus),
            )
        )
        db.session.commit()
        return scorecard

    return _with_one_retry(work)


# --- My interviews ----------------------------------------------------------------------


@dataclass(frozen=True)
class MyInterview:
    """One row of My interviews."""

    interview_id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    candidate_name: str
    opening_title: str
    stage_name: str
    has_draft: bool


@dataclass
class MyInterviews:
    upcoming: list[MyInterview]
    due: list[MyInterview]
    overdue: list[MyInterview]


def my_interviews(user: User, now: datetime | None = None) -> MyInterviews:
    """The user's interviews still needing something: upcoming, scorecards due (started,
    ended at most 24 hours ago) and overdue, each oldest first; one query. Only active
    applications count, as in the recruiter's Scorecards due: once an application is
    rejected, withdrawn or hired nobody waits on its interviews."""
    when = now or utcnow()
    rows = db.session.execute(
        select(
            Interview.id,
            Interview.starts_at,
            Interview.duration_minutes,
            PlanInterview.name,
            Candidate.name,
            Opening.title,
            PlanStage.name,
            Scorecard.status,
        )
        .join(
            InterviewAssignment,
            and_(
                InterviewAssignment.interview_id == Interview.id,
                InterviewAssignment.user_id == user.id,
            ),
        )
        .join(PlanInterview, PlanInterview.id == Interview.plan_interview_id)
        .join(PlanStage, PlanStage.id == Interview.stage_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .outerjoin(
            Scorecard,
            and_(Scorecard.interview_id == Interview.id, Scorecard.author_id == user.id),
        )
        .where(
            Interview.status != InterviewStatus.CANCELLED,
            Application.status == Status.ACTIVE.value,
            or_(
                Interview.starts_at > when,
                Scorecard.status.is_(None),
                Scorecard.status != SUBMITTED,
            ),
        )
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    result = MyInterviews([], [], [])
    for iid, starts_at, minutes, name, candidate, opening, stage, status in rows:
        item = MyInterview(
            interview_id=iid,
            name=name,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            candidate_name=candidate,
            opening_title=opening,
            stage_name=stage,
            has_draft=status == DRAFT,
        )
        if starts_at > when:
            result.upcoming.append(item)
        elif status == SUBMITTED:
            continue
        elif item.ends_at < when - DUE_WINDOW:
            result.overdue.append(item)
        else:
            result.due.append(item)
    return result


# --- Independent judgement ----------------------------------------------------------------


def feedback_visible(user: User, application: Application) -> bool:
    """Whether the user may see other people's feedback on this application: the rule and
    the one place that gathers its inputs are in `tracker.services.independence`."""
    return independence.feedback_visible(user, application)


def get_application_for_feedback(user: User, application_id: int) -> Application:
    """The application if the user may see its feedback now, else NotFound."""
    application = db.session.get(
        Application,
        application_id,
        options=[
            joinedload(Application.candidate),
            joinedload(Application.opening),
            joinedload(Application.stage),
        ],
    )
    if application is None or not feedback_visible(user, application):
        raise NotFound("No such application.")
    return application


def others_scorecards(user: User, application: Application) -> list[Scorecard]:
    """The other interviewers' submitted scorecards, only once the user may see them."""
    if not feedback_visible(user, application):
        raise NotFound("No such application.")
    return list(
        db.session.scalars(
            select(Scorecard)
            .where(
                Scorecard.application_id == application.id,
                Scorecard.status == SUBMITTED,
                Scorecard.author_id != user.id,
            )
            .options(
                joinedload(Scorecard.author),
                joinedload(Scorecard.interview).joinedload(Interview.plan_interview),
                selectinload(Scorecard.ratings).joinedload(Rating.requirement_version),
                selectinload(Scorecard.ratings).joinedload(Rating.requirement),
                selectinload(Scorecard.revisions).joinedload(ScorecardRevision.author),
            )
            .order_by(Scorecard.submitted_at, Scorecard.id)
        )
    )
