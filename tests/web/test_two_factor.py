"""The second factor through the pages: enrolment, sign-in with a code, recovery codes,
replays, the five-minute second step, and TOTP mandatory for admins."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pyotp
import pytest
import segno
from sqlalchemy import select

from tests.conftest import RequestClient
from tests.factories import PASSWORD, enrol_totp, make_user
from tracker import create_app
from tracker.extensions import db, limiter
from tracker.models import User
from tracker.models.types import utcnow
from tracker.services import two_factor
from tracker.two_factor.views import CODE_FAILED, MUST_ENROL

HOME = "/account/two-factor/"
START = "/account/two-factor/start"
ENROL = "/account/two-factor/enrol"
QR = "/account/two-factor/qr.svg"
REGENERATE = "/account/two-factor/recovery-codes"
DISABLE = "/account/two-factor/disable"
CODE_PAGE = "/login/code"
PROTECTED = "/account/two-factor/"
CODE_SHAPE = re.compile(rb"<li>([a-z2-7]{5}-[a-z2-7]{5})</li>")


def reloaded(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def unused_code(email: str) -> str:
    """A code the app accepts now: the step after the last one used (within the window)."""
    user = reloaded(email)
    totp = pyotp.TOTP(user.totp_secret)
    if user.totp_last_counter is None:
        return totp.now()
    return totp.generate_otp(user.totp_last_counter + 1)


def password_step(client, email: str, next_url: str | None = None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": PASSWORD})


def signed_in(client) -> bool:
    response = client.get(PROTECTED)
    return response.status_code == 200


def enrol_through_pages(client, email: str) -> tuple[str, list[str]]:
    """Start, read the key off the page, confirm with the app's code: (secret, codes)."""
    assert client.post(START).headers["Location"] == ENROL
    page = client.get(ENROL)
    secret = re.search(rb'id="totp-secret">([A-Z2-7 ]+)</code>', page.data).group(1)
    secret = secret.decode().replace(" ", "")
    assert secret == reloaded(email).totp_pending_secret
    response = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    return secret, [c.decode() for c in CODE_SHAPE.findall(response.data)]


@pytest.fixture
def enrolled(client, auth, people) -> tuple[str, str, list[str]]:
    """The recruiter, signed in, has turned TOTP on: (email, secret, recovery codes)."""
    email = people["recruiter"].email
    auth.login(email)
    return email, *enrol_through_pages(client, email)


# Enrolment -----------------------------------------------------------------------------


def test_enrol_through_the_qr_code(client, auth, people) -> None:
    email = people["recruiter"].email
    auth.login(email)
    status = client.get(HOME)
    assert b"Off" in status.data and b"Set up an authenticator app" in status.data
    assert client.get(ENROL).headers["Location"] == HOME  # nothing to confirm yet

    assert client.post(START).status_code == 302
    secret = reloaded(email).totp_pending_secret
    page = client.get(ENROL)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"  # the key is on this page
    assert f'<img src="{QR}"'.encode() in page.data
    assert b"<svg" not in page.data  # no inline SVG
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)).encode() in page.data

    image = client.get(QR)
    assert image.status_code == 200
    assert image.mimetype == "image/svg+xml"
    assert image.headers["Cache-Control"] == "no-store"
    assert image.data.startswith(b"<svg")
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Hiring tracker")
    assert uri.startswith("otpauth://totp/Hiring%20tracker:rec%40test.example?secret=")
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=5, border=4, xmldecl=False, title="Two-factor set-up code"
    )
    assert image.data == out.getvalue()  # the QR code carries exactly this address

    assert not reloaded(email).totp_enabled


def test_a_wrong_code_keeps_enrolment_pending(client, auth, people) -> None:
    email = people["recruiter"].email
    auth.login(email)
    client.post(START)
    secret = reloaded(email).totp_pending_secret
    wrong = pyotp.TOTP(secret).at(utcnow(), counter_offset=3)
    response = client.post(ENROL, data={"code": wrong})
    assert response.status_code == 200
    assert b'id="code-error"' in response.data and b"That code is not right" in response.data
    assert response.headers["Cache-Control"] == "no-store"
    assert not CODE_SHAPE.search(response.data)
    user = reloaded(email)
    assert not user.totp_enabled and user.totp_pending_secret == secret


def test_confirming_shows_ten_recovery_codes_once(client, auth, people) -> None:
    email = people["recruiter"].email
    auth.login(email)
    client.post(START)
    secret = reloaded(email).totp_pending_secret
    response = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200  # shown in the POST's answer, not a GET
    assert response.headers["Cache-Control"] == "no-store"
    codes = CODE_SHAPE.findall(response.data)
    assert len(codes) == 10 == len(set(codes))

    user = reloaded(email)
    assert user.totp_secret == secret and user.totp_enabled_at is not None
    assert two_factor.remaining_recovery_codes(user) == 10
    # Never again: not on the status page, not by going back to the enrolment page.
    status = client.get(HOME)
    assert b"On" in status.data and b"Recovery codes left: <strong>10</strong>" in status.data
    assert not CODE_SHAPE.search(status.data)
    assert client.get(ENROL).headers["Location"] == HOME
    assert client.get(QR).headers["Location"] == HOME
    again = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert again.status_code == 302 and not CODE_SHAPE.search(again.data)


def test_enrolling_starts_a_new_session_and_ends_the_others(app, client, auth, people) -> None:
    """Sessions opened with the password alone do not outlive turning TOTP on."""
    email = people["recruiter"].email
    other = app.test_client()
    other.post("/login", data={"email": email, "password": PASSWORD})
    assert signed_in(other)
    auth.login(email)
    before = client.get_cookie("session").value
    enrol_through_pages(client, email)
    assert client.get_cookie("session").value != before
    assert signed_in(client)
    assert not signed_in(other)
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert not signed_in(replay)


# Signing in ----------------------------------------------------------------------------


def test_password_alone_does_not_sign_in(client, people) -> None:
    user = enrol_totp(people["recruiter"])
    response = password_step(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == CODE_PAGE
    assert not signed_in(client)
    page = client.get(CODE_PAGE)
    assert page.status_code == 200
    assert b"Authentication code or recovery code" in page.data
    assert not signed_in(client)


def test_the_code_completes_sign_in_and_keeps_next(client, people) -> None:
    user = enrol_totp(people["recruiter"])
    response = password_step(client, user.email, next_url="/candidates/")
    assert response.headers["Location"] == f"{CODE_PAGE}?next=/candidates/"
    done = client.post(response.headers["Location"], data={"code": unused_code(user.email)})
    assert done.status_code == 302 and done.headers["Location"] == "/candidates/"
    assert signed_in(client)
    assert client.get(CODE_PAGE).headers["Location"] == "/"  # nothing left to do there


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_next_after_the_code_is_only_ever_local(client, people, target: str) -> None:
    user = enrol_totp(people["recruiter"])
    password_step(client, user.email)
    done = client.post(f"{CODE_PAGE}?next={target}", data={"code": unused_code(user.email)})
    assert done.headers["Location"] == "/"


def test_a_wrong_code_gets_one_message_and_no_sign_in(client, people) -> None:
    user = enrol_totp(people["recruiter"])
    password_step(client, user.email)
    for wrong in ("000000", "abcde-fghij", "something else"):
        response = client.post(CODE_PAGE, data={"code": wrong})
        assert response.status_code == 200
        assert CODE_FAILED.encode() in response.data and b'id="code-error"' in response.data
    assert not signed_in(client)
    assert reloaded(user.email).failed_logins == 3


def test_wrong_codes_lock_the_account(app, client, people) -> None:
    user = enrol_totp(people["recruiter"])
    password_step(client, user.email)
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
        client.post(CODE_PAGE, data={"code": "000000"})
    assert reloaded(user.email).locked_until is not None
    response = client.post(CODE_PAGE, data={"code": unused_code(user.email)})
    assert CODE_FAILED.encode() in response.data  # the same message, even for the right code
    assert not signed_in(client)


def test_a_replayed_totp_code_is_refused(client, auth, people) -> None:
    user = enrol_totp(people["recruiter"])
    code = unused_code(user.email)
    password_step(client, user.email)
    assert client.post(CODE_PAGE, data={"code": code}).status_code == 302
    assert signed_in(client)
    auth.logout()

    password_step(client, user.email)
    replay = client.post(CODE_PAGE, data={"code": code})
    assert replay.status_code == 200 and CODE_FAILED.encode() in replay.data
    assert not signed_in(client)
    # The next code is fine.
    assert client.post(CODE_PAGE, data={"code": unused_code(user.email)}).status_code == 302
    assert signed_in(client)


def test_each_recovery_code_signs_in_exactly_once(client, auth, enrolled) -> None:
    email, _, codes = enrolled
    assert len(codes) == 10
    auth.logout()

    for code in (codes[0], codes[1].upper().replace("-", " ")):
        password_step(client, email)
        assert client.post(CODE_PAGE, data={"code": code}).status_code == 302
        assert signed_in(client)
        auth.logout()

    password_step(client, email)
    again = client.post(CODE_PAGE, data={"code": codes[0]})
    assert again.status_code == 200 and CODE_FAILED.encode() in again.data
    assert not signed_in(client)
    assert two_factor.remaining_recovery_codes(reloaded(email)) == 8


def started_ago(client, age: timedelta) -> None:
    """Move the start of the pending sign-in back in time."""
    with client.session_transaction() as session:
        pending = session["pending_login"]
        session["pending_login"] = {**pending, "at": (utcnow() - age).isoformat()}


def test_pending_sign_in_expires_after_five_minutes(client, people) -> None:
    user = enrol_totp(people["recruiter"])
    password_step(client, user.email)
    started_ago(client, timedelta(minutes=4))
    assert client.get(CODE_PAGE).status_code == 200  # still in time

    started_ago(client, timedelta(minutes=5, seconds=5))
    response = client.post(CODE_PAGE, data={"code": unused_code(user.email)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(client)
    assert b"took too long" in client.get("/login").data
    assert client.get(CODE_PAGE).headers["Location"] == "/login"  # and it is gone
    assert reloaded(user.email).totp_last_counter is None  # the code was not spent


def test_the_code_page_needs_a_password_first(client, people) -> None:
    enrol_totp(people["recruiter"])
    response = client.post(CODE_PAGE, data={"code": unused_code("rec@test.example")})
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as session:  # a forged user id cannot be signed
        session["pending_login"] = {"user_id": people["recruiter"].id, "at": "x"}
    assert client.post(CODE_PAGE, data={"code": "123456"}).headers["Location"] == "/login"
    assert not signed_in(client)


def test_users_without_totp_sign_in_with_the_password(client, people) -> None:
    response = password_step(client, people["recruiter"].email)
    assert response.headers["Location"] == "/"
    assert signed_in(client)


@pytest.fixture
def throttled_client(app):
    """Another app on the same database, with throttling on as in production."""
    throttled = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
        }
    )
    throttled.test_client_class = RequestClient
    limiter.reset()
    yield throttled.test_client()
    limiter.reset()
    with throttled.app_context():
        db.engine.dispose()


def test_the_code_step_is_throttled(throttled_client, people) -> None:
    user = enrol_totp(people["recruiter"])
    password_step(throttled_client, user.email)
    answers = [
        throttled_client.post(CODE_PAGE, data={"code": "000000"}).status_code for _ in range(11)
    ]
    assert answers == [200] * 10 + [429]
    assert throttled_client.post(CODE_PAGE, data={"code": unused_code(user.email)}).status_code
    assert not signed_in(throttled_client)


# Mandatory for admins, optional for others ---------------------------------------------


def test_an_admin_without_totp_must_enrol_first(client, auth) -> None:
    admin = make_user("boss@test.example", "Bo Boss", ["admin"], totp=False)
    auth.login(admin.email)
    for url in ("/", "/openings/", "/candidates/"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == HOME, url
    page = client.get(HOME)
    assert page.status_code == 200 and MUST_ENROL.encode() in page.data
    assert client.post(START).status_code == 302
    assert client.get(QR).status_code == 200  # the QR code is reachable too
    assert client.get(ENROL).status_code == 200

    secret = reloaded(admin.email).totp_pending_secret
    assert client.post(ENROL, data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/openings/").status_code == 200  # enrolled: free to go on


def test_an_admin_without_totp_can_still_sign_out(client, auth) -> None:
    admin = make_user("boss@test.example", "Bo Boss", ["admin"], totp=False)
    auth.login(admin.email)
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get(HOME).headers["Location"].startswith("/login")


def test_a_non_admin_may_turn_it_on_and_off(client, auth, people) -> None:
    email = people["recruiter"].email
    auth.login(email)
    assert client.get("/openings/").status_code == 200  # not forced to enrol
    enrol_through_pages(client, email)
    assert reloaded(email).totp_enabled

    refused = client.post(DISABLE, data={"disable-code": "000000"})
    assert refused.status_code == 200 and b'id="disable-code-error"' in refused.data
    assert reloaded(email).totp_enabled

    response = client.post(DISABLE, data={"disable-code": unused_code(email)})
    assert response.status_code == 302
    assert not reloaded(email).totp_enabled
    auth.logout()
    assert password_step(client, email).headers["Location"] == "/"  # password alone again


def test_an_admin_may_not_turn_it_off(client, auth, people) -> None:
    admin = people["admin"]
    auth.login(admin.email)
    status = client.get(HOME)
    assert b"cannot be turned off" in status.data
    assert b'action="/account/two-factor/disable"' not in status.data
    response = client.post(DISABLE, data={"disable-code": unused_code(admin.email)})
    assert response.status_code == 403
    assert b"mandatory for administrators" in response.data
    assert reloaded(admin.email).totp_enabled


def test_regenerating_recovery_codes_needs_a_current_code(client, enrolled) -> None:
    email, _, old = enrolled

    refused = client.post(REGENERATE, data={"regenerate-code": ""})
    assert refused.status_code == 200 and b'id="regenerate-code-error"' in refused.data
    refused = client.post(REGENERATE, data={"regenerate-code": "000000"})
    assert b"That code is not valid" in refused.data and not CODE_SHAPE.search(refused.data)

    response = client.post(REGENERATE, data={"regenerate-code": unused_code(email)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = [c.decode() for c in CODE_SHAPE.findall(response.data)]
    assert len(new) == 10 and not set(new) & set(old)
    user = reloaded(email)
    assert not two_factor.verify(user, old[0])
    assert two_factor.verify(user, new[0])


def test_a_new_device_needs_a_current_code(client, enrolled) -> None:
    email, secret, _ = enrolled
    refused = client.post(START, data={"start-code": "000000"})
    assert refused.status_code == 200 and b'id="start-code-error"' in refused.data
    assert reloaded(email).totp_pending_secret is None
    assert client.post(START, data={"start-code": unused_code(email)}).status_code == 302
    user = reloaded(email)
    assert user.totp_pending_secret and user.totp_secret == secret  # old one still works


def test_pages_need_sign_in(client) -> None:
    for url in (HOME, ENROL, QR):
        assert client.get(url).headers["Location"].startswith("/login")
    for url in (START, REGENERATE, DISABLE):
        assert client.post(url).headers["Location"].startswith("/login")
