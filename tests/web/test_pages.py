"""The pages, through the test client: content, access, 404s and forms that keep input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import catalog_ids, make_application, make_opening
from tests.queries import count_page_queries
from tracker.domain.pipeline import Move, MoveRequest
from tracker.extensions import db
from tracker.models import Application, Candidate, Opening
from tracker.services import applications
from tracker.services.candidates import CandidateInput, add_to_opening


@pytest.fixture
def opening(people) -> Opening:
    return make_opening(people["hm"], people["recruiter"])


@pytest.fixture
def application(opening, people) -> Application:
    return make_application(opening, people["recruiter"], name="Zoë Núñez")


def as_(auth, people, who: str) -> None:
    auth.login(people[who].email)


def test_openings_list_shows_only_own_openings(client, auth, people, opening) -> None:
    make_opening(people["other_hm"], people["other_recruiter"], title="Someone else's opening")
    as_(auth, people, "recruiter")
    page = client.get("/openings/").get_data(as_text=True)
    assert "Staff Security Engineer, SIRT" in page
    assert "Someone else" not in page


def test_empty_openings_list_says_what_to_do(client, auth, people) -> None:
    as_(auth, people, "recruiter")
    page = client.get("/openings/").get_data(as_text=True)
    assert "No openings yet" in page and "/openings/new" in page


def test_opening_page_shows_requirement_set_with_inherited_levels(
    client, auth, people, opening
) -> None:
    """A Staff opening shows its own level requirements and those it inherits, by category."""
    as_(auth, people, "hm")
    page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "Inherited from Intermediate Security Engineer" in page
    assert "Inherited from Senior Security Engineer" in page
    assert "Staff Security Engineer" in page
    assert "Principal Security Engineer" not in page
    assert "Log analysis" in page  # SIRT specialty
    assert "Support and evolve the bug bounty program." not in page  # AppSec, not SIRT
    for category in ("General", "Technical", "Communication", "Level", "Specialty"):
        assert f">{category} <span" in page
    assert "Peer interview 2: 45 min" in page
    assert "Hiring manager interview: 60 min" in page


def test_board_has_a_column_per_stage_with_counts(
    client, auth, people, opening, application
) -> None:
    as_(auth, people, "recruiter")
    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    stages = re.findall(r'<h2 class="h6 mb-0" id="stage-\d+">([^<]+)</h2>', page)
    assert stages == [s.name for s in opening.stages]
    assert 'aria-label="1 candidates"' in page
    assert "Zoë Núñez" in page


def test_candidate_page_shows_applications_and_history(client, auth, people, application) -> None:
    as_(auth, people, "recruiter")
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "Zoë Núñez" in page
    assert "Staff Security Engineer, SIRT" in page
    assert "Apply" in page and "Rex Recruiter" in page
    assert "/move/advance" in page and "/move/reject" in page and "/move/withdraw" in page
    assert "/move/hire" not in page  # only offered from Offer


@pytest.mark.parametrize(
    "url",
    [
        "/openings/999999",
        "/openings/999999/board",
        "/openings/999999/edit",
        "/openings/999999/candidates/new",
        "/candidates/999999",
        "/openings/abc",
    ],
)
def test_unknown_ids_are_404(client, auth, people, url: str) -> None:
    as_(auth, people, "admin")
    response = client.get(url)
    assert response.status_code == 404
    assert b"Not found" in response.data


def test_unknown_application_move_is_404(client, auth, people) -> None:
    as_(auth, people, "admin")
    assert client.post("/applications/999999/move/advance").status_code == 404
    assert client.post("/applications/1/move/teleport").status_code == 404


@pytest.mark.parametrize("who", ["other_recruiter", "other_hm", "interviewer"])
def test_other_peoples_objects_are_hidden(client, auth, people, opening, application, who) -> None:
    """Objects the user may not see answer 404, so their existence does not leak."""
    as_(auth, people, who)
    for url in (
        f"/openings/{opening.id}",
        f"/openings/{opening.id}/board",
        f"/openings/{opening.id}/edit",
        f"/openings/{opening.id}/candidates/new",
        f"/candidates/{application.candidate_id}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/applications/{application.id}/move/advance")
    assert response.status_code == 404
    assert db.session.get(Application, application.id).stage.key == "applied"


def test_interviewer_may_not_create_openings(client, auth, people) -> None:
    as_(auth, people, "interviewer")
    assert client.get("/openings/new").status_code == 403
    assert client.get("/candidates/").status_code == 403


def _opening_form(people, **overrides) -> dict:
    role_id, level_id, specialty_id = catalog_ids("security-engineer", "senior", "sirt")
    data = {
        "title": "Senior Security Engineer, SIRT",
        "role_id": role_id,
        "level_id": level_id,
        "specialty_id": specialty_id,
        "hiring_manager_id": people["hm"].id,
        "recruiter_id": people["recruiter"].id,
        "status": "open",
    }
    data.update(overrides)
    return data


def test_create_opening(client, auth, people) -> None:
    as_(auth, people, "recruiter")
    response = client.post("/openings/new", data=_opening_form(people))
    assert response.status_code == 302
    opening = db.session.scalar(select(Opening).where(Opening.title.like("Senior%")))
    assert opening.stages[0].key == "applied"
    assert len(opening.stages) == 8


def test_impossible_role_and_specialty_pair_is_refused_and_input_kept(client, auth, people) -> None:
    """The Secure specialty belongs to Distinguished Engineer, not Security Engineer."""
    _, _, secure = catalog_ids("distinguished-engineer", "distinguished", "secure")
    as_(auth, people, "recruiter")
    response = client.post(
        "/openings/new", data=_opening_form(people, title="My typed title", specialty_id=secure)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is not a specialty of Security Engineer" in page
    assert re.search(r'id="specialty_id-error"[^>]*>[^<]*not a specialty', page)
    assert 'value="My typed title"' in page
    assert re.search(rf'<option selected value="{secure}">|<option value="{secure}" selected', page)
    assert db.session.scalar(select(Opening.id)) is None


def test_impossible_role_and_level_pair_is_refused(client, auth, people) -> None:
    _, de_level, _ = catalog_ids("distinguished-engineer", "distinguished", None)
    as_(auth, people, "recruiter")
    response = client.post(
        "/openings/new", data=_opening_form(people, level_id=de_level, specialty_id="")
    )
    assert response.status_code == 422
    assert b"not a level of Security Engineer" in response.data


def test_edit_opening_cannot_set_fields_outside_the_form(client, auth, people, opening) -> None:
    """Mass assignment: only the form's fields are read; an extra `id` is ignored."""
    as_(auth, people, "hm")
    data = _opening_form(people, title="Renamed", status="on_hold", id=424242)
    response = client.post(f"/openings/{opening.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(opening)
    assert (opening.id, opening.title, opening.status) != (424242, "Renamed", "open")
    assert opening.title == "Renamed" and opening.status == "on_hold"


def test_add_candidate(client, auth, people, opening) -> None:
    as_(auth, people, "recruiter")
    response = client.post(
        f"/openings/{opening.id}/candidates/new",
        data={
            "name": "Grace Hopper",
            "email": "Grace@Example.org",
            "phone": "+1 555 0100",
            "location": "Arlington",
            "links": "https://example.org/grace",
            "source": "referral",
        },
    )
    assert response.status_code == 302
    candidate = db.session.scalar(select(Candidate).where(Candidate.name == "Grace Hopper"))
    assert candidate.email_normalized == "grace@example.org"
    assert candidate.applications[0].stage.key == "applied"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Grace Hopper added to Staff Security Engineer, SIRT in Applied." in page


def test_add_candidate_errors_keep_everything_typed(client, auth, people, opening) -> None:
    as_(auth, people, "recruiter")
    typed = {
        "name": "Ada Lovelace",
        "email": "not-an-email",
        "phone": "+44 20 7946 0000",
        "location": "London",
        "links": "ftp://old.example\nhttps://ok.example",
        "source": "agency",
    }
    response = client.post(f"/openings/{opening.id}/candidates/new", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in page
    for value in ("Ada Lovelace", "not-an-email", "+44 20 7946 0000", "London"):
        assert f'value="{value}"' in page
    assert "ftp://old.example\nhttps://ok.example</textarea>" in page
    assert '<option selected value="agency">' in page or 'value="agency" selected' in page
    assert db.session.scalar(select(Candidate.id)) is None


def test_duplicate_active_application_is_refused_on_the_email_field(
    client, auth, people, opening, application
) -> None:
    as_(auth, people, "recruiter")
    email = application.candidate.email.upper()
    response = client.post(
        f"/openings/{opening.id}/candidates/new",
        data={"name": "Someone", "email": email, "source": "referral"},
    )
    assert response.status_code == 422
    assert b"already has an active application for this opening" in response.data


def test_user_text_is_escaped(client, auth, people, opening) -> None:
    as_(auth, people, "recruiter")
    client.post(
        f"/openings/{opening.id}/candidates/new",
        data={"name": '<script>alert("x")</script>', "email": "x@x.example", "source": "other"},
    )
    candidate = db.session.scalar(select(Candidate))
    for url in (f"/candidates/{candidate.id}", f"/openings/{opening.id}/board", "/candidates/"):
        page = client.get(url).get_data(as_text=True)
        assert '<script>alert("x")' not in page
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize("page", ["board", "candidate", "openings", "opening", "candidates"])
def test_query_count_does_not_grow_with_the_data(app, client, auth, people, opening, page) -> None:
    """A page's number of queries is part of its contract: the same for 1 or 12 rows."""
    as_(auth, people, "recruiter")
    first = make_application(opening, people["recruiter"])
    urls = {
        "board": f"/openings/{opening.id}/board",
        "candidate": f"/candidates/{first.candidate_id}",
        "openings": "/openings/",
        "opening": f"/openings/{opening.id}",
        "candidates": "/candidates/",
    }
    small = count_page_queries(client, urls[page])
    for _ in range(11):
        make_application(opening, people["recruiter"])
        make_opening(people["hm"], people["recruiter"], title="Another")
    # the candidate gets more applications and history too
    for other in db.session.scalars(select(Opening).where(Opening.id != opening.id)).all()[:3]:
        extra = add_to_opening(
            other,
            CandidateInput(name="x", email=first.candidate.email, source="other"),
            people["recruiter"],
        )
        applications.move(extra, MoveRequest(Move.ADVANCE), people["recruiter"])
    large = count_page_queries(client, urls[page])
    assert large == small
    assert small <= 15  # the candidate page's 3 include its audit entry


def test_known_email_of_someone_elses_candidate_is_refused_not_revealed(
    client, auth, people, application
) -> None:
    """Adding another team's candidate by email must not show what that team entered."""
    other = make_opening(people["other_hm"], people["other_recruiter"], title="Other team")
    as_(auth, people, "other_recruiter")
    response = client.post(
        f"/openings/{other.id}/candidates/new",
        data={"name": "Typed Name", "email": application.candidate.email.upper(), "phone": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "for an opening you do not work on" in page
    assert "Zoë Núñez" not in page
    assert 'value="Typed Name"' in page
    assert (
        db.session.scalar(
            select(func.count()).select_from(Application).where(Application.opening_id == other.id)
        )
        == 0
    )


def test_known_candidate_keeps_stored_details_and_says_so(
    client, auth, people, application
) -> None:
    second = make_opening(people["hm"], people["recruiter"], title="Second opening")
    as_(auth, people, "recruiter")
    response = client.post(
        f"/openings/{second.id}/candidates/new",
        data={"name": "Another Name", "email": application.candidate.email, "source": "other"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "their stored name, source were kept, not what was typed" in page
    db.session.expire_all()
    assert db.session.get(Candidate, application.candidate_id).name == "Zoë Núñez"


@pytest.mark.parametrize(
    ("field", "value_of"),
    [
        ("level_id", lambda: catalog_ids("security-engineer", "principal", "sirt")[1]),
        (
            "specialty_id",
            lambda: catalog_ids("security-engineer", "staff", "application-security")[2],
        ),
    ],
)
def test_requirement_set_is_fixed_once_candidates_exist(
    client, auth, people, opening, application, field, value_of
) -> None:
    as_(auth, people, "hm")
    _role, level_id, specialty_id = catalog_ids()
    data = _opening_form(people, title=opening.title, level_id=level_id, specialty_id=specialty_id)
    data[field] = value_of()
    response = client.post(f"/openings/{opening.id}/edit", data=data)
    assert response.status_code == 422
    assert b"their scorecards were written against its requirement set" in response.data


def test_recruiter_cannot_reassign_the_hiring_manager(client, auth, people, opening) -> None:
    """Only an admin or the current hiring manager hands an opening to someone else."""
    as_(auth, people, "recruiter")
    _role, level_id, specialty_id = catalog_ids()
    data = _opening_form(
        people,
        title=opening.title,
        level_id=level_id,
        specialty_id=specialty_id,
        hiring_manager_id=people["other_hm"].id,
    )
    response = client.post(f"/openings/{opening.id}/edit", data=data)
    assert response.status_code == 422
    assert b"Only an admin or the opening&#39;s hiring manager" in response.data
    db.session.expire_all()
    assert db.session.get(Opening, opening.id).hiring_manager_id == people["hm"].id
    auth.logout()
    as_(auth, people, "hm")
    assert client.post(f"/openings/{opening.id}/edit", data=data).status_code == 302
