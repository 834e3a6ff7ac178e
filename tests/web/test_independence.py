"""Independent judgement, enforced by the server: until an interviewer has submitted their
own scorecard for an application, no page they can reach shows anyone else's feedback."""

from __future__ import annotations

import itertools
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from tests.factories import make_application, make_interview, make_opening, make_user
from tests.resume_files import resume_id_for
from tracker.domain.scoring import Rating, RatingInput, Recommendation
from tracker.extensions import db
from tracker.models import Interview, PlanInterviewFocus, Scorecard
from tracker.services import scorecards
from tracker.services.catalog import requirement_set

EVIDENCE_MARKER = "Peer1-evidence-marker-q7Zx"
TAKEAWAY_MARKER = "Peer1-takeaway-marker-W3kp"
MARKERS = (EVIDENCE_MARKER, TAKEAWAY_MARKER)
# The other scorecard's recommendation (Definitely not) and rating (Strong no) as each page
# or export shows them, the panel's aggregate, and the counts: none of these patterns can
# appear on a page that does not show someone's feedback (the kit's own form offers the
# same labels, but as radio labels, never in these contexts). A blocked user in these tests
# never submits Definitely not or Strong no themselves.
LEAK_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"<strong>\s*Definitely not\s*</strong>",  # review: a column's recommendation
        r"Overall recommendation:</strong>\s*Definitely not",  # feedback page
        r"<td>\s*Strong no\s*</td>",  # feedback page: a rating
        r"text-bg-danger\">\s*Strong no",  # review: a rating cell
        r"\"recommendation\"\s*:\s*\"definitely_not\"",  # packet JSON
        r"\"rating\"\s*:\s*\"strong_no\"",  # packet JSON
        r"\"(?:aggregate|requirement_summaries|scorecards)\"\s*:",  # packet JSON
        r"\b(?:Yes|No) \(mean \d",  # Aggregate.label, e.g. "No (mean 1.00 of 4)"
        r"Panel aggregate",
        r"Mean</th>",
        r"\b\d+ submitted scorecards?\b",  # review: how many are in
        r"\(\d+ recommendations?\)",
        r">Disagreement<|with a disagreement",
        r"<td>All \d+</td>",  # Needs decision: how many scorecards are in
        r"Review the scorecards",  # candidate page: the link to the review
    )
)
# Route arguments this test cannot fill are listed here when they appear, so a new page
# never goes unchecked silently: the test fails on an argument it does not know.
SKIP_ARGS = {"filename"}


def set_focus(interview: Interview, ids: list[int]) -> None:
    db.session.execute(
        delete(PlanInterviewFocus).where(
            PlanInterviewFocus.plan_interview_id == interview.plan_interview_id
        )
    )
    for rid in ids:
        db.session.add(
            PlanInterviewFocus(plan_interview_id=interview.plan_interview_id, requirement_id=rid)
        )
    db.session.commit()


@pytest.fixture
def panel(people) -> dict:
    """An application with two peer interviews; peer1 has submitted, peer2 has not."""
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Zoë Núñez")
    peer1 = people["interviewer"]
    peer2 = make_user("peer2@test.example", "Pia Peer", ["interviewer"])
    first = make_interview(application, [peer1], "Peer interview 1", stage_key="peer")
    second = make_interview(application, [peer2], "Peer interview 2", stage_key="peer")
    ids = [i.requirement_id for i in requirement_set(opening)[:4]]
    set_focus(first, ids[:2])
    set_focus(second, ids[2:])
    scorecards.save(
        first,
        peer1,
        [
            RatingInput(ids[0], Rating.STRONG_NO, f"{EVIDENCE_MARKER}: could not triage."),
            RatingInput(ids[1], Rating.NO, ""),
        ],
        Recommendation.DEFINITELY_NOT,
        f"{TAKEAWAY_MARKER}: not ready.",
        submit=True,
    )
    return {
        "opening": opening,
        "application": application,
        "peer1": peer1,
        "peer2": peer2,
        "first": first,
        "second": second,
        "focus": ids,
    }


def reachable_get_urls(app: Flask, panel: dict) -> list[tuple[str, str]]:
    """Every GET route of the app with this panel's ids filled in (each interview's id in
    turn), so pages added later are checked too."""
    application = panel["application"]
    interviews = panel.get("interviews") or [panel["first"], panel["second"]]
    scorecard_id = db.session.scalar(select(Scorecard.id).where(Scorecard.status == "submitted"))
    values: dict[str, list[object]] = {
        "opening_id": [panel["opening"].id],
        "candidate_id": [application.candidate_id],
        "application_id": [application.id],
        "interview_id": [i.id for i in interviews],
        "scorecard_id": [scorecard_id],
        "stage_id": sorted({application.stage_id, *(i.stage_id for i in interviews)}),
        "plan_interview_id": sorted({i.plan_interview_id for i in interviews}),
        "requirement_id": panel["focus"][:1],
        "user_id": [panel["peer1"].id],
        "move": ["advance"],
        "status": ["active", "hired", "rejected", "withdrawn"],
        "which": ["upcoming", "due", "overdue"],
        "resume_id": [resume_id_for(application)],
        "token": ["no-such-reset-token"],
    }
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.arguments & SKIP_ARGS:
            continue
        unknown = rule.arguments - set(values)
        assert not unknown, f"{rule.endpoint}: teach this test the argument(s) {unknown}"
        names = sorted(rule.arguments)
        for combo in itertools.product(*(values[n] for n in names)):
            url = rule.build(dict(zip(names, combo, strict=True)), append_unknown=False)[1]
            out.append((rule.endpoint, url))
    return out


def leaks(body: str, application_id: int) -> list[str]:
    """What of the other scorecard, the panel's aggregate or the counts a page shows,
    including a link to where they are shown."""
    found = [m for m in MARKERS if m in body]
    found += [p.pattern for p in LEAK_PATTERNS if p.search(body)]
    for page in ("review", "packet.json", "feedback"):
        if f'href="/applications/{application_id}/{page}' in body:
            found.append(f"link to {page}")
    return found


def assert_nothing_leaks(app: Flask, client: FlaskClient, panel: dict) -> set[str]:
    """GET every page; none may carry the other scorecard's evidence, takeaways, ratings or
    recommendation, the aggregate, a count, or a link to them. Returns the endpoints that
    answered 200, so the caller can check the walk reached the pages that matter."""
    answered = set()
    application_id = panel["application"].id
    for endpoint, url in reachable_get_urls(app, panel):
        for address in (url, f"{url}?download=1"):
            response = client.get(address)
            assert not leaks(response.get_data(as_text=True), application_id), (endpoint, address)
            if response.status_code == 200:
                answered.add(endpoint)
    return answered


def test_the_leak_patterns_find_what_the_feedback_pages_show(client, auth, people, panel) -> None:
    """The patterns are not vacuous: on the pages that do show the feedback, to someone
    allowed to see it, each kind of marker is found."""
    application_id = panel["application"].id
    auth.login(people["recruiter"].email)
    review = client.get(f"/applications/{application_id}/review").get_data(as_text=True)
    packet = client.get(f"/applications/{application_id}/packet.json").get_data(as_text=True)
    feedback = client.get(f"/applications/{application_id}/feedback").get_data(as_text=True)
    candidate = client.get(f"/candidates/{panel['application'].candidate_id}").get_data(
        as_text=True
    )
    found = set(leaks(review, application_id) + leaks(packet, application_id))
    found |= set(leaks(feedback, application_id) + leaks(candidate, application_id))
    assert set(MARKERS) <= found
    # every pattern but the Needs decision count (a hiring manager's page) is seen here
    assert {p.pattern for p in LEAK_PATTERNS} - found == {r"<td>All \d+</td>"}
    assert "link to packet.json" in found and "link to review" in found


def test_peer_who_has_not_submitted_sees_no_other_feedback_anywhere(
    app, client, auth, people, panel
) -> None:
    auth.login(panel["peer2"].email)
    feedback_url = f"/applications/{panel['application'].id}/feedback"
    assert client.get(feedback_url).status_code == 404
    answered = assert_nothing_leaks(app, client, panel)
    assert {"scorecards.kit", "scorecards.my_interviews"} <= answered
    # not even the recommendation, a count or a link to the feedback
    for url in (f"/interviews/{panel['second'].id}", "/my/interviews"):
        page = client.get(url).get_data(as_text=True)
        assert feedback_url not in page
        assert "Ivy Interviewer" not in page  # peer1's name: no trace of their scorecard
    assert "Definitely not" not in client.get("/my/interviews").get_data(as_text=True)
    # peer1's own kit is not theirs to open
    assert client.get(f"/interviews/{panel['first'].id}").status_code == 404


def test_after_submitting_the_peer_sees_the_others_feedback(
    app, client, auth, people, panel
) -> None:
    second, (_, _, f2, f3) = panel["second"], panel["focus"]
    auth.login(panel["peer2"].email)
    response = client.post(
        f"/interviews/{second.id}/scorecard",
        data={
            f"rating-{f2}": "yes",
            f"rating-{f3}": "not_assessed",
            "recommendation": "yes",
            "key_takeaways": "Peer2's own view.",
            "submit_scorecard": "Submit scorecard",
        },
    )
    assert response.status_code == 302
    kit = client.get(f"/interviews/{second.id}").get_data(as_text=True)
    feedback_url = f"/applications/{panel['application'].id}/feedback"
    assert feedback_url in kit
    response = client.get(feedback_url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert EVIDENCE_MARKER in page and TAKEAWAY_MARKER in page
    assert "Definitely not" in page and "Ivy Interviewer" in page
    assert "Peer2&#39;s own view." not in page  # their own is on their kit, not here


def test_hiring_manager_who_also_interviews_sees_nothing_until_submitting(
    app, client, auth, people, panel
) -> None:
    """Owning the opening does not lift the rule: as an interviewer on this application,
    the hiring manager sees no feedback (feedback page, candidate page, review pages) until
    their own scorecard is in."""
    hm = people["hm"]
    hm_interview = make_interview(panel["application"], [hm], stage_key="hiring_manager")
    set_focus(hm_interview, [])
    auth.login(hm.email)
    feedback_url = f"/applications/{panel['application'].id}/feedback"
    assert client.get(feedback_url).status_code == 404
    answered = assert_nothing_leaks(app, client, panel)
    assert {"scorecards.kit", "candidates.show", "openings.board"} <= answered

    response = client.post(
        f"/interviews/{hm_interview.id}/scorecard",
        data={"recommendation": "no", "submit_scorecard": "Submit scorecard"},
    )
    assert response.status_code == 302
    page = client.get(feedback_url).get_data(as_text=True)
    assert EVIDENCE_MARKER in page and TAKEAWAY_MARKER in page


def test_opening_owner_who_does_not_interview_reads_the_feedback(
    client, auth, people, panel
) -> None:
    auth.login(people["recruiter"].email)
    page = client.get(f"/applications/{panel['application'].id}/feedback").get_data(as_text=True)
    assert EVIDENCE_MARKER in page


def test_someone_with_no_part_in_the_application_gets_404(client, auth, people, panel) -> None:
    for who in ("other_hm", "other_recruiter"):
        auth.login(people[who].email)
        assert client.get(f"/applications/{panel['application'].id}/feedback").status_code == 404
        auth.logout()
