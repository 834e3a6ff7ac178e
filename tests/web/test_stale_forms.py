"""Forms sent from a page older than someone else's change: each carries the version its
page showed, and a stale one is refused with a clear message, writes nothing, and shows
the application (or scorecard) as it is now."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import delete, func, select

from tests.factories import make_application, make_interview, make_opening, move_to_stage
from tracker.domain.pipeline import Move, MoveRequest, RejectionReason
from tracker.extensions import db
from tracker.models import (
    Application,
    Decision,
    Interview,
    PlanInterviewFocus,
    Scorecard,
    ScorecardRevision,
    StageEventRecord,
)
from tracker.services import applications
from tracker.services.catalog import requirement_set

SOMEONE_ELSE = "This application was changed by someone else just now"


class Inputs(HTMLParser):
    """Every <input>'s value and every <textarea>'s text, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        named = dict(attrs)
        if tag == "input" and named.get("name"):
            self.values[named["name"]] = named.get("value") or ""
        elif tag == "textarea":
            self._textarea = named.get("name")
            self.values[self._textarea or ""] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # a browser drops the newline right after <textarea> (so WTForms writes one)
            text = data if self.values[self._textarea] else data.removeprefix("\r\n")
            self.values[self._textarea] += text

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def inputs(page: str) -> dict[str, str]:
    parser = Inputs()
    parser.feed(page)
    return parser.values


@pytest.fixture
def application(people) -> Application:
    opening = make_opening(people["hm"], people["recruiter"])
    return make_application(opening, people["recruiter"], name="Sam Stale")


def candidate_page(client, application: Application) -> str:
    return client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)


def move_form(page: str, application: Application, kind: str, **typed: str) -> dict[str, str]:
    """What the browser sends from this page's form for `kind`: its hidden fields as the
    page rendered them, and what the user typed."""
    prefix = f"a{application.id}-{kind}-"
    hidden = {k: v for k, v in inputs(page).items() if k.startswith(prefix)}
    assert {prefix + "from_stage", prefix + "seen_version"} <= set(hidden)
    return {**hidden, **{prefix + k: v for k, v in typed.items()}}


def post_move(client, application: Application, kind: str, data: dict[str, str]):
    return client.post(f"/applications/{application.id}/move/{kind}", data=data)


def state(application_id: int) -> tuple[str, str, int, int]:
    """Stage, status, version and the number of recorded moves, read afresh."""
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    moves = db.session.scalar(
        select(func.count()).where(StageEventRecord.application_id == application_id)
    )
    return application.stage.key, application.status, application.version, moves


def someone_else_moves(application: Application, people, request: MoveRequest) -> None:
    db.session.expire_all()
    fresh = db.session.get(Application, application.id)
    applications.move(fresh, request, people["hm"])


# --- Moves on the candidate page ---------------------------------------------------------


def test_every_move_form_carries_the_version_the_page_shows(
    client, auth, people, application
) -> None:
    auth.login(people["recruiter"].email)
    values = inputs(candidate_page(client, application))
    versions = {k: v for k, v in values.items() if k.endswith("-seen_version")}
    assert set(versions) == {
        f"a{application.id}-{m}-seen_version" for m in ("advance", "reject", "withdraw")
    }
    assert set(versions.values()) == {"1"}
    someone_else_moves(application, people, MoveRequest(Move.ADVANCE))
    values = inputs(candidate_page(client, application))
    assert values[f"a{application.id}-back-seen_version"] == "2"


def test_a_move_from_an_outdated_page_is_refused_and_shows_the_change(
    client, auth, people, application
) -> None:
    """The recruiter's page still shows Applied; Hal advanced it meanwhile. The rejection
    is refused (nothing written), the page shows Recruiter screen and Hal's move in the
    history, and keeps the typed note on a form that now carries the current version."""
    auth.login(people["recruiter"].email)
    page = candidate_page(client, application)
    data = move_form(page, application, "reject", reason="other", note="Typed before the change")
    someone_else_moves(application, people, MoveRequest(Move.ADVANCE, note="Hal moved it on."))
    before = state(application.id)

    response = post_move(client, application, "reject", data)

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert SOMEONE_ELSE in page
    assert "Sam Stale is in Recruiter screen (active)" in page
    assert "Stage: <strong>Recruiter screen</strong>" in page
    assert "Hal moved it on." in page and "Hal Manager" in page  # the move that won
    assert state(application.id) == before == ("recruiter_screen", "active", 2, 2)
    again = move_form(page, application, "reject", reason="other")
    assert again[f"a{application.id}-reject-note"] == "Typed before the change"
    assert again[f"a{application.id}-reject-seen_version"] == "2"
    # Sent again from the page that shows the change, it is a deliberate decision: it goes.
    assert post_move(client, application, "reject", again).status_code == 302
    assert state(application.id)[:3] == ("recruiter_screen", "rejected", 3)


def test_a_move_no_longer_possible_shows_the_new_state_without_its_form(
    client, auth, people, application
) -> None:
    auth.login(people["recruiter"].email)
    data = move_form(candidate_page(client, application), application, "advance", note="Go")
    someone_else_moves(
        application,
        people,
        MoveRequest(Move.REJECT, reason=RejectionReason.OTHER, note="Hal declined."),
    )
    before = state(application.id)

    response = post_move(client, application, "advance", data)

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert SOMEONE_ELSE in page and "Sam Stale is in Applied (rejected)" in page
    assert "Hal declined." in page
    assert f"/applications/{application.id}/move/advance" not in page
    assert f"/applications/{application.id}/move/reopen" in page
    assert state(application.id) == before


def test_a_double_click_on_a_move_moves_once_and_says_so(client, auth, people, application):
    auth.login(people["recruiter"].email)
    data = move_form(candidate_page(client, application), application, "advance", note="Once")
    assert post_move(client, application, "advance", data).status_code == 302

    second = post_move(client, application, "advance", data)

    assert second.status_code == 409
    assert b"You changed this application a moment ago" in second.data
    assert state(application.id) == ("recruiter_screen", "active", 2, 2)


@pytest.mark.parametrize("version", ["0", "abc", "-1", "99"])
def test_a_version_the_page_never_showed_is_refused(
    client, auth, people, application, version
) -> None:
    auth.login(people["recruiter"].email)
    data = move_form(candidate_page(client, application), application, "advance")
    data[f"a{application.id}-advance-seen_version"] = version
    response = post_move(client, application, "advance", data)
    assert response.status_code == 409
    assert state(application.id) == ("applied", "active", 1, 1)


# --- The hiring manager's decision --------------------------------------------------------


def decision_form(client, application: Application, **typed: str) -> dict[str, str]:
    page = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    hidden = {k: v for k, v in inputs(page).items() if k in ("seen_version", "csrf_token")}
    return {**hidden, **typed}


REJECTION = {"outcome": "reject", "rejection_reason": "other", "rationale": "Not at this level."}


def decisions(application: Application) -> int:
    return db.session.scalar(select(func.count()).where(Decision.application_id == application.id))


def test_a_decision_from_an_outdated_review_is_refused(client, auth, people, application):
    move_to_stage(application, "decision")
    auth.login(people["hm"].email)
    data = decision_form(client, application, **REJECTION)
    assert data["seen_version"] == str(application.version)
    recruiter = applications.get_application(application.id, people["recruiter"])
    applications.move(
        recruiter, MoveRequest(Move.BACK, note="One more round."), people["recruiter"]
    )
    before = state(application.id)

    response = client.post(f"/applications/{application.id}/decision", data=data)

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert SOMEONE_ELSE in page
    assert "Stage: <strong>Director / CISO interview</strong>" in page
    assert decisions(application) == 0
    assert state(application.id) == before


def test_a_double_click_on_the_decision_records_it_once(client, auth, people, application):
    move_to_stage(application, "decision")
    auth.login(people["hm"].email)
    data = decision_form(client, application, **REJECTION)
    url = f"/applications/{application.id}/decision"
    assert client.post(url, data=data).status_code == 302

    second = client.post(url, data=data)

    assert second.status_code == 409
    assert b"You changed this application a moment ago" in second.data
    assert decisions(application) == 1
    assert state(application.id)[:2] == ("decision", "rejected")


# --- Amending a scorecard ---------------------------------------------------------------


@pytest.fixture
def submitted(client, auth, people, application) -> dict:
    """A submitted scorecard (revision 1) and the form data that submitted it."""
    interview = make_interview(
        application, [people["interviewer"]], "Peer interview 1", stage_key="peer"
    )
    focus = [item.requirement_id for item in requirement_set(application.opening)[:2]]
    db.session.execute(
        delete(PlanInterviewFocus).where(
            PlanInterviewFocus.plan_interview_id == interview.plan_interview_id
        )
    )
    for rid in focus:
        db.session.add(
            PlanInterviewFocus(plan_interview_id=interview.plan_interview_id, requirement_id=rid)
        )
    db.session.commit()
    data = {
        f"rating-{focus[0]}": "strong_yes",
        f"evidence-{focus[0]}": "Ran the tabletop exercise.",
        f"rating-{focus[1]}": "yes",
        "recommendation": "yes",
        "key_takeaways": "First view.",
    }
    auth.login(people["interviewer"].email)
    url = f"/interviews/{interview.id}"
    response = client.post(url + "/scorecard", data={**data, "submit_scorecard": "Submit"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return {"interview": interview, "data": data, "url": url}


def revisions(interview: Interview) -> list[tuple[int, str]]:
    db.session.expire_all()
    card = db.session.scalar(select(Scorecard).where(Scorecard.interview_id == interview.id))
    return [
        (r.revision, r.reason)
        for r in db.session.scalars(
            select(ScorecardRevision)
            .where(ScorecardRevision.scorecard_id == card.id)
            .order_by(ScorecardRevision.revision)
        )
    ]


def test_an_amendment_sent_twice_is_saved_once(client, submitted) -> None:
    page = client.get(submitted["url"]).get_data(as_text=True)
    assert inputs(page)["seen_revision"] == "1"
    amendment = {
        **submitted["data"],
        "recommendation": "no",
        "reason": "Spoke to a reference.",
        "seen_revision": "1",
    }
    for _ in range(2):  # a double click, or the browser retrying
        response = client.post(submitted["url"] + "/scorecard/amend", data=amendment)
        assert response.status_code == 302
    assert revisions(submitted["interview"]) == [(1, ""), (2, "Spoke to a reference.")]


def test_an_amendment_from_an_outdated_form_is_refused(client, submitted) -> None:
    """Two tabs on revision 1: the amendment from the second tab would silently undo the
    first; it is refused, what was typed stays, and the form now amends revision 2."""
    url = submitted["url"] + "/scorecard/amend"
    first = {**submitted["data"], "recommendation": "no", "reason": "Tab one."}
    first["seen_revision"] = "1"
    assert client.post(url, data=first).status_code == 302
    second = {
        **submitted["data"],
        "key_takeaways": "Typed in tab two.",
        "reason": "Tab two.",
        "seen_revision": "1",
    }

    response = client.post(url, data=second)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "amended since this form was opened (it is now at revision 2)" in page
    assert revisions(submitted["interview"]) == [(1, ""), (2, "Tab one.")]
    values = inputs(page)
    assert (values["key_takeaways"], values["seen_revision"]) == ("Typed in tab two.", "2")


def test_a_form_returned_for_a_field_keeps_the_version_the_user_acted_on(
    client, auth, people, application
) -> None:
    """A rejection whose note is too long comes back to be corrected. If someone moved
    the application meanwhile, the corrected form must still be refused: the form keeps
    the version the user saw, not the current one."""
    auth.login(people["recruiter"].email)
    page = candidate_page(client, application)
    data = move_form(page, application, "reject", reason="other", note="x" * 5000)
    someone_else_moves(application, people, MoveRequest(Move.ADVANCE))

    returned = post_move(client, application, "reject", data)

    assert returned.status_code != 409
    resent = move_form(returned.get_data(as_text=True), application, "reject", note="Shorter")
    assert resent[f"a{application.id}-reject-seen_version"] == "1"
    before = state(application.id)
    response = post_move(client, application, "reject", resent)
    assert response.status_code == 409
    assert state(application.id) == before
