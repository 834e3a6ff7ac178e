"""Scorecards on the real database: drafts, submission rules, versions, amendments,
My interviews and the independence rule."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from tests.factories import (
    make_application,
    make_interview,
    make_opening,
    make_user,
    move_to_stage,
)
from tests.queries import recorded_queries
from tracker.catalog.files import load_catalog_files
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.scoring import (
    FieldErrors,
    Rating,
    RatingInput,
    Recommendation,
    evidence_field,
    rating_field,
)
from tracker.extensions import db
from tracker.models import (
    Interview,
    InterviewStatus,
    PlanInterviewFocus,
    Requirement,
    Scorecard,
    ScorecardRevision,
)
from tracker.models.types import utcnow
from tracker.services import scorecards
from tracker.services.applications import NotPermitted
from tracker.services.catalog import load_catalog, requirement_set


def set_focus(interview: Interview, count: int = 3) -> list[int]:
    """Give the interview's plan interview exactly `count` focus requirements."""
    opening = interview.application.opening
    ids = [item.requirement_id for item in requirement_set(opening)[:count]]
    db.session.execute(
        delete(PlanInterviewFocus).where(
            PlanInterviewFocus.plan_interview_id == interview.plan_interview_id
        )
    )
    for rid in ids:
        db.session.add(
            PlanInterviewFocus(plan_interview_id=interview.plan_interview_id, requirement_id=rid)
        )
    db.session.commit()
    return ids


@pytest.fixture
def opening(people):
    return make_opening(people["hm"], people["recruiter"])


@pytest.fixture
def application(opening, people):
    return make_application(opening, people["recruiter"], name="Zoë Núñez")


@pytest.fixture
def interview(application, people) -> Interview:
    return make_interview(
        application,
        [people["interviewer"]],
        plan_interview_name="Peer interview 1",
        stage_key="peer",
    )


@pytest.fixture
def focus(interview) -> list[int]:
    return set_focus(interview)


def complete(
    focus: list[int], evidence: str = "Walked through a real incident."
) -> list[RatingInput]:
    """A full set of ratings: a strong yes with evidence, then yes, then not assessed."""
    values = [Rating.STRONG_YES, Rating.YES, Rating.NOT_ASSESSED]
    return [
        RatingInput(rid, values[i % 3], evidence if i % 3 == 0 else "")
        for i, rid in enumerate(focus)
    ]


def own(interview: Interview, user) -> Scorecard | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Scorecard).where(
            Scorecard.interview_id == interview.id, Scorecard.author_id == user.id
        )
    )


def test_kit_shows_focus_in_full_and_only_the_users_own_scorecard(interview, focus, people) -> None:
    kit = scorecards.kit(
        scorecards.get_interview_for(people["interviewer"], interview.id), people["interviewer"]
    )
    assert {f.requirement_id for f in kit.focus} == set(focus)
    assert len(kit.focus) == 3
    for item in kit.focus:
        req = db.session.get(Requirement, item.requirement_id)
        assert (item.text, item.key, item.category, item.version) == (
            req.text,
            req.key,
            req.category,
            req.version,
        )
    assert kit.candidate.name == "Zoë Núñez"
    assert kit.scorecard is None and kit.can_submit


def test_interview_is_hidden_from_people_with_no_part_in_it(interview, people) -> None:
    for who in ("other_hm", "other_recruiter"):
        with pytest.raises(NotFound):
            scorecards.get_interview_for(people[who], interview.id)
    with pytest.raises(NotFound):
        scorecards.get_interview_for(people["interviewer"], interview.id + 999)
    outsider = make_user("out@test.example", "Otto Outsider", ["interviewer"])
    with pytest.raises(NotFound):
        scorecards.get_interview_for(outsider, interview.id)
    # the opening's owners may look at the kit, but not write its scorecard
    assert scorecards.get_interview_for(people["hm"], interview.id).id == interview.id
    assert scorecards.kit(interview, people["hm"]).can_submit is False


def test_draft_may_be_partial_and_is_saved(interview, focus, people) -> None:
    user = people["interviewer"]
    scorecards.save(
        interview, user, [RatingInput(focus[0], Rating.STRONG_YES, "")], None, "", submit=False
    )
    card = own(interview, user)
    assert (card.status, card.revision, card.submitted_at) == ("draft", 0, None)
    assert [(r.requirement_id, r.rating) for r in card.ratings] == [(focus[0], "strong_yes")]
    assert card.revisions == []

    # saving again replaces the content: a cleared rating goes, a new one comes
    scorecards.save(
        interview,
        user,
        [RatingInput(focus[1], None, "notes so far")],
        Recommendation.YES,
        " half-way ",
        submit=False,
    )
    card = own(interview, user)
    assert [(r.requirement_id, r.rating, r.evidence) for r in card.ratings] == [
        (focus[1], None, "notes so far")
    ]
    assert (card.recommendation, card.key_takeaways) == ("yes", "half-way")
    assert db.session.scalar(select(func.count(Scorecard.id))) == 1


def test_submit_is_refused_before_the_interview_starts(application, people) -> None:
    future = make_interview(
        application,
        [people["interviewer"]],
        "Peer interview 2",
        starts_at=utcnow() + timedelta(hours=3),
        stage_key="peer",
    )
    focus = set_focus(future)
    with pytest.raises(ValidationFailed, match="not started"):
        scorecards.save(
            future, people["interviewer"], complete(focus), Recommendation.YES, "", submit=True
        )
    assert own(future, people["interviewer"]) is None
    # a draft before the interview is fine
    scorecards.save(
        future, people["interviewer"], complete(focus), Recommendation.YES, "", submit=False
    )
    assert own(future, people["interviewer"]).status == "draft"


@pytest.mark.parametrize("who", ["hm", "recruiter", "admin", "other_hm"])
def test_only_an_assigned_interviewer_writes_the_scorecard(interview, focus, people, who) -> None:
    for submit in (False, True):
        with pytest.raises(NotPermitted):
            scorecards.save(
                interview, people[who], complete(focus), Recommendation.YES, "", submit=submit
            )
    assert db.session.scalar(select(func.count(Scorecard.id))) == 0


def test_submit_is_refused_when_the_interview_was_cancelled(interview, focus, people) -> None:
    interview.status = InterviewStatus.CANCELLED
    db.session.commit()
    with pytest.raises(ValidationFailed, match="cancelled"):
        scorecards.save(
            interview, people["interviewer"], complete(focus), Recommendation.YES, "", submit=True
        )
    assert own(interview, people["interviewer"]) is None


def test_submit_needs_a_recommendation_every_rating_and_evidence_for_strong_ones(
    interview, focus, people
) -> None:
    user = people["interviewer"]
    ratings = [
        RatingInput(focus[0], Rating.STRONG_NO, "   "),
        RatingInput(focus[1], Rating.NOT_ASSESSED, ""),  # no evidence needed
    ]  # focus[2] left unrated
    with pytest.raises(FieldErrors) as caught:
        scorecards.save(interview, user, ratings, None, "", submit=True)
    assert set(caught.value.errors) == {
        "recommendation",
        evidence_field(focus[0]),
        rating_field(focus[2]),
    }
    assert "Strong no" in caught.value.errors[evidence_field(focus[0])]
    assert own(interview, user) is None  # nothing half-written


def test_submit_locks_and_writes_the_original_revision(interview, focus, people) -> None:
    user = people["interviewer"]
    scorecards.save(interview, user, [RatingInput(focus[0], Rating.NO, "")], None, "", submit=False)
    scorecards.save(
        interview, user, complete(focus), Recommendation.STRONG_YES, "Hire.", submit=True
    )
    card = own(interview, user)
    assert (card.status, card.revision) == ("submitted", 1)
    assert card.submitted_at is not None
    [rev] = card.revisions
    assert (rev.revision, rev.reason, rev.author_id) == (1, "", user.id)
    assert rev.content["recommendation"] == "strong_yes"
    assert rev.content["key_takeaways"] == "Hire."
    first = rev.content["ratings"][0]
    req = db.session.get(Requirement, first["requirement_id"])
    assert (first["key"], first["version"], first["text"], first["rating"]) == (
        req.key,
        1,
        req.text,
        "strong_yes",
    )
    assert first["evidence"] == "Walked through a real incident."

    with pytest.raises(ValidationFailed, match="already submitted"):
        scorecards.save(interview, user, complete(focus), Recommendation.NO, "", submit=False)
    assert own(interview, user).recommendation == "strong_yes"


def test_double_submit_is_idempotent(interview, focus, people) -> None:
    user = people["interviewer"]
    for _ in range(2):
        scorecards.save(interview, user, complete(focus), Recommendation.YES, "Good.", submit=True)
    card = own(interview, user)
    assert (card.status, card.revision, len(card.revisions)) == ("submitted", 1, 1)
    # a different second submission is not a double click: it must be an amendment
    with pytest.raises(ValidationFailed, match="amend"):
        scorecards.save(interview, user, complete(focus), Recommendation.NO, "Good.", submit=True)
    assert db.session.scalar(select(func.count(ScorecardRevision.id))) == 1


def _edit_requirement_text(key: str, new_text: str) -> None:
    def fix(reqs):
        return tuple(dataclasses.replace(r, text=new_text) if r.key == key else r for r in reqs)

    specs = [
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
        for role in load_catalog_files()
    ]
    assert load_catalog(specs).new_versions == [key]


def test_a_rating_keeps_the_text_version_it_was_given_against(
    interview, focus, application, people
) -> None:
    user = people["interviewer"]
    requirement = db.session.get(Requirement, focus[0])
    key, old_text = requirement.key, requirement.text
    scorecards.save(interview, user, complete(focus), Recommendation.YES, "", submit=True)

    _edit_requirement_text(key, old_text + " (revised wording)")
    db.session.expire_all()
    assert db.session.get(Requirement, focus[0]).version == 2

    card = own(interview, user)
    rating = next(r for r in card.ratings if r.requirement_id == focus[0])
    assert (rating.requirement_version.version, rating.requirement_version.text) == (1, old_text)
    assert card.revisions[0].content["ratings"][0]["text"] == old_text

    # the kit now shows the new text, and a rating given now records version 2
    kit = scorecards.kit(interview, user)
    item = next(f for f in kit.focus if f.requirement_id == focus[0])
    assert (item.version, item.text) == (2, old_text + " (revised wording)")
    peer2 = make_user("peer2@test.example", "Pia Peer", ["interviewer"])
    other = make_interview(application, [peer2], "Peer interview 2", stage_key="peer")
    set_focus(other)
    scorecards.save(other, peer2, [RatingInput(focus[0], Rating.YES, "")], None, "", submit=False)
    fresh = own(other, peer2).ratings[0]
    assert (fresh.requirement_version.version, fresh.requirement_version.text) == (
        2,
        old_text + " (revised wording)",
    )

    # an amendment that leaves this rating alone keeps version 1; changing it records 2
    scorecards.amend(
        own(interview, user),
        user,
        complete(focus),
        Recommendation.NO,
        "",
        "Second thoughts on the overall call.",
    )
    rating = next(r for r in own(interview, user).ratings if r.requirement_id == focus[0])
    assert rating.requirement_version.version == 1
    changed = [RatingInput(focus[0], Rating.YES, ""), *complete(focus)[1:]]
    scorecards.amend(
        own(interview, user), user, changed, Recommendation.NO, "", "Strong yes was too generous."
    )
    rating = next(r for r in own(interview, user).ratings if r.requirement_id == focus[0])
    assert rating.requirement_version.version == 2


def test_amendment_keeps_the_original_revision(interview, focus, people) -> None:
    user = people["interviewer"]
    scorecards.save(
        interview, user, complete(focus), Recommendation.YES, "First view.", submit=True
    )
    card = own(interview, user)

    with pytest.raises(FieldErrors) as caught:
        scorecards.amend(card, user, complete(focus), Recommendation.NO, "Changed.", "  ")
    assert set(caught.value.errors) == {"reason"}
    with pytest.raises(FieldErrors) as caught:
        scorecards.amend(card, user, complete(focus)[:1], None, "Changed.", "A reason")
    assert {"recommendation", rating_field(focus[1])} <= set(caught.value.errors)
    with pytest.raises(ValidationFailed, match="changes nothing"):
        scorecards.amend(card, user, complete(focus), Recommendation.YES, "First view.", "Hm")
    with pytest.raises(NotPermitted):
        scorecards.amend(card, people["hm"], complete(focus), Recommendation.NO, "x", "Mine")

    for _ in range(2):  # the second, identical amendment is a double click: no new revision
        scorecards.amend(
            own(interview, user),
            user,
            complete(focus),
            Recommendation.NO,
            "Second view.",
            "Spoke to a reference.",
        )
    card = own(interview, user)
    assert (card.revision, card.recommendation, card.key_takeaways) == (2, "no", "Second view.")
    assert [(r.revision, r.reason) for r in card.revisions] == [
        (1, ""),
        (2, "Spoke to a reference."),
    ]
    assert card.revisions[0].content["recommendation"] == "yes"
    assert card.revisions[0].content["key_takeaways"] == "First view."
    assert card.revisions[1].content["recommendation"] == "no"


def test_a_draft_cannot_be_amended(interview, focus, people) -> None:
    user = people["interviewer"]
    scorecards.save(interview, user, complete(focus), None, "", submit=False)
    with pytest.raises(ValidationFailed, match="draft"):
        scorecards.amend(own(interview, user), user, complete(focus), Recommendation.YES, "", "why")


def test_my_interviews_sorts_upcoming_due_and_overdue(application, people) -> None:
    user = people["interviewer"]
    now = utcnow()

    def at(delta: timedelta, name: str = "Peer interview 1") -> Interview:
        return make_interview(application, [user], name, starts_at=now + delta, stage_key="peer")

    later = at(timedelta(days=2))
    soon = at(timedelta(hours=1))
    running = at(timedelta(minutes=-10))
    ended_recently = at(timedelta(hours=-20))
    overdue = at(timedelta(days=-3))
    submitted = at(timedelta(days=-2))
    cancelled = at(timedelta(hours=-3))
    cancelled.status = InterviewStatus.CANCELLED
    db.session.commit()
    set_focus(submitted, 0)
    scorecards.save(submitted, user, [], Recommendation.YES, "", submit=True)
    scorecards.save(overdue, user, [], None, "draft notes", submit=False)
    make_interview(
        application, [people["hm"]], "Peer interview 2", starts_at=now, stage_key="peer"
    )  # someone else's

    lists = scorecards.my_interviews(user, now)
    assert [i.interview_id for i in lists.upcoming] == [soon.id, later.id]
    assert [i.interview_id for i in lists.due] == [ended_recently.id, running.id]
    assert [i.interview_id for i in lists.overdue] == [overdue.id]
    assert lists.overdue[0].has_draft and not lists.due[0].has_draft
    row = lists.upcoming[0]
    assert (row.candidate_name, row.opening_title, row.stage_name, row.name) == (
        "Zoë Núñez",
        "Staff Security Engineer, SIRT",
        "Peer interviews",
        "Peer interview 1",
    )


def test_my_interviews_takes_one_query_however_many_interviews(application, people) -> None:
    user = people["interviewer"]

    def count() -> int:
        user_id = user.id  # loaded before counting: only the list's own queries count
        assert user_id
        with recorded_queries() as statements:
            scorecards.my_interviews(user)
        return len(statements)

    make_interview(application, [user], stage_key="peer")
    small = count()
    for days in range(-5, 6):
        make_interview(
            application, [user], starts_at=utcnow() + timedelta(days=days), stage_key="peer"
        )
    assert count() == small == 1


def test_feedback_stays_hidden_until_ones_own_scorecard_is_submitted(application, people) -> None:
    peer1 = people["interviewer"]
    peer2 = make_user("peer2@test.example", "Pia Peer", ["interviewer"])
    first = make_interview(application, [peer1], "Peer interview 1", stage_key="peer")
    second = make_interview(application, [peer2], "Peer interview 2", stage_key="peer")
    set_focus(first, 0)
    set_focus(second, 0)
    scorecards.save(first, peer1, [], Recommendation.YES, "peer1 view", submit=True)

    assert scorecards.feedback_visible(peer1, application) is True
    assert scorecards.feedback_visible(peer2, application) is False
    with pytest.raises(NotFound):
        scorecards.others_scorecards(peer2, application)
    scorecards.save(second, peer2, [], Recommendation.NO, "draft", submit=False)
    assert scorecards.feedback_visible(peer2, application) is False

    scorecards.save(second, peer2, [], Recommendation.NO, "peer2 view", submit=True)
    assert [s.key_takeaways for s in scorecards.others_scorecards(peer2, application)] == [
        "peer1 view"
    ]
    assert [s.key_takeaways for s in scorecards.others_scorecards(peer1, application)] == [
        "peer2 view"
    ]
    # the opening's recruiter, who interviews no one here, sees both
    assert len(scorecards.others_scorecards(people["recruiter"], application)) == 2
    # someone with no part in the application sees nothing
    outsider = make_user("out@test.example", "Otto Outsider", ["interviewer"])
    with pytest.raises(NotFound):
        scorecards.get_application_for_feedback(outsider, application.id)


def test_hiring_manager_who_interviews_sees_no_feedback_until_submitting(
    application, people
) -> None:
    hm, peer = people["hm"], people["interviewer"]
    hm_interview = make_interview(application, [hm], stage_key="hiring_manager")
    peer_interview = make_interview(application, [peer], "Peer interview 1", stage_key="peer")
    set_focus(hm_interview, 0)
    set_focus(peer_interview, 0)
    scorecards.save(peer_interview, peer, [], Recommendation.YES, "", submit=True)

    assert scorecards.feedback_visible(hm, application) is False
    with pytest.raises(NotFound):
        scorecards.get_application_for_feedback(hm, application.id)

    # cancelling the hiring manager's interview (to rebook it) does not lift the block
    # while the application has not moved past that interview's stage
    hm_interview.status = InterviewStatus.CANCELLED
    db.session.commit()
    assert scorecards.feedback_visible(hm, application) is False
    move_to_stage(application, "hiring_manager")
    assert scorecards.feedback_visible(hm, application) is False
    # once the application has moved past it, the hiring manager is no longer its interviewer
    move_to_stage(application, "peer")
    assert scorecards.feedback_visible(hm, application) is True


@pytest.mark.parametrize("status", ["rejected", "withdrawn", "hired"])
def test_my_interviews_leaves_out_closed_applications(opening, people, status) -> None:
    """Like the recruiter's Scorecards due, only active applications are waited on: a closed
    one's interviews are neither upcoming, due nor overdue for their interviewer."""
    user = people["interviewer"]
    now = utcnow()
    lists_of: dict[str, list[int]] = {}
    for which in ("active", "closed"):
        application = make_application(opening, people["recruiter"], name=f"{which} one")
        lists_of[which] = [
            make_interview(application, [user], starts_at=now + delta, stage_key="peer").id
            for delta in (timedelta(days=1), timedelta(hours=-1), timedelta(days=-3))
        ]
        if which == "closed":
            application.status = status
            if status == "rejected":
                application.rejection_reason = "other"
            db.session.commit()

    lists = scorecards.my_interviews(user, now)
    upcoming, due, overdue = lists_of["active"]
    assert [i.interview_id for i in lists.upcoming] == [upcoming]
    assert [i.interview_id for i in lists.due] == [due]
    assert [i.interview_id for i in lists.overdue] == [overdue]
    assert {i.candidate_name for i in lists.upcoming + lists.due + lists.overdue} == {"active one"}
