"""Access policy as a table: who may see and do what with an opening."""

from __future__ import annotations

import pytest

from tests.unit.doubles import Op, P
from tracker.domain import policy
from tracker.domain.requirements import SetItem, count_by_origin, group_by_category, level_scope

OPENING = Op(hiring_manager_id=2, recruiter_id=3)
ADMIN = P(1, {"admin"})
HM = P(2, {"hiring_manager"})
RECRUITER = P(3, {"recruiter"})
OTHER_HM = P(4, {"hiring_manager"})
OTHER_RECRUITER = P(5, {"recruiter"})
INTERVIEWER = P(6, {"interviewer"})
NOBODY = P(7, set())
# Holds the ids of the owners but not the roles: ids alone grant nothing.
HM_ID_WITHOUT_ROLE = P(2, {"interviewer"})
RECRUITER_ID_AS_HM = P(3, {"hiring_manager"})
BOTH = P(3, {"recruiter", "hiring_manager"})

CHECKS = {
    "view": lambda u: policy.can_view_opening(u, OPENING),
    "edit": lambda u: policy.can_edit_opening(u, OPENING),
    "add": lambda u: policy.can_add_candidate(u, OPENING),
    "move": lambda u: policy.can_move_application(u, OPENING),
    "candidate": lambda u: policy.can_view_candidate(u, [OPENING]),
}
GRANTED = {ADMIN.id, HM.id, RECRUITER.id}

TABLE = [
    ("admin", ADMIN, True),
    ("its hiring manager", HM, True),
    ("its recruiter", RECRUITER, True),
    ("another hiring manager", OTHER_HM, False),
    ("another recruiter", OTHER_RECRUITER, False),
    ("an interviewer", INTERVIEWER, False),
    ("no role", NOBODY, False),
    ("owner id without the role", HM_ID_WITHOUT_ROLE, False),
    ("recruiter id holding only hiring manager", RECRUITER_ID_AS_HM, False),
    ("recruiter and hiring manager", BOTH, True),
    ("anonymous", None, False),
]


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize(("who", "user", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_opening_access(check: str, who: str, user: P | None, expected: bool) -> None:
    """Deny by default: only the admin and the opening's own owners are granted."""
    assert CHECKS[check](user) is expected


@pytest.mark.parametrize(
    ("user", "create", "list_candidates"),
    [
        (ADMIN, True, True),
        (RECRUITER, True, True),
        (HM, False, True),
        (INTERVIEWER, False, False),
        (NOBODY, False, False),
        (None, False, False),
    ],
)
def test_global_actions(user: P | None, create: bool, list_candidates: bool) -> None:
    assert policy.can_create_opening(user) is create
    assert policy.can_list_candidates(user) is list_candidates


def test_candidate_visible_through_any_of_their_openings() -> None:
    other = Op(hiring_manager_id=99, recruiter_id=98)
    assert policy.can_view_candidate(HM, [other, OPENING]) is True
    assert policy.can_view_candidate(HM, [other]) is False
    assert policy.can_view_candidate(HM, []) is False


class Anonymous:
    id = 0
    is_authenticated = False

    @property
    def role_names(self) -> set[str]:
        return {"admin"}  # never trusted without authentication


def test_unauthenticated_user_gets_nothing_even_with_roles() -> None:
    assert policy.can_view_opening(Anonymous(), OPENING) is False


@pytest.mark.parametrize(
    ("opening_rank", "level_rank", "expected"),
    [(2, 2, "level"), (2, 0, "inherited"), (2, 1, "inherited"), (2, 3, None), (0, 1, None)],
)
def test_level_scope(opening_rank: int, level_rank: int, expected: str | None) -> None:
    """An opening has its own level's requirements and inherits those below, not above."""
    assert level_scope(opening_rank, level_rank) == expected


def _item(key: str, category: str, origin: str, order: tuple[int, int]) -> SetItem:
    return SetItem(1, key, category, "s", "t", 1, origin, origin, order)


def test_group_by_category_keeps_document_order() -> None:
    items = [
        _item("c", "Specialty", "specialty", (100, 0)),
        _item("b", "Level", "inherited", (1, 1)),
        _item("a", "General", "shared", (0, 0)),
        _item("d", "Level", "level", (2, 0)),
        _item("e", "Odd", "shared", (0, 5)),
    ]
    groups = group_by_category(items)
    assert [c for c, _ in groups] == ["General", "Level", "Specialty", "Odd"]
    assert [i.key for i in dict(groups)["Level"]] == ["b", "d"]
    assert count_by_origin(items) == {"shared": 2, "level": 1, "inherited": 1, "specialty": 1}
