"""The review page, the decision form, the packet and the work lists through the test
client: content, access (independence included), kept input and query counts."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.queries import count_page_queries
from tests.review_helpers import Panel, build_panel, complete_peer_gate, write_scorecard
from tracker.extensions import db
from tracker.models import Application, Decision, StageEventRecord
from tracker.models.types import utcnow


@pytest.fixture
def panel(people) -> Panel:
    return build_panel(people)


def login(auth, people, who: str) -> None:
    auth.logout()
    auth.login(people[who].email)


def url(panel: Panel, what: str) -> str:
    return f"/applications/{panel.application.id}/{what}"


def decide(client, panel: Panel, **data):
    return client.post(url(panel, "decision"), data=data)


def written(panel: Panel) -> tuple[int, int]:
    return (
        db.session.scalar(
            select(func.count()).where(Decision.application_id == panel.application.id)
        ),
        db.session.scalar(
            select(func.count()).where(StageEventRecord.application_id == panel.application.id)
        ),
    )


# --- The review page ---------------------------------------------------------------------


def test_review_page_shows_the_matrix(client, auth, people, panel) -> None:
    login(auth, people, "hm")
    response = client.get(url(panel, "review"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    headers = re.findall(r'<th scope="col">([^<]+)<br><span class="fw-normal">([^<]+)</span>', page)
    assert headers == [
        ("Hiring manager interview", "Hal Manager"),
        ("Peer interview 1", "Ivy Interviewer"),
        ("Peer interview 2", "Pete Peer"),
    ]
    row = page[page.index(f'id="requirement-{panel.r1}"') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'<span class="badge [^"]+">([^<]+)</span>', row) == [
        "Strong yes",
        "No",
        "Yes",
        "Disagreement",
    ]
    assert "<summary>Evidence</summary>" in row
    assert "Led the 2023 ransomware response end to end." in row
    assert "<td>3</td>" in row and "<td>3.00</td>" in row
    second = page[page.index(f'id="requirement-{panel.r2}"') :]
    assert "<td>3.33</td>" in second[: second.index("</tr>")]
    assert ">General</th>" in page and ">Specialty</th>" in page  # grouped by category
    assert "Unassessed requirements" in page
    assert "Panel aggregate: Yes (mean 3.00 of 4)" in page
    assert "Computed the same way for every candidate" in page
    assert "Strong incident lead." in page
    assert "Draft thoughts" not in page and "Definitely not<" not in page  # the draft
    assert f'href="/applications/{panel.application.id}/packet.json?download=1"' in page


def test_decision_form_waits_for_the_stage_to_complete(client, auth, people, panel) -> None:
    login(auth, people, "hm")
    page = client.get(url(panel, "review")).get_data(as_text=True)
    assert "Peer interview 2: no submitted scorecard from Dee Drafter." in page
    assert f'action="{url(panel, "decision")}"' not in page


def test_recruiter_sees_the_review_but_no_decision_form(client, auth, people, panel) -> None:
    complete_peer_gate(panel)
    login(auth, people, "recruiter")
    page = client.get(url(panel, "review")).get_data(as_text=True)
    assert "Panel aggregate" in page and "Record the decision" not in page
    assert decide(client, panel, outcome="advance", rationale="x").status_code == 403


@pytest.mark.parametrize("who", ["interviewer", "other_hm", "other_recruiter"])
def test_others_get_404(client, auth, people, panel, who) -> None:
    login(auth, people, who)
    for what in ("review", "packet.json"):
        assert client.get(url(panel, what)).status_code == 404, what
    assert decide(client, panel, outcome="advance", rationale="x").status_code == 404


# --- The decision ------------------------------------------------------------------------


def test_decision_errors_sit_next_to_fields_and_keep_input(client, auth, people, panel) -> None:
    complete_peer_gate(panel)
    login(auth, people, "hm")
    page = client.get(url(panel, "review")).get_data(as_text=True)
    assert "The panel&#39;s aggregate is Yes (mean 3.00 of 4): rejecting goes against it." in page
    assert "Coverage override reason" in page  # there are unassessed requirements
    before = written(panel)
    response = decide(client, panel, outcome="reject", rationale="My typed rationale")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="rejection_reason-error"[^>]*>Choose a rejection reason', page)
    assert re.search(r'id="against_note-error"[^>]*>This decision goes against', page)
    assert "My typed rationale</textarea>" in page
    assert re.search(r'value="reject"[^>]*checked|checked[^>]*value="reject"', page)
    assert written(panel) == before


def test_decision_without_outcome_says_so(client, auth, people, panel) -> None:
    complete_peer_gate(panel)
    login(auth, people, "hm")
    response = decide(client, panel, rationale="Typed")
    assert response.status_code == 422
    assert "Choose the decision: advance, reject or make an offer." in response.get_data(
        as_text=True
    )


def test_decision_is_recorded_and_moves_the_application(client, auth, people, panel) -> None:
    complete_peer_gate(panel)
    login(auth, people, "hm")
    response = decide(client, panel, outcome="advance", rationale="Strong panel")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(panel, "review"))
    db.session.expire_all()
    application = db.session.get(Application, panel.application.id)
    assert application.stage.key == "director"
    page = client.get(url(panel, "review")).get_data(as_text=True)
    assert "Decision recorded (Advance)" in page
    assert "Decisions taken" in page and "Strong panel" in page


def test_offer_needs_the_coverage_override_on_the_page(client, auth, people, panel) -> None:
    move_to_stage(panel.application, "decision")
    login(auth, people, "hm")
    response = decide(client, panel, outcome="offer", rationale="Hire")
    assert response.status_code == 422
    assert re.search(
        r'id="coverage_override-error"[^>]*>\d+ requirement\(s\) of this opening were never',
        response.get_data(as_text=True),
    )
    response = decide(
        client, panel, outcome="offer", rationale="Hire", coverage_override="References"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, panel.application.id).stage.key == "offer"


# --- The packet --------------------------------------------------------------------------


def test_packet_json(client, auth, people, panel) -> None:
    login(auth, people, "recruiter")
    response = client.get(url(panel, "packet.json"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "Content-Disposition" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert {c["interviewer"]["name"] for c in data["scorecards"]} == {
        "Hal Manager",
        "Ivy Interviewer",
        "Pete Peer",
    }
    assert data["aggregate"] == {"count": 3, "mean": 3.0, "verdict": "yes"}
    assert data["opening"]["title"] == "Staff Security Engineer, SIRT"
    assert "Draft thoughts" not in response.get_data(as_text=True)
    download = client.get(url(panel, "packet.json") + "?download=1")
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="application-{panel.application.id}-packet.json"'
    )
    assert json.loads(download.get_data(as_text=True))["scorecards"] == data["scorecards"]


# --- Independence ------------------------------------------------------------------------


def test_hiring_manager_who_interviews_sees_nothing_until_submitting(
    client, auth, people, panel
) -> None:
    """Hal manages the opening and conducts the director round: before his scorecard for it
    is in, the review, the packet and the decision do not exist for him, and the candidate
    page neither links to them nor hints at how many scorecards are in."""
    move_to_stage(panel.application, "director")
    interview = make_interview(panel.application, [people["hm"]], "Director / CISO interview")
    login(auth, people, "hm")
    assert client.get(url(panel, "review")).status_code == 404
    assert client.get(url(panel, "packet.json")).status_code == 404
    assert client.get(url(panel, "packet.json") + "?download=1").status_code == 404
    assert decide(client, panel, outcome="reject", rationale="x").status_code == 404
    page = client.get(f"/candidates/{panel.application.candidate_id}").get_data(as_text=True)
    assert url(panel, "review") not in page
    assert "once your own scorecards for this candidate are submitted" in page
    for leak in ("Strong yes", "Panel aggregate", "Strong incident lead", "Vague on containment"):
        assert leak not in page
    write_scorecard(interview, people["hm"], {}, "yes")
    assert client.get(url(panel, "review")).status_code == 200
    assert client.get(url(panel, "packet.json")).status_code == 200
    page = client.get(f"/candidates/{panel.application.candidate_id}").get_data(as_text=True)
    assert url(panel, "review") in page


def test_recruiter_who_interviews_sees_only_their_own_due_row(client, auth, people, panel) -> None:
    """Who else has or has not submitted is feedback too, so it stays hidden."""
    move_to_stage(panel.application, "director")
    make_interview(panel.application, [people["recruiter"]], "Director / CISO interview")
    login(auth, people, "recruiter")
    page = client.get("/scorecards/due").get_data(as_text=True)
    assert "Rex Recruiter (you)" in page
    assert "Dee Drafter" not in page


# --- Work lists --------------------------------------------------------------------------


def test_scorecards_due_lists_missing_scorecards_oldest_first(client, auth, people, panel) -> None:
    old = make_application(panel.application.opening, people["recruiter"], name="Olga Old")
    move_to_stage(old, "recruiter_screen")
    make_interview(old, [people["recruiter"]], starts_at=utcnow() - timedelta(days=3))
    login(auth, people, "recruiter")
    page = client.get("/scorecards/due").get_data(as_text=True)
    names = re.findall(r'">([^<]+)</a></td>', page)
    assert names == ["Olga Old", "Rhea Review"]  # the three-day-old interview first
    assert "Overdue" in page and "Due</span>" in page
    assert "Dee Drafter" in page and "draft saved" in page
    assert "Ivy Interviewer" not in page and "Pete Peer" not in page  # submitted


def test_needs_decision_links_to_the_review(client, auth, people, panel) -> None:
    login(auth, people, "hm")
    assert "Rhea Review" not in client.get("/decisions/needed").get_data(as_text=True)
    complete_peer_gate(panel)
    page = client.get("/decisions/needed").get_data(as_text=True)
    assert f'<a href="{url(panel, "review")}">Rhea Review</a>' in page
    assert "All 3" in page  # Ivy, Pete and Dee


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/scorecards/due", "hm"),
        ("/decisions/needed", "recruiter"),
        ("/scorecards/due", "interviewer"),
        ("/decisions/needed", "interviewer"),
    ],
)
def test_work_lists_are_for_their_roles(client, auth, people, path, who) -> None:
    login(auth, people, who)
    assert client.get(path).status_code == 403


def _more_work(people, panel: Panel, n: int) -> None:
    """n more candidates on new openings, each with a late scorecard and a stage ready for
    a decision, so both lists grow."""
    for i in range(n):
        opening = make_opening(people["hm"], people["recruiter"], title=f"Opening {i}")
        application = make_application(opening, people["recruiter"])
        move_to_stage(application, "peer")
        peer = make_user(f"peer{i}@test.example", f"Peer {i}", ["interviewer"])
        done = make_interview(application, [peer], "Peer interview 1")
        write_scorecard(done, peer, {panel.r1: ("yes", "")}, "yes")
        other = make_application(opening, people["recruiter"])
        move_to_stage(other, "hiring_manager")
        make_interview(other, [peer, people["interviewer"]])
        decided = make_application(opening, people["recruiter"])
        move_to_stage(decided, "decision")


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/scorecards/due", "recruiter"),
        ("/decisions/needed", "hm"),
        ("review", "hm"),
        ("packet.json", "hm"),
    ],
)
def test_query_counts_do_not_grow(client, auth, people, panel, path, who) -> None:
    complete_peer_gate(panel)
    login(auth, people, who)
    address = path if path.startswith("/") else url(panel, path)
    small = count_page_queries(client, address)
    _more_work(people, panel, 4)
    # the reviewed application gets more interviews and scorecards too
    for i in range(3):
        extra = make_user(f"extra{i}@test.example", f"Extra {i}", ["interviewer"])
        interview = make_interview(panel.application, [extra], "Peer interview 1")
        write_scorecard(interview, extra, {panel.r2: ("no", "e"), panel.r3: ("yes", "")}, "no")
    large = count_page_queries(client, address)
    assert large == small
    assert small <= 25  # 3 of them write the audit entry of the view


def test_page_warns_when_advancing_would_go_against_a_no(client, auth, people, panel) -> None:
    from tracker.models import Scorecard

    complete_peer_gate(panel)
    for card in db.session.scalars(select(Scorecard)):
        card.recommendation = "no"
    db.session.commit()
    login(auth, people, "hm")
    page = client.get(url(panel, "review")).get_data(as_text=True)
    assert "Panel aggregate: No (mean 2.00 of 4)" in page
    assert "advancing or making an offer goes against it." in page
    response = decide(client, panel, outcome="advance", rationale="Promising")
    assert response.status_code == 422
    assert re.search(r'id="against_note-error"[^>]*>This decision goes against', response.text)
    response = decide(
        client, panel, outcome="advance", rationale="Promising", against_note="Peers were harsh"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Decision.against_aggregate)) is True


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": " ", "rationale": "x"},
        {"outcome": "teleport", "rationale": "x"},
        {"outcome": "reject", "rejection_reason": " ", "rationale": "x"},
    ],
)
def test_odd_decision_values_get_a_message_not_an_error(client, auth, people, data) -> None:
    """Whitespace or unknown choices are answered on the form (422), never with a 500."""
    from tests.factories import make_application, make_opening, move_to_stage

    opening = make_opening(people["hm"], people["recruiter"])
    application = move_to_stage(make_application(opening, people["recruiter"]), "decision")
    auth.login(people["hm"].email)
    response = client.post(f"/applications/{application.id}/decision", data=data)
    assert response.status_code == 422


def test_downloading_the_packet_needs_a_fresh_sign_in(client, auth, people, panel) -> None:
    """Reading the packet in the browser is a page; taking it away is an export."""
    from tests.account_support import make_stale
    from tests.factories import PASSWORD

    login(auth, people, "hm")
    make_stale(people["hm"].id)
    address = url(panel, "packet.json") + "?download=1"

    assert client.get(url(panel, "packet.json")).status_code == 200
    stale = client.get(address)
    assert stale.status_code == 302
    assert stale.headers["Location"].startswith("/reauthenticate")
    confirmed = client.post(stale.headers["Location"], data={"password": PASSWORD})
    assert confirmed.headers["Location"] == address
    assert "attachment" in client.get(address).headers["Content-Disposition"]
