"""Sessions through the pages: a new one at sign-in, ended on the server at sign-out, idle
and absolute expiry, cookie flags, and fresh sign-in for sensitive pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.account_support import make_stale, only_session
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import UserSession
from tracker.models.types import utcnow

COOKIE = "session"


def cookie(client) -> str | None:
    found = client.get_cookie(COOKIE)
    return found.value if found else None


def signed_in(client) -> bool:
    return client.get("/openings/").status_code == 200


def test_sign_in_starts_a_new_session(client, auth, people) -> None:
    """Whatever the browser held before (a planted key, a planted session id) is dropped."""
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["sid"] = "a-token-the-attacker-knows"
    before = cookie(client)
    assert before

    auth.login(people["recruiter"].email)

    after = cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"] != "a-token-the-attacker-knows"
    assert signed_in(client)


def test_each_sign_in_gets_its_own_session(client, auth, people) -> None:
    auth.login(people["recruiter"].email)
    first = cookie(client)
    auth.logout()
    auth.login(people["recruiter"].email)
    assert cookie(client) != first


def test_replaying_the_cookie_after_sign_out_is_refused(app, client, auth, people) -> None:
    auth.login(people["recruiter"].email)
    stolen = cookie(client)
    assert signed_in(client)
    auth.logout()

    replay = app.test_client()
    replay.set_cookie(COOKIE, stolen)
    response = replay.get("/openings/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("idle", "alive"),
    [(timedelta(minutes=29), True), (timedelta(minutes=31), False)],
)
def test_idle_sessions_expire_after_30_minutes(client, auth, people, idle, alive) -> None:
    auth.login(people["recruiter"].email)
    record = only_session(people["recruiter"].id)
    record.last_seen_at = utcnow() - idle
    db.session.commit()
    assert signed_in(client) is alive
    if not alive:  # the session is ended for good, not just refused once
        db.session.expire_all()
        assert db.session.get(UserSession, record.id).ended_at is not None


@pytest.mark.parametrize(
    ("age", "alive"),
    [(timedelta(hours=11, minutes=59), True), (timedelta(hours=12, minutes=1), False)],
)
def test_sessions_expire_12_hours_after_sign_in(client, auth, people, age, alive) -> None:
    """However busy: last_seen is recent, only the start is old."""
    auth.login(people["recruiter"].email)
    record = only_session(people["recruiter"].id)
    record.created_at = utcnow() - age
    db.session.commit()
    assert signed_in(client) is alive


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, people) -> None:
    response = auth.login(people["recruiter"].email)
    set_cookie = next(
        v for v in response.headers.getlist("Set-Cookie") if v.startswith(f"{COOKIE}=")
    )
    flags = {part.strip().lower() for part in set_cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_the_cookie_holds_no_user_data_in_clear(client, auth, people) -> None:
    """Only an opaque token names the session; the database keeps its hash, not the token."""
    auth.login(people["recruiter"].email)
    with client.session_transaction() as session:
        token = session["sid"]
    record = only_session(people["recruiter"].id)
    assert record.token_hash != token and len(record.token_hash) == 64


# Fresh sign-in ------------------------------------------------------------------------


def test_a_stale_session_must_confirm_the_password(client, auth, people) -> None:
    """Changing someone's roles needs a sign-in from the last ten minutes."""
    admin, target = people["admin"], people["recruiter"]
    url = f"/admin/people/{target.id}"
    auth.login(admin.email)
    assert client.get(url).status_code == 200  # fresh right after signing in

    make_stale(admin.id)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")
    assert "next=" in response.headers["Location"]

    wrong = client.post(response.headers["Location"], data={"password": "not it at all"})
    assert wrong.status_code == 200 and b"That password is not correct." in wrong.data
    assert client.get(url).status_code == 302  # still stale

    confirmed = client.post(response.headers["Location"], data={"password": PASSWORD})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == url
    assert client.get(url).status_code == 200


def test_a_session_within_ten_minutes_is_still_fresh(client, auth, people) -> None:
    auth.login(people["admin"].email)
    make_stale(people["admin"].id, minutes=9)
    assert client.get(f"/admin/people/{people['recruiter'].id}").status_code == 200


def test_a_stale_session_still_reaches_ordinary_pages(client, auth, people) -> None:
    auth.login(people["admin"].email)
    make_stale(people["admin"].id)
    assert client.get("/admin/people/").status_code == 200
    assert client.get("/openings/").status_code == 200
