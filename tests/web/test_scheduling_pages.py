"""Scheduling pages through the test client: forms, errors that keep input, access, .ics."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from tests.factories import (
    make_application,
    make_interview,
    make_opening,
    make_user,
    move_to_stage,
)
from tests.queries import count_page_queries
from tracker.extensions import db
from tracker.models import Application, Interview, InterviewChange, PlanInterview, PlanStage
from tracker.services import scheduling


@pytest.fixture
def application(people) -> Application:
    people["recruiter"].timezone = "Europe/Berlin"
    db.session.commit()
    opening = make_opening(people["hm"], people["recruiter"])
    return move_to_stage(make_application(opening, people["recruiter"], name="Zoë Núñez"), "peer")


def pid(application: Application, name: str) -> int:
    return db.session.scalar(
        select(PlanInterview.id)
        .join(PlanStage)
        .where(PlanStage.opening_id == application.opening_id, PlanInterview.name == name)
    )


def slot_data(prefix: str, people, **overrides) -> dict:
    data = {
        f"{prefix}-starts_at": "2026-03-02T15:00",
        f"{prefix}-timezone": "Europe/Berlin",
        f"{prefix}-duration_minutes": "45",
        f"{prefix}-video_url": "https://meet.example/abc",
        f"{prefix}-interviewer_ids": [people["interviewer"].id],
    }
    data.update({f"{prefix}-{k}": v for k, v in overrides.items()})
    return data


def schedule(client, application, people, name="Peer interview 1", **overrides):
    p = pid(application, name)
    return client.post(
        f"/applications/{application.id}/interviews/{p}/schedule",
        data=slot_data(f"s{p}", people, **overrides),
    )


def only_interview(application: Application) -> Interview:
    db.session.expire_all()
    return db.session.scalars(
        select(Interview).where(Interview.application_id == application.id)
    ).one()


def interview_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Interview))


def test_page_offers_a_schedule_form_per_interview_of_the_stage(client, auth, people, application):
    auth.login(people["recruiter"].email)
    page = client.get(f"/applications/{application.id}/interviews").get_data(as_text=True)
    assert "Interviews of Zoë Núñez" in page and "current stage <strong>Peer interviews" in page
    for name in ("Peer interview 1", "Peer interview 2"):
        p = pid(application, name)
        assert f"Schedule {name}" in page
        assert 'type="datetime-local"' in page and f'id="s{p}-starts_at"' in page
        # the viewer's zone is the default, and the plan's 45 minutes
        assert re.search(rf'<select[^>]*id="s{p}-timezone"', page)
        assert '<option selected value="Europe/Berlin">' in page
        assert re.search(rf'id="s{p}-duration_minutes" max="480" min="5"[^>]*value="45"', page)
    assert "Ivy Interviewer" in page and "Hal Manager" in page
    assert "Rex Recruiter</label>" not in page  # no interviewer role
    assert "Hiring manager interview" not in page  # another stage


def test_schedule_converts_the_chosen_zone_to_utc(client, auth, people, application):
    auth.login(people["recruiter"].email)
    response = schedule(client, application, people, timezone="America/New_York")
    assert response.status_code == 302
    p = pid(application, "Peer interview 1")
    assert response.headers["Location"].endswith(
        f"/applications/{application.id}/interviews#slot-{p}"
    )
    interview = only_interview(application)
    assert interview.starts_at == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Peer interview 1 scheduled for 2026-03-02 21:00 CET." in page  # viewer in Berlin
    assert "2026-03-02 21:00 CET to 21:45" in page
    assert f'href="/interviews/{interview.id}/invite.ics"' in page
    assert 'href="https://meet.example/abc" rel="noopener noreferrer nofollow"' in page
    assert "Reschedule Peer interview 1" in page and "Cancel Peer interview 1" in page
    assert "Schedule Peer interview 1" not in page and "Schedule Peer interview 2" in page


def test_http_link_is_refused_with_input_kept(client, auth, people, application):
    auth.login(people["recruiter"].email)
    p = pid(application, "Peer interview 1")
    response = schedule(
        client,
        application,
        people,
        video_url="http://meet.example/abc",
        timezone="Asia/Tokyo",
        duration_minutes="50",
        interviewer_ids=[people["hm"].id],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        rf'id="s{p}-video_url-error"[^>]*>Plain http:// links are refused; use the https://', page
    )
    assert 'value="http://meet.example/abc"' in page
    assert 'value="2026-03-02T15:00"' in page
    assert '<option selected value="Asia/Tokyo">' in page
    assert re.search(rf'id="s{p}-duration_minutes"[^>]*value="50"', page)
    assert re.search(
        rf'id="s{p}-interviewer_ids-{people["hm"].id}" value="{people["hm"].id}" checked', page
    )
    assert not re.search(
        rf'id="s{p}-interviewer_ids-{people["interviewer"].id}" value="\d+" checked', page
    )
    assert interview_count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"video_url": "javascript:alert(1)"},
            "video_url",
            "Use a secure video link starting with https://",
        ),
        ({"duration_minutes": "500"}, "duration_minutes", "between 5 and 480 minutes"),
        ({"interviewer_ids": []}, "interviewer_ids", "Choose at least one interviewer."),
        ({"starts_at": ""}, "starts_at", "Choose the date and time."),
        ({"starts_at": "2026-03-29T02:30"}, "starts_at", "does not exist in Europe/Berlin"),
        ({"timezone": "Mars/Base"}, "timezone", "Not a valid choice"),
    ],
)
def test_schedule_errors_sit_beside_their_field(
    client, auth, people, application, overrides, field, message
):
    auth.login(people["recruiter"].email)
    p = pid(application, "Peer interview 1")
    response = schedule(client, application, people, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'id="s{p}-{field}-error"[^>]*>([^<]*)<', page)
    assert error and message in error.group(1), page[:0]
    assert interview_count() == 0


def test_peer_interviews_need_different_people(client, auth, people, application):
    auth.login(people["recruiter"].email)
    assert schedule(client, application, people).status_code == 302
    response = schedule(client, application, people, name="Peer interview 2")
    assert response.status_code == 422
    assert (
        b"Ivy Interviewer already conducts Peer interview 1; the peer interviews need "
        b"different interviewers" in response.data
    )
    assert interview_count() == 1


def test_reschedule_and_cancel_through_the_page(client, auth, people, application):
    auth.login(people["recruiter"].email)
    schedule(client, application, people)
    interview = only_interview(application)
    r = f"r{interview.id}"
    # the form shows the interview as it stands, in the viewer's zone
    page = client.get(f"/applications/{application.id}/interviews").get_data(as_text=True)
    assert re.search(
        rf'id="{r}-starts_at"[^>]*type="datetime-local" value="2026-03-02T15:00"', page
    )

    no_reason = slot_data(r, people, starts_at="2026-03-03T10:00")
    response = client.post(f"/interviews/{interview.id}/reschedule", data=no_reason)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="{r}-reason-error"[^>]*>Give a reason for rescheduling', page)
    assert 'value="2026-03-03T10:00"' in page
    assert re.search(r"<details[^>]*open>\s*<summary[^>]*>Reschedule Peer interview 1", page)

    data = {**no_reason, f"{r}-reason": "Candidate is travelling"}
    response = client.post(f"/interviews/{interview.id}/reschedule", data=data)
    assert response.status_code == 302
    assert only_interview(application).starts_at == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "rescheduled to 2026-03-03 10:00 CET" in page
    assert "Rescheduled" in page and "Candidate is travelling" in page
    assert "2026-03-02 15:00 CET → 2026-03-03 10:00 CET" in page

    c = f"c{interview.id}"
    response = client.post(f"/interviews/{interview.id}/cancel", data={f"{c}-reason": " "})
    assert response.status_code == 422
    assert b"Give a reason for cancelling" in response.data
    response = client.post(
        f"/interviews/{interview.id}/cancel", data={f"{c}-reason": "Role put on hold"}
    )
    assert response.status_code == 302
    assert only_interview(application).status == "cancelled"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Peer interview 1 cancelled." in page
    assert "Schedule Peer interview 1" in page  # a new one may be booked
    assert "Role put on hold" in page
    kinds = db.session.scalars(select(InterviewChange.kind).order_by(InterviewChange.id)).all()
    assert kinds == ["scheduled", "rescheduled", "cancelled"]

    # a second cancel of the same interview: the form is gone, so the error shows on top
    response = client.post(f"/interviews/{interview.id}/cancel", data={f"{c}-reason": "again"})
    assert response.status_code == 422
    assert b"This interview is already cancelled." in response.data


def test_closed_application_offers_no_forms(client, auth, people, application):
    application.status = "withdrawn"
    db.session.commit()
    auth.login(people["recruiter"].email)
    page = client.get(f"/applications/{application.id}/interviews").get_data(as_text=True)
    assert "nothing more can be scheduled" in page
    assert "Schedule Peer interview 1" not in page
    response = schedule(client, application, people)
    assert response.status_code == 422
    assert b"This application is closed" in response.data


@pytest.mark.parametrize("who", ["other_hm", "other_recruiter", "interviewer"])
def test_other_people_get_404(client, auth, people, application, who):
    interview = make_interview(application, [people["hm"]])
    auth.login(people[who].email)
    assert client.get(f"/applications/{application.id}/interviews").status_code == 404
    assert schedule(client, application, people, name="Peer interview 2").status_code == 404
    for action in ("reschedule", "cancel"):
        assert client.post(f"/interviews/{interview.id}/{action}").status_code == 404
    assert client.get(f"/interviews/{interview.id}/invite.ics").status_code == 404
    assert interview_count() == 1


def test_assigned_interviewer_gets_the_invite_but_may_not_change_it(
    client, auth, people, application
):
    interview = make_interview(application, [people["interviewer"]])
    auth.login(people["interviewer"].email)
    assert client.get(f"/interviews/{interview.id}/invite.ics").status_code == 200
    c = f"c{interview.id}"
    response = client.post(f"/interviews/{interview.id}/cancel", data={f"{c}-reason": "x"})
    assert response.status_code == 403
    assert client.post(f"/interviews/{interview.id}/reschedule").status_code == 403
    assert only_interview(application).status == "scheduled"


def test_unknown_ids_are_404(client, auth, people, application):
    auth.login(people["admin"].email)
    assert client.get("/applications/999999/interviews").status_code == 404
    assert client.get("/interviews/999999/invite.ics").status_code == 404
    assert client.post("/interviews/999999/cancel").status_code == 404
    response = client.post(f"/applications/{application.id}/interviews/999999/schedule")
    assert response.status_code == 404
    other = make_opening(people["hm"], people["recruiter"], title="Other")
    foreign = db.session.scalar(
        select(PlanInterview.id).join(PlanStage).where(PlanStage.opening_id == other.id)
    )
    response = client.post(f"/applications/{application.id}/interviews/{foreign}/schedule")
    assert response.status_code == 404


def event_of(response) -> tuple[Calendar, object]:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Disposition"].endswith('.ics"')
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_ics_invite_content(client, auth, people, application):
    auth.login(people["recruiter"].email)
    schedule(
        client,
        application,
        people,
        interviewer_ids=[people["interviewer"].id, people["hm"].id],
        name="Peer interview 2",
    )
    interview = only_interview(application)
    calendar, event = event_of(client.get(f"/interviews/{interview.id}/invite.ics"))
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == f"interview-{interview.id}@hiring-tracker"
    assert event.decoded("dtstart") == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 3, 2, 14, 45, tzinfo=UTC)
    assert event["dtstart"].to_ical() == b"20260302T140000Z"
    assert str(event["summary"]) == "Interview: Peer interview 2 with Zoë Núñez"
    assert str(event["location"]) == "https://meet.example/abc"
    assert str(event["url"]) == "https://meet.example/abc"
    assert "Staff Security Engineer, SIRT" in str(event["description"])
    attendees = event["attendee"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert sorted(str(a) for a in attendees) == [
        "mailto:hm@test.example",
        "mailto:int@test.example",
    ]
    assert str(event["organizer"]) == "mailto:rec@test.example"
    assert int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED"

    # the interviewer downloads the same invite; rescheduling bumps its SEQUENCE, UID stays
    auth.logout()
    auth.login(people["interviewer"].email)
    _, again = event_of(client.get(f"/interviews/{interview.id}/invite.ics"))
    assert again["uid"] == event["uid"]
    scheduling.reschedule(
        interview,
        interview.starts_at + timedelta(days=1),
        None,
        interview.video_url,
        interview.interviewer_ids,
        "moved",
        people["recruiter"],
    )
    _, moved = event_of(client.get(f"/interviews/{interview.id}/invite.ics"))
    assert int(moved["sequence"]) == 1 and moved["uid"] == event["uid"]
    assert moved.decoded("dtstart") == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    scheduling.cancel(db.session.get(Interview, interview.id), "on hold", people["recruiter"])
    calendar, cancelled = event_of(client.get(f"/interviews/{interview.id}/invite.ics"))
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(calendar["method"]) == "CANCEL"
    assert int(cancelled["sequence"]) == 2


def test_candidate_page_lists_interviews_and_links_to_scheduling(client, auth, people, application):
    make_interview(application, [people["interviewer"]], "Peer interview 2")
    auth.login(people["recruiter"].email)
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "<td>Peer interviews</td>" in page and "<td>Peer interview 2</td>" in page
    assert "<td>Ivy Interviewer</td>" in page
    assert f'href="/applications/{application.id}/interviews">Schedule interviews</a>' in page
    application.status = "rejected"
    application.rejection_reason = "other"
    db.session.commit()
    page = client.get(f"/candidates/{application.candidate_id}").get_data(as_text=True)
    assert "<td>Peer interview 2</td>" in page
    assert "Schedule interviews" not in page


def test_candidate_page_query_count_is_flat_with_interviews(app, client, auth, people, application):

    make_interview(application, [people["interviewer"]])
    auth.login(people["recruiter"].email)
    url = f"/candidates/{application.candidate_id}"
    small = count_page_queries(client, url)
    for n in range(3):
        opening = make_opening(people["hm"], people["recruiter"], title=f"Another {n}")
        other = make_application(opening, people["recruiter"], email=application.candidate.email)
        move_to_stage(other, "peer")
        make_interview(other, [people["interviewer"]], "Peer interview 1")
        make_interview(
            other,
            [people["hm"], make_user(f"i{n}@test.example", f"I {n}", ["interviewer"])],
            "Peer interview 2",
        )
    assert count_page_queries(client, url) == small


def test_scheduling_page_query_count_is_flat(app, client, auth, people, application):

    auth.login(people["recruiter"].email)
    url = f"/applications/{application.id}/interviews"
    make_interview(application, [people["interviewer"]])
    small = count_page_queries(client, url)
    interview = only_interview(application)
    for n in range(3):
        scheduling.cancel(interview, "again", people["recruiter"])
        interview = make_interview(application, [people["interviewer"], people["hm"]])
        scheduling.reschedule(
            interview,
            interview.starts_at + timedelta(hours=1),
            None,
            "",
            [people["interviewer"].id],
            f"move {n}",
            people["recruiter"],
        )
    make_interview(application, [people["hm"]], stage_key="hiring_manager")
    assert count_page_queries(client, url) == small


# --- Values outside the form's choices, and dates out of range ---------------------------


def field_error(page: str, prefix: str, field: str) -> str:
    error = re.search(rf'id="{prefix}-{field}-error"[^>]*>([^<]*)<', page)
    assert error, f"no error shown for {prefix}-{field}"
    return error.group(1).strip()


def reschedule(client, interview, people, **overrides):
    r = f"r{interview.id}"
    data = slot_data(r, people, reason="Moved", **overrides)
    return client.post(f"/interviews/{interview.id}/reschedule", data=data)


UNOFFERED = ["9999999999999999999999999", str(2**63), str(2**31), "999999", "recruiter"]


@pytest.mark.parametrize("unoffered", UNOFFERED)
def test_schedule_refuses_interviewers_that_are_not_offered(
    client, auth, people, application, unoffered
):
    """A huge id, an unknown one, or someone not in the list: a field error, never a 500."""
    auth.login(people["recruiter"].email)
    value = str(people["recruiter"].id) if unoffered == "recruiter" else unoffered
    response = schedule(
        client, application, people, interviewer_ids=[str(people["interviewer"].id), value]
    )
    assert response.status_code == 422
    p = pid(application, "Peer interview 1")
    message = field_error(response.get_data(as_text=True), f"s{p}", "interviewer_ids")
    assert message == "Choose interviewers from the list."
    assert interview_count() == 0


@pytest.mark.parametrize("unoffered", [*UNOFFERED, "Ivy"])
def test_reschedule_refuses_interviewers_that_are_not_offered(
    client, auth, people, application, unoffered
):
    interview = make_interview(application, [people["interviewer"]])
    auth.login(people["recruiter"].email)
    value = str(people["recruiter"].id) if unoffered == "recruiter" else unoffered
    response = reschedule(client, interview, people, interviewer_ids=[value])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, f"r{interview.id}", "interviewer_ids")
    assert only_interview(application).interviewer_ids == [people["interviewer"].id]


@pytest.mark.parametrize("zone", ["Mars/Base", " ", "", "../../etc/passwd", "utc "])
@pytest.mark.parametrize("action", ["schedule", "reschedule"])
def test_a_time_zone_outside_the_list_is_a_field_error(
    client, auth, people, application, zone, action
):
    auth.login(people["recruiter"].email)
    if action == "schedule":
        prefix = f"s{pid(application, 'Peer interview 1')}"
        response = schedule(client, application, people, timezone=zone)
    else:
        interview = make_interview(application, [people["interviewer"]])
        prefix = f"r{interview.id}"
        response = reschedule(client, interview, people, timezone=zone)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), prefix, "timezone")
    assert [i.status for i in db.session.scalars(select(Interview))] == (
        [] if action == "schedule" else ["scheduled"]
    )


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("0001-01-01T00:00", "Asia/Tokyo"),  # before year 1 in UTC
        ("9999-12-31T23:59", "America/Los_Angeles"),  # after year 9999 in UTC
        ("9999-12-31T23:50", "UTC"),  # its end would be after year 9999
        ("1999-12-31T23:59", "UTC"),
    ],
)
def test_a_start_out_of_range_is_refused_beside_the_field_with_input_kept(
    client, auth, people, application, typed, zone
):
    auth.login(people["recruiter"].email)
    p = pid(application, "Peer interview 1")
    response = schedule(client, application, people, starts_at=typed, timezone=zone)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, f"s{p}", "starts_at").startswith(
        "Choose a start between 2000-01-01 and "
    )
    assert re.search(rf'id="s{p}-starts_at"[^>]*value="{typed}"', page)
    assert f'<option selected value="{zone}">' in page
    assert interview_count() == 0


def test_a_reschedule_to_the_end_of_time_is_refused_and_every_page_still_works(
    client, auth, people, application
):
    """Accepted, its end would overflow and the kit, invite and lists would fail for good."""
    auth.login(people["recruiter"].email)
    assert schedule(client, application, people).status_code == 302
    interview = only_interview(application)
    r = f"r{interview.id}"
    response = reschedule(
        client, interview, people, starts_at="9999-12-31T23:50", timezone="UTC", duration_minutes=30
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a start between 2000-01-01 and " in field_error(page, r, "starts_at")
    assert re.search(rf'id="{r}-starts_at"[^>]*value="9999-12-31T23:50"', page)
    assert re.search(rf'id="{r}-duration_minutes"[^>]*value="30"', page)
    stored = only_interview(application)
    assert stored.starts_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert [c.kind for c in stored.changes] == ["scheduled"]
    for url in (
        f"/applications/{application.id}/interviews",
        f"/interviews/{interview.id}",
        f"/interviews/{interview.id}/invite.ics",
    ):
        assert client.get(url).status_code == 200, url
    auth.logout()
    auth.login(people["interviewer"].email)
    assert client.get("/my/interviews").status_code == 200
