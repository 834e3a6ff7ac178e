"""The interview plan page through the test client: focus, coverage, edits and access."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import make_application, make_opening
from tests.queries import count_page_queries
from tracker.extensions import db
from tracker.models import Opening, PlanInterview, PlanStage, Requirement
from tracker.services import plans


@pytest.fixture
def opening(people) -> Opening:
    return make_opening(people["hm"], people["recruiter"])


def plan_interview(opening: Opening, name: str) -> PlanInterview:
    return db.session.scalar(
        select(PlanInterview)
        .join(PlanStage)
        .where(PlanStage.opening_id == opening.id, PlanInterview.name == name)
    )


def focus_ids(opening: Opening, name: str) -> set[int]:
    db.session.expire_all()
    view = plans.plan_view(db.session.get(Opening, opening.id))
    return next(i.focus_ids for s in view.stages for i in s.interviews if i.interview.name == name)


def checked(page: str, prefix: str) -> set[int]:
    """The requirement ids ticked in one interview's form."""
    return {
        int(v)
        for v in re.findall(
            rf'name="{prefix}-requirement_ids" id="[^"]+" value="(\d+)" checked', page
        )
    }


def test_plan_page_shows_stages_interviews_focus_and_coverage(client, auth, people, opening):
    auth.login(people["hm"].email)
    page = client.get(f"/openings/{opening.id}/plan").get_data(as_text=True)
    for text in (
        "Recruiter screen",
        "Recruiter screening call",
        "30 minutes · conducted by Recruiter",
        "Peer interview 2",
        "45 minutes · conducted by Peer",
        "60 minutes · conducted by Director of Security or CISO (or both)",
        "Every requirement is assessed by at least one interview.",
        "No requirement is assessed by more than one interview.",
        "Log analysis",  # a SIRT requirement's full text, on the second peer interview
        "Change the focus of Peer interview 1",
    ):
        assert text in page, text
    assert 'aria-current="page" href="/openings/' in page and ">Interview plan</a>" in page
    screen = plan_interview(opening, "Recruiter screening call")
    assert checked(page, f"pi{screen.id}") == focus_ids(opening, "Recruiter screening call")


def test_opening_header_links_to_the_plan(client, auth, people, opening):
    auth.login(people["recruiter"].email)
    page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert f'href="/openings/{opening.id}/plan">Interview plan</a>' in page


def test_changing_focus_saves_and_shows_coverage(client, auth, people, opening):
    auth.login(people["recruiter"].email)
    screen = plan_interview(opening, "Recruiter screening call")
    current = sorted(focus_ids(opening, "Recruiter screening call"))
    technical = sorted(focus_ids(opening, "Peer interview 1"))[0]
    dropped = db.session.get(Requirement, current[0])
    response = client.post(
        f"/openings/{opening.id}/plan/interviews/{screen.id}/focus",
        data={f"pi{screen.id}-requirement_ids": [*current[1:], technical]},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plan#plan-interview-{screen.id}")
    assert focus_ids(opening, "Recruiter screening call") == {*current[1:], technical}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Focus of “Recruiter screening call” saved." in page
    unassessed = page.split('id="coverage-unassessed"')[1].split("</ul>")[0]
    assert dropped.text in unassessed
    repeated = page.split('id="coverage-repeated"')[1].split("</ul>")[0]
    assert "assessed by 2 interviews" in repeated


def test_focus_outside_the_set_is_refused_and_ticks_kept(client, auth, people, opening):
    auth.login(people["hm"].email)
    peer = plan_interview(opening, "Peer interview 1")
    before = focus_ids(opening, "Peer interview 1")
    foreign = db.session.scalar(
        select(Requirement.id).where(Requirement.key.like("distinguished-engineer%")).limit(1)
    )
    mine = sorted(before)[:2]
    response = client.post(
        f"/openings/{opening.id}/plan/interviews/{peer.id}/focus",
        data={f"pi{peer.id}-requirement_ids": [*mine, foreign]},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        r'id="pi\d+-requirement_ids-error"[^>]*>Only requirements of this opening', page
    )
    assert checked(page, f"pi{peer.id}") == set(mine)  # what was ticked, not what is stored
    assert f'id="plan-interview-{peer.id}"' in page
    assert focus_ids(opening, "Peer interview 1") == before


def test_empty_focus_is_refused(client, auth, people, opening):
    auth.login(people["hm"].email)
    peer = plan_interview(opening, "Peer interview 1")
    response = client.post(f"/openings/{opening.id}/plan/interviews/{peer.id}/focus", data={})
    assert response.status_code == 422
    assert b"Choose at least one requirement" in response.data


def test_reset_puts_back_the_default(client, auth, people, opening):
    auth.login(people["hm"].email)
    default = focus_ids(opening, "Recruiter screening call")
    screen = plan_interview(opening, "Recruiter screening call")
    client.post(
        f"/openings/{opening.id}/plan/interviews/{screen.id}/focus",
        data={f"pi{screen.id}-requirement_ids": sorted(default)[:1]},
    )
    assert focus_ids(opening, "Recruiter screening call") != default
    response = client.post(f"/openings/{opening.id}/plan/reset")
    assert response.status_code == 302
    assert focus_ids(opening, "Recruiter screening call") == default


@pytest.mark.parametrize("who", ["other_hm", "other_recruiter", "interviewer"])
def test_other_peoples_plans_are_hidden(client, auth, people, opening, who):
    auth.login(people[who].email)
    peer = plan_interview(opening, "Peer interview 1")
    before = focus_ids(opening, "Peer interview 1")
    assert client.get(f"/openings/{opening.id}/plan").status_code == 404
    response = client.post(
        f"/openings/{opening.id}/plan/interviews/{peer.id}/focus",
        data={f"pi{peer.id}-requirement_ids": sorted(before)[:1]},
    )
    assert response.status_code == 404
    assert client.post(f"/openings/{opening.id}/plan/reset").status_code == 404
    assert focus_ids(opening, "Peer interview 1") == before


def test_edit_denied_by_policy_is_403(client, auth, people, opening, monkeypatch):
    """Whoever may see the opening but not edit its plan gets the page without forms and a
    403 on a POST (today every viewer may edit, so the policy is narrowed here)."""
    from tracker.domain import policy

    monkeypatch.setattr(policy, "can_edit_plan", lambda user, opening: False)
    auth.login(people["recruiter"].email)
    page = client.get(f"/openings/{opening.id}/plan").get_data(as_text=True)
    assert "Change the focus" not in page and "Reset every focus" not in page
    peer = plan_interview(opening, "Peer interview 1")
    response = client.post(
        f"/openings/{opening.id}/plan/interviews/{peer.id}/focus",
        data={f"pi{peer.id}-requirement_ids": [1]},
    )
    assert response.status_code == 403
    assert client.post(f"/openings/{opening.id}/plan/reset").status_code == 403


def test_unknown_or_foreign_plan_interview_is_404(client, auth, people, opening):
    other = make_opening(people["hm"], people["recruiter"], title="Other")
    foreign = plan_interview(other, "Peer interview 1")
    auth.login(people["hm"].email)
    for pid in (999_999, foreign.id):
        response = client.post(
            f"/openings/{opening.id}/plan/interviews/{pid}/focus",
            data={f"pi{pid}-requirement_ids": [1]},
        )
        assert response.status_code == 404
    assert client.get("/openings/999999/plan").status_code == 404


def test_plan_page_query_count_is_flat(app, client, auth, people, opening):

    auth.login(people["recruiter"].email)
    url = f"/openings/{opening.id}/plan"
    small = count_page_queries(client, url)
    for _ in range(5):
        make_opening(people["hm"], people["recruiter"], title="Another")
        make_application(opening, people["recruiter"])
    assert count_page_queries(client, url) == small
    assert small <= 12
