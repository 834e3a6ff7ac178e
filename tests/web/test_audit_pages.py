"""The admin's audit trail page and its CSV export through the test client: access,
filters (bad input kept, with a message), pagination, escaping, query count, the fresh
sign-in the export needs, and what the export records."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.factories import make_application, make_interview, make_opening
from tests.queries import count_page_queries
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.models.types import utcnow
from tracker.services import audit

URL = "/admin/audit/"
EXPORT = "/admin/audit/export.csv"


def as_admin(auth, people) -> None:
    auth.login(people["admin"].email)


def shown_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="entry-(\d+)">', page)]


def last_id() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id)))


def field_error(page: str, field: str) -> str:
    match = re.search(
        rf'<div id="{field}-error" class="invalid-feedback d-block">([^<]*)</div>', page
    )
    return match.group(1) if match else ""


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["recruiter", "hm", "interviewer", "other_hm"])
@pytest.mark.parametrize("url", [URL, EXPORT])
def test_only_admins_may_open_the_trail(client, auth, people, who, url) -> None:
    auth.login(people[who].email)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [URL, EXPORT])
def test_signed_out_visitors_are_sent_to_sign_in(client, people, url) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- Browsing -------------------------------------------------------------------------------


def test_newest_first_with_who_what_and_compact_details(client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Zoë Núñez")
    as_admin(auth, people)
    client.post(
        f"/applications/{application.id}/move/advance",
        data={"from_stage": application.stage.key},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    page = client.get(URL).get_data(as_text=True)
    ids = shown_ids(page)
    assert ids == sorted(ids, reverse=True) and len(ids) == 50
    assert ids[0] == last_id() - 1  # the newest but this page's own view
    moved = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "update", AuditEvent.object_type == "applications"
        )
    )
    row = page[page.index(f'<tr id="entry-{moved.id}">') :]
    row = row[: row.index("</tr>")]
    assert "admin@test.example" in row and "198.51.100.7" in row
    assert f"applications #{application.id}" in row and "<code>update</code>" in row
    before, after = json.loads(moved.details)["before"], json.loads(moved.details)["after"]
    assert f"stage_id: {before['stage_id']} → {after['stage_id']}" in row


def test_reading_the_trail_is_recorded(client, auth, people) -> None:
    as_admin(auth, people)
    client.get(URL)
    entry = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (entry.action, entry.object_type, entry.actor_email) == (
        "view",
        "audit_events",
        "admin@test.example",
    )
    assert json.loads(entry.details)["what"] == "audit trail"


def test_details_are_escaped(client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    make_application(opening, people["recruiter"], name='<script>alert("x")</script>')
    as_admin(auth, people)
    page = client.get(URL + "?object_type=candidates").get_data(as_text=True)
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(" in page
    # a created candidate's ten columns: five in the compact view, all in the full entry
    assert "<li>… and 5 more</li>" in page


def test_pages_of_fifty_follow_older_entries_by_id(client, auth, people) -> None:
    as_admin(auth, people)
    first = client.get(URL + "?action=create").get_data(as_text=True)
    newest = shown_ids(first)
    assert len(newest) == 50
    match = re.search(r'href="(/admin/audit/\?[^"]*before=(\d+)[^"]*)">Older entries', first)
    assert match and int(match.group(2)) == newest[-1]
    older_url = match.group(1).replace("&amp;", "&")
    assert "action=create" in older_url  # the filters stay
    second = client.get(older_url).get_data(as_text=True)
    older = shown_ids(second)
    assert older and max(older) < min(newest)
    assert "Newest entries" in second
    created = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "create")
    )
    assert len(older) == min(50, created - 50)


def test_the_page_makes_the_same_number_of_queries_however_long_the_trail(
    client, auth, people
) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    as_admin(auth, people)
    few = count_page_queries(client, URL + "?object_type=openings")  # 1 entry
    for _ in range(30):
        make_application(opening, people["recruiter"])
        make_opening(people["hm"], people["recruiter"], title="Another")
    assert count_page_queries(client, URL + "?object_type=openings") == few
    assert count_page_queries(client, URL) == few
    assert few <= 10


# --- Filters -----------------------------------------------------------------------------------


def test_filter_by_person(client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    auth.login(people["recruiter"].email)
    client.get(f"/candidates/{application.candidate_id}")
    auth.logout()
    as_admin(auth, people)
    page = client.get(URL + f"?person={people['recruiter'].id}").get_data(as_text=True)
    ids = shown_ids(page)
    actors = set(db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.id.in_(ids))))
    assert ids and actors == {people["recruiter"].id}
    system = shown_ids(client.get(URL + "?person=system").get_data(as_text=True))
    assert system and set(
        db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.id.in_(system)))
    ) == {None}


def test_filter_by_object_and_action(client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    as_admin(auth, people)
    query = f"?object_type=candidates&object_id={application.candidate_id}"
    page = client.get(URL + query).get_data(as_text=True)
    entries = db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(shown_ids(page)))).all()
    assert [e.action for e in entries] == ["create"]
    assert (
        client.get(URL + query + "&action=view").get_data(as_text=True).count("No entries match.")
        == 1
    )


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_filter_by_dates_in_the_viewers_zone(client, auth, people, zone) -> None:
    """UTC+14 and UTC-11: at any hour, one of them is on another date than UTC, so reading
    the dates as UTC would fail one of these."""
    people["admin"].timezone = zone
    db.session.commit()
    as_admin(auth, people)
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    assert shown_ids(client.get(URL + f"?date_from={today}&date_to={today}").data.decode())
    assert "No entries match." in client.get(URL + f"?date_from={tomorrow}").data.decode()
    assert "No entries match." in client.get(URL + f"?date_to={yesterday}").data.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date_from=2026-02-31", "date_from", "Enter a date as YYYY-MM-DD."),
        ("date_to=yesterday", "date_to", "Enter a date as YYYY-MM-DD."),
        ("date_from=2026-03-02&date_to=2026-03-01", "date_to", "The end date is before"),
        ("person=99999", "person", "Choose a person from the list."),
        ("object_type=x%27%20OR%201%3D1", "object_type", "Use a name as the trail lists it"),
        ("action=" + "v" * 41, "action", "Field cannot be longer than 40 characters."),
    ],
)
def test_bad_filters_get_a_message_by_the_field_and_keep_the_input(
    client, auth, people, query, field, message
) -> None:
    as_admin(auth, people)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, field).startswith(message)
    assert "Fix the filters above to see entries." in page
    assert shown_ids(page) == []
    typed = dict(part.split("=", 1) for part in query.split("&"))[field]
    if field != "person":  # a select can only show its choices
        from urllib.parse import unquote

        assert f'value="{unquote(typed).replace(chr(39), "&#39;")}"' in page


# --- Independent judgement on the trail --------------------------------------------------------


def test_an_admin_who_owes_feedback_sees_no_scorecard_content(client, auth, people) -> None:
    from tests.review_helpers import write_scorecard

    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    peer = make_interview(application, [people["interviewer"]], stage_key="peer")
    write_scorecard(peer, people["interviewer"], {}, "no", "MARKER-takeaway-9xQ")
    as_admin(auth, people)
    assert "MARKER-takeaway-9xQ" in client.get(URL).get_data(as_text=True)
    make_interview(application, [people["admin"]], stage_key="peer")  # now she interviews
    page = client.get(URL).get_data(as_text=True)
    assert "MARKER-takeaway-9xQ" not in page
    assert "Scorecard content hidden" in page
    csv_text = client.get(EXPORT).get_data(as_text=True)
    assert "MARKER-takeaway-9xQ" not in csv_text and "Scorecard content hidden" in csv_text


# --- The export ---------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_export_is_the_filtered_trail_as_csv_and_is_recorded(client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    make_application(opening, people["recruiter"])
    as_admin(auth, people)
    response = client.get(EXPORT + "?object_type=candidates")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = rows_of(response)
    assert header[:6] == ["id", "at", "actor_id", "actor_email", "ip", "action"]
    assert rows and {r[header.index("object_type")] for r in rows} == {"candidates"}
    ids = [int(r[0]) for r in rows]
    assert ids == sorted(ids, reverse=True)
    exported = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.export")
    ).all()
    assert len(exported) == 1 and exported[0].actor_email == "admin@test.example"
    assert json.loads(exported[0].details) == {"filters": {"object_type": "candidates"}}


def test_export_walks_the_whole_trail_in_batches(client, auth, people, monkeypatch) -> None:
    original = audit.each_entry
    monkeypatch.setattr(audit, "each_entry", lambda where: original(where, batch_size=7))
    as_admin(auth, people)
    total = db.session.scalar(select(func.count(AuditEvent.id)))
    _header, *rows = rows_of(client.get(EXPORT))
    assert len(rows) == total + 1  # and the export's own entry, written first


def test_export_cells_cannot_start_a_formula(client, auth, people) -> None:
    audit.record('=HYPERLINK("http://evil.example")', "@SUM(1)", "-2+3")
    db.session.commit()
    as_admin(auth, people)
    rows = rows_of(client.get(EXPORT))[1:]
    [row] = [r for r in rows if "HYPERLINK" in r[5]]
    assert row[5] == '\'=HYPERLINK("http://evil.example")'
    assert row[6] == "'@SUM(1)" and row[7] == "'-2+3"
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_export_needs_a_fresh_sign_in(app, client, auth, people) -> None:
    as_admin(auth, people)
    app.config["FRESH_LOGIN_TIMEOUT"] = timedelta(0)  # the sign-in is no longer fresh
    response = client.get(EXPORT + "?action=create")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")
    assert not db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "audit.export")
    )
    assert client.get(URL).status_code == 200  # browsing does not need it


def test_export_with_bad_filters_goes_back_to_the_form(client, auth, people) -> None:
    as_admin(auth, people)
    response = client.get(EXPORT + "?date_from=never")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/audit/?date_from=never"
    assert not db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "audit.export")
    )
