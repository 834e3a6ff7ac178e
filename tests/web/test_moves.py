"""Moving candidates through the pages: every change is a POST, every refusal says why."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import make_application, make_opening
from tracker.extensions import db
from tracker.models import Application, StageEventRecord


@pytest.fixture
def application(people) -> Application:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Linus Berg")
    return application


def move(client, application: Application, kind: str, **data):
    prefix = f"a{application.id}-{kind}-"
    return client.post(
        f"/applications/{application.id}/move/{kind}",
        data={prefix + k: v for k, v in data.items()},
    )


def events(application: Application) -> int:
    return db.session.scalar(
        select(func.count()).where(StageEventRecord.application_id == application.id)
    )


def reload(application: Application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def test_advance_records_the_move_and_shows_it(client, auth, people, application) -> None:
    auth.login(people["recruiter"].email)
    response = move(client, application, "advance", note="Strong CV")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#application-{application.id}")
    application = reload(application)
    assert application.stage.key == "recruiter_screen"
    last = application.events[-1]
    assert (last.move, last.from_stage.key, last.to_stage.key) == (
        "advance",
        "applied",
        "recruiter_screen",
    )
    assert last.actor_id == people["recruiter"].id
    assert last.at.tzinfo is not None
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "is now in Recruiter screen" in page
    assert "Strong CV" in page


def test_impossible_move_shows_why_and_changes_nothing(client, auth, people, application) -> None:
    """Hiring from Applied is refused with the reason, shown on the page, nothing written."""
    auth.login(people["recruiter"].email)
    before = events(application)
    response = move(client, application, "hire", note="let's skip ahead")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A candidate can be hired only from Offer; this one is in Applied." in page
    assert "let&#39;s skip ahead</textarea>" in page or "let's skip ahead</textarea>" in page
    assert reload(application).stage.key == "applied"
    assert events(application) == before


def test_back_from_the_first_stage_is_refused(client, auth, people, application) -> None:
    auth.login(people["hm"].email)
    response = move(client, application, "back")
    assert response.status_code == 422
    assert b"Applied is the first stage; there is nothing before it." in response.data


def test_reject_needs_a_reason_and_keeps_the_note(client, auth, people, application) -> None:
    auth.login(people["recruiter"].email)
    response = move(client, application, "reject", note="Typed note that must survive")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="a{application.id}-reject-reason-error"[^>]*>Choose a rejection', page)
    assert "Typed note that must survive</textarea>" in page
    assert reload(application).status == "active"


def test_reject_with_reason_and_note(client, auth, people, application) -> None:
    auth.login(people["recruiter"].email)
    response = move(client, application, "reject", reason="compensation", note="Above band")
    assert response.status_code == 302
    application = reload(application)
    assert (application.status, application.rejection_reason) == ("rejected", "compensation")
    assert application.closed_at is not None
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "Rejected: Compensation." in page
    assert "/move/reopen" in page and "/move/advance" not in page


@pytest.mark.parametrize(
    ("who", "label"), [("candidate", "Candidate withdrew"), ("company", "We withdrew")]
)
def test_withdraw_records_who_withdrew(client, auth, people, application, who, label) -> None:
    auth.login(people["recruiter"].email)
    assert move(client, application, "withdraw", withdrawn_by=who, note="n").status_code == 302
    application = reload(application)
    assert (application.status, application.withdrawn_by) == ("withdrawn", who)
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert label in page


def test_closed_application_moves_only_by_reopen(client, auth, people, application) -> None:
    auth.login(people["recruiter"].email)
    move(client, application, "withdraw", withdrawn_by="candidate")
    response = move(client, application, "advance")
    assert response.status_code == 422
    assert b"reopen it before moving it" in response.data
    assert move(client, application, "reopen").status_code == 422  # needs a reason
    assert move(client, application, "reopen", note="Changed their mind").status_code == 302
    assert reload(application).status == "active"


def test_full_journey_to_hired(client, auth, people, application) -> None:
    """Moves reach Decision; only the hiring manager's decision leads on to Offer."""
    auth.login(people["hm"].email)
    for _ in range(5):  # no interviews are held here, so the interview stages need overrides
        response = move(client, application, "advance", override_reason="Test journey")
        assert response.status_code == 302
    assert reload(application).stage.key == "decision"
    refused = move(client, application, "advance", note="skip the decision")
    assert refused.status_code == 422
    assert b"takes the hiring manager&#39;s decision" in refused.data
    decided = client.post(
        f"/applications/{application.id}/decision",
        data={
            "outcome": "offer",
            "rationale": "References and work sample were strong.",
            "coverage_override": "Assessed in the work sample; no scorecards in this test.",
        },
    )
    assert decided.status_code == 302
    assert reload(application).stage.key == "offer"
    assert move(client, application, "advance").status_code == 422
    assert move(client, application, "hire", note="Signed").status_code == 302
    application = reload(application)
    assert (application.stage.key, application.status) == ("hired", "hired")
    assert events(application) == 1 + 5 + 1 + 1


def test_double_click_moves_only_once(client, auth, people, application) -> None:
    """The second of two identical posts from the same page is refused: no stage skipped."""
    auth.login(people["recruiter"].email)
    prefix = f"a{application.id}-advance-"
    data = {prefix + "from_stage": "applied", prefix + "note": "twice"}
    url = f"/applications/{application.id}/move/advance"
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data=data)
    assert second.status_code == 422
    assert b"has moved since the page was loaded" in second.data
    assert reload(application).stage.key == "recruiter_screen"
    assert events(application) == 2


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("reject", "reason", " "),
        ("reject", "reason", "nonsense"),
        ("withdraw", "withdrawn_by", " "),
    ],
)
def test_odd_choice_values_get_a_message_not_an_error(
    client, auth, people, application, kind, field, value
) -> None:
    auth.login(people["recruiter"].email)
    response = move(client, application, kind, **{field: value, "note": "n"})
    assert response.status_code == 422
    assert reload(application).status == "active"


def test_interviewer_cannot_move(client, auth, people, application) -> None:
    auth.login(people["interviewer"].email)
    assert move(client, application, "advance").status_code == 404
    assert reload(application).stage.key == "applied"
