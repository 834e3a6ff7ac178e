"""Someone who still owes a scorecard learns nothing of others' feedback from moves either."""

from __future__ import annotations

from tests.factories import make_application, make_interview, make_opening, move_to_stage
from tracker.domain.pipeline import Move, MoveRequest
from tracker.services import applications


def _setup(people):
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    applications.move(
        application, MoveRequest(Move.ADVANCE, note="SECRET-NOTE from the screen"), people["admin"]
    )
    move_to_stage(application, "peer")
    make_interview(application, [people["hm"]], "Peer interview 1")
    make_interview(application, [people["interviewer"]], "Peer interview 2")
    return application


def test_gate_refusal_does_not_name_who_is_missing_to_someone_who_owes(
    client, auth, people
) -> None:
    application = _setup(people)
    auth.login(people["hm"].email)
    response = client.post(
        f"/applications/{application.id}/move/advance",
        data={f"a{application.id}-advance-note": "x"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Scorecards of this stage are still missing." in page
    assert "no submitted scorecard from" not in page  # who has submitted stays hidden


def test_gate_refusal_names_who_is_missing_to_the_recruiter(client, auth, people) -> None:
    application = _setup(people)
    auth.login(people["recruiter"].email)
    response = client.post(f"/applications/{application.id}/move/advance", data={})
    assert response.status_code == 422
    assert "no submitted scorecard from Ivy Interviewer" in response.get_data(as_text=True)


def test_history_notes_are_hidden_until_own_scorecard_is_in(client, auth, people) -> None:
    application = _setup(people)
    auth.login(people["hm"].email)
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "SECRET-NOTE" not in page
    assert "stay hidden until your own scorecards" in page
    auth.logout()
    auth.login(people["recruiter"].email)
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "SECRET-NOTE from the screen" in page
