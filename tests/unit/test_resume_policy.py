"""Who may see a résumé, add one, and export a candidate's data, as a table."""

from __future__ import annotations

import pytest

from tests.unit.doubles import Op
from tests.unit.test_policy import (
    ADMIN,
    HM,
    INTERVIEWER,
    NOBODY,
    OPENING,
    OTHER_HM,
    OTHER_RECRUITER,
    RECRUITER,
)
from tracker.domain import policy

THEIRS = OPENING
ELSEWHERE = Op(hiring_manager_id=4, recruiter_id=5)
NO_ROLE = NOBODY


class Anonymous:
    id = 6
    is_authenticated = False
    role_names: frozenset[str] = frozenset({"interviewer"})


# (who, user, the candidate's openings, interviews the candidate, may view the résumé)
VIEW = [
    ("admin", ADMIN, [THEIRS], False, True),
    ("admin, candidate without applications", ADMIN, [], False, True),
    ("the opening's hiring manager", HM, [THEIRS], False, True),
    ("the opening's recruiter", RECRUITER, [THEIRS], False, True),
    ("owner of any of the candidate's openings", OTHER_HM, [THEIRS, ELSEWHERE], False, True),
    ("another hiring manager", OTHER_HM, [THEIRS], False, False),
    ("another recruiter", OTHER_RECRUITER, [THEIRS], False, False),
    ("an interviewer of the candidate", INTERVIEWER, [THEIRS], True, True),
    ("an interviewer of someone else", INTERVIEWER, [THEIRS], False, False),
    ("another hiring manager who interviews them", OTHER_HM, [THEIRS], True, True),
    ("someone without roles, even if assigned", NO_ROLE, [THEIRS], True, False),
    ("signed out, even if assigned", Anonymous(), [THEIRS], True, False),
    ("nobody", None, [THEIRS], True, False),
]


@pytest.mark.parametrize(
    ("who", "user", "openings", "interviews", "expected"), VIEW, ids=[v[0] for v in VIEW]
)
def test_who_may_view_a_resume(who, user, openings, interviews, expected) -> None:
    assert policy.can_view_resume(user, openings, interviews) is expected


# Adding a résumé and exporting the candidate's data: only the openings' people.
MANAGE = [
    ("admin", ADMIN, [THEIRS], True),
    ("the opening's hiring manager", HM, [THEIRS], True),
    ("the opening's recruiter", RECRUITER, [THEIRS], True),
    ("another recruiter", OTHER_RECRUITER, [THEIRS], False),
    ("an interviewer", INTERVIEWER, [THEIRS], False),
    ("a recruiter of no opening of theirs", RECRUITER, [ELSEWHERE], False),
    ("no openings at all", HM, [], False),
    ("nobody", None, [THEIRS], False),
]


@pytest.mark.parametrize("check", [policy.can_upload_resume, policy.can_export_candidate])
@pytest.mark.parametrize(
    ("who", "user", "openings", "expected"), MANAGE, ids=[m[0] for m in MANAGE]
)
def test_who_may_add_a_resume_or_export(check, who, user, openings, expected) -> None:
    assert check(user, openings) is expected
