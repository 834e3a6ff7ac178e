"""A person may hold several roles: the policy grants what any of them grants on that
object, except that independent judgement (owing one's own scorecard) hides the others'
feedback whatever else the person is."""

from __future__ import annotations

import pytest

from tests.unit.doubles import Op, P
from tracker.domain import policy
from tracker.domain.independence import FeedbackFacts, OwnInterview, OwnScorecard

# Opening X: recruiter 10, hiring manager 20.  Opening Y: recruiter 30, hiring manager 11.
X = Op(hiring_manager_id=20, recruiter_id=10)
Y = Op(hiring_manager_id=11, recruiter_id=30)

RECRUITS_X_MANAGES_Y = P(10, {"recruiter", "hiring_manager"})
MANAGES_Y_RECRUITS_X = P(11, {"recruiter", "hiring_manager"})  # holds both, owns only Y
RECRUITER_AND_INTERVIEWER = P(10, {"recruiter", "interviewer"})  # recruits X
ADMIN_AND_INTERVIEWER = P(40, {"admin", "interviewer"})
HM_AND_INTERVIEWER = P(11, {"hiring_manager", "interviewer"})  # manages Y

# (who, user, opening, check, expected)
TABLE = [
    # 10 holds recruiter and hiring manager, but is only X's recruiter
    ("recruiter+hm: views X it recruits for", RECRUITS_X_MANAGES_Y, X, "view", True),
    ("recruiter+hm: may not decide on X (recruits only)", RECRUITS_X_MANAGES_Y, X, "decide", False),
    ("recruiter+hm: Y is someone else's", RECRUITS_X_MANAGES_Y, Y, "view", False),
    ("hm of Y: views Y", MANAGES_Y_RECRUITS_X, Y, "view", True),
    ("hm of Y: decides on Y", MANAGES_Y_RECRUITS_X, Y, "decide", True),
    ("hm of Y: edits Y's plan", MANAGES_Y_RECRUITS_X, Y, "plan", True),
    ("hm of Y: X is someone else's", MANAGES_Y_RECRUITS_X, X, "view", False),
    ("recruiter+interviewer: views X", RECRUITER_AND_INTERVIEWER, X, "view", True),
    ("recruiter+interviewer: schedules on X", RECRUITER_AND_INTERVIEWER, X, "schedule", True),
    ("recruiter+interviewer: no view of Y", RECRUITER_AND_INTERVIEWER, Y, "view", False),
    ("recruiter+interviewer: no scheduling on Y", RECRUITER_AND_INTERVIEWER, Y, "schedule", False),
    ("recruiter+interviewer: Y's kit where assigned", RECRUITER_AND_INTERVIEWER, Y, "kit", True),
    ("recruiter+interviewer: writes Y's scorecard", RECRUITER_AND_INTERVIEWER, Y, "score", True),
    ("recruiter+interviewer: no decision on Y", RECRUITER_AND_INTERVIEWER, Y, "decide", False),
    ("hm+interviewer: decides on own Y", HM_AND_INTERVIEWER, Y, "decide", True),
    ("hm+interviewer: kit on X where assigned", HM_AND_INTERVIEWER, X, "kit", True),
    ("hm+interviewer: no view of X", HM_AND_INTERVIEWER, X, "view", False),
    ("hm+interviewer: no moves on X", HM_AND_INTERVIEWER, X, "move", False),
    ("admin+interviewer: everything", ADMIN_AND_INTERVIEWER, Y, "decide", True),
    # Handing an opening over: its hiring manager (with the role) or an admin, not its
    # recruiter, whatever other role the recruiter holds.
    ("recruiter+hm: may not reassign X", RECRUITS_X_MANAGES_Y, X, "reassign", False),
    ("hm of Y: reassigns Y", MANAGES_Y_RECRUITS_X, Y, "reassign", True),
    ("Y's hm id without the role", P(11, {"recruiter", "interviewer"}), Y, "reassign", False),
    ("admin+interviewer: reassigns", ADMIN_AND_INTERVIEWER, X, "reassign", True),
]

CHECKS = {
    "view": lambda u, o: policy.can_view_opening(u, o),
    "decide": lambda u, o: policy.can_decide(u, o),
    "plan": lambda u, o: policy.can_edit_plan(u, o),
    "schedule": lambda u, o: policy.can_schedule(u, o),
    "move": lambda u, o: policy.can_move_application(u, o),
    "kit": lambda u, o: policy.can_view_interview(u, o, [u.id]),
    "score": lambda u, o: policy.can_submit_scorecard(u, [u.id]),
    "reassign": lambda u, o: policy.can_reassign_opening(u, o),
}


@pytest.mark.parametrize(
    ("who", "user", "opening", "check", "expected"), TABLE, ids=[t[0] for t in TABLE]
)
def test_roles_combine_per_opening(
    who: str, user: P, opening: Op, check: str, expected: bool
) -> None:
    assert CHECKS[check](user, opening) is expected


@pytest.mark.parametrize(
    ("user", "opening", "check"),
    [
        (RECRUITER_AND_INTERVIEWER, Y, "kit"),
        (RECRUITER_AND_INTERVIEWER, Y, "score"),
        (HM_AND_INTERVIEWER, X, "kit"),
    ],
)
def test_interviewer_rights_need_the_assignment(user: P, opening: Op, check: str) -> None:
    """Holding the interviewer role grants nothing by itself: only an assignment does."""
    assert CHECKS[check](user, opening) is True
    if check == "kit":
        assert policy.can_view_interview(user, opening, [99]) is False
    else:
        assert policy.can_submit_scorecard(user, [99]) is False


OWES = FeedbackFacts(stage_position=3, assigned=(OwnInterview(1, 7, 3),))
DONE = FeedbackFacts(
    stage_position=3, assigned=(OwnInterview(1, 7, 3),), submitted=(OwnScorecard(1, 7),)
)
NO_PART = FeedbackFacts(stage_position=3)


@pytest.mark.parametrize(
    ("who", "user", "opening", "facts", "expected"),
    [
        # Owing one's own scorecard hides the others' feedback, whatever else one is.
        ("recruiter of X, owes on X", RECRUITER_AND_INTERVIEWER, X, OWES, False),
        ("admin, owes", ADMIN_AND_INTERVIEWER, Y, OWES, False),
        ("hm of Y, owes on Y", HM_AND_INTERVIEWER, Y, OWES, False),
        # Once it is in: as an interviewer anywhere, as an owner on their own openings.
        ("recruiter of X, submitted on X", RECRUITER_AND_INTERVIEWER, X, DONE, True),
        ("recruiter of X, submitted on Y", RECRUITER_AND_INTERVIEWER, Y, DONE, True),
        ("admin, submitted", ADMIN_AND_INTERVIEWER, Y, DONE, True),
        # No part in it: only through the opening.
        ("recruiter of X, no part in X", RECRUITER_AND_INTERVIEWER, X, NO_PART, True),
        ("recruiter of X, no part in Y", RECRUITER_AND_INTERVIEWER, Y, NO_PART, False),
        ("hm of Y, no part in X", HM_AND_INTERVIEWER, X, NO_PART, False),
        ("admin, no part", ADMIN_AND_INTERVIEWER, X, NO_PART, True),
    ],
)
def test_feedback_with_several_roles(
    who: str, user: P, opening: Op, facts: FeedbackFacts, expected: bool
) -> None:
    assert policy.can_see_feedback(user, opening, facts) is expected


GLOBAL = {
    "create opening": policy.can_create_opening,
    "list candidates": policy.can_list_candidates,
    "scorecards due": policy.can_list_scorecards_due,
    "decisions needed": policy.can_list_decisions_needed,
}


@pytest.mark.parametrize(
    ("roles", "granted"),
    [
        (set(), set()),
        ({"interviewer"}, set()),
        ({"interviewer", "hiring_manager"}, {"list candidates", "decisions needed"}),
        ({"interviewer", "recruiter"}, {"create opening", "list candidates", "scorecards due"}),
        ({"hiring_manager", "recruiter"}, set(GLOBAL)),
        ({"admin"}, set(GLOBAL)),
    ],
)
def test_global_actions_take_the_widest_role(roles: set[str], granted: set[str]) -> None:
    user = P(50, roles)
    assert {name for name, check in GLOBAL.items() if check(user)} == granted
    assert not any(check(None) for check in GLOBAL.values())
