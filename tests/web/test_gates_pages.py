"""The stage gate on the candidate page: the override field, the refusal next to it with
the note kept, and the override shown in the history."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_application, make_interview, make_opening, move_to_stage
from tests.review_helpers import write_scorecard
from tracker.extensions import db
from tracker.models import Application


@pytest.fixture
def application(people) -> Application:
    opening = make_opening(people["hm"], people["recruiter"])
    return make_application(opening, people["recruiter"], name="Gita Gate")


def advance(client, application: Application, **data):
    prefix = f"a{application.id}-advance-"
    return client.post(
        f"/applications/{application.id}/move/advance",
        data={prefix + k: v for k, v in data.items()},
    )


def stage_of(application: Application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).stage.key


def test_override_field_only_in_interview_stages(client, auth, people, application) -> None:
    auth.login(people["recruiter"].email)
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "Override reason" not in page  # Applied holds no interviews
    move_to_stage(application, "recruiter_screen")
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert f'<label class="form-label" for="a{application.id}-advance-override_reason">' in page
    assert "Only needed if the stage&#39;s scorecards are not all in" in page


def test_refusal_sits_next_to_the_override_field(client, auth, people, application) -> None:
    move_to_stage(application, "recruiter_screen")
    make_interview(application, [people["interviewer"]])
    auth.login(people["recruiter"].email)
    response = advance(client, application, note="Keep this note")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        rf'id="a{application.id}-advance-override_reason-error"[^>]*>Recruiter screen is not '
        r"complete: Recruiter screening call: no submitted scorecard from Ivy Interviewer\.",
        page,
    )
    assert "Keep this note</textarea>" in page
    assert stage_of(application) == "recruiter_screen"


def test_override_is_kept_in_the_history(client, auth, people, application) -> None:
    move_to_stage(application, "recruiter_screen")
    # The recruiter: the hiring manager now owes their own interview, so notes hide from them.
    auth.login(people["recruiter"].email)
    response = advance(client, application, override_reason="Screened at a conference")
    assert response.status_code == 302
    assert stage_of(application) == "hiring_manager"
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "Override: Screened at a conference" in page


def test_complete_stage_needs_no_override(client, auth, people, application) -> None:
    move_to_stage(application, "recruiter_screen")
    interview = make_interview(application, [people["recruiter"]])
    write_scorecard(interview, people["recruiter"], {}, "yes")
    auth.login(people["recruiter"].email)
    assert advance(client, application).status_code == 302
    assert stage_of(application) == "hiring_manager"
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "Override:" not in page
