"""Independent judgement as a table: who still owes their own feedback on an application
(rules a, b and c of `tracker.domain.independence`), and who may then see the others'."""

from __future__ import annotations

import pytest

from tests.unit.doubles import Op, P
from tracker.domain import policy
from tracker.domain.independence import (
    FeedbackFacts,
    OwnInterview,
    OwnScorecard,
    PlannedInterview,
    is_interviewer,
    owed,
    owes_feedback,
)

# Stage positions of the default plan.
APPLIED, SCREEN, HM_STAGE, PEER, DIRECTOR, DECISION = 0, 1, 2, 3, 4, 5
# Plan interviews: the hiring manager's, a peer's, the director/CISO's.
HM_PLAN, PEER_PLAN, DIRECTOR_PLAN = 20, 30, 40
HM_INTERVIEW = PlannedInterview(HM_PLAN, HM_STAGE, "hiring_manager")
PLAN = (HM_INTERVIEW,)


def hm(stage: int, *assigned: OwnInterview, submitted=(), plan=PLAN) -> FeedbackFacts:
    """The opening's hiring manager, with the application in `stage`."""
    return FeedbackFacts(stage, True, plan, assigned, tuple(submitted))


def person(stage: int, *assigned: OwnInterview, submitted=()) -> FeedbackFacts:
    """Anyone but the opening's hiring manager."""
    return FeedbackFacts(stage, False, (), assigned, tuple(submitted))


def hm_interview(iid: int = 1, cancelled: bool = False) -> OwnInterview:
    return OwnInterview(iid, HM_PLAN, HM_STAGE, cancelled)


def peer_interview(iid: int = 2, cancelled: bool = False) -> OwnInterview:
    return OwnInterview(iid, PEER_PLAN, PEER, cancelled)


def director_interview(iid: int = 3, cancelled: bool = False) -> OwnInterview:
    return OwnInterview(iid, DIRECTOR_PLAN, DIRECTOR, cancelled)


def card(interview: OwnInterview) -> OwnScorecard:
    return OwnScorecard(interview.interview_id, interview.plan_interview_id)


OWES = [
    # --- nobody ------------------------------------------------------------------------
    ("no part in the application", person(PEER), False),
    # --- (a) assigned to an interview that was not cancelled ---------------------------
    ("peer, scheduled, nothing submitted", person(PEER, peer_interview()), True),
    (
        "peer, scheduled, submitted",
        person(PEER, peer_interview(), submitted=[card(peer_interview())]),
        False,
    ),
    (
        "peer with two interviews, one submitted",
        person(PEER, peer_interview(2), peer_interview(5), submitted=[card(peer_interview(2))]),
        True,
    ),
    (
        "peer, scheduled in an earlier stage, never submitted, application moved on",
        person(DIRECTOR, peer_interview()),
        True,
    ),
    (
        "a submission for another interview does not count for this one",
        person(PEER, peer_interview(2), submitted=[OwnScorecard(9, PEER_PLAN)]),
        True,
    ),
    # --- (c) a cancelled interview ------------------------------------------------------
    (
        "peer, cancelled, application still in that stage: expected to be rebooked",
        person(PEER, peer_interview(cancelled=True)),
        True,
    ),
    (
        "peer, cancelled in an earlier stage the application has left",
        person(DIRECTOR, peer_interview(cancelled=True)),
        False,
    ),
    (
        "peer, cancelled while the application is back in an earlier stage",
        person(SCREEN, peer_interview(cancelled=True)),
        False,
    ),
    (
        "peer, cancelled, rebooked and not yet submitted",
        person(PEER, peer_interview(2, cancelled=True), peer_interview(6)),
        True,
    ),
    (
        "peer, cancelled, rebooked and submitted for that plan interview",
        person(
            PEER,
            peer_interview(2, cancelled=True),
            peer_interview(6),
            submitted=[card(peer_interview(6))],
        ),
        False,
    ),
    (
        "peer, cancelled, submitted only for another plan interview",
        person(
            PEER,
            peer_interview(2, cancelled=True),
            submitted=[OwnScorecard(7, DIRECTOR_PLAN)],
        ),
        True,
    ),
    # --- (b) the opening's hiring manager and their interview of the plan --------------
    ("HM, application just arrived, interview not scheduled", hm(APPLIED), True),
    ("HM, application in screen, interview not scheduled", hm(SCREEN), True),
    ("HM, in their stage, interview not scheduled yet", hm(HM_STAGE), True),
    ("HM, in their stage, scheduled, not submitted", hm(HM_STAGE, hm_interview()), True),
    (
        "HM, in their stage, interview cancelled to rebook",
        hm(HM_STAGE, hm_interview(cancelled=True)),
        True,
    ),
    ("HM, screen, their interview cancelled", hm(SCREEN, hm_interview(cancelled=True)), True),
    (
        "HM, in their stage, submitted",
        hm(HM_STAGE, hm_interview(), submitted=[card(hm_interview())]),
        False,
    ),
    (
        "HM, cancelled, rebooked and submitted",
        hm(
            HM_STAGE,
            hm_interview(1, cancelled=True),
            hm_interview(8),
            submitted=[card(hm_interview(8))],
        ),
        False,
    ),
    (
        "HM, submitted for their plan interview, no longer assigned to it",
        hm(HM_STAGE, submitted=[OwnScorecard(8, HM_PLAN)]),
        False,
    ),
    ("HM, application moved past their stage without them", hm(PEER), False),
    ("HM, application in Decision", hm(DECISION), False),
    (
        "HM, moved past their stage but a peer interview of theirs is still open",
        hm(PEER, peer_interview()),
        True,
    ),
    ("HM of an opening whose plan has no HM interview", hm(SCREEN, plan=()), False),
    (
        "HM, plan interview conducted by someone else does not count",
        hm(SCREEN, plan=(PlannedInterview(HM_PLAN, HM_STAGE, "peer"),)),
        False,
    ),
    (
        "not the HM: the plan's HM interview is not theirs",
        FeedbackFacts(SCREEN, False, PLAN),
        False,
    ),
    (
        "HM, a plan with two HM interviews, one submitted",
        hm(
            HM_STAGE,
            hm_interview(),
            submitted=[card(hm_interview())],
            plan=(HM_INTERVIEW, PlannedInterview(21, PEER, "hiring_manager")),
        ),
        True,
    ),
    # --- a CISO who is the opening's HM and also a Director/CISO interviewer -----------
    ("CISO as HM, before any interview", hm(SCREEN, director_interview()), True),
    (
        "CISO as HM, HM interview submitted, director interview scheduled and open",
        hm(DIRECTOR, hm_interview(), director_interview(), submitted=[card(hm_interview())]),
        True,
    ),
    (
        "CISO as HM, HM interview submitted, director interview cancelled in its stage",
        hm(
            DIRECTOR,
            hm_interview(),
            director_interview(cancelled=True),
            submitted=[card(hm_interview())],
        ),
        True,
    ),
    (
        "CISO as HM, both submitted",
        hm(
            DIRECTOR,
            hm_interview(),
            director_interview(),
            submitted=[card(hm_interview()), card(director_interview())],
        ),
        False,
    ),
    (
        "CISO as HM, director interview cancelled before HM interview held",
        hm(HM_STAGE, director_interview(cancelled=True)),
        True,
    ),
]


@pytest.mark.parametrize(("case", "facts", "expected"), OWES, ids=[c[0] for c in OWES])
def test_owes_feedback(case: str, facts: FeedbackFacts, expected: bool) -> None:
    assert owes_feedback(facts) is expected
    assert bool(owed(facts)) is expected


def test_each_rule_names_itself() -> None:
    """The reasons say which rule holds the person back, for the log and for tests."""
    assert [r[0] for r in owed(person(PEER, peer_interview()))] == ["a"]
    assert [r[0] for r in owed(hm(SCREEN))] == ["b"]
    assert [r[0] for r in owed(person(PEER, peer_interview(cancelled=True)))] == ["c"]
    assert sorted(r[0] for r in owed(hm(HM_STAGE, hm_interview(cancelled=True)))) == ["b", "c"]


INTERVIEWER = [
    ("no part", person(PEER), False),
    ("only a cancelled interview", person(PEER, peer_interview(cancelled=True)), False),
    ("a scheduled interview", person(PEER, peer_interview()), True),
    (
        "a scheduled interview, submitted",
        person(PEER, peer_interview(), submitted=[card(peer_interview())]),
        True,
    ),
    ("HM before their interview's stage", hm(SCREEN), True),
    ("HM after their interview's stage", hm(PEER), False),
    ("not the HM", FeedbackFacts(SCREEN, False, PLAN), False),
]


@pytest.mark.parametrize(
    ("case", "facts", "expected"), INTERVIEWER, ids=[c[0] for c in INTERVIEWER]
)
def test_is_interviewer(case: str, facts: FeedbackFacts, expected: bool) -> None:
    assert is_interviewer(facts) is expected


OPENING = Op(hiring_manager_id=2, recruiter_id=3)
ADMIN = P(1, {"admin"})
HM = P(2, {"hiring_manager"})
RECRUITER = P(3, {"recruiter"})
PEER_USER = P(6, {"interviewer"})
OUTSIDER = P(7, {"interviewer"})
NO_ROLE = P(8, set())

DONE_PEER = person(PEER, peer_interview(), submitted=[card(peer_interview())])
SEE = [
    ("recruiter, no part in the interviews", RECRUITER, person(PEER), True),
    (
        "recruiter who owes a screen scorecard",
        RECRUITER,
        person(SCREEN, OwnInterview(4, 10, SCREEN)),
        False,
    ),
    ("admin, no part", ADMIN, person(PEER), True),
    ("admin who interviews and owes", ADMIN, person(PEER, peer_interview()), False),
    ("HM before their interview is scheduled", HM, hm(SCREEN), False),
    ("HM, their interview cancelled", HM, hm(HM_STAGE, hm_interview(cancelled=True)), False),
    ("HM, submitted", HM, hm(HM_STAGE, hm_interview(), submitted=[card(hm_interview())]), True),
    ("HM, application past their stage", HM, hm(PEER), True),
    ("peer who submitted (no opening access)", PEER_USER, DONE_PEER, True),
    ("peer who owes", PEER_USER, person(PEER, peer_interview()), False),
    (
        "peer whose interview was cancelled in an old stage",
        PEER_USER,
        person(DIRECTOR, peer_interview(cancelled=True)),
        False,
    ),
    ("outsider", OUTSIDER, person(PEER), False),
    ("no role, even having submitted", NO_ROLE, DONE_PEER, False),
    ("signed out", None, person(PEER), False),
]


@pytest.mark.parametrize(("case", "user", "facts", "expected"), SEE, ids=[c[0] for c in SEE])
def test_can_see_feedback(case: str, user: P | None, facts: FeedbackFacts, expected: bool) -> None:
    assert policy.can_see_feedback(user, OPENING, facts) is expected
