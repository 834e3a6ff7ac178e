"""The query budget of the pages a large company uses most: each makes at most 12 SQL
queries (everything a request sends, signing in included), and exactly as many on ten
times the demo as on the demo (`demo_database(10)` stands in for the large company).

The exact counts are pinned: a page that gains a query fails here, and the number to
update is in BUDGET, where the reason for each count is written down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from tests.conftest import DEMO_DB_PASSWORD, AuthActions, RequestClient, app_on_copy_of
from tests.queries import count_page_queries
from tracker.extensions import db
from tracker.models import Application, Opening, PlanStage

LIMIT = 12

# The demo opening every page is reached through (the first of each copy of the demo).
OPENING = "Senior Security Engineer, Application Security"


@dataclass(frozen=True)
class Ids:
    """The demo objects the pages are reached through, found the same way at any size."""

    opening: int
    candidate: int
    application: int


@dataclass(frozen=True)
class Page:
    who: str | None  # signed in as (None: signed out)
    url: Callable[[Ids], str]


# Each page, and how many queries it makes; "sign-in" below means the one query that
# loads the user, their roles and their session (tracker.auth.flow.load_user).
PAGES: dict[str, Page] = {
    # nothing: the form needs no data
    "the sign-in page": Page(None, lambda i: "/login"),
    # sign-in, the opening, its stages, the counts per stage and status, the cards
    "an opening's board": Page("hm@example.com", lambda i: f"/openings/{i.opening}/board"),
    # sign-in, the candidate, the applications (opening, stage), the plans' stages, the
    # histories, the résumés, the interviews and their interviewers, the feedback owed,
    # and the audit entry of the view (3: lock, last hash, insert)
    "a candidate's page": Page("recruiter@example.com", lambda i: f"/candidates/{i.candidate}"),
    # sign-in, the application (candidate, stage, opening, role, levels), the stages, the
    # feedback owed, the interviews, the scorecards with their ratings, the requirements,
    # the decisions, the independence proofs, and the audit entry (3)
    "the hiring manager's review": Page(
        "hm@example.com", lambda i: f"/applications/{i.application}/review"
    ),
    # sign-in, and the first rows and the size of each list, in one query
    "My interviews": Page("peer1@example.com", lambda i: "/my/interviews"),
    # sign-in, the filter options, the feedback owed, the sections' own 9 (see
    # tests/web/test_reports_pages.py)
    "the pipeline report (hiring manager)": Page("hm@example.com", lambda i: "/reports/pipeline"),
    "the pipeline report (recruiter)": Page("recruiter@example.com", lambda i: "/reports/pipeline"),
    # The long lists, a page at a time: sign-in and the page (the opening's list also
    # loads the opening and its stages; the first page of a list the same as the next).
    "the candidate list": Page("recruiter@example.com", lambda i: "/candidates/"),
    "an opening's rejected applications": Page(
        "hm@example.com", lambda i: f"/openings/{i.opening}/applications/rejected"
    ),
    "a stage's applications, a page in": Page(
        "hm@example.com",
        lambda i: f"/openings/{i.opening}/applications/active?after=2999-01-01T00:00:00Z,1",
    ),
    "My overdue scorecards": Page("peer1@example.com", lambda i: "/my/interviews/overdue"),
}

BUDGET = {
    "the sign-in page": 0,
    "an opening's board": 5,
    "a candidate's page": 12,
    "the hiring manager's review": 12,
    "My interviews": 2,
    "the pipeline report (hiring manager)": 12,
    "the pipeline report (recruiter)": 12,
    "the candidate list": 2,
    "an opening's rejected applications": 4,
    "a stage's applications, a page in": 4,
    "My overdue scorecards": 2,
}


def find_ids() -> Ids:
    """The first demo opening, and its first application waiting in Decision (whose
    hiring manager has submitted their own scorecard, so the review opens to them)."""
    opening = db.session.scalar(
        select(Opening).where(Opening.title == OPENING).order_by(Opening.id).limit(1)
    )
    application = db.session.scalar(
        select(Application)
        .join(PlanStage, PlanStage.id == Application.stage_id)
        .where(
            Application.opening_id == opening.id,
            Application.status == "active",
            PlanStage.key == "decision",
        )
        .order_by(Application.id)
        .limit(1)
    )
    return Ids(opening.id, application.candidate_id, application.id)


@contextmanager
def demo_app(database: str, folder: Path) -> Iterator[Flask]:
    folder.mkdir()
    with contextmanager(app_on_copy_of)(database, folder) as app:
        app.test_client_class = RequestClient
        yield app


def measure(database: str, folder: Path) -> dict[str, int]:
    """Each page's queries on a copy of this database, each user signed in once."""
    counts: dict[str, int] = {}
    with demo_app(database, folder) as app:
        ids = find_ids()
        clients = {}
        for name, page in PAGES.items():
            if page.who not in clients:
                client = app.test_client()
                if page.who is not None:
                    assert AuthActions(client).login(page.who, DEMO_DB_PASSWORD).status_code == 302
                clients[page.who] = client
            counts[name] = count_page_queries(clients[page.who], page.url(ids))
    return counts


def test_the_budget_table_keeps_to_the_limit() -> None:
    assert BUDGET.keys() == PAGES.keys()
    assert all(count <= LIMIT for count in BUDGET.values()), BUDGET


def test_each_page_makes_its_pinned_queries_on_the_demo_and_ten_times_it(
    demo_database, tmp_path
) -> None:
    demo = measure(demo_database(1), tmp_path / "demo1")
    ten_times = measure(demo_database(10), tmp_path / "demo10")
    assert demo == BUDGET
    assert ten_times == demo
