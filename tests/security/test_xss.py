"""User text is escaped everywhere: script and quote payloads go into every text field
through the real forms, then every page of `app.url_map` is read as several people; no
payload appears unescaped, and each field's escaped payload does appear somewhere."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from tests.factories import PASSWORD, catalog_ids, make_interview, make_user, move_to_stage
from tests.resume_files import pdf
from tests.routes import STATIC_ENDPOINTS, concrete_urls
from tests.security.test_mass_assignment import SUBMISSIONS
from tests.security.world import Database, Visitor, World, url_values
from tracker import ROOT
from tracker.domain.documents import DocumentKind, clean_filename
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    PlanInterview,
    PlanStage,
    Resume,
    User,
    UserSession,
)


def payload(tag: str) -> str:
    """A script, an attribute break-out and a quote break-out, marked with the field."""
    return (
        f'<script>alert("{tag}")</script>"><img src=x onerror=alert("{tag}")>'
        f"' onmouseover='alert(\"{tag}\")"
    )


# What must never appear as is in a page.
RAW = ("<script>alert(", "<img src=x onerror", "' onmouseover='", "'onmouseover='")
# Narrow fields: the payload that fits, and is still valid for the field.
EMAIL = "x'onmouseover='em@cand.example"
PHONE = "\"><img src=x onerror=alert('ph')>"
LINK = "https://links.example/\"><script>alert('ln')</script>"
VIDEO = "https://meet.example/\"><script>alert('vu')</script>"
PERSON_EMAIL = "x'onmouseover='pe@test.example"
USER_AGENT = "\"><script>alert('ua')</script>"  # the account page shows 80 characters
# A résumé's name is cleaned on upload (letters, digits, a little punctuation): what the
# pages show is the cleaned name, and nothing of the payload raw. (No double quote: the
# test client's multipart encoding would cut the name there.)
FILE_NAME = "<img src=x onerror=alert('fn')>' onmouseover='alert(1)'.pdf"


class PageCheck(HTMLParser):
    """Scripts only from files, and no event-handler attributes, in the parsed page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        handlers = sorted(n for n in names if n.startswith("on"))
        if handlers:
            self.problems.append(f"<{tag}> with {handlers}")
        for name, value in attrs:
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")


def page_problems(html: str) -> list[str]:
    found = [f"raw {marker!r}" for marker in RAW if marker in html]
    checker = PageCheck()
    checker.feed(html)
    return found + checker.problems


def test_the_page_check_sees_each_kind_of_injection() -> None:
    assert page_problems(f"<p>{escape(payload('t'))}</p><script src='/s.js'></script>") == []
    for bad in (
        f"<p>{payload('t')}</p>",
        "<script>x()</script>",
        '<a href="#" onclick="x()">a</a>',
        '<a href="javascript:x()">a</a>',
    ):
        assert page_problems(bad), bad


def _id_from(response, pattern: str) -> int:
    assert response.status_code == 302, response.data[response.data.find(b"<main") :][:800]
    match = re.search(pattern, urlsplit(response.headers["Location"]).path)
    assert match, response.headers["Location"]
    return int(match.group(1))


def _posted(response) -> None:
    assert response.status_code == 302, response.data[response.data.find(b"<main") :][:1200]


def _stage(opening_id: int, key: str) -> PlanStage:
    return db.session.scalar(
        select(PlanStage).where(PlanStage.opening_id == opening_id, PlanStage.key == key)
    )


def _plan_interview(opening_id: int, name: str) -> PlanInterview:
    return db.session.scalar(
        select(PlanInterview)
        .join(PlanStage)
        .where(PlanStage.opening_id == opening_id, PlanInterview.name == name)
    )


# Each field filled, by its payload's tag.
TAGS = {
    "hm": "hiring manager's name",
    "rc": "recruiter's name",
    "iv": "interviewer's name",
    "i2": "second interviewer's name",
    "ot": "opening title",
    "cn": "candidate name",
    "lo": "candidate location",
    "mn": "move note",
    "or": "move override reason",
    "rr": "reschedule reason",
    "ev": "scorecard evidence",
    "kt": "scorecard key takeaways",
    "ar": "scorecard amendment reason",
    "cr": "cancellation reason",
    "rn": "rejection note",
    "ra": "decision rationale",
    "an": "decision against-the-panel note",
    "sn": "plan stage name",
    "sd": "plan stage description",
    "pn": "plan interview name",
    "pe": "person's name",
    "af": "audit trail filter (object id, in the query string)",
}


def fill_every_field(
    client: FlaskClient, people: dict
) -> Iterator[tuple[dict[str, object], list[str]]]:
    """Payloads in every text field, through the forms where there is one. Yields, at
    each point where pages show something that later steps hide (a stage's scheduling
    history, before the application moves on), the URL values of the objects holding the
    payloads and the further pages to read."""
    hm = make_user("xhm@test.example", payload("hm"), ["hiring_manager"])
    recruiter = make_user("xrc@test.example", payload("rc"), ["recruiter"])
    interviewer = make_user("xiv@test.example", payload("iv"), ["interviewer"])
    other = make_user("xi2@test.example", payload("i2"), ["interviewer"])
    admin = Visitor(client, people["admin"])
    person_id, reset_token = add_person(client)

    role_id, level_id, specialty_id = catalog_ids()
    opening_id = _id_from(
        client.post(
            "/openings/new",
            data={
                "title": payload("ot"),
                "role_id": role_id,
                "level_id": level_id,
                "specialty_id": specialty_id,
                "hiring_manager_id": hm.id,
                "recruiter_id": recruiter.id,
                "status": "open",
            },
        ),
        r"/openings/(\d+)",
    )
    candidate_id = _id_from(
        client.post(
            f"/openings/{opening_id}/candidates/new",
            data={
                "name": payload("cn"),
                "email": EMAIL,
                "phone": PHONE,
                "location": payload("lo"),
                "links": LINK,
                "source": "referral",
            },
        ),
        r"/candidates/(\d+)",
    )
    application_id = db.session.scalar(
        select(Application.id).where(Application.candidate_id == candidate_id)
    )
    upload = {"resume_file": (io.BytesIO(pdf()), FILE_NAME)}
    _posted(client.post(f"/candidates/{candidate_id}/resume", data=upload))
    resume = db.session.scalar(select(Resume).where(Resume.candidate_id == candidate_id))
    assert resume.original_name == clean_filename(FILE_NAME, DocumentKind.PDF)
    resume_id = resume.id

    def move(kind: str, **fields: str) -> None:
        prefix = f"a{application_id}-{kind}-"
        url = f"/applications/{application_id}/move/{kind}"
        _posted(client.post(url, data={prefix + k: v for k, v in fields.items()}))

    move("advance", note=payload("mn"), from_stage="applied")
    move("advance", override_reason=payload("or"), from_stage="recruiter_screen")
    application = move_to_stage(db.session.get(Application, application_id), "peer")

    second = _plan_interview(opening_id, "Peer interview 2")
    _posted(
        client.post(
            f"/applications/{application_id}/interviews/{second.id}/schedule",
            data={
                f"s{second.id}-starts_at": "2030-03-04T10:00",
                f"s{second.id}-timezone": "UTC",
                f"s{second.id}-duration_minutes": "45",
                f"s{second.id}-video_url": VIDEO,
                f"s{second.id}-interviewer_ids": [other.id],
            },
        )
    )
    booked = db.session.scalar(select(Interview).where(Interview.plan_interview_id == second.id))
    _posted(
        client.post(
            f"/interviews/{booked.id}/reschedule",
            data={
                f"r{booked.id}-starts_at": "2030-03-05T10:00",
                f"r{booked.id}-timezone": "UTC",
                f"r{booked.id}-duration_minutes": "45",
                f"r{booked.id}-video_url": VIDEO,
                f"r{booked.id}-interviewer_ids": [other.id],
                f"r{booked.id}-reason": payload("rr"),
            },
        )
    )

    first = make_interview(application, [interviewer], "Peer interview 1")
    first_id = first.id
    sign_in_with_user_agent(client, interviewer.email)
    Visitor(client, db.session.get(User, interviewer.id))
    from tracker.services import scorecards

    focus = [f.requirement_id for f in scorecards.focus_for(first)]
    card = {f"rating-{r}": "yes" for r in focus} | {f"evidence-{r}": payload("ev") for r in focus}
    card |= {"recommendation": "yes", "key_takeaways": payload("kt")}
    _posted(
        client.post(f"/interviews/{first_id}/scorecard", data={**card, "submit_scorecard": "1"})
    )
    amended = {**card, "key_takeaways": payload("kt") + " (amended)", "reason": payload("ar")}
    _posted(client.post(f"/interviews/{first_id}/scorecard/amend", data=amended))

    admin.restore()
    _posted(
        client.post(f"/interviews/{booked.id}/cancel", data={f"c{booked.id}-reason": payload("cr")})
    )

    # A second application, rejected with a note.
    rejected_candidate = _id_from(
        client.post(
            f"/openings/{opening_id}/candidates/new",
            data={"name": "Rae Jected", "email": "rae@cand.example", "source": "referral"},
        ),
        r"/candidates/(\d+)",
    )
    rejected = db.session.scalar(
        select(Application.id).where(Application.candidate_id == rejected_candidate)
    )
    prefix = f"a{rejected}-reject-"
    _posted(
        client.post(
            f"/applications/{rejected}/move/reject",
            data={
                prefix + "reason": "other",
                prefix + "note": payload("rn"),
                prefix + "from_stage": "applied",
            },
        )
    )

    values = {
        "opening_id": opening_id,
        "candidate_id": candidate_id,
        "application_id": application_id,
        "interview_id": first_id,
        "plan_interview_id": second.id,
        "user_id": person_id,
        "resume_id": resume_id,
        "token": reset_token,
        "status": "active",
        "which": "due",
    }
    filtered = f"/admin/audit/?object_id={quote(payload('af'))}"
    yield (
        values,
        [
            f"/candidates/{rejected_candidate}",
            f"/interviews/{booked.id}",
            filtered,
            f"/openings/{opening_id}/applications/rejected",
            "/my/interviews/upcoming",
        ],
    )

    # The decision, by the hiring manager, with both notes.
    move_to_stage(db.session.get(Application, application_id), "decision")
    Visitor(client, db.session.get(User, hm.id))
    _posted(
        client.post(
            f"/applications/{application_id}/decision",
            data={
                "outcome": "reject",
                "rejection_reason": "requirement_gap",
                "rationale": payload("ra"),
                "against_note": payload("an"),
            },
        )
    )

    # No form edits the plan's names yet: written directly, to check the pages that show them.
    peer = _stage(opening_id, "peer")
    peer.name, peer.description = payload("sn"), payload("sd")
    _plan_interview(opening_id, "Peer interview 1").name = payload("pn")
    db.session.commit()
    yield values, []


def add_person(client: FlaskClient) -> tuple[int, str]:
    """A person added through the admin's form, without a password: the answer is their
    reset link, shown once. Returns their id and the link's token."""
    response = client.post(
        "/admin/people/new",
        data={"name": payload("pe"), "email": PERSON_EMAIL, "roles": ["interviewer"]},
    )
    assert response.status_code == 200, response.data[response.data.find(b"<main") :][:800]
    token = re.search(r"/reset/([A-Za-z0-9_-]+)", response.get_data(as_text=True))
    assert token, "no reset link on the page"
    person_id = db.session.scalar(select(User.id).where(User.email == PERSON_EMAIL))
    return person_id, token.group(1)


def sign_in_with_user_agent(client: FlaskClient, email: str) -> None:
    """A sign-in through the real page from a browser whose User-Agent is a payload: the
    account page lists it among the live sessions."""
    Visitor(client, None)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD}, headers={"User-Agent": USER_AGENT}
    )
    assert response.status_code == 302, response.status_code
    assert db.session.scalar(select(UserSession.id).where(UserSession.user_agent == USER_AGENT))


def read_every_page(
    app: Flask, client: FlaskClient, values: dict, more: list[str]
) -> dict[str, str]:
    """Every GET route's answer, by URL: HTML pages as text; other types must not be HTML
    (a JSON packet or calendar file is not rendered by the browser)."""
    pages = {}
    urls = [
        r.url
        for r in concrete_urls(app, values)
        if r.method == "GET" and r.endpoint not in STATIC_ENDPOINTS
    ]
    for url in urls + more:
        response = client.get(url, follow_redirects=True)
        if response.mimetype == "text/html":
            pages[url] = response.get_data(as_text=True)
        else:
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    return pages


def test_payloads_in_every_field_are_escaped_on_every_page(
    app: Flask, client: FlaskClient, people: dict
) -> None:
    seen = ""
    problems = []
    for values, more in fill_every_field(client, people):
        readers = ["admin@test.example", "xhm@test.example", "xiv@test.example"]
        for reader in db.session.scalars(select(User).where(User.email.in_(readers))):
            Visitor(client, reader)
            for url, html in read_every_page(app, client, values, more).items():
                problems += [f"{reader.email} {url}: {p}" for p in page_problems(html)]
                seen += html
    assert not problems, "\n".join(problems)
    unseen = sorted(TAGS[t] for t in TAGS if str(escape(payload(t))) not in seen)
    assert not unseen, f"fields whose escaped payload no page showed: {unseen}"
    for narrow in (EMAIL, PHONE, LINK, VIDEO, PERSON_EMAIL, USER_AGENT):
        assert str(escape(narrow)) in seen, narrow
    assert str(escape(clean_filename(FILE_NAME, DocumentKind.PDF))) in seen


def typed(value: object, text: str) -> object:
    """`text` in place of a field's value: in a list for a multiple choice, and as both
    the name and the content of a file."""
    if isinstance(value, list):
        return [text]
    if isinstance(value, tuple):
        return (io.BytesIO(text.encode()), text)
    return text


@pytest.mark.parametrize("endpoint", sorted(SUBMISSIONS))
def test_a_refused_form_shows_what_was_typed_escaped(
    client: FlaskClient, app: Flask, world: World, database: Database, endpoint: str
) -> None:
    """Each form, posted with the payload in every field, answers (errors and all) with
    the payload escaped."""
    case = SUBMISSIONS[endpoint]
    url = next(
        r.url
        for r in concrete_urls(app, {**url_values(world), **case.url(world)})
        if r.endpoint == endpoint and r.method == "POST"
    )
    case.visit(client, world)
    prefix = case.prefix(world)
    text = payload("pf")
    data = {(f"{prefix}-{k}" if prefix else k): typed(v, text) for k, v in case.data(world).items()}
    response = client.post(url, data=data, follow_redirects=True)
    assert response.status_code < 500
    if response.mimetype == "text/html":
        assert page_problems(response.get_data(as_text=True)) == []


# --- The templates themselves ----------------------------------------------------------

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
SOURCES = sorted((ROOT / "tracker").rglob("*.py"))

FORBIDDEN_IN_TEMPLATES = {
    "the |safe filter": re.compile(r"\|\s*safe\b"),
    "autoescape switched off": re.compile(r"autoescape\s+(false|False)"),
    "Markup()": re.compile(r"\bMarkup\s*\("),
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "an on* handler attribute": re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
FORBIDDEN_IN_CODE = {
    "Markup()": re.compile(r"\bMarkup\s*\("),
    "markupsafe": re.compile(r"\bmarkupsafe\b"),
    "render_template_string": re.compile(r"render_template_string"),
}


def scan(files: list, rules: dict[str, re.Pattern]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name, rule in rules.items()
        if rule.search(path.read_text())
    ]


def test_no_template_marks_text_safe_or_runs_inline_script() -> None:
    assert len(TEMPLATES) >= 20
    assert scan(TEMPLATES, FORBIDDEN_IN_TEMPLATES) == []


def test_no_code_builds_markup_or_templates_from_strings() -> None:
    assert scan(SOURCES, FORBIDDEN_IN_CODE) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "{{ note|safe }}",
        "{{ note | safe }}",
        "{% autoescape false %}",
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ],
)
def test_the_template_scan_sees_each_kind(snippet: str, tmp_path) -> None:
    page = tmp_path / "t.html"
    page.write_text(f"<div>{snippet}</div>")
    assert any(rule.search(page.read_text()) for rule in FORBIDDEN_IN_TEMPLATES.values())
