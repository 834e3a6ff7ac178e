"""Résumés through the test client: upload on the candidate page, the size limits and the
friendly 413, the download and its headers, who gets it, the interview kit, and the
candidate data export with its fresh sign-in."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from tests.account_support import make_stale
from tests.factories import PASSWORD, make_application, make_interview, make_opening
from tests.queries import count_page_queries
from tests.resume_files import docx, make_resume, pdf, store, xlsx
from tests.web.test_independence_notes import _setup as hm_owing_a_scorecard
from tracker.extensions import db
from tracker.models import Resume
from tracker.services import audit

MB = 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def application(people):
    opening = make_opening(people["hm"], people["recruiter"])
    return make_application(opening, people["recruiter"], name="Zoë Núñez")


@pytest.fixture
def candidate_url(application) -> str:
    return f"/candidates/{application.candidate_id}"


@pytest.fixture
def audit_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple]]:
    """What the résumé pages send to the audit trail (sign-in and sign-out entries aside)."""
    calls: dict[str, list[tuple]] = {"record": [], "viewed": []}

    def record(*a, **k) -> None:
        if not a[0].startswith(("login.", "logout")):
            calls["record"].append(a)

    monkeypatch.setattr(audit, "record", record)
    monkeypatch.setattr(audit, "viewed", lambda *a, **k: calls["viewed"].append(a))
    return calls


def as_(auth, people, who: str) -> None:
    auth.login(people[who].email)


def send(client, candidate_url: str, data: bytes, name: str = "cv.pdf", **kwargs):
    return client.post(
        f"{candidate_url}/resume",
        data={"resume_file": (io.BytesIO(data), name, "application/octet-stream")},
        content_type="multipart/form-data",
        **kwargs,
    )


def resume_count() -> int:
    return db.session.scalar(select(func.count(Resume.id)))


def stored_files() -> list:
    folder = store().directory
    return list(folder.iterdir()) if folder.exists() else []


def error_next_to_field(page: str) -> str:
    match = re.search(r'<div id="resume_file-error"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no error next to the file field"
    assert 'aria-describedby="resume_file-error' in page
    return match.group(1)


# --- Upload ------------------------------------------------------------------------------


def test_candidate_page_offers_a_separate_upload_form(client, auth, people, candidate_url):
    as_(auth, people, "recruiter")
    page = client.get(candidate_url).get_data(as_text=True)
    form = re.search(r'<form[^>]*action="[^"]*/resume"[^>]*>', page).group(0)
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form
    # a form of its own: the move forms and this one never share fields
    assert page.count('name="resume_file"') == 1
    assert f'data-max-bytes="{10 * MB}"' in page and 'data-limit-label="10 MB"' in page
    assert "PDF or Word (.docx), at most 10 MB." in page
    assert '<script src="/static/js/upload-limit.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert "No résumé uploaded yet." in page


def test_the_size_check_script_is_served_and_reads_the_limit_from_the_page(client) -> None:
    response = client.get("/static/js/upload-limit.js")
    script = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200
    assert "data-max-bytes" in script and "preventDefault" in script


def test_upload_a_pdf_then_download_it(client, auth, people, candidate_url, audit_calls):
    as_(auth, people, "recruiter")
    data = pdf(b"Zoe's experience")
    response = send(client, candidate_url, data, name="Zoë CV.pdf")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{candidate_url}#resume"
    page = client.get(candidate_url).get_data(as_text=True)
    assert "Résumé uploaded: Zoë CV.pdf." in page
    resume = db.session.scalars(select(Resume)).one()
    assert f'href="/resumes/{resume.id}"' in page
    assert audit_calls["record"] == [
        ("resume.upload", "resumes", resume.id, audit_calls["record"][0][3])
    ]

    download = client.get(f"/resumes/{resume.id}")
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Zo%C3%AB%20CV.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    csp = download.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "frame-ancestors 'none'" in csp
    assert download.headers["Cache-Control"] == "private, no-store"
    assert audit_calls["viewed"][-1] == (
        "resumes",
        resume.id,
        f"résumé of candidate {resume.candidate_id}",
    )


@pytest.mark.parametrize(
    ("data", "name", "stored_as", "content_type"),
    [
        (docx(), "cv.docx", "cv.docx", DOCX_TYPE),
        (pdf(), "cv.docx", "cv.pdf", "application/pdf"),  # a PDF renamed .docx is a PDF
        (docx(), "cv.pdf", "cv.docx", DOCX_TYPE),
    ],
)
def test_the_stored_type_follows_the_content(
    client, auth, people, candidate_url, data, name, stored_as, content_type
) -> None:
    as_(auth, people, "hm")
    assert send(client, candidate_url, data, name=name).status_code == 302
    resume = db.session.scalars(select(Resume)).one()
    assert (resume.original_name, resume.content_type) == (stored_as, content_type)
    assert client.get(f"/resumes/{resume.id}").mimetype == content_type


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03 a program", "cv.pdf", "not a PDF or a Word (.docx) document"),
        (b"<html><script>alert(1)</script></html>", "cv.pdf", "not a PDF or a Word"),
        (xlsx(), "cv.docx", "not a PDF or a Word"),
        (b"", "cv.pdf", "Choose a PDF or Word (.docx) file."),
    ],
)
def test_refused_files_get_a_message_next_to_the_field_and_store_nothing(
    client, auth, people, candidate_url, data, name, message
) -> None:
    as_(auth, people, "recruiter")
    response = send(client, candidate_url, data, name=name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in error_next_to_field(page)
    assert "Zoë Núñez" in page  # still the candidate page, with everything else on it
    assert resume_count() == 0 and stored_files() == []


def test_no_file_chosen_is_a_message_too(client, auth, people, candidate_url) -> None:
    as_(auth, people, "recruiter")
    response = client.post(f"{candidate_url}/resume", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a PDF or Word (.docx) file." in error_next_to_field(response.get_data(True))


def test_a_file_of_exactly_10_mb_is_accepted(client, auth, people, candidate_url) -> None:
    as_(auth, people, "recruiter")
    assert send(client, candidate_url, pdf().ljust(10 * MB, b" ")).status_code == 302
    assert db.session.scalars(select(Resume)).one().size_bytes == 10 * MB


def test_a_file_between_10_and_11_mb_gets_a_message_next_to_the_field(
    client, auth, people, candidate_url
) -> None:
    """Within the request limit, over the résumé limit: the page, not a 413."""
    as_(auth, people, "recruiter")
    response = send(client, candidate_url, pdf().ljust(10 * MB + 512 * 1024, b" "))
    assert response.status_code == 422
    assert "larger than 10 MB" in error_next_to_field(response.get_data(as_text=True))
    assert resume_count() == 0 and stored_files() == []


OVER = pdf().ljust(11 * MB + 1, b" ")


@pytest.mark.parametrize(
    ("referrer", "back"),
    [
        ("http://localhost/candidates/{id}?tab=x", "/candidates/{id}?tab=x"),
        ("https://evil.example/candidates/{id}", "/candidates/{id}"),
        ("http://localhost/\\evil.example", "/candidates/{id}"),
        ("http://localhost//evil.example/x", "/candidates/{id}"),
        ("javascript:alert(1)", "/candidates/{id}"),
        (None, "/candidates/{id}"),
    ],
)
def test_a_request_over_11_mb_gets_a_friendly_413(
    client, auth, people, application, candidate_url, referrer, back
) -> None:
    as_(auth, people, "recruiter")
    headers = {"Referer": referrer.format(id=application.candidate_id)} if referrer else {}
    response = send(client, candidate_url, OVER, headers=headers)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "A résumé may be at most 10 MB" in page
    assert "nothing was saved" in page
    links = re.findall(r'<a class="btn btn-primary" href="([^"]*)"', page)
    assert links == [back.format(id=application.candidate_id)]
    assert "evil.example" not in page and "javascript:" not in page
    assert resume_count() == 0 and stored_files() == []


def test_the_413_page_comes_before_the_csrf_check(app, client, auth, people, candidate_url) -> None:
    """With CSRF on, an oversized upload still gets the friendly page, not a form error."""
    as_(auth, people, "recruiter")
    app.config["WTF_CSRF_ENABLED"] = True
    response = send(client, candidate_url, OVER)
    assert response.status_code == 413
    assert "A résumé may be at most 10 MB" in response.get_data(as_text=True)


def test_a_413_elsewhere_falls_back_to_the_start_page(client, auth, people, application) -> None:
    as_(auth, people, "recruiter")
    response = client.post(
        f"/openings/{application.opening_id}/candidates/new",
        data={"name": "x" * (11 * MB + 1)},
        headers={"Referer": "https://evil.example/"},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'class="btn btn-primary"' not in page and 'href="/"' in page


@pytest.mark.parametrize("who", ["other_recruiter", "other_hm", "interviewer"])
def test_upload_by_someone_who_may_not_see_the_candidate_is_404(
    client, auth, people, application, candidate_url, who
) -> None:
    make_interview(application, [people["interviewer"]], stage_key="peer")
    as_(auth, people, who)
    assert send(client, candidate_url, pdf()).status_code == 404
    assert resume_count() == 0


def test_older_resumes_are_listed(client, auth, people, application, candidate_url) -> None:
    make_resume(application.candidate, people["recruiter"], name="first.pdf")
    make_resume(application.candidate, people["hm"], docx(), name="second.docx")
    as_(auth, people, "recruiter")
    page = client.get(candidate_url).get_data(as_text=True)
    current, earlier = page.split("Earlier résumés (1)")
    assert "second.docx" in current and "Word" in current and "Hal Manager" in current
    assert "first.pdf" in earlier and "Rex Recruiter" in earlier
    assert "Upload a newer résumé" in page


def test_candidate_page_query_count_does_not_grow_with_resumes(
    client, auth, people, application, candidate_url
) -> None:
    as_(auth, people, "recruiter")
    make_resume(application.candidate, people["recruiter"])
    small = count_page_queries(client, candidate_url)
    for _ in range(5):
        make_resume(application.candidate, people["recruiter"])
    assert count_page_queries(client, candidate_url) == small


def test_the_page_shows_only_the_cleaned_name(client, auth, people, application, candidate_url):
    make_resume(application.candidate, people["recruiter"], name="../a<img src=x>&\"c'.pdf")
    as_(auth, people, "recruiter")
    page = client.get(candidate_url).get_data(as_text=True)
    assert "<img" not in page and "a_img src_x_c.pdf" in page


# --- Download ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("recruiter", 200),
        ("hm", 200),
        ("interviewer", 200),  # has an interview of this candidate
        ("other_recruiter", 404),
        ("other_hm", 404),
    ],
)
def test_download_only_for_those_who_may_see_the_application(
    client, auth, people, application, who, status
) -> None:
    make_interview(application, [people["interviewer"]], stage_key="peer")
    resume = make_resume(application.candidate, people["recruiter"])
    as_(auth, people, who)
    response = client.get(f"/resumes/{resume.id}")
    assert response.status_code == status
    if status == 404:
        assert b"%PDF" not in response.data


def test_an_interviewer_without_an_interview_of_the_candidate_gets_404(
    client, auth, people, application
) -> None:
    resume = make_resume(application.candidate, people["recruiter"])
    as_(auth, people, "interviewer")
    assert client.get(f"/resumes/{resume.id}").status_code == 404
    assert client.get("/resumes/999999").status_code == 404


def test_download_needs_sign_in(client, people, application) -> None:
    resume = make_resume(application.candidate, people["recruiter"])
    response = client.get(f"/resumes/{resume.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- The interview kit -------------------------------------------------------------------


def test_the_kit_links_the_current_resume(client, auth, people, application) -> None:
    interview = make_interview(application, [people["interviewer"]], stage_key="peer")
    as_(auth, people, "interviewer")
    assert "None uploaded" in client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    make_resume(application.candidate, people["recruiter"], name="old.pdf")
    current = make_resume(application.candidate, people["recruiter"], docx(), name="new.docx")
    page = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert f'href="/resumes/{current.id}"' in page and "new.docx" in page
    assert "old.pdf" not in page
    assert client.get(f"/resumes/{current.id}").status_code == 200


# --- Candidate data export ---------------------------------------------------------------


def export_url(application) -> str:
    return f"/candidates/{application.candidate_id}/export"


def test_export_is_linked_from_the_candidate_page(client, auth, people, application, candidate_url):
    as_(auth, people, "hm")
    assert f'href="{export_url(application)}"' in client.get(candidate_url).get_data(True)


def test_export_is_the_candidates_data_only(client, auth, people, application, audit_calls) -> None:
    opening = application.opening
    other = make_application(opening, people["recruiter"], name="Someone Else")
    resume = make_resume(application.candidate, people["recruiter"], name="cv.pdf")
    as_(auth, people, "recruiter")
    response = client.get(export_url(application))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    document = json.loads(response.data)
    assert document["candidate"]["name"] == "Zoë Núñez"
    assert document["candidate"]["email"] == application.candidate.email
    [exported] = document["applications"]
    assert exported["id"] == application.id
    assert exported["opening"]["title"] == opening.title
    assert [e["move"] for e in exported["history"]] == ["apply"]
    assert document["resumes"][0]["sha256"] == resume.sha256
    assert "storage_key" not in json.dumps(document) and resume.storage_key not in response.text
    assert other.candidate.email not in response.text and "Someone Else" not in response.text
    assert audit_calls["record"][-1][:3] == (
        "candidate.export",
        "candidates",
        application.candidate_id,
    )


def test_export_shows_only_the_applications_the_user_may_see(
    client, auth, people, application
) -> None:
    elsewhere = make_opening(people["other_hm"], people["other_recruiter"], title="Elsewhere")
    make_application(elsewhere, people["admin"], email=application.candidate.email)
    as_(auth, people, "recruiter")
    document = client.get(export_url(application)).get_json()
    assert [a["opening"]["title"] for a in document["applications"]] == [application.opening.title]


@pytest.mark.parametrize("who", ["other_recruiter", "other_hm", "interviewer"])
def test_export_for_others_is_404(client, auth, people, application, who, audit_calls):
    make_interview(application, [people["interviewer"]], stage_key="peer")
    as_(auth, people, who)
    assert client.get(export_url(application)).status_code == 404
    assert audit_calls["record"] == []


def test_export_needs_a_fresh_sign_in(client, auth, people, application) -> None:
    as_(auth, people, "recruiter")
    make_stale(people["recruiter"].id)
    response = client.get(export_url(application))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")
    # other pages still work: only the export needs the fresh sign-in
    assert client.get(f"/candidates/{application.candidate_id}").status_code == 200
    confirmed = client.post(response.headers["Location"], data={"password": PASSWORD})
    assert confirmed.headers["Location"] == export_url(application)
    assert client.get(export_url(application)).status_code == 200


def test_export_needs_sign_in(client, application) -> None:
    response = client.get(export_url(application))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_export_withholds_notes_from_someone_who_owes_a_scorecard(client, auth, people):
    """The same independence rule as the candidate page: no notes until one's own is in."""
    application = hm_owing_a_scorecard(people)
    auth.login(people["hm"].email)
    withheld = client.get(export_url(application))
    assert "SECRET-NOTE" not in withheld.get_data(as_text=True)
    assert withheld.get_json()["applications"][0]["notes_withheld"] is True
    auth.logout()
    auth.login(people["recruiter"].email)
    shown = client.get(export_url(application)).get_data(as_text=True)
    assert "SECRET-NOTE from the screen" in shown
