"""Who may see and do what: every route of `app.url_map`, GET and POST, for every role,
against one table. A route missing from the table fails, naming it.

Outcomes:
  ok      allowed: 2xx, or 3xx to anything but sign-in; a POST with an empty body may also
          answer 400 or 422 (the form's errors), never 403 or 404
  login   sent to sign in (302 to /login?next=...)
  signin  sent to the sign-in page as the page's own next step, not as a refusal (302 to
          /login without next=): after signing out, or at the second step of signing in
          with no correct password a moment before
  403     may see the object, may not take this action
  404     may not see the object: it answers as if it did not exist

A POST that is refused (login, 403, 404) must change nothing in the database. Each POST
runs on the same world: the database is put back after it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.routes import STATIC_ENDPOINTS, MissingUrlArgument
from tests.security.world import ROLES, Database, Visitor, World, changed_tables, routes

OUTCOMES = frozenset({"ok", "login", "signin", "403", "404"})
REFUSED = frozenset({"login", "403", "404"})

# Columns, in ROLES order:
#   anon  anonymous             hm    the opening's hiring manager (also an interviewer)
#   admin admin                 hm2   another hiring manager
#   rec   the opening's recruiter     int   interviewer on I1 of the application, submitted
#   rec2  another recruiter     int2  interviewer with no interview on the application
#                               multi recruiter of opening B + interviewer on I1, not submitted
# The URL arguments are A's objects (see tests/security/world.py): opening A, candidate C1,
# application A1, interview I1, I1's plan interview, C1's résumé; the person edited is
# the recruiter; the reset link is `peer`'s. The admin has a second factor (an admin
# without one is sent to set it up, whatever they ask for), and every signed-in role has
# just signed in, so pages that need a fresh sign-in open.
# fmt: off
ACCESS: dict[tuple[str, str], str] = {
    #                                          anon  admin rec rec2 hm  hm2 int int2 multi
    ("main.index", "GET"):                    "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("auth.login", "GET"):                    "ok    ok   ok  ok   ok  ok  ok  ok   ok",
    ("auth.login", "POST"):                   "ok    ok   ok  ok   ok  ok  ok  ok   ok",
    ("auth.logout", "POST"):                  "login signin signin signin signin "
                                              "signin signin signin signin",
    ("auth.reauthenticate", "GET"):           "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("auth.reauthenticate", "POST"):          "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("auth.reset_password", "GET"):           "ok    ok   ok  ok   ok  ok  ok  ok   ok",
    ("auth.reset_password", "POST"):          "ok    ok   ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.login_code", "GET"):         "signin ok  ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.login_code", "POST"):        "signin ok  ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.status", "GET"):             "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.start", "POST"):             "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.enrol", "GET"):              "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.enrol", "POST"):             "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.qr", "GET"):                 "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.regenerate", "POST"):        "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("two_factor.disable", "POST"):           "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("account.index", "GET"):                 "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("account.change_password", "GET"):       "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("account.change_password", "POST"):      "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("account.end_other_sessions", "GET"):    "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("account.end_other_sessions", "POST"):   "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("people.index", "GET"):                  "login ok   403 403  403 403 403 403  403",
    ("people.new", "GET"):                    "login ok   403 403  403 403 403 403  403",
    ("people.new", "POST"):                   "login ok   403 403  403 403 403 403  403",
    ("people.edit", "GET"):                   "login ok   403 403  403 403 403 403  403",
    ("people.edit", "POST"):                  "login ok   403 403  403 403 403 403  403",
    ("people.reset_link", "GET"):             "login ok   403 403  403 403 403 403  403",
    ("people.reset_link", "POST"):            "login ok   403 403  403 403 403 403  403",
    ("people.unlock", "POST"):                "login ok   403 403  403 403 403 403  403",
    ("audit.index", "GET"):                   "login ok   403 403  403 403 403 403  403",
    ("audit.export", "GET"):                  "login ok   403 403  403 403 403 403  403",
    ("openings.index", "GET"):                "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("openings.new", "GET"):                  "login ok   ok  ok   403 403 403 403  ok",
    ("openings.new", "POST"):                 "login ok   ok  ok   403 403 403 403  ok",
    ("openings.show", "GET"):                 "login ok   ok  404  ok  404 404 404  404",
    ("openings.board", "GET"):                "login ok   ok  404  ok  404 404 404  404",
    ("openings.applications", "GET"):         "login ok   ok  404  ok  404 404 404  404",
    ("openings.edit", "GET"):                 "login ok   ok  404  ok  404 404 404  404",
    ("openings.edit", "POST"):                "login ok   ok  404  ok  404 404 404  404",
    ("openings.add_candidate", "GET"):        "login ok   ok  404  ok  404 404 404  404",
    ("openings.add_candidate", "POST"):       "login ok   ok  404  ok  404 404 404  404",
    ("plans.show", "GET"):                    "login ok   ok  404  ok  404 404 404  404",
    ("plans.set_focus", "POST"):              "login ok   ok  404  ok  404 404 404  404",
    ("plans.reset", "POST"):                  "login ok   ok  404  ok  404 404 404  404",
    ("candidates.index", "GET"):              "login ok   ok  ok   ok  ok  403 403  ok",
    ("candidates.show", "GET"):               "login ok   ok  404  ok  404 404 404  404",
    ("resumes.upload", "POST"):               "login ok   ok  404  ok  404 404 404  404",
    ("resumes.download", "GET"):              "login ok   ok  404  ok  404 ok  404  ok",
    ("resumes.export_candidate", "GET"):      "login ok   ok  404  ok  404 404 404  404",
    ("applications.move", "POST"):            "login ok   ok  404  ok  404 404 404  404",
    ("scheduling.show", "GET"):               "login ok   ok  404  ok  404 404 404  404",
    ("scheduling.schedule", "POST"):          "login ok   ok  404  ok  404 404 404  404",
    ("scheduling.reschedule", "POST"):        "login ok   ok  404  ok  404 403 404  403",
    ("scheduling.cancel", "POST"):            "login ok   ok  404  ok  404 403 404  403",
    ("scheduling.invite", "GET"):             "login ok   ok  404  ok  404 ok  404  ok",
    ("scorecards.kit", "GET"):                "login ok   ok  404  ok  404 ok  404  ok",
    ("scorecards.save", "POST"):              "login 403  403 404  403 404 ok  404  ok",
    ("scorecards.amend", "POST"):             "login 403  403 404  403 404 ok  404  403",
    ("scorecards.feedback", "GET"):           "login ok   ok  404  ok  404 ok  404  404",
    ("scorecards.my_interviews", "GET"):      "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("scorecards.my_interview_list", "GET"):  "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("reviews.review", "GET"):                "login ok   ok  404  ok  404 404 404  404",
    ("reviews.packet", "GET"):                "login ok   ok  404  ok  404 404 404  404",
    ("reviews.decision", "POST"):             "login ok   403 404  ok  404 404 404  404",
    ("reviews.scorecards_due", "GET"):        "login ok   ok  ok   403 403 403 403  ok",
    ("reviews.decisions_needed", "GET"):      "login ok   403 403  ok  ok  403 403  403",
    ("reports.index", "GET"):                 "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("reports.pipeline", "GET"):              "login ok   ok  ok   ok  ok  403 403  ok",
    ("reports.pipeline_csv", "GET"):          "login ok   ok  ok   ok  ok  403 403  ok",
    ("reports.requirements", "GET"):          "login ok   ok  ok   ok  ok  403 403  ok",
    ("reports.requirements_csv", "GET"):      "login ok   ok  ok   ok  ok  403 403  ok",
    ("reports.calibration", "GET"):           "login ok   ok  ok   ok  ok  ok  ok   ok",
    ("reports.calibration_csv", "GET"):       "login ok   ok  ok   ok  ok  ok  ok   ok",
}
# fmt: on

# Served to anyone, signed in or not: the stylesheets and scripts.
UNCHECKED = STATIC_ENDPOINTS


def expected(endpoint: str, method: str) -> dict[str, str]:
    cells = ACCESS[(endpoint, method)].split()
    assert len(cells) == len(ROLES), f"{endpoint} {method}: {len(cells)} cells for {ROLES}"
    assert set(cells) <= OUTCOMES, f"{endpoint} {method}: unknown outcome in {cells}"
    return dict(zip(ROLES, cells, strict=True))


def outcome(response: TestResponse, method: str) -> str:
    """What the response amounts to, in the table's words."""
    status = response.status_code
    if status in (403, 404):
        return str(status)
    if 300 <= status < 400:
        target = urlsplit(response.headers.get("Location", ""))
        if target.path == "/login":
            return "login" if "next" in parse_qs(target.query) else "signin"
        return "ok"
    if 200 <= status < 300 or (method == "POST" and status in (400, 422)):
        return "ok"
    return f"unexpected {status}"


def missing_and_stale(app: Flask, world: World) -> tuple[list, list]:
    walked = {r.key for r in routes(app, world) if r.endpoint not in UNCHECKED}
    return sorted(walked - ACCESS.keys()), sorted(ACCESS.keys() - walked)


def test_every_route_has_a_row(app: Flask, world: World) -> None:
    """A new route fails here until someone decides who may use it; a row whose route is
    gone fails too."""
    missing, stale = missing_and_stale(app, world)
    assert not missing, f"Routes missing from ACCESS in {__name__}: {missing}"
    assert not stale, f"ACCESS rows for routes that do not exist: {stale}"
    for endpoint, method in ACCESS:
        expected(endpoint, method)


def test_a_new_route_is_named_until_it_has_a_row(app: Flask, world: World) -> None:
    """The guard above works: an unlisted route is reported, and so is an argument the
    world has no value for."""
    app.add_url_rule("/extra/<int:opening_id>", "extra.page", lambda opening_id: "")
    assert missing_and_stale(app, world) == ([("extra.page", "GET")], [])
    app.add_url_rule("/widgets/<int:widget_id>", "extra.widget", lambda widget_id: "")
    with pytest.raises(MissingUrlArgument, match=r"<widget_id> of extra\.widget"):
        routes(app, world)


@pytest.mark.parametrize("role", ROLES)
def test_access_by_role(
    app: Flask, client: FlaskClient, world: World, database: Database, role: str
) -> None:
    """Each role gets what the table says on every route; a refused POST writes nothing."""
    visitor = Visitor(client, world.user(role))
    database.save()
    failures: list[str] = []
    for route in routes(app, world):
        if route.endpoint in UNCHECKED:
            continue
        if route.key not in ACCESS:
            failures.append(f"{route.endpoint} {route.method}: no row in ACCESS")
            continue
        want = expected(*route.key)[role]
        before = database.content() if route.method == "POST" else None
        response = client.open(route.url, method=route.method, data={})
        got = outcome(response, route.method)
        if got != want:
            failures.append(
                f"{route.method} {route.url} ({route.endpoint}): expected {want}, got {got} "
                f"[{response.status_code} {response.headers.get('Location', '')}]"
            )
        if before is not None:
            if want in REFUSED:
                changed = changed_tables(before, database.content())
                if changed:
                    failures.append(f"{route.method} {route.url} was refused but changed {changed}")
            database.restore()
            visitor.restore()
    assert not failures, f"as {role}:\n" + "\n".join(failures)


# The same session sees each opening through the role it holds there: `multi` recruits for
# opening B and interviews on A's application, so on B it has a recruiter's pages and on A
# an interviewer's kit, and nothing more.
COMBINED = [
    ("/openings/{other_opening_id}", 200),
    ("/candidates/{other_candidate_id}", 200),
    ("/applications/{other_application_id}/interviews", 200),
    ("/applications/{other_application_id}/review", 200),
    ("/interviews/{interview_id}", 200),
    ("/openings/{opening_id}", 404),
    ("/candidates/{candidate_id}", 404),
    ("/applications/{application_id}/interviews", 404),
    ("/applications/{application_id}/review", 404),
    ("/applications/{application_id}/feedback", 404),
    ("/interviews/{second_interview_id}", 404),
]


def test_roles_combine_per_opening(client: FlaskClient, world: World) -> None:
    Visitor(client, world.user("multi"))
    ids = vars(world)
    got = [(url, client.get(url.format(**ids)).status_code) for url, _ in COMBINED]
    assert got == COMBINED


def test_interviewer_sees_the_others_feedback_once_their_own_is_in(
    client: FlaskClient, world: World
) -> None:
    """`multi` owes a scorecard on I1, so the feedback page is hidden; once it is
    submitted, it opens, while the opening's pages stay closed."""
    from tests.security.world import submit_scorecard
    from tracker.extensions import db
    from tracker.models import Interview

    Visitor(client, world.user("multi"))
    feedback = f"/applications/{world.application_id}/feedback"
    assert client.get(feedback).status_code == 404
    submit_scorecard(db.session.get(Interview, world.interview_id), world.user("multi"))
    page = client.get(feedback)
    assert page.status_code == 200
    assert world.people["peer"].name.encode() in page.data
    assert client.get(f"/applications/{world.application_id}/review").status_code == 404


# Two ids in one URL that do not belong together (the second from opening B): 404, even for
# an admin, who may see both objects.
MISMATCHED = [
    "/openings/{opening_id}/plan/interviews/{other_plan_interview_id}/focus",
    "/applications/{application_id}/interviews/{other_plan_interview_id}/schedule",
]


@pytest.mark.parametrize("role", ["admin", "recruiter"])
@pytest.mark.parametrize("url", MISMATCHED)
def test_ids_from_another_opening_answer_404(
    client: FlaskClient, world: World, database: Database, role: str, url: str
) -> None:
    from tracker.extensions import db
    from tracker.models import Interview

    other = db.session.get(Interview, world.other_interview_id).plan_interview_id
    Visitor(client, world.user(role))
    before = database.content()
    response = client.post(url.format(**vars(world), other_plan_interview_id=other), data={})
    assert response.status_code == 404
    assert changed_tables(before, database.content()) == []
