"""The people admin: who may use it, adding people, roles and the active flag, locks and
reset links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.account_support import (
    actions,
    field_error,
    make_stale,
    reloaded,
    signed_in_browser,
    spy_audit,
)
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import PasswordReset, User
from tracker.models.types import utcnow

NEW_PASSWORD = "a brand new passphrase"


def roles_of(user: User) -> set[str]:
    return {str(r) for r in reloaded(user).role_names}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def as_admin(auth, people):
    auth.login(people["admin"].email)
    return people["admin"]


def still_signed_in(browser) -> bool:
    return browser.get("/account/").status_code == 200


def link_from(page: str) -> str:
    match = re.search(r'value="http://localhost(/reset/[A-Za-z0-9_-]{43})"', page)
    assert match, "no reset link on the page"
    return match.group(1)


# Who may use the area -----------------------------------------------------------------

AREA = [
    ("GET", "/admin/people/"),
    ("GET", "/admin/people/new"),
    ("POST", "/admin/people/new"),
    ("GET", "/admin/people/{id}"),
    ("POST", "/admin/people/{id}"),
    ("GET", "/admin/people/{id}/reset-link"),
    ("POST", "/admin/people/{id}/reset-link"),
    ("POST", "/admin/people/{id}/unlock"),
]


@pytest.mark.parametrize("who", ["recruiter", "hm", "other_hm", "interviewer"])
def test_people_area_is_for_admins_only(client, auth, people, who) -> None:
    """403 for any other role, on every page and action; nothing changes."""
    auth.login(people[who].email)
    target = people["other_recruiter"]
    for method, url in AREA:
        response = client.open(
            url.format(id=target.id),
            method=method,
            data={"roles": ["admin"], "active": "y", "name": "X", "email": "x@test.example"},
        )
        assert response.status_code == 403, (method, url)
    assert roles_of(target) == {"recruiter"}
    assert user_count() == len(people)
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 0


def test_people_area_needs_sign_in(client, people) -> None:
    for method, url in AREA:
        response = client.open(url.format(id=people["recruiter"].id), method=method)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("method", "url"), [a for a in AREA if "{id}" in a[1]])
def test_an_unknown_person_is_404(client, as_admin, method, url) -> None:
    assert client.open(url.format(id=9999), method=method).status_code == 404


# The list -----------------------------------------------------------------------------


def test_list_shows_roles_second_factor_and_locks(client, as_admin, people) -> None:
    locked = people["recruiter"]
    locked.locked_until = utcnow() + timedelta(minutes=10)
    people["interviewer"].totp_secret = "JBSWY3DPEHPK3PXP"
    people["other_hm"].active = False
    db.session.commit()
    page = client.get("/admin/people/").get_data(as_text=True)
    for person in people.values():
        assert person.email in page
    row = lambda p: page[page.index(p.email) : page.index("</tr>", page.index(p.email))]  # noqa: E731
    assert "Locked until" in row(locked) and "Unlock" in row(locked)
    assert "Unlock" not in row(people["hm"])
    assert "Hiring manager" in row(people["hm"]) and "Interviewer" in row(people["hm"])
    assert ">On<" in row(people["interviewer"]) and ">Off<" in row(people["hm"])
    assert "Inactive" in row(people["other_hm"])


# Adding people ------------------------------------------------------------------------


def test_admin_adds_a_person_with_a_password(client, auth, as_admin, monkeypatch) -> None:
    calls = spy_audit(monkeypatch)
    response = client.post(
        "/admin/people/new",
        data={
            "name": "Nia New",
            "email": "Nia@Test.example",
            "roles": ["recruiter", "interviewer"],
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    nia = db.session.scalar(select(User).where(User.email == "nia@test.example"))
    assert {str(r) for r in nia.role_names} == {"recruiter", "interviewer"}
    assert nia.password_hash.startswith("$argon2id$")
    assert actions(calls) == ["user.create"]
    assert calls[0].details["after"]["roles"] == ["interviewer", "recruiter"]
    auth.logout()
    assert auth.login("nia@test.example", NEW_PASSWORD).status_code == 302


def test_admin_adds_a_person_without_a_password_and_gets_a_link(
    app, client, as_admin, monkeypatch
) -> None:
    calls = spy_audit(monkeypatch)
    response = client.post(
        "/admin/people/new",
        data={"name": "Nia New", "email": "nia@test.example", "roles": ["interviewer"]},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "shown only now" in page
    link = link_from(page)
    assert actions(calls) == ["user.create", "password.reset_issued"]

    # No password until the link sets one.
    anyone = app.test_client()
    for guess in ("", "None", "none"):
        anyone.post("/login", data={"email": "nia@test.example", "password": guess})
        assert anyone.get("/openings/").status_code == 302
    assert anyone.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    signed = anyone.post("/login", data={"email": "nia@test.example", "password": NEW_PASSWORD})
    assert signed.status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": "short"}, "password", "Use between 12 and 128 characters."),
        ({"password": "LeaveMeAlone"}, "password", "most common"),
        ({"password": "nia@test.example"}, "password", "your email address or your name"),
        ({"roles": []}, "roles", "at least one role"),
        ({"roles": ["superuser"]}, "roles", "not a valid choice"),
        ({"email": "rec@test.example"}, "email", "already exists"),
        ({"email": "not an email"}, "email", "email address"),
    ],
)
def test_adding_a_person_explains_what_is_wrong(
    client, as_admin, people, data, field, message
) -> None:
    base = {"name": "Nia New", "email": "nia@test.example", "roles": ["interviewer"]}
    response = client.post("/admin/people/new", data={**base, **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_error(page, field), page[page.find("<form") :][:1500]
    assert 'value="Nia New"' in page  # what was typed stays
    assert user_count() == len(people)


# Roles and the active flag ------------------------------------------------------------


def test_admin_changes_roles_and_the_person_is_signed_out(
    app, client, as_admin, people, monkeypatch
) -> None:
    target = people["recruiter"]
    browser = signed_in_browser(app, target.email)
    assert still_signed_in(browser)
    calls = spy_audit(monkeypatch)

    response = client.post(
        f"/admin/people/{target.id}",
        data={"roles": ["hiring_manager", "interviewer"], "active": "y"},
    )
    assert response.status_code == 302
    assert roles_of(target) == {"hiring_manager", "interviewer"}
    assert not still_signed_in(browser)
    assert actions(calls) == ["user.roles"]
    assert calls[0].object_id == target.id and calls[0].actor_id == as_admin.id
    assert calls[0].details == {
        "before": ["recruiter"],
        "after": ["hiring_manager", "interviewer"],
    }


def test_saving_without_a_change_leaves_the_person_signed_in(app, client, as_admin, people) -> None:
    target = people["recruiter"]
    browser = signed_in_browser(app, target.email)
    client.post(f"/admin/people/{target.id}", data={"roles": ["recruiter"], "active": "y"})
    assert still_signed_in(browser)


def test_roles_come_only_from_the_fixed_checkboxes(client, as_admin, people) -> None:
    """A role outside the fixed set is refused by the form, and nothing changes."""
    target = people["recruiter"]
    for roles in (["superuser"], ["recruiter", "root"], ["ADMIN"], ["admin "]):
        response = client.post(f"/admin/people/{target.id}", data={"roles": roles, "active": "y"})
        assert response.status_code == 422, roles
        assert "not a valid choice" in response.get_data(as_text=True)
    assert roles_of(target) == {"recruiter"}


def test_other_fields_in_the_request_are_ignored(client, as_admin, people) -> None:
    """Mass assignment: only roles and the active flag are read from the edit form."""
    target = people["recruiter"]
    client.post(
        f"/admin/people/{target.id}",
        data={
            "roles": ["recruiter"],
            "active": "y",
            "email": "hijack@evil.example",
            "password_hash": "x",
            "totp_secret": "",
            "failed_logins": "0",
        },
    )
    user = reloaded(target)
    assert user.email == "rec@test.example"
    assert user.password_hash.startswith("$argon2id$")


def test_admin_deactivates_someone(app, client, as_admin, people, monkeypatch) -> None:
    target = people["recruiter"]
    browser = signed_in_browser(app, target.email)
    calls = spy_audit(monkeypatch)
    client.post(f"/admin/people/{target.id}", data={"roles": ["recruiter"]})  # box unticked
    assert reloaded(target).active is False
    assert not still_signed_in(browser)
    assert actions(calls) == ["user.active"]
    again = app.test_client()
    again.post("/login", data={"email": target.email, "password": PASSWORD})
    assert again.get("/openings/").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"roles": ["recruiter"], "active": "y"}, "roles", "cannot remove your own admin role"),
        ({"roles": ["admin"]}, "active", "cannot deactivate your own account"),
    ],
)
def test_an_admin_cannot_lock_themselves_out(client, as_admin, data, field, message) -> None:
    response = client.post(f"/admin/people/{as_admin.id}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_error(page, field)
    assert roles_of(as_admin) == {"admin"} and reloaded(as_admin).active


def test_an_admin_changing_their_own_roles_stays_signed_in(client, as_admin) -> None:
    response = client.post(
        f"/admin/people/{as_admin.id}", data={"roles": ["admin", "recruiter"], "active": "y"}
    )
    assert response.status_code == 302
    assert roles_of(as_admin) == {"admin", "recruiter"}
    assert client.get("/admin/people/").status_code == 200


def test_changing_roles_needs_a_fresh_sign_in(client, as_admin, people) -> None:
    make_stale(as_admin.id)
    target = people["recruiter"]
    response = client.post(f"/admin/people/{target.id}", data={"roles": ["admin"], "active": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")
    assert roles_of(target) == {"recruiter"}
    added = client.post(
        "/admin/people/new",
        data={"name": "N", "email": "n@test.example", "roles": ["admin"], "password": NEW_PASSWORD},
    )
    assert added.status_code == 302 and added.headers["Location"].startswith("/reauthenticate")
    assert user_count() == len(people)


# Locks and reset links ----------------------------------------------------------------


def test_admin_unlocks_a_locked_account(client, auth, as_admin, people, monkeypatch) -> None:
    target = people["recruiter"]
    target.locked_until = utcnow() + timedelta(minutes=10)
    target.failed_logins = 0
    db.session.commit()
    calls = spy_audit(monkeypatch)
    assert client.post(f"/admin/people/{target.id}/unlock").status_code == 302
    assert reloaded(target).locked_until is None
    assert actions(calls) == ["user.unlock"]
    auth.logout()
    assert auth.login(target.email).status_code == 302


def test_unlock_is_a_post(client, as_admin, people) -> None:
    assert client.get(f"/admin/people/{people['recruiter'].id}/unlock").status_code == 405


def test_admin_issues_a_reset_link_shown_once(client, as_admin, people) -> None:
    target = people["recruiter"]
    confirm = client.get(f"/admin/people/{target.id}/reset-link")
    assert confirm.status_code == 200
    assert b"/reset/" not in confirm.data  # nothing issued by looking
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 0

    response = client.post(f"/admin/people/{target.id}/reset-link")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    link = link_from(response.get_data(as_text=True))
    token = link.rsplit("/", 1)[1]
    reset = db.session.scalar(select(PasswordReset))
    assert reset.user_id == target.id and reset.created_by_id == as_admin.id
    assert token not in reset.token_hash  # only the hash is stored
    assert timedelta(hours=23) < reset.expires_at - utcnow() <= timedelta(hours=24)
    # Not shown again anywhere in the area.
    for url in ("/admin/people/", f"/admin/people/{target.id}"):
        assert token not in client.get(url).get_data(as_text=True)


def test_issuing_a_reset_link_needs_a_fresh_sign_in(client, as_admin, people) -> None:
    make_stale(as_admin.id)
    response = client.post(f"/admin/people/{people['recruiter'].id}/reset-link")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 0


def test_no_reset_link_for_an_inactive_account(client, as_admin, people) -> None:
    target = people["recruiter"]
    target.active = False
    db.session.commit()
    response = client.post(f"/admin/people/{target.id}/reset-link")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 0
