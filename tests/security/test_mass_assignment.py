"""Mass assignment: fields a form does not have (role, status, decision, author, ids...)
are never taken from the request.

Every POST route has a SUBMISSIONS row: a valid submission by someone allowed to make
it. It is sent twice on the same database, once as is and once with EXTRAS added (under
the form's prefix too); both must succeed and leave exactly the same data behind
(timestamps and random values, such as token hashes, only by whether they are set). A
POST route without a row fails, naming it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from tests.factories import PASSWORD, enrol_totp
from tests.resume_files import pdf
from tests.routes import concrete_urls
from tests.security.world import (
    VOLATILE,
    Database,
    Visitor,
    World,
    changed_tables,
    submit_scorecard,
    url_values,
)
from tracker import ROOT
from tracker.extensions import db
from tracker.models import Application, Interview, Opening, PlanInterview, PlanStage
from tracker.models.types import utcnow
from tracker.services import scorecards, sessions, two_factor
from tracker.two_factor.views import PENDING_KEY


def _hired_stage(w: World) -> int:
    return db.session.scalar(
        select(PlanStage.id).where(PlanStage.opening_id == w.opening_id, PlanStage.key == "hired")
    )


def extras(w: World) -> dict[str, str]:
    """Fields no form of the app has (or not this one), each with a value that would show
    if it were written: another opening's ids, another person, a later status."""
    someone_else = str(w.people["other_recruiter"].id)
    return {
        "id": "999",
        "role": "admin",
        "roles": "admin",
        "is_admin": "1",
        "status": "hired",
        "stage": "hired",
        "stage_id": str(_hired_stage(w)),
        "to_stage": "hired",
        "to_stage_id": str(_hired_stage(w)),
        "decision": "offer",
        "outcome": "offer",
        "by_decision": "1",
        "hiring_manager_id": str(w.people["other_hiring_manager"].id),
        "recruiter_id": someone_else,
        "user_id": someone_else,
        "author_id": someone_else,
        "actor_id": someone_else,
        "decided_by_id": someone_else,
        "created_by_id": someone_else,
        "candidate_id": str(w.other_candidate_id),
        "application_id": str(w.other_application_id),
        "opening_id": str(w.other_opening_id),
        "interview_id": str(w.other_interview_id),
        "submitted": "1",
        "submitted_at": "2001-01-01T00:00:00",
        "revision": "9",
        "against_aggregate": "1",
        "email": "intruder@evil.example",
        "active": "0",
        "password_hash": "x",
        "password_changed_at": "2001-01-01T00:00:00",
        "totp_secret": "JBSWY3DPEHPK3PXP",
        "totp_pending_secret": "JBSWY3DPEHPK3PXP",
        "totp_enabled_at": "2001-01-01T00:00:00",
        "totp_last_counter": "99999999",
        "failed_logins": "7",
        "locked_until": "2099-01-01T00:00:00",
        "token_hash": "0" * 64,
        "code_hash": "0" * 64,
        "used_at": "2001-01-01T00:00:00",
        "ended_at": "2001-01-01T00:00:00",
        "expires_at": "2099-01-01T00:00:00",
        "storage_key": "../../../etc/passwd",
        "original_name": "renamed.html",
        "content_type": "text/html",
        "size_bytes": "1",
        "sha256": "0" * 64,
        "uploaded_by_id": someone_else,
        "name": "Renamed by request",
        "title": "Retitled by request",
        "conducted_by": "recruiter",
        "key": "hired",
        "kind": "hired",
        "position": "0",
    }


def _focus(interview_id: int) -> list[int]:
    return [i.requirement_id for i in scorecards.focus_for(db.session.get(Interview, interview_id))]


def _scorecard(interview_id: int, rating: str, text: str) -> dict[str, object]:
    data: dict[str, object] = {"recommendation": "yes", "key_takeaways": text}
    for rid in _focus(interview_id):
        data[f"rating-{rid}"] = rating
        data[f"evidence-{rid}"] = text
    return data


def _opening_fields(opening_id: int, **changes: object) -> dict[str, object]:
    opening = db.session.get(Opening, opening_id)
    data = {
        "title": opening.title,
        "role_id": opening.role_id,
        "level_id": opening.level_id,
        "specialty_id": opening.specialty_id or "",
        "hiring_manager_id": opening.hiring_manager_id,
        "recruiter_id": opening.recruiter_id,
        "status": opening.status,
    }
    return {**data, **changes}


def _slot(**more: object) -> dict[str, object]:
    return {
        "starts_at": "2030-03-04T10:00",
        "timezone": "UTC",
        "duration_minutes": "60",
        "video_url": "https://meet.example/room-2",
        **more,
    }


def _to_director_stage(w: World) -> None:
    application = db.session.get(Application, w.application_id)
    application.stage = db.session.scalar(
        select(PlanStage).where(PlanStage.opening_id == w.opening_id, PlanStage.key == "director")
    )
    db.session.commit()


def _director_interview(w: World) -> int:
    return db.session.scalar(
        select(PlanInterview.id)
        .join(PlanStage)
        .where(PlanStage.opening_id == w.opening_id, PlanStage.key == "director")
    )


def _peer_stage_complete(w: World) -> None:
    submit_scorecard(db.session.get(Interview, w.interview_id), w.user("multi"))


# A password every rule accepts, for the forms that set one.
NEW_PASSWORD = "Granite lantern orchard 58"


def _new_password() -> dict[str, object]:
    return {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}


def _code(secret: str | None) -> dict[str, object]:
    """The authenticator app's current code for `secret`."""
    assert secret, "no TOTP secret: the submission's setup should have made one"
    return {"code": pyotp.TOTP(secret).now()}


def _lock(w: World) -> None:
    user = w.user("recruiter")
    user.failed_logins, user.locked_until = 3, utcnow() + timedelta(minutes=15)
    db.session.commit()


def _another_session(w: World) -> None:
    sessions.start(w.user("recruiter"), ip="203.0.113.7", user_agent="Another browser")


def _begin_enrolment(w: World) -> None:
    two_factor.begin_enrolment(w.user("recruiter"))


def _interviewer_has_totp(w: World) -> None:
    enrol_totp(w.user("interviewer"))


def _upload() -> dict[str, object]:
    """A new file each time: the client reads it to the end."""
    return {"resume_file": (io.BytesIO(pdf(b"Nia's CV")), "Nia CV.pdf")}


@dataclass(frozen=True)
class Submission:
    """A valid submission: who sends it, every field of the form (built again for each
    send), the tables it must change (so that a refusal cannot pass for a success), and
    the answer it gets (a redirect, or a page shown once such as a reset link).
    `session` is what the browser's session holds besides the sign-in; `ignore` names
    the columns that differ between two sends (random tokens, hashes, salts)."""

    role: str
    data: Callable[[World], dict[str, object]]
    writes: tuple[str, ...] = ()
    prefix: Callable[[World], str] = lambda w: ""
    url: Callable[[World], dict[str, object]] = lambda w: {}
    setup: Callable[[World], None] | None = None
    ignore: frozenset[str] = field(default_factory=frozenset)
    status: int = 302
    session: Callable[[World], dict[str, object]] = lambda w: {}

    def visit(self, client: FlaskClient, world: World) -> Visitor:
        """The setup done, and the browser of the role that sends it."""
        if self.setup:
            self.setup(world)
        visitor = Visitor(client, world.user(self.role))
        visitor.cookie.update(self.session(world))
        visitor.restore()
        return visitor


SUBMISSIONS: dict[str, Submission] = {
    "auth.login": Submission(
        "anonymous",
        lambda w: {"email": w.people["recruiter"].email, "password": PASSWORD},
        writes=("user_sessions",),
        ignore=frozenset({"user_sessions.token_hash"}),
    ),
    "auth.logout": Submission("recruiter", lambda w: {}, writes=("user_sessions",)),
    "auth.reauthenticate": Submission(
        "recruiter", lambda w: {"password": PASSWORD}, writes=("user_sessions",)
    ),
    "auth.reset_password": Submission(
        "anonymous",
        lambda w: _new_password(),
        writes=("users", "password_resets"),
        ignore=frozenset({"users.password_hash"}),
    ),
    "two_factor.login_code": Submission(
        "anonymous",
        lambda w: _code(w.user("admin").totp_secret),
        session=lambda w: {
            PENDING_KEY: {"user_id": w.people["admin"].id, "at": utcnow().isoformat()}
        },
        writes=("user_sessions", "users"),
        ignore=frozenset({"user_sessions.token_hash", "users.totp_last_counter"}),
    ),
    "two_factor.start": Submission(
        "recruiter",
        lambda w: {"code": ""},
        prefix=lambda w: "start",
        writes=("users",),
        ignore=frozenset({"users.totp_pending_secret"}),
    ),
    "two_factor.enrol": Submission(
        "recruiter",
        lambda w: _code(w.user("recruiter").totp_pending_secret),
        setup=_begin_enrolment,
        status=200,  # the recovery codes, shown once
        writes=("users", "recovery_codes", "user_sessions"),
        ignore=frozenset(
            {"users.totp_last_counter", "recovery_codes.code_hash", "user_sessions.token_hash"}
        ),
    ),
    "two_factor.regenerate": Submission(
        "admin",
        lambda w: _code(w.user("admin").totp_secret),
        prefix=lambda w: "regenerate",
        status=200,  # the recovery codes, shown once
        writes=("recovery_codes",),
        ignore=frozenset({"users.totp_last_counter", "recovery_codes.code_hash"}),
    ),
    "two_factor.disable": Submission(
        "interviewer",
        lambda w: _code(w.user("interviewer").totp_secret),
        prefix=lambda w: "disable",
        setup=_interviewer_has_totp,
        writes=("users",),
    ),
    "account.change_password": Submission(
        "recruiter",
        lambda w: {"current_password": PASSWORD, **_new_password()},
        writes=("users",),
        ignore=frozenset({"users.password_hash"}),
    ),
    "account.end_other_sessions": Submission(
        "recruiter", lambda w: {}, setup=_another_session, writes=("user_sessions",)
    ),
    "people.new": Submission(
        "admin",
        lambda w: {
            "name": "Nia Newhire",
            "email": "nia.newhire@test.example",
            "roles": ["recruiter"],
            "password": NEW_PASSWORD,
        },
        writes=("users", "user_roles"),
        ignore=frozenset({"users.password_hash"}),
    ),
    "people.edit": Submission(
        "admin",
        lambda w: {"roles": ["recruiter", "hiring_manager"], "active": "y"},
        writes=("user_roles",),
    ),
    "people.reset_link": Submission(
        "admin",
        lambda w: {},
        status=200,  # the link, shown once
        writes=("password_resets",),
        ignore=frozenset({"password_resets.token_hash"}),
    ),
    "people.unlock": Submission("admin", lambda w: {}, setup=_lock, writes=("users",)),
    "openings.new": Submission(
        "recruiter",
        lambda w: _opening_fields(w.opening_id, title="Principal Security Engineer"),
        writes=("openings", "plan_stages", "plan_interviews"),
    ),
    "openings.edit": Submission(
        "recruiter",
        lambda w: _opening_fields(w.opening_id, title="Staff Security Engineer, DFIR"),
        writes=("openings",),
    ),
    "openings.add_candidate": Submission(
        "recruiter",
        lambda w: {
            "name": "Nia Newcomer",
            "email": "nia@cand.example",
            "phone": "+44 20 7946 0000",
            "location": "Leeds",
            "links": "https://nia.example",
            "source": "referral",
        },
        writes=("candidates", "applications", "stage_events"),
    ),
    "resumes.upload": Submission(
        "recruiter",
        lambda w: _upload(),
        writes=("resumes",),
        ignore=frozenset({"resumes.storage_key"}),
    ),
    "applications.move": Submission(
        "recruiter",
        lambda w: {"reason": "other", "note": "Not this time.", "from_stage": "peer"},
        prefix=lambda w: f"a{w.application_id}-reject",
        url=lambda w: {"move": "reject"},
        writes=("applications", "stage_events"),
    ),
    "plans.set_focus": Submission(
        "recruiter",
        lambda w: {"requirement_ids": _focus(w.interview_id)[:-1]},
        prefix=lambda w: f"pi{w.plan_interview_id}",
        writes=("plan_interview_focus",),
    ),
    "plans.reset": Submission("recruiter", lambda w: {}, writes=("plan_interview_focus",)),
    "scheduling.schedule": Submission(
        "recruiter",
        lambda w: _slot(interviewer_ids=[w.people["peer"].id]),
        prefix=lambda w: f"s{_director_interview(w)}",
        url=lambda w: {"plan_interview_id": _director_interview(w)},
        setup=_to_director_stage,
        writes=("interviews", "interview_assignments"),
    ),
    "scheduling.reschedule": Submission(
        "recruiter",
        lambda w: _slot(
            interviewer_ids=[w.people["interviewer"].id, w.people["multi"].id],
            reason="The candidate asked to move it.",
        ),
        prefix=lambda w: f"r{w.interview_id}",
        writes=("interview_changes",),
    ),
    "scheduling.cancel": Submission(
        "recruiter",
        lambda w: {"reason": "The candidate is ill."},
        prefix=lambda w: f"c{w.interview_id}",
        writes=("interviews", "interview_changes"),
    ),
    "scorecards.save": Submission(
        "multi",
        lambda w: {**_scorecard(w.interview_id, "yes", "Solid."), "save_draft": "Save draft"},
        writes=("scorecards", "ratings"),
    ),
    "scorecards.amend": Submission(
        "interviewer",
        lambda w: {
            **_scorecard(w.interview_id, "no", "On reflection, thin."),
            "reason": "I misread my notes.",
            "amend_scorecard": "Amend scorecard",
        },
        writes=("scorecards", "ratings", "scorecard_revisions"),
    ),
    "reviews.decision": Submission(
        "hiring_manager",
        lambda w: {
            "outcome": "reject",
            "rejection_reason": "requirement_gap",
            "rationale": "Gaps in incident command.",
            "against_note": "The notes show gaps the ratings do not.",
            "coverage_override": "",
        },
        setup=_peer_stage_complete,
        writes=("decisions", "applications", "stage_events"),
    ),
}


def post_routes(app: Flask, world: World) -> dict[str, str]:
    return {r.endpoint: r.url for r in concrete_urls(app, url_values(world)) if r.method == "POST"}


def test_every_post_route_has_a_submission(app: Flask, world: World) -> None:
    missing = sorted(post_routes(app, world).keys() - SUBMISSIONS.keys())
    stale = sorted(SUBMISSIONS.keys() - post_routes(app, world).keys())
    assert not missing, f"POST routes without a SUBMISSIONS row in {__name__}: {missing}"
    assert not stale, f"SUBMISSIONS rows for routes that do not exist: {stale}"


def with_extras(data: dict[str, object], added: dict[str, str], prefix: str) -> dict:
    """The submission plus every extra field the form does not have, plain and prefixed."""
    named = {f"{prefix}-{k}" if prefix else k: v for k, v in data.items()}
    more = {k: v for k, v in added.items() if k not in data}
    if prefix:
        more |= {f"{prefix}-{k}": v for k, v in more.items()}
    return {**more, **named}


@pytest.mark.parametrize("endpoint", sorted(SUBMISSIONS))
def test_extra_fields_change_nothing(
    app: Flask, client: FlaskClient, world: World, database: Database, endpoint: str
) -> None:
    case = SUBMISSIONS[endpoint]
    visitor = case.visit(client, world)
    url = concrete_urls(app, {**url_values(world), **case.url(world)})
    url = next(r.url for r in url if r.endpoint == endpoint and r.method == "POST")
    prefix, added = case.prefix(world), extras(world)
    ignore = VOLATILE | case.ignore
    database.save()
    start = database.content()

    written, results = [], []
    for more in ({}, added):
        response = client.post(url, data=with_extras(case.data(world), more, prefix))
        assert response.status_code == case.status, (
            endpoint,
            response.status_code,
            response.data[response.data.find(b"<main") :][:1500],
        )
        written.append(changed_tables(start, database.content()))
        results.append(database.content(ignore, times=False))
        database.restore()
        visitor.restore()

    assert set(case.writes) <= set(written[0]), f"the submission wrote only {written[0]}"
    plain, extra = results
    assert changed_tables(plain, extra) == [], {
        t: (plain[t], extra[t]) for t in changed_tables(plain, extra)
    }


# Views read their input only through a form's declared fields (or, for GET, named query
# parameters): never the raw form, and never copied wholesale onto a model.
RAW_INPUT = re.compile(
    r"request\.(form|values|files|json|get_json|data|get_data)\b|populate_obj|\*\*request\."
)


def test_no_view_reads_the_raw_request_body() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "tracker").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if RAW_INPUT.search(line)
    ]
    assert found == []


def test_the_guard_sees_raw_reads() -> None:
    for line in ("x = request.form['role']", "form.populate_obj(user)", "User(**request.args)"):
        assert RAW_INPUT.search(line), line


def test_an_owner_id_without_the_role_may_not_reassign(app: Flask) -> None:
    """Handing an opening over takes the hiring manager role, not just the id recorded on
    the opening (say, after an admin took the role away)."""
    from tests.factories import make_opening, make_user
    from tracker.domain.errors import ValidationFailed
    from tracker.models import UserRole
    from tracker.services import openings

    both = make_user("both@test.example", "Bea Both", ["recruiter", "hiring_manager"])
    other = make_user("hm3@test.example", "Hugo Manager", ["hiring_manager"])
    opening = make_opening(both, both)
    db.session.execute(
        delete(UserRole).where(UserRole.user_id == both.id, UserRole.role == "hiring_manager")
    )
    db.session.commit()
    db.session.expire_all()
    data = openings.OpeningInput(
        title=opening.title,
        role_id=opening.role_id,
        level_id=opening.level_id,
        specialty_id=opening.specialty_id,
        hiring_manager_id=other.id,
        recruiter_id=both.id,
        status=opening.status,
    )
    with pytest.raises(ValidationFailed, match="Only an admin or the opening's hiring manager"):
        openings.update_opening(opening, data, both)
    db.session.rollback()
    assert db.session.get(Opening, opening.id).hiring_manager_id == both.id
