"""The interview kit, the scorecard form and My interviews, through the test client."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import delete, select

from tests.factories import make_application, make_interview, make_opening, make_user
from tests.queries import count_page_queries
from tracker.domain.scoring import Rating, RatingInput, Recommendation
from tracker.extensions import db
from tracker.models import Interview, PlanInterviewFocus, Requirement, Scorecard
from tracker.models.types import utcnow
from tracker.services import scorecards
from tracker.services.catalog import requirement_set


def set_focus(interview: Interview, count: int = 3) -> list[int]:
    """Give the interview's plan interview exactly `count` focus requirements."""
    ids = [i.requirement_id for i in requirement_set(interview.application.opening)[:count]]
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
    return ids


class Controls(HTMLParser):
    """The form controls of a page, the labels pointing at them, and the fieldset legends
    around each control, so keyboard and screen-reader use can be checked."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.labels: set[str] = set()
        self.fieldsets: list[dict] = []  # stack of {"legend": str}
        self._in_legend = False
        self.bad_attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or (name == "tabindex" and int(value or 0) > 0):
                self.bad_attrs.append(f"{tag} {name}")
        if tag == "fieldset":
            self.fieldsets.append({"legend": ""})
        elif tag == "legend":
            self._in_legend = True
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag in ("input", "textarea", "select", "button"):
            a["_tag"] = tag
            a["_legends"] = [f["legend"].strip() for f in self.fieldsets]
            self.controls.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()
        elif tag == "legend":
            self._in_legend = False

    def handle_data(self, data: str) -> None:
        if self._in_legend and self.fieldsets:
            self.fieldsets[-1]["legend"] += " ".join(data.split()) + " "


def controls(page: str) -> Controls:
    parser = Controls()
    parser.feed(page)
    return parser


def checked(page: str, name: str) -> list[str]:
    return [
        c.get("value") for c in controls(page).controls if c.get("name") == name and "checked" in c
    ]


@pytest.fixture
def setup(people) -> dict:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Zoë Núñez")
    interview = make_interview(
        application, [people["interviewer"]], "Peer interview 1", stage_key="peer"
    )
    focus = set_focus(interview)
    return {"opening": opening, "application": application, "interview": interview, "focus": focus}


def kit_url(setup: dict) -> str:
    return f"/interviews/{setup['interview'].id}"


def test_kit_shows_candidate_interview_and_focus_in_full(client, auth, people, setup) -> None:
    """A plain interviewer (no recruiter or manager role) reaches the kit of their interview."""
    auth.login(people["interviewer"].email)
    response = client.get(kit_url(setup))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Zoë Núñez" in page and "Staff Security Engineer, SIRT" in page
    assert "Peer interview 1" in page and "45 minutes" in page
    assert 'href="https://meet.example/room"' in page
    assert "@cand.example" not in page  # no contact details in the kit
    for rid in setup["focus"]:
        requirement = db.session.get(Requirement, rid)
        assert str(escape(requirement.text)) in page
        assert requirement.key in page
    for label in ("Strong no", "No", "Yes", "Strong yes", "Not assessed", "Definitely not"):
        assert f">{label}</label>" in page
    assert 'value="Save draft"' in page and 'value="Submit scorecard"' in page
    # they still cannot see the candidate page: that belongs to the opening's owners
    candidate_id = setup["application"].candidate_id
    assert client.get(f"/candidates/{candidate_id}").status_code == 404


def test_kit_is_hidden_from_someone_with_no_part_in_it(client, auth, people, setup) -> None:
    make_user("out@test.example", "Otto Outsider", ["interviewer"])
    auth.login("out@test.example")
    assert client.get(kit_url(setup)).status_code == 404
    assert client.post(kit_url(setup) + "/scorecard", data={}).status_code == 404


def test_owner_sees_the_kit_but_may_not_write_its_scorecard(client, auth, people, setup) -> None:
    auth.login(people["hm"].email)
    page = client.get(kit_url(setup)).get_data(as_text=True)
    assert "Only the interviewers assigned" in page
    assert 'name="recommendation"' not in page
    response = client.post(
        kit_url(setup) + "/scorecard", data={"recommendation": "yes", "save_draft": "Save draft"}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(Scorecard.id)) is None


def test_form_errors_sit_next_to_their_fields_and_input_is_kept(
    client, auth, people, setup
) -> None:
    f0, f1, f2 = setup["focus"]
    auth.login(people["interviewer"].email)
    response = client.post(
        kit_url(setup) + "/scorecard",
        data={
            f"rating-{f0}": "strong_yes",  # but no evidence
            f"rating-{f1}": "no",
            f"evidence-{f1}": "Kept evidence: could not explain log retention.",
            "key_takeaways": "Kept takeaways <b>bold?</b>",
            "submit_scorecard": "Submit scorecard",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # each message sits in the error element its field points to
    assert f'id="evidence-{f0}-error"' in page
    assert "Evidence is required for a Strong yes rating." in page
    assert f'id="rating-{f2}-error"' in page and "Rate this requirement" in page
    assert 'id="recommendation-error"' in page and "Give an overall recommendation." in page
    parsed = {c.get("id"): c for c in controls(page).controls}
    assert f"evidence-{f0}-error" in parsed[f"evidence-{f0}"]["aria-describedby"]
    assert parsed[f"evidence-{f0}"]["aria-invalid"] == "true"
    # everything typed is still there
    assert checked(page, f"rating-{f0}") == ["strong_yes"]
    assert checked(page, f"rating-{f1}") == ["no"]
    assert "Kept evidence: could not explain log retention." in page
    assert "Kept takeaways &lt;b&gt;bold?&lt;/b&gt;" in page
    assert db.session.scalar(select(Scorecard.id)) is None


def test_an_unknown_rating_value_is_an_error_on_its_field(client, auth, people, setup) -> None:
    f0 = setup["focus"][0]
    auth.login(people["interviewer"].email)
    response = client.post(
        kit_url(setup) + "/scorecard", data={f"rating-{f0}": "amazing", "save_draft": "Save draft"}
    )
    assert response.status_code == 422
    assert "Choose one of the listed ratings." in response.get_data(as_text=True)


def test_submit_before_the_interview_starts_is_refused_with_a_message(
    client, auth, people, setup
) -> None:
    later = make_interview(
        setup["application"],
        [people["interviewer"]],
        "Peer interview 2",
        starts_at=utcnow() + timedelta(days=1),
        stage_key="peer",
    )
    set_focus(later, 0)
    auth.login(people["interviewer"].email)
    page = client.get(f"/interviews/{later.id}").get_data(as_text=True)
    assert "submitting opens when the interview starts" in page
    response = client.post(
        f"/interviews/{later.id}/scorecard",
        data={"recommendation": "yes", "submit_scorecard": "Submit scorecard"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "has not started yet" in page
    assert checked(page, "recommendation") == ["yes"]


def test_draft_survives_signing_out(client, auth, people, setup) -> None:
    f0, f1, _ = setup["focus"]
    auth.login(people["interviewer"].email)
    response = client.post(
        kit_url(setup) + "/scorecard",
        data={
            f"rating-{f0}": "yes",
            f"evidence-{f1}": "Half-written evidence for the second requirement.",
            "key_takeaways": "Draft takeaways.",
            "save_draft": "Save draft",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == kit_url(setup)
    auth.logout()
    auth.login(people["interviewer"].email)
    page = client.get(kit_url(setup)).get_data(as_text=True)
    assert "Draft last saved" in page
    assert checked(page, f"rating-{f0}") == ["yes"]
    assert checked(page, f"rating-{f1}") == []
    assert "Half-written evidence for the second requirement." in page
    assert "Draft takeaways." in page


def test_submit_then_amend_keeps_the_original_visible(client, auth, people, setup) -> None:
    f0, f1, f2 = setup["focus"]
    auth.login(people["interviewer"].email)
    data = {
        f"rating-{f0}": "strong_yes",
        f"evidence-{f0}": "Ran the tabletop exercise without notes.",
        f"rating-{f1}": "yes",
        f"rating-{f2}": "not_assessed",
        "recommendation": "yes",
        "key_takeaways": "Original takeaways.",
    }
    response = client.post(
        kit_url(setup) + "/scorecard", data={**data, "submit_scorecard": "Submit scorecard"}
    )
    assert response.status_code == 302
    page = client.get(kit_url(setup)).get_data(as_text=True)
    assert "Scorecard submitted." in page
    assert "Original submission" in page and "Ran the tabletop exercise without notes." in page
    assert 'value="Submit scorecard"' not in page  # locked: only an amendment now
    assert 'value="Amend scorecard"' in page
    # a second click on Submit does no harm
    again = client.post(
        kit_url(setup) + "/scorecard", data={**data, "submit_scorecard": "Submit scorecard"}
    )
    assert again.status_code == 302

    amended = {**data, "recommendation": "no", "key_takeaways": "Amended takeaways."}
    response = client.post(kit_url(setup) + "/scorecard/amend", data=amended)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reason-error"' in page and "Say why you are amending" in page
    assert '<details class="border rounded p-3 mb-3" open>' in page
    assert "Amended takeaways." in page and checked(page, "recommendation") == ["no"]

    response = client.post(
        kit_url(setup) + "/scorecard/amend",
        data={**amended, "reason": "Re-read my notes after the debrief."},
    )
    assert response.status_code == 302
    page = client.get(kit_url(setup)).get_data(as_text=True)
    assert "Amendment 1" in page and "Re-read my notes after the debrief." in page
    assert "Original submission" in page
    assert "Original takeaways." in page and "Amended takeaways." in page


def test_every_kit_control_is_a_labelled_native_control(client, auth, people, setup) -> None:
    """Usable from the keyboard alone: native controls, each labelled, radios grouped under
    a legend naming the requirement, no positive tabindex and no script handlers."""
    auth.login(people["interviewer"].email)
    page = client.get(kit_url(setup)).get_data(as_text=True)
    assert controls(page).bad_attrs == []
    parsed = controls(page[page.index("<main") : page.index("</main>")])
    texts = {rid: db.session.get(Requirement, rid).text for rid in setup["focus"]}
    kinds = set()
    for control in parsed.controls:
        kind = control.get("type", control["_tag"])
        kinds.add(kind)
        if kind in ("hidden", "submit"):
            continue
        assert control.get("id") in parsed.labels, control
        if kind == "radio":
            assert control["_legends"], control
            name = control["name"]
            if name.startswith("rating-"):
                rid = int(name.removeprefix("rating-"))
                assert " ".join(texts[rid].split()) in control["_legends"][0]
                assert control["_legends"][-1] == "Rating"
            else:
                assert control["_legends"] == ["Overall recommendation"]
        if control.get("name", "").startswith("evidence-"):
            rid = int(control["name"].removeprefix("evidence-"))
            assert " ".join(texts[rid].split()) in control["_legends"][0]
    assert {"radio", "textarea", "submit"} <= kinds
    submits = [c["value"] for c in parsed.controls if c.get("type") == "submit"]
    assert submits[-2:] == ["Save draft", "Submit scorecard"]


def _section(page: str, heading: str, next_heading: str | None) -> str:
    start = page.index(f'id="{heading}-heading"')
    end = page.index(f'id="{next_heading}-heading"') if next_heading else len(page)
    return page[start:end]


def test_my_interviews_lists_upcoming_due_then_overdue(client, auth, people, setup) -> None:
    application = setup["application"]
    user = people["interviewer"]
    now = utcnow()
    upcoming = make_interview(
        application, [user], starts_at=now + timedelta(days=1), stage_key="peer"
    )
    due = make_interview(application, [user], starts_at=now - timedelta(hours=1), stage_key="peer")
    overdue = make_interview(
        application, [user], starts_at=now - timedelta(days=3), stage_key="peer"
    )
    scorecards.save(
        overdue, user, [RatingInput(setup["focus"][0], Rating.YES, "")], None, "", submit=False
    )
    auth.login(user.email)
    page = client.get("/my/interviews").get_data(as_text=True)
    assert page.index("Upcoming") < page.index("Scorecards due") < page.index("Overdue")
    up, du, ov = (
        _section(page, "upcoming", "due"),
        _section(page, "due", "overdue"),
        _section(page, "overdue", None),
    )
    assert f'/interviews/{upcoming.id}"' in up
    assert f'/interviews/{due.id}"' in du and f'/interviews/{upcoming.id}"' not in du
    assert f'/interviews/{overdue.id}"' in ov and f'/interviews/{due.id}"' not in ov
    assert "Draft saved" in ov and "Draft saved" not in du
    assert "Zoë Núñez" in up and "Peer interviews" in up


def test_my_interviews_says_when_a_list_is_empty(client, auth, people) -> None:
    make_user("new@test.example", "Nia New", ["interviewer"])
    auth.login("new@test.example")
    page = client.get("/my/interviews").get_data(as_text=True)
    for empty in ("No upcoming interviews.", "No scorecards due.", "Nothing overdue."):
        assert empty in page


def test_my_interviews_query_count_does_not_grow(app, client, auth, people, setup) -> None:
    user = people["interviewer"]
    auth.login(user.email)
    small = count_page_queries(client, "/my/interviews")
    for days in range(-4, 5):
        other = make_application(setup["opening"], people["recruiter"])
        make_interview(other, [user], starts_at=utcnow() + timedelta(days=days), stage_key="peer")
    assert count_page_queries(client, "/my/interviews") == small
    assert small <= 6


def test_feedback_page_query_count_does_not_grow(app, client, auth, people, setup) -> None:
    """The recruiter (no interview of their own) reads every submitted scorecard."""
    application = setup["application"]
    focus = setup["focus"]

    def submitted_by(n: int) -> None:
        peer = make_user(f"peer{n}@test.example", f"Peer {n}", ["interviewer"])
        interview = make_interview(application, [peer], "Peer interview 2", stage_key="peer")
        set_focus(interview)
        ratings = [RatingInput(rid, Rating.YES, "fine") for rid in focus]
        scorecards.save(interview, peer, ratings, Recommendation.YES, "ok", submit=True)

    submitted_by(1)
    auth.login(people["recruiter"].email)
    url = f"/applications/{application.id}/feedback"
    small = count_page_queries(client, url)
    for n in range(2, 6):
        submitted_by(n)
    assert count_page_queries(client, url) == small
    assert "Peer 5" in client.get(url).get_data(as_text=True)


def test_a_stale_draft_sent_after_submitting_says_why_and_keeps_the_input(
    client, auth, people, setup
) -> None:
    """A second tab still showing the draft form: the message shows, and what was typed
    lands in the amendment form."""
    user = people["interviewer"]
    scorecards.save(setup["interview"], user, [], None, "", submit=False)
    ratings = [RatingInput(rid, Rating.YES, "") for rid in setup["focus"]]
    scorecards.save(setup["interview"], user, ratings, Recommendation.YES, "Sent.", submit=True)
    auth.login(user.email)
    response = client.post(
        kit_url(setup) + "/scorecard",
        data={"key_takeaways": "Typed in the stale tab.", "save_draft": "Save draft"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already submitted; to change it, amend it with a reason" in page
    assert "Typed in the stale tab." in page
    assert '<details class="border rounded p-3 mb-3" open>' in page


def test_submitting_for_a_cancelled_interview_is_refused_with_input_kept(
    client, auth, people, setup
) -> None:
    auth.login(people["interviewer"].email)
    page = client.get(kit_url(setup)).get_data(as_text=True)
    assert 'name="recommendation"' in page
    setup["interview"].status = "cancelled"
    db.session.commit()
    response = client.post(
        kit_url(setup) + "/scorecard",
        data={"recommendation": "no", "key_takeaways": "Typed.", "submit_scorecard": "Submit"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This interview was cancelled, so it takes no scorecard." in page
    assert checked(page, "recommendation") == ["no"] and "Typed." in page
    # on a fresh visit the kit says so instead of offering the form
    page = client.get(kit_url(setup)).get_data(as_text=True)
    assert "No scorecard is needed for a cancelled interview." in page
    assert 'name="recommendation"' not in page


# --- Values no choice offers ----------------------------------------------------------------

ODD_VALUES = [" ", "  ", "\t", " yes", "yes ", "YES", "amazing", "None", "0", "é"]


def _error_of(page: str, field: str) -> str:
    import re

    error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
    assert error, f"no error shown for {field}"
    return error.group(1).strip()


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("button", ["save_draft", "submit_scorecard"])
@pytest.mark.parametrize("which", ["rating", "recommendation"])
def test_a_choice_no_one_offered_is_an_error_on_its_field(
    client, auth, people, setup, value, button, which
) -> None:
    """Whitespace, another spelling or a made-up value: 422 with the message on the field."""
    f0 = setup["focus"][0]
    field = f"rating-{f0}" if which == "rating" else "recommendation"
    auth.login(people["interviewer"].email)
    response = client.post(
        kit_url(setup) + "/scorecard",
        data={field: value, "key_takeaways": "Typed before the odd value.", button: "x"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _error_of(page, field).startswith("Choose one of the listed")
    assert "Typed before the odd value." in page
    assert db.session.scalar(select(Scorecard.id)) is None


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("which", ["rating", "recommendation"])
def test_an_amendment_with_a_choice_no_one_offered_is_an_error_on_its_field(
    client, auth, people, setup, value, which
) -> None:
    f0, f1, f2 = setup["focus"]
    user = people["interviewer"]
    interview = db.session.get(Interview, setup["interview"].id)
    complete = [
        RatingInput(f0, Rating.YES, ""),
        RatingInput(f1, Rating.NO, ""),
        RatingInput(f2, Rating.NOT_ASSESSED, ""),
    ]
    scorecards.save(interview, user, complete, Recommendation.YES, "First", submit=True)
    field = f"rating-{f0}" if which == "rating" else "recommendation"
    data = {
        f"rating-{f0}": "yes",
        f"rating-{f1}": "no",
        f"rating-{f2}": "not_assessed",
        "recommendation": "yes",
        "reason": "Second thoughts",
        field: value,
    }
    auth.login(user.email)
    response = client.post(kit_url(setup) + "/scorecard/amend", data=data)
    assert response.status_code == 422
    assert _error_of(response.get_data(as_text=True), field).startswith("Choose one of the listed")
    db.session.expire_all()
    assert db.session.scalar(select(Scorecard.revision)) == 1


def test_my_interviews_page_drops_a_closed_applications_interviews(
    client, auth, people, setup
) -> None:
    user = people["interviewer"]
    overdue = make_interview(
        setup["application"], [user], starts_at=utcnow() - timedelta(days=3), stage_key="peer"
    )
    auth.login(user.email)
    assert f'/interviews/{overdue.id}"' in client.get("/my/interviews").get_data(as_text=True)
    application = db.session.get(type(setup["application"]), setup["application"].id)
    application.status = "withdrawn"
    db.session.commit()
    page = client.get("/my/interviews").get_data(as_text=True)
    assert f'/interviews/{overdue.id}"' not in page
    assert f'/interviews/{setup["interview"].id}"' not in page
    for empty in ("No upcoming interviews.", "No scorecards due.", "Nothing overdue."):
        assert empty in page
    # the kit itself stays reachable from the interview's own link
    assert client.get(f"/interviews/{overdue.id}").status_code == 200
