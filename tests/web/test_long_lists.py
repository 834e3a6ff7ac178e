"""Long lists a page at a time, through the test client: the candidate list, the rest of a
board column, an opening's closed applications and the lists of My interviews. Each is
read by keyset (the cursor in the Next and Previous links), never by OFFSET: the pages
follow on, hold the page size, refuse a cursor they did not write with a clear 400, and
a cursor changed by hand reveals nothing the viewer may not see.

Pages hold 3 rows here, and a board column 2 cards.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_application, make_interview, make_opening, move_to_stage
from tracker.domain.pagination import encode
from tracker.extensions import db
from tracker.models import Application, Candidate, PlanStage
from tracker.models.types import utcnow
from tracker.paging import BAD_LINK

SMALL = {"PAGE_SIZE": 3, "BOARD_CARDS": 2}
pytestmark = pytest.mark.parametrize("app", [SMALL], indirect=True)

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def login(auth, people, who: str) -> None:
    auth.logout()
    auth.login(people[who].email)


def names(page: str) -> list[str]:
    """The candidates a list or board links to, in page order."""
    return [
        html.unescape(n)
        for n in re.findall(r'<a (?:class="[^"]*" )?href="/candidates/\d+[^"]*">([^<]+)</a>', page)
    ]


def link(page: str, label: str) -> str | None:
    found = re.search(rf'<a class="[^"]*" href="([^"]+)"(?: rel="\w+")?>{label}</a>', page)
    return html.unescape(found.group(1)) if found else None


def walk(client, url: str) -> list[list[str]]:
    """Every page of a list, following Next from `url`."""
    pages = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, url
        body = page.get_data(as_text=True)
        pages.append(names(body))
        url = link(body, "Next")
    return pages


# --- the candidate list ---------------------------------------------------------------------


def added(application: Application, minutes: int) -> Application:
    """The candidate was added `minutes` after T0."""
    application.candidate.created_at = T0 + timedelta(minutes=minutes)
    db.session.commit()
    return application


@pytest.fixture
def candidates(people) -> dict:
    """Seven candidates on the recruiter's opening (C1 oldest; C4 and C5 added at the same
    moment, so the id breaks the tie) and three on someone else's, added in between."""
    mine = make_opening(people["hm"], people["recruiter"])
    theirs = make_opening(people["other_hm"], people["other_recruiter"], title="Hidden team")
    for n, minutes in enumerate((1, 2, 3, 4, 4, 6, 7), start=1):
        added(make_application(mine, people["recruiter"], name=f"C{n}"), minutes)
    for n, minutes in ((1, 3), (2, 5), (3, 8)):
        added(make_application(theirs, people["other_recruiter"], name=f"Hidden {n}"), minutes)
    return {"mine": mine, "theirs": theirs}


def test_the_candidate_list_pages_newest_first(app, client, auth, people, candidates) -> None:
    login(auth, people, "recruiter")
    assert walk(client, "/candidates/") == [["C7", "C6", "C5"], ["C4", "C3", "C2"], ["C1"]]


def test_previous_and_first_lead_back(app, client, auth, people, candidates) -> None:
    login(auth, people, "recruiter")
    first = client.get("/candidates/").get_data(as_text=True)
    assert link(first, "Previous") is None and link(first, "First page") is None
    second = client.get(link(first, "Next")).get_data(as_text=True)
    third = client.get(link(second, "Next")).get_data(as_text=True)
    assert names(third) == ["C1"] and link(third, "Next") is None
    back = client.get(link(third, "Previous")).get_data(as_text=True)
    assert names(back) == ["C4", "C3", "C2"]
    assert names(client.get(link(back, "Previous")).get_data(as_text=True)) == ["C7", "C6", "C5"]
    assert link(third, "First page") == "/candidates/"


def test_an_admin_pages_through_everyone(app, client, auth, people, candidates) -> None:
    login(auth, people, "admin")
    pages = walk(client, "/candidates/")
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert pages[0] == ["Hidden 3", "C7", "C6"]


def test_a_cursor_made_by_hand_shows_only_what_the_viewer_may_see(
    app, client, auth, people, candidates
) -> None:
    """A cursor naming another team's candidate (its time and id) only says where to start:
    what follows is still the recruiter's own candidates, and no one else's."""
    hidden = db.session.scalar(select(Candidate).where(Candidate.name == "Hidden 2"))
    cursor = encode((hidden.created_at, hidden.id))
    login(auth, people, "recruiter")
    pages = walk(client, f"/candidates/?after={cursor}")  # Hidden 2 was added at minute 5
    assert pages == [["C5", "C4", "C3"], ["C2", "C1"]]
    page = client.get(f"/candidates/?before={cursor}").get_data(as_text=True)
    assert names(page) == ["C7", "C6"]
    assert "Hidden" not in page


# --- bad cursors ----------------------------------------------------------------------------


LISTS = ["/candidates/", "/my/interviews/overdue", "/openings/{opening}/applications/active"]
BAD = [
    "after=yesterday,1",
    "after=2026-10-01T09:00:00Z",
    "after=2026-10-01T09:00:00,5",
    "after=2026-10-01T09:00:00Z,99999999999",
    "before=2026-10-01T09:00:00Z,1'--",
    "after=2026-10-01T09:00:00Z,1&before=2026-10-01T09:00:00Z,2",
    "after=",
    # Times whose UTC falls off either end of the calendar.
    "after=9999-12-31T23:59:59-01:00,5",
    "after=0001-01-01T00:00:00%2B01:00,5",
]


@pytest.mark.parametrize("address", LISTS)
@pytest.mark.parametrize("query", BAD)
def test_a_cursor_the_list_did_not_write_is_a_clear_400(
    app, client, auth, people, candidates, address, query
) -> None:
    login(auth, people, "recruiter")
    response = client.get(address.format(opening=candidates["mine"].id) + "?" + query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert BAD_LINK in page
    assert "C7" not in page


# --- the board and the rest of a stage -----------------------------------------------------


def moved(application: Application, minutes: int) -> Application:
    application.updated_at = T0 + timedelta(minutes=minutes)
    db.session.commit()
    return application


@pytest.fixture
def pipeline(people) -> dict:
    """On the hiring manager's opening: five candidates in Applied (A1 moved first), one in
    the screen, and two rejected; on another team's opening, three in Applied."""
    opening = make_opening(people["hm"], people["recruiter"])
    for n in range(1, 6):
        moved(make_application(opening, people["recruiter"], name=f"A{n}"), n)
    screened = make_application(opening, people["recruiter"], name="S1")
    move_to_stage(screened, "recruiter_screen")
    for n in (1, 2):
        rejected = make_application(opening, people["recruiter"], name=f"R{n}")
        rejected.status, rejected.rejection_reason = "rejected", "other"
        moved(rejected, 10 + n)
    other = make_opening(people["other_hm"], people["other_recruiter"], title="Hidden team")
    for n in range(1, 4):
        moved(make_application(other, people["other_recruiter"], name=f"Hidden {n}"), 2 * n)
    applied = db.session.scalar(
        select(PlanStage.id).where(PlanStage.opening_id == opening.id, PlanStage.key == "applied")
    )
    return {"opening": opening, "other": other, "applied": applied}


def column(page: str, stage: str) -> str:
    start = page.index(f">{stage}</h2>")
    return page[start : page.index("</section>", start)]


def test_a_board_column_shows_its_first_cards_and_links_to_the_rest(
    app, client, auth, people, pipeline
) -> None:
    opening, applied = pipeline["opening"], pipeline["applied"]
    login(auth, people, "hm")
    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    first = column(page, "Applied")
    assert names(first) == ["A5", "A4"]  # the most recently moved, at most 2
    assert 'aria-label="5 candidates">5</span>' in first
    rest = f"/openings/{opening.id}/applications/active?stage={applied}"
    assert f'href="{rest.replace("&", "&amp;")}">All 5' in first
    screen = column(page, "Recruiter screen")
    assert names(screen) == ["S1"] and "All 1" not in screen  # nothing more to see
    assert "<strong>6</strong> active" in page
    assert walk(client, rest) == [["A5", "A4", "A3"], ["A2", "A1"]]


def test_the_board_links_its_closed_applications(app, client, auth, people, pipeline) -> None:
    opening = pipeline["opening"]
    login(auth, people, "hm")
    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    rejected = f"/openings/{opening.id}/applications/rejected"
    assert f'<a href="{rejected}">2 rejected</a>' in page
    assert "0 hired" in page and "0 withdrawn" in page  # nothing to list
    listed = client.get(rejected).get_data(as_text=True)
    assert names(listed) == ["R2", "R1"]
    assert listed.count(">Rejected</span>") == 2


def test_an_opening_list_reveals_nothing_of_another_opening(
    app, client, auth, people, pipeline
) -> None:
    """Another team's opening answers 404, its stage too; and a cursor naming one of its
    applications only says where to start in this opening's own list."""
    opening, other = pipeline["opening"], pipeline["other"]
    login(auth, people, "hm")
    assert client.get(f"/openings/{other.id}/applications/active").status_code == 404
    their_stage = db.session.scalar(
        select(PlanStage.id).where(PlanStage.opening_id == other.id, PlanStage.key == "applied")
    )
    mine = f"/openings/{opening.id}/applications/active"
    assert client.get(f"{mine}?stage={their_stage}").status_code == 404
    assert client.get(f"{mine}?stage=applied").status_code == 404
    theirs = db.session.scalar(
        select(Application).join(Candidate).where(Candidate.name == "Hidden 2")
    )
    cursor = encode((theirs.updated_at, theirs.id))
    # Hidden 2 moved at minute 4, as A4 did, and came later (a larger id): A4 follows it
    pages = walk(client, f"{mine}?stage={pipeline['applied']}&after={cursor}")
    assert pages == [["A4", "A3", "A2"], ["A1"]]
    assert all("Hidden" not in name for page in pages for name in page)


# --- My interviews ----------------------------------------------------------------------


@pytest.fixture
def interviews(people) -> dict:
    """Five overdue interviews of the interviewer (O1 the oldest) and one upcoming, on an
    active application; the hiring manager's own overdue one on the same application."""
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Pat Candidate")
    move_to_stage(application, "peer")
    now = utcnow()
    made = {}
    for n in range(1, 6):
        made[f"O{n}"] = make_interview(
            application, [people["interviewer"]], starts_at=now - timedelta(days=10 - n)
        )
    made["upcoming"] = make_interview(
        application, [people["interviewer"]], starts_at=now + timedelta(days=1)
    )
    made["theirs"] = make_interview(application, [people["hm"]], starts_at=now - timedelta(days=9))
    return made


def kits(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="/interviews/(\d+)">', page)]


def test_my_interviews_shows_the_first_rows_and_links_to_the_rest(
    app, client, auth, people, interviews
) -> None:
    login(auth, people, "interviewer")
    page = client.get("/my/interviews").get_data(as_text=True)
    overdue = page[page.index('id="overdue-heading"') :]
    assert kits(overdue) == [interviews[f"O{n}"].id for n in (1, 2, 3)]
    assert '<span class="badge text-bg-danger">5</span>' in overdue
    assert '<a href="/my/interviews/overdue">All 5 overdue scorecards</a>' in overdue
    assert "All 1 upcoming" not in page  # every upcoming one is shown already


def test_a_list_of_my_interviews_pages_oldest_first_and_only_mine(
    app, client, auth, people, interviews
) -> None:
    login(auth, people, "interviewer")
    pages = []
    url = "/my/interviews/overdue"
    while url:
        body = client.get(url).get_data(as_text=True)
        pages.append(kits(body))
        url = link(body, "Next")
    ids = [[interviews[f"O{n}"].id for n in group] for group in ((1, 2, 3), (4, 5))]
    assert pages == ids
    assert all(interviews["theirs"].id not in page for page in pages)
    # a cursor made from the hiring manager's interview shows only the interviewer's own
    theirs = interviews["theirs"]
    body = client.get(
        f"/my/interviews/overdue?after={encode((theirs.starts_at, theirs.id))}"
    ).get_data(as_text=True)
    assert theirs.id not in kits(body)
    assert kits(client.get("/my/interviews/upcoming").get_data(as_text=True)) == [
        interviews["upcoming"].id
    ]


def test_another_list_name_is_404(app, client, auth, people) -> None:
    login(auth, people, "interviewer")
    assert client.get("/my/interviews/everything").status_code == 404
    assert client.get("/openings/1/applications/archived").status_code == 404
