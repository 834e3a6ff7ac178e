"""One run with CSRF switched on: a POST without the token is refused, with it works."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_application, make_opening
from tracker.extensions import db
from tracker.models import Application


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def token(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'name="csrf_token" value="([^"]+)"', page
    )
    assert match, "page has no CSRF token"
    return match.group(1).decode()


def test_csrf_protects_every_post(csrf_app, client, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])

    refused = client.post("/login", data={"email": people["recruiter"].email, "password": PASSWORD})
    assert refused.status_code == 400
    assert b"Your form expired or was not sent from this site" in refused.data
    assert client.get("/openings/").status_code == 302  # still signed out

    login_token = token(client.get("/login").data)
    signed_in = client.post(
        "/login",
        data={"email": people["recruiter"].email, "password": PASSWORD, "csrf_token": login_token},
    )
    assert signed_in.status_code == 302

    url = f"/applications/{application.id}/move/advance"
    assert client.post(url).status_code == 400
    assert (
        client.post(url, data={f"a{application.id}-advance-csrf_token": "forged"}).status_code
        == 400
    )
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage.key == "applied"

    page = client.get(f"/candidates/{application.candidate_id}").data
    form_token = re.search(
        rb'id="a%d-advance-csrf_token" name="a%d-advance-csrf_token" type="hidden" value="([^"]+)"'
        % (application.id, application.id),
        page,
    )
    assert form_token
    ok = client.post(
        url, data={f"a{application.id}-advance-csrf_token": form_token.group(1).decode()}
    )
    assert ok.status_code == 302, ok.data[ok.data.find(b"<main") :][:800]
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage.key == "recruiter_screen"

    assert client.post("/logout").status_code == 400  # sign-out needs the token too
    logout_token = token(client.get("/openings/").data)
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
